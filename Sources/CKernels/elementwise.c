// Elementwise kernels. The switch on the op sits outside each loop so every loop body
// is a single expression the compiler can vectorise.
#include "ckernels.h"
#include <string.h>
#include <math.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_EW_X86 1
#endif

#define BINARY_CASES(LOOP)                                            \
    switch (op) {                                                     \
    case CK_ADD: LOOP(A + B); break;                                  \
    case CK_SUB: LOOP(A - B); break;                                  \
    case CK_MUL: LOOP(A * B); break;                                  \
    case CK_DIV: LOOP(A / B); break;                                  \
    case CK_POW: LOOP(powf(A, B)); break;                             \
    case CK_MAX: LOOP((isnan(A) || A > B) ? A : (isnan(B) ? B : (A == B ? A : B))); break; \
    case CK_MIN: LOOP((isnan(A) || A < B) ? A : (isnan(B) ? B : (A == B ? A : B))); break; \
    case CK_GT: LOOP(A > B ? 1.0f : 0.0f); break;                     \
    case CK_GE: LOOP(A >= B ? 1.0f : 0.0f); break;                    \
    case CK_LT: LOOP(A < B ? 1.0f : 0.0f); break;                     \
    case CK_LE: LOOP(A <= B ? 1.0f : 0.0f); break;                    \
    case CK_EQ: LOOP(A == B ? 1.0f : 0.0f); break;                    \
    case CK_NE: LOOP(A != B ? 1.0f : 0.0f); break;                    \
    default: break;                                                   \
    }

// ---- splitting large elementwise work over the pool ---------------------------------
// Each chunk is a contiguous range computed exactly as the serial loop would, so results
// do not depend on the split. Cheap ops split from 32K elements (memory-bound, ~10 us a
// part), transcendental ones from 16K.
#define SPLIT_CHEAP (1L << 15)
#define SPLIT_COSTLY (1L << 14)

typedef struct {
    int op;
    const float *a, *b;
    float *out;
    long n, chunks;
    float p1, p2;
} ew_job;

// Parts of at least min_split / 2 elements, so nothing under min_split is split.
static long ew_chunks(long n, long min_split) { return ck_parallel_chunks(n, min_split / 2); }

// The range [lo, hi) of chunk `index`, on 16-element boundaries.
static void ew_range(const ew_job *j, long index, long *lo, long *hi) {
    long per = (j->n / j->chunks + 15) / 16 * 16;
    *lo = per * index;
    *hi = *lo + per < j->n ? *lo + per : j->n;
    if (index == j->chunks - 1) *hi = j->n;
    if (*lo > j->n) *lo = j->n;
}

static void binary_serial(int op, const float *a, const float *b, float *out, long n) {
#define A a[i]
#define B b[i]
#define LOOP(expr) for (long i = 0; i < n; i++) out[i] = (expr)
    BINARY_CASES(LOOP)
#undef LOOP
#undef A
#undef B
}

static void binary_chunk(void *ctx, long index) {
    const ew_job *j = ctx;
    long lo, hi;
    ew_range(j, index, &lo, &hi);
    if (hi > lo) binary_serial(j->op, j->a + lo, j->b + lo, j->out + lo, hi - lo);
}

void ck_binary_contiguous(int op, const float *a, const float *b, float *out, long n) {
    long chunks = ew_chunks(n, op == CK_POW ? SPLIT_COSTLY : SPLIT_CHEAP);
    if (chunks <= 1) { binary_serial(op, a, b, out, n); return; }
    ew_job j = {op, a, b, out, n, chunks, 0, 0};
    ck_parallel_for(chunks, binary_chunk, &j);
}

// Inner row of a broadcast: a and b advance by their own element strides.
static void binary_row(int op, const float *a, long as, const float *b, long bs, float *out,
                       long n) {
#define A a[i * as]
#define B b[i * bs]
#define LOOP(expr) for (long i = 0; i < n; i++) out[i] = (expr)
    BINARY_CASES(LOOP)
#undef LOOP
#undef A
#undef B
}

