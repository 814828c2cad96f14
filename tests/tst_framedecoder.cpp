// FrameDecoder: frames split, merged and partial; caps checked before the body is buffered.

#include "protocol/framedecoder.h"
#include "protocol/messages.h"

#include <QtEndian>
#include <QTest>

namespace {

QByteArray frame(const QByteArray &body)
{
    QByteArray out(4, Qt::Uninitialized);
    qToBigEndian<quint32>(quint32(body.size()), out.data());
    return out + body;
}

// Feeds everything, in chunks of the given size, the way a reader honouring bytesWanted() does.
QList<QByteArray> decodeAll(FrameDecoder &decoder, const QByteArray &stream, qsizetype chunk)
{
    QList<QByteArray> frames;
    qsizetype pos = 0;
    while (pos < stream.size() && !decoder.hasError()) {
        const qsizetype want = qMin(chunk, decoder.bytesWanted());
        const qsizetype take = qMin(want, stream.size() - pos);
        const qsizetype used = decoder.feed(stream.constData() + pos, take);
        pos += used;
        if (decoder.hasFrame())
            frames.append(decoder.takeFrame());
        else if (used == 0)
            break;
    }
    return frames;
}

} // namespace

class tst_FrameDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodesFramesInAnyChunking_data();
    void decodesFramesInAnyChunking();
    void feedStopsAtTheEndOfAFrame();
    void partialFrameStaysPending();
    void rejectsOversizedLengthBeforeBufferingTheBody();
    void rejectsEmptyFrame();
    void acceptsFrameExactlyAtTheCap();
    void encodeFrameWritesBigEndianLength();
    void capCanBeRaisedAfterAuthentication();
};

void tst_FrameDecoder::decodesFramesInAnyChunking_data()
{
    QTest::addColumn<qsizetype>("chunk");
    QTest::newRow("one byte at a time") << qsizetype(1);
    QTest::newRow("three bytes at a time, splitting headers") << qsizetype(3);
    QTest::newRow("seven bytes at a time") << qsizetype(7);
    QTest::newRow("everything merged in one read") << qsizetype(1 << 20);
}

void tst_FrameDecoder::decodesFramesInAnyChunking()
{
    QFETCH(qsizetype, chunk);
    const QList<QByteArray> bodies = {QByteArray("\x0a", 1), QByteArray(300, 'x'), QByteArray("hello"),
                                      QByteArray(1, '\0')};
    QByteArray stream;
    for (const QByteArray &body : bodies)
        stream += frame(body);
    FrameDecoder decoder(1024);
    QCOMPARE(decodeAll(decoder, stream, chunk), bodies);
    QVERIFY(!decoder.hasError());
    QVERIFY(decoder.isIdle());
}

void tst_FrameDecoder::feedStopsAtTheEndOfAFrame()
{
    FrameDecoder decoder(1024);
    const QByteArray stream = frame("ab") + frame("cd");
    QCOMPARE(decoder.feed(stream.constData(), stream.size()), qsizetype(6));
    QVERIFY(decoder.hasFrame());
    QCOMPARE(decoder.bytesWanted(), qsizetype(0));
    QCOMPARE(decoder.takeFrame(), QByteArray("ab"));
    QCOMPARE(decoder.feed(stream.constData() + 6, 6), qsizetype(6));
    QCOMPARE(decoder.takeFrame(), QByteArray("cd"));
}

void tst_FrameDecoder::partialFrameStaysPending()
{
    FrameDecoder decoder(1024);
    const QByteArray whole = frame("truncated body");
    decoder.feed(whole.constData(), whole.size() - 3);
    QVERIFY(!decoder.hasFrame());
    QVERIFY(!decoder.hasError());
    QCOMPARE(decoder.bytesWanted(), qsizetype(3));
    decoder.feed(whole.constData() + whole.size() - 3, 3);
    QCOMPARE(decoder.takeFrame(), QByteArray("truncated body"));
}

void tst_FrameDecoder::rejectsOversizedLengthBeforeBufferingTheBody()
{
    FrameDecoder decoder(1024);
    QByteArray header(4, Qt::Uninitialized);
    qToBigEndian<quint32>(0xFFFFFFF0u, header.data());
    const QByteArray stream = header + QByteArray(64, 'x');
    // Only the header is consumed: the decoder refuses before taking a byte of the body.
    QCOMPARE(decoder.feed(stream.constData(), stream.size()), qsizetype(4));
    QVERIFY(decoder.hasError());
    QVERIFY2(decoder.errorString().contains(QLatin1String("exceeds the limit of 1024")), qPrintable(decoder.errorString()));
    QCOMPARE(decoder.bytesWanted(), qsizetype(0));
    QCOMPARE(decoder.feed(stream.constData() + 4, 10), qsizetype(0));
}

void tst_FrameDecoder::rejectsEmptyFrame()
{
    FrameDecoder decoder(1024);
    const QByteArray zero(4, '\0');
    decoder.feed(zero.constData(), zero.size());
    QVERIFY(decoder.hasError());
    QVERIFY(decoder.errorString().contains(QLatin1String("empty frame")));
}

void tst_FrameDecoder::acceptsFrameExactlyAtTheCap()
{
    FrameDecoder decoder(16);
    QCOMPARE(decodeAll(decoder, frame(QByteArray(16, 'a')), 1 << 20), QList<QByteArray>{QByteArray(16, 'a')});
    FrameDecoder tight(15);
    decodeAll(tight, frame(QByteArray(16, 'a')), 1 << 20);
    QVERIFY(tight.hasError());
}

void tst_FrameDecoder::encodeFrameWritesBigEndianLength()
{
    const QByteArray encoded = Messages::encodeFrame(Messages::Heartbeat{});
    QCOMPARE(encoded, QByteArray("\x00\x00\x00\x01\x0a", 5));
}

void tst_FrameDecoder::capCanBeRaisedAfterAuthentication()
{
    FrameDecoder decoder(8);
    decoder.setMaxFrame(4096);
    QCOMPARE(decodeAll(decoder, frame(QByteArray(2000, 'z')), 512), QList<QByteArray>{QByteArray(2000, 'z')});
}

QTEST_GUILESS_MAIN(tst_FrameDecoder)
#include "tst_framedecoder.moc"
