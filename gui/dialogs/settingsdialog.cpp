#include "settingsdialog.h"

#include "tls/tls.h"
#include "util/mastersettings.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

SettingsDialog::SettingsDialog(const QString &address, quint16 port, const QByteArray &key, QWidget *parent,
                               const QString &tlsCertificate, const QString &tlsKey)
    : QDialog(parent)
    , m_address(new QLineEdit(address, this))
    , m_port(new QSpinBox(this))
    , m_key(new QLineEdit(QString::fromUtf8(key), this))
    , m_tlsCertificate(new QLineEdit(tlsCertificate, this))
    , m_tlsKey(new QLineEdit(tlsKey, this))
    , m_error(new QLabel(this))
    , m_generate(new QPushButton(tr("&Generate"), this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
    , m_savedKey(QString::fromUtf8(key))
{
    setWindowTitle(tr("Server settings"));
    m_address->setToolTip(tr("127.0.0.1 accepts workers on this machine only; 0.0.0.0 or :: accepts remote workers."));
    m_port->setRange(0, 65535);
    m_port->setValue(port);
    m_port->setSpecialValueText(tr("any free port"));
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setToolTip(tr("Workers must present the same key. It is kept in a file only you can read."));
    m_tlsCertificate->setPlaceholderText(tr("none: connections are not encrypted"));
    m_tlsCertificate->setToolTip(tr("A PEM certificate (chain) file. With it, every connection uses TLS and workers "
                                    "need --tls with --ca or --tls-fingerprint."));
    m_tlsKey->setPlaceholderText(tr("the certificate's private key (PEM)"));
    m_tlsKey->setToolTip(tr("The PEM private key file that belongs to the certificate."));
    m_error->setStyleSheet(QStringLiteral("color: #c62828"));
    m_error->setWordWrap(true);

    m_generate->setToolTip(tr("Replace the key with 32 random bytes from the system's generator."));
    auto *show = new QPushButton(tr("&Show"), this);
    show->setCheckable(true);
    show->setToolTip(tr("Show or hide the key."));
    auto *copy = new QPushButton(tr("&Copy"), this);
    copy->setToolTip(tr("Copy the key to the clipboard."));
    connect(m_generate, &QPushButton::clicked, this, &SettingsDialog::generate);
    connect(show, &QPushButton::toggled, this, [this, show](bool on) {
        m_key->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password);
        show->setText(on ? tr("&Hide") : tr("&Show"));
    });
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_key->text()); });

    auto *keyRow = new QHBoxLayout;
    keyRow->addWidget(m_key, 1);
    keyRow->addWidget(m_generate);
    keyRow->addWidget(show);
    keyRow->addWidget(copy);
    auto *form = new QFormLayout;
    form->addRow(tr("&Bind address:"), m_address);
    form->addRow(tr("&Port:"), m_port);
    form->addRow(tr("&Authkey:"), keyRow);
    form->addRow(tr("TLS &certificate:"), m_tlsCertificate);
    form->addRow(tr("TLS private &key:"), m_tlsKey);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_address, &QLineEdit::textChanged, this, &SettingsDialog::validate);
    connect(m_key, &QLineEdit::textChanged, this, &SettingsDialog::validate);
    connect(m_tlsCertificate, &QLineEdit::textChanged, this, &SettingsDialog::validate);
    connect(m_tlsKey, &QLineEdit::textChanged, this, &SettingsDialog::validate);
    validate();
}

QString SettingsDialog::address() const
{
    return m_address->text().trimmed();
}

quint16 SettingsDialog::port() const
{
    return quint16(m_port->value());
}

QByteArray SettingsDialog::key() const
{
    return m_key->text().toUtf8();
}

QString SettingsDialog::tlsCertificateFile() const
{
    return m_tlsCertificate->text().trimmed();
}

QString SettingsDialog::tlsKeyFile() const
{
    return m_tlsKey->text().trimmed();
}

void SettingsDialog::generate()
{
    if (!m_savedKey.isEmpty() && m_key->text() == m_savedKey) {
        const QString title = tr("Generate a new authkey?");
        const QString text = tr("Once saved, the new key replaces the current one: every copy of the current key "
                                "given to remote workers and clients stops working for new connections.");
        const QString goAhead = tr("&Generate");
        bool yes = false;
        if (m_confirm) {
            yes = m_confirm(title, text, goAhead);
        }
        else {
            QMessageBox box(QMessageBox::Question, title, text, QMessageBox::Cancel, this);
            QPushButton *generate = box.addButton(goAhead, QMessageBox::AcceptRole);
            box.setDefaultButton(QMessageBox::Cancel);
            box.exec();
            yes = box.clickedButton() == generate;
        }
        if (!yes)
            return;
    }
    m_key->setText(QString::fromLatin1(MasterSettings::generateKey()));
}

void SettingsDialog::validate()
{
    QString error = MasterSettings::validateBindAddress(address());
    if (error.isEmpty() && m_key->text().size() < 16)
        error = tr("The authkey must be at least 16 characters; use Generate for a strong one.");
    if (error.isEmpty() && tlsCertificateFile().isEmpty() != tlsKeyFile().isEmpty())
        error = tr("Give both the TLS certificate and its private key, or neither.");
    if (error.isEmpty() && !tlsCertificateFile().isEmpty()) {
        QSslConfiguration tls;
        Tls::loadServerConfiguration(tlsCertificateFile(), tlsKeyFile(), &tls, &error);
    }
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(error.isEmpty());
}
