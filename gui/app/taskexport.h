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

void writeCsv(QIODevice *device, const QList<const Task *> &tasks);
void writeJsonLines(QIODevice *device, const QList<const Task *> &tasks);
// Chooses the format from the file name (.csv or anything else for JSONL); "" on success.
QString save(const QString &path, const QList<const Task *> &tasks);

} // namespace TaskExport
