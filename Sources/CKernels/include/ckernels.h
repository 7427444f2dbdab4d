// CKernels: the engine's hot loops. Contiguous float32 buffers in, buffers out.
// Everything above this layer (shapes, broadcasting, autograd) lives in Swift.
#ifndef CKERNELS_H
#define CKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- GEMM (gemm.c) ----------------------------------------------------------
// Row-major: C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C.
// op(A) = A (lda >= k) or A^T (A stored k x m, lda >= m); likewise B.
// beta == 0 overwrites C without reading it (NaNs in C do not propagate).
void ck_sgemm(int trans_a, int trans_b, long m, long n, long k, float alpha,
              const float *a, long lda, const float *b, long ldb, float beta,
              float *c, long ldc);
// ck_sgemm, then bias[j] added to every row of column j of C, each chunk's columns as soon
// as the chunk is done (still in cache): the numbers of the product followed by a
// broadcast add (nn.Linear's x W^T + b), without the second pass over C.
void ck_sgemm_bias(int trans_a, int trans_b, long m, long n, long k, float alpha,
                   const float *a, long lda, const float *b, long ldb, float beta,
                   float *c, long ldc, const float *bias);
// Products X W^T with a thin X (at most 160 rows, beta 0) read W in place instead of
// packing it (see gemm.c), with the same numbers; tests switch that route off (0) and on
// (1) to compare the two.
void ck_gemm_set_thin_route(int enabled);
// The naive triple loop (double accumulation) with the same contract; a test reference.
void ck_sgemm_reference(int trans_a, int trans_b, long m, long n, long k, float alpha,
                        const float *a, long lda, const float *b, long ldb, float beta,
                        float *c, long ldc);
// Micro-kernel selection. Auto picks the best the CPU supports; the others force one
// (for tests and benchmarks) and return 0 when the CPU lacks it.
enum { CK_ISA_AUTO = 0, CK_ISA_PORTABLE = 1, CK_ISA_AVX2 = 2, CK_ISA_AVX512 = 3 };
int ck_gemm_set_isa(int isa);
const char *ck_gemm_isa_name(void);
// Product precision of the calling thread (and of the pool's work for its calls): float32,
// or bfloat16 inputs with float32 sums (AVX512_BF16's vdpbf16ps) for every packed-GEMM
// product, the convolutions lowered to it included. Setting bf16 returns 0 (and changes
// nothing) on a CPU without AVX512_BF16; ck_bf16_supported says beforehand.
enum { CK_PRECISION_FP32 = 0, CK_PRECISION_BF16 = 1 };
int ck_bf16_supported(void);
int ck_set_precision(int precision);
int ck_get_precision(void);
// x rounded to bfloat16 (nearest even; denormals to zero) as the bf16 packing rounds it.
float ck_bf16_round(float x);

// ---- Thread pool (parallel.c) -----------------------------------------------
// Runs fn(ctx, i) for i in [0, n) on up to ck_get_threads() threads (the caller is one of
// them) and returns when all are done. Nested calls, and calls made while another thread
// is using the pool, run serially on the calling thread.
typedef void (*ck_task_fn)(void *ctx, long index);
void ck_parallel_for(long n, ck_task_fn fn, void *ctx);
// Total thread count (default: online CPUs, or SWIFTGAN_THREADS when set; 1...64).
int ck_get_threads(void);
void ck_set_threads(int n);
// Threads a split started here could use: 1 inside a pool chunk, else ck_get_threads().
int ck_parallel_width(void);
// How many chunks to cut `work` units into: one per `per_chunk` units, at most four per
// thread (a thread that loses its core then holds back only a small piece), 1 when
// ck_parallel_width() is 1.
long ck_parallel_chunks(long work, long per_chunk);

// ---- The machine's float32 FMA peak (fma_peak.c) ------------------------------
// GFLOP/s of independent fused multiply-adds in the widest vectors the CPU has, on every
// pool thread at once, best of runs over about `seconds`.
double ck_fma_peak_gflops(double seconds);

// ---- Optimiser (adam.c) ----------------------------------------------------
// One torch.optim.Adam step (amsgrad off) over n contiguous parameters, in place:
//   g = grad + weight_decay * param;  m = lerp(m, g, 1 - beta1);
//   v = beta2 * v + (1 - beta2) * g^2;
//   param -= lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps)
// `step` counts from 1 (the first update). grad may not alias the other buffers.
void ck_adam_step(float *param, const float *grad, float *m, float *v, long n, float lr,
                  float beta1, float beta2, float eps, float weight_decay, long step);