void ck_binary_strided(int op, const float *a, const long *a_strides, const float *b,
                       const long *b_strides, float *out, const long *shape, int rank) {
    if (rank == 0) { binary_row(op, a, 0, b, 0, out, 1); return; }
    long inner = shape[rank - 1];
    long outer = 1;
    for (int d = 0; d < rank - 1; d++) outer *= shape[d];
    long idx[16] = {0};
    long ao = 0, bo = 0;
    for (long o = 0; o < outer; o++) {
        binary_row(op, a + ao, a_strides[rank - 1], b + bo, b_strides[rank - 1], out + o * inner, inner);
        // Advance the multi-index over the outer dimensions.
        for (int d = rank - 2; d >= 0; d--) {
            idx[d]++;
            ao += a_strides[d];
            bo += b_strides[d];
            if (idx[d] < shape[d]) break;
            ao -= a_strides[d] * shape[d];
            bo -= b_strides[d] * shape[d];
            idx[d] = 0;
        }
    }
}

static inline float sigmoidf(float v) {
    return v >= 0 ? 1.0f / (1.0f + expf(-v)) : expf(v) / (1.0f + expf(v));
}

// tanh(x) = 1 - 2 / (exp(2x) + 1) evaluated in double, 8 lanes at a time: far more precision
// than float needs (so the result is the correctly rounded float but for rare ties), and no
// cancellation trouble near 0, where the double difference still has ~40 bits. glibc's
// scalar tanhf (through expm1f) took ~40 cycles an element, 3.5% of an MLP GAN step.
#ifdef CK_EW_X86
__attribute__((target("avx512f,avx512dq"))) static __m512d tanh_pd(__m512d x) {
    const __m512d limit = _mm512_set1_pd(10.0);   // tanh(10) rounds to 1.0f
    __m512d ax = _mm512_min_pd(_mm512_abs_pd(x), limit);
    __m512d t = _mm512_add_pd(ax, ax);
    // exp(t) = 2^n * exp(r), r = t - n ln2 in [-ln2/2, ln2/2]; Taylor to r^11 (error ~1e-15).
    __m512d n = _mm512_roundscale_pd(_mm512_mul_pd(t, _mm512_set1_pd(1.4426950408889634)), _MM_FROUND_TO_NEAREST_INT);
    __m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(0.6931471805599453), t);
    __m512d p = _mm512_set1_pd(1.0 / 39916800.0);
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 3628800.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 362880.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 40320.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 5040.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 720.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 120.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 24.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 6.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0.5));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0));
    __m512d e = _mm512_scalef_pd(p, n);
    __m512d y = _mm512_sub_pd(_mm512_set1_pd(1.0), _mm512_div_pd(_mm512_set1_pd(2.0), _mm512_add_pd(e, _mm512_set1_pd(1.0))));
    // Below 2^-12, x - x^3/3 is exact to double rounding and keeps tiny inputs (and -0) intact.
    __m512d small = _mm512_fnmadd_pd(_mm512_mul_pd(ax, _mm512_mul_pd(ax, ax)), _mm512_set1_pd(1.0 / 3.0), ax);
    y = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(ax, _mm512_set1_pd(0x1p-12), _CMP_LT_OQ), y, small);
    // Sign back (from x, so -0 stays -0); NaN lanes pass through.
    y = _mm512_or_pd(y, _mm512_and_pd(x, _mm512_set1_pd(-0.0)));
    return _mm512_mask_blend_pd(_mm512_cmp_pd_mask(x, x, _CMP_UNORD_Q), y, x);
}

__attribute__((target("avx512f,avx512dq"))) static void tanh_avx512(const float *x, float *out, long n) {
    for (long i = 0; i < n; i += 16) {
        __mmask16 k = n - i >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512 v = _mm512_maskz_loadu_ps(k, x + i);
        __m256 lo = _mm512_cvtpd_ps(tanh_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(v))));
        __m256 hi = _mm512_cvtpd_ps(tanh_pd(_mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1))));
        _mm512_mask_storeu_ps(out + i, k, _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1));
    }
}

