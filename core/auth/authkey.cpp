#include "authkey.h"

#include <QFile>

namespace AuthKey {

Resolved resolve(const QString &keyFile, const QString &keyOption, bool keyOptionGiven)
{
    Resolved r;
    if (!keyFile.isEmpty() && keyOptionGiven) {
        r.error = QStringLiteral("give the authkey either with --authkey-file or with --authkey, not both");
        return r;
    }
    if (!keyFile.isEmpty()) {
        QFile file(keyFile);
        if (!file.open(QIODevice::ReadOnly)) {
            r.error = QStringLiteral("cannot read the authkey file %1: %2").arg(keyFile, file.errorString());
            return r;
        }
        if (file.size() > MaxKeyFileSize) {
            r.error = QStringLiteral("the authkey file %1 is larger than %2 bytes; is it the right file?")
                              .arg(keyFile)
                              .arg(MaxKeyFileSize);
            return r;
        }
        QByteArray key = file.readAll();
        while (key.endsWith('\n') || key.endsWith('\r'))
            key.chop(1);
        r.ok = true;
        r.key = key;
        r.source = QStringLiteral("file ") + keyFile;
        return r;
    }
    if (keyOptionGiven) {
        r.ok = true;
        r.key = keyOption.toUtf8();
        r.source = QStringLiteral("--authkey");
        return r;
    }
    if (qEnvironmentVariableIsSet(EnvironmentVariable)) {
        r.ok = true;
        r.key = qgetenv(EnvironmentVariable);
        r.source = QStringLiteral("environment");
        return r;
    }
    r.ok = true;
    r.source = QStringLiteral("none");
    return r;
}

} // namespace AuthKey
