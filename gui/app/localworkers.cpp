#include "localworkers.h"

#include "auth/authkey.h"
#include "util/logging.h"
#include "util/printable.h"
#include "util/workerprogram.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTimer>

#include <algorithm>

namespace {
constexpr int GraceMs = 3000;
}

LocalWorkers::LocalWorkers(QObject *parent)
    : QObject(parent)
{
}

LocalWorkers::~LocalWorkers()
{
    // Quitting: the workers must not outlive the app. Ask each to drain, then wait a little.
    for (QProcess *process : m_processes) {
        process->disconnect(this);
#ifdef Q_OS_WIN
        process->kill(); // terminate() is a WM_CLOSE a console program never sees
#else
        process->terminate();
#endif
    }
    for (QProcess *process : m_processes) {
        if (!process->waitForFinished(GraceMs)) {
            process->kill();
            process->waitForFinished(1000);
        }
        delete process;
    }
}

QString LocalWorkers::program()
{
    return WorkerProgram::path();
}

bool LocalWorkers::start(int count, const QString &host, quint16 port, const QByteArray &key, QString *error)
{
    const QString path = program();
    if (!QFileInfo(path).isExecutable()) {
        *error = tr("Cannot find the worker program %1; it must be installed next to taskmaster.").arg(path);
        return false;
    }
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QLatin1String(AuthKey::EnvironmentVariable), QString::fromUtf8(key));
    for (int i = 0; i < count; ++i) {
        auto *process = new QProcess;
        process->setProcessEnvironment(environment);
        process->setProcessChannelMode(QProcess::MergedChannels);
        const QString name = QStringLiteral("local-%1").arg(++m_started);
        process->setProgram(path);
        process->setArguments({QStringLiteral("--host"), host, QStringLiteral("--port"), QString::number(port),
                               QStringLiteral("--name"), name, QStringLiteral("--slots"), QStringLiteral("2"),
                               // If this app dies without stopping them, they leave with it.
                               QStringLiteral("--once")});
        connect(process, &QProcess::readyRead, this, [process, name] {
            const QList<QByteArray> lines = process->readAll().split('\n');
            for (const QByteArray &line : lines) {
                if (!line.trimmed().isEmpty())
                    qCInfo(lcWorker).noquote() << name + QStringLiteral(": ") + printable(QString::fromUtf8(line));
            }
        });
        connect(process, &QProcess::finished, this, [this, process](int exitCode) {
            const qint64 pid = process->property("pid").toLongLong();
            m_processes.erase(std::remove(m_processes.begin(), m_processes.end(), process), m_processes.end());
            process->deleteLater();
            Q_EMIT workerExited(pid, exitCode);
            Q_EMIT countChanged(int(m_processes.size()));
        });
        connect(process, &QProcess::errorOccurred, this, [process](QProcess::ProcessError e) {
            if (e == QProcess::FailedToStart)
                qCWarning(lcWorker).noquote() << "cannot start" << process->program() << process->errorString();
        });
        process->start();
        if (!process->waitForStarted(5000)) {
            *error = tr("Cannot start %1: %2").arg(path, process->errorString());
            delete process;
            Q_EMIT countChanged(this->count());
            return false;
        }
        process->setProperty("pid", process->processId());
        m_processes.push_back(process);
    }
    Q_EMIT countChanged(this->count());
    return true;
}

bool LocalWorkers::owns(qint64 pid) const
{
    return std::any_of(m_processes.begin(), m_processes.end(),
                       [pid](const QProcess *p) { return p->processId() == pid; });
}

void LocalWorkers::terminate(QProcess *process)
{
    if (!m_drain || !m_drain(process->processId())) {
#ifdef Q_OS_WIN
        process->kill();
        return;
#else
        process->terminate();
#endif
    }
    QTimer::singleShot(GraceMs, process, [process] { process->kill(); });
}

bool LocalWorkers::stop(qint64 pid)
{
    for (QProcess *process : m_processes) {
        if (process->processId() == pid) {
            terminate(process);
            return true;
        }
    }
    return false;
}

void LocalWorkers::stopAll()
{
    for (QProcess *process : m_processes)
        terminate(process);
}
