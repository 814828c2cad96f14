#pragma once

// A command line as a person pastes it into a shell: each argument quoted for the shell of the
// platform it is shown on, so that spaces, quotes, $ and backslashes reach the program as typed.

#include <QString>
#include <QStringList>

namespace CommandQuoting {

enum class Style {
    Posix, // sh, bash, zsh: Linux and macOS
    PowerShell, // Windows
};

// The style of the platform this runs on.
Style native();
QString quote(const QString &arg, Style style);
// The program first; PowerShell runs a quoted program with the call operator "&".
QString command(const QStringList &programAndArgs, Style style);

} // namespace CommandQuoting
