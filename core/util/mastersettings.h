#pragma once

// The desktop master's server settings over QSettings, under versioned keys ("v1/..."), so a
// later layout can migrate old values. The authkey itself is not kept in the settings file:
// it lives in a key file readable by the owner only, which is also what local and remote
// workers are pointed at (--authkey-file), so the key never appears on a command line.
// An optional worker key, in a file of its own, connects workers only (never clients); when
// there is one, it is the file workers are given.

#include <QByteArray>
#include <QHostAddress>
#include <QString>

#include <optional>

class QSettings;

class MasterSettings final
{
public:
    static constexpr int Version = 1;
    static constexpr quint16 DefaultPort = 7600;

    // Reads from settings (the application's QSettings when null).
    explicit MasterSettings(QSettings *settings = nullptr);
    ~MasterSettings();
    MasterSettings(const MasterSettings &) = delete;
    MasterSettings &operator=(const MasterSettings &) = delete;
    // Where these settings live, for the app's other remembered choices.
    QSettings *store() const { return m_settings; }

    // The bind address that other machines can reach: every IPv4 interface.
    static constexpr const char *EveryInterface = "0.0.0.0";
    QString bindAddress() const;
    // True for an address only this machine reaches: 127.0.0.1 (and 127/8), ::1, localhost.
    static bool isLoopbackOnly(const QString &address);
    void setBindAddress(const QString &address);
    // The port of this session (--port) when one is set, else the saved one.
    quint16 port() const;
    // Saves the port, which then also replaces this session's.
    void setPort(quint16 port);
    // A port for this run only, as `taskmaster --port` gives: the saved one stays for the next.
    void setSessionPort(quint16 port) { m_sessionPort = port; }
    // "" follows the system; otherwise a locale name such as "zh_CN" or "en".
    QString language() const;
    void setLanguage(const QString &language);

    // TLS for every connection when both are set: PEM certificate (chain) and private key files.
    QString tlsCertificateFile() const;
    QString tlsKeyFile() const;
    void setTls(const QString &certificateFile, const QString &keyFile);

    // Where the authkey is kept; by default in DataDirectory::defaultPath(), next to the tasks.
    QString keyFilePath() const;
    void setKeyFilePath(const QString &path);
    // Reads the key file; an empty key when there is none yet.
    QByteArray readKey(QString *error = nullptr) const;
    // Writes the key file with owner-only permissions.
    bool writeKey(const QByteArray &key, QString *error = nullptr);

    // The worker key, kept like the authkey; no file means no worker key.
    QString workerKeyFilePath() const;
    void setWorkerKeyFilePath(const QString &path);
    bool hasWorkerKey() const;
    QByteArray readWorkerKey(QString *error = nullptr) const;
    bool writeWorkerKey(const QByteArray &key, QString *error = nullptr);

    // A new key of 32 random bytes as 64 hex characters.
    static QByteArray generateKey();
    // Checks an address as typed in the settings dialog; "" when it is usable.
    static QString validateBindAddress(const QString &address);

    void sync();

private:
    QString dataFile(const char *name, const QString &fileName) const;

    QSettings *m_settings;
    bool m_owned;
    std::optional<quint16> m_sessionPort;
};
