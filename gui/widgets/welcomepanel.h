#pragma once

// What to do first, above the task table on a first start: the demo, local workers, a remote
// worker. It goes once there are tasks or it is dismissed, and the settings remember either.

#include <QFrame>

class QSettings;

class WelcomePanel final : public QFrame
{
    Q_OBJECT

public:
    static constexpr const char *DoneKey = "v1/welcome/done";

    // Remembers in settings that it is done.
    explicit WelcomePanel(QSettings *settings, QWidget *parent = nullptr);
    void setHasTasks(bool hasTasks);
    void dismiss();

Q_SIGNALS:
    void demoRequested();
    void startLocalRequested();
    void connectRequested();

private:
    QSettings *m_settings;
};
