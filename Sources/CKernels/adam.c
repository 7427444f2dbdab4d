// Fused Adam update over one contiguous parameter buffer, with torch.optim.Adam's
// semantics (amsgrad off): L2 weight decay folded into the gradient, bias-corrected
// moments, eps added after the square root of the bias-corrected second moment.
// One pass over four arrays, so it runs at memory bandwidth; split over the pool in
// element ranges (each element's arithmetic is the same on any thread).
#include "ckernels.h"
#include <math.h>

typedef struct {
    float *p, *m, *v;
    const float *g;
    long n, chunks;
    float neg_step, beta1, beta2, eps, wd, bc2_sqrt;
} adam_job;

// The operations and their order follow torch's single-tensor Adam on CPU, so results
// agree to rounding.
__attribute__((always_inline)) static inline void adam_body(const adam_job *j, long lo, long hi) {
    float *restrict p = j->p, *restrict m = j->m, *restrict v = j->v;
    const float *restrict g = j->g;
    const float w = 1.0f - j->beta1, b2 = j->beta2, c2 = 1.0f - j->beta2;
    const float wd = j->wd, eps = j->eps, neg_step = j->neg_step, bs = j->bc2_sqrt;
    const int low_weight = w < 0.5f;   // torch's lerp switches formula at weight 0.5
    for (long i = lo; i < hi; i++) {
        float gi = g[i] + wd * p[i];                          // grad.add(param, alpha=wd)
        float d = gi - m[i];
        float mi = low_weight ? m[i] + w * d : gi - d * (1.0f - w);   // exp_avg.lerp_(grad, 1-beta1)
        float vi = v[i] * b2 + (c2 * gi) * gi;                // exp_avg_sq.mul_(b2).addcmul_(g, g, 1-b2)
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] + (neg_step * mi) / (sqrtf(vi) / bs + eps);   // addcdiv_(m, denom, -step_size)
    }
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx512f"))) static void adam_avx512(const adam_job *j, long lo, long hi) {
    adam_body(j, lo, hi);
}
__attribute__((target("avx2,fma"))) static void adam_avx2(const adam_job *j, long lo, long hi) {
    adam_body(j, lo, hi);
}
#endif
static void adam_portable(const adam_job *j, long lo, long hi) { adam_body(j, lo, hi); }

static void adam_chunk(void *ctx, long index) {
    const adam_job *j = ctx;
    long lo = j->n * index / j->chunks, hi = j->n * (index + 1) / j->chunks;
#if defined(__x86_64__) || defined(__i386__)
    // The paths may differ in the last bit (the compiler may contract to FMA where the
    // ISA has it); a machine always takes the same path, so results are reproducible.
    if (__builtin_cpu_supports("avx512f")) { adam_avx512(j, lo, hi); return; }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) { adam_avx2(j, lo, hi); return; }
#endif
    adam_portable(j, lo, hi);
}

void ck_adam_step(float *param, const float *grad, float *m, float *v, long n, float lr,
                  float beta1, float beta2, float eps, float weight_decay, long step) {
    if (n <= 0) return;
    double bc1 = 1.0 - pow((double)beta1, (double)step);
    double bc2 = 1.0 - pow((double)beta2, (double)step);
    adam_job j = {param, m, v, grad, n, 1, (float)(-(lr / bc1)), beta1, beta2, eps,
                  weight_decay, (float)sqrt(bc2)};
    // ~1 ns per element: split only above ~256k elements (>= ~100 us per part)
    long chunks = n / (256L * 1024L);
    int threads = ck_parallel_width();
    if (chunks > threads) chunks = threads;
    j.chunks = chunks < 1 ? 1 : chunks;
    ck_parallel_for(j.chunks, adam_chunk, &j);
}
