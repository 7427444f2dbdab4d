// Direct stride-1 convolution for layers with few output channels per group (the last
// layer of an image generator: 64 -> 1 or 3 channels). There, im2col + GEMM is a GEMM
// with m = 1..4 rows, bound by packing 9x the input, and runs at ~5 GFLOP/s.
//
// Each input plane is copied once into a zero-padded plane of width Wp, and the output is
// computed at that same width (the extra columns are dropped at the end). Every tap is
// then a constant shift of one flat index, so a whole plane is one vector loop:
//   out[i] += sum_t w[t] * in[i + shift[t]]           (forward, and data gradient)
//   gw[t]  += sum_i g[i] * in[i + shift[t]]            (weight gradient)
// Each output or weight-gradient element is computed by one thread in a fixed order, so
// results do not depend on the thread count. The loops are compiled for AVX-512, for AVX2
// and for the baseline, picked at run time.
#include "ckernels.h"
#include "conv_direct.h"
#include "scratch.h"
#include <stdlib.h>
#include <string.h>

#define INLINE __attribute__((always_inline)) static inline
#define LANES 16
#define MAX_TAPS 81   // up to 9x9: srgan's output layer (64 -> 3 at 256 px)

typedef struct {
    const ck_conv_geometry *g;
    const float *x, *w, *gy;
    float *y, *gx, *gw;
    long cg, og, taps;
    long ph, pw, hp, wp;     // padded input plane: top/left padding, rows, width
    long plane;              // floats in a padded plane, plus a zero tail for shifted reads
    long shift[MAX_TAPS];
    long chunks, units;
} direct_job;

int ck_conv_direct_suits(const ck_conv_geometry *g) {
    long og = g->c_out / g->groups;
    return og <= 4 && g->stride_h == 1 && g->stride_w == 1 && g->kh * g->kw <= MAX_TAPS;
}

// dst (rows x wp, zero elsewhere and in the tail) = src (h x w) placed at (top, left).
// One pass: each row is zero border + copy + zero border.
INLINE void pad_plane(float *dst, long rows, long wp, long tail, const float *src, long h,
                      long w, long top, long left) {
    long c0 = left < 0 ? -left : 0, c1 = w + left > wp ? wp - left : w;   // source columns
    for (long rr = 0; rr < rows; rr++) {
        float *d = dst + rr * wp;
        long r = rr - top;
        if (r < 0 || r >= h || c1 <= c0) { memset(d, 0, sizeof(float) * (size_t)wp); continue; }
        if (left + c0 > 0) memset(d, 0, sizeof(float) * (size_t)(left + c0));
        memcpy(d + left + c0, src + r * w + c0, sizeof(float) * (size_t)(c1 - c0));
        if (left + c1 < wp) memset(d + left + c1, 0, sizeof(float) * (size_t)(wp - left - c1));
    }
    if (tail > 0) memset(dst + rows * wp, 0, sizeof(float) * (size_t)tail);
}

// out[i] += sum_t wt[t] * in[i + sh[t]] for i < n.
INLINE void shifted_sum(float *out, const float *in, long n, long taps, const float *wt, const long *sh) {
    long i = 0;
    for (; i + LANES <= n; i += LANES) {
        float acc[LANES];
        for (int l = 0; l < LANES; l++) acc[l] = out[i + l];
        for (long t = 0; t < taps; t++) {
            const float wv = wt[t], *s = in + i + sh[t];
            for (int l = 0; l < LANES; l++) acc[l] += wv * s[l];
        }
        for (int l = 0; l < LANES; l++) out[i + l] = acc[l];
    }
    for (; i < n; i++) {
        float a = out[i];
        for (long t = 0; t < taps; t++) a += wt[t] * in[i + sh[t]];
        out[i] = a;
    }
}

