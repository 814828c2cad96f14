#pragma once

// What the task table says about itself: "N of M shown" while a filter hides tasks, and over
// the empty table what to do (enqueue something, or clear the filters). N is the rows the
// table holds, M the tasks the scheduler holds; both are read when the table's rows change.

#include <QObject>

class QAction;
class QLabel;
class QTableView;
class Scheduler;
class TaskTableModel;

class TaskGuidance final : public QObject
{
    Q_OBJECT

public:
    TaskGuidance(TaskTableModel *model, Scheduler *scheduler, QTableView *view);

    // Shown beside the filters.
    QLabel *countLabel() const { return m_count; }
    // Shown over the empty table.
    QLabel *emptyLabel() const { return m_empty; }
    // The actions whose shortcuts the empty table names.
    void setActions(QAction *demo, QAction *enqueue);
    void update();

    static QString countText(int shown, quint64 total);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    TaskTableModel *m_model;
    Scheduler *m_scheduler;
    QWidget *m_viewport; // the view's, which holds the empty-state text
    QLabel *m_count;
    QLabel *m_empty;
    QAction *m_demo = nullptr;
    QAction *m_enqueue = nullptr;
};
