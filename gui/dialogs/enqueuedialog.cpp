#include "enqueuedialog.h"

#include "util/jsonvalue.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonValue>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QVBoxLayout>

EnqueueDialog::EnqueueDialog(QWidget *parent)
    : QDialog(parent)
    , m_kind(new QComboBox(this))
    , m_args(new QPlainTextEdit(this))
    , m_error(new QLabel(this))
    , m_count(new QSpinBox(this))
    , m_priority(new QSpinBox(this))
    , m_timeout(new QSpinBox(this))
    , m_attempts(new QSpinBox(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Enqueue tasks"));
    m_kind->setEditable(true);
    m_kind->addItems(builtInKinds());
    m_kind->setCurrentText(QStringLiteral("square"));
    m_kind->setToolTip(tr("The task kind; workers run the built-in kinds, any name is accepted."));
    m_args->setPlainText(QStringLiteral("7"));
    m_args->setToolTip(tr("The task's arguments as any JSON value, for example 7 or {\"ms\": 500}."));
    m_args->setTabChangesFocus(true);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c62828"));
    m_count->setRange(1, 1'000'000);
    m_count->setToolTip(tr("How many copies of this task to enqueue."));
    m_priority->setRange(-1'000'000, 1'000'000);
    m_priority->setToolTip(tr("Higher priorities run first."));
    m_timeout->setRange(0, 86'400'000);
    m_timeout->setSuffix(tr(" ms"));
    m_timeout->setSpecialValueText(tr("none"));
    m_timeout->setToolTip(tr("How long one attempt may run; 0 for no limit."));
    m_attempts->setRange(1, 100);
    m_attempts->setValue(DefaultMaxAttempts);
    m_attempts->setToolTip(tr("How many times the task is tried before it fails."));

    auto *form = new QFormLayout;
    form->addRow(tr("&Kind:"), m_kind);
    form->addRow(tr("&Args (JSON):"), m_args);
    form->addRow(QString(), m_error);
    form->addRow(tr("&Count:"), m_count);
    form->addRow(tr("&Priority:"), m_priority);
    form->addRow(tr("&Timeout:"), m_timeout);
    form->addRow(tr("Max &attempts:"), m_attempts);

    QPushButton *demo = m_buttons->addButton(tr("&Demo"), QDialogButtonBox::AcceptRole);
    demo->setToolTip(tr("Enqueue ten random 'square' tasks, as in the classic example."));
    connect(demo, &QPushButton::clicked, this, [this] { m_demo = true; });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_args, &QPlainTextEdit::textChanged, this, &EnqueueDialog::validate);
    connect(m_kind, &QComboBox::currentTextChanged, this, &EnqueueDialog::validate);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    validate();
}

QStringList EnqueueDialog::builtInKinds()
{
    return {QStringLiteral("square"), QStringLiteral("echo"), QStringLiteral("sleep"), QStringLiteral("sha256"),
            QStringLiteral("exec")};
}

QList<TaskSpec> EnqueueDialog::demoSpecs()
{
    QList<TaskSpec> specs;
    for (int i = 0; i < 10; ++i) {
        TaskSpec spec;
        spec.kind = QStringLiteral("square");
        spec.args = QByteArray::number(QRandomGenerator::global()->bounded(100));
        specs.append(spec);
    }
    return specs;
}

TaskSpec EnqueueDialog::spec() const
{
    TaskSpec spec;
    spec.kind = m_kind->currentText().trimmed();
    QJsonValue value;
    if (JsonValue::parse(m_args->toPlainText().trimmed().toUtf8(), &value))
        spec.args = JsonValue::serialize(value);
    else
        spec.args = m_args->toPlainText().toUtf8();
    spec.priority = m_priority->value();
    spec.timeoutMs = m_timeout->value();
    spec.maxAttempts = m_attempts->value();
    return spec;
}

QList<TaskSpec> EnqueueDialog::specs() const
{
    if (m_demo)
        return demoSpecs();
    return QList<TaskSpec>(m_count->value(), spec());
}

void EnqueueDialog::validate()
{
    QString error;
    QJsonValue value;
    if (!JsonValue::parse(m_args->toPlainText().trimmed().toUtf8(), &value, &error))
        error = tr("Args are not valid JSON: %1").arg(error);
    else
        error = validateTaskSpec(spec());
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(error.isEmpty());
}