// The same evaluation 4 lanes at a time for CPUs with AVX2 but no AVX-512 (glibc's tanhf is
// 2 ulp off at places): 2^n from the exponent bits instead of scalef, blends by compare masks.
__attribute__((target("avx2,fma"))) static __m256d tanh_pd4(__m256d x) {
    const __m256d sign = _mm256_set1_pd(-0.0);
    __m256d ax = _mm256_min_pd(_mm256_andnot_pd(sign, x), _mm256_set1_pd(10.0));
    __m256d t = _mm256_add_pd(ax, ax);
    __m256d n = _mm256_round_pd(_mm256_mul_pd(t, _mm256_set1_pd(1.4426950408889634)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(0.6931471805599453), t);
    __m256d p = _mm256_set1_pd(1.0 / 39916800.0);
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 3628800.0));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 362880.0));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 40320.0));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 5040.0));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 720.0));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 120.0));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 24.0));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0 / 6.0));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0.5));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
    // n is an integer in [0, 29]: 2^n is the double with biased exponent n + 1023.
    __m256i bits = _mm256_slli_epi64(_mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(n)), _mm256_set1_epi64x(1023)), 52);
    __m256d e = _mm256_mul_pd(p, _mm256_castsi256_pd(bits));
    __m256d y = _mm256_sub_pd(_mm256_set1_pd(1.0), _mm256_div_pd(_mm256_set1_pd(2.0), _mm256_add_pd(e, _mm256_set1_pd(1.0))));
    __m256d small = _mm256_fnmadd_pd(_mm256_mul_pd(ax, _mm256_mul_pd(ax, ax)), _mm256_set1_pd(1.0 / 3.0), ax);
    y = _mm256_blendv_pd(y, small, _mm256_cmp_pd(ax, _mm256_set1_pd(0x1p-12), _CMP_LT_OQ));
    y = _mm256_or_pd(y, _mm256_and_pd(x, sign));
    return _mm256_blendv_pd(y, x, _mm256_cmp_pd(x, x, _CMP_UNORD_Q));
}

__attribute__((target("avx2,fma"))) static void tanh_avx2(const float *x, float *out, long n) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m128 lo = _mm256_cvtpd_ps(tanh_pd4(_mm256_cvtps_pd(_mm256_castps256_ps128(v))));
        __m128 hi = _mm256_cvtpd_ps(tanh_pd4(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1))));
        _mm256_storeu_ps(out + i, _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1));
    }
    if (i < n) {   // the tail through a padded block, so every element gets the same arithmetic
        float in[8] = {0}, res[8];
        memcpy(in, x + i, (size_t)(n - i) * sizeof(float));
        tanh_avx2(in, res, 8);
        memcpy(out + i, res, (size_t)(n - i) * sizeof(float));
    }
}
#endif

static void tanh_range(const float *x, float *out, long n) {
#ifdef CK_EW_X86
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) { tanh_avx512(x, out, n); return; }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) { tanh_avx2(x, out, n); return; }
#endif
    for (long i = 0; i < n; i++) out[i] = tanhf(x[i]);
}

