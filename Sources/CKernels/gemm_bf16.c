// bfloat16 products with float32 sums: the 12x32 micro-kernel on AVX512_BF16's vdpbf16ps
// and its packing routines, which round op(A) and op(B) to bfloat16 as they pack them (the
// conversion rides on the copy the float32 GEMM makes anyway).
//
// Packed layout: as the float32 panels (row panel ir at ir*kc floats, column panel jr at
// jr*kc), but each 32-bit slot holds a pair of bfloat16 along k — (k even) in the low half,
// (k odd) in the high half — so a panel uses its first ceil(kc/2) k rows and a K block's
// odd tail is paired with zero. vdpbf16ps adds both exact products of a pair to each float
// accumulator, so every element of a tile gets the same sequence of instructions (one per
// pair, in k order) wherever the tile falls, which keeps the result independent of the
// thread count as in the float32 kernels. As gemm_avx512.c, the k loop is inline assembly
// so debug (-O0) builds run it at full speed.
#include "ckernels.h"
#include "gemm_internal.h"
#include <stdint.h>
#include <string.h>

// Round to nearest even, as vcvtne2ps2bf16 does: zeros and denormals to a zero of the same
// sign (the dot product reads denormals as zero anyway), NaN kept quiet.
static inline uint32_t bf16_bits(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    uint32_t mag = u & 0x7fffffffu;
    if (mag > 0x7f800000u) return (u >> 16) | 0x40u;
    if (mag < 0x00800000u) return (u >> 16) & 0x8000u;
    return (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
}

float ck_bf16_round(float x) {
    uint32_t u = bf16_bits(x) << 16;
    float r;
    memcpy(&r, &u, sizeof r);
    return r;
}

#ifdef CK_X86
#include <immintrin.h>

static inline uint32_t pair(float even, float odd) { return bf16_bits(even) | bf16_bits(odd) << 16; }

// Both rounding helpers below use vcvtneps2bf16, which rounds exactly as bf16_bits (the
// tests compare with ck_bf16_round); the packers run only with the bf16 micro-kernel, so
// the CPU has AVX512_BF16.
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))

// dst[j] = pair(e[j], o[j]) for j < n (<= 16): two rows of 16 floats into 16 pairs.
BF16_TARGET static inline void pairs_of_rows(const float *e, const float *o, int n, uint32_t *dst) {
    __mmask16 m = n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u);
    __m256i lo = (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, e));
    __m256i hi = o ? (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, o)) : _mm256_setzero_si256();
    __m512i v = _mm512_or_si512(_mm512_cvtepu16_epi32(lo), _mm512_slli_epi32(_mm512_cvtepu16_epi32(hi), 16));
    _mm512_mask_storeu_epi32(dst, m, v);
}

// The 16 pairs of k = 2q, 2q+1 (q < 16) of one row of 32 floats along k: consecutive floats
// rounded to consecutive bfloat16 are the pairs.
BF16_TARGET static inline __m512i pairs_along_row(const float *row) {
    return (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(row + 16), _mm512_loadu_ps(row));
}

// d[q*width + r] = pair(row r at k = 2q, 2q + 1) for rows r < rows (rows contiguous along k,
// ld floats apart), q < pairs, k < kc: 16 pairs of a row at a time, transposed through a
// small buffer in L1.
BF16_TARGET static void pack_rows_along_k(const float *src, long ld, int rows, long kc, int width, uint32_t *d) {
    long pairs = (kc + 1) / 2, full = kc / 32 * 16;
    uint32_t tmp[32 * 16] __attribute__((aligned(64)));
    for (long q0 = 0; q0 < full; q0 += 16) {
        for (int r = 0; r < rows; r++) _mm512_store_si512(tmp + r * 16, pairs_along_row(src + r * ld + 2 * q0));
        for (int q = 0; q < 16; q++)
            for (int r = 0; r < rows; r++) d[(q0 + q) * width + r] = tmp[r * 16 + q];
    }
    for (long q = full; q < pairs; q++) {
        long p = 2 * q;
        for (int r = 0; r < rows; r++) d[q * width + r] = pair(src[r * ld + p], p + 1 < kc ? src[r * ld + p + 1] : 0.0f);
    }
}

