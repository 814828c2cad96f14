#pragma once

// Where a binary gets its authkey: --authkey-file, then --authkey, then TASKMASTER_AUTHKEY.
// A key file may end with a newline; it is not part of the key. A key file must be a regular
// file of at most MaxKeyFileSize bytes; one that others can read is used, with a warning.

#include <QByteArray>
#include <QString>

namespace AuthKey {

inline constexpr char EnvironmentVariable[] = "TASKMASTER_AUTHKEY";
// A key is a line of text; anything larger is the wrong file.
inline constexpr qint64 MaxKeyFileSize = 4 * 1024;

struct Resolved {
    bool ok = false;
    QByteArray key;
    QString source; // "file F", "--authkey", "environment", or "none"
    QString error;
};

Resolved resolve(const QString &keyFile, const QString &keyOption, bool keyOptionGiven);

} // namespace AuthKey
