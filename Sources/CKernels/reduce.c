// Reductions over the middle axis of an [outer, r, inner] view.
#include "ckernels.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

void ck_reduce_sum(const float *x, long outer, long r, long inner, float *out) {
    if (inner == 1) {
        for (long o = 0; o < outer; o++) {
            const float *p = x + o * r;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            long i = 0;
            for (; i + 4 <= r; i += 4) { s0 += p[i]; s1 += p[i + 1]; s2 += p[i + 2]; s3 += p[i + 3]; }
            for (; i < r; i++) s0 += p[i];
            out[o] = (float)((s0 + s1) + (s2 + s3));
        }
        return;
    }
    double *acc = (double *)malloc(sizeof(double) * (size_t)inner);
    for (long o = 0; o < outer; o++) {
        for (long j = 0; j < inner; j++) acc[j] = 0.0;
        const float *p = x + o * r * inner;
        for (long q = 0; q < r; q++) {
            const float *row = p + q * inner;
            for (long j = 0; j < inner; j++) acc[j] += row[j];
        }
        float *dst = out + o * inner;
        for (long j = 0; j < inner; j++) dst[j] = (float)acc[j];
    }
    free(acc);
}

void ck_reduce_max(const float *x, long outer, long r, long inner, float *out,
                   int64_t *argmax) {
    for (long o = 0; o < outer; o++) {
        for (long j = 0; j < inner; j++) {
            const float *p = x + o * r * inner + j;
            float best = p[0];
            int64_t bi = 0;
            if (!isnan(best)) {
                for (long q = 1; q < r; q++) {
                    float v = p[q * inner];
                    if (isnan(v)) { best = v; bi = q; break; }
                    if (v > best) { best = v; bi = q; }
                }
            }
            out[o * inner + j] = best;
            if (argmax) argmax[o * inner + j] = bi;
        }
    }
}

int ck_all_finite(const float *x, long n) {
    // Integer OR over blocks (vectorises without reassociating floats); a non-finite value
    // has every exponent bit set.
    for (long start = 0; start < n; start += 4096) {
        long end = start + 4096 < n ? start + 4096 : n;
        uint32_t bad = 0;
        for (long i = start; i < end; i++) {
            uint32_t b;
            memcpy(&b, x + i, sizeof b);
            bad |= (uint32_t)((b & 0x7f800000u) == 0x7f800000u);
        }
        if (bad) return 0;
    }
    return 1;
}
