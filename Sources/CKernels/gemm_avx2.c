// AVX2+FMA 6x16 micro-kernel (12 ymm accumulators), for x86 CPUs without AVX-512.
//
// The k loop is inline assembly for the reason gemm_avx512.c gives: SwiftPM builds C at
// -O0 in debug builds (what `swift test` runs), where intrinsics keep every accumulator in
// memory and the kernel runs at a few GFLOP/s, which made the test suite several times
// slower on AVX2-only CPUs (AMD Zen 2). The loop is the vfmadd231ps sequence the compiler
// emits from intrinsics at -O2: one FMA per k, in k order, so the sums are unchanged.
#include "gemm_internal.h"
#ifdef CK_X86
#include <immintrin.h>

#define F2(OFF, R0, R1) "vbroadcastss " #OFF "(%[a]), %%ymm14\n\t" \
    "vfmadd231ps %%ymm12, %%ymm14, %%ymm" #R0 "\n\t" "vfmadd231ps %%ymm13, %%ymm14, %%ymm" #R1 "\n\t"
#define FMA_0 F2(0, 0, 1)
#define FMA_1 F2(4, 2, 3)
#define FMA_2 F2(8, 4, 5)
#define FMA_3 F2(12, 6, 7)
#define FMA_4 F2(16, 8, 9)
#define FMA_5 F2(20, 10, 11)
#define Z2(R0, R1) "vxorps %%ymm" #R0 ", %%ymm" #R0 ", %%ymm" #R0 "\n\t" \
    "vxorps %%ymm" #R1 ", %%ymm" #R1 ", %%ymm" #R1 "\n\t"
#define ZERO_0 Z2(0, 1)
#define ZERO_1 Z2(2, 3)
#define ZERO_2 Z2(4, 5)
#define ZERO_3 Z2(6, 7)
#define ZERO_4 Z2(8, 9)
#define ZERO_5 Z2(10, 11)
#define S2(OFF0, OFF1, R0, R1) "vmovups %%ymm" #R0 ", " #OFF0 "(%[t])\n\t" \
    "vmovups %%ymm" #R1 ", " #OFF1 "(%[t])\n\t"
#define SAVE_0 S2(0, 32, 0, 1)
#define SAVE_1 S2(64, 96, 2, 3)
#define SAVE_2 S2(128, 160, 4, 5)
#define SAVE_3 S2(192, 224, 6, 7)
#define SAVE_4 S2(256, 288, 8, 9)
#define SAVE_5 S2(320, 352, 10, 11)
#define ROWS1(X) X##_0
#define ROWS2(X) ROWS1(X) X##_1
#define ROWS3(X) ROWS2(X) X##_2
#define ROWS4(X) ROWS3(X) X##_3
#define ROWS5(X) ROWS4(X) X##_4
#define ROWS6(X) ROWS5(X) X##_5

// The k loop: LOAD_B the panel's row, then STEP for each of the R rows of A.
#define KBODY_WITH(R, LOAD_B, STEP) \
    "test %[kc], %[kc]\n\t" "jle 2f\n\t" \
    ".p2align 5\n\t" "1:\n\t" \
    LOAD_B \
    ROWS##R(STEP) \
    "add $24, %[a]\n\t" "add $64, %[b]\n\t" "dec %[kc]\n\t" "jnz 1b\n\t" \
    "2:\n\t"
#define KBODY(R) KBODY_WITH(R, "vmovups (%[b]), %%ymm12\n\t" "vmovups 32(%[b]), %%ymm13\n\t", FMA)
#define CLOBBERS "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
    "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14"

// acc[r*16 + j] = sum_p a[p*6 + r] * b[p*16 + j] for r < R (a packed A panel of 6 rows and
// a packed B panel of 16 columns).
#define KLOOP_WITH(NAME, R, ZEROS, BODY, SAVES) \
    __attribute__((target("avx2,fma"), noinline)) static void NAME##R( \
        long kc, const float *a, const float *b, float *acc) { \
        __asm__ volatile(ROWS##R(ZEROS) BODY(R) ROWS##R(SAVES) \
            : [a] "+r"(a), [b] "+r"(b), [kc] "+r"(kc) : [t] "r"(acc) : CLOBBERS); }
#define KLOOP(R) KLOOP_WITH(kloop_, R, ZERO, KBODY, SAVE)
KLOOP(1) KLOOP(2) KLOOP(3) KLOOP(4) KLOOP(5) KLOOP(6)

typedef void (*kloop_fn)(long, const float *, const float *, float *);
static const kloop_fn kloops[CK_MR_AVX2 + 1] = {NULL, kloop_1, kloop_2, kloop_3, kloop_4, kloop_5, kloop_6};

