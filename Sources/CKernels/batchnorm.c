// Batch-norm statistics, normalisation and backward in few passes over memory.
// Work is split over channels: each channel's sums are computed by one thread in a fixed
// order, so results do not depend on the thread count. Sums run in 16 float lanes (so the
// compiler can vectorise them without reassociating) and go to double per plane.
#include "ckernels.h"
#include <math.h>
#include <stdlib.h>

#define LANES 16
#define BLOCK 4096
#define INLINE __attribute__((always_inline)) static inline

typedef struct {
    const float *x, *gy, *gamma, *beta, *mean_in, *invstd_in;
    float *y, *gx, *mean, *var, *invstd, *ggamma, *gbeta;
    long n, c, hw, chunks;
    float eps;
} bn_job;

// Sum over one plane of hw floats in float lanes (tree-reduced), per BLOCK, into double.
// KIND 0: sum(p); 1: sum((p-mu)^2); 2: sum(g*(p-mu)). KIND is a constant at each call.
INLINE double plane_sum(int kind, const float *p, const float *g, long hw, float mu) {
    double total = 0;
    for (long b0 = 0; b0 < hw; b0 += BLOCK) {
        long e = hw - b0 < BLOCK ? hw : b0 + BLOCK;
        float acc[LANES] = {0};
        long i = b0;
        for (; i + LANES <= e; i += LANES)
            for (int l = 0; l < LANES; l++) {
                float v = p[i + l], d = v - mu;
                acc[l] += kind == 0 ? v : kind == 1 ? d * d : g[i + l] * d;
            }
        for (int l = 0; i < e; i++, l++) {
            float v = p[i], d = v - mu;
            acc[l] += kind == 0 ? v : kind == 1 ? d * d : g[i] * d;
        }
        for (int w = LANES / 2; w > 0; w /= 2)
            for (int l = 0; l < w; l++) acc[l] += acc[l + w];
        total += acc[0];
    }
    return total;
}

// Channels [lo, hi) of every image, visited in memory order (image by image): walking one
// channel across images would stride by c*hw floats, a power of two in most networks,
// and thrash the caches' sets.
// BatchNorm1d on [n, c]: one value per plane, so walk rows and vectorise over channels
// (the plane loop would spend its time on set-up for a single element).
INLINE void forward_rows(const bn_job *j, long lo, long hi, double *s) {
    long nc = hi - lo, c = j->c;
    double count = (double)j->n;
    for (long k = 0; k < nc; k++) s[k] = 0;
    for (long b = 0; b < j->n; b++) {
        const float *row = j->x + b * c + lo;
        for (long k = 0; k < nc; k++) s[k] += row[k];
    }
    for (long k = 0; k < nc; k++) j->mean[lo + k] = (float)(count > 0 ? s[k] / count : 0);
    for (long k = 0; k < nc; k++) s[k] = 0;
    for (long b = 0; b < j->n; b++) {
        const float *row = j->x + b * c + lo;
        const float *mu = j->mean + lo;
        for (long k = 0; k < nc; k++) { double d = row[k] - mu[k]; s[k] += d * d; }
    }
    for (long k = 0; k < nc; k++) {
        double var = count > 0 ? s[k] / count : 0;
        j->var[lo + k] = (float)var;
        j->invstd[lo + k] = (float)(1.0 / sqrt(var + (double)j->eps));
    }
    for (long b = 0; b < j->n; b++) {
        const float *row = j->x + b * c;
        float *out = j->y + b * c;
        for (long ch = lo; ch < hi; ch++) {
            float scale = j->invstd[ch] * (j->gamma ? j->gamma[ch] : 1.0f);
            float shift = (j->beta ? j->beta[ch] : 0.0f) - j->mean[ch] * scale;
            out[ch] = row[ch] * scale + shift;
        }
    }
}

