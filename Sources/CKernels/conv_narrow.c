// Convolutions with a handful of output positions in the whole batch and a large weight:
// the innermost levels of a U-Net at batch 1 (512 channels, 4x4 kernel, 1x1 to 4x4 outputs,
// an 8-16 MB weight). There the work is one pass over the weight, so it is read (or its
// gradient written) exactly once, row by row, against the few columns of im2col held in
// cache; packing the weight for the GEMM, as the other routes do, read and wrote it twice
// more for a product of 1-16 columns.
//
// Every output element is one fixed-order sum, and the tasks split rows or columns of the
// weight by the geometry alone, so results do not depend on the thread count. The loops are
// plain C compiled for AVX-512 and for the baseline, picked at run time.
#include "conv_narrow.h"
#include "scratch.h"
#include <string.h>

// Output positions in the whole batch up to which this route beats the GEMM's: at 16 (a
// 512-channel level at 4x4) the forward and data gradient run 2x faster here on the Intel
// kind, the weight gradient 2.5x slower (the GEMM's 16-column tiles suit it).
#define MAX_POSITIONS 16
#define MAX_POSITIONS_WEIGHT 8
#define MIN_WEIGHTS (256L * 1024L)
#define TASKS 8
#define LANES 16
#define POSITION_BLOCK 4          // forward: positions sharing one read of a weight row
#define ROW_BLOCK 64              // weight gradient: floats of a row kept in registers
#define ROW_CHUNK 256             // data gradient: columns of all positions kept in L1
#define INLINE __attribute__((always_inline)) static inline

int ck_conv_narrow_suits(const ck_conv_geometry *g, int weight_gradient) {
    long positions = g->batch * g->out_h * g->out_w;
    long weights = (long)g->c_out * (g->c_in / g->groups) * g->kh * g->kw;
    return g->groups == 1 && positions <= (weight_gradient ? MAX_POSITIONS_WEIGHT : MAX_POSITIONS) &&
           weights >= MIN_WEIGHTS;
}

typedef struct {
    const ck_conv_geometry *g;
    long rows, positions, ohw;    // im2col rows (c_in kh kw); batch * ohw
    float *cols_t;                // [positions][rows]: position p = n * ohw + q
    const float *w;
    const float *gy;
    float *y, *gw;
} narrow_job;

static narrow_job job_of(const ck_conv_geometry *g) {
    narrow_job j;
    memset(&j, 0, sizeof j);
    j.g = g;
    j.rows = g->c_in * g->kh * g->kw;
    j.ohw = g->out_h * g->out_w;
    j.positions = g->batch * j.ohw;
    return j;
}

// cols_t[n * ohw + q][r] for every image: im2col, then transposed (both tiny).
static void build_columns(narrow_job *j, const float *x, ck_temp *buffer) {
    const ck_conv_geometry *g = j->g;
    *buffer = ck_temp_alloc((size_t)(2 * j->rows * j->positions));
    j->cols_t = buffer->p;
    float *cols = buffer->p + j->rows * j->positions;
    for (long n = 0; n < g->batch; n++) {
        ck_im2col_range(x + n * g->c_in * g->h * g->w, g->c_in, g->h, g->w, g->kh, g->kw, g->pad_h, g->pad_w,
                        g->stride_h, g->stride_w, g->dil_h, g->dil_w, g->out_h, g->out_w, 0, j->ohw, cols, j->ohw);
        for (long r = 0; r < j->rows; r++)
            for (long q = 0; q < j->ohw; q++) j->cols_t[(n * j->ohw + q) * j->rows + r] = cols[r * j->ohw + q];
    }
}


static void span(long total, long task, long *a, long *b) {
    *a = total * task / TASKS;
    *b = total * (task + 1) / TASKS;
}

// y[n][o][q] = W[o, :] . cols_t[n * ohw + q, :], for the task's rows o of W.
INLINE void forward_body(const narrow_job *j, long t) {
    long o0, o1;
    span(j->g->c_out, t, &o0, &o1);
    long rows = j->rows, body = rows / LANES * LANES;
    for (long o = o0; o < o1; o++) {
        const float *wo = j->w + o * rows;
        for (long p0 = 0; p0 < j->positions; p0 += POSITION_BLOCK) {
            long np = j->positions - p0 < POSITION_BLOCK ? j->positions - p0 : POSITION_BLOCK;
            float acc[POSITION_BLOCK][LANES] = {{0}};
            for (long r = 0; r < body; r += LANES)
                for (long k = 0; k < POSITION_BLOCK; k++) {
                    const float *c = j->cols_t + (p0 + (k < np ? k : 0)) * rows + r;
                    for (int l = 0; l < LANES; l++) acc[k][l] += wo[r + l] * c[l];
                }
            for (long k = 0; k < np; k++) {
                const float *c = j->cols_t + (p0 + k) * rows;
                for (long r = body, l = 0; r < rows; r++, l++) acc[k][l] += wo[r] * c[r];
                for (int width = LANES / 2; width > 0; width /= 2)
                    for (int l = 0; l < width; l++) acc[k][l] += acc[k][l + width];
                long n = (p0 + k) / j->ohw, q = (p0 + k) % j->ohw;
                j->y[(n * j->g->c_out + o) * j->ohw + q] = acc[k][0];
            }
        }
    }
}

