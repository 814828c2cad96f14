#pragma once

// Asks for tasks to enqueue: kind, args as JSON checked as you type (OK stays disabled while
// they are invalid, the error is shown under the editor), count, priority, timeout and
// attempts, required tags, a delay and the retry delay. Instead of copies of one args value it
// can enqueue {"n": k} for each k of a range, or for random k in a range, with a random work
// time for square. "Demo" and "Classroom" fill the form in; Enqueue sends it.

#include "task/task.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QFormLayout;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

class EnqueueDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit EnqueueDialog(QWidget *parent = nullptr);

    enum Numbers { SameArgs, Range, Random };
    static constexpr int MaxTasks = 1'000'000;
    static constexpr int MaxNumber = 1'000'000'000;

    // What OK means: count copies of the spec, one task per number of the range, or count
    // random numbers. Empty while the form is invalid.
    QList<TaskSpec> specs() const;
    // "line 3, column 7: missing comma", or "" when text is one JSON value.
    static QString jsonError(const QByteArray &text);

    // For tests and presets.
    QComboBox *kindBox() const { return m_kind; }
    QPlainTextEdit *argsEdit() const { return m_args; }
    QSpinBox *countBox() const { return m_count; }
    QLabel *errorLabel() const { return m_error; }
    QDialogButtonBox *buttons() const { return m_buttons; }
    QComboBox *numbersBox() const { return m_numbers; }
    QSpinBox *fromBox() const { return m_from; }
    QSpinBox *toBox() const { return m_to; }
    QSpinBox *workMinBox() const { return m_workMin; }
    QSpinBox *workMaxBox() const { return m_workMax; }
    QPushButton *demoButton() const { return m_demoButton; }
    QPushButton *classroomButton() const { return m_classroomButton; }
    // The presets: ten random squares of 0 to 99, or twenty that each take 300 to 800 ms.
    void fillDemo();
    void fillClassroom();

    QLineEdit *requiresEdit() const { return m_requires; }
    QSpinBox *delayBox() const { return m_delay; }
    QSpinBox *retryDelayBox() const { return m_retryDelay; }
    // Offers these kinds (those the connected workers run) after the built-in ones.
    void setWorkerKinds(const QStringList &kinds);

    static QStringList builtInKinds();
    static QString argsHint(const QString &kind);
    // Ten specs of kind square with random numbers from 0 to 99 (the Ctrl+D action).
    static QList<TaskSpec> demoSpecs();

private:
    void validate();
    void showArgsHint();
    void showNumbersRows();
    TaskSpec spec() const;
    QString numbersError() const;
    // Only square takes a work time, and only for generated numbers.
    bool takesWorkTime() const;

    QComboBox *m_kind;
    QPlainTextEdit *m_args;
    QLabel *m_error;
    QSpinBox *m_count;
    QSpinBox *m_priority;
    QSpinBox *m_timeout;
    QSpinBox *m_attempts;
    QLineEdit *m_requires;
    QSpinBox *m_delay;
    QSpinBox *m_retryDelay;
    QComboBox *m_numbers;
    QSpinBox *m_from;
    QSpinBox *m_to;
    QSpinBox *m_workMin;
    QSpinBox *m_workMax;
    QDialogButtonBox *m_buttons;
    QPushButton *m_demoButton;
    QPushButton *m_classroomButton;
    QFormLayout *m_form;
    QWidget *m_rangeRow;
    QWidget *m_workRow;
};
