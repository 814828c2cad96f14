#pragma once

// The server settings: bind address, port, authkey (generate a strong random key, show or
// hide it, copy it) and optional TLS certificate and key files. Nothing is saved until OK, and
// OK stays disabled while a value is bad (a certificate that does not load included).
// Generate asks first when a key is there: copies of it given out stop working once saved.

#include <QDialog>

#include <functional>

class MasterSettings;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

class SettingsDialog final : public QDialog
{
    Q_OBJECT

public:
    SettingsDialog(const QString &address, quint16 port, const QByteArray &key, QWidget *parent = nullptr,
                   const QString &tlsCertificate = QString(), const QString &tlsKey = QString());

    QString address() const;
    quint16 port() const;
    QByteArray key() const;
    QString tlsCertificateFile() const;
    QString tlsKeyFile() const;

    QLineEdit *addressEdit() const { return m_address; }
    QLineEdit *keyEdit() const { return m_key; }
    QLineEdit *tlsCertificateEdit() const { return m_tlsCertificate; }
    QLineEdit *tlsKeyEdit() const { return m_tlsKey; }
    QPushButton *generateButton() const { return m_generate; }
    QDialogButtonBox *buttons() const { return m_buttons; }
    // How Generate asks (title, text, the go-ahead button's text; true to go ahead). The window
    // passes its own, which tests can answer; without one a message box asks.
    using Confirm = std::function<bool(const QString &, const QString &, const QString &)>;
    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }

private:
    void validate();
    void generate();

    QLineEdit *m_address;
    QSpinBox *m_port;
    QLineEdit *m_key;
    QLineEdit *m_tlsCertificate;
    QLineEdit *m_tlsKey;
    QLabel *m_error;
    QPushButton *m_generate;
    QDialogButtonBox *m_buttons;
    // The key saved now, the one given out: only replacing it is asked first.
    QString m_savedKey;
    Confirm m_confirm;
};
