#include "logpane.h"

#include "logforwarder.h"

#include <QFontDatabase>
#include <QTime>

LogPane::LogPane(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setMaximumBlockCount(5000);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont)); // "monospace" names no font on Windows or macOS
    connect(LogForwarder::instance(), &LogForwarder::message, this, &LogPane::append);
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
    appendPlainText(QTime::currentTime().toString(QStringLiteral("HH:mm:ss ")) + category.mid(11)
                    + QStringLiteral(": ") + level + text);
}
