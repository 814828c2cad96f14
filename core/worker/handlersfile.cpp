#include "handlersfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>

#include <limits>

namespace HandlersFile {

namespace {

// An integer in [min, max], or nullopt. QJsonValue::toInteger gives its default for anything
// that is not an integral number in range; asking with two defaults tells a real one apart.
std::optional<qint64> integer(const QJsonValue &value, qint64 min, qint64 max)
{
    constexpr qint64 a = std::numeric_limits<qint64>::min();
    constexpr qint64 b = std::numeric_limits<qint64>::max();
    if (!value.isDouble() || (value.toInteger(a) == a && value.toInteger(b) == b))
        return std::nullopt;
    const qint64 n = value.toInteger(a) != a ? value.toInteger(a) : value.toInteger(b);
    if (n < min || n > max)
        return std::nullopt;
    return n;
}

// Fills spec from one kind's object; returns the error (without the file and kind) or empty.
QString readKind(const QJsonObject &object, const QString &baseDir, HandlerSpec *spec)
{
    auto keyError = [](const QString &key, const QString &what) {
        return QStringLiteral("key \"%1\": %2").arg(key, what);
    };
    static const QStringList known = {QStringLiteral("argv"),       QStringLiteral("cwd"),
                                      QStringLiteral("env"),        QStringLiteral("mode"),
                                      QStringLiteral("timeout_ms"), QStringLiteral("output_cap"),
                                      QStringLiteral("slots")};
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()))
            return keyError(it.key(), QStringLiteral("unknown key (known: %1)").arg(known.join(QStringLiteral(", "))));
    }
    const QJsonValue argv = object.value(QStringLiteral("argv"));
    if (argv.isUndefined())
        return keyError(QStringLiteral("argv"), QStringLiteral("missing; give the program and its arguments"));
    if (!argv.isArray() || argv.toArray().isEmpty())
        return keyError(QStringLiteral("argv"), QStringLiteral("expected a non-empty array of strings"));
    for (const QJsonValue &arg : argv.toArray()) {
        if (!arg.isString())
            return keyError(QStringLiteral("argv"), QStringLiteral("expected a non-empty array of strings"));
        spec->argv.append(arg.toString());
    }
    if (spec->argv.first().isEmpty())
        return keyError(QStringLiteral("argv"), QStringLiteral("the program (argv[0]) is empty"));

    if (const QJsonValue cwd = object.value(QStringLiteral("cwd")); !cwd.isUndefined()) {
        if (!cwd.isString() || cwd.toString().isEmpty())
            return keyError(QStringLiteral("cwd"), QStringLiteral("expected a non-empty string"));
        // Relative to the file, so a file and its scripts can move together.
        spec->cwd = QDir(baseDir).absoluteFilePath(cwd.toString());
    }
    if (const QJsonValue env = object.value(QStringLiteral("env")); !env.isUndefined()) {
        if (!env.isObject())
            return keyError(QStringLiteral("env"), QStringLiteral("expected an object of strings"));
        const QJsonObject vars = env.toObject();
        for (auto it = vars.begin(); it != vars.end(); ++it) {
            if (!it.value().isString())
                return keyError(QStringLiteral("env"), QStringLiteral("the value of %1 is not a string").arg(it.key()));
            if (it.key().isEmpty() || it.key().contains(QLatin1Char('=')))
                return keyError(QStringLiteral("env"), QStringLiteral("\"%1\" is not a variable name").arg(it.key()));
            spec->env.insert(it.key(), it.value().toString());
        }
    }
    if (const QJsonValue mode = object.value(QStringLiteral("mode")); !mode.isUndefined()) {
        if (mode == QJsonValue(QStringLiteral("once")))
            spec->mode = HandlerSpec::Mode::Once;
        else if (mode == QJsonValue(QStringLiteral("pipe")))
            spec->mode = HandlerSpec::Mode::Pipe;
        else
            return keyError(QStringLiteral("mode"), QStringLiteral("expected \"once\" or \"pipe\""));
    }
    if (const QJsonValue timeout = object.value(QStringLiteral("timeout_ms")); !timeout.isUndefined()) {
        const auto ms = integer(timeout, 0, std::numeric_limits<int>::max());
        if (!ms)
            return keyError(QStringLiteral("timeout_ms"),
                            QStringLiteral("expected an integer from 0 (none) to %1").arg(std::numeric_limits<int>::max()));
        spec->timeoutMs = *ms;
    }
    if (const QJsonValue cap = object.value(QStringLiteral("output_cap")); !cap.isUndefined()) {
        const auto bytes = integer(cap, 1, HandlerSpec::MaxOutputCap);
        if (!bytes)
            return keyError(QStringLiteral("output_cap"),
                            QStringLiteral("expected a number of bytes from 1 to %1").arg(HandlerSpec::MaxOutputCap));
        spec->outputCap = *bytes;
    }
    if (const QJsonValue slots = object.value(QStringLiteral("slots")); !slots.isUndefined()) {
        const auto n = integer(slots, 1, HandlerSpec::MaxSlots);
        if (!n)
            return keyError(QStringLiteral("slots"), QStringLiteral("expected an integer from 1 to %1").arg(HandlerSpec::MaxSlots));
        if (spec->mode != HandlerSpec::Mode::Pipe)
            return keyError(QStringLiteral("slots"), QStringLiteral("only a \"pipe\" handler has processes of its own"));
        spec->slots = int(*n);
    }
    return {};
}

} // namespace

