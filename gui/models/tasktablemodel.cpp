#include "tasktablemodel.h"

#include "master/scheduler.h"
#include "models/taskstatestyle.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QLocale>
#include <QTimer>

#include <algorithm>
#include <utility>

namespace {

// How long the scan for a new order or filter may hold the event loop before it yields.
constexpr qint64 SliceMs = 5;

QString elide(const QByteArray &text, int max = 200)
{
    QString s = QString::fromUtf8(text.left(max * 4));
    if (s.size() > max)
        s = s.left(max) + QChar(0x2026);
    return s;
}

// Ids mostly arrive in increasing order, which std::sort passes over quickly.
void sortUnique(std::vector<quint64> &ids)
{
    if (!std::is_sorted(ids.begin(), ids.end()))
        std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

} // namespace

struct TaskTableModel::Job {
    quint64 generation = 0;
    TaskFilter filter;
    TaskOrder order;
    quint64 next = 0; // the next id to read
    quint64 end = 0; // tasks from here on were added after the job began: they arrive as changes
    std::shared_ptr<TaskOrder::KeySnapshot> keys;
    std::vector<quint64> changed; // tasks changed since the job began, to be placed again at the end
};

TaskTableModel::TaskTableModel(Scheduler *scheduler, QObject *parent)
    : QAbstractTableModel(parent)
    , m_scheduler(scheduler)
    , m_timer(new QTimer(this))
{
    m_sorter.setMaxThreadCount(1);
    m_timer->setSingleShot(true);
    m_timer->setInterval(100);
    connect(m_timer, &QTimer::timeout, this, &TaskTableModel::flush);
    connect(scheduler, &Scheduler::tasksChanged, this, &TaskTableModel::noteChanged);
    connect(scheduler, &Scheduler::tasksRemoved, this, &TaskTableModel::noteChanged);
    // A result is shown once it is on disk, as a client is told: until then its row says so.
    connect(scheduler, &Scheduler::tasksFinished, this, [this](const QList<quint64> &ids) {
        for (quint64 id : ids)
            m_saving.insert(id);
        m_scheduler->whenDurable(this, [this, ids] {
            for (quint64 id : ids)
                m_saving.remove(id);
            noteChanged(ids);
        });
    });
    // Whether a queued task waits for a worker changes with the fleet, not with the task.
    const auto fleetChanged = [this] {
        if (rowCount() > 0)
            Q_EMIT dataChanged(index(0, ResultColumn), index(rowCount() - 1, ResultColumn), {Qt::DisplayRole, Qt::ToolTipRole});
    };
    connect(scheduler, &Scheduler::workerAdded, this, fleetChanged);
    connect(scheduler, &Scheduler::workerRemoved, this, fleetChanged);

    // Tasks that were there before the model, in id order.
    std::vector<quint64> ids;
    ids.reserve(size_t(scheduler->store().size()));
    scheduler->store().forEach([&ids](const Task &task) { ids.push_back(task.id); });
    m_rows.assign(std::move(ids));
}

TaskTableModel::~TaskTableModel()
{
    m_job.reset();
    m_sorter.waitForDone(); // a sort still running posts its result to this object
}

void TaskTableModel::setCoalesceInterval(int ms)
{
    m_timer->setInterval(ms);
}

int TaskTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows.size();
}

int TaskTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const Task *TaskTableModel::task(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return nullptr;
    return m_scheduler->task(m_rows.id(row));
}

