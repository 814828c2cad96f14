#include "sqlitetaskstore.h"

#include "sqlitestorewriter.h"
#include "util/logging.h"
#include "util/privatefiles.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTimer>

#include <limits>

namespace {

// Bumped when the tables change; a master refuses a database newer than it understands and
// migrates an older one in place. 2: required tags, retry delay and start time.
constexpr int SchemaVersion = 3;

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
    connect(m_timer, &QTimer::timeout, this, &SqliteTaskStore::startWrite);
    m_thread.setObjectName(QStringLiteral("taskmaster-store"));
}

SqliteTaskStore::~SqliteTaskStore()
{
    if (m_open)
        commit();
    stopWriter();
}

void SqliteTaskStore::stopWriter()
{
    if (m_writer) {
        // Deleted in its own thread, where its database connection lives.
        QMetaObject::invokeMethod(m_writer, [writer = m_writer] { delete writer; }, Qt::BlockingQueuedConnection);
        m_writer = nullptr;
    }
    m_thread.quit();
    m_thread.wait();
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
    QString why;
    if (m_directory.isEmpty())
        why = QStringLiteral("no directory given");
    if (!why.isEmpty() || !PrivateFiles::makeDirectory(m_directory, &why)) {
        *error = QStringLiteral("cannot create the data directory \"%1\": %2").arg(m_directory, why);
        return false;
    }
    // One master per data directory: two would each believe they own the queue. A lock left by
    // a killed master names a process that no longer runs, and QLockFile takes it over.
    const QString lockPath = QDir(m_directory).filePath(QStringLiteral("taskmaster.lock"));
    m_lock = std::make_unique<QLockFile>(lockPath);
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        *error = lockFailure(lockPath);
        m_lock.reset();
        return false;
    }
    // Tasks, their args and results are the owner's business: the lock (which QLockFile
    // creates with the umask's mode), the database and the log and index SQLite makes next to
    // it with the database's own mode. Files an older master left readable are tightened.
    if (!PrivateFiles::restrictToOwner(lockPath, error) || !PrivateFiles::createOwnerOnly(databasePath(), error)
        || !PrivateFiles::restrictToOwner(databasePath() + QStringLiteral("-wal"), error)
        || !PrivateFiles::restrictToOwner(databasePath() + QStringLiteral("-shm"), error)) {
        m_lock.reset();
        return false;
    }
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE"))) {
        *error = QStringLiteral("Qt's SQLite driver is not installed (on Debian: the libqt6sql6-sqlite package); "
                                "install it or run with --ephemeral");
        return false;
    }
    const bool loaded = load(error);
    QSqlDatabase::removeDatabase(m_connectionName); // loading is done; the writer has its own connection
    if (!loaded)
        return false;
    m_takenNextId = m_memory.nextId();

    m_writer = new SqliteStoreWriter(databasePath(), m_connectionName + QStringLiteral("-writer"),
                                     m_settings.retryDelayMs, m_settings.busyTimeoutMs);
    m_writer->moveToThread(&m_thread);
    connect(m_writer, &SqliteStoreWriter::written, this, &SqliteTaskStore::onWritten);
    connect(m_writer, &SqliteStoreWriter::failed, this, &SqliteTaskStore::commitFailed);
    m_thread.start();
    bool opened = false;
    QMetaObject::invokeMethod(m_writer, [&] { opened = m_writer->open(error); }, Qt::BlockingQueuedConnection);
    if (!opened) {
        stopWriter();
        return false;
    }
    m_open = true;
    qCInfo(lcMaster).noquote() << "loaded" << m_memory.size() << "tasks from" << databasePath();
    return true;
}

QString SqliteTaskStore::lockFailure(const QString &lockPath) const
{
    if (m_lock->error() == QLockFile::LockFailedError) {
        qint64 pid = 0;
        QString host, app;
        m_lock->getLockInfo(&pid, &host, &app);
        return QStringLiteral("the data directory \"%1\" is in use by another master (process %2 on %3); give "
                              "another --data-dir or stop that master")
                .arg(m_directory)
                .arg(pid)
                .arg(host);
    }
    // QLockFile says only what kind of failure; the OS's reason comes from trying ourselves.
    QString why = PrivateFiles::whyNotWritable(m_directory);
    if (why.isEmpty()) {
        QFile existing(lockPath);
        if (!existing.open(QIODevice::ReadOnly))
            why = existing.errorString();
    }
    return QStringLiteral("cannot lock the data directory \"%1\": %2 %3 (%4)")
            .arg(m_directory,
                 m_lock->error() == QLockFile::PermissionError ? QStringLiteral("no permission to create")
                                                               : QStringLiteral("cannot create or read"),
                 lockPath, why.isEmpty() ? QStringLiteral("unknown reason") : why);
}

