// AVX2+FMA 6x16 micro-kernel (12 ymm accumulators), for x86 CPUs without AVX-512.
#include "gemm_internal.h"
#ifdef CK_X86
#include <immintrin.h>

#define T256 __attribute__((target("avx2,fma"), always_inline)) static inline

T256 __m256i lane_mask(int n) {
    // lane i is enabled when i < n (n clamped to 0..8)
    __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n < 0 ? 0 : n > 8 ? 8 : n), idx);
}

T256 void k256(const int R, long kc, const float *a, const float *b, float *c, long ldc,
               float alpha, float beta, int nr) {
    __m256 acc0[CK_MR_AVX2], acc1[CK_MR_AVX2];
    for (int r = 0; r < R; r++) { acc0[r] = _mm256_setzero_ps(); acc1[r] = _mm256_setzero_ps(); }
    for (long p = 0; p < kc; p++) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        for (int r = 0; r < R; r++) {
            __m256 av = _mm256_broadcast_ss(a + r);
            acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);
            acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);
        }
        a += CK_MR_AVX2;
        b += CK_NR_AVX2;
    }
    __m256i m0 = lane_mask(nr), m1 = lane_mask(nr - 8);
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    for (int r = 0; r < R; r++) {
        float *cr = c + r * ldc;
        __m256 o0, o1;
        if (beta == 0.0f) {
            o0 = _mm256_mul_ps(va, acc0[r]);
            o1 = _mm256_mul_ps(va, acc1[r]);
        } else {
            o0 = _mm256_fmadd_ps(va, acc0[r], _mm256_mul_ps(vb, _mm256_maskload_ps(cr, m0)));
            o1 = _mm256_fmadd_ps(va, acc1[r], _mm256_mul_ps(vb, _mm256_maskload_ps(cr + 8, m1)));
        }
        _mm256_maskstore_ps(cr, m0, o0);
        _mm256_maskstore_ps(cr + 8, m1, o1);
    }
}

#define K256(R) \
    __attribute__((target("avx2,fma"))) static void k256_##R(long kc, const float *a, \
        const float *b, float *c, long ldc, float alpha, float beta, int nr) { \
        k256(R, kc, a, b, c, ldc, alpha, beta, nr); }
K256(1) K256(2) K256(3) K256(4) K256(5) K256(6)

__attribute__((target("avx2,fma")))
void ck_microkernel_avx2(long kc, const float *a, const float *b, float *c, long ldc,
                         float alpha, float beta, int mr, int nr) {
    switch (mr) {
    case 6: k256_6(kc, a, b, c, ldc, alpha, beta, nr); break;
    case 5: k256_5(kc, a, b, c, ldc, alpha, beta, nr); break;
    case 4: k256_4(kc, a, b, c, ldc, alpha, beta, nr); break;
    case 3: k256_3(kc, a, b, c, ldc, alpha, beta, nr); break;
    case 2: k256_2(kc, a, b, c, ldc, alpha, beta, nr); break;
    default: k256_1(kc, a, b, c, ldc, alpha, beta, nr); break;
    }
}
#endif
