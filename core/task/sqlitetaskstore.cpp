#include "sqlitetaskstore.h"

#include "sqlitestorewriter.h"
#include "sqlitetaskrow.h"
#include "util/directorylock.h"
#include "util/logging.h"
#include "util/privatefiles.h"

#include <QDir>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

#include <limits>

namespace {

// Bumped when the tables change; a master refuses a database newer than it understands and
// migrates an older one in place. 2: required tags, retry delay and start time. 3: the
// submitter's idempotency key. 4: the history keeps the last dispatches and counts them all
// (SqliteTaskRow::historyColumn); the tables are as in 3, and a row of 3 reads as is, its
// history's length being its count. A master before 4 would read a bounded history as none and
// number dispatches again from 1, so it must refuse the file.
constexpr int SchemaVersion = 4;

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
    // Everything on disk and the mark that says so: the next start need not check the file.
    if (m_open && commit())
        QMetaObject::invokeMethod(m_writer, [writer = m_writer] { writer->markClean(); }, Qt::BlockingQueuedConnection);
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
    // One master per data directory: two would each believe they own the queue. The lock is
    // the operating system's and dies with its holder, so a killed master's lock is free at
    // once, whatever PID the file names (a restarted container's master is PID 1 again).
    const QString lockPath = QDir(m_directory).filePath(QStringLiteral("taskmaster.lock"));
    m_lock = std::make_unique<DirectoryLock>(lockPath);
    const DirectoryLock::Result locked = m_lock->tryLock();
    if (locked != DirectoryLock::Result::Locked) {
        m_heldByAnother = locked == DirectoryLock::Result::HeldByAnother;
        *error = lockFailure(m_heldByAnother, lockPath);
        m_lock.reset();
        return false;
    }
    // Tasks, their args and results are the owner's business: the lock (owner-only already),
    // the database and the log and index SQLite makes next to it with the database's own mode.
    // Files an older master left readable are tightened.
    if (!PrivateFiles::createOwnerOnly(databasePath(), error)
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
    connect(m_writer, &SqliteStoreWriter::failed, this, &SqliteTaskStore::onWriteFailed);
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

QString SqliteTaskStore::lockFailure(bool heldByAnother, const QString &lockPath) const
{
    if (heldByAnother) {
        return QStringLiteral("the data directory \"%1\" is in use by another master (process %2 on %3); give "
                              "another --data-dir or stop that master")
                .arg(m_directory)
                .arg(m_lock->holderPid())
                .arg(m_lock->holderHost().isEmpty() ? QStringLiteral("an unknown host") : m_lock->holderHost());
    }
    // The OS's reason for the directory itself reads better than the file's.
    QString why = PrivateFiles::whyNotWritable(m_directory);
    if (why.isEmpty())
        why = m_lock->errorString();
    return QStringLiteral("cannot lock the data directory \"%1\": cannot create or read %2 (%3)")
            .arg(m_directory, lockPath, why.isEmpty() ? QStringLiteral("unknown reason") : why);
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
        *error = damaged(describe(version.lastError()));
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
    // A master that did not stop cleanly (killed, crashed, power lost) may have left a damaged
    // file behind: SQLite's quick check reads every page before anything is trusted. A clean
    // close leaves a mark in the meta table; it is removed below, so a crash after this start
    // is noticed at the next.
    QSqlQuery existing(db);
    if (!existing.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name IN ('tasks', 'meta')"))
        || !existing.next()) {
        *error = damaged(describe(existing.lastError()));
        return false;
    }
    const int tables = existing.value(0).toInt();
    existing.finish();
    bool closedCleanly = false;
    if (tables > 0 && !checkIfUnclean(db, tables == 2, &closedCleanly, error))
        return false;
    // Nothing is written before every row has been read, unless it must be (a new or older
    // database): a damaged file is refused exactly as it was found.
    if (tables < 2
        && (!exec(QStringLiteral("CREATE TABLE IF NOT EXISTS tasks ("
                              "id INTEGER PRIMARY KEY, kind TEXT NOT NULL, args BLOB NOT NULL, priority INTEGER NOT NULL, "
                              "timeout_ms INTEGER NOT NULL, max_attempts INTEGER NOT NULL, state INTEGER NOT NULL, "
                              "attempts INTEGER NOT NULL, worker TEXT NOT NULL, result BLOB NOT NULL, error TEXT NOT NULL, "
                              "created_ms INTEGER NOT NULL, started_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL, "
                              "duplicate_results INTEGER NOT NULL, history TEXT NOT NULL)"),
                  error)
            || !exec(QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)"),
                     error)))
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
    if (found != SchemaVersion && !exec(QStringLiteral("PRAGMA user_version = %1").arg(SchemaVersion), error))
        return false;

    // Every step is checked: a row SQLite cannot read ends the loop like the last row does, and
    // a master that took that for the end would serve a fraction of its queue as all of it.
    QSqlQuery load(db);
    load.setForwardOnly(true);
    if (!load.exec(QStringLiteral("SELECT %1 FROM tasks ORDER BY id").arg(QLatin1String(SqliteTaskColumns)))) {
        *error = damaged(describe(load.lastError()));
        return false;
    }
    while (load.next())
        m_memory.restore(SqliteTaskRow::read(load));
    if (load.lastError().isValid()) {
        *error = damaged(QStringLiteral("%1 after %2 readable tasks").arg(describe(load.lastError())).arg(m_memory.size()));
        return false;
    }
    load.finish();
    QSqlQuery next(db);
    if (!next.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'next_id'"))) {
        *error = damaged(describe(next.lastError()));
        return false;
    }
    if (next.next())
        m_memory.raiseNextId(next.value(0).toULongLong());
    else if (next.lastError().isValid()) {
        *error = damaged(describe(next.lastError()));
        return false;
    }
    next.finish();
    return !closedCleanly
            || exec(QStringLiteral("DELETE FROM meta WHERE key = '%1'").arg(QLatin1String(SqliteCleanCloseKey)), error);
}

bool SqliteTaskStore::checkIfUnclean(const QSqlDatabase &db, bool hasMeta, bool *closedCleanly, QString *error)
{
    if (hasMeta) {
        QSqlQuery clean(db);
        if (!clean.exec(QStringLiteral("SELECT count(*) FROM meta WHERE key = '%1'").arg(QLatin1String(SqliteCleanCloseKey)))
            || !clean.next()) {
            *error = damaged(describe(clean.lastError()));
            return false;
        }
        *closedCleanly = clean.value(0).toInt() > 0;
        if (*closedCleanly)
            return true;
    }
    qCInfo(lcMaster).noquote() << "the last master on" << databasePath() << "did not stop cleanly; checking the file";
    QSqlQuery check(db);
    QStringList problems;
    if (!check.exec(QStringLiteral("PRAGMA quick_check(5)"))) {
        *error = damaged(describe(check.lastError()));
        return false;
    }
    while (check.next())
        problems.append(check.value(0).toString());
    if (check.lastError().isValid())
        problems.append(describe(check.lastError()));
    if (problems == QStringList{QStringLiteral("ok")})
        return true;
    *error = damaged(QStringLiteral("the last master did not stop cleanly and SQLite's quick_check found: ")
                     + problems.join(QStringLiteral("; ")));
    return false;
}

QString SqliteTaskStore::damaged(const QString &what)
{
    m_damaged = true;
    return QStringLiteral("refusing to use the damaged task database %1 (%2); it was left as it is. Copy every task "
                          "that can still be read into a new data directory with 'taskmaster salvage --data-dir %3 "
                          "--to NEWDIR', then start with --data-dir NEWDIR")
            .arg(databasePath(), what, m_directory);
}

Task *SqliteTaskStore::insert(Task task)
{
    const quint64 id = task.id;
    Task *stored = m_memory.insert(std::move(task));
    changed(id);
    return stored;
}

void SqliteTaskStore::restore(Task task)
{
    const quint64 id = task.id;
    m_memory.restore(std::move(task));
    changed(id);
}

void SqliteTaskStore::raiseNextId(quint64 nextId)
{
    m_memory.raiseNextId(nextId);
    scheduleCommit();
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
    if (!m_failure.isEmpty() && m_writer) {
        // The batches waiting for a retry may hold the task: they are told once, for all.
        if (m_forget.isEmpty()) {
            QTimer::singleShot(0, this, [this] {
                QMetaObject::invokeMethod(m_writer, [writer = m_writer, ids = std::exchange(m_forget, {})] {
                    writer->forget(ids);
                });
            });
        }
        m_forget.insert(id);
    }
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
    // The first change of a batch starts the clock; a batch that grows large goes at once. With
    // no delay this is group commit: a batch starts on the next event loop turn when nothing is
    // being written, and otherwise gathers until the commit in flight is done (onWritten). So a
    // lone change waits for one commit and not for a timer as well, while under load the time of
    // each commit is what gathers the next batch (5 ms of delay made one task's submit-to-result
    // latency 20 ms instead of 6 on the same disk, for the same throughput).
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

void SqliteTaskStore::watchFailure(QObject *context, std::function<void()> changed)
{
    m_failureWatcher = {context, std::move(changed)};
}

void SqliteTaskStore::notifyFailure()
{
    if (m_failureWatcher.context)
        m_failureWatcher.done();
}

void SqliteTaskStore::onWriteFailed(const QString &error)
{
    m_failure = error;
    Q_EMIT commitFailed(error);
    notifyFailure();
}

void SqliteTaskStore::onWritten(quint64 sequence)
{
    if (!m_failure.isEmpty() && !m_writing.empty() && m_writing.front().sequence <= sequence) {
        qCInfo(lcMaster).noquote() << "writing" << databasePath() << "again after:" << m_failure;
        m_failure.clear();
        notifyFailure(); // before the waiters, which may submit again
    }
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
    else
        m_failure = error; // now, for a caller about to stop; the writer's failed() follows
    return ok;
}

QList<quint64> SqliteTaskStore::finishedToPurge(qint64 keepFinished, qint64 finishedBeforeMs, int limit) const
{
    // The records in memory are the latest (the database may be a few milliseconds behind).
    return m_memory.finishedToPurge(keepFinished, finishedBeforeMs, limit);
}
