#include "commandtable.h"

#include "cancelcommand.h"
#include "commandline.h"
#include "democommand.h"
#include "salvagecommand.h"
#include "servecommand.h"
#include "statuscommand.h"
#include "submitcommand.h"
#include "watchcommand.h"
#include "util/exitcodes.h"

#include <QCoreApplication>

#include <cstdio>

namespace CommandTable {

namespace {

const char Commands[] =
        "Commands:\n"
        "  serve    run the master without a window (workers and clients connect to it)\n"
        "  submit   put tasks on a running master, optionally wait for their results\n"
        "  status   show task counts and connected workers of a running master\n"
        "  watch    wait for tasks by id and print their results, across master restarts\n"
        "  cancel   cancel queued or running tasks by id\n"
        "  demo     start a master and two local workers and square ten numbers\n"
        "  salvage  copy the readable tasks of a damaged data directory into a new one\n"
        "\n";

void printUsage(FILE *out, const char *program, const char *appHint)
{
    std::fprintf(out, "Usage: %s <command> [options]\n\n%s\n%s", program, Commands, appHint);
    std::fprintf(out, "Run '%s <command> --help' for the options of a command.\n", program);
}

bool isOneOf(const QString &arg, std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        if (arg == QLatin1String(name))
            return true;
    }
    return false;
}

} // namespace

bool handles(const QString &first)
{
    return !first.isEmpty() && (!first.startsWith(QLatin1Char('-')) || isOneOf(first, {"--help", "-h", "--version", "-v", "--help-commands"}));
}

int run(int argc, char *argv[], const char *program, const char *appHint)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("taskmaster"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TASKMASTER_VERSION));
    qSetMessagePattern(QStringLiteral("taskmaster: %{if-warning}warning: %{endif}%{if-critical}error: %{endif}%{message}"));

    QStringList args = QCoreApplication::arguments();
    const QString command = args.size() > 1 ? args.at(1) : QString();
    if (isOneOf(command, {"--version", "-v"})) {
        std::printf("%s %s\n", program, TASKMASTER_VERSION);
        return ExitCode::Ok;
    }
    if (isOneOf(command, {"--help", "-h", "--help-commands", "help"})) {
        printUsage(stdout, program, appHint);
        std::fputs(qPrintable(CommandLine::exitCodeHelp() + QLatin1Char('\n')), stdout);
        return ExitCode::Ok;
    }
    if (command.isEmpty()) {
        CommandLine::printError(QStringLiteral("no command given"));
        printUsage(stderr, program, appHint);
        return ExitCode::Usage;
    }
    // The subcommand's parser sees "<program> <command>" as its program name.
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
    printUsage(stderr, program, appHint);
    return ExitCode::Usage;
}

} // namespace CommandTable
