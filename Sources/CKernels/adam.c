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
static void adam_body(const adam_job *j, long lo, long hi) {
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
#include <immintrin.h>
// Vector versions of adam_body with the same operations in the same order. The tail goes
// through masked loads/stores, so every element sees identical arithmetic wherever a
// chunk boundary falls.
__attribute__((target("avx512f"))) static void adam_avx512(const adam_job *j, long lo, long hi) {
    const __m512 w = _mm512_set1_ps(1.0f - j->beta1), w1 = _mm512_set1_ps(1.0f - (1.0f - j->beta1));
    const __m512 b2 = _mm512_set1_ps(j->beta2), c2 = _mm512_set1_ps(1.0f - j->beta2);
    const __m512 wd = _mm512_set1_ps(j->wd), eps = _mm512_set1_ps(j->eps);
    const __m512 ns = _mm512_set1_ps(j->neg_step), bs = _mm512_set1_ps(j->bc2_sqrt);
    const int low_weight = 1.0f - j->beta1 < 0.5f;
    for (long i = lo; i < hi; i += 16) {
        __mmask16 k = hi - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (hi - i)) - 1u);
        __m512 p = _mm512_maskz_loadu_ps(k, j->p + i), g = _mm512_maskz_loadu_ps(k, j->g + i);
        __m512 m = _mm512_maskz_loadu_ps(k, j->m + i), v = _mm512_maskz_loadu_ps(k, j->v + i);
        g = _mm512_add_ps(g, _mm512_mul_ps(wd, p));
        __m512 d = _mm512_sub_ps(g, m);
        m = low_weight ? _mm512_add_ps(m, _mm512_mul_ps(w, d)) : _mm512_sub_ps(g, _mm512_mul_ps(d, w1));
        v = _mm512_add_ps(_mm512_mul_ps(v, b2), _mm512_mul_ps(_mm512_mul_ps(c2, g), g));
        __m512 den = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(v), bs), eps);
        p = _mm512_add_ps(p, _mm512_div_ps(_mm512_mul_ps(ns, m), den));
        _mm512_mask_storeu_ps(j->m + i, k, m);
        _mm512_mask_storeu_ps(j->v + i, k, v);
        _mm512_mask_storeu_ps(j->p + i, k, p);
    }
}

// Whole vectors take plain loads and stores and only the tail is masked: masked stores are
// microcoded on Zen 2 and ran this memory-bound loop at a tenth of the AVX-512 one's rate.
__attribute__((target("avx2"))) static inline void adam_avx2_lanes(const adam_job *j, long i, __m256i k, int whole) {
    const __m256 w = _mm256_set1_ps(1.0f - j->beta1), w1 = _mm256_set1_ps(1.0f - (1.0f - j->beta1));
    const __m256 b2 = _mm256_set1_ps(j->beta2), c2 = _mm256_set1_ps(1.0f - j->beta2);
    const __m256 wd = _mm256_set1_ps(j->wd), eps = _mm256_set1_ps(j->eps);
    const __m256 ns = _mm256_set1_ps(j->neg_step), bs = _mm256_set1_ps(j->bc2_sqrt);
    const int low_weight = 1.0f - j->beta1 < 0.5f;
    __m256 p = whole ? _mm256_loadu_ps(j->p + i) : _mm256_maskload_ps(j->p + i, k);
    __m256 g = whole ? _mm256_loadu_ps(j->g + i) : _mm256_maskload_ps(j->g + i, k);
    __m256 m = whole ? _mm256_loadu_ps(j->m + i) : _mm256_maskload_ps(j->m + i, k);
    __m256 v = whole ? _mm256_loadu_ps(j->v + i) : _mm256_maskload_ps(j->v + i, k);
    g = _mm256_add_ps(g, _mm256_mul_ps(wd, p));
    __m256 d = _mm256_sub_ps(g, m);
    m = low_weight ? _mm256_add_ps(m, _mm256_mul_ps(w, d)) : _mm256_sub_ps(g, _mm256_mul_ps(d, w1));
    v = _mm256_add_ps(_mm256_mul_ps(v, b2), _mm256_mul_ps(_mm256_mul_ps(c2, g), g));
    __m256 den = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(v), bs), eps);
    p = _mm256_add_ps(p, _mm256_div_ps(_mm256_mul_ps(ns, m), den));
    if (whole) {
        _mm256_storeu_ps(j->m + i, m);
        _mm256_storeu_ps(j->v + i, v);
        _mm256_storeu_ps(j->p + i, p);
    } else {
        _mm256_maskstore_ps(j->m + i, k, m);
        _mm256_maskstore_ps(j->v + i, k, v);
        _mm256_maskstore_ps(j->p + i, k, p);
    }
}

