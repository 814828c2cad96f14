#include "enqueuedialog.h"

#include "util/jsonvalue.h"
#include "worker/handlers/squarehandler.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
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
    , m_numbers(new QComboBox(this))
    , m_from(new QSpinBox(this))
    , m_to(new QSpinBox(this))
    , m_workMin(new QSpinBox(this))
    , m_workMax(new QSpinBox(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
    , m_demoButton(m_buttons->addButton(tr("&Demo"), QDialogButtonBox::ActionRole))
    , m_classroomButton(m_buttons->addButton(tr("C&lassroom"), QDialogButtonBox::ActionRole))
    , m_form(new QFormLayout)
    , m_rangeRow(new QWidget(this))
    , m_workRow(new QWidget(this))
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
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Enqueue"));
    m_numbers->addItem(tr("Copies of the args"), SameArgs);
    m_numbers->addItem(tr("Each number from a range"), Range);
    m_numbers->addItem(tr("Random numbers from a range"), Random);
    m_numbers->setToolTip(tr("A range or random numbers enqueue {\"n\": number} for each number."));
    for (QSpinBox *box : {m_from, m_to})
        box->setRange(-MaxNumber, MaxNumber);
    m_to->setValue(9);
    m_from->setToolTip(tr("The first number of the range."));
    m_to->setToolTip(tr("The last number of the range, included."));
    for (QSpinBox *box : {m_workMin, m_workMax}) {
        box->setRange(0, int(SquareHandler::MaxDelayMs));
        box->setSuffix(tr(" ms"));
    }
    m_workMin->setSpecialValueText(tr("none"));
    m_workMin->setToolTip(tr("Each square takes a random time from this to the next value, so you can watch the work spread."));
    m_workMax->setToolTip(m_workMin->toolTip());
    auto *range = new QHBoxLayout(m_rangeRow);
    range->setContentsMargins(0, 0, 0, 0);
    range->addWidget(m_from);
    range->addWidget(new QLabel(tr("to"), m_rangeRow));
    range->addWidget(m_to);
    auto *work = new QHBoxLayout(m_workRow);
    work->setContentsMargins(0, 0, 0, 0);
    work->addWidget(m_workMin);
    work->addWidget(new QLabel(tr("to"), m_workRow));
    work->addWidget(m_workMax);
    m_count->setRange(1, MaxTasks);
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

    QFormLayout *form = m_form;
    form->addRow(tr("&Kind:"), m_kind);
    form->addRow(tr("&Numbers:"), m_numbers);
    form->addRow(tr("&Args (JSON):"), m_args);
    form->addRow(tr("&From:"), m_rangeRow);
    form->addRow(tr("&Work time:"), m_workRow);
    form->addRow(QString(), m_error);
    form->addRow(tr("&Count:"), m_count);
    form->addRow(tr("&Priority:"), m_priority);
    form->addRow(tr("&Timeout:"), m_timeout);
    form->addRow(tr("Max &attempts:"), m_attempts);
    form->addRow(tr("&Requires tags:"), m_requires);
    form->addRow(tr("&Delay:"), m_delay);
    form->addRow(tr("Retry d&elay:"), m_retryDelay);

    m_demoButton->setToolTip(tr("Fill in ten random 'square' tasks, as in the classic example; then press Enqueue."));
    m_classroomButton->setToolTip(tr("Fill in twenty random squares that each take 300 to 800 ms, so students can "
                                     "watch them spread over the workers; then press Enqueue."));
    connect(m_demoButton, &QPushButton::clicked, this, &EnqueueDialog::fillDemo);
    connect(m_classroomButton, &QPushButton::clicked, this, &EnqueueDialog::fillClassroom);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_args, &QPlainTextEdit::textChanged, this, &EnqueueDialog::validate);
    connect(m_kind, &QComboBox::currentTextChanged, this, &EnqueueDialog::validate);
    connect(m_kind, &QComboBox::currentTextChanged, this, &EnqueueDialog::showArgsHint);
    connect(m_requires, &QLineEdit::textChanged, this, &EnqueueDialog::validate);
    connect(m_numbers, &QComboBox::currentIndexChanged, this, &EnqueueDialog::showNumbersRows);
    connect(m_kind, &QComboBox::currentTextChanged, this, &EnqueueDialog::showNumbersRows);
    for (QSpinBox *box : {m_from, m_to, m_workMin, m_workMax, m_count})
        connect(box, &QSpinBox::valueChanged, this, &EnqueueDialog::validate);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_buttons);
    showNumbersRows();
}

void EnqueueDialog::fillDemo()
{
    m_kind->setCurrentText(QStringLiteral("square"));
    m_numbers->setCurrentIndex(m_numbers->findData(Random));
    m_from->setValue(0);
    m_to->setValue(99);
    m_count->setValue(10);
    m_workMin->setValue(0);
    m_workMax->setValue(0);
}

void EnqueueDialog::fillClassroom()
{
    fillDemo();
    m_count->setValue(20);
    m_workMin->setValue(300);
    m_workMax->setValue(800);
}