// acc[t*LANES + l] += g[i] * in[i + sh[t]] for i < n, lane l = i % LANES. T is a
// compile-time constant in the 3x3 instantiation, so the local accumulators (which no
// pointer can alias) stay in registers.
INLINE void shifted_dots(const long T, const float *g, const float *in, long n, const long *sh, float *acc) {
    float loc[MAX_TAPS * LANES];
    for (long k = 0; k < T * LANES; k++) loc[k] = acc[k];
    long i = 0;
    for (; i + LANES <= n; i += LANES) {
        float gv[LANES];
        for (int l = 0; l < LANES; l++) gv[l] = g[i + l];
        for (long t = 0; t < T; t++) {
            const float *s = in + i + sh[t];
            for (int l = 0; l < LANES; l++) loc[t * LANES + l] += gv[l] * s[l];
        }
    }
    for (int l = 0; i < n; i++, l++)
        for (long t = 0; t < T; t++) loc[t * LANES + l] += g[i] * in[i + sh[t]];
    for (long k = 0; k < T * LANES; k++) acc[k] = loc[k];
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AVX512 __attribute__((target("avx512f")))
// AVX-512 versions of the two loops above (the compiler vectorises the plain ones
// poorly: gathers across taps). Tails use masked loads, keeping lane = i % LANES.
AVX512 static void shifted_sum_avx512(float *out, const float *in, long n, long taps,
                                      const float *wt, const long *sh) {
    long i = 0;
    // four independent accumulators: one would serialise on the FMA latency
    for (; i + 4 * LANES <= n; i += 4 * LANES) {
        __m512 a0 = _mm512_loadu_ps(out + i), a1 = _mm512_loadu_ps(out + i + 16);
        __m512 a2 = _mm512_loadu_ps(out + i + 32), a3 = _mm512_loadu_ps(out + i + 48);
        for (long t = 0; t < taps; t++) {
            __m512 w = _mm512_set1_ps(wt[t]);
            const float *s = in + i + sh[t];
            a0 = _mm512_fmadd_ps(w, _mm512_loadu_ps(s), a0);
            a1 = _mm512_fmadd_ps(w, _mm512_loadu_ps(s + 16), a1);
            a2 = _mm512_fmadd_ps(w, _mm512_loadu_ps(s + 32), a2);
            a3 = _mm512_fmadd_ps(w, _mm512_loadu_ps(s + 48), a3);
        }
        _mm512_storeu_ps(out + i, a0);
        _mm512_storeu_ps(out + i + 16, a1);
        _mm512_storeu_ps(out + i + 32, a2);
        _mm512_storeu_ps(out + i + 48, a3);
    }
    for (; i < n; i += LANES) {
        __mmask16 k = n - i >= LANES ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512 acc = _mm512_maskz_loadu_ps(k, out + i);
        for (long t = 0; t < taps; t++)
            acc = _mm512_fmadd_ps(_mm512_set1_ps(wt[t]), _mm512_maskz_loadu_ps(k, in + i + sh[t]), acc);
        _mm512_mask_storeu_ps(out + i, k, acc);
    }
}

AVX512 __attribute__((always_inline)) static inline void dots512(const long T, const float *g,
        const float *in, long n, const long *sh, float *acc) {
    __m512 a[MAX_TAPS];
    for (long t = 0; t < T; t++) a[t] = _mm512_loadu_ps(acc + t * LANES);
    for (long i = 0; i < n; i += LANES) {
        __mmask16 k = n - i >= LANES ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - i)) - 1u);
        __m512 gv = _mm512_maskz_loadu_ps(k, g + i);
        for (long t = 0; t < T; t++)
            a[t] = _mm512_fmadd_ps(gv, _mm512_maskz_loadu_ps(k, in + i + sh[t]), a[t]);
    }
    for (long t = 0; t < T; t++) _mm512_storeu_ps(acc + t * LANES, a[t]);
}
AVX512 static void dots9_avx512(const float *g, const float *in, long n, const long *sh, float *acc) {
    dots512(9, g, in, n, sh, acc);
}
AVX512 static void dots_avx512(long T, const float *g, const float *in, long n, const long *sh, float *acc) {
    dots512(T, g, in, n, sh, acc);
}

