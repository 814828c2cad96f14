#pragma once

// The attempts of tasks as bars on lanes, for a task-stream view: one lane per slot of each
// worker, one bar per attempt that started, from its start to its end (as the master saw them,
// history.last() of each task). Scheduler signals are collected and applied once per batch on a
// short timer; a batch costs what changed, never what the store holds.
//
// Bound: only the most recent capacity() bars are kept (50,000 by default, about 4 MB), the
// oldest go first; lanes of workers that left stay until their last bar goes.

#include <QObject>
#include <QHash>
#include <QStringList>

#include <deque>
#include <utility>
#include <vector>

class QTimer;
class Scheduler;
struct Task;

class TaskStream final : public QObject
{
    Q_OBJECT

public:
    enum class Outcome : quint8 {
        Running,
        Done,
        Failed, // an error, a timeout, a lost worker: the attempt's own failure
        Cancelled, // cancelled, given back or stopped: cut short from outside
    };

    struct Bar {
        quint64 taskId = 0;
        qint64 startMs = 0; // the attempt's start and end (0 while it runs), ms since the epoch
        qint64 endMs = 0;
        // Where the bar begins on its lane: startMs, or the end of the bar before it when a
        // worker's start was told a few ms before the result it followed (it sends starts first).
        qint64 laneStartMs = 0;
        quint32 dispatch = 0; // the task's dispatch number of this attempt
        quint16 kind = 0; // index for kindName()
        Outcome outcome = Outcome::Running;
        int group = 0; // the worker, for groupName()
        int lane = 0; // its slot, below laneCount(group)

        // Where the bar ends on its lane: its end, or now while it runs.
        qint64 laneEndMs(qint64 nowMs) const { return endMs ? qMax(endMs, laneStartMs) : qMax(nowMs, laneStartMs); }
    };

    static constexpr int DefaultCapacity = 50'000;
    static constexpr int MaxIdleLanes = 64; // a worker's lanes shown before tasks fill them
    static constexpr int MaxKinds = 1024; // kinds told apart; later ones share OtherKind
    static constexpr quint16 OtherKind = MaxKinds;
    // After the clock is set back, starts this far before now still count as new.
    static constexpr qint64 ClockSlackMs = 10'000;

    explicit TaskStream(Scheduler *scheduler, QObject *parent = nullptr);
    ~TaskStream() override;

    void setCapacity(int bars);
    int capacity() const { return m_capacity; }
    qsizetype size() const { return qsizetype(m_bars.size()); }
    // The bars kept, oldest first.
    const Bar &bar(qsizetype i) const { return m_bars[size_t(i)]; }
    // Tasks the stream remembers beside its bars: those that started an attempt since the
    // batch before, and those with a bar running.
    qsizetype trackedTasks() const { return m_seen.size() + m_open.size(); }

    // Workers (by name, as attempts name them) in the order they first appeared, each with its lanes.
    int groupCount() const { return int(m_groups.size()); }
    QString groupName(int group) const { return m_groups[size_t(group)].name; }
    int laneCount(int group) const { return int(m_groups[size_t(group)].lanes.size()); }
    bool isConnected(int group) const { return m_groups[size_t(group)].connected > 0; }
    // A lane's bars, in order of their lane start; they never overlap, so their ends are in order too.
    int laneSize(int group, int lane) const { return int(laneOf(group, lane).size()); }
    const Bar &laneBar(int group, int lane, int i) const { return m_bars[size_t(laneOf(group, lane)[size_t(i)] - m_firstSeq)]; }
    // The first bar of the lane that is still running or ends at or after t.
    int firstEndingFrom(int group, int lane, qint64 t) const;
    // The first bar of the lane that starts after t.
    int firstStartingAfter(int group, int lane, qint64 t) const;

    QString kindName(quint16 kind) const;
    // A stable colour slot for the kind: from its name, so a kind keeps its colour from run to
    // run, moved on to a free slot when an earlier kind holds that one.
    int kindColour(quint16 kind) const;
    static constexpr int ColourCount = 9;

    // Applies pending changes now (the timer does it otherwise).
    void flush();
    void setCoalesceInterval(int ms);

Q_SIGNALS:
    void changed();

private:
    struct Group {
        QString name;
        int connected = 0; // connected workers with this name
        int slots = 0; // their slots together
        std::vector<std::deque<quint64>> lanes; // sequence numbers of the lane's bars
    };
    const std::deque<quint64> &laneOf(int group, int lane) const { return m_groups[size_t(group)].lanes[size_t(lane)]; }
    Bar *barOf(quint64 seq) { return seq >= m_firstSeq && seq - m_firstSeq < m_bars.size() ? &m_bars[size_t(seq - m_firstSeq)] : nullptr; }
    void note(const QList<quint64> &ids);
    // Ends its running bar if its attempt ended; adds a bar for each attempt newly started.
    void readTask(const Task &task, qint64 now, std::vector<Bar> &added);
    int groupFor(const QString &worker);
    quint16 kindFor(const QString &kind);
    // Puts the bar on a lane of its worker; false when every lane holds a bar still running.
    bool place(Bar bar);
    void evict();
    void dropDeadGroups();
    void workerAdded(quint64 workerId);
    void workerRemoved(quint64 workerId);

    Scheduler *m_scheduler;
    QTimer *m_timer;
    int m_capacity = DefaultCapacity;
    std::vector<quint64> m_pending; // tasks changed since the last batch; repeats allowed
    std::deque<Bar> m_bars; // in the order they were placed: sequence number m_firstSeq + i
    quint64 m_firstSeq = 0;
    std::vector<Bar> m_waiting; // started while every lane of their worker held a running bar
    QHash<quint64, quint64> m_open; // task -> sequence number of its bar still running
    // Only attempts that started since the batch before get a bar: any older one was read
    // then (every start is announced at once), whether its bar is still kept or not. For those
    // that started in the millisecond of the batch before, the dispatch number of the latest,
    // with its start.
    qint64 m_floorMs = 0;
    QHash<quint64, std::pair<quint32, qint64>> m_seen;
    std::vector<Group> m_groups;
    QHash<QString, int> m_groupOf;
    QHash<quint64, std::pair<QString, int>> m_workers; // connected worker -> name, slots
    std::pair<QString, quint16> m_lastKind; // the kind and worker of the last bar made
    std::pair<QString, int> m_lastGroup{QString(), -1};
    QStringList m_kinds;
    QHash<QString, quint16> m_kindOf;
    std::vector<int> m_kindColour;
};
