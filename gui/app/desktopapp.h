#pragma once

// The desktop app: `taskmaster` with no subcommand. Builds the QApplication (only here: the
// headless subcommands never create one), loads the translation, builds the in-process Master
// and the main window. Without a display it says so and runs the headless demo instead.

int runDesktopApp(int argc, char *argv[]);
