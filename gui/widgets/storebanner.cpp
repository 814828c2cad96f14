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
    m_label->setTextFormat(Qt::RichText);
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
    m_failure = failure.isEmpty() ? QString()
                                  : tr("Tasks cannot be saved: %1. New tasks are not kept, and results stay in memory "
                                       "until the disk has room; closing the window now loses them.")
                                            .arg(failure);
    refresh();
}

void StoreBanner::setMemoryOnly(const QString &why, bool heldByAnother)
{
    if (why.isEmpty())
        m_memoryOnly.clear();
    else if (heldByAnother)
        m_memoryOnly = tr("<b>Taskmaster is already running.</b> This window is a second instance: another Taskmaster "
                          "holds the task store, so the tasks of this window are kept in memory only and are lost "
                          "when it closes. Use the other window, or start this one with --data-dir to run a second "
                          "queue of its own. (%1)")
                               .arg(why.toHtmlEscaped());
    else
        m_memoryOnly = tr("Tasks are kept in memory only this time, and are lost when this window closes: %1")
                               .arg(why.toHtmlEscaped());
    refresh();
}

void StoreBanner::refresh()
{
    // A failure to write says what is at stake now; a session in memory only, what always is.
    m_label->setText(m_failure.isEmpty() ? m_memoryOnly : m_failure.toHtmlEscaped());
    setVisible(!m_label->text().isEmpty());
}