QVariant TaskTableModel::data(const QModelIndex &index, int role) const
{
    const Task *t = index.isValid() ? task(index.row()) : nullptr;
    if (!t)
        return {};
    switch (role) {
    case TaskIdRole:
        return QVariant::fromValue(t->id);
    case StateRole:
        return int(t->state);
    case Qt::DecorationRole:
        return index.column() == StateColumn ? QVariant(TaskStateStyle::icon(t->state)) : QVariant();
    case Qt::ForegroundRole:
        if (index.column() != StateColumn)
            return {};
        // A command that exited non-zero is not shown as a plain success.
        return TaskStateStyle::colour(TaskStateStyle::commandProblem(*t).isEmpty() ? t->state : TaskState::Failed);
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case IdColumn: case PriorityColumn: case AttemptsColumn: case DurationColumn:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return {};
        }
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case IdColumn: return QString::number(t->id);
        case KindColumn: return t->spec.kind;
        case ArgsColumn: return elide(t->spec.args);
        case StateColumn:
            if (const QString problem = TaskStateStyle::commandProblem(*t); !problem.isEmpty())
                return tr("%1, %2").arg(TaskStateStyle::label(t->state), problem);
            return TaskStateStyle::label(t->state);
        case PriorityColumn: return QString::number(t->spec.priority);
        case WorkerColumn: return t->worker;
        case AttemptsColumn: return QStringLiteral("%1/%2").arg(t->attempts).arg(t->spec.maxAttempts);
        case DurationColumn: return TaskStateStyle::duration(t->durationMicros());
        case ResultColumn:
            if (isFinished(t->state) && m_saving.contains(t->id))
                return tr("saving to disk…");
            if (t->state == TaskState::Done)
                return elide(t->result);
            if (t->state == TaskState::Queued || t->state == TaskState::Running)
                return whyWaiting(*t);
            return t->error;
        default: return {};
        }
    default:
        return {};
    }
}

QString TaskTableModel::whyWaiting(const Task &task) const
{
    if (task.state == TaskState::Running)
        return task.started() ? QString() : tr("sent to %1, not started yet").arg(task.worker);
    if (task.spec.runAtMs > QDateTime::currentMSecsSinceEpoch()) {
        const QDateTime at = QDateTime::fromMSecsSinceEpoch(task.spec.runAtMs);
        return tr("runs at %1").arg(QLocale().toString(at, QLocale::ShortFormat));
    }
    if (m_scheduler->capableWorkers(task.spec) > 0)
        return QString();
    if (task.spec.requiredTags.isEmpty())
        return tr("waits for a worker that runs %1").arg(task.spec.kind);
    return tr("waits for a worker that runs %1 and has the tags %2")
            .arg(task.spec.kind, task.spec.requiredTags.join(QStringLiteral(", ")));
}

QVariant TaskTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn: return tr("ID");
    case KindColumn: return tr("Kind");
    case ArgsColumn: return tr("Args");
    case StateColumn: return tr("State");
    case PriorityColumn: return tr("Priority");
    case WorkerColumn: return tr("Worker");
    case AttemptsColumn: return tr("Attempts");
    case DurationColumn: return tr("Duration");
    case ResultColumn: return tr("Result / error");
    default: return {};
    }
}

TaskFilter TaskTableModel::filter() const
{
    return m_job ? m_job->filter : m_filter;
}

TaskOrder TaskTableModel::order() const
{
    return m_job ? m_job->order : m_order;
}

void TaskTableModel::sort(int column, Qt::SortOrder order)
{
    const TaskOrder wanted(column, order);
    if (wanted != this->order())
        startJob(filter(), wanted);
}

void TaskTableModel::setFilter(const TaskFilter &filter)
{
    if (filter != this->filter())
        startJob(filter, order());
}

void TaskTableModel::startJob(const TaskFilter &filter, const TaskOrder &order)
{
    const bool wasReordering = isReordering();
    m_job.reset(); // superseded: a sort of it still running is ignored when it ends
    const quint64 generation = ++m_generation;
    const TaskStore &store = m_scheduler->store();
    if (store.size() <= m_immediateLimit) {
        flush();
        const std::unique_ptr<TaskOrder::KeySnapshot> keys = order.snapshot(size_t(store.size()));
        store.forEach([&](const Task &task) {
            if (filter.accepts(task))
                keys->add(task);
        });
        changeLayout([&] {
            m_filter = filter;
            m_order = order;
            m_rows.assign(keys->takeSortedIds());
        });
        if (wasReordering)
            Q_EMIT reorderingChanged(false);
        return;
    }
    m_job = std::make_unique<Job>();
    m_job->generation = generation;
    m_job->filter = filter;
    m_job->order = order;
    m_job->next = store.firstId();
    m_job->end = store.nextId();
    m_job->keys = order.snapshot(filter.acceptsAll() ? size_t(store.size()) : 0);
    if (!wasReordering)
        Q_EMIT reorderingChanged(true);
    QTimer::singleShot(0, this, [this, generation] { scanSlice(generation); });
}

