// taskmaster: the master of a Taskmaster queue. Subcommands run it headless (serve), talk to a
// running one (submit, status) or show the classic demo; the desktop window is the default.

#include "cli/cancelcommand.h"
#include "cli/commandline.h"
#include "cli/democommand.h"
#include "cli/salvagecommand.h"
#include "cli/servecommand.h"
#include "cli/statuscommand.h"
#include "cli/submitcommand.h"
#include "app/desktopapp.h"
#include "cli/watchcommand.h"
#include "util/exitcodes.h"

#include <QCoreApplication>

#include <cstdio>

namespace {

const char Usage[] =
        "Usage: taskmaster <command> [options]\n"
        "\n"
        "Commands:\n"
        "  serve    run the master without a window (workers and clients connect to it)\n"
        "  submit   put tasks on a running master, optionally wait for their results\n"
        "  status   show task counts and connected workers of a running master\n"
        "  watch    wait for tasks by id and print their results, across master restarts\n"
        "  cancel   cancel queued or running tasks by id\n"
        "  demo     start a master and two local workers and square ten numbers\n"
        "  salvage  copy the readable tasks of a damaged data directory into a new one\n"
        "\n"
        "\n"
        "Without a command (or with only options such as --local-workers 2) taskmaster opens the\n"
        "desktop app; see 'taskmaster --help-app'.\n"
        "Run 'taskmaster <command> --help' for the options of a command.\n";

} // namespace

int main(int argc, char *argv[])
{
    // Decide before any application object exists: only the desktop app gets a QApplication.
    const QString first = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (first.isEmpty() || first == QLatin1String("--help-app")
        || (first.startsWith(QLatin1Char('-')) && first != QLatin1String("--help") && first != QLatin1String("-h")
            && first != QLatin1String("--version") && first != QLatin1String("-v") && first != QLatin1String("--help-commands"))) {
        if (first == QLatin1String("--help-app"))
            argv[1] = const_cast<char *>("--help");
        return runDesktopApp(argc, argv);
    }

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("taskmaster"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TASKMASTER_VERSION));
    qSetMessagePattern(QStringLiteral("taskmaster: %{if-warning}warning: %{endif}%{if-critical}error: %{endif}%{message}"));

    QStringList args = QCoreApplication::arguments();
    const QString command = args.size() > 1 ? args.at(1) : QString();
    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        std::printf("taskmaster %s\n", TASKMASTER_VERSION);
        return ExitCode::Ok;
    }
    if (command == QLatin1String("--help") || command == QLatin1String("-h") || command == QLatin1String("--help-commands")
        || command == QLatin1String("help")) {
        std::fputs(Usage, stdout);
        std::fputs(qPrintable(CommandLine::exitCodeHelp() + QLatin1Char('\n')), stdout);
        return ExitCode::Ok;
    }
    // The subcommand's parser sees "taskmaster <command>" as its program name.
    args[0] = args.at(0) + QLatin1Char(' ') + command;
    args.removeAt(1);
    if (command == QLatin1String("serve"))
        return runServe(args);
    if (command == QLatin1String("submit"))
        return runSubmit(args);
    if (command == QLatin1String("status"))
        return runStatus(args);
    if (command == QLatin1String("watch"))
        return runWatch(args);
    if (command == QLatin1String("cancel"))
        return runCancel(args);
    if (command == QLatin1String("demo"))
        return runDemo(args);
    if (command == QLatin1String("salvage"))
        return runSalvage(args);
    CommandLine::printError(QStringLiteral("unknown command \"%1\"").arg(command));
    std::fputs(Usage, stderr);
    return ExitCode::Usage;
}
