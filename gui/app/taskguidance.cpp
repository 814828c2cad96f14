#include "taskguidance.h"

#include "master/scheduler.h"
#include "models/tasktablemodel.h"

#include <QAction>
#include <QEvent>
#include <QLabel>
#include <QTableView>

#include <numeric>

TaskGuidance::TaskGuidance(TaskTableModel *model, Scheduler *scheduler, QTableView *view)
    : QObject(view)
    , m_model(model)
    , m_scheduler(scheduler)
    , m_viewport(view->viewport())
    , m_count(new QLabel(view))
    , m_empty(new QLabel(view->viewport()))
{
    m_count->setToolTip(tr("How many tasks the filters let through, of all the tasks."));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_empty->setEnabled(false); // drawn greyed, as a hint
    view->viewport()->installEventFilter(this);
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(model, signal, this, &TaskGuidance::update);
    connect(model, &QAbstractItemModel::layoutChanged, this, &TaskGuidance::update);
    connect(model, &QAbstractItemModel::modelReset, this, &TaskGuidance::update);
    connect(model, &TaskTableModel::reorderingChanged, this, &TaskGuidance::update);
    connect(scheduler, &Scheduler::countsChanged, this, &TaskGuidance::update);
    update();
}

void TaskGuidance::setActions(QAction *demo, QAction *enqueue)
{
    m_demo = demo;
    m_enqueue = enqueue;
    update();
}

QString TaskGuidance::countText(int shown, quint64 total)
{
    return tr("%1 of %2 shown").arg(shown).arg(total);
}

void TaskGuidance::update()
{
    const auto counts = m_scheduler->counts();
    const quint64 total = std::accumulate(counts.begin(), counts.end(), quint64(0));
    const int shown = m_model->rowCount();
    // While a new filter is worked out the rows are the old filter's: say nothing rather than mix them.
    const bool settled = !m_model->isReordering();
    const bool filtered = !m_model->filter().acceptsAll();
    m_count->setText(countText(shown, total));
    m_count->setVisible(settled && filtered);

    QString hint;
    if (settled && shown == 0) {
        const auto keys = [](QAction *action) {
            return action ? action->shortcut().toString(QKeySequence::NativeText) : QString();
        };
        if (total == 0)
            hint = tr("No tasks yet. Press %1 for the demo, or %2 to enqueue tasks.").arg(keys(m_demo), keys(m_enqueue));
        else if (filtered)
            hint = tr("No task matches the filters; %1 are hidden. Clear the filters to see them.").arg(total);
    }
    m_empty->setText(hint);
    m_empty->setVisible(!hint.isEmpty());
    m_empty->setGeometry(m_viewport->rect());
}

bool TaskGuidance::eventFilter(QObject *watched, QEvent *event)
{
    // Compared by address only: while the view is destroyed its viewport still gets events, and
    // the view is no longer a QAbstractScrollArea to ask.
    if (watched == m_viewport && event->type() == QEvent::Resize)
        m_empty->setGeometry(m_viewport->rect());
    return QObject::eventFilter(watched, event);
}
