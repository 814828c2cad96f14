#pragma once

// A row of the tasks table as a Task: what the store loads at start and what salvage copies
// out of a damaged database. The columns are SqliteTaskColumns, in that order.

#include "task.h"

#include <QVariant>

class QSqlQuery;

// The columns of the tasks table, in the order both the loader and the writer use.
inline constexpr char SqliteTaskColumns[] = "id, kind, args, priority, timeout_ms, max_attempts, state, attempts, "
                                            "worker, result, error, created_ms, started_ms, finished_ms, "
                                            "duplicate_results, history, required_tags, retry_delay_ms, run_at_ms, submit_key";
inline constexpr int SqliteColumnCount = 20;

namespace SqliteTaskRow {

// The record at the query's current row.
Task read(const QSqlQuery &query);
// The history column: the entries as a JSON array, as every schema before 4 wrote it, or once
// earlier dispatches were dropped, {"dispatches": N, "kept": [entries]}.
QByteArray historyColumn(const Task &task);
// The record's values for the columns, in order, into values[0] to values[SqliteColumnCount - 1].
void bind(const Task &task, QVariant *values);

} // namespace SqliteTaskRow
