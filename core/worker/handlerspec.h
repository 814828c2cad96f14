#pragma once

// A task kind the worker was given on its command line (--handler) or in a handlers file
// (--handlers): the program that runs it and how. docs/HANDLERS.md is the contract.

#include <QMap>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

struct HandlerSpec {
    enum class Mode {
        Once, // one process per task: args on stdin, the result on stdout
        Pipe, // long-lived processes, one JSON line per task each way
    };

    static constexpr qint64 DefaultOutputCap = 1024 * 1024;
    static constexpr qint64 MaxOutputCap = 1024 * 1024 * 1024;
    static constexpr int MaxSlots = 4096;
    // sysexits' EX_TEMPFAIL: a once handler that exits with it asks for another attempt.
    static constexpr int ExitTempFail = 75;

    QString kind;
    QString source; // the handlers file, or "--handler", for messages
    QStringList argv;
    QString cwd; // empty: the worker's own
    QMap<QString, QString> env; // added to the worker's environment
    Mode mode = Mode::Once;
    qint64 timeoutMs = 0; // used when the task has none; 0: none
    qint64 outputCap = DefaultOutputCap; // once: bytes of stdout; pipe: bytes of one line
    int slots = 0; // pipe: processes at most; 0: the worker's --slots

    // The worker's environment with env added (ChildProcess takes the authkey out).
    QProcessEnvironment environment() const
    {
        QProcessEnvironment result = QProcessEnvironment::systemEnvironment();
        for (auto it = env.cbegin(); it != env.cend(); ++it)
            result.insert(it.key(), it.value());
        return result;
    }
    // The task's own timeout wins; this kind's is the default.
    qint64 timeoutFor(qint64 taskTimeoutMs) const { return taskTimeoutMs > 0 ? taskTimeoutMs : timeoutMs; }
};