#define AVX2 __attribute__((target("avx2,fma")))
// AVX2 versions for CPUs without AVX-512 (AMD Zen 2), where the plain loops compile to
// SSE2 without FMA. Products and sums stay separate roundings (no FMA), lane for lane as the
// portable loops, so this CPU kind computes what it did before (fused, they moved pix2pix's
// step-parity losses past their tolerance); the tails are scalar, since masked stores are
// microcoded on Zen 2.
AVX2 static void shifted_sum_avx2(float *out, const float *in, long n, long taps, const float *wt,
                                  const long *sh) {
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256 a0 = _mm256_loadu_ps(out + i), a1 = _mm256_loadu_ps(out + i + 8);
        __m256 a2 = _mm256_loadu_ps(out + i + 16), a3 = _mm256_loadu_ps(out + i + 24);
        for (long t = 0; t < taps; t++) {
            __m256 w = _mm256_set1_ps(wt[t]);
            const float *s = in + i + sh[t];
            a0 = _mm256_add_ps(a0, _mm256_mul_ps(w, _mm256_loadu_ps(s)));
            a1 = _mm256_add_ps(a1, _mm256_mul_ps(w, _mm256_loadu_ps(s + 8)));
            a2 = _mm256_add_ps(a2, _mm256_mul_ps(w, _mm256_loadu_ps(s + 16)));
            a3 = _mm256_add_ps(a3, _mm256_mul_ps(w, _mm256_loadu_ps(s + 24)));
        }
        _mm256_storeu_ps(out + i, a0);
        _mm256_storeu_ps(out + i + 8, a1);
        _mm256_storeu_ps(out + i + 16, a2);
        _mm256_storeu_ps(out + i + 24, a3);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 a = _mm256_loadu_ps(out + i);
        for (long t = 0; t < taps; t++) a = _mm256_add_ps(a, _mm256_mul_ps(_mm256_set1_ps(wt[t]), _mm256_loadu_ps(in + i + sh[t])));
        _mm256_storeu_ps(out + i, a);
    }
    for (; i < n; i++) {
        float a = out[i];
        for (long t = 0; t < taps; t++) {
            float p = wt[t] * in[i + sh[t]];
            a += p;
        }
        out[i] = a;
    }
}

// Taps in groups of up to 4, each tap's 16 lanes (lane = i % 16, as the other versions) in
// two registers, g re-read per group (from L1/L2): one load per product, where all taps at once
// (16 for 4x4, 49 for 7x7) would keep the accumulators in memory.
AVX2 static void dots_avx2(long T, const float *g, const float *in, long n, const long *sh, float *acc) {
    long whole = n / LANES * LANES;
    for (long t0 = 0; t0 < T; t0 += 4) {
        int nt = (int)(T - t0 < 4 ? T - t0 : 4);
        const long *s = sh + t0;
        __m256 lo[4], hi[4];
        for (int t = 0; t < 4; t++) {
            lo[t] = t < nt ? _mm256_loadu_ps(acc + (t0 + t) * LANES) : _mm256_setzero_ps();
            hi[t] = t < nt ? _mm256_loadu_ps(acc + (t0 + t) * LANES + 8) : _mm256_setzero_ps();
        }
        for (long i = 0; i < whole; i += LANES) {
            __m256 g0 = _mm256_loadu_ps(g + i), g1 = _mm256_loadu_ps(g + i + 8);
            for (int t = 0; t < nt; t++) {
                lo[t] = _mm256_add_ps(lo[t], _mm256_mul_ps(g0, _mm256_loadu_ps(in + i + s[t])));
                hi[t] = _mm256_add_ps(hi[t], _mm256_mul_ps(g1, _mm256_loadu_ps(in + i + 8 + s[t])));
            }
        }
        for (int t = 0; t < nt; t++) {
            _mm256_storeu_ps(acc + (t0 + t) * LANES, lo[t]);
            _mm256_storeu_ps(acc + (t0 + t) * LANES + 8, hi[t]);
        }
        for (long i = whole; i < n; i++)
            for (int t = 0; t < nt; t++) {
                float *lane = acc + (t0 + t) * LANES + (i - whole);
                float p = g[i] * in[i + s[t]];
                *lane += p;
            }
    }
}

enum { ISA_PORTABLE, ISA_AVX2, ISA_AVX512 };
#define SUM(isa, ...) ((isa) == ISA_AVX512 ? shifted_sum_avx512(__VA_ARGS__) \
                       : (isa) == ISA_AVX2 ? shifted_sum_avx2(__VA_ARGS__) : shifted_sum(__VA_ARGS__))