// One torch.optim.RMSprop step (no momentum, not centred) over n contiguous parameters,
// each then clamped to [clip_lo, clip_hi] (-INFINITY, INFINITY: no clamp).
void ck_rmsprop_step(float *param, const float *grad, float *square_avg, long n, float lr, float alpha,
                     float eps, float weight_decay, float clip_lo, float clip_hi);

// The same steps over `count` tensors at once (tensor t: sizes[t] floats, Adam step count
// steps[t]), split over the pool as one range: the result is that of one call per tensor.
void ck_adam_step_many(long count, float *const *params, const float *const *grads, float *const *m,
                       float *const *v, const long *sizes, const long *steps, float lr, float beta1,
                       float beta2, float eps, float weight_decay);
void ck_rmsprop_step_many(long count, float *const *params, const float *const *grads,
                          float *const *square_avg, const long *sizes, float lr, float alpha, float eps,
                          float weight_decay, float clip_lo, float clip_hi);

// ---- Batch norm (batchnorm.c) -----------------------------------------------
// x viewed as [n, c, hw]; statistics per channel over n*hw elements (biased variance).
// Forward (training): y = (x - mean) * invstd * gamma + beta, where invstd =
// 1/sqrt(var + eps); mean, var and invstd (each [c]) are written for the caller (running
// statistics) and for the backward pass. gamma/beta may be NULL (1 and 0).
void ck_batchnorm_forward(const float *x, long n, long c, long hw, const float *gamma,
                          const float *beta, float eps, float *y, float *mean, float *var,
                          float *invstd);
// Backward of the training forward: gx, and (when non-NULL) ggamma = sum(gy * xhat),
// gbeta = sum(gy), each [c].
void ck_batchnorm_backward(const float *gy, const float *x, long n, long c, long hw,
                           const float *mean, const float *invstd, const float *gamma,
                           float *gx, float *ggamma, float *gbeta);

// ---- Buffer pool (pool.c) ---------------------------------------------------
// 64-byte aligned storage for at least `floats` floats; *capacity gets the size actually
// reserved, which must be passed back to ck_pool_free. Thread-safe.
float *ck_pool_alloc(size_t floats, size_t *capacity);
// The same, never from a cached buffer of a larger class: for state kept for the whole run.
float *ck_pool_alloc_exact(size_t floats, size_t *capacity);
void ck_pool_free(float *p, size_t capacity);
// Returns every cached (free) buffer to the system.
void ck_pool_trim(void);
// Bounds the bytes kept cached (default 1 GiB, or SWIFTGAN_POOL_MB).
void ck_pool_set_limit(size_t bytes);
typedef struct {
    size_t live_bytes, peak_live_bytes, cached_bytes, limit_bytes;
    unsigned long long hits, misses;
    unsigned long long resized;   // misses served by re-sizing an evicted buffer (mremap)
} ck_pool_stats;
ck_pool_stats ck_pool_get_stats(void);
// Restarts the live-bytes peak (and with it the pool's footprint mark) at the current live bytes.
void ck_pool_reset_peak(void);
// How far live + cached bytes may pass the live peak before cached buffers are evicted (default 32 MiB).
void ck_pool_set_slack(size_t bytes);
// Lets the footprint headroom grow to peak/headroom live bytes when that is more than the
// slack (0: the slack only, the default), and with cache_within_footprint a freed buffer stay
// cached past the limit wherever live + cached stays within the live peak plus headroom.
void ck_pool_set_peak_policy(size_t headroom, int cache_within_footprint);
// Serves allocations above `threshold_bytes` from mmap so their memory returns to the
// system when freed (glibc otherwise raises its threshold and keeps freed memory).
void ck_release_large_frees(size_t threshold_bytes);
// Peak resident set size of the process (VmHWM), in bytes.
size_t ck_peak_resident_bytes(void);
// What an allocation the system refuses, or one that would take the live bytes past
// `budget_bytes` (0: no budget), does: with a message, print "Error: <message> ..." and
// exit with status 1; without one (the default), abort.
void ck_pool_set_out_of_memory(size_t budget_bytes, const char *message);

// ---- Finiteness (reduce.c) -------------------------------------------------
// 1 when none of x[0..<n] is NaN or infinite, else 0 (reads the exponent bits only).
int ck_all_finite(const float *x, long n);

// ---- Convolution helpers (im2col.c) -----------------------------------------
// One image (C x H x W) to columns (C*kh*kw) x (oh*ow), zero padding outside.
void ck_im2col(const float *x, long c, long h, long w, long kh, long kw,
               long pad_h, long pad_w, long stride_h, long stride_w,
               long dil_h, long dil_w, long oh, long ow, float *cols);
