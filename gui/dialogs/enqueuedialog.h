#pragma once

// Asks for tasks to enqueue: kind, args as JSON checked as you type (OK stays disabled while
// they are invalid, the error is shown under the editor), count, priority, timeout and
// attempts, required tags, a delay and the retry delay. "Demo" fills in the classic ten random
// squares.

#include "task/task.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

class EnqueueDialog final : public QDialog
{
    Q_OBJECT

public:
    explicit EnqueueDialog(QWidget *parent = nullptr);

    // What OK means: count copies of the spec, or the demo's ten squares.
    QList<TaskSpec> specs() const;

    // For tests and presets.
    QComboBox *kindBox() const { return m_kind; }
    QPlainTextEdit *argsEdit() const { return m_args; }
    QSpinBox *countBox() const { return m_count; }
    QLabel *errorLabel() const { return m_error; }
    QDialogButtonBox *buttons() const { return m_buttons; }

    QLineEdit *requiresEdit() const { return m_requires; }
    QSpinBox *delayBox() const { return m_delay; }
    QSpinBox *retryDelayBox() const { return m_retryDelay; }
    // Offers these kinds (those the connected workers run) after the built-in ones.
    void setWorkerKinds(const QStringList &kinds);

    static QStringList builtInKinds();
    static QString argsHint(const QString &kind);
    // Ten specs of kind square with random numbers from 0 to 99.
    static QList<TaskSpec> demoSpecs();

private:
    void validate();
    void showArgsHint();
    TaskSpec spec() const;

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
    QDialogButtonBox *m_buttons;
    bool m_demo = false;
};
