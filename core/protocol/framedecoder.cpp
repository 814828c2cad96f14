#include "framedecoder.h"

#include <QtEndian>

#include <cstring>

qsizetype FrameDecoder::bytesWanted() const
{
    if (hasError() || m_frameReady)
        return 0;
    if (!m_inBody)
        return 4 - m_headerFill;
    return qsizetype(m_bodyLength) - m_body.size();
}

qsizetype FrameDecoder::feed(const char *data, qsizetype size)
{
    qsizetype used = 0;
    while (used < size && !hasError() && !m_frameReady) {
        if (!m_inBody) {
            const qsizetype take = qMin<qsizetype>(4 - m_headerFill, size - used);
            std::memcpy(m_header + m_headerFill, data + used, size_t(take));
            m_headerFill += int(take);
            used += take;
            if (m_headerFill < 4)
                continue;
            m_headerFill = 0;
            m_bodyLength = qFromBigEndian<quint32>(m_header);
            if (m_bodyLength == 0) {
                m_error = QStringLiteral("empty frame (a body holds at least its message type)");
                break;
            }
            if (m_bodyLength > m_maxFrame) {
                m_error = QStringLiteral("frame of %1 bytes exceeds the limit of %2 bytes")
                                  .arg(m_bodyLength)
                                  .arg(m_maxFrame);
                // A TLS record header (handshake, TLS 1.x) read as a length: say so.
                if (m_header[0] == 0x16 && m_header[1] == 0x03)
                    m_error += QStringLiteral(" (the peer seems to start a TLS handshake on a plain connection)");
                break;
            }
            m_inBody = true;
            m_body.clear();
            // Grow with the data actually received, not with what the peer announced.
            m_body.reserve(qMin<qsizetype>(qsizetype(m_bodyLength), 64 * 1024));
            continue;
        }
        const qsizetype take = qMin<qsizetype>(qsizetype(m_bodyLength) - m_body.size(), size - used);
        m_body.append(data + used, take);
        used += take;
        if (m_body.size() == qsizetype(m_bodyLength)) {
            m_inBody = false;
            m_frameReady = true;
        }
    }
    return used;
}

QByteArray FrameDecoder::takeFrame()
{
    if (!m_frameReady)
        return {};
    m_frameReady = false;
    return std::exchange(m_body, QByteArray());
}
