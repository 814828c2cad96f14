#pragma once

// Writes the durable store's changes to its SQLite database on a thread of its own, so that a
// transaction and its sync never hold up the event loop the master (and the desktop window)
// runs on. Batches are written in the order they come, one transaction each; a batch that
// fails (disk full, I/O error) is tried again after a delay and the ones behind it wait.
// Lives in its own thread: every member but the constructor runs there.

#include "task.h"

#include <QObject>
#include <QSet>

#include <deque>
#include <vector>

class QTimer;

// The meta row a clean close writes and the next open removes: without it, the last master
// was killed or crashed, and the database is checked before it is used.
inline constexpr char SqliteCleanCloseKey[] = "clean_close";

struct SqliteStoreBatch {
    quint64 sequence = 0;
    std::vector<Task> upserts; // copies of the records as they were when the batch was taken
    std::vector<quint64> removals;
    quint64 nextId = 0;

    qsizetype changes() const { return qsizetype(upserts.size() + removals.size()); }
};

class SqliteStoreWriter final : public QObject
{
    Q_OBJECT

public:
    SqliteStoreWriter(const QString &databasePath, const QString &connectionName, int retryDelayMs, int busyTimeoutMs);
    ~SqliteStoreWriter() override;

    bool open(QString *error);
    // Written as soon as the batches before it are (or, after a failure, when the retry
    // timer says).
    void enqueue(SqliteStoreBatch batch);
    // Queued only, for writeAll().
    void add(SqliteStoreBatch batch) { m_queue.push_back(std::move(batch)); }
    // Writes everything queued now, without waiting for a retry delay. False if a batch
    // failed; it stays queued and is tried again later.
    bool writeAll(QString *error);
    // Records a clean close, once everything is written; false (logged) when it cannot.
    bool markClean();
    // These tasks were removed: the batches still queued (waiting for a retry) no longer write
    // them, so a crash between such a batch and the one that deletes them cannot bring back a
    // task the master withdrew.
    void forget(const QSet<quint64> &ids);

Q_SIGNALS:
    // Every batch up to this sequence is on disk.
    void written(quint64 sequence);
    // A batch could not be written ("cannot write FILE: why"); it is tried again later.
    void failed(const QString &error);

private:
    bool write(const SqliteStoreBatch &batch, QString *error);

    QString m_databasePath;
    QString m_connectionName;
    int m_retryDelayMs;
    int m_busyTimeoutMs;
    std::deque<SqliteStoreBatch> m_queue;
    QTimer *m_retry = nullptr;
    bool m_open = false;
};
