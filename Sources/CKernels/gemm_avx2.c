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

#define KBODY(R) \
    "test %[kc], %[kc]\n\t" "jle 2f\n\t" \
    ".p2align 5\n\t" "1:\n\t" \
    "vmovups (%[b]), %%ymm12\n\t" "vmovups 32(%[b]), %%ymm13\n\t" \
    ROWS##R(FMA) \
    "add $24, %[a]\n\t" "add $64, %[b]\n\t" "dec %[kc]\n\t" "jnz 1b\n\t" \
    "2:\n\t"
#define CLOBBERS "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
    "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14"

// acc[r*16 + j] = sum_p a[p*6 + r] * b[p*16 + j] for r < R (a packed A panel of 6 rows and
// a packed B panel of 16 columns).
#define KLOOP(R) \
    __attribute__((target("avx2,fma"), noinline)) static void kloop_##R( \
        long kc, const float *a, const float *b, float *acc) { \
        __asm__ volatile(ROWS##R(ZERO) KBODY(R) ROWS##R(SAVE) \
            : [a] "+r"(a), [b] "+r"(b), [kc] "+r"(kc) : [t] "r"(acc) : CLOBBERS); }
KLOOP(1) KLOOP(2) KLOOP(3) KLOOP(4) KLOOP(5) KLOOP(6)

typedef void (*kloop_fn)(long, const float *, const float *, float *);
static const kloop_fn kloops[CK_MR_AVX2 + 1] = {NULL, kloop_1, kloop_2, kloop_3, kloop_4, kloop_5, kloop_6};

// A full 6x16 tile with alpha 1 and beta 0 (store) or 1 (add), written to C straight from
// the accumulators: the common case, without the round trip through acc. 1*x and
// fma(1, x, 1*c) are exact, so the numbers are the general path's.
#define ST(R0, R1) "vmovups %%ymm" #R0 ", (%[c])\n\t" "vmovups %%ymm" #R1 ", 32(%[c])\n\t" "add %[ldc], %[c]\n\t"
#define AST(R0, R1) "vaddps (%[c]), %%ymm" #R0 ", %%ymm" #R0 "\n\t" "vaddps 32(%[c]), %%ymm" #R1 ", %%ymm" #R1 "\n\t" ST(R0, R1)
__attribute__((target("avx2,fma"), noinline))
static void kfull_6(long kc, const float *a, const float *b, float *c, long ldc_bytes, int accumulate) {
    // The tile's rows of C are touched only after the k loop; fetching them now hides their
    // miss behind it (without this the loads and stores of C stalled large GEMMs by ~15%).
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
    kloops[mr < 1 ? 1 : mr > CK_MR_AVX2 ? CK_MR_AVX2 : mr](kc, a, b, acc);
    // Whole rows take plain loads and stores: masked stores are microcoded and slow on Zen 2.
    const int whole = nr == CK_NR_AVX2;
    __m256i m0 = lane_mask(nr), m1 = lane_mask(nr - 8);
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    for (int r = 0; r < mr; r++) {
        float *cr = c + r * ldc;
        __m256 x0 = _mm256_load_ps(acc + r * 16), x1 = _mm256_load_ps(acc + r * 16 + 8);
        __m256 o0, o1;
        if (beta == 0.0f) {
            o0 = _mm256_mul_ps(va, x0);
            o1 = _mm256_mul_ps(va, x1);
        } else {
            __m256 c0 = whole ? _mm256_loadu_ps(cr) : _mm256_maskload_ps(cr, m0);
            __m256 c1 = whole ? _mm256_loadu_ps(cr + 8) : _mm256_maskload_ps(cr + 8, m1);
            o0 = _mm256_fmadd_ps(va, x0, _mm256_mul_ps(vb, c0));
            o1 = _mm256_fmadd_ps(va, x1, _mm256_mul_ps(vb, c1));
        }
        if (whole) {
            _mm256_storeu_ps(cr, o0);
            _mm256_storeu_ps(cr + 8, o1);
        } else {
            _mm256_maskstore_ps(cr, m0, o0);
            _mm256_maskstore_ps(cr + 8, m1, o1);
        }
    }
}
#endif
