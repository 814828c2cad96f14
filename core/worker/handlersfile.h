#pragma once

// Reads handler definitions: `--handler NAME=COMMAND` and `--handlers FILE` (the format is in
// docs/HANDLERS.md). Every error names the file, the kind and the key at fault.

#include "worker/handlerspec.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace HandlersFile {

inline constexpr qint64 MaxFileSize = 1024 * 1024;

// NAME=COMMAND, the command split by QProcess::splitCommand (double quotes group words; no
// shell, no expansion).
std::optional<HandlerSpec> parseOption(const QString &text, QString *error);
std::optional<QList<HandlerSpec>> read(const QString &path, QString *error);
// Parses the text of a file called path (for messages and for resolving a relative cwd).
std::optional<QList<HandlerSpec>> parse(const QByteArray &text, const QString &path, QString *error);
// A kind named twice, or after a built-in kind, is an error.
QString checkNames(const QList<HandlerSpec> &specs, const QStringList &builtinKinds);

bool isValidKindName(const QString &name);

} // namespace HandlersFile
