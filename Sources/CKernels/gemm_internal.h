// Private interface between the GEMM driver (gemm.c) and its micro-kernels.
#ifndef CK_GEMM_INTERNAL_H
#define CK_GEMM_INTERNAL_H

// A micro-kernel computes one MR x NR tile from packed panels:
//   acc = sum_{p<kc} a[p*MR + r] * b[p*NR + j]     (packed panels, zero padded)
//   c[r*ldc + j] = beta == 0 ? alpha*acc : fma(alpha, acc, beta*c)   for r<mr, j<nr
// Edge tiles (mr < MR or nr < NR) use exactly the same arithmetic as full ones, so a
// result does not depend on where the tile falls; that makes the product independent of
// how the driver splits C across threads.
typedef void (*ck_microkernel)(long kc, const float *a, const float *b, float *c,
                               long ldc, float alpha, float beta, int mr, int nr);

typedef struct {
    int mr, nr;            // tile shape of the micro-kernel
    ck_microkernel kernel;
    const char *name;
} ck_gemm_isa;

#if defined(__x86_64__) || defined(__i386__)
#define CK_X86 1
void ck_microkernel_avx512(long kc, const float *a, const float *b, float *c, long ldc,
                           float alpha, float beta, int mr, int nr);
void ck_microkernel_avx2(long kc, const float *a, const float *b, float *c, long ldc,
                         float alpha, float beta, int mr, int nr);
#endif
void ck_microkernel_portable(long kc, const float *a, const float *b, float *c, long ldc,
                             float alpha, float beta, int mr, int nr);

#define CK_MR_AVX512 12
#define CK_NR_AVX512 32
#define CK_MR_AVX2 6
#define CK_NR_AVX2 16
#define CK_MR_PORTABLE 4
#define CK_NR_PORTABLE 8

#endif
