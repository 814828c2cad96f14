// libFuzzer target: FrameDecoder over arbitrary bytes, fed in chunks whose sizes the input
// picks. Checks what the decoder promises: it stops at the end of a frame (the bytes taken
// for a frame are its 4-byte header and its body, no more), a frame is never over the cap or
// empty, every call makes progress, and once failed it takes nothing more.

#include "protocol/framedecoder.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    // The first byte picks the cap (the pre-auth one or a small post-auth one) and a chunk size.
    const quint32 cap = (data[0] & 1) ? 1024 : 4096;
    const size_t chunk = size_t(data[0] >> 1) + 1;
    FrameDecoder decoder(cap);
    const char *bytes = reinterpret_cast<const char *>(data + 1);
    size_t left = size - 1;
    size_t sinceFrame = 0;
    while (left > 0) {
        const qsizetype offered = qsizetype(left < chunk ? left : chunk);
        const qsizetype used = decoder.feed(bytes, offered);
        if (used < 0 || used > offered)
            std::abort();
        if (decoder.hasError()) {
            if (decoder.feed(bytes, offered) != 0 || decoder.errorString().isEmpty())
                std::abort();
            break;
        }
        sinceFrame += size_t(used);
        bytes += used;
        left -= size_t(used);
        if (decoder.hasFrame()) {
            const QByteArray frame = decoder.takeFrame();
            if (frame.isEmpty() || quint32(frame.size()) > cap || size_t(frame.size()) + 4 != sinceFrame)
                std::abort();
            sinceFrame = 0;
            if (!decoder.isIdle() || decoder.hasFrame())
                std::abort();
        } else if (used == 0) {
            std::abort(); // neither progress, nor a frame, nor an error
        }
    }
    return 0;
}
