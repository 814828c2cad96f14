#include "desktopapp.h"

#include "app/mainwindow.h"
#include "cli/democommand.h"
#include "master/master.h"
#include "task/taskstore.h"
#include "util/exitcodes.h"
#include "util/mastersettings.h"
#include "util/shutdownsignals.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

#include <cstdio>

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

void loadTranslations(QApplication &app, const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    auto *translator = new QTranslator(&app);
    if (translator->load(locale, QStringLiteral("taskmaster"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(translator);
    auto *qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
}

} // namespace

int runDesktopApp(int argc, char *argv[])
{
    if (!hasDisplay()) {
        std::fputs("taskmaster: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); running the headless demo "
                   "instead. Use 'taskmaster serve' for a master without a window.\n",
                   stderr);
        QCoreApplication app(argc, argv);
        return runDemo({QStringLiteral("taskmaster demo")});
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("taskmaster"));
    QApplication::setOrganizationName(QStringLiteral("taskmaster"));
    QApplication::setApplicationVersion(QStringLiteral(TASKMASTER_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/taskmaster.svg")));
    QApplication::setDesktopFileName(QStringLiteral("taskmaster"));

    MasterSettings settings;
    loadTranslations(app, settings.language());

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
    parser.addOptions({localWorkers, port, demo});
    parser.process(app);
    bool ok = false;
    const int workers = parser.value(localWorkers).toInt(&ok);
    if (!ok || workers < 0 || workers > 64) {
        std::fprintf(stderr, "taskmaster: --local-workers takes 0 to 64, not \"%s\"\n", qPrintable(parser.value(localWorkers)));
        return ExitCode::Usage;
    }
    if (parser.isSet(port)) {
        const uint value = parser.value(port).toUInt(&ok);
        if (!ok || value > 65535) {
            std::fprintf(stderr, "taskmaster: --port takes 0 to 65535, not \"%s\"\n", qPrintable(parser.value(port)));
            return ExitCode::Usage;
        }
        settings.setPort(quint16(value));
    }

    Master master(Master::Settings{});
    MainWindow window(&master, &settings);
    // SIGINT/SIGTERM close the window as a person would: state saved, local workers stopped.
    ShutdownSignals shutdownSignals;
    QObject::connect(&shutdownSignals, &ShutdownSignals::requested, &window, [&window] {
        window.close();
        QCoreApplication::quit();
    });
    window.show();
    if (window.startServer() && workers > 0)
        window.startLocalWorkers(workers);
    if (parser.isSet(demo))
        window.action(QStringLiteral("demo"))->trigger();
    return app.exec();
}
