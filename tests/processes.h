#pragma once

// The real binaries as child processes for end-to-end tests: a master whose readiness line
// gives its port, workers, and submit/status runs. Output is collected as it arrives, and
// waits end on what the process prints, never on a fixed sleep.

#include <QJsonObject>
#include <QProcess>
#include <QStringList>

#include <memory>

class TestProcess final
{
public:
    // environment: the child's, to which the key is added (the test's own by default).
    TestProcess(const QString &program, const QStringList &args, const QByteArray &key,
                const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
    ~TestProcess();

    QProcess &process() { return *m_process; }
    QByteArray stdoutText() const { return m_stdout; }
    QByteArray stderrText() const { return m_stderr; }
    QList<QByteArray> stdoutLines() const;

    bool waitForStdoutLines(int count, int timeoutMs = 20'000);
    bool waitForStderr(const QByteArray &needle, int timeoutMs = 20'000);
    bool waitForExit(int timeoutMs = 30'000);
    int exitCode() const { return m_process->exitCode(); }
    void feedStdin(const QByteArray &data);
    void kill();
    void terminate();

private:
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    QByteArray m_stderr;
};

// `taskmaster serve --port 0`, waited for until it prints its readiness line. In memory
// (--ephemeral) unless extraArgs give a --data-dir. program: taskmaster or taskmaster-server.
class TestMaster final
{
public:
    explicit TestMaster(const QByteArray &key, const QStringList &extraArgs = {}, quint16 port = 0,
                        const QString &program = QStringLiteral(TASKMASTER_BIN));
    bool isReady() const { return m_port != 0; }
    quint16 port() const { return m_port; }
    TestProcess &process() { return *m_process; }

private:
    std::unique_ptr<TestProcess> m_process;
    quint16 m_port = 0;
};

QStringList connectionArgs(quint16 port);
std::unique_ptr<TestProcess> startWorker(quint16 port, const QByteArray &key, const QString &name,
                                         const QStringList &extraArgs = {});
// `taskmaster status --json`, parsed; empty when the master cannot be reached.
QJsonObject masterStatus(quint16 port, const QByteArray &key);
// A port nobody listens on right now.
quint16 freePort();
// A self-signed certificate for localhost and 127.0.0.1, made by the openssl CLI, as
// directory/name.pem and directory/name.key.
bool makeSelfSignedCertificate(const QString &directory, const QString &name);
