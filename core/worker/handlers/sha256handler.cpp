#include "sha256handler.h"

#include "argsreader.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFutureWatcher>
#include <QJsonObject>
#include <QPromise>
#include <QThreadPool>

#include <atomic>
#include <memory>

namespace {

TaskOutcome hashFile(const QString &path, const std::atomic<bool> &cancelled)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return TaskOutcome::failure(QStringLiteral("sha256: cannot open %1: %2").arg(path, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray buffer(1024 * 1024, Qt::Uninitialized);
    qint64 total = 0;
    while (!cancelled.load(std::memory_order_relaxed)) {
        const qint64 got = file.read(buffer.data(), buffer.size());
        if (got < 0)
            return TaskOutcome::failure(QStringLiteral("sha256: error reading %1: %2").arg(path, file.errorString()));
        if (got == 0)
            return TaskOutcome::success(QJsonObject{{QStringLiteral("path"), path},
                                                    {QStringLiteral("sha256"), QString::fromLatin1(hash.result().toHex())},
                                                    {QStringLiteral("size"), total}});
        hash.addData(QByteArrayView(buffer.constData(), got));
        total += got;
    }
    return TaskOutcome::failure(QStringLiteral("sha256: cancelled"));
}

class Sha256Run final : public TaskRun
{
public:
    Sha256Run(const QString &path, QObject *parent) : TaskRun(parent), m_path(path)
    {
        QObject::connect(&m_watcher, &QFutureWatcher<TaskOutcome>::finished, this, [this] {
            if (!m_cancelled->load())
                Q_EMIT finished(m_watcher.result());
        });
    }
    ~Sha256Run() override { m_cancelled->store(true); }

    void start() override
    {
        auto promise = std::make_shared<QPromise<TaskOutcome>>();
        m_watcher.setFuture(promise->future());
        promise->start();
        QThreadPool::globalInstance()->start([promise, cancelled = m_cancelled, path = m_path] {
            promise->addResult(hashFile(path, *cancelled));
            promise->finish();
        });
    }
    void cancel() override { m_cancelled->store(true); }

private:
    QString m_path;
    std::shared_ptr<std::atomic<bool>> m_cancelled = std::make_shared<std::atomic<bool>>(false);
    QFutureWatcher<TaskOutcome> m_watcher;
};

} // namespace

TaskRun *Sha256Handler::prepare(const TaskInput &input, TaskOutcome *outcome, QObject *parent)
{
    const QJsonValue &args = input.args;
    const QJsonValue path = args.isObject() ? args.toObject().value(QStringLiteral("path")) : args;
    if (!path.isString() || path.toString().isEmpty()) {
        *outcome = TaskOutcome::failure(
                QStringLiteral("sha256: expected args {\"path\": string}, got %1").arg(ArgsReader::describe(args)));
        return nullptr;
    }
    return new Sha256Run(path.toString(), parent);
}
