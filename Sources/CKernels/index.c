// Index-map kernels: the shared machinery of pad, pixel shuffle, pooling backward,
// nearest/bilinear resampling, gather and embedding.
#include "ckernels.h"
#include <string.h>

void ck_gather_map(const float *x, const int64_t *map, float *out, long n) {
    for (long i = 0; i < n; i++) {
        int64_t j = map[i];
        out[i] = j >= 0 ? x[j] : 0.0f;
    }
}

void ck_scatter_add_map(const float *g, const int64_t *map, float *gx, long n) {
    for (long i = 0; i < n; i++) {
        int64_t j = map[i];
        if (j >= 0) gx[j] += g[i];
    }
}

void ck_gather_weighted(const float *x, const int64_t *idx, const float *w, long k,
                        float *out, long n) {
    for (long i = 0; i < n; i++) {
        float s = 0.0f;
        const int64_t *ii = idx + i * k;
        const float *ww = w + i * k;
        for (long t = 0; t < k; t++)
            if (ii[t] >= 0) s += ww[t] * x[ii[t]];
        out[i] = s;
    }
}

void ck_scatter_weighted(const float *g, const int64_t *idx, const float *w, long k,
                         float *gx, long n) {
    for (long i = 0; i < n; i++) {
        const int64_t *ii = idx + i * k;
        const float *ww = w + i * k;
        float gi = g[i];
        for (long t = 0; t < k; t++)
            if (ii[t] >= 0) gx[ii[t]] += ww[t] * gi;
    }
}

void ck_upsample_nearest(const float *x, long planes, long h, long w, long s, float *out) {
    long ow = w * s;
    for (long p = 0; p < planes; p++) {
        const float *src = x + p * h * w;
        float *dst = out + p * h * s * ow;
        for (long y = 0; y < h; y++) {
            float *row = dst + y * s * ow;
            for (long xx = 0; xx < w; xx++) {
                float v = src[y * w + xx];
                for (long k = 0; k < s; k++) row[xx * s + k] = v;
            }
            for (long r = 1; r < s; r++) memcpy(row + r * ow, row, sizeof(float) * (size_t)ow);
        }
    }
}

void ck_upsample_nearest_adjoint(const float *g, long planes, long h, long w, long s, float *gx) {
    long ow = w * s;
    for (long p = 0; p < planes; p++) {
        const float *src = g + p * h * s * ow;
        float *dst = gx + p * h * w;
        for (long y = 0; y < h; y++) {
            float *d = dst + y * w;
            for (long xx = 0; xx < w; xx++) d[xx] = 0.0f;
            for (long r = 0; r < s; r++) {
                const float *row = src + (y * s + r) * ow;
                for (long xx = 0; xx < w; xx++) {
                    float acc = 0.0f;
                    for (long k = 0; k < s; k++) acc += row[xx * s + k];
                    d[xx] += acc;
                }
            }
        }
    }
}
