// taskmaster-server: the subcommands of taskmaster (serve, submit, status, ...) without the
// desktop app, so a server needs Qt Core, Network and Sql only: no Gui, Widgets or Charts.

#include "cli/commandtable.h"

int main(int argc, char *argv[])
{
    return CommandTable::run(argc, argv, "taskmaster-server", "");
}