static void unary_serial(int op, const float *x, float *out, long n, float p1, float p2) {
#define LOOP(expr) for (long i = 0; i < n; i++) { float v = x[i]; out[i] = (expr); }
    switch (op) {
    case CK_NEG: LOOP(-v); break;
    case CK_EXP: LOOP(expf(v)); break;
    case CK_LOG: LOOP(logf(v)); break;
    case CK_SQRT: LOOP(sqrtf(v)); break;
    case CK_ABS: LOOP(fabsf(v)); break;
    case CK_SIGN: LOOP(v > 0 ? 1.0f : (v < 0 ? -1.0f : (isnan(v) ? v : 0.0f))); break;
    case CK_RELU: LOOP(v > 0 ? v : (isnan(v) ? v : 0.0f)); break;
    case CK_SIGMOID: LOOP(sigmoidf(v)); break;
    case CK_TANH: tanh_range(x, out, n); break;
    case CK_RECIPROCAL: LOOP(1.0f / v); break;
    case CK_SQUARE: LOOP(v * v); break;
    case CK_POW_SCALAR:
        if (p1 == 2.0f) { LOOP(v * v); }
        else if (p1 == 1.0f) { LOOP(v); }
        else if (p1 == 0.5f) { LOOP(sqrtf(v)); }
        else { LOOP(powf(v, p1)); }
        break;
    // NaN fails both comparisons and passes through, as torch.clamp (no isnan: this vectorises).
    case CK_CLAMP: LOOP(v < p1 ? p1 : (v > p2 ? p2 : v)); break;
    case CK_LEAKY_RELU: LOOP(v > 0 ? v : v * p1); break;
    // d leaky_relu / dx: 1 where x > 0, else the slope (PyTorch uses x > 0).
    case CK_LEAKY_RELU_SLOPE: LOOP(v > 0 ? 1.0f : p1); break;
    case CK_ELU: LOOP(v > 0 ? v : p1 * expm1f(v)); break;
    // PyTorch's softplus: x when beta*x > threshold, else log1p(exp(beta*x))/beta.
    case CK_SOFTPLUS: LOOP(v * p1 > p2 ? v : log1pf(expf(v * p1)) / p1); break;
    case CK_SOFTPLUS_GRAD: LOOP(v * p1 > p2 ? 1.0f : sigmoidf(v * p1)); break;
    case CK_STEP: LOOP(v > 0 ? 1.0f : 0.0f); break;
    case CK_ADD_SCALAR: LOOP(v + p1); break;
    case CK_MUL_SCALAR: LOOP(v * p1); break;
    case CK_RSUB_SCALAR: LOOP(p1 - v); break;
    case CK_RDIV_SCALAR: LOOP(p1 / v); break;
    case CK_LOG1P: LOOP(log1pf(v)); break;
    // 1 where clamp passes the gradient (p1 <= x <= p2), as PyTorch's clamp backward.
    case CK_CLAMP_MASK: LOOP((v >= p1 && v <= p2) ? 1.0f : 0.0f); break;
    case CK_ISFINITE: LOOP(isfinite(v) ? 1.0f : 0.0f); break;
    default: break;
    }
#undef LOOP
}

static void unary_chunk(void *ctx, long index) {
    const ew_job *j = ctx;
    long lo, hi;
    ew_range(j, index, &lo, &hi);
    if (hi > lo) unary_serial(j->op, j->a + lo, j->out + lo, hi - lo, j->p1, j->p2);
}

void ck_unary(int op, const float *x, float *out, long n, float p1, float p2) {
    int costly = op == CK_EXP || op == CK_LOG || op == CK_SIGMOID || op == CK_TANH || op == CK_ELU ||
                 op == CK_SOFTPLUS || op == CK_SOFTPLUS_GRAD || op == CK_LOG1P ||
                 (op == CK_POW_SCALAR && p1 != 2.0f && p1 != 1.0f && p1 != 0.5f);
    long chunks = ew_chunks(n, costly ? SPLIT_COSTLY : SPLIT_CHEAP);
    if (chunks <= 1) { unary_serial(op, x, out, n, p1, p2); return; }
    ew_job j = {op, x, NULL, out, n, chunks, p1, p2};
    ck_parallel_for(chunks, unary_chunk, &j);
}

void ck_where(const float *cond, const float *a, const float *b, float *out, long n) {
    for (long i = 0; i < n; i++) out[i] = cond[i] != 0.0f ? a[i] : b[i];
}

// The element count when `strides` lay `shape` out densely (stride 1 at the end, each
// one before it the product of the sizes after it; size-1 dimensions may have any
// stride), else -1: slices and concatenations along a leading dimension are one dense
// block, copied with memcpy instead of an element-by-element loop (~50 us per 64x784 batch).
static long dense_count(const long *strides, const long *shape, int rank) {
    long size = 1;
    for (int d = rank - 1; d >= 0; d--) {
        if (strides[d] != size && shape[d] != 1) return -1;
        size *= shape[d];
    }
    return size;
}

