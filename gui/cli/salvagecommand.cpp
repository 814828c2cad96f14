#include "salvagecommand.h"

#include "commandline.h"
#include "task/sqlitetaskstore.h"
#include "task/storesalvage.h"
#include "util/datadirectory.h"
#include "util/exitcodes.h"

int runSalvage(const QStringList &args)
{
    QCommandLineParser parser;
    CommandLine::setUp(parser, QStringLiteral(
            "taskmaster salvage: copy every task that can still be read from a damaged data directory\n"
            "into a new one, for a master refused to start on it (\"refusing to use the damaged task\n"
            "database\"). The damaged database is opened read-only and never changed; the new\n"
            "directory must not hold a task database yet. Prints how many tasks were copied and how\n"
            "many ids could not be read; ids are never reused. Then: taskmaster serve --data-dir NEWDIR.\n"
            "Exits 0 when the new store is written (even if some rows were unreadable), 5 when it\n"
            "cannot be."));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     QStringLiteral("The damaged data directory (default %1).")
                                             .arg(DataDirectory::defaultPath()),
                                     QStringLiteral("dir"));
    const QCommandLineOption to(QStringLiteral("to"), QStringLiteral("The new data directory to write (required)."),
                                QStringLiteral("newdir"));
    parser.addOptions({dataDir, to});
    CommandLine::process(parser, args);
    if (!parser.positionalArguments().isEmpty() || !parser.isSet(to) || parser.value(to).isEmpty()) {
        CommandLine::printError(parser.positionalArguments().isEmpty()
                                        ? QStringLiteral("give the new data directory with --to NEWDIR (see --help)")
                                        : QStringLiteral("unexpected argument %1 (see --help)")
                                                  .arg(parser.positionalArguments().first()));
        return ExitCode::Usage;
    }
    const QString from = parser.isSet(dataDir) ? parser.value(dataDir) : DataDirectory::defaultPath();
    StoreSalvage salvage(from, parser.value(to));
    StoreSalvage::Report report;
    QString error;
    if (!salvage.run(&report, &error)) {
        CommandLine::printError(QStringLiteral("salvage: ") + error);
        return ExitCode::CannotListen;
    }
    CommandLine::printLine(QStringLiteral("copied %1 tasks into %2; %3 ids could not be read; new ids start at %4")
                                   .arg(report.copied)
                                   .arg(parser.value(to))
                                   .arg(report.unreadable)
                                   .arg(report.nextId)
                                   .toUtf8());
    if (!report.firstProblem.isEmpty())
        CommandLine::printError(QStringLiteral("the first row that could not be read: ") + report.firstProblem);
    return ExitCode::Ok;
}
