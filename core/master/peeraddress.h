#pragma once

// What the master counts as one peer for its limits: an IPv4 address (also when it arrives
// mapped into IPv6), or an IPv6 /64, since one host is commonly given a whole /64 and could
// otherwise count as billions of peers.

#include <QHostAddress>

namespace PeerAddress {

QHostAddress group(const QHostAddress &address);

} // namespace PeerAddress