bool isValidKindName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}$"));
    return pattern.match(name).hasMatch();
}

std::optional<HandlerSpec> parseOption(const QString &text, QString *error)
{
    const qsizetype equals = text.indexOf(QLatin1Char('='));
    HandlerSpec spec;
    spec.kind = text.left(equals);
    spec.source = QStringLiteral("--handler");
    if (equals < 0 || !isValidKindName(spec.kind)) {
        *error = QStringLiteral("--handler \"%1\": expected NAME=COMMAND with a NAME of letters, digits and _.:- "
                                "(at most 128)").arg(text);
        return std::nullopt;
    }
    spec.argv = QProcess::splitCommand(text.mid(equals + 1));
    if (spec.argv.isEmpty() || spec.argv.first().isEmpty()) {
        *error = QStringLiteral("--handler \"%1\": the command is empty").arg(text);
        return std::nullopt;
    }
    return spec;
}

std::optional<QList<HandlerSpec>> read(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot open: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    if (file.size() > MaxFileSize) {
        *error = QStringLiteral("%1: larger than %2 bytes; is it the right file?").arg(path).arg(MaxFileSize);
        return std::nullopt;
    }
    return parse(file.readAll(), path, error);
}

std::optional<QList<HandlerSpec>> parse(const QByteArray &text, const QString &path, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("%1: not valid JSON: %2 at offset %3").arg(path, parseError.errorString()).arg(parseError.offset);
        return std::nullopt;
    }
    const QString shape = QStringLiteral("expected {\"kinds\": {\"NAME\": {\"argv\": [...], ...}}}");
    if (!doc.isObject()) {
        *error = QStringLiteral("%1: %2").arg(path, shape);
        return std::nullopt;
    }
    const QJsonObject top = doc.object();
    for (auto it = top.begin(); it != top.end(); ++it) {
        if (it.key() != QLatin1String("kinds")) {
            *error = QStringLiteral("%1: key \"%2\": unknown key; %3").arg(path, it.key(), shape);
            return std::nullopt;
        }
    }
    const QJsonValue kinds = top.value(QStringLiteral("kinds"));
    if (!kinds.isObject() || kinds.toObject().isEmpty()) {
        *error = QStringLiteral("%1: key \"kinds\": missing, not an object or empty; %2").arg(path, shape);
        return std::nullopt;
    }
    const QString baseDir = QFileInfo(path).absolutePath();
    QList<HandlerSpec> specs;
    const QJsonObject byName = kinds.toObject();
    for (auto it = byName.begin(); it != byName.end(); ++it) {
        const QString where = QStringLiteral("%1: kind \"%2\"").arg(path, it.key());
        if (!isValidKindName(it.key())) {
            *error = where + QStringLiteral(": a name is letters, digits and _.:- (at most 128)");
            return std::nullopt;
        }
        if (!it.value().isObject()) {
            *error = where + QStringLiteral(": expected an object {\"argv\": [...], ...}");
            return std::nullopt;
        }
        HandlerSpec spec;
        spec.kind = it.key();
        spec.source = path;
        if (const QString problem = readKind(it.value().toObject(), baseDir, &spec); !problem.isEmpty()) {
            *error = where + QStringLiteral(": ") + problem;
            return std::nullopt;
        }
        specs.append(std::move(spec));
    }
    return specs;
}

QString checkNames(const QList<HandlerSpec> &specs, const QStringList &builtinKinds)
{
    QSet<QString> seen;
    for (const HandlerSpec &spec : specs) {
        if (builtinKinds.contains(spec.kind))
            return QStringLiteral("%1: kind \"%2\": is a built-in kind of the worker; give the handler another name")
                    .arg(spec.source, spec.kind);
        if (seen.contains(spec.kind))
            return QStringLiteral("%1: kind \"%2\": is defined twice").arg(spec.source, spec.kind);
        seen.insert(spec.kind);
    }
    return {};
}

} // namespace HandlersFile
