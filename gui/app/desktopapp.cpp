#include "desktopapp.h"

#include "app/mainwindow.h"
#include "app/translations.h"
#include "cli/democommand.h"
#include "master/master.h"
#include "task/sqlitetaskstore.h"
#include "task/taskstore.h"
#include "util/datadirectory.h"
#include "util/exitcodes.h"
#include "util/logging.h"
#include "util/mastersettings.h"
#include "util/shutdownsignals.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>

#include <cstdio>
#include <optional>

namespace {

bool hasDisplay()
{
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    // X11 and Wayland need a server to talk to; an explicit platform (offscreen, vnc, ...) does not.
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
            || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
#else
    return true;
#endif
}

struct Options {
    int localWorkers = 0;
    std::optional<quint16> port;
    bool demo = false;
    bool ephemeral = false;
    QString dataDir;
    bool defaultDataDir = false; // no --data-dir: files of an older default may be moved in
};

void setNames()
{
    QCoreApplication::setApplicationName(QStringLiteral("taskmaster"));
    QCoreApplication::setOrganizationName(QStringLiteral("taskmaster"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TASKMASTER_VERSION));
}

// Parses the app's options; --help and --version print and exit here. nullopt after printing
// an error for a bad value.
std::optional<Options> parseOptions(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
            "main", "Taskmaster desktop app: a master with a window. Run 'taskmaster --help-commands' "
                    "for the headless subcommands."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption localWorkers(QStringLiteral("local-workers"),
                                          QCoreApplication::translate("main", "Start this many local workers at once."),
                                          QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption port(QStringLiteral("port"),
                                  QCoreApplication::translate("main", "Listen on this port (default: the saved one)."),
                                  QStringLiteral("port"));
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  QCoreApplication::translate("main", "Enqueue the ten demo squares at once."));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     QCoreApplication::translate("main", "Keep tasks and results in this directory (default %1).")
                                             .arg(DataDirectory::defaultPath()),
                                     QStringLiteral("dir"));
    const QCommandLineOption ephemeral(QStringLiteral("ephemeral"),
                                       QCoreApplication::translate("main", "Keep tasks in memory only: gone when the app quits."));
    parser.addOptions({localWorkers, port, demo, dataDir, ephemeral});
    parser.process(app);

    Options options;
    bool ok = false;
    options.localWorkers = parser.value(localWorkers).toInt(&ok);
    if (!ok || options.localWorkers < 0 || options.localWorkers > 64) {
        std::fprintf(stderr, "taskmaster: --local-workers takes 0 to 64, not \"%s\"\n", qPrintable(parser.value(localWorkers)));
        return std::nullopt;
    }
    if (parser.isSet(port)) {
        const uint value = parser.value(port).toUInt(&ok);
        if (!ok || value > 65535) {
            std::fprintf(stderr, "taskmaster: --port takes 0 to 65535, not \"%s\"\n", qPrintable(parser.value(port)));
            return std::nullopt;
        }
        options.port = quint16(value);
    }
    options.demo = parser.isSet(demo);
    options.ephemeral = parser.isSet(ephemeral);
    options.dataDir = parser.isSet(dataDir) ? parser.value(dataDir) : DataDirectory::defaultPath();
    options.defaultDataDir = !parser.isSet(dataDir);
    if (options.ephemeral && parser.isSet(dataDir)) {
        std::fputs("taskmaster: give either --ephemeral or --data-dir, not both\n", stderr);
        return std::nullopt;
    }
    return options;
}

} // namespace

int runDesktopApp(int argc, char *argv[])
{
    if (!hasDisplay()) {
        // --help and --version still work; anything else runs the headless demo.
        QCoreApplication app(argc, argv);
        setNames();
        if (!parseOptions(app))
            return ExitCode::Usage;
        std::fputs("taskmaster: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); running the headless demo "
                   "instead. Use 'taskmaster serve' for a master without a window.\n",
                   stderr);
        return runDemo({QStringLiteral("taskmaster demo")});
    }
    QApplication app(argc, argv);
    setNames();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/taskmaster.svg")));
    QApplication::setDesktopFileName(QStringLiteral("taskmaster"));

    MasterSettings settings;
    Translations::install(&app, settings.language());
    const std::optional<Options> options = parseOptions(app);
    if (!options)
        return ExitCode::Usage;
    if (options->port)
        settings.setSessionPort(*options->port);

    // The same durable store as `taskmaster serve`: tasks and results survive a crash and show
    // up again on the next start. Should the directory be in use (a running serve holds it),
    // the app still opens, in memory, and says so.
    std::unique_ptr<TaskStore> store;
    QString storeError;
    bool heldByAnother = false;
    if (!options->ephemeral) {
        if (options->defaultDataDir) {
            for (const QString &line : DataDirectory::moveLegacyFiles()) {
                qCInfo(lcGui).noquote() << line;
                std::fprintf(stderr, "taskmaster: %s\n", qPrintable(line));
            }
        }
        auto durable = std::make_unique<SqliteTaskStore>(options->dataDir);
        if (durable->open(&storeError)) {
            store = std::move(durable);
        } else if (durable->isHeldByAnother()) {
            heldByAnother = true;
        } else if (durable->isDamaged()) {
            // Unlike a directory another master holds, a damaged store is not worked around with
            // a session in memory: the person must see it, and salvage it before anything else.
            std::fprintf(stderr, "taskmaster: %s\n", qPrintable(storeError));
            QMessageBox::critical(nullptr, QCoreApplication::translate("main", "Taskmaster"), storeError);
            return ExitCode::CannotListen;
        }
    }
    // Before the master and the window, so it outlives them (see servecommand.cpp).
    ShutdownSignals shutdownSignals;
    Master master(Master::Settings{}, std::move(store));
    MainWindow window(&master, &settings);
    if (!storeError.isEmpty()) {
        qCWarning(lcGui).noquote() << "tasks are kept in memory only this time:" << storeError;
        std::fprintf(stderr, "taskmaster: tasks are kept in memory only this time: %s\n", qPrintable(storeError));
        window.noteMemoryOnly(storeError, heldByAnother);
    }
    // SIGINT/SIGTERM close the window as a person would: state saved, local workers stopped.
    // Nobody may be there to answer the quit question, so it is not asked.
    QObject::connect(&shutdownSignals, &ShutdownSignals::requested, &window, [&window] {
        window.closeWithoutAsking();
        QCoreApplication::quit();
    });
    window.show();
    if (window.startServer() && options->localWorkers > 0)
        window.startLocalWorkers(options->localWorkers);
    if (options->demo)
        window.action(QStringLiteral("demo"))->trigger();
    return app.exec();
}
