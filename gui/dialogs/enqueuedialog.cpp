#include "enqueuedialog.h"

#include "util/jsonvalue.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonValue>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
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
    , m_requires(new QLineEdit(this))
    , m_delay(new QSpinBox(this))
    , m_retryDelay(new QSpinBox(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Enqueue tasks"));
    m_kind->setEditable(true);
    m_kind->addItems(builtInKinds());
    m_kind->setCurrentText(QStringLiteral("square"));
    m_kind->setToolTip(tr("The task kind: the built-in kinds and those the connected workers run are listed; "
                          "any name is accepted, and its tasks wait for a worker that runs it."));
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
    m_requires->setPlaceholderText(tr("none"));
    m_requires->setToolTip(tr("Tags a worker must have to run the task, separated by spaces, for example: gpu zone=eu"));
    m_delay->setRange(0, 86'400'000);
    m_delay->setSuffix(tr(" ms"));
    m_delay->setSpecialValueText(tr("none"));
    m_delay->setToolTip(tr("Do not start the task before this long from now."));
    m_retryDelay->setRange(0, int(MaxRetryDelayMs));
    m_retryDelay->setValue(int(DefaultRetryDelayMs));
    m_retryDelay->setSuffix(tr(" ms"));
    m_retryDelay->setSpecialValueText(tr("retry at once"));
    m_retryDelay->setToolTip(tr("How long to wait before the first retry after a retryable failure or a timeout; "
                                "it doubles on each further retry, with some jitter."));

    auto *form = new QFormLayout;
    form->addRow(tr("&Kind:"), m_kind);
    form->addRow(tr("&Args (JSON):"), m_args);
    form->addRow(QString(), m_error);
    form->addRow(tr("&Count:"), m_count);
    form->addRow(tr("&Priority:"), m_priority);
    form->addRow(tr("&Timeout:"), m_timeout);
    form->addRow(tr("Max &attempts:"), m_attempts);
    form->addRow(tr("&Requires tags:"), m_requires);
    form->addRow(tr("&Delay:"), m_delay);
    form->addRow(tr("Retry d&elay:"), m_retryDelay);

    QPushButton *demo = m_buttons->addButton(tr("&Demo"), QDialogButtonBox::AcceptRole);
    demo->setToolTip(tr("Enqueue ten random 'square' tasks, as in the classic example."));
    connect(demo, &QPushButton::clicked, this, [this] { m_demo = true; });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_args, &QPlainTextEdit::textChanged, this, &EnqueueDialog::validate);
    connect(m_kind, &QComboBox::currentTextChanged, this, &EnqueueDialog::validate);
    connect(m_kind, &QComboBox::currentTextChanged, this, &EnqueueDialog::showArgsHint);
    connect(m_requires, &QLineEdit::textChanged, this, &EnqueueDialog::validate);

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

void EnqueueDialog::setWorkerKinds(const QStringList &kinds)
{
    const QString current = m_kind->currentText();
    QStringList all = builtInKinds();
    for (const QString &kind : kinds) {
        if (!all.contains(kind))
            all.append(kind);
    }
    m_kind->clear();
    m_kind->addItems(all);
    m_kind->setCurrentText(current);
}

QString EnqueueDialog::argsHint(const QString &kind)
{
    if (kind == QLatin1String("square"))
        return tr("An integer, or {\"n\": 7}: the result is its square.");
    if (kind == QLatin1String("echo"))
        return tr("Any JSON value: the result is the same value.");
    if (kind == QLatin1String("sleep"))
        return tr("Milliseconds, or {\"ms\": 500}: waits that long.");
    if (kind == QLatin1String("sha256"))
        return tr("{\"path\": \"/a/file\"}: a file the worker can read; the result is its SHA-256.");
    if (kind == QLatin1String("exec"))
        return tr("{\"argv\": [\"program\", \"arg\"]}: runs the program on a worker started with --allow-exec.");
    return tr("Any JSON value: the worker's handler for this kind receives it.");
}

void EnqueueDialog::showArgsHint()
{
    m_args->setToolTip(argsHint(m_kind->currentText().trimmed()));
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
    spec.requiredTags = m_requires->text().split(QRegularExpression(QStringLiteral("[\\s,]+")), Qt::SkipEmptyParts);
    spec.delayMs = m_delay->value();
    spec.retryDelayMs = m_retryDelay->value();
    validateTaskSpec(spec); // sorts the tags; OK stays disabled while it reports an error
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
    else {
        TaskSpec checked = spec();
        error = validateTaskSpec(checked);
    }
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(error.isEmpty());
}
