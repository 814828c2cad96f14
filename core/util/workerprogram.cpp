#include "workerprogram.h"

#include <QCoreApplication>
#include <QDir>

namespace WorkerProgram {

QString path()
{
    QString name = QStringLiteral("taskworker");
#ifdef Q_OS_WIN
    name += QStringLiteral(".exe");
#endif
    return QDir(QCoreApplication::applicationDirPath()).filePath(name);
}

} // namespace WorkerProgram
