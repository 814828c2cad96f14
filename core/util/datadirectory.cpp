#include "datadirectory.h"

#include "directorylock.h"
#include "privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

namespace {

const QString Name = QStringLiteral("taskmaster");
const QString Database = QStringLiteral("tasks.sqlite");
const QString KeyFile = QStringLiteral("authkey");
const QString LockFile = QStringLiteral("taskmaster.lock");

// Moves the named files from one directory to another, all or none as far as renaming allows.
bool moveFiles(const QDir &from, const QDir &to, const QStringList &names, QString *error)
{
    QStringList moved;
    for (const QString &name : names) {
        if (!QFileInfo::exists(from.filePath(name)))
            continue;
        if (!QFile::rename(from.filePath(name), to.filePath(name))) {
            *error = QStringLiteral("cannot move %1 to %2").arg(from.filePath(name), to.path());
            for (const QString &back : std::as_const(moved)) // put the store back together
                QFile::rename(to.filePath(back), from.filePath(back));
            return false;
        }
        moved.append(name);
    }
    return true;
}

} // namespace

namespace DataDirectory {

QString defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)).filePath(Name);
}

QStringList legacyPaths()
{
    // The app set organization and application name "taskmaster"; serve only the latter.
    QStringList paths;
#ifdef Q_OS_WIN
    // There AppDataLocation is the roaming profile (%APPDATA%), not GenericDataLocation.
    const QString roaming = qEnvironmentVariable("APPDATA");
    if (!roaming.isEmpty()) {
        paths.append(QDir(QDir::fromNativeSeparators(roaming)).filePath(Name + QLatin1Char('/') + Name));
        paths.append(QDir(QDir::fromNativeSeparators(roaming)).filePath(Name));
    }
#else
    // Linux, macOS and other Unix: AppDataLocation lies under GenericDataLocation, where
    // serve's old default already is the new one.
    paths.append(QDir(defaultPath()).filePath(Name));
#endif
    return paths;
}

QStringList moveLegacyFiles()
{
    QStringList log;
    const QString target = defaultPath();
    for (const QString &legacy : legacyPaths()) {
        const QDir from(legacy);
        const bool hasStore = QFileInfo::exists(from.filePath(Database));
        const bool hasKey = QFileInfo::exists(from.filePath(KeyFile));
        if (!hasStore && !hasKey)
            continue;
        const QDir to(target);
        const bool storeWanted = hasStore && !QFileInfo::exists(to.filePath(Database));
        const bool keyWanted = hasKey && !QFileInfo::exists(to.filePath(KeyFile));
        if (!storeWanted && !keyWanted) {
            log.append(QStringLiteral("%1 holds files of an older version; %2 has its own, so they are left where "
                                      "they are")
                               .arg(legacy, target));
            continue;
        }
        QString why;
        if (!PrivateFiles::makeDirectory(target, &why)) {
            log.append(QStringLiteral("cannot create %1 to move %2 into it: %3").arg(target, legacy, why));
            return log;
        }
        // Neither directory may be in use while its files move: an older master may still run.
        DirectoryLock fromLock(from.filePath(LockFile));
        DirectoryLock toLock(to.filePath(LockFile));
        if (fromLock.tryLock() != DirectoryLock::Result::Locked || toLock.tryLock() != DirectoryLock::Result::Locked) {
            log.append(QStringLiteral("%1 or %2 is in use; the files of %1 were not moved").arg(legacy, target));
            return log;
        }
        if (storeWanted) {
            if (moveFiles(from, to,
                          {Database, Database + QStringLiteral("-wal"), Database + QStringLiteral("-shm")}, &why))
                log.append(QStringLiteral("moved the task store from %1 (an older default) to %2").arg(legacy, target));
            else
                log.append(why);
        }
        if (keyWanted) {
            if (moveFiles(from, to, {KeyFile}, &why))
                log.append(QStringLiteral("moved the key file from %1 (an older default) to %2").arg(legacy, target));
            else
                log.append(why);
        }
        return log; // the first legacy directory with files to move wins; any other is left alone
    }
    return log;
}

} // namespace DataDirectory
