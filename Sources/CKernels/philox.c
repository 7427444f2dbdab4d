// Philox4x32-10 random fills, the same streams as RandomGenerator.swift (which documents
// the algorithm): word w of a stream is word (w % 4) of the block with counter w / 4.
#include "ckernels.h"
#include <math.h>

static void philox_block(uint64_t counter, uint64_t seed, uint32_t out[4]) {
    uint32_t c0 = (uint32_t)counter, c1 = (uint32_t)(counter >> 32), c2 = 0, c3 = 0;
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n1 = (uint32_t)p1;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1, n3 = (uint32_t)p0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

// Reads words offset, offset+1, ... of the stream, one block at a time.
typedef struct { uint64_t seed, offset, block; uint32_t words[4]; int valid; } stream;

static inline uint32_t next_word(stream *s) {
    uint64_t b = s->offset >> 2;
    if (!s->valid || b != s->block) { philox_block(b, s->seed, s->words); s->block = b; s->valid = 1; }
    return s->words[s->offset++ & 3];
}

uint64_t ck_philox_uniform(uint64_t seed, uint64_t offset, float *out, long n, float low, float high) {
    stream s = {seed, offset, 0, {0}, 0};
    float span = high - low;
    for (long i = 0; i < n; i++) out[i] = low + span * ((float)(next_word(&s) >> 8) * 0x1p-24f);
    return s.offset;
}

uint64_t ck_philox_dropout_mask(uint64_t seed, uint64_t offset, float *out, long n, float p, float scale) {
    stream s = {seed, offset, 0, {0}, 0};
    for (long i = 0; i < n; i++) out[i] = (float)(next_word(&s) >> 8) * 0x1p-24f >= p ? scale : 0.0f;
    return s.offset;
}

uint64_t ck_philox_normal(uint64_t seed, uint64_t offset, float *out, long n, float mean, float std) {
    stream s = {seed, offset, 0, {0}, 0};
    for (long i = 0; i < n; i += 2) {
        double u1 = ((double)(next_word(&s) >> 8) + 1) * 0x1p-24;   // (0, 1]: log never sees 0
        double u2 = (double)(next_word(&s) >> 8) * 0x1p-24;
        double r = sqrt(-2 * log(u1)), t = 2 * 3.14159265358979323846 * u2;
        out[i] = mean + std * (float)(r * cos(t));
        if (i + 1 < n) out[i + 1] = mean + std * (float)(r * sin(t));
    }
    return s.offset;
}
