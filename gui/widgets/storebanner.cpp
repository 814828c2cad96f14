#include "storebanner.h"

#include "master/scheduler.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>

StoreBanner::StoreBanner(Scheduler *scheduler, QWidget *parent) : QFrame(parent), m_label(new QLabel(this))
{
    setObjectName(QStringLiteral("storeBanner"));
    setFrameShape(QFrame::StyledPanel);
    // Warm but readable in light and dark themes alike; the icon carries the meaning too.
    setStyleSheet(QStringLiteral("#storeBanner { background: #f8d7a8; color: #3a2200; border: 1px solid #c77700; }"));
    auto *icon = new QLabel(this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(24, 24));
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(icon);
    layout->addWidget(m_label, 1);
    connect(scheduler, &Scheduler::storeFailed, this, &StoreBanner::setFailure);
    setFailure(scheduler->storeFailure());
}

QString StoreBanner::text() const
{
    return m_label->text();
}

void StoreBanner::setFailure(const QString &failure)
{
    m_label->setText(tr("Tasks cannot be saved: %1. New tasks are not kept, and results stay in memory until the disk "
                        "has room; closing the window now loses them.")
                             .arg(failure));
    setVisible(!failure.isEmpty());
}
