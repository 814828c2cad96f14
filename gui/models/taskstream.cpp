#include "taskstream.h"

#include "master/scheduler.h"

#include <QDateTime>
#include <QTimer>

#include <algorithm>
#include <utility>

namespace {

// What ended an attempt, from the outcome the scheduler wrote in its history entry: "done",
// a cut from outside ("cancelled: …", "returned: …", "stopped by the worker", "master …"),
// or else the attempt's own failure ("error: …", "timed out …", "worker lost: …").
TaskStream::Outcome outcomeOf(const TaskAttempt &attempt)
{
    if (attempt.finishedMs <= 0)
        return TaskStream::Outcome::Running;
    const QString &o = attempt.outcome;
    if (o.startsWith(u"done"))
        return TaskStream::Outcome::Done;
    if (o.startsWith(u"cancelled") || o.startsWith(u"returned") || o.startsWith(u"stopped") || o.startsWith(u"master"))
        return TaskStream::Outcome::Cancelled;
    return TaskStream::Outcome::Failed;
}

// FNV-1a over the UTF-16 text: the same number in every run and on every platform, which
// qHash does not promise.
quint32 stableHash(const QString &text)
{
    quint32 h = 2166136261u;
    for (QChar c : text) {
        h ^= c.unicode();
        h *= 16777619u;
    }
    return h;
}

} // namespace

TaskStream::TaskStream(Scheduler *scheduler, QObject *parent)
    : QObject(parent), m_scheduler(scheduler), m_timer(new QTimer(this)),
      m_floorMs(QDateTime::currentMSecsSinceEpoch()) // what ran before this stream is not shown
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(100);
    connect(m_timer, &QTimer::timeout, this, &TaskStream::flush);
    connect(scheduler, &Scheduler::tasksChanged, this, &TaskStream::note);
    connect(scheduler, &Scheduler::workerAdded, this, &TaskStream::workerAdded);
    connect(scheduler, &Scheduler::workerRemoved, this, [this](quint64 id) { workerRemoved(id); });
    for (const WorkerInfo *worker : scheduler->workers())
        workerAdded(worker->id);
}

TaskStream::~TaskStream() = default;

void TaskStream::setCoalesceInterval(int ms)
{
    m_timer->setInterval(ms);
}

void TaskStream::setCapacity(int bars)
{
    m_capacity = qMax(1, bars);
    evict();
    dropDeadGroups();
}

void TaskStream::note(const QList<quint64> &ids)
{
    m_pending.insert(m_pending.end(), ids.begin(), ids.end());
    if (!m_timer->isActive())
        m_timer->start();
}

void TaskStream::workerAdded(quint64 workerId)
{
    const WorkerInfo *info = m_scheduler->worker(workerId);
    if (!info || m_workers.contains(workerId))
        return;
    m_workers.insert(workerId, {info->name, info->slots});
    Group &group = m_groups[size_t(groupFor(info->name))];
    ++group.connected;
    group.slots += info->slots;
    // Idle slots show as empty lanes; past a few dozen, lanes come as tasks fill them (a
    // worker may announce thousands of slots).
    if (group.lanes.size() < size_t(qMin(group.slots, MaxIdleLanes)))
        group.lanes.resize(size_t(qMin(group.slots, MaxIdleLanes)));
    if (!m_timer->isActive())
        m_timer->start();
}

void TaskStream::workerRemoved(quint64 workerId)
{
    const auto worker = m_workers.take(workerId);
    const auto it = m_groupOf.constFind(worker.first);
    if (worker.first.isEmpty() || it == m_groupOf.cend())
        return;
    Group &group = m_groups[size_t(*it)];
    --group.connected;
    group.slots -= worker.second;
    // Its lanes stay, with their bars, until those age out.
    if (!m_timer->isActive())
        m_timer->start();
}

int TaskStream::groupFor(const QString &worker)
{
    if (const auto it = m_groupOf.constFind(worker); it != m_groupOf.cend())
        return *it;
    Group group;
    group.name = worker;
    group.lanes.resize(1);
    m_groups.push_back(std::move(group));
    m_groupOf.insert(worker, int(m_groups.size() - 1));
    return int(m_groups.size() - 1);
}

quint16 TaskStream::kindFor(const QString &kind)
{
    if (const auto it = m_kindOf.constFind(kind); it != m_kindOf.cend())
        return *it;
    if (m_kinds.size() >= MaxKinds)
        return OtherKind;
    const int preferred = int(stableHash(kind) % ColourCount);
    int colour = preferred;
    if (m_kinds.size() < ColourCount) {
        while (std::find(m_kindColour.begin(), m_kindColour.end(), colour) != m_kindColour.end())
            colour = (colour + 1) % ColourCount;
    }
    m_kinds.append(kind);
    m_kindColour.push_back(colour);
    m_kindOf.insert(kind, quint16(m_kinds.size() - 1));
    return quint16(m_kinds.size() - 1);
}

QString TaskStream::kindName(quint16 kind) const
{
    return kind < m_kinds.size() ? m_kinds[kind] : QString();
}

