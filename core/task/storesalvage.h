#pragma once

// Copies every task row that can still be read out of a damaged task database into a new
// data directory. The damaged file is opened read-only and never written; rows behind a page
// SQLite cannot read are looked up one id at a time, so one bad page costs only its own rows.

#include <QString>

class StoreSalvage final
{
public:
    struct Report {
        qint64 copied = 0; // rows written to the new store
        qint64 unreadable = 0; // ids whose lookup SQLite refused (a damaged page hides what it held)
        quint64 nextId = 0; // the new store hands out ids from here on, never reusing one
        QString firstProblem; // SQLite's words for the first row it could not read
    };

    StoreSalvage(const QString &fromDirectory, const QString &toDirectory);

    // False with a message when nothing could be copied: the source cannot be opened at all,
    // or the target cannot be written or already holds a store (which is never overwritten).
    bool run(Report *report, QString *error);

private:
    QString m_from;
    QString m_to;
};
