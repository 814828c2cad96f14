#include "sqlitetaskstore.h"

#include "util/logging.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTimer>

namespace {

// Bumped when the tables change; a master refuses a database newer than it understands.
constexpr int SchemaVersion = 1;

const char *const Columns = "id, kind, args, priority, timeout_ms, max_attempts, state, attempts, worker, result, "
                            "error, created_ms, started_ms, finished_ms, duplicate_results, history";

QByteArray historyToJson(const QList<TaskAttempt> &history)
{
    QJsonArray array;
    for (const TaskAttempt &a : history) {
        array.append(QJsonObject{{QStringLiteral("worker"), a.worker},
                                 {QStringLiteral("started_ms"), a.startedMs},
                                 {QStringLiteral("finished_ms"), a.finishedMs},
                                 {QStringLiteral("outcome"), a.outcome}});
    }
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

QList<TaskAttempt> historyFromJson(const QByteArray &json)
{
    QList<TaskAttempt> history;
    const QJsonArray array = QJsonDocument::fromJson(json).array();
    for (const QJsonValue &v : array) {
        const QJsonObject o = v.toObject();
        history.append({o.value(QStringLiteral("worker")).toString(), o.value(QStringLiteral("started_ms")).toInteger(),
                        o.value(QStringLiteral("finished_ms")).toInteger(), o.value(QStringLiteral("outcome")).toString()});
    }
    return history;
}

QString describe(const QSqlError &error)
{
    return error.text().isEmpty() ? QStringLiteral("unknown SQLite error") : error.text();
}

} // namespace

SqliteTaskStore::SqliteTaskStore(const QString &directory, QObject *parent)
    : SqliteTaskStore(directory, Settings(), parent)
{
}

SqliteTaskStore::SqliteTaskStore(const QString &directory, const Settings &settings, QObject *parent)
    : QObject(parent),
      m_directory(directory),
      m_settings(settings),
      m_connectionName(QStringLiteral("taskmaster-store-%1").arg(quintptr(this), 0, 16)),
      m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, [this] { commit(); });
}

