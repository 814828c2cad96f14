#pragma once

// A small file system that can be filled, for tests of a full disk: a tmpfs mounted over a
// temporary directory (Linux, as root or with CAP_SYS_ADMIN, as in CI), unmounted when the
// object goes. Elsewhere, or when mount is refused, skipReason() says why the test cannot run.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

class FullDisk final
{
public:
    explicit FullDisk(const QString &size = QStringLiteral("2m"))
    {
#ifdef Q_OS_LINUX
        if (!m_dir.isValid()) {
            m_skip = QStringLiteral("no temporary directory");
            return;
        }
        QProcess mount;
        mount.start(QStringLiteral("mount"), {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                                              QStringLiteral("size=") + size, QStringLiteral("tmpfs"), m_dir.path()});
        if (!mount.waitForFinished(30'000) || mount.exitStatus() != QProcess::NormalExit || mount.exitCode() != 0) {
            m_skip = QStringLiteral("cannot mount a tmpfs to fill (needs root or CAP_SYS_ADMIN): %1")
                             .arg(QString::fromLocal8Bit(mount.readAllStandardError()).trimmed());
            return;
        }
        m_mounted = true;
#else
        Q_UNUSED(size);
        m_skip = QStringLiteral("a full disk is simulated with a Linux tmpfs mount");
#endif
    }

    ~FullDisk()
    {
        if (m_mounted) // lazily: a process of a failed test may still hold a file open
            QProcess::execute(QStringLiteral("umount"), {QStringLiteral("-l"), m_dir.path()});
    }

    FullDisk(const FullDisk &) = delete;
    FullDisk &operator=(const FullDisk &) = delete;

    QString skipReason() const { return m_skip; }
    QString path(const QString &name) const { return QDir(m_dir.path()).filePath(name); }

    // Writes a filler file until the file system refuses more. True once it is full.
    bool fill()
    {
        QFile filler(path(QStringLiteral("filler")));
        if (!filler.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered))
            return false;
        const QByteArray chunk(4096, 'f');
        for (int i = 0; i < 100'000; ++i) {
            if (filler.write(chunk) != chunk.size())
                return true;
        }
        return false;
    }
    // Makes room again.
    bool free() { return QFile::remove(path(QStringLiteral("filler"))); }

private:
    QTemporaryDir m_dir;
    QString m_skip;
    bool m_mounted = false;
};
