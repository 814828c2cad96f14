#pragma once

// The log of this master (the taskmaster.* categories): the last few thousand lines, so a
// chatty run cannot grow it without bound, narrowed by a case-insensitive filter and cleared
// on request.

#include <QWidget>

#include <deque>

class QLineEdit;
class QPlainTextEdit;
class QPushButton;

class LogPane final : public QWidget
{
    Q_OBJECT

public:
    // Lines kept; older ones are dropped, filtered or not.
    static constexpr int MaxLines = 5000;

    explicit LogPane(QWidget *parent = nullptr);

    void append(int type, const QString &category, const QString &text);
    // The lines shown: those kept that the filter lets through.
    QString toPlainText() const;
    int keptLineCount() const { return int(m_lines.size()); }
    QLineEdit *filterField() const { return m_filter; }
    QPushButton *clearButton() const { return m_clear; }
    QPlainTextEdit *view() const { return m_view; }

protected:
    void changeEvent(QEvent *event) override;

private:
    bool matches(const QString &line) const;
    void showMatching();
    void clear();

    QLineEdit *m_filter;
    QPushButton *m_clear;
    QPlainTextEdit *m_view;
    std::deque<QString> m_lines;
};