#define DOTS(isa, T, ...) ((isa) == ISA_AVX512 ? ((T) == 9 ? dots9_avx512(__VA_ARGS__) : dots_avx512(T, __VA_ARGS__)) \
                           : (isa) == ISA_AVX2 ? dots_avx2(T, __VA_ARGS__) \
                           : ((T) == 9 ? shifted_dots(9, __VA_ARGS__) : shifted_dots(T, __VA_ARGS__)))
#else
#define SUM(isa, ...) shifted_sum(__VA_ARGS__)
#define DOTS(isa, T, ...) ((T) == 9 ? shifted_dots(9, __VA_ARGS__) : shifted_dots(T, __VA_ARGS__))
#endif

// ---- forward: images [n0, n1) ----------------------------------------------------
INLINE void forward_body(const direct_job *j, long n0, long n1, int isa) {
    const ck_conv_geometry *g = j->g;
    long oh = g->out_h, ow = g->out_w, span = oh * j->wp;
    float *buf = ck_scratch(CK_SCRATCH_CONV, (size_t)(j->plane + j->og * span));
    float *xp = buf, *acc = buf + j->plane;
    for (long n = n0; n < n1; n++)
        for (long grp = 0; grp < g->groups; grp++) {
            memset(acc, 0, sizeof(float) * (size_t)(j->og * span));
            for (long c = 0; c < j->cg; c++) {
                pad_plane(xp, j->hp, j->wp, j->plane - j->hp * j->wp,
                          j->x + (n * g->c_in + grp * j->cg + c) * g->h * g->w, g->h, g->w, j->ph, j->pw);
                for (long o = 0; o < j->og; o++)
                    SUM(isa, acc + o * span, xp, span, j->taps,
                        j->w + ((grp * j->og + o) * j->cg + c) * j->taps, j->shift);
            }
            for (long o = 0; o < j->og; o++)
                for (long r = 0; r < oh; r++)
                    memcpy(j->y + ((n * g->c_out + grp * j->og + o) * oh + r) * ow,
                           acc + o * span + r * j->wp, sizeof(float) * (size_t)ow);
        }
}

// ---- data gradient: a stride-1 convolution of the padded gy with the flipped kernel ---
INLINE void backward_data_body(const direct_job *j, long n0, long n1, int isa) {
    const ck_conv_geometry *g = j->g;
    long oh = g->out_h, ow = g->out_w;
    // gx[iy, ix] = sum w[ki,kj] * gy[iy + ph - ki*dh, ix + pw - kj*dw]: pad gy so that
    // the largest back-shift lands at 0, and flip the taps.
    long top = (g->kh - 1) * g->dil_h - g->pad_h, left = (g->kw - 1) * g->dil_w - g->pad_w;
    long rows = g->h + (g->kh - 1) * g->dil_h, wp = g->w + (g->kw - 1) * g->dil_w;
    long tail = (g->kh - 1) * g->dil_h * wp + (g->kw - 1) * g->dil_w + LANES;
    long span = g->h * wp, plane = rows * wp + tail;
    long sh[MAX_TAPS];
    float wt[MAX_TAPS];
    for (long ki = 0; ki < g->kh; ki++)
        for (long kj = 0; kj < g->kw; kj++)
            sh[ki * g->kw + kj] = (g->kh - 1 - ki) * g->dil_h * wp + (g->kw - 1 - kj) * g->dil_w;
    float *buf = ck_scratch(CK_SCRATCH_CONV, (size_t)(j->og * plane + span));
    float *gyp = buf, *acc = buf + j->og * plane;
    for (long n = n0; n < n1; n++)
        for (long grp = 0; grp < g->groups; grp++) {
            for (long o = 0; o < j->og; o++)
                pad_plane(gyp + o * plane, rows, wp, tail,
                          j->gy + (n * g->c_out + grp * j->og + o) * oh * ow, oh, ow, top, left);
            for (long c = 0; c < j->cg; c++) {
                memset(acc, 0, sizeof(float) * (size_t)span);
                for (long o = 0; o < j->og; o++) {
                    const float *wo = j->w + ((grp * j->og + o) * j->cg + c) * j->taps;
                    for (long t = 0; t < j->taps; t++) wt[t] = wo[t];
                    SUM(isa, acc, gyp + o * plane, span, j->taps, wt, sh);
                }
                float *dst = j->gx + (n * g->c_in + grp * j->cg + c) * g->h * g->w;
                for (long r = 0; r < g->h; r++)
                    memcpy(dst + r * g->w, acc + r * wp, sizeof(float) * (size_t)g->w);
            }
        }
}

