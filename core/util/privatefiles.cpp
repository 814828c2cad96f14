#include "privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

namespace PrivateFiles {

namespace {

#ifdef Q_OS_UNIX
constexpr QFileDevice::Permissions OwnerOnlyFile = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions OwnerOnlyDirectory = OwnerOnlyFile | QFileDevice::ExeOwner;
#endif

// Why directory could not be created: the nearest existing ancestor is a file, or cannot be
// written.
QString whyNotCreated(const QString &absolute)
{
    QString existing = absolute;
    while (!QFileInfo::exists(existing) && !QDir(existing).isRoot())
        existing = QFileInfo(existing).absolutePath();
    if (!QFileInfo(existing).isDir())
        return QStringLiteral("\"%1\" is a file, not a directory").arg(existing);
    const QString why = whyNotWritable(existing);
    return why.isEmpty() ? QStringLiteral("unknown reason") : QStringLiteral("\"%1\": %2").arg(existing, why);
}

} // namespace

bool makeDirectory(const QString &directory, QString *error)
{
    const QFileInfo info(directory);
    if (info.isDir())
        return true;
    const QString absolute = info.absoluteFilePath();
    if (info.exists()) {
        *error = QStringLiteral("a file of that name is in the way");
        return false;
    }
    bool made = QDir().mkpath(QFileInfo(absolute).absolutePath());
#ifdef Q_OS_UNIX
    // Created owner-only, then set exactly: the umask could only have removed bits.
    made = made && QDir().mkdir(absolute, OwnerOnlyDirectory) && QFile::setPermissions(absolute, OwnerOnlyDirectory);
#else
    made = made && QDir().mkdir(absolute);
#endif
    if (!made && !QFileInfo(absolute).isDir()) {
        *error = whyNotCreated(absolute);
        return false;
    }
    return true;
}

bool createOwnerOnly(const QString &file, QString *error)
{
#ifdef Q_OS_UNIX
    if (!QFileInfo::exists(file)) {
        QFile created(file);
        // NewOnly: never truncate a file that appeared meanwhile.
        if (!created.open(QIODevice::WriteOnly | QIODevice::NewOnly, OwnerOnlyFile) && !QFileInfo::exists(file)) {
            *error = QStringLiteral("cannot create %1: %2").arg(file, created.errorString());
            return false;
        }
    }
    return restrictToOwner(file, error);
#else
    Q_UNUSED(file);
    Q_UNUSED(error);
    return true;
#endif
}

bool restrictToOwner(const QString &file, QString *error)
{
#ifdef Q_OS_UNIX
    if (!QFileInfo::exists(file))
        return true;
    QFile target(file);
    if (target.permissions() == OwnerOnlyFile || target.setPermissions(OwnerOnlyFile))
        return true;
    *error = QStringLiteral("cannot make %1 readable by its owner only: %2").arg(file, target.errorString());
    return false;
#else
    Q_UNUSED(file);
    Q_UNUSED(error);
    return true;
#endif
}

QString whyNotWritable(const QString &directory)
{
    QTemporaryFile probe(QDir(directory).filePath(QStringLiteral(".taskmaster-probe-XXXXXX")));
    if (probe.open())
        return {};
    return probe.errorString();
}

} // namespace PrivateFiles
