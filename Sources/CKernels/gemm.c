// Portable reference GEMM. Correct for every transpose/stride combination; the fast
// packed kernels replace the body of ck_sgemm without changing its contract.
#include "ckernels.h"
#include <stdlib.h>
#include <string.h>

void ck_sgemm(int trans_a, int trans_b, long m, long n, long k, float alpha,
              const float *a, long lda, const float *b, long ldb, float beta,
              float *c, long ldc) {
    for (long i = 0; i < m; i++) {
        float *crow = c + i * ldc;
        if (beta == 0.0f) {
            for (long j = 0; j < n; j++) crow[j] = 0.0f;
        } else if (beta != 1.0f) {
            for (long j = 0; j < n; j++) crow[j] *= beta;
        }
    }
    if (m == 0 || n == 0 || k == 0 || alpha == 0.0f) return;
    // Pack op(B) as k x n row-major so the inner loop is contiguous.
    float *bp = NULL;
    const float *bb = b;
    long ldbb = ldb;
    if (trans_b) {
        bp = (float *)malloc(sizeof(float) * (size_t)(k * n));
        for (long p = 0; p < k; p++)
            for (long j = 0; j < n; j++) bp[p * n + j] = b[j * ldb + p];
        bb = bp;
        ldbb = n;
    }
    for (long i = 0; i < m; i++) {
        float *crow = c + i * ldc;
        for (long p = 0; p < k; p++) {
            float av = alpha * (trans_a ? a[p * lda + i] : a[i * lda + p]);
            if (av == 0.0f) continue;
            const float *brow = bb + p * ldbb;
            for (long j = 0; j < n; j++) crow[j] += av * brow[j];
        }
    }
    free(bp);
}
