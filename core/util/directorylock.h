#pragma once

// One holder per directory, by a lock the operating system drops when its holder dies: on POSIX
// flock() on a file kept open (close-on-exec, so children never inherit it), on Windows the
// file opened with no write sharing. A PID recorded in the file says nothing about who holds
// it (a master restarted as PID 1 in a container finds "its own" PID), so the PID and host
// written there only name the holder in the refusal message. The file itself is left in place
// on release: removing it would let a second opener lock an unlinked file while a third creates
// a new one.

#include <QString>

class DirectoryLock final
{
public:
    enum class Result { Locked, HeldByAnother, Failed };

    explicit DirectoryLock(const QString &lockPath);
    ~DirectoryLock();
    DirectoryLock(const DirectoryLock &) = delete;
    DirectoryLock &operator=(const DirectoryLock &) = delete;

    // Never waits. On HeldByAnother, holderPid()/holderHost() say what the holder wrote; on
    // Failed, errorString() says why in the OS's words.
    Result tryLock();
    void unlock();
    bool isLocked() const;

    qint64 holderPid() const { return m_holderPid; }
    QString holderHost() const { return m_holderHost; }
    QString errorString() const { return m_error; }

private:
    void readHolder();

    QString m_path;
#ifdef Q_OS_WIN
    void *m_handle = nullptr; // HANDLE; INVALID_HANDLE_VALUE is kept as nullptr
#else
    int m_fd = -1;
#endif
    qint64 m_holderPid = 0;
    QString m_holderHost;
    QString m_error;
};
