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

// ---- many words at once ----------------------------------------------------------------
// Uniform and dropout fills are a few hundred thousand words per training step (BiGAN's
// and CGAN's dropout masks), and the scalar blocks ran on the calling thread only (~4% of
// those steps). Blocks are independent (counter-based), so eight are computed at once in
// 64-bit vector lanes (vpmuludq gives the 32x32 -> 64-bit products Philox needs), and
// the element range is split over the pool: each chunk starts at its own stream offset.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_PHILOX_X86 1
// Words 0..31 of blocks first_block .. first_block + 7, in stream order.
__attribute__((target("avx512f"))) static void philox_blocks8(uint64_t first_block, uint64_t seed, uint32_t *dst) {
    const __m512i low = _mm512_set1_epi64(0xffffffffLL);
    const __m512i m0 = _mm512_set1_epi64(0xD2511F53LL), m1 = _mm512_set1_epi64(0xCD9E8D57LL);
    __m512i ctr = _mm512_add_epi64(_mm512_set1_epi64((long long)first_block), _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
    __m512i c0 = _mm512_and_si512(ctr, low), c1 = _mm512_srli_epi64(ctr, 32);
    __m512i c2 = _mm512_setzero_si512(), c3 = _mm512_setzero_si512();
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int round = 0; round < 10; round++) {
        if (round > 0) { k0 += 0x9E3779B9u; k1 += 0xBB67AE85u; }
        __m512i p0 = _mm512_mul_epu32(m0, c0), p1 = _mm512_mul_epu32(m1, c2);
        __m512i n0 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p1, 32), c1), _mm512_set1_epi64(k0));
        __m512i n2 = _mm512_xor_si512(_mm512_xor_si512(_mm512_srli_epi64(p0, 32), c3), _mm512_set1_epi64(k1));
        c0 = n0; c1 = _mm512_and_si512(p1, low); c2 = n2; c3 = _mm512_and_si512(p0, low);
    }
    uint32_t w[4][8];
    _mm256_storeu_si256((__m256i *)w[0], _mm512_cvtepi64_epi32(c0));
    _mm256_storeu_si256((__m256i *)w[1], _mm512_cvtepi64_epi32(c1));
    _mm256_storeu_si256((__m256i *)w[2], _mm512_cvtepi64_epi32(c2));
    _mm256_storeu_si256((__m256i *)w[3], _mm512_cvtepi64_epi32(c3));
    for (int j = 0; j < 8; j++)
        for (int k = 0; k < 4; k++) dst[j * 4 + k] = w[k][j];
}
#endif

// Words offset .. offset + n - 1 of the stream.
static void philox_words(uint64_t seed, uint64_t offset, uint32_t *dst, long n) {
    stream s = {seed, offset, 0, {0}, 0};
    long i = 0;
    while (i < n && ((offset + (uint64_t)i) & 3)) dst[i++] = next_word(&s);
#ifdef CK_PHILOX_X86
    if (__builtin_cpu_supports("avx512f")) {
        for (; n - i >= 32; i += 32) philox_blocks8((offset + (uint64_t)i) >> 2, seed, dst + i);
        s.offset = offset + (uint64_t)i;
        s.valid = 0;
    }
#endif
    while (i < n) dst[i++] = next_word(&s);
}

// One fill: `units` independent units drawn from consecutive words, split over the pool,
// each chunk starting at its own stream offset. Uniform values and dropout masks take one
// word per element; normals one pair per two elements (Box-Muller: pair i, words offset +
// 2i and 2i + 1, gives elements 2i and 2i + 1, and an odd count still consumes the last
// pair whole). A pair costs ~20 ns in libm (a latent batch is 6,400 normals, 0.12 ms of a
// 5 ms MLP step on one core).
enum { FILL_UNIFORM, FILL_DROPOUT, FILL_NORMAL };

typedef struct {
    uint64_t seed, offset;
    float *out;
    long n, units, chunks;
    float a, b;          // uniform: low, span; dropout: p, scale; normal: mean, std
    int kind;
} fill_job;

static void fill_chunk(void *ctx, long index) {
    const fill_job *j = ctx;
    long lo = j->units * index / j->chunks, hi = j->units * (index + 1) / j->chunks;
    long per = j->kind == FILL_NORMAL ? 2 : 1, step = 1024 / per;
    uint32_t words[1024];
    for (long at = lo; at < hi; at += step) {
        long m = hi - at < step ? hi - at : step;
        philox_words(j->seed, j->offset + (uint64_t)(per * at), words, per * m);
        // Locals and restrict, so that these loops vectorise (through j they reloaded a and b
        // after every store).
        const uint32_t *restrict w = words;
        const float a = j->a, b = j->b;
        if (j->kind == FILL_NORMAL) {
            for (long k = 0; k < m; k++) {
                double u1 = ((double)(w[2 * k] >> 8) + 1) * 0x1p-24;   // (0, 1]: log never sees 0
                double u2 = (double)(w[2 * k + 1] >> 8) * 0x1p-24;
                double r = sqrt(-2 * log(u1)), t = 2 * 3.14159265358979323846 * u2;
                long i = 2 * (at + k);
                j->out[i] = a + b * (float)(r * cos(t));
                if (i + 1 < j->n) j->out[i + 1] = a + b * (float)(r * sin(t));
            }
            continue;
        }
        float *restrict o = j->out + at;
        if (j->kind == FILL_DROPOUT) {
            for (long k = 0; k < m; k++) o[k] = (float)(w[k] >> 8) * 0x1p-24f >= a ? b : 0.0f;
        } else {
            for (long k = 0; k < m; k++) o[k] = a + b * ((float)(w[k] >> 8) * 0x1p-24f);
        }
    }
}

static uint64_t fill(uint64_t seed, uint64_t offset, float *out, long n, float a, float b, int kind) {
    if (n <= 0) return offset;
    long per = kind == FILL_NORMAL ? 2 : 1, units = kind == FILL_NORMAL ? (n + 1) / 2 : n;
    fill_job j = {seed, offset, out, n, units, 1, a, b, kind};
    j.chunks = ck_parallel_chunks(units, kind == FILL_NORMAL ? 1024 : 16384);
    ck_parallel_for(j.chunks, fill_chunk, &j);
    return offset + (uint64_t)(per * units);
}

uint64_t ck_philox_uniform(uint64_t seed, uint64_t offset, float *out, long n, float low, float high) {
    return fill(seed, offset, out, n, low, high - low, FILL_UNIFORM);
}

uint64_t ck_philox_dropout_mask(uint64_t seed, uint64_t offset, float *out, long n, float p, float scale) {
    return fill(seed, offset, out, n, p, scale, FILL_DROPOUT);
}

uint64_t ck_philox_normal(uint64_t seed, uint64_t offset, float *out, long n, float mean, float std) {
    return fill(seed, offset, out, n, mean, std, FILL_NORMAL);
}
