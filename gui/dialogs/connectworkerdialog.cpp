#include "connectworkerdialog.h"

#include "util/mastersettings.h"
#include "widgets/viewzoom.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

ConnectWorkerDialog::ConnectWorkerDialog(const QString &commandLine, const QString &bindAddress, QWidget *parent)
    : QDialog(parent)
    , m_text(new QPlainTextEdit(this))
    , m_loopback(new QLabel(this))
    , m_listenEverywhere(new QPushButton(tr("&Listen on every interface"), this))
    , m_copied(new QLabel(this))
{
    setWindowTitle(tr("Connect a worker"));
    auto *intro = new QLabel(tr("Copy the key file to the worker's machine (readable by its user only), "
                                "then run this there. Replace the host with this machine's name or "
                                "address as the worker sees it."),
                             this);
    intro->setWordWrap(true);
    m_loopback->setObjectName(QStringLiteral("loopbackWarning"));
    m_loopback->setWordWrap(true);
    m_listenEverywhere->setObjectName(QStringLiteral("listenEverywhere"));
    m_listenEverywhere->setToolTip(tr("Listen again on all of this machine's addresses, so that other machines can connect."));
    connect(m_listenEverywhere, &QPushButton::clicked, this, &ConnectWorkerDialog::listenEverywhereRequested);
    m_text->setReadOnly(true);
    m_text->setFont(ViewZoom::fixedFont(this)); // "monospace" names no font on Windows or macOS
    m_copied->setObjectName(QStringLiteral("copiedLabel"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *copyButton = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
    copyButton->setObjectName(QStringLiteral("copyButton"));
    copyButton->setToolTip(tr("Copy the command line to the clipboard."));
    connect(copyButton, &QPushButton::clicked, this, &ConnectWorkerDialog::copy);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *warning = new QHBoxLayout;
    warning->addWidget(m_loopback, 1);
    warning->addWidget(m_listenEverywhere);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_copied, 1);
    bottom->addWidget(buttons);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(warning);
    layout->addWidget(m_text);
    layout->addLayout(bottom);
    setCommand(commandLine, bindAddress);
    resize(680, 260);
}

void ConnectWorkerDialog::changeEvent(QEvent *event)
{
    // The command's own fixed-width font does not follow the window's zoom by itself.
    if (event->type() == QEvent::FontChange)
        m_text->setFont(ViewZoom::fixedFont(this));
    QDialog::changeEvent(event);
}

void ConnectWorkerDialog::setCommand(const QString &commandLine, const QString &bindAddress)
{
    m_text->setPlainText(commandLine);
    m_copied->clear();
    const bool loopbackOnly = MasterSettings::isLoopbackOnly(bindAddress);
    m_loopback->setText(loopbackOnly ? tr("This master listens on %1, this machine only: a worker on another "
                                          "machine cannot reach it.")
                                               .arg(bindAddress)
                                     : QString());
    m_loopback->setVisible(loopbackOnly);
    m_listenEverywhere->setVisible(loopbackOnly);
}

QString ConnectWorkerDialog::commandLine(const QString &program, const QString &host, quint16 port,
                                         const QString &keyFile, const QByteArray &tlsFingerprint,
                                         CommandQuoting::Style style)
{
    QStringList args = {QDir::toNativeSeparators(program), QStringLiteral("--host"), host,
                        QStringLiteral("--port"), QString::number(port),
                        QStringLiteral("--authkey-file"), QDir::toNativeSeparators(keyFile)};
    if (!tlsFingerprint.isEmpty())
        args << QStringLiteral("--tls") << QStringLiteral("--tls-fingerprint") << QString::fromLatin1(tlsFingerprint);
    return CommandQuoting::command(args, style);
}

QString ConnectWorkerDialog::text() const
{
    return m_text->toPlainText();
}

void ConnectWorkerDialog::copy()
{
    QApplication::clipboard()->setText(text());
    m_copied->setText(tr("Copied."));
    Q_EMIT copied();
}
