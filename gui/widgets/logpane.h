#pragma once

// The log of this master (the taskmaster.* categories) in a read-only view capped at a few
// thousand lines, so a chatty run cannot grow it without bound.

#include <QPlainTextEdit>

class LogPane final : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit LogPane(QWidget *parent = nullptr);

    void append(int type, const QString &category, const QString &text);
};