__attribute__((target("avx2"))) static void adam_avx2(const adam_job *j, long lo, long hi) {
    long i = lo;
    const __m256i all = _mm256_set1_epi32(-1);
    for (; i + 8 <= hi; i += 8) adam_avx2_lanes(j, i, all, 1);
    if (i < hi) {
        const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        adam_avx2_lanes(j, i, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(hi - i)), idx), 0);
    }
}
#endif

// ---- many tensors in one pass ---------------------------------------------------------
// A model's parameters are a few large weights and many small ones; stepping them one by
// one left every tensor under the split size on the calling thread (a gan step's D weight of
// 401k floats among them) and paid one pool round trip per tensor. Here the tensors are laid
// end to end and the whole range is cut into chunks that may span tensors.
typedef struct {
    long count, total, chunks;
    const long *offsets;         // count + 1 prefix sums of the sizes
    void (*run)(const void *job, long tensor, long lo, long hi);
    const void *job;
} multi_job;

static void multi_chunk(void *ctx, long index) {
    const multi_job *mj = ctx;
    long lo = mj->total * index / mj->chunks, hi = mj->total * (index + 1) / mj->chunks;
    long t = 0;
    while (t < mj->count && mj->offsets[t + 1] <= lo) t++;
    for (; t < mj->count && mj->offsets[t] < hi; t++) {
        long a = lo > mj->offsets[t] ? lo : mj->offsets[t];
        long b = hi < mj->offsets[t + 1] ? hi : mj->offsets[t + 1];
        if (a < b) mj->run(mj->job, t, a - mj->offsets[t], b - mj->offsets[t]);
    }
}

// Chunks of >= 32k elements (~30 us at memory speed, past the pool's hand-off cost).
static void run_multi(long count, const long *sizes, long *offsets,
                      void (*run)(const void *, long, long, long), const void *job) {
    offsets[0] = 0;
    for (long t = 0; t < count; t++) offsets[t + 1] = offsets[t] + (sizes[t] > 0 ? sizes[t] : 0);
    long total = offsets[count];
    if (total <= 0) return;
    multi_job mj = {count, total, ck_parallel_chunks(total, 32768), offsets, run, job};
    ck_parallel_for(mj.chunks, multi_chunk, &mj);
}

typedef struct { const adam_job *jobs; } adam_multi_job;

static void adam_multi_run(const void *ctx, long t, long lo, long hi) {
    const adam_job *j = &((const adam_multi_job *)ctx)->jobs[t];
#if defined(__x86_64__) || defined(__i386__)
    if (__builtin_cpu_supports("avx512f")) { adam_avx512(j, lo, hi); return; }
    if (__builtin_cpu_supports("avx2")) { adam_avx2(j, lo, hi); return; }
#endif
    adam_body(j, lo, hi);
}

void ck_adam_step_many(long count, float *const *params, const float *const *grads, float *const *m,
                       float *const *v, const long *sizes, const long *steps, float lr, float beta1,
                       float beta2, float eps, float weight_decay) {
    if (count <= 0) return;
    adam_job jobs[count];
    long offsets[count + 1];
    for (long t = 0; t < count; t++) {
        double bc1 = 1.0 - pow((double)beta1, (double)steps[t]);
        double bc2 = 1.0 - pow((double)beta2, (double)steps[t]);
        adam_job j = {params[t], m[t], v[t], grads[t], sizes[t], 1, (float)(-(lr / bc1)), beta1, beta2,
                      eps, weight_decay, (float)sqrt(bc2)};
        jobs[t] = j;
    }
    adam_multi_job amj = {jobs};
    run_multi(count, sizes, offsets, adam_multi_run, &amj);
}

// torch.optim.RMSprop without momentum or centring, in the arithmetic order of NN's
// RMSprop.swift: g += wd*p; v = v*alpha + (1-alpha)*g*g; p += -lr * (g / (sqrt(v) + eps)),
// then p clamped to [lo, hi] as CK_CLAMP does (WGAN's weight clipping, in the same pass;
// -inf..inf leaves p as it is).
static void rmsprop_range(float *p, const float *g, float *v, long lo, long hi, float lr, float alpha,
                          float eps, float wd, float clip_lo, float clip_hi) {
    float w = 1.0f - alpha;
    for (long k = lo; k < hi; k++) {
        float grad = g[k];
        if (wd != 0.0f) grad += wd * p[k];
        v[k] = v[k] * alpha + w * grad * grad;
        float avg = sqrtf(v[k]) + eps;
        float q = p[k] + -lr * (grad / avg);
        p[k] = q < clip_lo ? clip_lo : (q > clip_hi ? clip_hi : q);
    }
}