// ---- weight gradient: input channels [u0, u1) (absolute), all images in order ------------
// j->gy here is gy already laid out at width wp with zero extra columns (see below).
INLINE void backward_weight_body(const direct_job *j, long u0, long u1, int isa) {
    const ck_conv_geometry *g = j->g;
    long oh = g->out_h, span = oh * j->wp, T = j->taps, og = j->og;
    float *buf = ck_scratch(CK_SCRATCH_CONV, (size_t)(j->plane + og * T * LANES));
    float *xp = buf, *acc = buf + j->plane;
    double sum[4 * MAX_TAPS];
    for (long u = u0; u < u1; u++) {
        long grp = u / j->cg, c = u % j->cg;
        for (long k = 0; k < og * T; k++) sum[k] = 0;
        for (long n = 0; n < g->batch; n++) {
            pad_plane(xp, j->hp, j->wp, j->plane - j->hp * j->wp,
                      j->x + (n * g->c_in + u) * g->h * g->w, g->h, g->w, j->ph, j->pw);
            memset(acc, 0, sizeof(float) * (size_t)(og * T * LANES));
            for (long o = 0; o < og; o++)
                DOTS(isa, T, j->gy + (n * g->c_out + grp * og + o) * span, xp, span, j->shift,
                     acc + o * T * LANES);
            for (long k = 0; k < og * T; k++) {
                float *a = acc + k * LANES;
                for (int w = LANES / 2; w > 0; w /= 2)
                    for (int l = 0; l < w; l++) a[l] += a[l + w];
                sum[k] += a[0];
            }
        }
        for (long o = 0; o < og; o++) {
            float *dst = j->gw + ((grp * og + o) * j->cg + c) * T;
            for (long t = 0; t < T; t++) dst[t] = (float)sum[o * T + t];
        }
    }
}

// The bodies are compiled three times: for AVX-512 and AVX2 (with their intrinsic loops) and portable.
#if defined(__x86_64__) || defined(__i386__)
AVX512 static void fwd_avx512(const direct_job *j, long a, long b) { forward_body(j, a, b, ISA_AVX512); }
AVX512 static void bwd_data_avx512(const direct_job *j, long a, long b) { backward_data_body(j, a, b, ISA_AVX512); }
AVX512 static void bwd_weight_avx512(const direct_job *j, long a, long b) { backward_weight_body(j, a, b, ISA_AVX512); }
AVX2 static void fwd_avx2(const direct_job *j, long a, long b) { forward_body(j, a, b, ISA_AVX2); }
AVX2 static void bwd_data_avx2(const direct_job *j, long a, long b) { backward_data_body(j, a, b, ISA_AVX2); }
AVX2 static void bwd_weight_avx2(const direct_job *j, long a, long b) { backward_weight_body(j, a, b, ISA_AVX2); }
#define HAVE_AVX512() __builtin_cpu_supports("avx512f")
#define HAVE_AVX2() (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
#else
#define HAVE_AVX512() 0
#define HAVE_AVX2() 0
#define fwd_avx512 fwd_portable
#define bwd_data_avx512 bwd_data_portable
#define bwd_weight_avx512 bwd_weight_portable
#define fwd_avx2 fwd_portable
#define bwd_data_avx2 bwd_data_portable
#define bwd_weight_avx2 bwd_weight_portable
#endif
static void fwd_portable(const direct_job *j, long a, long b) { forward_body(j, a, b, 0); }
static void bwd_data_portable(const direct_job *j, long a, long b) { backward_data_body(j, a, b, 0); }
static void bwd_weight_portable(const direct_job *j, long a, long b) { backward_weight_body(j, a, b, 0); }