INLINE void backward_rows(const bn_job *j, long lo, long hi, double *s) {
    long nc = hi - lo, c = j->c;
    double count = (double)j->n;
    double *sg = s, *sgx = s + nc;
    for (long k = 0; k < 2 * nc; k++) s[k] = 0;
    for (long b = 0; b < j->n; b++) {
        const float *g = j->gy + b * c + lo, *p = j->x + b * c + lo, *mu = j->mean_in + lo;
        for (long k = 0; k < nc; k++) { sg[k] += g[k]; sgx[k] += (double)g[k] * (p[k] - mu[k]); }
    }
    for (long k = 0; k < nc; k++) {
        double sgxhat = sgx[k] * j->invstd_in[lo + k];
        if (j->gbeta) j->gbeta[lo + k] = (float)sg[k];
        if (j->ggamma) j->ggamma[lo + k] = (float)sgxhat;
        sgx[k] = sgxhat;
    }
    for (long b = 0; b < j->n; b++) {
        const float *g = j->gy + b * c, *p = j->x + b * c;
        float *q = j->gx + b * c;
        for (long ch = lo; ch < hi; ch++) {
            float inv = j->invstd_in[ch];
            float k = inv * (j->gamma ? j->gamma[ch] : 1.0f);
            float mg = count > 0 ? (float)(sg[ch - lo] / count) : 0.0f;
            float cx = count > 0 ? (float)(sgx[ch - lo] / count) * inv : 0.0f;
            q[ch] = k * (g[ch] - mg - (p[ch] - j->mean_in[ch]) * cx);
        }
    }
}

INLINE void forward_body(const bn_job *j, long lo, long hi, double *s) {
    if (j->hw == 1) { forward_rows(j, lo, hi, s); return; }
    long nc = hi - lo;
    double count = (double)(j->n * j->hw);
    const float *x = j->x;
    for (long k = 0; k < nc; k++) s[k] = 0;
    for (long b = 0; b < j->n; b++)
        for (long ch = lo; ch < hi; ch++)
            s[ch - lo] += plane_sum(0, x + (b * j->c + ch) * j->hw, 0, j->hw, 0.0f);
    for (long ch = lo; ch < hi; ch++) j->mean[ch] = (float)(count > 0 ? s[ch - lo] / count : 0);
    // second pass, centred: accurate when |mean| >> std
    for (long k = 0; k < nc; k++) s[k] = 0;
    for (long b = 0; b < j->n; b++)
        for (long ch = lo; ch < hi; ch++)
            s[ch - lo] += plane_sum(1, x + (b * j->c + ch) * j->hw, 0, j->hw, j->mean[ch]);
    for (long ch = lo; ch < hi; ch++) {
        double var = count > 0 ? s[ch - lo] / count : 0;
        j->var[ch] = (float)var;
        j->invstd[ch] = (float)(1.0 / sqrt(var + (double)j->eps));
    }
    for (long b = 0; b < j->n; b++)
        for (long ch = lo; ch < hi; ch++) {
            float scale = j->invstd[ch] * (j->gamma ? j->gamma[ch] : 1.0f);
            float shift = (j->beta ? j->beta[ch] : 0.0f) - j->mean[ch] * scale;
            const float *p = x + (b * j->c + ch) * j->hw;
            float *q = j->y + (b * j->c + ch) * j->hw;
            for (long i = 0; i < j->hw; i++) q[i] = p[i] * scale + shift;
        }
}

INLINE void backward_body(const bn_job *j, long lo, long hi, double *s) {
    if (j->hw == 1) { backward_rows(j, lo, hi, s); return; }
    long nc = hi - lo;
    double count = (double)(j->n * j->hw);
    double *sg = s, *sgx = s + nc;
    for (long k = 0; k < 2 * nc; k++) s[k] = 0;
    for (long b = 0; b < j->n; b++)
        for (long ch = lo; ch < hi; ch++) {
            const float *g = j->gy + (b * j->c + ch) * j->hw, *p = j->x + (b * j->c + ch) * j->hw;
            sg[ch - lo] += plane_sum(0, g, 0, j->hw, 0.0f);
            sgx[ch - lo] += plane_sum(2, p, g, j->hw, j->mean_in[ch]);
        }
    for (long ch = lo; ch < hi; ch++) {
        double sgxhat = sgx[ch - lo] * j->invstd_in[ch];   // sum(gy * xhat)
        if (j->gbeta) j->gbeta[ch] = (float)sg[ch - lo];
        if (j->ggamma) j->ggamma[ch] = (float)sgxhat;
        sgx[ch - lo] = sgxhat;
    }
    // gx = gamma*inv * (gy - sum(gy)/M - xhat * sum(gy*xhat)/M)
    for (long b = 0; b < j->n; b++)
        for (long ch = lo; ch < hi; ch++) {
            float mean = j->mean_in[ch], inv = j->invstd_in[ch];
            float k = inv * (j->gamma ? j->gamma[ch] : 1.0f);
            float mg = count > 0 ? (float)(sg[ch - lo] / count) : 0.0f;
            float cx = count > 0 ? (float)(sgx[ch - lo] / count) * inv : 0.0f;
            const float *g = j->gy + (b * j->c + ch) * j->hw, *p = j->x + (b * j->c + ch) * j->hw;
            float *q = j->gx + (b * j->c + ch) * j->hw;
            for (long i = 0; i < j->hw; i++) q[i] = k * (g[i] - mg - (p[i] - mean) * cx);
        }
}

