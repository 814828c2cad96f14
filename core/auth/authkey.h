#pragma once

// Where a binary gets its authkey: --authkey-file, then --authkey, then TASKMASTER_AUTHKEY.
// A key file may end with a newline; it is not part of the key.

#include <QByteArray>
#include <QString>

namespace AuthKey {

inline constexpr char EnvironmentVariable[] = "TASKMASTER_AUTHKEY";
inline constexpr qint64 MaxKeyFileSize = 64 * 1024;

struct Resolved {
    bool ok = false;
    QByteArray key;
    QString source; // "file F", "--authkey", "environment", or "none"
    QString error;
};

Resolved resolve(const QString &keyFile, const QString &keyOption, bool keyOptionGiven);

} // namespace AuthKey
