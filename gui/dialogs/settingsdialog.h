#pragma once

// The server settings: bind address, port, authkey (generate a strong random key, show or
// hide it, copy it) and optional TLS certificate and key files. Nothing is saved until OK, and
// OK stays disabled while a value is bad (a certificate that does not load included).

#include <QDialog>

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

private:
    void validate();

    QLineEdit *m_address;
    QSpinBox *m_port;
    QLineEdit *m_key;
    QLineEdit *m_tlsCertificate;
    QLineEdit *m_tlsKey;
    QLabel *m_error;
    QPushButton *m_generate;
    QDialogButtonBox *m_buttons;
};
