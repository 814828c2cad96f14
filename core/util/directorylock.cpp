#include "directorylock.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSysInfo>

#ifdef Q_OS_WIN
#  ifndef NOMINMAX
#    define NOMINMAX
#  endif
#  include <windows.h>
#else
#  include <cerrno>
#  include <cstring>
#  include <fcntl.h>
#  include <sys/file.h>
#  include <sys/stat.h>
#  include <unistd.h>
#endif

namespace {

// The layout QLockFile writes (pid, application, host), so masters from before this lock and
// after it name each other correctly.
QByteArray holderRecord()
{
    return QByteArray::number(QCoreApplication::applicationPid()) + '\n' + QCoreApplication::applicationName().toUtf8()
            + '\n' + QSysInfo::machineHostName().toUtf8() + '\n';
}

#ifndef Q_OS_WIN
QString osError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

// Locks the whole file, without waiting. flock() where there is one: its lock belongs to the
// open file, so a second store in the same process is refused too (an fcntl() lock would be
// shared by the whole process, and dropped when any descriptor of the file closes).
bool lockWhole(int fd)
{
#  if defined(LOCK_EX) && defined(LOCK_NB)
    return ::flock(fd, LOCK_EX | LOCK_NB) == 0;
#  else
    struct flock whole {};
    whole.l_type = F_WRLCK;
    whole.l_whence = SEEK_SET;
    return ::fcntl(fd, F_SETLK, &whole) == 0;
#  endif
}

bool heldElsewhere(int error)
{
    return error == EWOULDBLOCK || error == EAGAIN || error == EACCES;
}
#endif

} // namespace

DirectoryLock::DirectoryLock(const QString &lockPath)
    : m_path(lockPath)
{
}

DirectoryLock::~DirectoryLock()
{
    unlock();
}

#ifdef Q_OS_WIN

bool DirectoryLock::isLocked() const
{
    return m_handle != nullptr;
}

DirectoryLock::Result DirectoryLock::tryLock()
{
    if (isLocked())
        return Result::Locked;
    const QString native = QDir::toNativeSeparators(m_path);
    // Readers may open it (to show the holder); nobody else may write it while we hold it. The
    // handle is not inheritable (no SECURITY_ATTRIBUTES), and Windows closes it when the
    // process ends, however it ends.
    HANDLE handle = ::CreateFileW(reinterpret_cast<LPCWSTR>(native.utf16()), GENERIC_READ | GENERIC_WRITE,
                                  FILE_SHARE_READ, nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (handle == INVALID_HANDLE_VALUE) {
        const DWORD error = ::GetLastError();
        if (error == ERROR_SHARING_VIOLATION || error == ERROR_LOCK_VIOLATION) {
            readHolder();
            return Result::HeldByAnother;
        }
        m_error = qt_error_string(int(error));
        return Result::Failed;
    }
    const QByteArray record = holderRecord();
    DWORD written = 0;
    LARGE_INTEGER start{};
    if (!::SetFilePointerEx(handle, start, nullptr, FILE_BEGIN)
        || !::WriteFile(handle, record.constData(), DWORD(record.size()), &written, nullptr)
        || !::SetEndOfFile(handle)) {
        m_error = qt_error_string(int(::GetLastError()));
        ::CloseHandle(handle);
        return Result::Failed;
    }
    m_handle = handle;
    return Result::Locked;
}

void DirectoryLock::unlock()
{
    if (m_handle) {
        ::CloseHandle(m_handle);
        m_handle = nullptr;
    }
}

#else

bool DirectoryLock::isLocked() const
{
    return m_fd >= 0;
}

DirectoryLock::Result DirectoryLock::tryLock()
{
    if (isLocked())
        return Result::Locked;
    // Close-on-exec from the start: a task's child process must never keep the lock alive.
    const int fd = ::open(QFile::encodeName(m_path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        m_error = osError(errno);
        return Result::Failed;
    }
    if (!lockWhole(fd)) {
        const int error = errno;
        ::close(fd);
        if (heldElsewhere(error)) {
            readHolder();
            return Result::HeldByAnother;
        }
        m_error = osError(error);
        return Result::Failed;
    }
    // Owner-only whatever the umask, or the mode an older master left.
    const QByteArray record = holderRecord();
    if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0 || ::ftruncate(fd, 0) != 0
        || ::pwrite(fd, record.constData(), size_t(record.size()), 0) != ssize_t(record.size())) {
        m_error = osError(errno);
        ::close(fd);
        return Result::Failed;
    }
    m_fd = fd;
    return Result::Locked;
}

void DirectoryLock::unlock()
{
    if (m_fd >= 0) {
        ::close(m_fd); // drops the lock
        m_fd = -1;
    }
}

#endif

void DirectoryLock::readHolder()
{
    // A separate descriptor, opened only when we do not hold the lock: the holder's record.
    QFile file(m_path);
    m_holderPid = 0;
    m_holderHost.clear();
    if (!file.open(QIODevice::ReadOnly))
        return;
    const QList<QByteArray> lines = file.read(4096).split('\n');
    m_holderPid = lines.value(0).trimmed().toLongLong();
    m_holderHost = QString::fromUtf8(lines.value(2).trimmed());
}