SqliteTaskStore::~SqliteTaskStore()
{
    if (m_open) {
        commit();
        QSqlDatabase::database(m_connectionName, false).close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QString SqliteTaskStore::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString SqliteTaskStore::databasePath() const
{
    return QDir(m_directory).filePath(QStringLiteral("tasks.sqlite"));
}

bool SqliteTaskStore::exec(const QString &sql, QString *error)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (query.exec(sql))
        return true;
    *error = QStringLiteral("%1: %2").arg(databasePath(), describe(query.lastError()));
    return false;
}

bool SqliteTaskStore::open(QString *error)
{
    Q_ASSERT(!m_open);
    if (m_directory.isEmpty() || !QDir().mkpath(m_directory)) {
        *error = QStringLiteral("cannot create the data directory \"%1\"").arg(m_directory);
        return false;
    }
    // One master per data directory: two would each believe they own the queue. A lock left by
    // a killed master names a process that no longer runs, and QLockFile takes it over.
    m_lock = std::make_unique<QLockFile>(QDir(m_directory).filePath(QStringLiteral("taskmaster.lock")));
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host, app;
        m_lock->getLockInfo(&pid, &host, &app);
        *error = m_lock->error() == QLockFile::LockFailedError
                ? QStringLiteral("the data directory \"%1\" is in use by another master (process %2 on %3); give "
                                 "another --data-dir or stop that master")
                          .arg(m_directory)
                          .arg(pid)
                          .arg(host)
                : QStringLiteral("cannot lock the data directory \"%1\"").arg(m_directory);
        m_lock.reset();
        return false;
    }
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE"))) {
        *error = QStringLiteral("Qt's SQLite driver is not installed (on Debian: the libqt6sql6-sqlite package); "
                                "install it or run with --ephemeral");
        return false;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(databasePath());
    if (!db.open()) {
        *error = QStringLiteral("cannot open %1: %2").arg(databasePath(), describe(db.lastError()));
        return false;
    }
    // WAL: a commit appends to the log and readers never block it. synchronous=FULL syncs the log
    // at every commit, so an acknowledged submit survives power loss too, not only a crash.
    if (!exec(QStringLiteral("PRAGMA journal_mode=WAL"), error) || !exec(QStringLiteral("PRAGMA synchronous=FULL"), error))
        return false;
    QSqlQuery version(db);
    if (!version.exec(QStringLiteral("PRAGMA user_version")) || !version.next()) {
        *error = QStringLiteral("%1 is not a readable SQLite database: %2").arg(databasePath(), describe(version.lastError()));
        return false;
    }
    const int found = version.value(0).toInt();
    version.finish();
    if (found > SchemaVersion) {
        *error = QStringLiteral("%1 was written by a newer taskmaster (schema %2; this one knows %3)")
                         .arg(databasePath())
                         .arg(found)
                         .arg(SchemaVersion);
        return false;
    }
    if (!exec(QStringLiteral("CREATE TABLE IF NOT EXISTS tasks ("
                             "id INTEGER PRIMARY KEY, kind TEXT NOT NULL, args BLOB NOT NULL, priority INTEGER NOT NULL, "
                             "timeout_ms INTEGER NOT NULL, max_attempts INTEGER NOT NULL, state INTEGER NOT NULL, "
                             "attempts INTEGER NOT NULL, worker TEXT NOT NULL, result BLOB NOT NULL, error TEXT NOT NULL, "
                             "created_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL, "
                             "duplicate_results INTEGER NOT NULL, history TEXT NOT NULL)"),
              error)
        || !exec(QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)"), error)
        || !exec(QStringLiteral("PRAGMA user_version = %1").arg(SchemaVersion), error))
        return false;

    QSqlQuery load(db);
    load.setForwardOnly(true);
    if (!load.exec(QStringLiteral("SELECT %1 FROM tasks ORDER BY id").arg(QLatin1String(Columns)))) {
        *error = QStringLiteral("cannot read %1: %2").arg(databasePath(), describe(load.lastError()));
        return false;
    }
    while (load.next()) {
        Task task;
        task.id = load.value(0).toULongLong();
        task.spec.kind = load.value(1).toString();
        task.spec.args = load.value(2).toByteArray();
        task.spec.priority = load.value(3).toInt();
        task.spec.timeoutMs = load.value(4).toLongLong();
        task.spec.maxAttempts = load.value(5).toInt();
        const int state = load.value(6).toInt();
        task.state = state >= 0 && state < TaskStateCount ? TaskState(state) : TaskState::Queued;
        task.attempts = load.value(7).toInt();
        task.worker = load.value(8).toString();
        task.result = load.value(9).toByteArray();
        task.error = load.value(10).toString();
        task.createdMs = load.value(11).toLongLong();
        task.startedMs = load.value(12).toLongLong();
        task.finishedMs = load.value(13).toLongLong();
        task.duplicateResults = load.value(14).toInt();
        task.history = historyFromJson(load.value(15).toByteArray());
        m_memory.restore(std::move(task));
    }
    QSqlQuery next(db);
    if (next.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'next_id'")) && next.next())
        m_memory.raiseNextId(next.value(0).toULongLong());
    m_storedNextId = m_memory.nextId();
    m_open = true;
    qCInfo(lcMaster).noquote() << "loaded" << m_memory.size() << "tasks from" << databasePath();
    return true;
}

Task *SqliteTaskStore::insert(Task task)
{
    const quint64 id = task.id;
    Task *stored = m_memory.insert(std::move(task));
    changed(id);
    return stored;
}

void SqliteTaskStore::updated(const Task &task)
{
    changed(task.id);
}

bool SqliteTaskStore::remove(quint64 id)
{
    if (!m_memory.remove(id))
        return false;
    m_dirty.remove(id);
    m_removed.insert(id);
    scheduleCommit();
    return true;
}

void SqliteTaskStore::changed(quint64 id)
{
    m_dirty.insert(id);
    m_removed.remove(id);
    scheduleCommit();
}

void SqliteTaskStore::scheduleCommit()
{
    // The first change of a batch starts the clock; a batch that grows large goes at once.
    if (pendingChanges() >= m_settings.maxBatch)
        m_timer->start(0);
    else if (!m_timer->isActive())
        m_timer->start(m_settings.commitDelayMs);
}

void SqliteTaskStore::whenDurable(QObject *context, std::function<void()> done)
{
    if (pendingChanges() == 0 && m_memory.nextId() == m_storedNextId) {
        done();
        return;
    }
    m_waiters.append({context, std::move(done)});
    scheduleCommit();
}

bool SqliteTaskStore::commit()
{
    m_timer->stop();
    if (!m_open)
        return false;
    const qsizetype changes = pendingChanges();
    if (changes > 0 || m_memory.nextId() != m_storedNextId) {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        QString error;
        bool ok = db.transaction();
        if (!ok)
            error = describe(db.lastError());
        QSqlQuery upsert(db);
        if (ok && !m_dirty.isEmpty()) {
            ok = upsert.prepare(QStringLiteral("INSERT OR REPLACE INTO tasks (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                               "?, ?, ?, ?)")
                                        .arg(QLatin1String(Columns)));
            for (auto it = m_dirty.cbegin(); ok && it != m_dirty.cend(); ++it) {
                const Task *task = m_memory.find(*it);
                if (!task)
                    continue;
                upsert.bindValue(0, qint64(task->id));
                upsert.bindValue(1, task->spec.kind);
                upsert.bindValue(2, task->spec.args);
                upsert.bindValue(3, task->spec.priority);
                upsert.bindValue(4, task->spec.timeoutMs);
                upsert.bindValue(5, task->spec.maxAttempts);
                upsert.bindValue(6, int(task->state));
                upsert.bindValue(7, task->attempts);
                upsert.bindValue(8, task->worker.isNull() ? QString(QLatin1String("")) : task->worker);
                upsert.bindValue(9, task->result.isNull() ? QByteArray("") : task->result);
                upsert.bindValue(10, task->error.isNull() ? QString(QLatin1String("")) : task->error);
                upsert.bindValue(11, task->createdMs);
                upsert.bindValue(12, task->startedMs);
                upsert.bindValue(13, task->finishedMs);
                upsert.bindValue(14, task->duplicateResults);
                upsert.bindValue(15, QString::fromUtf8(historyToJson(task->history)));
                ok = upsert.exec();
            }
            if (!ok)
                error = describe(upsert.lastError());
        }
        QSqlQuery erase(db);
        if (ok && !m_removed.isEmpty()) {
            ok = erase.prepare(QStringLiteral("DELETE FROM tasks WHERE id = ?"));
            for (auto it = m_removed.cbegin(); ok && it != m_removed.cend(); ++it) {
                erase.bindValue(0, qint64(*it));
                ok = erase.exec();
            }
            if (!ok)
                error = describe(erase.lastError());
        }
        QSqlQuery next(db);
        if (ok) {
            ok = next.prepare(QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_id', ?)"));
            next.bindValue(0, qint64(m_memory.nextId()));
            ok = ok && next.exec();
            if (!ok)
                error = describe(next.lastError());
        }
        if (ok) {
            ok = db.commit();
            if (!ok)
                error = describe(db.lastError());
        }
        if (!ok) {
            // Nothing is dropped: the changes stay pending and the next try writes them again.
            db.rollback();
            error = QStringLiteral("cannot write %1: %2; retrying in %3 ms")
                            .arg(databasePath(), error)
                            .arg(m_settings.retryDelayMs);
            qCWarning(lcMaster).noquote() << error;
            m_timer->start(m_settings.retryDelayMs);
            Q_EMIT commitFailed(error);
            return false;
        }
        m_dirty.clear();
        m_removed.clear();
        m_storedNextId = m_memory.nextId();
        ++m_commits;
        Q_EMIT committed(changes);
    }
    // Callbacks may change tasks again; those changes wait for the next commit.
    const QList<Waiter> waiters = std::exchange(m_waiters, {});
    for (const Waiter &waiter : waiters) {
        if (waiter.context)
            waiter.done();
    }
    return true;
}

QList<quint64> SqliteTaskStore::finishedToPurge(qint64 keepFinished, qint64 finishedBeforeMs, int limit) const
{
    // The records in memory are the latest (the database may be a few milliseconds behind).
    return m_memory.finishedToPurge(keepFinished, finishedBeforeMs, limit);
}
