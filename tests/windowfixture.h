#pragma once

// What the desktop app's tests share: a master and its window on a fresh settings file.

#include "app/mainwindow.h"
#include "master/master.h"
#include "master/scheduler.h"
#include "models/tasktablemodel.h"
#include "util/mastersettings.h"

#include <QCoreApplication>
#include <QFile>
#include <QItemSelectionModel>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>

#include <memory>

// A test's first step: the window's own layout settings in a test place of their own, empty.
inline void useFreshTestSettings(const QString &application)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("taskmaster-tests"));
    QCoreApplication::setApplicationName(application);
    QSettings().clear();
}

// A master and its window on a fresh settings file, listening on a free loopback port.
struct WindowFixture {
    WindowFixture()
        : settings(new QSettings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat))
        , masterSettings(settings.get())
        , master(Master::Settings{})
        , window(&master, &masterSettings)
    {
        masterSettings.setPort(0);
        masterSettings.setKeyFilePath(dir.filePath(QStringLiteral("authkey")));
        masterSettings.setWorkerKeyFilePath(dir.filePath(QStringLiteral("workerkey")));
    }

    Scheduler *scheduler() { return master.scheduler(); }
    // A file in the fixture's directory with these bytes; its path.
    QString writeFile(const QString &name, const QByteArray &content)
    {
        const QString path = dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
            qFatal("cannot write a test file");
        return path;
    }
    // Selects the task rows whose ids are given, in the view's own order.
    void select(const QList<quint64> &ids)
    {
        window.taskModel()->flush();
        window.taskView()->clearSelection();
        QAbstractItemModel *model = window.taskView()->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            if (ids.contains(model->index(row, 0).data(TaskTableModel::TaskIdRole).toULongLong()))
                window.taskView()->selectionModel()->select(model->index(row, 0),
                                                            QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
    }

    QTemporaryDir dir;
    std::unique_ptr<QSettings> settings;
    MasterSettings masterSettings;
    Master master;
    MainWindow window;
};