void TaskTableModel::scanSlice(quint64 generation)
{
    if (!m_job || m_job->generation != generation)
        return;
    Job &job = *m_job;
    const TaskStore &store = m_scheduler->store();
    QElapsedTimer clock;
    clock.start();
    while (job.next < job.end) {
        const quint64 stop = std::min(job.end, job.next + 4096);
        for (; job.next < stop; ++job.next) {
            const Task *task = store.find(job.next);
            if (task && job.filter.accepts(*task))
                job.keys->add(*task);
        }
        if (clock.elapsed() >= SliceMs) {
            QTimer::singleShot(0, this, [this, generation] { scanSlice(generation); });
            return;
        }
    }
    // Every key is copied: sort them off the event loop's thread. The keys share their strings
    // with the records, which the scheduler replaces rather than changes in place.
    m_sorter.start([this, generation, keys = std::move(job.keys)] {
        auto ids = std::make_shared<std::vector<quint64>>(keys->takeSortedIds());
        QMetaObject::invokeMethod(
                this, [this, generation, ids] { finishJob(generation, std::move(*ids)); }, Qt::QueuedConnection);
    });
}

void TaskTableModel::finishJob(quint64 generation, std::vector<quint64> ids)
{
    if (!m_job || m_job->generation != generation)
        return;
    const std::unique_ptr<Job> job = std::move(m_job);
    const std::vector<quint64> pending = takePending();
    std::vector<quint64> &changed = job->changed;
    changed.insert(changed.end(), pending.begin(), pending.end());
    sortUnique(changed);
    const TaskStore &store = m_scheduler->store();
    changeLayout([&] {
        m_filter = job->filter;
        m_order = job->order;
        m_rows.assign(std::move(ids));
        // The rows are as they were when each task was read; place those changed since.
        m_rows.apply(m_rows.plan(changed, store, m_filter, m_order), store, m_order);
    });
    Q_EMIT reorderingChanged(false);
}

template <typename Change>
void TaskTableModel::changeLayout(Change change)
{
    Q_EMIT layoutAboutToBeChanged();
    const QModelIndexList before = persistentIndexList();
    std::vector<quint64> ids;
    ids.reserve(size_t(before.size()));
    for (const QModelIndex &index : before)
        ids.push_back(m_rows.id(index.row()));
    change();
    QModelIndexList after;
    after.reserve(before.size());
    for (qsizetype i = 0; i < before.size(); ++i) {
        const int row = m_rows.rowOf(ids[size_t(i)]);
        after.append(row >= 0 ? index(row, before.at(i).column()) : QModelIndex());
    }
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged();
}

void TaskTableModel::noteChanged(const QList<quint64> &ids)
{
    m_pending.insert(m_pending.end(), ids.begin(), ids.end());
    if (!m_timer->isActive())
        m_timer->start();
}

std::vector<quint64> TaskTableModel::takePending()
{
    m_timer->stop();
    std::vector<quint64> ids = std::exchange(m_pending, {});
    sortUnique(ids);
    return ids;
}

void TaskTableModel::flush()
{
    const std::vector<quint64> changed = takePending();
    if (changed.empty())
        return;
    if (m_job)
        m_job->changed.insert(m_job->changed.end(), changed.begin(), changed.end());
    const TaskStore &store = m_scheduler->store();
    const TaskRows::Plan plan = m_rows.plan(changed, store, m_filter, m_order);
    if (plan.movesRows()) {
        changeLayout([&] { m_rows.apply(plan, store, m_order); });
        return;
    }
    if (plan.lastChanged >= 0)
        Q_EMIT dataChanged(index(plan.firstChanged, 0), index(plan.lastChanged, ColumnCount - 1));
    if (plan.appendOnly) {
        const int first = m_rows.size();
        beginInsertRows({}, first, first + int(plan.inserted.size()) - 1);
        m_rows.apply(plan, store, m_order);
        endInsertRows();
    }
}