// op(A)[i0:i0+mc, p0:p0+kc] as 12-row panels of pairs, zero padded to 12 rows and to an
// even k.
void ck_pack_a_bf16(int ta, const float *a, long lda, long i0, long p0, long mc, long kc, float *dst) {
    const int MR = CK_MR_AVX512;
    long pairs = (kc + 1) / 2;
    for (long ir = 0; ir < mc; ir += MR, dst += MR * kc) {
        uint32_t *d = (uint32_t *)dst;
        int mr = (int)(mc - ir < MR ? mc - ir : MR);
        if (ta) {
            // Rows of A^T are contiguous in i: two k rows make a panel row of pairs.
            for (long q = 0; q < pairs; q++) {
                const float *e = a + (p0 + 2 * q) * lda + i0 + ir;
                pairs_of_rows(e, 2 * q + 1 < kc ? e + lda : NULL, mr, d + q * MR);
            }
        } else {
            pack_rows_along_k(a + (i0 + ir) * lda + p0, lda, mr, kc, MR, d);
        }
        for (long q = 0; q < pairs; q++)
            for (int r = mr; r < MR; r++) d[q * MR + r] = 0;
    }
}

// op(B)[p0:p0+kc, j0:j0+nc] as 32-column panels of pairs, zero padded likewise.
void ck_pack_b_bf16(int tb, const float *b, long ldb, long p0, long j0, long kc, long nc, float *dst) {
    const int NR = CK_NR_AVX512;
    long pairs = (kc + 1) / 2;
    for (long jr = 0; jr < nc; jr += NR, dst += NR * kc) {
        uint32_t *d = (uint32_t *)dst;
        int nr = (int)(nc - jr < NR ? nc - jr : NR);
        if (tb) {
            pack_rows_along_k(b + (j0 + jr) * ldb + p0, ldb, nr, kc, NR, d);
        } else {
            for (long q = 0; q < pairs; q++) {
                const float *e = b + (p0 + 2 * q) * ldb + j0 + jr, *o = 2 * q + 1 < kc ? e + ldb : NULL;
                pairs_of_rows(e, o, nr < 16 ? nr : 16, d + q * NR);
                if (nr > 16) pairs_of_rows(e + 16, o ? o + 16 : NULL, nr - 16, d + q * NR + 16);
            }
        }
        for (long q = 0; q < pairs; q++)
            for (int j = nr; j < NR; j++) d[q * NR + j] = 0;
    }
}


#define DP(R0, R1, OFF) "vbroadcastss " #OFF "(%[a]), %%zmm26\n\t" \
    "vdpbf16ps %%zmm24, %%zmm26, %%zmm" #R0 "\n\t" "vdpbf16ps %%zmm25, %%zmm26, %%zmm" #R1 "\n\t"
#define DP_0 DP(0, 1, 0)
#define DP_1 DP(2, 3, 4)
#define DP_2 DP(4, 5, 8)
#define DP_3 DP(6, 7, 12)
#define DP_4 DP(8, 9, 16)
#define DP_5 DP(10, 11, 20)
#define DP_6 DP(12, 13, 24)
#define DP_7 DP(14, 15, 28)
#define DP_8 DP(16, 17, 32)
#define DP_9 DP(18, 19, 36)
#define DP_10 DP(20, 21, 40)
#define DP_11 DP(22, 23, 44)
#define Z(R0, R1) "vpxord %%zmm" #R0 ", %%zmm" #R0 ", %%zmm" #R0 "\n\t" "vpxord %%zmm" #R1 ", %%zmm" #R1 ", %%zmm" #R1 "\n\t"
#define Z_0 Z(0, 1)
#define Z_1 Z(2, 3)
#define Z_2 Z(4, 5)
#define Z_3 Z(6, 7)
#define Z_4 Z(8, 9)
#define Z_5 Z(10, 11)
#define Z_6 Z(12, 13)
#define Z_7 Z(14, 15)
#define Z_8 Z(16, 17)
#define Z_9 Z(18, 19)
#define Z_10 Z(20, 21)
#define Z_11 Z(22, 23)
#define S(R0, R1, OFF) "vmovups %%zmm" #R0 ", " #OFF "(%[t])\n\t" "vmovups %%zmm" #R1 ", 64+" #OFF "(%[t])\n\t"
#define S_0 S(0, 1, 0)
#define S_1 S(2, 3, 128)
#define S_2 S(4, 5, 256)
#define S_3 S(6, 7, 384)
#define S_4 S(8, 9, 512)
#define S_5 S(10, 11, 640)
#define S_6 S(12, 13, 768)
#define S_7 S(14, 15, 896)
#define S_8 S(16, 17, 1024)
#define S_9 S(18, 19, 1152)
#define S_10 S(20, 21, 1280)
#define S_11 S(22, 23, 1408)
#define RW1(X) X##_0
#define RW2(X) RW1(X) X##_1
#define RW3(X) RW2(X) X##_2
#define RW4(X) RW3(X) X##_3
#define RW5(X) RW4(X) X##_4
#define RW6(X) RW5(X) X##_5
#define RW7(X) RW6(X) X##_6
#define RW8(X) RW7(X) X##_7
#define RW9(X) RW8(X) X##_8
#define RW10(X) RW9(X) X##_9
#define RW11(X) RW10(X) X##_10
#define RW12(X) RW11(X) X##_11

