#pragma once

// Shows the exact taskworker command line for this master, ready to copy: the program's
// absolute path, quoted for this platform's shell. The key travels in a key file (or
// TASKMASTER_AUTHKEY), never on the command line, where other users could see it. The caller
// names the worker key's file when the master has one, so that a worker box gets a key that
// cannot submit, cancel, watch or ask status. A master on loopback only is said to be out of
// other machines' reach, with a button to listen on every interface.

#include "app/commandquoting.h"

#include <QDialog>

class QLabel;
class QPlainTextEdit;
class QPushButton;

class ConnectWorkerDialog final : public QDialog
{
    Q_OBJECT

public:
    ConnectWorkerDialog(const QString &commandLine, const QString &bindAddress, QWidget *parent = nullptr);

    // With a TLS master, its certificate's fingerprint, which the worker pins.
    static QString commandLine(const QString &program, const QString &host, quint16 port, const QString &keyFile,
                               const QByteArray &tlsFingerprint = QByteArray(),
                               CommandQuoting::Style style = CommandQuoting::native());
    // Shows another command line, after the master listens elsewhere.
    void setCommand(const QString &commandLine, const QString &bindAddress);
    QString text() const;
    void copy();

Q_SIGNALS:
    void listenEverywhereRequested();
    void copied();

protected:
    void changeEvent(QEvent *event) override;

private:
    QPlainTextEdit *m_text;
    QLabel *m_loopback;
    QPushButton *m_listenEverywhere;
    QLabel *m_copied;
};