bool SqliteTaskStore::load(QString *error)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(databasePath());
    if (!db.open()) {
        *error = QStringLiteral("cannot open %1: %2").arg(databasePath(), describe(db.lastError()));
        return false;
    }
    // WAL (kept in the file): a commit appends to the log and readers never block it.
    if (!exec(QStringLiteral("PRAGMA journal_mode=WAL"), error))
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
        || !exec(QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)"), error))
        return false;
    if (found < 2
        && (!exec(QStringLiteral("ALTER TABLE tasks ADD COLUMN required_tags TEXT NOT NULL DEFAULT ''"), error)
            || !exec(QStringLiteral("ALTER TABLE tasks ADD COLUMN retry_delay_ms INTEGER NOT NULL DEFAULT %1")
                             .arg(DefaultRetryDelayMs),
                     error)
            || !exec(QStringLiteral("ALTER TABLE tasks ADD COLUMN run_at_ms INTEGER NOT NULL DEFAULT 0"), error)))
        return false;
    if (found < 3 && !exec(QStringLiteral("ALTER TABLE tasks ADD COLUMN submit_key BLOB NOT NULL DEFAULT x''"), error))
        return false;
    if (!exec(QStringLiteral("PRAGMA user_version = %1").arg(SchemaVersion), error))
        return false;

    QSqlQuery load(db);
    load.setForwardOnly(true);
    if (!load.exec(QStringLiteral("SELECT %1 FROM tasks ORDER BY id").arg(QLatin1String(SqliteTaskColumns)))) {
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
        const QString tags = load.value(16).toString();
        if (!tags.isEmpty())
            task.spec.requiredTags = tags.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        task.spec.retryDelayMs = load.value(17).toLongLong();
        task.spec.runAtMs = load.value(18).toLongLong();
        task.key = TaskKey::fromBytes(load.value(19).toByteArray());
        m_memory.restore(std::move(task));
    }
    QSqlQuery next(db);
    if (next.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'next_id'")) && next.next())
        m_memory.raiseNextId(next.value(0).toULongLong());
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

qsizetype SqliteTaskStore::pendingChanges() const
{
    qsizetype writing = 0;
    for (const Writing &batch : m_writing) // one batch, or a few around a commit()
        writing += batch.changes;
    return m_dirty.size() + m_removed.size() + writing;
}

bool SqliteTaskStore::hasUnwritten() const
{
    return !m_dirty.isEmpty() || !m_removed.isEmpty() || m_memory.nextId() != m_takenNextId;
}

void SqliteTaskStore::whenDurable(QObject *context, std::function<void()> done)
{
    if (hasUnwritten()) {
        m_waiters.append({context, std::move(done)});
        scheduleCommit();
    } else if (!m_writing.empty()) {
        m_writing.back().waiters.append({context, std::move(done)});
    } else {
        done();
    }
}

std::shared_ptr<SqliteStoreBatch> SqliteTaskStore::takeBatch(qsizetype limit)
{
    auto batch = std::make_shared<SqliteStoreBatch>();
    batch->sequence = ++m_sequence;
    batch->upserts.reserve(size_t(std::min(limit, m_dirty.size())));
    for (auto it = m_dirty.begin(); it != m_dirty.end() && batch->changes() < limit;) {
        if (const Task *task = m_memory.find(*it))
            batch->upserts.push_back(*task); // shares its strings: cheap to copy, safe to read elsewhere
        it = m_dirty.erase(it);
    }
    for (auto it = m_removed.begin(); it != m_removed.end() && batch->changes() < limit;) {
        batch->removals.push_back(*it);
        it = m_removed.erase(it);
    }
    batch->nextId = m_takenNextId = m_memory.nextId();
    Writing writing{batch->sequence, batch->changes(), {}};
    if (!hasUnwritten()) // the batch holds the last change made before these callbacks
        writing.waiters = std::exchange(m_waiters, {});
    m_writing.push_back(std::move(writing));
    return batch;
}

void SqliteTaskStore::startWrite()
{
    // One batch at a time: while it is written, further changes gather and coalesce.
    if (!m_open || !m_writing.empty() || !hasUnwritten())
        return;
    const std::shared_ptr<SqliteStoreBatch> batch = takeBatch(m_settings.maxWrite);
    QMetaObject::invokeMethod(m_writer, [writer = m_writer, batch] { writer->enqueue(std::move(*batch)); });
}

void SqliteTaskStore::onWritten(quint64 sequence)
{
    while (!m_writing.empty() && m_writing.front().sequence <= sequence) {
        const Writing done = std::move(m_writing.front());
        m_writing.pop_front();
        ++m_commits;
        Q_EMIT committed(done.changes);
        // Callbacks may change tasks again; those changes go in a later batch.
        for (const Waiter &waiter : done.waiters) {
            if (waiter.context)
                waiter.done();
        }
    }
    if (hasUnwritten())
        scheduleCommit();
}

bool SqliteTaskStore::commit()
{
    m_timer->stop();
    if (!m_open)
        return false;
    std::shared_ptr<SqliteStoreBatch> batch;
    if (hasUnwritten())
        batch = takeBatch(std::numeric_limits<qsizetype>::max());
    bool ok = false;
    QString error;
    QMetaObject::invokeMethod(
            m_writer,
            [&] {
                if (batch)
                    m_writer->add(std::move(*batch));
                ok = m_writer->writeAll(&error);
            },
            Qt::BlockingQueuedConnection);
    if (ok)
        onWritten(m_sequence); // the writer's own signals for these arrive later and find nothing left
    return ok;
}

QList<quint64> SqliteTaskStore::finishedToPurge(qint64 keepFinished, qint64 finishedBeforeMs, int limit) const
{
    // The records in memory are the latest (the database may be a few milliseconds behind).
    return m_memory.finishedToPurge(keepFinished, finishedBeforeMs, limit);
}
