#pragma once

// Asks for tasks to enqueue: kind, args as JSON checked as you type (OK stays disabled while
// they are invalid, the error is shown under the editor), count, priority, timeout and
// attempts. "Demo" fills in the classic ten random squares.

#include "task/task.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
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

    static QStringList builtInKinds();
    // Ten specs of kind square with random numbers from 0 to 99.
    static QList<TaskSpec> demoSpecs();

private:
    void validate();
    TaskSpec spec() const;

    QComboBox *m_kind;
    QPlainTextEdit *m_args;
    QLabel *m_error;
    QSpinBox *m_count;
    QSpinBox *m_priority;
    QSpinBox *m_timeout;
    QSpinBox *m_attempts;
    QDialogButtonBox *m_buttons;
    bool m_demo = false;
};