// The same bodies compiled for each ISA; picked once per chunk.
#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx512f"))) static void forward_avx512(const bn_job *j, long lo, long hi, double *s) { forward_body(j, lo, hi, s); }
__attribute__((target("avx512f"))) static void backward_avx512(const bn_job *j, long lo, long hi, double *s) { backward_body(j, lo, hi, s); }
#define HAVE_AVX512() __builtin_cpu_supports("avx512f")
#else
#define HAVE_AVX512() 0
#define forward_avx512 forward_portable
#define backward_avx512 backward_portable
#endif
static void forward_portable(const bn_job *j, long lo, long hi, double *s) { forward_body(j, lo, hi, s); }
static void backward_portable(const bn_job *j, long lo, long hi, double *s) { backward_body(j, lo, hi, s); }

static void channel_range(const bn_job *j, long index, long *lo, long *hi) {
    *lo = j->c * index / j->chunks;
    *hi = j->c * (index + 1) / j->chunks;
}

static void forward_chunk(void *ctx, long index) {
    long lo, hi;
    channel_range(ctx, index, &lo, &hi);
    double *s = malloc(sizeof(double) * (size_t)(hi - lo + 1));
    if (!s) abort();
    if (HAVE_AVX512()) forward_avx512(ctx, lo, hi, s); else forward_portable(ctx, lo, hi, s);
    free(s);
}

static void backward_chunk(void *ctx, long index) {
    long lo, hi;
    channel_range(ctx, index, &lo, &hi);
    double *s = malloc(sizeof(double) * (size_t)(2 * (hi - lo) + 1));
    if (!s) abort();
    if (HAVE_AVX512()) backward_avx512(ctx, lo, hi, s); else backward_portable(ctx, lo, hi, s);
    free(s);
}

static long chunks_for(long n, long c, long hw) {
    // ~0.3 ns per element and pass: split when each part has >= ~256k elements
    long chunks = (n * c * hw) / (256L * 1024L);
    int threads = ck_parallel_width();
    if (chunks > threads) chunks = threads;
    if (chunks > c) chunks = c;
    return chunks < 1 ? 1 : chunks;
}

void ck_batchnorm_forward(const float *x, long n, long c, long hw, const float *gamma,
                          const float *beta, float eps, float *y, float *mean, float *var,
                          float *invstd) {
    bn_job j = {0};
    j.x = x; j.gamma = gamma; j.beta = beta; j.y = y; j.mean = mean; j.var = var;
    j.invstd = invstd; j.n = n; j.c = c; j.hw = hw; j.eps = eps;
    j.chunks = chunks_for(n, c, hw);
    ck_parallel_for(j.chunks, forward_chunk, &j);
}

void ck_batchnorm_backward(const float *gy, const float *x, long n, long c, long hw,
                           const float *mean, const float *invstd, const float *gamma,
                           float *gx, float *ggamma, float *gbeta) {
    bn_job j = {0};
    j.gy = gy; j.x = x; j.mean_in = mean; j.invstd_in = invstd; j.gamma = gamma;
    j.gx = gx; j.ggamma = ggamma; j.gbeta = gbeta; j.n = n; j.c = c; j.hw = hw;
    j.chunks = chunks_for(n, c, hw);
    ck_parallel_for(j.chunks, backward_chunk, &j);
}
