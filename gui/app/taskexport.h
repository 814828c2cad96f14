#pragma once

// Writes tasks as CSV (a header row, RFC 4180 quoting) or JSON Lines (one object a line,
// the fields of `taskmaster submit --wait`) through QSaveFile, so a failed export never
// leaves a half-written file behind.

#include <QList>
#include <QString>

class QIODevice;
struct Task;

namespace TaskExport {

enum class Format { Csv, JsonLines };

// The save dialog's filters, in the order of Format.
QString dialogFilters();
// What the dialog's answer means: the type chosen in it decides the format, and a name with
// no suffix, or with the other type's, gets the chosen type's (tasks.csv with JSON Lines
// chosen becomes tasks.jsonl). Other names are kept.
struct Target {
    QString path;
    Format format;
};
Target target(const QString &path, const QString &selectedFilter);
// Csv for a .csv name, JsonLines for anything else.
Format formatOf(const QString &path);
QString formatName(Format format);

void writeCsv(QIODevice *device, const QList<const Task *> &tasks);
void writeJsonLines(QIODevice *device, const QList<const Task *> &tasks);
// "" on success.
QString save(const QString &path, const QList<const Task *> &tasks, Format format);

} // namespace TaskExport