static void range(const direct_job *j, long index, long *a, long *b) {
    *a = j->units * index / j->chunks;
    *b = j->units * (index + 1) / j->chunks;
}
static void fwd_chunk(void *ctx, long i) {
    long a, b; range(ctx, i, &a, &b);
    if (HAVE_AVX512()) fwd_avx512(ctx, a, b);
    else if (HAVE_AVX2()) fwd_avx2(ctx, a, b);
    else fwd_portable(ctx, a, b);
}
static void bwd_data_chunk(void *ctx, long i) {
    long a, b; range(ctx, i, &a, &b);
    if (HAVE_AVX512()) bwd_data_avx512(ctx, a, b);
    else if (HAVE_AVX2()) bwd_data_avx2(ctx, a, b);
    else bwd_data_portable(ctx, a, b);
}
static void bwd_weight_chunk(void *ctx, long i) {
    long a, b; range(ctx, i, &a, &b);
    if (HAVE_AVX512()) bwd_weight_avx512(ctx, a, b);
    else if (HAVE_AVX2()) bwd_weight_avx2(ctx, a, b);
    else bwd_weight_portable(ctx, a, b);
}

// Splits `units` over the pool when each part has >= ~100 us of work (~20 GFLOP/s here).
static void run(direct_job *j, long units, ck_task_fn fn) {
    const ck_conv_geometry *g = j->g;
    double flops = 2.0 * (double)g->batch * (double)(g->out_h * g->out_w) * (double)g->c_out *
                   (double)(j->cg * j->taps);
    long chunks = (long)(flops / 2.0e6);
    int threads = ck_parallel_width();
    if (chunks > 4L * threads) chunks = 4L * threads;
    if (chunks > units) chunks = units;
    j->chunks = chunks < 1 ? 1 : chunks;
    j->units = units;
    ck_parallel_for(j->chunks, fn, j);
}

static void init(direct_job *j, const ck_conv_geometry *g) {
    memset(j, 0, sizeof *j);
    j->g = g;
    j->cg = g->c_in / g->groups;
    j->og = g->c_out / g->groups;
    j->taps = g->kh * g->kw;
    j->ph = g->pad_h;
    j->pw = g->pad_w;
    // rows read: out_h + (kh-1)*dh; the output is computed at the padded width
    j->hp = g->out_h + (g->kh - 1) * g->dil_h;
    j->wp = g->w + 2 * g->pad_w;
    if (j->wp < g->out_w + (g->kw - 1) * g->dil_w) j->wp = g->out_w + (g->kw - 1) * g->dil_w;
    for (long ki = 0; ki < g->kh; ki++)
        for (long kj = 0; kj < g->kw; kj++)
            j->shift[ki * g->kw + kj] = ki * g->dil_h * j->wp + kj * g->dil_w;
    j->plane = j->hp * j->wp + j->wp + LANES;   // the tail covers the widest shifted read
}

void ck_conv_direct_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y) {
    direct_job j;
    init(&j, g);
    j.x = x; j.w = w; j.y = y;
    run(&j, g->batch, fwd_chunk);
}

void ck_conv_direct_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx) {
    direct_job j;
    init(&j, g);
    j.gy = gy; j.w = w; j.gx = gx;
    run(&j, g->batch, bwd_data_chunk);
}

void ck_conv_direct_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy, float *gw) {
    direct_job j;
    init(&j, g);
    // gy at the padded width, zero in the extra columns, once for all channels
    long oh = g->out_h, ow = g->out_w, span = oh * j.wp;
    ck_temp gyp_buffer = ck_temp_alloc((size_t)(g->batch * g->c_out * span + 1));
    float *gyp = gyp_buffer.p;
    for (long q = 0; q < g->batch * g->c_out; q++)
        pad_plane(gyp + q * span, oh, j.wp, 0, gy + q * oh * ow, oh, ow, 0, 0);
    j.x = x; j.gy = gyp; j.gw = gw;
    run(&j, g->c_in, bwd_weight_chunk);
    ck_temp_free(gyp_buffer);
}
