// The default data directory over the real binaries, with HOME and the XDG directories in a
// temporary directory so that the real home is never touched: `serve` and the desktop app
// use the same one, the one the README names, and a store at an older default moves there once.

#include "processes.h"
#include "storetesting.h"
#include "task/sqlitetaskstore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

// XDG_DATA_HOME decides the directory on Linux and other Unix only.
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
#  define XDG_ONLY()
#else
#  define XDG_ONLY() QSKIP("XDG_DATA_HOME decides the default directory on Linux and other Unix only")
#endif

namespace {

const QByteArray Key = QByteArrayLiteral("data-directory-key");

class FakeHome
{
public:
    FakeHome()
    {
        m_environment = QProcessEnvironment::systemEnvironment();
        m_environment.insert(QStringLiteral("HOME"), m_dir.path());
        m_environment.insert(QStringLiteral("XDG_DATA_HOME"), dataHome());
        m_environment.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        m_environment.insert(QStringLiteral("XDG_CACHE_HOME"), m_dir.filePath(QStringLiteral("cache")));
        m_environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_dir.path());
        m_environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    }

    bool isValid() const { return m_dir.isValid(); }
    QString dataHome() const { return m_dir.filePath(QStringLiteral("share")); }
    // What the README promises on Linux: ~/.local/share/taskmaster, here under XDG_DATA_HOME.
    QString expected() const { return QDir(dataHome()).filePath(QStringLiteral("taskmaster")); }
    // Where the desktop app kept its files before.
    QString legacy() const { return QDir(expected()).filePath(QStringLiteral("taskmaster")); }
    const QProcessEnvironment &environment() const { return m_environment; }

    std::unique_ptr<TestProcess> serve() const
    {
        return std::make_unique<TestProcess>(
                QStringLiteral(TASKMASTER_BIN), QStringList{QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0")},
                Key, m_environment);
    }

private:
    QTemporaryDir m_dir;
    QProcessEnvironment m_environment;
};

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return QDir().mkpath(QFileInfo(path).absolutePath()) && file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

QByteArray contentsOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString databaseOf(const QString &directory)
{
    return QDir(directory).filePath(QStringLiteral("tasks.sqlite"));
}

bool ready(TestProcess &serve)
{
    return serve.waitForStdoutLines(1) && serve.stdoutLines().first().startsWith("listening on");
}

} // namespace

class tst_DataDirectory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void serveAndTheAppUseTheDirectoryTheReadmeNames();
    void aStoreAtTheOldDefaultMovesOnce();
    void aStoreAtTheNewDefaultIsNeverOverwritten();
};

void tst_DataDirectory::serveAndTheAppUseTheDirectoryTheReadmeNames()
{
    XDG_ONLY();
    FakeHome home;
    QVERIFY(home.isValid());
    {
        const auto serve = home.serve();
        QVERIFY2(ready(*serve), serve->stderrText().constData());
        QVERIFY(QFileInfo::exists(databaseOf(home.expected())));
        serve->terminate();
        QVERIFY(serve->waitForExit());
    }
    for (const char *suffix : {"", "-wal", "-shm"})
        QFile::remove(databaseOf(home.expected()) + QLatin1String(suffix));
    QVERIFY(!QFileInfo::exists(databaseOf(home.expected())));
    // The desktop app (offscreen) on its own port; its store appears in the same directory.
    TestProcess app(QStringLiteral(TASKMASTER_BIN), {QStringLiteral("--port"), QStringLiteral("0")}, Key,
                    home.environment());
    QTRY_VERIFY2_WITH_TIMEOUT(QFileInfo::exists(databaseOf(home.expected())) || app.process().state() == QProcess::NotRunning,
                              app.stderrText().constData(), 20'000);
    QVERIFY2(QFileInfo::exists(databaseOf(home.expected())), app.stderrText().constData());
    QVERIFY(!QFileInfo::exists(databaseOf(home.legacy())));

    // Both name it in --help, too.
    for (const QStringList &help : {QStringList{QStringLiteral("serve"), QStringLiteral("--help")},
                                    QStringList{QStringLiteral("--help-app")}}) {
        TestProcess run(QStringLiteral(TASKMASTER_BIN), help, Key, home.environment());
        QVERIFY(run.waitForExit());
        QString text = QString::fromUtf8(run.stdoutText());
        text.remove(QRegularExpression(QStringLiteral("\\s+"))); // help text wraps long lines
        QVERIFY2(text.contains(QStringLiteral("(default%1).").arg(home.expected())), qPrintable(text));
    }
}

void tst_DataDirectory::aStoreAtTheOldDefaultMovesOnce()
{
    XDG_ONLY();
    FakeHome home;
    QVERIFY(home.isValid());
    QCOMPARE(makeStore(home.legacy(), 5), QString());
    QVERIFY(writeFile(QDir(home.legacy()).filePath(QStringLiteral("authkey")), "an old key\n"));

    {
        const auto serve = home.serve();
        QVERIFY2(ready(*serve), serve->stderrText().constData());
        const QByteArray err = serve->stderrText();
        QVERIFY2(err.contains(QByteArray("moved the task store from " + home.legacy().toUtf8())) && err.contains("recovered 5 tasks")
                         && err.contains("moved the key file"),
                 err.constData());
    }
    QVERIFY(!QFileInfo::exists(databaseOf(home.legacy())));
    QCOMPARE(contentsOf(QDir(home.expected()).filePath(QStringLiteral("authkey"))), QByteArray("an old key\n"));

    // Once: the next start finds the store where it now lives and says nothing about moving.
    const auto again = home.serve();
    QVERIFY2(ready(*again), again->stderrText().constData());
    QVERIFY2(!again->stderrText().contains("moved") && again->stderrText().contains("recovered 5 tasks"),
             again->stderrText().constData());
}

void tst_DataDirectory::aStoreAtTheNewDefaultIsNeverOverwritten()
{
    XDG_ONLY();
    FakeHome home;
    QVERIFY(home.isValid());
    QCOMPARE(makeStore(home.legacy(), 5), QString());
    QCOMPARE(makeStore(home.expected(), 2), QString());
    const QByteArray legacyBytes = contentsOf(databaseOf(home.legacy()));

    const auto serve = home.serve();
    QVERIFY2(ready(*serve), serve->stderrText().constData());
    const QByteArray err = serve->stderrText();
    QVERIFY2(err.contains("left where they are") && err.contains("recovered 2 tasks"), err.constData());
    QCOMPARE(contentsOf(databaseOf(home.legacy())), legacyBytes);
}

QTEST_GUILESS_MAIN(tst_DataDirectory)
#include "tst_datadirectory.moc"
