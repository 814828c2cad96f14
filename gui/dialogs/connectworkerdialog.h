#pragma once

// Shows the exact taskworker command line for this master, ready to copy. The key travels in
// a key file (or TASKMASTER_AUTHKEY), never on the command line, where other users could see it.
// The caller names the worker key's file when the master has one, so that a worker box gets a
// key that cannot submit, cancel, watch or ask status.

#include <QDialog>

class QPlainTextEdit;

class ConnectWorkerDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit ConnectWorkerDialog(const QString &commandLine, QWidget *parent = nullptr);

    // With a TLS master, its certificate's fingerprint, which the worker pins.
    static QString commandLine(const QString &host, quint16 port, const QString &keyFile,
                               const QByteArray &tlsFingerprint = QByteArray());
    QString text() const;

private:
    QPlainTextEdit *m_text;
};