void ck_strided_copy(const float *src, const long *src_strides, float *out,
                     const long *shape, int rank) {
    if (rank == 0) { out[0] = src[0]; return; }
    long block = dense_count(src_strides, shape, rank);
    if (block >= 0) {
        memcpy(out, src, sizeof(float) * (size_t)block);
        return;
    }
    long inner = shape[rank - 1], is = src_strides[rank - 1];
    long outer = 1;
    for (int d = 0; d < rank - 1; d++) outer *= shape[d];
    long idx[16] = {0};
    long so = 0;
    for (long o = 0; o < outer; o++) {
        float *dst = out + o * inner;
        const float *s = src + so;
        if (is == 1) { for (long i = 0; i < inner; i++) dst[i] = s[i]; }
        else { for (long i = 0; i < inner; i++) dst[i] = s[i * is]; }
        for (int d = rank - 2; d >= 0; d--) {
            idx[d]++;
            so += src_strides[d];
            if (idx[d] < shape[d]) break;
            so -= src_strides[d] * shape[d];
            idx[d] = 0;
        }
    }
}

void ck_strided_store(const float *src, float *dst, const long *dst_strides,
                      const long *shape, int rank) {
    if (rank == 0) { dst[0] = src[0]; return; }
    long block = dense_count(dst_strides, shape, rank);
    if (block >= 0) {
        memcpy(dst, src, sizeof(float) * (size_t)block);
        return;
    }
    long inner = shape[rank - 1], is = dst_strides[rank - 1];
    long outer = 1;
    for (int d = 0; d < rank - 1; d++) outer *= shape[d];
    long idx[16] = {0};
    long dof = 0;
    for (long o = 0; o < outer; o++) {
        const float *s = src + o * inner;
        float *d0 = dst + dof;
        for (long i = 0; i < inner; i++) d0[i * is] = s[i];
        for (int d = rank - 2; d >= 0; d--) {
            idx[d]++;
            dof += dst_strides[d];
            if (idx[d] < shape[d]) break;
            dof -= dst_strides[d] * shape[d];
            idx[d] = 0;
        }
    }
}

typedef struct { float *y; long rows, c, hw, chunks; const float *bias; } bias_job;

static void bias_rows(float *y, long r0, long r1, long c, long hw, const float *bias) {
    for (long r = r0; r < r1; r++) {
        float *p = y + r * hw;
        float b = bias[r % c];
        for (long k = 0; k < hw; k++) p[k] += b;
    }
}

static void bias_chunk(void *ctx, long index) {
    const bias_job *j = ctx;
    bias_rows(j->y, j->rows * index / j->chunks, j->rows * (index + 1) / j->chunks, j->c, j->hw, j->bias);
}

void ck_add_channel_bias(float *y, long n, long c, long hw, const float *bias) {
    bias_job j = {y, n * c, c, hw, ew_chunks(n * c * hw, SPLIT_CHEAP), bias};
    if (j.chunks > j.rows) j.chunks = j.rows;
    if (j.chunks <= 1) { bias_rows(y, 0, n * c, c, hw, bias); return; }
    ck_parallel_for(j.chunks, bias_chunk, &j);
}

// restrict-qualified so that the loop vectorises (through the job's fields it did not).
static void leaky_relu_backward_range(const float *restrict g, const float *restrict x, float *restrict out,
                                      long n, float slope) {
    for (long i = 0; i < n; i++) out[i] = x[i] > 0 ? g[i] : g[i] * slope;
}

static void leaky_relu_backward_chunk(void *ctx, long index) {
    const ew_job *j = ctx;
    long lo, hi;
    ew_range(j, index, &lo, &hi);
    if (hi > lo) leaky_relu_backward_range(j->a + lo, j->b + lo, j->out + lo, hi - lo, j->p1);
}

void ck_leaky_relu_backward(const float *g, const float *x, float *out, long n, float slope) {
    ew_job j = {0, g, x, out, n, ew_chunks(n, SPLIT_CHEAP), slope, 0};
    if (j.chunks <= 1) {
        leaky_relu_backward_range(g, x, out, n, slope);
        return;
    }
    ck_parallel_for(j.chunks, leaky_relu_backward_chunk, &j);
}
