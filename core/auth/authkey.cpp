#include "authkey.h"

#include "util/logging.h"

#include <QFile>
#include <QFileInfo>
#include <QMutex>
#include <QSet>

namespace {

QString tooLarge(const QString &what, const QString &path)
{
    return QStringLiteral("the %1 file %2 is larger than %3 bytes; is it the right file?")
            .arg(what, path)
            .arg(AuthKey::MaxKeyFileSize);
}

// Checks that path names a small regular file before it is opened: opening a FIFO would wait
// for a writer that may never come, and a device such as /dev/zero never ends.
QString checkKeyFile(const QString &what, const QString &path, const QFileInfo &info)
{
    if (!info.exists())
        return QStringLiteral("cannot read the %1 file %2: it does not exist").arg(what, path);
    if (info.isDir())
        return QStringLiteral("the %1 file %2 is a directory; give the file that holds the key").arg(what, path);
    if (!info.isFile()) {
        return QStringLiteral("the %1 file %2 is not a regular file (a FIFO, device or socket); give the file "
                              "that holds the key")
                .arg(what, path);
    }
    if (info.size() > AuthKey::MaxKeyFileSize)
        return tooLarge(what, path);
    return {};
}

// Once per file and process: the desktop app reads its key file more than once.
void warnIfShared(const QString &what, const QString &path, const QFileInfo &info)
{
#ifdef Q_OS_UNIX
    if (!(info.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther)))
        return;
    static QMutex mutex;
    static QSet<QString> warned;
    {
        const QMutexLocker locker(&mutex);
        if (warned.contains(info.absoluteFilePath()))
            return;
        warned.insert(info.absoluteFilePath());
    }
    qCWarning(lcAuth).noquote() << QStringLiteral("the %1 file %2 can be read by other users; make it "
                                                  "owner-only (chmod 600 %2)")
                                           .arg(what, path);
#else
    // Windows: a key file kept in the user's profile is protected by the profile's ACL; Qt's
    // emulated permission bits would not say who else can read it.
    Q_UNUSED(what);
    Q_UNUSED(path);
    Q_UNUSED(info);
#endif
}

} // namespace

namespace AuthKey {

Resolved readFile(const QString &path, const QString &what)
{
    Resolved r;
    const QFileInfo info(path);
    r.error = checkKeyFile(what, path, info);
    if (!r.error.isEmpty())
        return r;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        r.error = QStringLiteral("cannot read the %1 file %2: %3").arg(what, path, file.errorString());
        return r;
    }
    // At most one byte past the limit: a file that grew since it was checked is refused too.
    QByteArray key = file.read(MaxKeyFileSize + 1);
    if (key.size() > MaxKeyFileSize) {
        r.error = tooLarge(what, path);
        return r;
    }
    warnIfShared(what, path, info);
    while (key.endsWith('\n') || key.endsWith('\r'))
        key.chop(1);
    r.ok = true;
    r.key = key;
    r.source = QStringLiteral("file ") + path;
    return r;
}

QString workerKeyProblem(const QByteArray &authkey, const QByteArray &workerKey)
{
    if (workerKey.isEmpty())
        return QStringLiteral("the worker key is empty; it must be a key of its own");
    if (authkey.isEmpty())
        return QStringLiteral("a worker key needs an authkey for clients too: without one, anyone could submit");
    // Not a secret comparison: both keys belong to this process.
    if (workerKey == authkey)
        return QStringLiteral("the worker key is the same as the authkey, so workers could still submit; "
                              "give workers a key of their own");
    return {};
}

Resolved resolve(const QString &keyFile, const QString &keyOption, bool keyOptionGiven)
{
    Resolved r;
    if (!keyFile.isEmpty() && keyOptionGiven) {
        r.error = QStringLiteral("give the authkey either with --authkey-file or with --authkey, not both");
        return r;
    }
    if (!keyFile.isEmpty())
        return readFile(keyFile, QStringLiteral("authkey"));
    if (keyOptionGiven) {
        r.ok = true;
        r.key = keyOption.toUtf8();
        r.source = QStringLiteral("--authkey");
        return r;
    }
    if (qEnvironmentVariableIsSet(EnvironmentVariable)) {
        r.ok = true;
        r.key = qgetenv(EnvironmentVariable);
        r.source = QStringLiteral("environment");
        return r;
    }
    r.ok = true;
    r.source = QStringLiteral("none");
    return r;
}

} // namespace AuthKey
