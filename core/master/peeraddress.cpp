#include "peeraddress.h"

#include <cstring>

namespace PeerAddress {

QHostAddress group(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        return QHostAddress(v4);
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return address;
    Q_IPV6ADDR bytes = address.toIPv6Address();
    std::memset(&bytes[8], 0, 8);
    return QHostAddress(bytes);
}

} // namespace PeerAddress
