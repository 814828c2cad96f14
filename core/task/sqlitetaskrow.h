#pragma once

// A row of the tasks table as a Task: what the store loads at start and what salvage copies
// out of a damaged database. The columns are SqliteTaskColumns, in that order.

#include "task.h"

class QSqlQuery;

namespace SqliteTaskRow {

// The record at the query's current row.
Task read(const QSqlQuery &query);
// The history column: the entries as a JSON array, as every schema before 4 wrote it, or once
// earlier dispatches were dropped, {"dispatches": N, "kept": [entries]}.
QByteArray historyColumn(const Task &task);

} // namespace SqliteTaskRow
