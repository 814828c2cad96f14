#pragma once

// HMAC-SHA256 (RFC 2104, FIPS 180-4) for a key that signs many short messages: the key's inner
// and outer pad blocks are hashed once, at construction, and each message then costs its own
// blocks plus one, with no allocation. QMessageAuthenticationCode hashes both pads again for
// every message and allocates several times; per frame that was most of the cost of frame
// authentication. Results are the same bytes, which tst_frameauth checks against it.

#include <QtGlobal>

#include <array>
#include <cstdint>

class HmacSha256 final
{
public:
    static constexpr int Size = 32;

    explicit HmacSha256(const char *key, qsizetype keySize);

    // HMAC of first || second, written to out (Size bytes).
    void compute(const char *first, qsizetype firstSize, const char *second, qsizetype secondSize,
                 unsigned char *out) const;

    // Whether blocks are hashed with the CPU's SHA instructions (x86 SHA extensions, checked
    // at run time). Tests switch it off to check the portable code on the same machine.
    static bool usesShaInstructions();
    static void setUseShaInstructions(bool use);

private:
    using State = std::array<std::uint32_t, 8>;
    struct Hash {
        State state;
        std::uint64_t length = 0; // bytes hashed so far
        unsigned char block[64];
        int fill = 0;
        void add(const unsigned char *data, qsizetype size);
        void finish(unsigned char *out);
    };
    static void compress(State &state, const unsigned char *block);

    Hash m_inner; // after the key ^ ipad block
    Hash m_outer; // after the key ^ opad block
};