// Adjoint of im2col: accumulates columns back into the image (x += col2im(cols)).
void ck_col2im(const float *cols, long c, long h, long w, long kh, long kw,
               long pad_h, long pad_w, long stride_h, long stride_w,
               long dil_h, long dil_w, long oh, long ow, float *x);

// The same over output positions [q0, q1) (row-major oy*ow + ox) only, writing column
// q - q0 of each cols row, rows ldcols apart.
void ck_im2col_range(const float *x, long c, long h, long w, long kh, long kw,
                     long pad_h, long pad_w, long stride_h, long stride_w,
                     long dil_h, long dil_w, long oh, long ow, long q0, long q1,
                     float *cols, long ldcols);
void ck_col2im_range(const float *cols, long ldcols, long c, long h, long w, long kh,
                     long kw, long pad_h, long pad_w, long stride_h, long stride_w,
                     long dil_h, long dil_w, long oh, long ow, long q0, long q1, float *x);

// ---- Convolution (conv.c) ---------------------------------------------------
// x [batch, c_in, h, w], weight [c_out, c_in/groups, kh, kw], y [batch, c_out, out_h, out_w].
typedef struct {
    long batch, c_in, h, w, c_out, kh, kw;
    long stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, groups, out_h, out_w;
} ck_conv_geometry;
// The Winograd routes take layers with at least this many input and output channels.
#define CK_WINOGRAD_MIN_CHANNELS 16
// y = conv2d(x, w) (overwrites y)
void ck_conv2d_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y);
// gx = dL/dx given gy = dL/dy (overwrites gx); also conv_transpose2d's forward.
void ck_conv2d_backward_data(const ck_conv_geometry *g, const float *gy, const float *w,
                             float *gx);
// gw = dL/dweight (overwrites gw)
void ck_conv2d_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy,
                               float *gw);
// Whether a 4x4 stride-2 convolution of this geometry runs its three passes on the phase
// Winograd route (conv_winograd_s2.c) in float32: wide and large enough to gain from it.
int ck_conv_winograd_s2_suits(const ck_conv_geometry *g);

// ---- Elementwise (elementwise.c) --------------------------------------------
enum {
    CK_ADD = 0, CK_SUB, CK_MUL, CK_DIV, CK_POW, CK_MAX, CK_MIN,
    CK_GT, CK_GE, CK_LT, CK_LE, CK_EQ, CK_NE
};
enum {
    CK_NEG = 0, CK_EXP, CK_LOG, CK_SQRT, CK_ABS, CK_SIGN, CK_RELU, CK_SIGMOID, CK_TANH,
    CK_RECIPROCAL, CK_SQUARE, CK_POW_SCALAR, CK_CLAMP, CK_LEAKY_RELU, CK_LEAKY_RELU_SLOPE,
    CK_ELU, CK_SOFTPLUS, CK_STEP, CK_ADD_SCALAR, CK_MUL_SCALAR, CK_RSUB_SCALAR,
    CK_RDIV_SCALAR, CK_LOG1P, CK_SOFTPLUS_GRAD, CK_CLAMP_MASK, CK_ISFINITE
};
// out[i] = a[i] (op) b[i] over n contiguous elements.
void ck_binary_contiguous(int op, const float *a, const float *b, float *out, long n);
// Broadcasting form: a and b are addressed with element strides (0 where broadcast)
// over the output shape `shape` of rank `rank`; out is contiguous.
void ck_binary_strided(int op, const float *a, const long *a_strides, const float *b,
                       const long *b_strides, float *out, const long *shape, int rank);
// out[i] = f(x[i]; p1, p2). The meaning of p1/p2 depends on the op (slope, min/max, ...).
void ck_unary(int op, const float *x, float *out, long n, float p1, float p2);
// out[i] = cond[i] != 0 ? a[i] : b[i]
void ck_where(const float *cond, const float *a, const float *b, float *out, long n);
// y[i, ch, :] += bias[ch] for y viewed as [n, c, hw] (a convolution's bias, in place).
void ck_add_channel_bias(float *y, long n, long c, long hw, const float *bias);
// out = g where x > 0, g * slope elsewhere (leaky ReLU's backward, relu with slope 0).
void ck_leaky_relu_backward(const float *g, const float *x, float *out, long n, float slope);
// Gathers a strided view into a contiguous buffer (permute, expand, slice).
void ck_strided_copy(const float *src, const long *src_strides, float *out,
                     const long *shape, int rank);
// Copies a contiguous buffer into a strided destination (the adjoint of a slice).
void ck_strided_store(const float *src, float *dst, const long *dst_strides,
                      const long *shape, int rank);