#define CLOBBERS_BF16 "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5", "zmm6", "zmm7", "zmm8", \
    "zmm9", "zmm10", "zmm11", "zmm12", "zmm13", "zmm14", "zmm15", "zmm16", "zmm17", "zmm18", \
    "zmm19", "zmm20", "zmm21", "zmm22", "zmm23", "zmm24", "zmm25", "zmm26"

// One pair of k per iteration: 12 pairs of A (48 bytes), 32 pairs of B (128 bytes).
#define DBODY(R) \
    "test %[n], %[n]\n\t" "jle 2f\n\t" \
    "1:\n\t" \
    "vmovups (%[b]), %%zmm24\n\t" "vmovups 64(%[b]), %%zmm25\n\t" \
    RW##R(DP) \
    "add $48, %[a]\n\t" "add $128, %[b]\n\t" "dec %[n]\n\t" "jnz 1b\n\t" \
    "2:\n\t"

// acc[r*32 + j] = sum over the pairs of a's row r times b's column j, for r < R.
#define DLOOP(R) \
    __attribute__((noinline)) static void dloop_##R(long n, const float *a, const float *b, float *acc) { \
        __asm__ volatile(RW##R(Z) DBODY(R) RW##R(S) \
            : [a] "+r"(a), [b] "+r"(b), [n] "+r"(n) : [t] "r"(acc) \
            : "memory", "cc", CLOBBERS_BF16); }
DLOOP(1) DLOOP(2) DLOOP(3) DLOOP(4) DLOOP(5) DLOOP(6)
DLOOP(7) DLOOP(8) DLOOP(9) DLOOP(10) DLOOP(11) DLOOP(12)

typedef void (*dloop_fn)(long, const float *, const float *, float *);
static const dloop_fn dloops[13] = {NULL, dloop_1, dloop_2, dloop_3, dloop_4, dloop_5,
    dloop_6, dloop_7, dloop_8, dloop_9, dloop_10, dloop_11, dloop_12};

// The float32 kernel's contract (gemm_internal.h) on bf16 pair panels. Every tile goes
// through the accumulator buffer and the same epilogue, so a full tile and an edge tile
// give an element the same arithmetic.
__attribute__((target("avx512f")))
void ck_microkernel_bf16(long kc, const float *a, const float *b, float *c, long ldc,
                         float alpha, float beta, int mr, int nr) {
    float acc[CK_MR_AVX512 * CK_NR_AVX512] __attribute__((aligned(64)));
    dloops[mr < 1 ? 1 : mr > 12 ? 12 : mr]((kc + 1) / 2, a, b, acc);
    __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1u);
    __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF : nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1u);
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (int r = 0; r < mr; r++) {
        float *cr = c + r * ldc;
        __m512 x0 = _mm512_load_ps(acc + r * 32), x1 = _mm512_load_ps(acc + r * 32 + 16);
        __m512 o0, o1;
        if (beta == 0.0f) {
            o0 = _mm512_mul_ps(va, x0);
            o1 = _mm512_mul_ps(va, x1);
        } else {
            o0 = _mm512_fmadd_ps(va, x0, _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m0, cr)));
            o1 = _mm512_fmadd_ps(va, x1, _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m1, cr + 16)));
        }
        _mm512_mask_storeu_ps(cr, m0, o0);
        _mm512_mask_storeu_ps(cr + 16, m1, o1);
    }
}
#endif
