// Batch-norm statistics, normalisation and backward in few passes over memory.
// Work is split over channels (each channel's sums are computed by one thread in a fixed
// order, so results do not depend on the thread count). Sums accumulate in double.
#include "ckernels.h"
#include <math.h>

typedef struct {
    const float *x, *gy, *gamma, *beta, *mean_in, *invstd_in;
    float *y, *gx, *mean, *var, *invstd, *ggamma, *gbeta;
    long n, c, hw, chunks;
    float eps;
} bn_job;

static void channel_range(const bn_job *j, long index, long *lo, long *hi) {
    *lo = j->c * index / j->chunks;
    *hi = j->c * (index + 1) / j->chunks;
}

static double sum_plane(const float *p, long hw) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    long i = 0;
    for (; i + 4 <= hw; i += 4) { s0 += p[i]; s1 += p[i + 1]; s2 += p[i + 2]; s3 += p[i + 3]; }
    for (; i < hw; i++) s0 += p[i];
    return (s0 + s1) + (s2 + s3);
}

static void forward_chunk(void *ctx, long index) {
    const bn_job *j = ctx;
    long lo, hi;
    channel_range(j, index, &lo, &hi);
    double count = (double)(j->n * j->hw);
    for (long ch = lo; ch < hi; ch++) {
        double s = 0;
        for (long b = 0; b < j->n; b++) s += sum_plane(j->x + (b * j->c + ch) * j->hw, j->hw);
        double mean = count > 0 ? s / count : 0;
        double ss = 0;   // second pass: centred, accurate for large means
        for (long b = 0; b < j->n; b++) {
            const float *p = j->x + (b * j->c + ch) * j->hw;
            float mf = (float)mean;
            double t0 = 0, t1 = 0;
            long i = 0;
            for (; i + 2 <= j->hw; i += 2) {
                float d0 = p[i] - mf, d1 = p[i + 1] - mf;
                t0 += d0 * d0; t1 += d1 * d1;
            }
            for (; i < j->hw; i++) { float d = p[i] - mf; t0 += d * d; }
            ss += t0 + t1;
        }
        double var = count > 0 ? ss / count : 0;
        float inv = (float)(1.0 / sqrt(var + (double)j->eps));
        j->mean[ch] = (float)mean;
        j->var[ch] = (float)var;
        j->invstd[ch] = inv;
        float scale = inv * (j->gamma ? j->gamma[ch] : 1.0f);
        float shift = (j->beta ? j->beta[ch] : 0.0f) - (float)mean * scale;
        for (long b = 0; b < j->n; b++) {
            const float *p = j->x + (b * j->c + ch) * j->hw;
            float *q = j->y + (b * j->c + ch) * j->hw;
            for (long i = 0; i < j->hw; i++) q[i] = p[i] * scale + shift;
        }
    }
}

static long chunks_for(long n, long c, long hw) {
    // ~1 ns per element and pass: split when each part has >= ~100k elements
    long chunks = (n * c * hw) / (128L * 1024L);
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

static void backward_chunk(void *ctx, long index) {
    const bn_job *j = ctx;
    long lo, hi;
    channel_range(j, index, &lo, &hi);
    double count = (double)(j->n * j->hw);
    for (long ch = lo; ch < hi; ch++) {
        float mean = j->mean_in[ch], inv = j->invstd_in[ch];
        double sg = 0, sgx = 0;
        for (long b = 0; b < j->n; b++) {
            const float *g = j->gy + (b * j->c + ch) * j->hw, *p = j->x + (b * j->c + ch) * j->hw;
            double a0 = 0, a1 = 0;
            for (long i = 0; i < j->hw; i++) { a0 += g[i]; a1 += g[i] * (p[i] - mean); }
            sg += a0;
            sgx += a1;
        }
        double sgxhat = sgx * inv;   // sum(gy * xhat)
        if (j->gbeta) j->gbeta[ch] = (float)sg;
        if (j->ggamma) j->ggamma[ch] = (float)sgxhat;
        // gx = gamma*inv * (gy - sum(gy)/M - xhat * sum(gy*xhat)/M)
        float k = inv * (j->gamma ? j->gamma[ch] : 1.0f);
        float mg = count > 0 ? (float)(sg / count) : 0.0f;
        float cx = count > 0 ? (float)(sgxhat / count) * inv : 0.0f;
        for (long b = 0; b < j->n; b++) {
            const float *g = j->gy + (b * j->c + ch) * j->hw, *p = j->x + (b * j->c + ch) * j->hw;
            float *q = j->gx + (b * j->c + ch) * j->hw;
            for (long i = 0; i < j->hw; i++) q[i] = k * (g[i] - mg - (p[i] - mean) * cx);
        }
    }
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
