#pragma once

// The master's durable store: every task with its attempt history in an SQLite database (WAL
// mode) in a data directory, with the records themselves kept in memory for the scheduler.
// Changes are written through with group commit: everything changed within a few milliseconds
// goes into one transaction, so a busy queue pays for one sync, not one per task. The records
// are copied on the event loop's thread and written on a thread of their own, one batch at a
// time; changes made meanwhile gather (and coalesce) for the next batch.

#include "memorytaskstore.h"

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QThread>

#include <deque>
#include <memory>

struct SqliteStoreBatch;
class DirectoryLock;
class SqliteStoreWriter;

class QSqlDatabase;
class QTimer;

class SqliteTaskStore final : public QObject, public TaskStore
{
    Q_OBJECT

public:
    struct Settings {
        int commitDelayMs = 0; // how long changes gather before a commit starts; 0: group commit, see scheduleCommit()
        int maxBatch = 4096; // a batch this large is committed on the next event loop turn
        // At most this many changes per transaction: a larger backlog goes in several, so that
        // each copy taken on the event loop's thread stays short.
        int maxWrite = 20'000;
        int retryDelayMs = 1000; // after a failed commit (disk full, I/O error)
        int busyTimeoutMs = 5000; // how long a write waits for a lock held by another process
    };

    explicit SqliteTaskStore(const QString &directory, QObject *parent = nullptr);
    SqliteTaskStore(const QString &directory, const Settings &settings, QObject *parent = nullptr);
    // Commits what is still pending.
    ~SqliteTaskStore() override;

    // Opens (creating if needed) the database and loads every task. False with a message when
    // the directory cannot be used or another master holds it.
    bool open(QString *error);
    QString databasePath() const;
    // After a failed open(): the database itself is damaged (not merely in use or unwritable).
    bool isDamaged() const { return m_damaged; }
    // After a failed open(): another master (another window, or a serve) holds the directory.
    bool isHeldByAnother() const { return m_heldByAnother; }

    quint64 nextId() const override { return m_memory.nextId(); }
    quint64 firstId() const override { return m_memory.firstId(); }
    Task *insert(Task task) override;
    Task *find(quint64 id) override { return m_memory.find(id); }
    const Task *find(quint64 id) const override { return m_memory.find(id); }
    void updated(const Task &task) override;
    bool remove(quint64 id) override;
    qsizetype size() const override { return m_memory.size(); }
    void forEach(const std::function<void(const Task &)> &visit) const override { m_memory.forEach(visit); }
    void whenDurable(QObject *context, std::function<void()> done) override;
    QList<quint64> finishedToPurge(qint64 keepFinished, qint64 finishedBeforeMs, int limit) const override;
    bool keepsTasks() const override { return true; }
    // "cannot write FILE: why" since the last write failed, until one succeeds.
    QString failure() const override { return m_failure; }
    qsizetype unwrittenChanges() const override { return pendingChanges(); }
    void watchFailure(QObject *context, std::function<void()> changed) override;

    // For salvage: a record put back with the id it had (ids increasing, as when loading), and
    // the next id to hand out; written with the next commit.
    void restore(Task task);
    void raiseNextId(quint64 nextId);

    // Writes every pending change now and waits for it; false (and the changes stay pending,
    // to be tried again, and failure() says why) on failure.
    bool commit();
    // Changes not yet on disk.
    qsizetype pendingChanges() const;
    quint64 commits() const { return m_commits; }

Q_SIGNALS:
    void committed(qsizetype changes);
    void commitFailed(const QString &error);

private:
    struct Waiter {
        QPointer<QObject> context;
        std::function<void()> done;
    };

    // A batch being written, and the whenDurable callbacks that wait for it.
    struct Writing {
        quint64 sequence;
        qsizetype changes;
        QList<Waiter> waiters;
    };

    void changed(quint64 id);
    void scheduleCommit();
    bool hasUnwritten() const;
    std::shared_ptr<SqliteStoreBatch> takeBatch(qsizetype limit);
    void startWrite();
    void onWritten(quint64 sequence);
    void onWriteFailed(const QString &error);
    void notifyFailure();
    bool load(QString *error);
    // After an unclean stop (no clean-close mark), SQLite's quick_check must pass.
    bool checkIfUnclean(const QSqlDatabase &db, bool hasMeta, bool *closedCleanly, QString *error);
    // The refusal message for a damaged database, naming the file and the salvage command.
    QString damaged(const QString &what);
    // Why the lock could not be taken: another master, or the directory cannot be written.
    QString lockFailure(bool heldByAnother, const QString &lockPath) const;
    void stopWriter();
    bool exec(const QString &sql, QString *error);

    QString m_directory;
    Settings m_settings;
    QString m_connectionName;
    std::unique_ptr<DirectoryLock> m_lock;
    MemoryTaskStore m_memory;
    QSet<quint64> m_dirty; // changed since the last batch was taken
    QSet<quint64> m_removed;
    quint64 m_takenNextId = 0; // nextId() as of the last batch
    QList<Waiter> m_waiters; // for the batch that takes the last change made before them
    std::deque<Writing> m_writing;
    quint64 m_sequence = 0;
    QThread m_thread;
    SqliteStoreWriter *m_writer = nullptr; // lives in m_thread
    QTimer *m_timer;
    quint64 m_commits = 0;
    QString m_failure;
    Waiter m_failureWatcher;
    QSet<quint64> m_forget; // removed while writes fail, for the writer to drop from its queue
    bool m_open = false;
    bool m_damaged = false;
    bool m_heldByAnother = false;
};
