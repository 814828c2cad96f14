#pragma once

// Directories and files only their owner may use: the data directory with the task store and
// its lock, and key files. On POSIX the modes (0700 and 0600) are set explicitly, so they do
// not depend on the umask. On Windows nothing is changed: these live in the user's profile
// (AppData), whose inherited ACL already admits only that user, administrators and SYSTEM;
// Qt's emulated permission bits would rewrite those ACLs, which is riskier than keeping them.

#include <QString>

namespace PrivateFiles {

// Creates directory and its missing parents; the directory itself (not the parents) owner-only.
// An existing directory is left as it is: its owner may share it on purpose. False with the
// reason (a file in the way, the OS's words), for the caller to prefix, when it cannot be created.
bool makeDirectory(const QString &directory, QString *error);
// Creates file empty and owner-only when it does not exist, and makes an existing one owner-only.
bool createOwnerOnly(const QString &file, QString *error);
// Makes file owner-only when it exists.
bool restrictToOwner(const QString &file, QString *error);
// Why no file can be created in directory, in the OS's words ("Permission denied",
// "Read-only file system"); empty when one can.
QString whyNotWritable(const QString &directory);

} // namespace PrivateFiles
