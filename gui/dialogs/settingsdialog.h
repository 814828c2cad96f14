#pragma once

// The server settings: bind address, port and authkey (generate a strong random key, show or
// hide it, copy it). Nothing is saved until OK, and OK stays disabled while a value is bad.

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
    SettingsDialog(const QString &address, quint16 port, const QByteArray &key, QWidget *parent = nullptr);

    QString address() const;
    quint16 port() const;
    QByteArray key() const;

    QLineEdit *addressEdit() const { return m_address; }
    QLineEdit *keyEdit() const { return m_key; }
    QPushButton *generateButton() const { return m_generate; }
    QDialogButtonBox *buttons() const { return m_buttons; }

private:
    void validate();

    QLineEdit *m_address;
    QSpinBox *m_port;
    QLineEdit *m_key;
    QLabel *m_error;
    QPushButton *m_generate;
    QDialogButtonBox *m_buttons;
};
