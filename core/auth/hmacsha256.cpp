#include "hmacsha256.h"

#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define TASKMASTER_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace {

constexpr std::uint32_t K[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

constexpr std::uint32_t rotr(std::uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

#ifdef TASKMASTER_SHA_NI
bool cpuHasSha()
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
        return false;
    const bool sha = ebx & (1u << 29);
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return false;
    const bool ssse3 = ecx & (1u << 9), sse41 = ecx & (1u << 19);
    return sha && ssse3 && sse41;
}

bool g_useSha = cpuHasSha();

// One block with the SHA extensions: four rounds per pair of sha256rnds2, the message schedule
// with sha256msg1/msg2. The state lives as ABEF and CDGH, the order the instructions want.
__attribute__((target("sha,sse4.1,ssse3"))) void compressWithSha(std::uint32_t *state, const unsigned char *block)
{
    const __m128i byteSwap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(state)), 0xB1); // CDAB
    __m128i state1 = _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(state + 4)), 0x1B); // EFGH
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8); // ABEF
    state1 = _mm_blend_epi16(state1, tmp, 0xF0); // CDGH
    const __m128i savedAbef = state0, savedCdgh = state1;
    __m128i w[4];
    for (int i = 0; i < 16; ++i) {
        __m128i &current = w[i % 4];
        if (i < 4) {
            current = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i *>(block + 16 * i)), byteSwap);
        } else {
            const __m128i &previous = w[(i + 3) % 4], &beforePrevious = w[(i + 2) % 4];
            current = _mm_sha256msg1_epu32(current, w[(i + 1) % 4]);
            current = _mm_add_epi32(current, _mm_alignr_epi8(previous, beforePrevious, 4));
            current = _mm_sha256msg2_epu32(current, previous);
        }
        __m128i message = _mm_add_epi32(current, _mm_loadu_si128(reinterpret_cast<const __m128i *>(K + 4 * i)));
        state1 = _mm_sha256rnds2_epu32(state1, state0, message);
        message = _mm_shuffle_epi32(message, 0x0E);
        state0 = _mm_sha256rnds2_epu32(state0, state1, message);
    }
    state0 = _mm_add_epi32(state0, savedAbef);
    state1 = _mm_add_epi32(state1, savedCdgh);
    tmp = _mm_shuffle_epi32(state0, 0x1B); // FEBA
    state1 = _mm_shuffle_epi32(state1, 0xB1); // DCHG
    state0 = _mm_blend_epi16(tmp, state1, 0xF0); // DCBA
    state1 = _mm_alignr_epi8(state1, tmp, 8); // HGFE
    _mm_storeu_si128(reinterpret_cast<__m128i *>(state), state0);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(state + 4), state1);
}
#else
bool g_useSha = false;
#endif

} // namespace

bool HmacSha256::usesShaInstructions()
{
    return g_useSha;
}

void HmacSha256::setUseShaInstructions(bool use)
{
#ifdef TASKMASTER_SHA_NI
    g_useSha = use && cpuHasSha();
#else
    Q_UNUSED(use);
#endif
}

void HmacSha256::compress(State &state, const unsigned char *block)
{
#ifdef TASKMASTER_SHA_NI
    if (g_useSha) {
        compressWithSha(state.data(), block);
        return;
    }
#endif
    // Only additions, rotations and logic on the data: no branch or table index depends on it.
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
        w[i] = std::uint32_t(block[4 * i]) << 24 | std::uint32_t(block[4 * i + 1]) << 16
                | std::uint32_t(block[4 * i + 2]) << 8 | std::uint32_t(block[4 * i + 3]);
    }
    for (int i = 16; i < 64; ++i) {
        const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int i = 0; i < 64; ++i) {
        const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

void HmacSha256::Hash::add(const unsigned char *data, qsizetype size)
{
    length += std::uint64_t(size);
    while (size > 0) {
        if (fill == 0 && size >= 64) {
            compress(state, data);
            data += 64;
            size -= 64;
            continue;
        }
        const int take = int(qMin<qsizetype>(64 - fill, size));
        std::memcpy(block + fill, data, size_t(take));
        fill += take;
        data += take;
        size -= take;
        if (fill == 64) {
            compress(state, block);
            fill = 0;
        }
    }
}

void HmacSha256::Hash::finish(unsigned char *out)
{
    const std::uint64_t bits = length * 8;
    block[fill++] = 0x80;
    if (fill > 56) {
        std::memset(block + fill, 0, size_t(64 - fill));
        compress(state, block);
        fill = 0;
    }
    std::memset(block + fill, 0, size_t(56 - fill));
    for (int i = 0; i < 8; ++i)
        block[56 + i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
    compress(state, block);
    for (int i = 0; i < 8; ++i) {
        out[4 * i] = static_cast<unsigned char>(state[size_t(i)] >> 24);
        out[4 * i + 1] = static_cast<unsigned char>(state[size_t(i)] >> 16);
        out[4 * i + 2] = static_cast<unsigned char>(state[size_t(i)] >> 8);
        out[4 * i + 3] = static_cast<unsigned char>(state[size_t(i)]);
    }
}

HmacSha256::HmacSha256(const char *key, qsizetype keySize)
{
    constexpr State initial{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    // A key longer than a block is hashed first (RFC 2104); a shorter one is padded with zeros.
    unsigned char padded[64] = {};
    if (keySize > 64) {
        Hash hash;
        hash.state = initial;
        hash.add(reinterpret_cast<const unsigned char *>(key), keySize);
        hash.finish(padded);
    } else if (keySize > 0) {
        std::memcpy(padded, key, size_t(keySize));
    }
    unsigned char pad[64];
    for (int i = 0; i < 64; ++i)
        pad[i] = padded[i] ^ 0x36;
    m_inner.state = initial;
    m_inner.add(pad, 64);
    for (int i = 0; i < 64; ++i)
        pad[i] = padded[i] ^ 0x5c;
    m_outer.state = initial;
    m_outer.add(pad, 64);
    std::memset(padded, 0, sizeof padded);
    std::memset(pad, 0, sizeof pad);
}

void HmacSha256::compute(const char *first, qsizetype firstSize, const char *second, qsizetype secondSize,
                         unsigned char *out) const
{
    Hash inner = m_inner;
    inner.add(reinterpret_cast<const unsigned char *>(first), firstSize);
    inner.add(reinterpret_cast<const unsigned char *>(second), secondSize);
    unsigned char innerHash[Size];
    inner.finish(innerHash);
    Hash outer = m_outer;
    outer.add(innerHash, Size);
    outer.finish(out);
}