int TaskStream::kindColour(quint16 kind) const
{
    return kind < m_kindColour.size() ? m_kindColour[kind] : -1;
}

int TaskStream::firstEndingFrom(int group, int lane, qint64 t) const
{
    const std::deque<quint64> &seqs = laneOf(group, lane);
    // Bars on a lane do not overlap, so all but a running last one are ordered by end too.
    const auto it = std::partition_point(seqs.begin(), seqs.end(), [&](quint64 seq) {
        const Bar &b = m_bars[size_t(seq - m_firstSeq)];
        return b.endMs != 0 && b.laneEndMs(0) < t;
    });
    return int(it - seqs.begin());
}

int TaskStream::firstStartingAfter(int group, int lane, qint64 t) const
{
    const std::deque<quint64> &seqs = laneOf(group, lane);
    const auto it = std::partition_point(seqs.begin(), seqs.end(),
                                         [&](quint64 seq) { return m_bars[size_t(seq - m_firstSeq)].laneStartMs <= t; });
    return int(it - seqs.begin());
}

void TaskStream::flush()
{
    m_timer->stop();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    // The system clock was set back: starts since then read earlier than the last batch.
    if (now < m_floorMs)
        m_floorMs = now - ClockSlackMs;
    std::vector<quint64> ids = std::exchange(m_pending, {});
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());

    // Bars still waiting for a lane may have ended meanwhile.
    std::vector<Bar> bars = std::exchange(m_waiting, {});
    for (Bar &bar : bars) {
        const Task *task = m_scheduler->task(bar.taskId);
        const TaskAttempt *attempt = task ? task->dispatchEntry(bar.dispatch) : nullptr;
        if (attempt && attempt->finishedMs > 0) {
            bar.endMs = qMax(attempt->finishedMs, bar.startMs);
            bar.outcome = outcomeOf(*attempt);
        } else if (!attempt && !bar.endMs) {
            bar.endMs = bar.startMs; // gone from the store or its history: it ended unseen
            bar.outcome = Outcome::Cancelled;
        }
    }
    for (quint64 id : ids) {
        if (const Task *task = m_scheduler->task(id))
            readTask(*task, now, bars);
    }
    // Greedy interval assignment wants the bars in order of their start.
    std::stable_sort(bars.begin(), bars.end(), [](const Bar &a, const Bar &b) { return a.startMs < b.startMs; });
    // More than are kept: the oldest would go at once.
    if (bars.size() > size_t(m_capacity))
        bars.erase(bars.begin(), bars.end() - m_capacity);
    for (const Bar &bar : bars) {
        if (!place(bar))
            m_waiting.push_back(bar);
    }
    evict();
    dropDeadGroups();
    // Whatever starts from now on is read by a later batch; what started before, by this one.
    m_floorMs = now;
    m_seen.removeIf([now](const auto &entry) { return entry.value().second < now; });
    Q_EMIT changed();
}

void TaskStream::readTask(const Task &task, qint64 now, std::vector<Bar> &added)
{
    // The end of the bar it has running.
    quint32 closed = 0; // the dispatch of that bar, not to be read again below
    if (const auto open = m_open.find(task.id); open != m_open.end()) {
        if (Bar *bar = barOf(*open)) {
            closed = bar->dispatch;
            const TaskAttempt *attempt = task.dispatchEntry(bar->dispatch);
            if (!attempt) { // dropped from the history: long over
                bar->endMs = qMax(task.finishedMs, bar->startMs);
                bar->outcome = Outcome::Cancelled;
            } else if (attempt->finishedMs > 0) {
                // With its result, the master moves the start back to when the worker began
                // (the result's arrival less the run time the worker measured): the bar does
                // too, as far as the bar before it on its lane allows.
                const std::deque<quint64> &lane = laneOf(bar->group, bar->lane);
                const Bar *before = lane.size() > 1 ? barOf(lane[lane.size() - 2]) : nullptr;
                if (attempt->startedMs > 0 && attempt->startedMs != bar->startMs) {
                    bar->startMs = attempt->startedMs;
                    bar->laneStartMs = qMax(attempt->startedMs, before ? before->laneEndMs(0) : attempt->startedMs);
                }
                bar->endMs = qMax(attempt->finishedMs, bar->startMs);
                bar->outcome = outcomeOf(*attempt);
            }
            if (bar->endMs)
                m_open.erase(open);
        } else {
            m_open.erase(open);
        }
    }
    // Attempts new since the last look: usually the current one only, but a task retried
    // within one batch has several. An attempt is new when it started since then, or ended
    // since then without having been seen running: its start may lie before the last look,
    // since the master dates a start back by the run time once the result is in.
    const quint32 seen = m_seen.value(task.id).first;
    const quint32 first = task.droppedDispatches() + 1; // the number of history[0]
    quint32 latest = seen;
    qint64 latestStart = 0;
    for (qsizetype i = 0; i < task.history.size(); ++i) {
        const quint32 number = first + quint32(i);
        const TaskAttempt &attempt = task.history[i];
        const qint64 news = attempt.finishedMs > 0 ? attempt.finishedMs : attempt.startedMs;
        if (number <= seen || number <= closed || attempt.startedMs <= 0 || news < m_floorMs)
            continue;
        Bar bar;
        bar.taskId = task.id;
        bar.startMs = bar.laneStartMs = attempt.startedMs;
        bar.endMs = attempt.finishedMs > 0 ? qMax(attempt.finishedMs, attempt.startedMs) : 0;
        bar.outcome = outcomeOf(attempt);
        bar.dispatch = number;
        // Runs of one kind on one worker are the common case: a comparison, not a hash lookup.
        if (m_lastKind.first.isNull() || task.spec.kind != m_lastKind.first)
            m_lastKind = {task.spec.kind, kindFor(task.spec.kind)};
        if (m_lastGroup.second < 0 || attempt.worker != m_lastGroup.first)
            m_lastGroup = {attempt.worker, groupFor(attempt.worker)};
        bar.kind = m_lastKind.second;
        bar.group = m_lastGroup.second;
        added.push_back(bar);
        latest = number;
        latestStart = news;
    }
    // A later batch skips what started (or ended) before now; what did in this very
    // millisecond it must be told.
    if (latest != seen && latestStart >= now)
        m_seen.insert(task.id, {latest, latestStart});
}