// The same for the first 8 columns of the panel only (acc lanes 8-15 of each row untouched):
// an edge tile at most 8 wide costs half a full one. A Winograd pass over 33 tiles a row
// (a 66 px data gradient) has one column in every third micro-tile.
#define H1(OFF, R0) "vbroadcastss " #OFF "(%[a]), %%ymm14\n\t" "vfmadd231ps %%ymm12, %%ymm14, %%ymm" #R0 "\n\t"
#define HALF_0 H1(0, 0)
#define HALF_1 H1(4, 2)
#define HALF_2 H1(8, 4)
#define HALF_3 H1(12, 6)
#define HALF_4 H1(16, 8)
#define HALF_5 H1(20, 10)
#define HZERO_0 "vxorps %%ymm0, %%ymm0, %%ymm0\n\t"
#define HZERO_1 "vxorps %%ymm2, %%ymm2, %%ymm2\n\t"
#define HZERO_2 "vxorps %%ymm4, %%ymm4, %%ymm4\n\t"
#define HZERO_3 "vxorps %%ymm6, %%ymm6, %%ymm6\n\t"
#define HZERO_4 "vxorps %%ymm8, %%ymm8, %%ymm8\n\t"
#define HZERO_5 "vxorps %%ymm10, %%ymm10, %%ymm10\n\t"
#define HSAVE_0 "vmovups %%ymm0, 0(%[t])\n\t"
#define HSAVE_1 "vmovups %%ymm2, 64(%[t])\n\t"
#define HSAVE_2 "vmovups %%ymm4, 128(%[t])\n\t"
#define HSAVE_3 "vmovups %%ymm6, 192(%[t])\n\t"
#define HSAVE_4 "vmovups %%ymm8, 256(%[t])\n\t"
#define HSAVE_5 "vmovups %%ymm10, 320(%[t])\n\t"
#define HKBODY(R) KBODY_WITH(R, "vmovups (%[b]), %%ymm12\n\t", HALF)
#define HKLOOP(R) KLOOP_WITH(hkloop_, R, HZERO, HKBODY, HSAVE)
HKLOOP(1) HKLOOP(2) HKLOOP(3) HKLOOP(4) HKLOOP(5) HKLOOP(6)
static const kloop_fn half_kloops[CK_MR_AVX2 + 1] = {NULL, hkloop_1, hkloop_2, hkloop_3, hkloop_4, hkloop_5, hkloop_6};

// A full 6x16 tile with alpha 1 and beta 0 (store) or 1 (add), written to C straight from
// the accumulators: the common case, without the round trip through acc. 1*x and
// fma(1, x, 1*c) are exact, so the numbers are the general path's.
#define ST(R0, R1) "vmovups %%ymm" #R0 ", (%[c])\n\t" "vmovups %%ymm" #R1 ", 32(%[c])\n\t" "add %[ldc], %[c]\n\t"
#define AST(R0, R1) "vaddps (%[c]), %%ymm" #R0 ", %%ymm" #R0 "\n\t" "vaddps 32(%[c]), %%ymm" #R1 ", %%ymm" #R1 "\n\t" ST(R0, R1)
__attribute__((target("avx2,fma"), noinline))
static void kfull_6(long kc, const float *a, const float *b, float *c, long ldc_bytes, int accumulate) {
    // The tile's rows of C are touched only after the k loop; fetching them now hides their
    // miss behind it (without this, large GEMMs ran ~4-7% slower on Zen 2).
    for (int r = 0; r < CK_MR_AVX2; r++) {
        const char *row = (const char *)c + r * ldc_bytes;
        __builtin_prefetch(row, 1, 3);
        __builtin_prefetch(row + 63, 1, 3);
    }
    if (accumulate) {
        __asm__ volatile(ROWS6(ZERO) KBODY(6) AST(0, 1) AST(2, 3) AST(4, 5) AST(6, 7) AST(8, 9) AST(10, 11)
            : [a] "+r"(a), [b] "+r"(b), [kc] "+r"(kc), [c] "+r"(c) : [ldc] "r"(ldc_bytes) : CLOBBERS);
    } else {
        __asm__ volatile(ROWS6(ZERO) KBODY(6) ST(0, 1) ST(2, 3) ST(4, 5) ST(6, 7) ST(8, 9) ST(10, 11)
            : [a] "+r"(a), [b] "+r"(b), [kc] "+r"(kc), [c] "+r"(c) : [ldc] "r"(ldc_bytes) : CLOBBERS);
    }
}

__attribute__((target("avx2,fma")))
static inline __m256i lane_mask(int n) {
    // lane i is enabled when i < n (n clamped to 0..8)
    __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n < 0 ? 0 : n > 8 ? 8 : n), idx);
}