typedef struct { float *p; const float *g; float *v; long n, chunks; float lr, alpha, eps, wd, clip_lo, clip_hi; } rms_job;

#if defined(__x86_64__) || defined(__i386__)
// rmsprop_range 16 lanes at a time, the same operations in the same order, masked tail
// (the scalar loop's sqrtf and possible aliasing kept it scalar: 17% of a WGAN step).
__attribute__((target("avx512f"))) static void rmsprop_avx512(const rms_job *j, long lo, long hi) {
    const __m512 alpha = _mm512_set1_ps(j->alpha), w = _mm512_set1_ps(1.0f - j->alpha);
    const __m512 wd = _mm512_set1_ps(j->wd), eps = _mm512_set1_ps(j->eps), nlr = _mm512_set1_ps(-j->lr);
    const __m512 clip_lo = _mm512_set1_ps(j->clip_lo), clip_hi = _mm512_set1_ps(j->clip_hi);
    for (long i = lo; i < hi; i += 16) {
        __mmask16 k = hi - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (hi - i)) - 1u);
        __m512 p = _mm512_maskz_loadu_ps(k, j->p + i), g = _mm512_maskz_loadu_ps(k, j->g + i);
        __m512 v = _mm512_maskz_loadu_ps(k, j->v + i);
        if (j->wd != 0.0f) g = _mm512_add_ps(g, _mm512_mul_ps(wd, p));
        v = _mm512_add_ps(_mm512_mul_ps(v, alpha), _mm512_mul_ps(_mm512_mul_ps(w, g), g));
        __m512 avg = _mm512_add_ps(_mm512_sqrt_ps(v), eps);
        p = _mm512_add_ps(p, _mm512_mul_ps(nlr, _mm512_div_ps(g, avg)));
        p = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(p, clip_lo, _CMP_LT_OQ), p, clip_lo);
        p = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(p, clip_hi, _CMP_GT_OQ), p, clip_hi);
        _mm512_mask_storeu_ps(j->v + i, k, v);
        _mm512_mask_storeu_ps(j->p + i, k, p);
    }
}
#endif

typedef struct { const rms_job *jobs; } rms_multi_job;

static void rmsprop_multi_run(const void *ctx, long t, long lo, long hi) {
    const rms_job *j = &((const rms_multi_job *)ctx)->jobs[t];
#if defined(__x86_64__) || defined(__i386__)
    if (__builtin_cpu_supports("avx512f")) { rmsprop_avx512(j, lo, hi); return; }
#endif
    rmsprop_range(j->p, j->g, j->v, lo, hi, j->lr, j->alpha, j->eps, j->wd, j->clip_lo, j->clip_hi);
}

void ck_rmsprop_step_many(long count, float *const *params, const float *const *grads,
                          float *const *square_avg, const long *sizes, float lr, float alpha, float eps,
                          float weight_decay, float clip_lo, float clip_hi) {
    if (count <= 0) return;
    rms_job jobs[count];
    long offsets[count + 1];
    for (long t = 0; t < count; t++) {
        rms_job j = {params[t], grads[t], square_avg[t], sizes[t], 1, lr, alpha, eps, weight_decay, clip_lo, clip_hi};
        jobs[t] = j;
    }
    rms_multi_job rmj = {jobs};
    run_multi(count, sizes, offsets, rmsprop_multi_run, &rmj);
}

// One tensor: the same as a list of one (split from 32k elements, as for many).
void ck_adam_step(float *param, const float *grad, float *m, float *v, long n, float lr,
                  float beta1, float beta2, float eps, float weight_decay, long step) {
    ck_adam_step_many(1, &param, &grad, &m, &v, &n, &step, lr, beta1, beta2, eps, weight_decay);
}

void ck_rmsprop_step(float *param, const float *grad, float *square_avg, long n, float lr, float alpha,
                     float eps, float weight_decay, float clip_lo, float clip_hi) {
    ck_rmsprop_step_many(1, &param, &grad, &square_avg, &n, lr, alpha, eps, weight_decay, clip_lo, clip_hi);
}