bool TaskStream::place(Bar bar)
{
    Group &group = m_groups[size_t(bar.group)];
    // The lowest lane free at the bar's start; failing that, the one that freed up first: a
    // worker sends the start of its next task before the result of the one it follows, so the
    // master may see the two overlap by a few ms.
    int chosen = -1;
    int fallback = -1;
    qint64 fallbackEnd = 0;
    for (int l = 0; l < int(group.lanes.size()); ++l) {
        const std::deque<quint64> &lane = group.lanes[size_t(l)];
        if (lane.empty()) {
            chosen = l;
            break;
        }
        const Bar &last = m_bars[size_t(lane.back() - m_firstSeq)];
        if (!last.endMs)
            continue;
        const qint64 end = last.laneEndMs(0);
        if (end <= bar.startMs) {
            chosen = l;
            break;
        }
        if (fallback < 0 || end < fallbackEnd) {
            fallback = l;
            fallbackEnd = end;
        }
    }
    // A slot not shown yet, or a worker this stream never saw join: as many lanes as it proves
    // to have.
    const bool mayGrow = int(group.lanes.size()) < group.slots;
    if (chosen < 0 && !mayGrow && fallback >= 0) {
        chosen = fallback;
        bar.laneStartMs = fallbackEnd;
    }
    if (chosen < 0 && (mayGrow || group.connected == 0)) {
        group.lanes.emplace_back();
        chosen = int(group.lanes.size() - 1);
    }
    if (chosen < 0)
        return false;
    bar.lane = chosen;
    const quint64 seq = m_firstSeq + m_bars.size();
    m_bars.push_back(bar);
    group.lanes[size_t(chosen)].push_back(seq);
    if (!bar.endMs)
        m_open.insert(bar.taskId, seq);
    return true;
}

void TaskStream::evict()
{
    while (m_bars.size() > size_t(m_capacity)) {
        const Bar &bar = m_bars.front();
        const quint64 seq = m_firstSeq;
        // Bars go onto a lane in the order they are kept, so the oldest is first on its lane.
        std::deque<quint64> &lane = m_groups[size_t(bar.group)].lanes[size_t(bar.lane)];
        Q_ASSERT(!lane.empty() && lane.front() == seq);
        lane.pop_front();
        if (const auto it = m_open.constFind(bar.taskId); it != m_open.cend() && *it == seq)
            m_open.erase(it);
        m_bars.pop_front();
        ++m_firstSeq;
    }
}

void TaskStream::dropDeadGroups()
{
    // A worker that left, with no bar left on its lanes and none waiting for them.
    std::vector<int> newIndex(m_groups.size(), -1);
    int next = 0;
    bool anyDead = false;
    for (size_t g = 0; g < m_groups.size(); ++g) {
        const Group &group = m_groups[g];
        const bool dead = group.connected == 0
                && std::all_of(group.lanes.begin(), group.lanes.end(), [](const auto &lane) { return lane.empty(); })
                && std::none_of(m_waiting.begin(), m_waiting.end(), [&](const Bar &b) { return b.group == int(g); });
        anyDead |= dead;
        if (!dead)
            newIndex[g] = next++;
    }
    if (!anyDead)
        return;
    std::vector<Group> kept;
    kept.reserve(size_t(next));
    m_groupOf.clear();
    for (size_t g = 0; g < m_groups.size(); ++g) {
        if (newIndex[g] < 0)
            continue;
        m_groupOf.insert(m_groups[g].name, int(kept.size()));
        kept.push_back(std::move(m_groups[g]));
    }
    m_groups = std::move(kept);
    m_lastGroup = {QString(), -1};
    for (Bar &bar : m_bars)
        bar.group = newIndex[size_t(bar.group)];
    for (Bar &bar : m_waiting)
        bar.group = newIndex[size_t(bar.group)];
}
