#include "logpane.h"

#include "logforwarder.h"
#include "viewzoom.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextCursor>
#include <QTime>
#include <QVBoxLayout>

LogPane::LogPane(QWidget *parent)
    : QWidget(parent)
    , m_filter(new QLineEdit(this))
    , m_clear(new QPushButton(tr("&Clear"), this))
    , m_view(new QPlainTextEdit(this))
{
    m_filter->setPlaceholderText(tr("Filter the log"));
    m_filter->setToolTip(tr("Show only the lines that contain this text, in any case."));
    m_filter->setClearButtonEnabled(true);
    m_clear->setToolTip(tr("Forget the lines shown so far"));
    m_view->setReadOnly(true);
    // The kept lines are the bound; the view never holds more than they are.
    m_view->setMaximumBlockCount(MaxLines);
    m_view->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_view->setFont(ViewZoom::fixedFont(this)); // "monospace" names no font on Windows or macOS

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_clear);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(bar);
    layout->addWidget(m_view);

    connect(m_filter, &QLineEdit::textChanged, this, &LogPane::showMatching);
    connect(m_clear, &QPushButton::clicked, this, &LogPane::clear);
    connect(LogForwarder::instance(), &LogForwarder::message, this, &LogPane::append);
}

void LogPane::changeEvent(QEvent *event)
{
    // The view's own fixed-width font does not follow the window's zoom by itself.
    if (event->type() == QEvent::FontChange)
        m_view->setFont(ViewZoom::fixedFont(this));
    QWidget::changeEvent(event);
}

void LogPane::append(int type, const QString &category, const QString &text)
{
    QString level;
    switch (QtMsgType(type)) {
    case QtWarningMsg: level = tr("warning: "); break;
    case QtCriticalMsg:
    case QtFatalMsg: level = tr("error: "); break;
    default: break;
    }
    QString line = QTime::currentTime().toString(QStringLiteral("HH:mm:ss ")) + category.mid(11) + QStringLiteral(": ")
            + level + text;
    if (matches(line))
        m_view->appendPlainText(line);
    m_lines.push_back(std::move(line));
    if (m_lines.size() > size_t(MaxLines))
        m_lines.pop_front();
}

QString LogPane::toPlainText() const
{
    return m_view->toPlainText();
}

bool LogPane::matches(const QString &line) const
{
    return line.contains(m_filter->text(), Qt::CaseInsensitive);
}

void LogPane::showMatching()
{
    QStringList shown;
    for (const QString &line : m_lines) {
        if (matches(line))
            shown.append(line);
    }
    m_view->setPlainText(shown.join(QLatin1Char('\n')));
    m_view->moveCursor(QTextCursor::End);
}

void LogPane::clear()
{
    m_lines.clear();
    m_view->clear();
}
