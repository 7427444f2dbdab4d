// Elementwise kernels. The switch on the op sits outside each loop so every loop body
// is a single expression the compiler can vectorise.
#include "ckernels.h"
#include <math.h>

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

void ck_binary_contiguous(int op, const float *a, const float *b, float *out, long n) {
#define A a[i]
#define B b[i]
#define LOOP(expr) for (long i = 0; i < n; i++) out[i] = (expr)
    BINARY_CASES(LOOP)
#undef LOOP
#undef A
#undef B
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

void ck_unary(int op, const float *x, float *out, long n, float p1, float p2) {
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
    case CK_TANH: LOOP(tanhf(v)); break;
    case CK_RECIPROCAL: LOOP(1.0f / v); break;
    case CK_SQUARE: LOOP(v * v); break;
    case CK_POW_SCALAR:
        if (p1 == 2.0f) { LOOP(v * v); }
        else if (p1 == 1.0f) { LOOP(v); }
        else if (p1 == 0.5f) { LOOP(sqrtf(v)); }
        else { LOOP(powf(v, p1)); }
        break;
    case CK_CLAMP: LOOP(isnan(v) ? v : (v < p1 ? p1 : (v > p2 ? p2 : v))); break;
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

void ck_where(const float *cond, const float *a, const float *b, float *out, long n) {
    for (long i = 0; i < n; i++) out[i] = cond[i] != 0.0f ? a[i] : b[i];
}

void ck_strided_copy(const float *src, const long *src_strides, float *out,
                     const long *shape, int rank) {
    if (rank == 0) { out[0] = src[0]; return; }
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

void ck_add_channel_bias(float *y, long n, long c, long hw, const float *bias) {
    for (long i = 0; i < n; i++)
        for (long ch = 0; ch < c; ch++) {
            float *p = y + (i * c + ch) * hw;
            float b = bias[ch];
            for (long k = 0; k < hw; k++) p[k] += b;
        }
}

void ck_leaky_relu_backward(const float *g, const float *x, float *out, long n, float slope) {
    for (long i = 0; i < n; i++) out[i] = x[i] > 0 ? g[i] : g[i] * slope;
}
