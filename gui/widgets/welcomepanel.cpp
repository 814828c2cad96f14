#include "welcomepanel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

WelcomePanel::WelcomePanel(QSettings *settings, QWidget *parent)
    : QFrame(parent)
    , m_settings(settings)
{
    setObjectName(QStringLiteral("welcomePanel"));
    setFrameShape(QFrame::StyledPanel);
    auto *title = new QLabel(tr("<b>Welcome to Taskmaster.</b> No task has been queued yet; to begin:"), this);
    title->setWordWrap(true);
    const auto button = [this](const QString &name, const QString &text, void (WelcomePanel::*signal)()) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(name);
        connect(b, &QPushButton::clicked, this, signal);
        return b;
    };
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(button(QStringLiteral("welcomeDemo"), tr("Press Ctrl+D for the demo"), &WelcomePanel::demoRequested));
    buttons->addWidget(button(QStringLiteral("welcomeStartLocal"), tr("Start local workers…"),
                              &WelcomePanel::startLocalRequested));
    buttons->addWidget(button(QStringLiteral("welcomeConnect"), tr("Connect a remote worker…"),
                              &WelcomePanel::connectRequested));
    buttons->addStretch(1);
    auto *dismissButton = new QPushButton(tr("&Dismiss"), this);
    dismissButton->setObjectName(QStringLiteral("welcomeDismiss"));
    dismissButton->setToolTip(tr("Hide this panel for good."));
    connect(dismissButton, &QPushButton::clicked, this, &WelcomePanel::dismiss);
    buttons->addWidget(dismissButton);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(buttons);
    setVisible(!m_settings->value(QLatin1String(DoneKey), false).toBool());
}

void WelcomePanel::setHasTasks(bool hasTasks)
{
    if (hasTasks && !isHidden())
        dismiss();
}

void WelcomePanel::dismiss()
{
    m_settings->setValue(QLatin1String(DoneKey), true);
    hide();
}
