#include "mastersettings.h"

#include "auth/authkey.h"
#include "datadirectory.h"
#include "privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QSettings>

namespace {

QString key(const char *name)
{
    return QStringLiteral("v%1/server/").arg(MasterSettings::Version) + QLatin1String(name);
}

// The rules of AuthKey::readFile (size, file type, owner-only warning); no file is no key.
QByteArray readKeyFile(const QString &path, const QString &what, QString *error)
{
    if (!QFileInfo::exists(path))
        return {};
    const AuthKey::Resolved resolved = AuthKey::readFile(path, what);
    if (!resolved.ok) {
        if (error)
            *error = resolved.error;
        return {};
    }
    return resolved.key;
}

bool writeKeyFile(const QString &path, const QByteArray &keyBytes, QString *error)
{
    // By default the data directory, which also holds the task store.
    QString why;
    if (!PrivateFiles::makeDirectory(QFileInfo(path).absolutePath(), &why)) {
        if (error)
            *error = QStringLiteral("cannot create the folder of %1: %2").arg(path, why);
        return false;
    }
    QSaveFile file(path);
    // Owner-only before a byte of the key is written (QSaveFile's new file follows the umask).
    // On Windows the profile's ACL protects it; see privatefiles.h.
    if (!file.open(QIODevice::WriteOnly)
        || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
        || file.write(keyBytes) != keyBytes.size() || !file.commit()) {
        if (error)
            *error = QStringLiteral("cannot write the key file %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

MasterSettings::MasterSettings(QSettings *settings)
    : m_settings(settings ? settings : new QSettings)
    , m_owned(settings == nullptr)
{
}

MasterSettings::~MasterSettings()
{
    if (m_owned)
        delete m_settings;
}

QString MasterSettings::bindAddress() const
{
    return m_settings->value(key("address"), QStringLiteral("127.0.0.1")).toString();
}

bool MasterSettings::isLoopbackOnly(const QString &address)
{
    return address.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 || QHostAddress(address).isLoopback();
}

void MasterSettings::setBindAddress(const QString &address)
{
    m_settings->setValue(key("address"), address);
}

quint16 MasterSettings::port() const
{
    if (m_sessionPort)
        return *m_sessionPort;
    bool ok = false;
    const uint value = m_settings->value(key("port"), DefaultPort).toUInt(&ok);
    return ok && value <= 65535 ? quint16(value) : DefaultPort;
}

void MasterSettings::setPort(quint16 port)
{
    m_sessionPort.reset();
    m_settings->setValue(key("port"), port);
}

QString MasterSettings::language() const
{
    return m_settings->value(QStringLiteral("v%1/ui/language").arg(Version)).toString();
}

void MasterSettings::setLanguage(const QString &language)
{
    m_settings->setValue(QStringLiteral("v%1/ui/language").arg(Version), language);
}

QString MasterSettings::tlsCertificateFile() const
{
    return m_settings->value(QStringLiteral("v%1/server/tlsCertificate").arg(Version)).toString();
}

QString MasterSettings::tlsKeyFile() const
{
    return m_settings->value(QStringLiteral("v%1/server/tlsKey").arg(Version)).toString();
}

void MasterSettings::setTls(const QString &certificateFile, const QString &keyFile)
{
    m_settings->setValue(QStringLiteral("v%1/server/tlsCertificate").arg(Version), certificateFile);
    m_settings->setValue(QStringLiteral("v%1/server/tlsKey").arg(Version), keyFile);
}

QString MasterSettings::dataFile(const char *name, const QString &fileName) const
{
    const QString fallback = QDir(DataDirectory::defaultPath()).filePath(fileName);
    return m_settings->value(key(name), fallback).toString();
}

QString MasterSettings::keyFilePath() const
{
    return dataFile("keyFile", QStringLiteral("authkey"));
}

void MasterSettings::setKeyFilePath(const QString &path)
{
    m_settings->setValue(key("keyFile"), path);
}

QString MasterSettings::workerKeyFilePath() const
{
    return dataFile("workerKeyFile", QStringLiteral("workerkey"));
}

bool MasterSettings::hasWorkerKey() const
{
    return QFileInfo::exists(workerKeyFilePath());
}

void MasterSettings::setWorkerKeyFilePath(const QString &path)
{
    m_settings->setValue(key("workerKeyFile"), path);
}

QByteArray MasterSettings::readKey(QString *error) const
{
    return readKeyFile(keyFilePath(), QStringLiteral("authkey"), error);
}

bool MasterSettings::writeKey(const QByteArray &keyBytes, QString *error)
{
    return writeKeyFile(keyFilePath(), keyBytes, error);
}

QByteArray MasterSettings::readWorkerKey(QString *error) const
{
    return readKeyFile(workerKeyFilePath(), QStringLiteral("worker key"), error);
}

bool MasterSettings::writeWorkerKey(const QByteArray &keyBytes, QString *error)
{
    return writeKeyFile(workerKeyFilePath(), keyBytes, error);
}

QByteArray MasterSettings::generateKey()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    return bytes.toHex();
}

QString MasterSettings::validateBindAddress(const QString &address)
{
    if (address.isEmpty())
        return QStringLiteral("the bind address is empty");
    QHostAddress parsed;
    if (!parsed.setAddress(address) && address != QLatin1String("localhost"))
        return QStringLiteral("\"%1\" is not an IP address (use 127.0.0.1, 0.0.0.0 or ::)").arg(address);
    return {};
}

void MasterSettings::sync()
{
    m_settings->sync();
}
