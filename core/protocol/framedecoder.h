#pragma once

// Splits a byte stream into frames: a 32-bit big-endian body length, then the body.
// The length is checked against the cap the moment its four bytes are in, before any byte of
// the body is buffered; bytesWanted() tells a reader how much to take so it never over-reads.

#include <QByteArray>
#include <QString>

class FrameDecoder final
{
public:
    explicit FrameDecoder(quint32 maxFrame) : m_maxFrame(maxFrame) { }

    void setMaxFrame(quint32 maxFrame) { m_maxFrame = maxFrame; }
    quint32 maxFrame() const { return m_maxFrame; }

    // How many bytes the decoder can take now without buffering past the current frame.
    qsizetype bytesWanted() const;

    // Takes up to bytesWanted() bytes; returns how many were consumed. Once it fails it
    // consumes nothing more.
    qsizetype feed(const char *data, qsizetype size);

    bool hasFrame() const { return m_frameReady; }
    QByteArray takeFrame();

    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }

    // True between frames: no header or body bytes are pending.
    bool isIdle() const { return m_headerFill == 0 && !m_inBody && !m_frameReady; }

private:
    quint32 m_maxFrame;
    char m_header[4] = {};
    int m_headerFill = 0;
    bool m_inBody = false;
    bool m_frameReady = false;
    quint32 m_bodyLength = 0;
    QByteArray m_body;
    QString m_error;
};
