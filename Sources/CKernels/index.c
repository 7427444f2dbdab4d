// Index-map kernels: the shared machinery of pad, pixel shuffle, pooling backward,
// nearest/bilinear resampling, gather and embedding.
#include "ckernels.h"

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
