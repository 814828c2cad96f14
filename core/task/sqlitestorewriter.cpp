#include "sqlitestorewriter.h"

#include "sqlboundvalues.h"
#include "sqlitetaskrow.h"
#include "util/logging.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

namespace {

QString describe(const QSqlError &error)
{
    // SQLITE_FULL: a write met a full file system (ENOSPC), which is what the operator must fix;
    // SQLite's own words alone ("database or disk is full") do not say which.
    // Qt keeps SQLite's code for a statement, but only SQLite's words for a failed COMMIT.
    if (error.nativeErrorCode() == QLatin1String("13") || error.databaseText().contains(QLatin1String("database or disk is full")))
        return QStringLiteral("no space left on device (SQLite: database or disk is full)");
    return error.text().isEmpty() ? QStringLiteral("unknown SQLite error") : error.text();
}

// The writer's page cache: see open().
constexpr int CacheKiB = 16 * 1024;
// Rows per INSERT, so that one statement's cost in Qt and in SQLite is shared; 32 rows of
// SqliteColumnCount values stay below the 999 variables an older SQLite allows.
constexpr qsizetype RowsPerInsert = 32;

QString insertOf(qsizetype rows)
{
    QString row = QStringLiteral("(?");
    for (int column = 1; column < SqliteColumnCount; ++column)
        row += QStringLiteral(", ?");
    row += QLatin1Char(')');
    QStringList values;
    values.fill(row, rows);
    return QStringLiteral("INSERT OR REPLACE INTO tasks (%1) VALUES %2")
            .arg(QLatin1String(SqliteTaskColumns), values.join(QStringLiteral(", ")));
}

bool writeRows(const QSqlDatabase &db, const std::vector<Task> &tasks, QString *error)
{
    QSqlQuery insert(db);
    qsizetype prepared = 0; // rows of the statement prepared
    QVariant *values = nullptr;
    for (size_t done = 0; done < tasks.size();) {
        const qsizetype rows = std::min(RowsPerInsert, qsizetype(tasks.size() - done));
        if (rows != prepared) { // the first statement, and the last when fewer rows are left
            if (!insert.prepare(insertOf(rows))) {
                *error = describe(insert.lastError());
                return false;
            }
            prepared = rows;
            values = SqlBoundValues::of(insert, rows * SqliteColumnCount).data();
        }
        for (qsizetype row = 0; row < rows; ++row)
            SqliteTaskRow::bind(tasks[done + size_t(row)], values + row * SqliteColumnCount);
        if (!insert.exec()) {
            *error = describe(insert.lastError());
            return false;
        }
        done += size_t(rows);
    }
    return true;
}

} // namespace

SqliteStoreWriter::SqliteStoreWriter(const QString &databasePath, const QString &connectionName, int retryDelayMs,
                                     int busyTimeoutMs)
    : m_databasePath(databasePath)
    , m_connectionName(connectionName)
    , m_retryDelayMs(retryDelayMs)
    , m_busyTimeoutMs(busyTimeoutMs)
{
}

SqliteStoreWriter::~SqliteStoreWriter()
{
    if (m_open)
        QSqlDatabase::database(m_connectionName, false).close();
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool SqliteStoreWriter::open(QString *error)
{
    m_retry = new QTimer(this);
    m_retry->setSingleShot(true);
    connect(m_retry, &QTimer::timeout, this, [this] {
        QString ignored; // reported through failed()
        writeAll(&ignored);
    });
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(m_databasePath);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(m_busyTimeoutMs));
    QSqlQuery pragma(db);
    // synchronous=FULL belongs to the connection: every commit syncs the log, so an
    // acknowledged submit survives power loss too, not only a crash. The page cache (SQLite's
    // default is 2 MiB) holds a whole batch: a smaller one spills pages to the log in the middle
    // of the transaction and reads them back, which took a third of the writer's time (a system
    // call per page) for a batch of 200 000 tasks. It grows only as far as pages are used.
    // 16 MiB took the durable submit of 200 000 tasks from 15.6 to 7.0 times the ephemeral one
    // (system time 2.9 s to 0.9 s), as much as 64 MiB did, for a quarter of the memory a large
    // store would let it fill.
    if (!db.open() || !pragma.exec(QStringLiteral("PRAGMA synchronous=FULL"))
        || !pragma.exec(QStringLiteral("PRAGMA cache_size=-%1").arg(CacheKiB))) {
        *error = QStringLiteral("cannot open %1 for writing: %2")
                         .arg(m_databasePath, describe(db.isOpen() ? pragma.lastError() : db.lastError()));
        return false;
    }
    m_open = true;
    return true;
}

void SqliteStoreWriter::enqueue(SqliteStoreBatch batch)
{
    add(std::move(batch));
    if (!m_retry->isActive()) { // after a failure, the retry timer decides when to try again
        QString ignored; // reported through failed()
        writeAll(&ignored);
    }
}

bool SqliteStoreWriter::writeAll(QString *error)
{
    m_retry->stop();
    while (!m_queue.empty()) {
        const SqliteStoreBatch &batch = m_queue.front();
        if (!write(batch, error)) {
            // Nothing is dropped: the batch stays first and is written again.
            *error = QStringLiteral("cannot write %1: %2").arg(m_databasePath, *error);
            qCWarning(lcMaster).noquote() << *error << "- retrying in" << m_retryDelayMs << "ms";
            m_retry->start(m_retryDelayMs);
            Q_EMIT failed(*error);
            return false;
        }
        const quint64 sequence = batch.sequence;
        m_queue.pop_front();
        Q_EMIT written(sequence);
    }
    return true;
}

void SqliteStoreWriter::forget(const QSet<quint64> &ids)
{
    for (SqliteStoreBatch &batch : m_queue) {
        std::erase_if(batch.upserts, [&](const Task &task) { return ids.contains(task.id); });
    }
}

bool SqliteStoreWriter::markClean()
{
    QSqlQuery mark(QSqlDatabase::database(m_connectionName, false));
    if (!m_open || !m_queue.empty()
        || !mark.exec(QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES ('%1', 1)")
                              .arg(QLatin1String(SqliteCleanCloseKey)))) {
        // The next start checks the whole file: slower, never wrong.
        qCWarning(lcMaster).noquote() << "cannot mark" << m_databasePath << "as closed cleanly:" << describe(mark.lastError());
        return false;
    }
    return true;
}

bool SqliteStoreWriter::write(const SqliteStoreBatch &batch, QString *error)
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.transaction()) {
        *error = describe(db.lastError());
        return false;
    }
    bool ok = writeRows(db, batch.upserts, error);
    QSqlQuery erase(db);
    if (ok && !batch.removals.empty()) {
        ok = erase.prepare(QStringLiteral("DELETE FROM tasks WHERE id = ?"));
        for (auto id = batch.removals.cbegin(); ok && id != batch.removals.cend(); ++id) {
            erase.bindValue(0, qint64(*id));
            ok = erase.exec();
        }
        if (!ok)
            *error = describe(erase.lastError());
    }
    QSqlQuery next(db);
    if (ok) {
        ok = next.prepare(QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_id', ?)"));
        next.bindValue(0, qint64(batch.nextId));
        ok = ok && next.exec();
        if (!ok)
            *error = describe(next.lastError());
    }
    if (ok) {
        ok = db.commit();
        if (!ok)
            *error = describe(db.lastError());
    }
    if (!ok)
        db.rollback();
    return ok;
}
