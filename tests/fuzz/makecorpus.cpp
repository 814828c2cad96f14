// Writes the seed corpus of the fuzzers: one well-formed body of every message type for
// fuzz_messages, and byte streams of whole frames for fuzz_framedecoder. Run it again when a
// message changes: makecorpus tests/fuzz/corpus

#include "protocol/messages.h"

#include <QDir>
#include <QFile>

#include <cstdio>

namespace {

bool write(const QString &path, const QByteArray &data)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size()) {
        std::fprintf(stderr, "makecorpus: cannot write %s\n", qPrintable(path));
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: makecorpus DIR\n");
        return 2;
    }
    const QDir root(QString::fromLocal8Bit(argv[1]));
    if (!root.mkpath(QStringLiteral("messages")) || !root.mkpath(QStringLiteral("frames")))
        return 1;

    using namespace Messages;
    Challenge challenge;
    challenge.nonce = QByteArray(Protocol::NonceSize, '\x11');
    Response response{1, 1, QByteArray(Protocol::NonceSize, '\x22'), QByteArray(Protocol::MacSize, '\x33')};
    Welcome welcome{1, QByteArray(Protocol::MacSize, '\x44'), 2000, 10000, Protocol::DefaultMaxFrame};
    TaskSpecWire spec{QStringLiteral("square"), QByteArrayLiteral("{\"n\":3}"), 5, 1000, 3};
    spec.key = QStringLiteral("sha256:00ff:line 1");
    TaskRecord record;
    record.id = 7;
    record.kind = QStringLiteral("echo");
    record.args = QByteArrayLiteral("[1,2]");
    record.state = 2;
    record.worker = QStringLiteral("w1");
    record.result = QByteArrayLiteral("\"ok\"");
    WorkerStatus worker;
    worker.name = QStringLiteral("w1");
    worker.host = QStringLiteral("h");
    worker.slots = 4;

    const QList<std::pair<const char *, QByteArray>> frames{
            {"challenge", encodeFrame(challenge)},
            {"response", encodeFrame(response)},
            {"welcome", encodeFrame(welcome)},
            {"authrejected", encodeFrame(AuthRejected{QStringLiteral("the authkey does not match")})},
            {"heartbeat", encodeFrame(Heartbeat{})},
            {"goodbye", encodeFrame(Goodbye{QStringLiteral("bye")})},
            {"workerhello", encodeFrame(WorkerHello{QStringLiteral("w"), QStringLiteral("h"), 42, 2,
                                                    {QStringLiteral("square"), QStringLiteral("echo")}})},
            {"assigntasks", encodeFrame(AssignTasks{{TaskAssignment{1, 1, QStringLiteral("square"),
                                                                    QByteArrayLiteral("{\"n\":2}"), 0}}})},
            {"taskresults", encodeFrame(TaskResults{{TaskResult{1, 1, 0, QByteArrayLiteral("4"), QString()},
                                                     TaskResult{2, 1, 1, QByteArray(), QStringLiteral("boom")}}})},
            {"canceltasks", encodeFrame(CancelTasks{{{1, 1}, {2, 1}, {3, 2}}, {}})},
            {"returntasks", encodeFrame(ReturnTasks{{{4, 1}}, {}})},
            {"taskstarted", encodeFrame(TaskStarted{{{5, 1}}})},
            {"workerdraining", encodeFrame(WorkerDraining{})},
            {"submit", encodeFrame(Submit{9, true, {spec, spec}})},
            {"submitted", encodeFrame(Submitted{9, {10, 11}, 1})},
            {"watch", encodeFrame(Watch{false, {10, 11}})},
            {"taskupdates", encodeFrame(TaskUpdates{{record}})},
            {"statusrequest", encodeFrame(StatusRequest{3})},
            {"statusreply", encodeFrame(StatusReply{3, {1, 2, 3, 4, 5}, {{QStringLiteral("cube"), {}, 2, 0, 0}}, {worker}, true,
                                                    QStringLiteral("no space left on device")})},
            {"cancelrequest", encodeFrame(CancelRequest{4, {10}})},
            {"cancelreply", encodeFrame(CancelReply{4, 1})},
            {"requestfailed", encodeFrame(RequestFailed{5, QStringLiteral("too large")})},
    };
    QByteArray stream;
    for (const auto &[name, frame] : frames) {
        if (!write(root.filePath(QStringLiteral("messages/") + QLatin1String(name)), frame.mid(4))
            || !write(root.filePath(QStringLiteral("frames/") + QLatin1String(name)), '\x00' + frame))
            return 1;
        stream += frame;
    }
    // The first byte is the target's control byte: 0x00 is a 4096-byte cap and one-byte chunks;
    // 0x0c the same cap and 7-byte chunks, for all the frames back to back.
    return write(root.filePath(QStringLiteral("frames/stream")), '\x0c' + stream) ? 0 : 1;
}
