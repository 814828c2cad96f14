#include "processes.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>

TestProcess::TestProcess(const QString &program, const QStringList &args, const QByteArray &key,
                         const QProcessEnvironment &base)
    : m_process(std::make_unique<QProcess>())
{
    QProcessEnvironment environment = base;
    environment.insert(QStringLiteral("TASKMASTER_AUTHKEY"), QString::fromUtf8(key));
    m_process->setProcessEnvironment(environment);
    QObject::connect(m_process.get(), &QProcess::readyReadStandardOutput, m_process.get(),
                     [this] { m_stdout += m_process->readAllStandardOutput(); });
    QObject::connect(m_process.get(), &QProcess::readyReadStandardError, m_process.get(),
                     [this] { m_stderr += m_process->readAllStandardError(); });
    m_process->start(program, args);
}

TestProcess::~TestProcess()
{
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

QList<QByteArray> TestProcess::stdoutLines() const
{
    QList<QByteArray> lines = m_stdout.split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

bool TestProcess::waitForStdoutLines(int count, int timeoutMs)
{
    return QTest::qWaitFor([&] { return m_stdout.count('\n') >= count || m_process->state() == QProcess::NotRunning; },
                           timeoutMs)
            && m_stdout.count('\n') >= count;
}

bool TestProcess::waitForStderr(const QByteArray &needle, int timeoutMs)
{
    return QTest::qWaitFor([&] { return m_stderr.contains(needle); }, timeoutMs);
}

bool TestProcess::waitForExit(int timeoutMs)
{
    const bool exited = QTest::qWaitFor([&] { return m_process->state() == QProcess::NotRunning; }, timeoutMs);
    // Whatever was still in the pipes.
    m_stdout += m_process->readAllStandardOutput();
    m_stderr += m_process->readAllStandardError();
    return exited;
}

void TestProcess::feedStdin(const QByteArray &data)
{
    m_process->write(data);
    m_process->closeWriteChannel();
}

void TestProcess::kill()
{
    m_process->kill();
    m_process->waitForFinished(5000);
}

void TestProcess::terminate()
{
    m_process->terminate();
}

TestMaster::TestMaster(const QByteArray &key, const QStringList &extraArgs, quint16 port, const QString &program)
    : m_process(std::make_unique<TestProcess>(program,
                                              QStringList{QStringLiteral("serve"), QStringLiteral("--port"),
                                                          QString::number(port)}
                                                      + (extraArgs.contains(QStringLiteral("--data-dir"))
                                                                 ? QStringList()
                                                                 : QStringList{QStringLiteral("--ephemeral")})
                                                      + extraArgs,
                                              key))
{
    if (!m_process->waitForStdoutLines(1))
        return;
    static const QRegularExpression ready(QStringLiteral("^listening on 127\\.0\\.0\\.1:(\\d+)$"));
    const auto match = ready.match(QString::fromUtf8(m_process->stdoutLines().first()));
    if (match.hasMatch())
        m_port = quint16(match.captured(1).toUInt());
}

QStringList connectionArgs(quint16 port)
{
    return {QStringLiteral("--host"), QStringLiteral("127.0.0.1"), QStringLiteral("--port"), QString::number(port)};
}

std::unique_ptr<TestProcess> startWorker(quint16 port, const QByteArray &key, const QString &name,
                                         const QStringList &extraArgs)
{
    return std::make_unique<TestProcess>(QStringLiteral(TASKWORKER_BIN),
                                         connectionArgs(port) + QStringList{QStringLiteral("--name"), name} + extraArgs,
                                         key);
}

QJsonObject masterStatus(quint16 port, const QByteArray &key)
{
    TestProcess status(QStringLiteral(TASKMASTER_BIN),
                       QStringList{QStringLiteral("status"), QStringLiteral("--json")} + connectionArgs(port), key);
    if (!status.waitForExit() || status.exitCode() != 0)
        return {};
    return QJsonDocument::fromJson(status.stdoutText()).object();
}

bool makeSelfSignedCertificate(const QString &directory, const QString &name)
{
    const QString base = directory + QLatin1Char('/') + name;
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                   QStringLiteral("-nodes"), QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                   QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1"), QStringLiteral("-keyout"),
                   base + QStringLiteral(".key"), QStringLiteral("-out"), base + QStringLiteral(".pem")});
    if (!openssl.waitForFinished(60'000) || openssl.exitCode() != 0) {
        qWarning() << openssl.readAllStandardError();
        return false;
    }
    return true;
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}
