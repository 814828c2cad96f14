#pragma once

// Text from a peer (worker names and hosts, reasons, error texts) made safe to print on one
// line of a terminal or a log: C0 and C1 controls and DEL become \n, \r, \t or \xNN, and the
// characters that reorder or break what follows (bidi embeddings, overrides and isolates,
// line and paragraph separators) become \uNNNN. Everything else, non-ASCII text included,
// is kept as it is.

#include <QString>

QString printable(const QString &text);
// The same for JSON text about to be printed: QJsonDocument escapes C0 controls but leaves DEL,
// C1 controls and bidi characters as they are; these become \uNNNN, which parses back to the
// same value (they can only occur inside strings).
QByteArray printableJson(const QByteArray &json);
