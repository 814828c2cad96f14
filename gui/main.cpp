// taskmaster: the master of a Taskmaster queue. Subcommands run it headless (serve), talk to a
// running one (submit, status) or show the classic demo; the desktop window is the default.

#include "app/desktopapp.h"
#include "cli/commandtable.h"
#include "cli/parentconsole.h"

int main(int argc, char *argv[])
{
    // Decide before any application object exists: only the desktop app gets a QApplication.
    const QString first = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    if (!CommandTable::handles(first)) {
        if (first == QLatin1String("--help-app"))
            argv[1] = const_cast<char *>("--help");
        return runDesktopApp(argc, argv);
    }
    ParentConsole::attach();
    return CommandTable::run(argc, argv, "taskmaster",
                             "Without a command (or with only options such as --local-workers 2) taskmaster opens the\n"
                             "desktop app; see 'taskmaster --help-app'.\n");
}