// cols_t[p][r] = sum_o gy[n][o][q] W[o][r], for the task's columns r of W, o in order.
INLINE void backward_data_body(const narrow_job *j, long t) {
    long r0, r1;
    span(j->rows, t, &r0, &r1);
    for (long p = 0; p < j->positions; p++) memset(j->cols_t + p * j->rows + r0, 0, sizeof(float) * (size_t)(r1 - r0));
    for (long c0 = r0; c0 < r1; c0 += ROW_CHUNK) {   // the chunk's columns of every position stay in L1
        long c1 = c0 + ROW_CHUNK < r1 ? c0 + ROW_CHUNK : r1;
        for (long o = 0; o < j->g->c_out; o++) {
            const float *wo = j->w + o * j->rows;
            for (long p = 0; p < j->positions; p++) {
                long n = p / j->ohw, q = p % j->ohw;
                float s = j->gy[(n * j->g->c_out + o) * j->ohw + q];
                float *c = j->cols_t + p * j->rows;
                for (long r = c0; r < c1; r++) c[r] += s * wo[r];
            }
        }
    }
}

// gw[o][:] = sum over positions p in order of gy[n][o][q] cols_t[p][:], for the task's rows o.
INLINE void backward_weight_body(const narrow_job *j, long t) {
    long o0, o1;
    span(j->g->c_out, t, &o0, &o1);
    long rows = j->rows, body = rows / ROW_BLOCK * ROW_BLOCK;
    for (long o = o0; o < o1; o++) {
        float *go = j->gw + o * rows;
        const float *gyo[MAX_POSITIONS];
        for (long p = 0; p < j->positions; p++) {
            long n = p / j->ohw, q = p % j->ohw;
            gyo[p] = j->gy + (n * j->g->c_out + o) * j->ohw + q;
        }
        for (long r = 0; r < body; r += ROW_BLOCK) {   // a block of the row in registers
            float acc[ROW_BLOCK] = {0};
            for (long p = 0; p < j->positions; p++) {
                float s = *gyo[p];
                const float *c = j->cols_t + p * rows + r;
                for (int l = 0; l < ROW_BLOCK; l++) acc[l] += s * c[l];
            }
            for (int l = 0; l < ROW_BLOCK; l++) go[r + l] = acc[l];
        }
        for (long r = body; r < rows; r++) {
            float acc = 0;
            for (long p = 0; p < j->positions; p++) acc += *gyo[p] * j->cols_t[p * rows + r];
            go[r] = acc;
        }
    }
}

// Each body compiled for AVX-512 and for the baseline.
#if defined(__x86_64__) || defined(__i386__)
#define AVX512 __attribute__((target("avx512f")))
AVX512 static void forward_avx512(const narrow_job *j, long t) { forward_body(j, t); }
AVX512 static void backward_data_avx512(const narrow_job *j, long t) { backward_data_body(j, t); }
AVX512 static void backward_weight_avx512(const narrow_job *j, long t) { backward_weight_body(j, t); }
#define HAVE_AVX512() __builtin_cpu_supports("avx512f")
#else
#define HAVE_AVX512() 0
#define forward_avx512 forward_portable
#define backward_data_avx512 backward_data_portable
#define backward_weight_avx512 backward_weight_portable
#endif
static void forward_portable(const narrow_job *j, long t) { forward_body(j, t); }
static void backward_data_portable(const narrow_job *j, long t) { backward_data_body(j, t); }
static void backward_weight_portable(const narrow_job *j, long t) { backward_weight_body(j, t); }

static void forward_task(void *ctx, long t) {
    if (HAVE_AVX512()) forward_avx512(ctx, t); else forward_portable(ctx, t);
}
static void backward_data_task(void *ctx, long t) {
    if (HAVE_AVX512()) backward_data_avx512(ctx, t); else backward_data_portable(ctx, t);
}
static void backward_weight_task(void *ctx, long t) {
    if (HAVE_AVX512()) backward_weight_avx512(ctx, t); else backward_weight_portable(ctx, t);
}

void ck_conv_narrow_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y) {
    narrow_job j = job_of(g);
    ck_temp buffer;
    build_columns(&j, x, &buffer);
    j.w = w;
    j.y = y;
    ck_parallel_for(TASKS, forward_task, &j);
    ck_temp_free(buffer);
}

void ck_conv_narrow_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx) {
    narrow_job j = job_of(g);
    ck_temp buffer = ck_temp_alloc((size_t)(2 * j.rows * j.positions));
    j.cols_t = buffer.p;
    j.w = w;
    j.gy = gy;
    ck_parallel_for(TASKS, backward_data_task, &j);
    float *cols = buffer.p + j.rows * j.positions;
    memset(gx, 0, sizeof(float) * (size_t)(g->batch * g->c_in * g->h * g->w));
    for (long n = 0; n < g->batch; n++) {
        for (long r = 0; r < j.rows; r++)
            for (long q = 0; q < j.ohw; q++) cols[r * j.ohw + q] = j.cols_t[(n * j.ohw + q) * j.rows + r];
        ck_col2im_range(cols, j.ohw, g->c_in, g->h, g->w, g->kh, g->kw, g->pad_h, g->pad_w, g->stride_h,
                        g->stride_w, g->dil_h, g->dil_w, g->out_h, g->out_w, 0, j.ohw, gx + n * g->c_in * g->h * g->w);
    }
    ck_temp_free(buffer);
}

void ck_conv_narrow_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy, float *gw) {
    narrow_job j = job_of(g);
    ck_temp buffer;
    build_columns(&j, x, &buffer);
    j.gy = gy;
    j.gw = gw;
    ck_parallel_for(TASKS, backward_weight_task, &j);
    ck_temp_free(buffer);
}