__attribute__((target("avx2,fma")))
void ck_microkernel_avx2(long kc, const float *a, const float *b, float *c, long ldc,
                         float alpha, float beta, int mr, int nr) {
    if (mr == CK_MR_AVX2 && nr == CK_NR_AVX2 && alpha == 1.0f && (beta == 0.0f || beta == 1.0f)) {
        kfull_6(kc, a, b, c, ldc * 4, beta == 1.0f);
        return;
    }
    float acc[CK_MR_AVX2 * CK_NR_AVX2] __attribute__((aligned(32)));
    (nr <= 8 ? half_kloops : kloops)[mr < 1 ? 1 : mr > CK_MR_AVX2 ? CK_MR_AVX2 : mr](kc, a, b, acc);
    // Whole halves of a row (8 lanes) take plain loads and stores, and a half with no columns
    // is skipped: masked stores are microcoded and slow on Zen 2.
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    for (int h = 0; h < 2; h++) {
        int cols = nr - 8 * h;
        if (cols <= 0) break;
        const int whole = cols >= 8;
        __m256i mask = lane_mask(cols);
        for (int r = 0; r < mr; r++) {
            float *cr = c + r * ldc + 8 * h;
            __m256 x = _mm256_load_ps(acc + r * 16 + 8 * h), o;
            if (beta == 0.0f) {
                o = _mm256_mul_ps(va, x);
            } else {
                __m256 cv = whole ? _mm256_loadu_ps(cr) : _mm256_maskload_ps(cr, mask);
                o = _mm256_fmadd_ps(va, x, _mm256_mul_ps(vb, cv));
            }
            if (whole) _mm256_storeu_ps(cr, o);
            else _mm256_maskstore_ps(cr, mask, o);
        }
    }
}
__attribute__((target("avx2,fma")))
static inline void transpose8(const float *src, long ld, float *dst, long dst_ld) {
    __m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + ld);
    __m256 r2 = _mm256_loadu_ps(src + 2 * ld), r3 = _mm256_loadu_ps(src + 3 * ld);
    __m256 r4 = _mm256_loadu_ps(src + 4 * ld), r5 = _mm256_loadu_ps(src + 5 * ld);
    __m256 r6 = _mm256_loadu_ps(src + 6 * ld), r7 = _mm256_loadu_ps(src + 7 * ld);
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    _mm256_storeu_ps(dst, _mm256_permute2f128_ps(u0, u4, 0x20));
    _mm256_storeu_ps(dst + dst_ld, _mm256_permute2f128_ps(u1, u5, 0x20));
    _mm256_storeu_ps(dst + 2 * dst_ld, _mm256_permute2f128_ps(u2, u6, 0x20));
    _mm256_storeu_ps(dst + 3 * dst_ld, _mm256_permute2f128_ps(u3, u7, 0x20));
    _mm256_storeu_ps(dst + 4 * dst_ld, _mm256_permute2f128_ps(u0, u4, 0x31));
    _mm256_storeu_ps(dst + 5 * dst_ld, _mm256_permute2f128_ps(u1, u5, 0x31));
    _mm256_storeu_ps(dst + 6 * dst_ld, _mm256_permute2f128_ps(u2, u6, 0x31));
    _mm256_storeu_ps(dst + 7 * dst_ld, _mm256_permute2f128_ps(u3, u7, 0x31));
}

// Packs the full 16-column panels of op(B) = B^T (B stored [n, k] row-major, so a panel's
// columns are 16 rows of B) with 8x8 transposes; the scalar loop in gemm.c stores one
// element per cache line of the panel at a time, and was 8% of a munit iteration (weight
// gradients of its 5x5 layers, whose columns are transposed). Returns how many columns it
// packed (a multiple of 16).
__attribute__((target("avx2,fma")))
long ck_pack_b_trans_avx2(const float *b, long ldb, long p0, long j0, long kc, long nc, float *dst) {
    long full = nc / CK_NR_AVX2 * CK_NR_AVX2;
    long kc8 = kc / 8 * 8;
    for (long jr = 0; jr < full; jr += CK_NR_AVX2, dst += CK_NR_AVX2 * kc) {
        for (int half = 0; half < 2; half++) {
            const float *rows = b + (j0 + jr + 8 * half) * ldb + p0;
            for (long p = 0; p < kc8; p += 8)
                transpose8(rows + p, ldb, dst + p * CK_NR_AVX2 + 8 * half, CK_NR_AVX2);
            for (long p = kc8; p < kc; p++)
                for (int j = 0; j < 8; j++) dst[p * CK_NR_AVX2 + 8 * half + j] = rows[j * ldb + p];
        }
    }
    return full;
}
#endif