// ---- Random fills (philox.c) ------------------------------------------------
// Philox4x32-10 uniform [low, high) and Box-Muller normal draws starting at word `offset`
// of the stream keyed by `seed`; each returns the offset after the words it used (one per
// uniform, two per pair of normals). The same numbers as RandomGenerator.swift.
uint64_t ck_philox_uniform(uint64_t seed, uint64_t offset, float *out, long n, float low, float high);
// Dropout's mask: scale where the uniform draw (as ck_philox_uniform's on [0, 1)) is >= p,
// else 0; one word per element. Returns the new offset.
uint64_t ck_philox_dropout_mask(uint64_t seed, uint64_t offset, float *out, long n, float p, float scale);
uint64_t ck_philox_normal(uint64_t seed, uint64_t offset, float *out, long n, float mean, float std);

// ---- Reductions (reduce.c) --------------------------------------------------
// x viewed as [outer, r, inner]; out is [outer, inner]. Sums accumulate in double.
void ck_reduce_sum(const float *x, long outer, long r, long inner, float *out);
// Max along r; argmax gets the first index of the maximum (as PyTorch); NaN wins.
void ck_reduce_max(const float *x, long outer, long r, long inner, float *out,
                   int64_t *argmax);

// ---- Index maps (index.c) ---------------------------------------------------
// out[i] = map[i] >= 0 ? x[map[i]] : 0
void ck_gather_map(const float *x, const int64_t *map, float *out, long n);
// gx[map[i]] += g[i] for map[i] >= 0 (gx must be zeroed by the caller when needed)
void ck_scatter_add_map(const float *g, const int64_t *map, float *gx, long n);
// Padding of `planes` h x w planes to oh x ow: output row oy reads input row ys[oy], column ox
// column xs[ox] (-1: `value`); columns [left, left + w) are the input row itself. The adjoint
// adds each output element into the input element it read (gx is overwritten).
void ck_pad2d(const float *x, long planes, long h, long w, const int32_t *ys, long oh,
              const int32_t *xs, long ow, long left, float value, float *out);
void ck_pad2d_adjoint(const float *g, long planes, long h, long w, const int32_t *ys, long oh,
                      const int32_t *xs, long ow, long left, float *gx);
// Sparse linear map with k taps per output: out[i] = sum_t w[i*k+t] * x[idx[i*k+t]].
void ck_gather_weighted(const float *x, const int64_t *idx, const float *w, long k,
                        float *out, long n);
// Nearest-neighbour upsampling of `planes` h x w images by an integer factor s, and its
// adjoint (each input pixel receives the sum of its s x s copies; gx is overwritten).
void ck_upsample_nearest(const float *x, long planes, long h, long w, long s, float *out);
void ck_upsample_nearest_adjoint(const float *g, long planes, long h, long w, long s, float *gx);
// Pixel shuffle of `planes` output planes ([N * C]; input [N, C * r * r, h, w], output
// [N, C, h * r, w * r]) and its inverse, pixel unshuffle (from the output layout back).
void ck_pixel_shuffle(const float *x, long planes, long h, long w, long r, float *out);
void ck_pixel_unshuffle(const float *x, long planes, long h, long w, long r, float *out);
// The same with each phase (i, k) read from an h x w window of its xh x xw input plane at
// (row0[i], col0[k]); the adjoint writes zeros outside the windows.
void ck_pixel_shuffle_windows(const float *x, long planes, long xh, long xw, long h, long w, long r,
                              const long *row0, const long *col0, float *out);
void ck_pixel_unshuffle_windows(const float *g, long planes, long xh, long xw, long h, long w, long r,
                                const long *row0, const long *col0, float *gx);
// A convolution after nearest 2x upsampling as four phase convolutions of the input
// (nearest_phases.c): w [O, C, kh, kw] (planes = O * C) to out [O * 4, C, ph, pw], output
// channel o * 4 + py * 2 + px (pixel shuffle's order); tap a of row phase py lands on phase
// row rows[py * kh + a], tap b of column phase px on column cols[px * kw + b]. The adjoint
// sums each tap's four phase entries (gw is overwritten).
void ck_nearest2_phase_weights(const float *w, long planes, long kh, long kw, const int32_t *rows,
                               const int32_t *cols, long ph, long pw, long in_channels, float *out);
void ck_nearest2_phase_weights_adjoint(const float *g, long planes, long kh, long kw, const int32_t *rows,
                                       const int32_t *cols, long ph, long pw, long in_channels, float *gw);
// Its adjoint: gx[idx[i*k+t]] += w[i*k+t] * g[i].
void ck_scatter_weighted(const float *g, const int64_t *idx, const float *w, long k,
                         float *gx, long n);

#ifdef __cplusplus
}
#endif
#endif
