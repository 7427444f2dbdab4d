// Portable 4x8 micro-kernel: plain C the compiler can vectorise for any target.
#include "gemm_internal.h"

void ck_microkernel_portable(long kc, const float *a, const float *b, float *c, long ldc,
                             float alpha, float beta, int mr, int nr) {
    float acc[CK_MR_PORTABLE][CK_NR_PORTABLE] = {{0}};
    for (long p = 0; p < kc; p++) {
        for (int r = 0; r < CK_MR_PORTABLE; r++) {
            float av = a[r];
            for (int j = 0; j < CK_NR_PORTABLE; j++) acc[r][j] += av * b[j];
        }
        a += CK_MR_PORTABLE;
        b += CK_NR_PORTABLE;
    }
    for (int r = 0; r < mr; r++) {
        float *cr = c + r * ldc;
        if (beta == 0.0f) {
            for (int j = 0; j < nr; j++) cr[j] = alpha * acc[r][j];
        } else {
            for (int j = 0; j < nr; j++) cr[j] = alpha * acc[r][j] + beta * cr[j];
        }
    }
}
