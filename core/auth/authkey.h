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
// Reads one key file under the rules above; what names the key in messages ("authkey",
// "worker key").
Resolved readFile(const QString &path, const QString &what);

// A master may give workers a key of their own (a worker key): it connects workers only, never
// clients. "" when workerKey can be used next to authkey; otherwise why not (empty, no
// authkey to keep clients out, or the same key, which would separate nothing).
QString workerKeyProblem(const QByteArray &authkey, const QByteArray &workerKey);

} // namespace AuthKey
