#include "taskexport.h"

#include "client/taskrecordjson.h"
#include "master/clientsession.h"
#include "task/task.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace TaskExport {

namespace {

QByteArray csvField(const QByteArray &text)
{
    if (!text.contains(',') && !text.contains('"') && !text.contains('\n') && !text.contains('\r'))
        return text;
    QByteArray quoted = text;
    quoted.replace('"', "\"\"");
    return '"' + quoted + '"';
}

} // namespace

void writeCsv(QIODevice *device, const QList<const Task *> &tasks)
{
    device->write("id,kind,args,state,priority,worker,attempts,duration_ms,result,error\n");
    for (const Task *t : tasks) {
        const qint64 micros = t->durationMicros();
        const QByteArray duration = micros >= 0 ? QByteArray::number(double(micros) / 1000, 'f', 3) : QByteArray();
        const QList<QByteArray> fields = {QByteArray::number(t->id),     t->spec.kind.toUtf8(),
                                          t->spec.args,                  taskStateName(t->state).toUtf8(),
                                          QByteArray::number(t->spec.priority), t->worker.toUtf8(),
                                          QByteArray::number(t->attempts), duration,
                                          t->result,                     t->error.toUtf8()};
        QByteArray line;
        for (const QByteArray &field : fields) {
            if (!line.isEmpty() || &field != &fields.first())
                line += ',';
            line += csvField(field);
        }
        device->write(line + '\n');
    }
}

void writeJsonLines(QIODevice *device, const QList<const Task *> &tasks)
{
    for (const Task *t : tasks)
        device->write(TaskRecordJson::toLine(ClientSession::record(*t)) + '\n');
}

QString dialogFilters()
{
    return QCoreApplication::translate("TaskExport", "CSV (*.csv);;JSON Lines (*.jsonl)");
}

Target target(const QString &path, const QString &selectedFilter)
{
    const QStringList filters = dialogFilters().split(QStringLiteral(";;"));
    const Format format = selectedFilter == filters.value(1) ? Format::JsonLines
                        : selectedFilter == filters.value(0) ? Format::Csv
                                                             : formatOf(path);
    const QString suffix = format == Format::Csv ? QStringLiteral(".csv") : QStringLiteral(".jsonl");
    const QString other = format == Format::Csv ? QStringLiteral(".jsonl") : QStringLiteral(".csv");
    const QFileInfo info(path);
    if (info.suffix().isEmpty())
        return {path + suffix, format};
    if (path.endsWith(other, Qt::CaseInsensitive))
        return {path.chopped(other.size()) + suffix, format};
    return {path, format};
}

Format formatOf(const QString &path)
{
    return path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive) ? Format::Csv : Format::JsonLines;
}

QString formatName(Format format)
{
    return format == Format::Csv ? QStringLiteral("CSV") : QCoreApplication::translate("TaskExport", "JSON Lines");
}

QString save(const QString &path, const QList<const Task *> &tasks, Format format)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QCoreApplication::translate("TaskExport", "Cannot write %1: %2").arg(path, file.errorString());
    if (format == Format::Csv)
        writeCsv(&file, tasks);
    else
        writeJsonLines(&file, tasks);
    if (!file.commit())
        return QCoreApplication::translate("TaskExport", "Cannot write %1: %2").arg(path, file.errorString());
    return {};
}

} // namespace TaskExport
