#include "storesalvage.h"

#include "sqlitestorewriter.h"
#include "sqlitetaskrow.h"
#include "sqlitetaskstore.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <optional>

namespace {

const QString DatabaseName = QStringLiteral("tasks.sqlite");

// The largest id the damaged file still knows of, from wherever it can be read.
quint64 highestId(const QSqlDatabase &db)
{
    quint64 highest = 0;
    QSqlQuery query(db);
    if (query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'next_id'")) && query.next()
        && query.value(0).toULongLong() > 0)
        highest = query.value(0).toULongLong() - 1;
    if (query.exec(QStringLiteral("SELECT max(id) FROM tasks")) && query.next())
        highest = qMax(highest, query.value(0).toULongLong());
    return highest;
}

// Reads the damaged database; every row goes to keep(), in increasing id order.
class Reader
{
public:
    Reader(const QSqlDatabase &db, StoreSalvage::Report *report)
        : m_db(db), m_report(report)
    {
    }

    template<typename Keep>
    void readAll(Keep keep)
    {
        const quint64 highest = highestId(m_db);
        const QString columns = QLatin1String(SqliteTaskColumns);
        quint64 last = 0; // every id up to here is copied, absent or counted unreadable
        for (;;) {
            // In id order from the last good one: fast while the pages are sound.
            QSqlQuery scan(m_db);
            scan.setForwardOnly(true);
            scan.prepare(QStringLiteral("SELECT %1 FROM tasks WHERE id > ? ORDER BY id").arg(columns));
            scan.bindValue(0, qint64(last));
            if (scan.exec()) {
                while (scan.next()) {
                    keep(SqliteTaskRow::read(scan));
                    last = scan.value(0).toULongLong();
                }
            }
            if (!scan.lastError().isValid())
                return; // the end of the table
            note(scan.lastError());
            // A page cannot be read: one id at a time past it, until a lookup works again.
            std::optional<quint64> resumeAfter;
            while (!resumeAfter && last < highest) {
                const quint64 id = ++last;
                QSqlQuery one(m_db);
                one.prepare(QStringLiteral("SELECT %1 FROM tasks WHERE id = ?").arg(columns));
                one.bindValue(0, qint64(id));
                if (one.exec() && one.next()) {
                    keep(SqliteTaskRow::read(one));
                    resumeAfter = id;
                } else if (one.lastError().isValid()) {
                    note(one.lastError());
                    ++m_report->unreadable;
                } else {
                    resumeAfter = id; // no such task (removed before), and the lookup worked
                }
            }
            if (!resumeAfter)
                return;
        }
    }

private:
    void note(const QSqlError &error)
    {
        if (m_report->firstProblem.isEmpty())
            m_report->firstProblem = error.text();
    }

    QSqlDatabase m_db;
    StoreSalvage::Report *m_report;
};

} // namespace

StoreSalvage::StoreSalvage(const QString &fromDirectory, const QString &toDirectory)
    : m_from(fromDirectory), m_to(toDirectory)
{
}

bool StoreSalvage::run(Report *report, QString *error)
{
    const QString source = QDir(m_from).filePath(DatabaseName);
    const QString target = QDir(m_to).filePath(DatabaseName);
    if (!QFileInfo(source).isFile()) {
        *error = QStringLiteral("there is no task database %1 to salvage").arg(source);
        return false;
    }
    if (QFileInfo(m_from).canonicalFilePath() == QFileInfo(m_to).canonicalFilePath()) {
        *error = QStringLiteral("--to must be a new directory, not the damaged one");
        return false;
    }
    if (QFileInfo::exists(target)) {
        *error = QStringLiteral("%1 already exists; salvage writes only into a directory without a task database").arg(target);
        return false;
    }
    const QString connection = QStringLiteral("taskmaster-salvage-%1").arg(quintptr(this), 0, 16);
    SqliteTaskStore store(m_to);
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(source);
        // Read-only: SQLite never writes the file, whatever it finds in it.
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (!db.open()) {
            *error = QStringLiteral("cannot open %1 read-only: %2").arg(source, db.lastError().text());
        } else if (store.open(error)) {
            Reader reader(db, report);
            reader.readAll([&](Task task) {
                if (task.id == 0 || task.id < store.nextId())
                    return; // never twice, whatever a damaged page claims
                store.restore(std::move(task));
                ++report->copied;
            });
            store.raiseNextId(highestId(db) + 1);
            ok = true;
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    if (!ok)
        return false;
    if (!store.commit()) {
        *error = QStringLiteral("cannot write the salvaged tasks to %1").arg(target);
        return false;
    }
    report->nextId = store.nextId();
    return true;
}
