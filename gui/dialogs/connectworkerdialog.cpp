#include "connectworkerdialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace {

// Quotes for a POSIX shell when the argument needs it.
QString shellQuote(const QString &arg)
{
    static const QString safe = QStringLiteral("@%+=:,./-_");
    const bool plain = !arg.isEmpty() && std::all_of(arg.begin(), arg.end(), [](QChar c) {
        return c.isLetterOrNumber() || safe.contains(c);
    });
    if (plain)
        return arg;
    QString quoted = arg;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

} // namespace

ConnectWorkerDialog::ConnectWorkerDialog(const QString &commandLine, QWidget *parent)
    : QDialog(parent)
    , m_text(new QPlainTextEdit(commandLine, this))
{
    setWindowTitle(tr("Connect a worker"));
    auto *intro = new QLabel(tr("Copy the key file to the worker's machine (readable by its user only), "
                                "then run this there. Replace the host with this machine's name or "
                                "address as the worker sees it."),
                             this);
    intro->setWordWrap(true);
    m_text->setReadOnly(true);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont)); // "monospace" names no font on Windows or macOS
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *copy = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
    copy->setToolTip(tr("Copy the command line to the clipboard."));
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(text()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_text);
    layout->addWidget(buttons);
    resize(640, 220);
}

QString ConnectWorkerDialog::commandLine(const QString &host, quint16 port, const QString &keyFile,
                                         const QByteArray &tlsFingerprint)
{
    QString line = QStringLiteral("taskworker --host %1 --port %2 --authkey-file %3")
                           .arg(shellQuote(host))
                           .arg(port)
                           .arg(shellQuote(keyFile));
    if (!tlsFingerprint.isEmpty())
        line += QStringLiteral(" --tls --tls-fingerprint ") + QString::fromLatin1(tlsFingerprint);
    return line;
}

QString ConnectWorkerDialog::text() const
{
    return m_text->toPlainText();
}