void EnqueueDialog::showNumbersRows()
{
    const bool numbers = m_numbers->currentData().toInt() != SameArgs;
    m_form->setRowVisible(m_args, !numbers);
    m_form->setRowVisible(m_rangeRow, numbers);
    // Only square takes a work time.
    m_form->setRowVisible(m_workRow, takesWorkTime());
    // A range makes one task per number; the count is for copies and random numbers.
    m_count->setEnabled(m_numbers->currentData().toInt() != Range);
    validate();
}

bool EnqueueDialog::takesWorkTime() const
{
    return m_numbers->currentData().toInt() != SameArgs && m_kind->currentText().trimmed() == QLatin1String("square");
}

QString EnqueueDialog::numbersError() const
{
    const int mode = m_numbers->currentData().toInt();
    if (mode == SameArgs)
        return {};
    if (m_from->value() > m_to->value())
        return tr("The range starts at %1, after its end %2: the first number must not be larger than the last.")
                .arg(m_from->value())
                .arg(m_to->value());
    const qint64 size = qint64(m_to->value()) - m_from->value() + 1;
    if (mode == Range && size > MaxTasks)
        return tr("The range holds %1 numbers; at most %2 tasks are enqueued at once.").arg(size).arg(MaxTasks);
    if (takesWorkTime() && m_workMin->value() > m_workMax->value())
        return tr("The work time starts at %1 ms, after its end %2 ms.").arg(m_workMin->value()).arg(m_workMax->value());
    return {};
}

QString EnqueueDialog::jsonError(const QByteArray &text)
{
    // The same wrapping as JsonValue::parse, so that any JSON value is accepted.
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "\n]", &parseError);
    if (parseError.error == QJsonParseError::NoError) {
        const qsizetype values = doc.array().size();
        return values == 1 ? QString() : values == 0 ? tr("there are no args: enter a JSON value, for example 7")
                                                     : tr("more than one JSON value");
    }
    // The offset is in bytes of the wrapped text; lines and columns count characters.
    const qsizetype at = qBound(qsizetype(0), qsizetype(parseError.offset) - 1, text.size());
    const QByteArray before = text.left(at);
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    const qsizetype line = before.count('\n') + 1;
    const qsizetype column = QString::fromUtf8(before.mid(lineStart)).size() + 1;
    QString what;
    switch (parseError.error) {
    case QJsonParseError::UnterminatedObject: what = tr("missing comma or } in an object"); break;
    case QJsonParseError::MissingNameSeparator: what = tr("missing colon after a name"); break;
    case QJsonParseError::UnterminatedArray: what = tr("an array is not closed with ]"); break;
    case QJsonParseError::MissingValueSeparator: what = tr("missing comma"); break;
    case QJsonParseError::IllegalValue: what = tr("not a JSON value (text must be in double quotes)"); break;
    case QJsonParseError::TerminationByNumber: what = tr("the text ends inside a number"); break;
    case QJsonParseError::IllegalNumber: what = tr("not a valid number"); break;
    case QJsonParseError::IllegalEscapeSequence: what = tr("an invalid escape sequence"); break;
    case QJsonParseError::IllegalUTF8String: what = tr("invalid UTF-8 in a string"); break;
    case QJsonParseError::UnterminatedString: what = tr("a string is not closed with \""); break;
    case QJsonParseError::MissingObject: what = tr("an object was expected"); break;
    case QJsonParseError::DeepNesting: what = tr("nested too deeply"); break;
    default: what = tr("not valid JSON"); break;
    }
    return tr("line %1, column %2: %3").arg(line).arg(column).arg(what);
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
    if (!m_buttons->button(QDialogButtonBox::Ok)->isEnabled())
        return {};
    const int mode = m_numbers->currentData().toInt();
    if (mode == SameArgs)
        return QList<TaskSpec>(m_count->value(), spec());
    const TaskSpec base = spec();
    const bool work = takesWorkTime() && m_workMax->value() > 0;
    QRandomGenerator *random = QRandomGenerator::global();
    const qint64 count = mode == Range ? qint64(m_to->value()) - m_from->value() + 1 : m_count->value();
    QList<TaskSpec> specs;
    specs.reserve(count);
    for (qint64 i = 0; i < count; ++i) {
        const qint64 n = mode == Range ? m_from->value() + i : random->bounded(qint64(m_from->value()), qint64(m_to->value()) + 1);
        QJsonObject args{{QStringLiteral("n"), n}};
        if (work)
            args.insert(QStringLiteral("ms"), random->bounded(qint64(m_workMin->value()), qint64(m_workMax->value()) + 1));
        TaskSpec one = base;
        one.args = JsonValue::serialize(args);
        specs.append(one);
    }
    return specs;
}

void EnqueueDialog::validate()
{
    const bool sameArgs = m_numbers->currentData().toInt() == SameArgs;
    QString error = numbersError();
    if (error.isEmpty() && sameArgs) {
        error = jsonError(m_args->toPlainText().toUtf8());
        if (!error.isEmpty())
            error = tr("Args are not valid JSON: %1").arg(error);
    }
    if (error.isEmpty()) {
        TaskSpec checked = spec();
        if (!sameArgs)
            checked.args = "{\"n\":0}"; // the shape every generated task has
        error = validateTaskSpec(checked);
    }
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(error.isEmpty());
}
