#pragma once

// The values a prepared QSqlQuery binds at its next exec(), set in place. QSqlQuery::bindValue()
// (and addBindValue() and execBatch(), which go the same way) makes a ":N" placeholder name
// with QString::arg and looks it up in a hash for every value; in Qt 6.4 that was two thirds
// of the store writer's time, three times SQLite's own. The list is QSqlResult's own, the one
// those calls fill and every driver binds from: the driver sees exactly what bindValue() would
// have given it. Only for statements with positional (?) placeholders, one value each.

#include <QList>
#include <QSqlQuery>
#include <QSqlResult>
#include <QVariant>

class SqlBoundValues final : public QSqlResult
{
public:
    // The prepared query's values, count of them (from the first); valid until the query is
    // prepared again or destroyed.
    static QList<QVariant> &of(const QSqlQuery &query, qsizetype count)
    {
        // QSqlResult::boundValues() is protected, meant for drivers; a pointer to it formed
        // through this subclass reaches the result a QSqlQuery holds.
        QList<QVariant> &values = (query.result()->*&SqlBoundValues::boundValues)();
        values.resize(count);
        return values;
    }

private:
    SqlBoundValues() = delete; // never made: only its access to QSqlResult is used
};
