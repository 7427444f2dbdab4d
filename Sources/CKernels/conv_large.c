// Convolutions of large images with many rows of columns (256-512 channels, 4x4 kernels:
// 4096-8192 rows): the im2col columns of a whole image, or of a few large ranges of its
// output positions, are built once (in parallel over channels) and multiplied by the
// parallel GEMM, which blocks them for the caches itself.
//
// The L2-sized tiles of conv.c hold only 32 positions of such columns: every tile streamed
// the whole weight again (8-16 MB), the weight gradient became a sum of 32-deep products
// that each re-read and rewrote all of it, and a one-image data gradient ran on one thread.
//
// Ranges and channel blocks depend only on the geometry and the GEMM's split never changes
// the order of a sum, so results are bitwise the same for any thread count.
#include "conv_large.h"
#include "scratch.h"
#include <string.h>

#define RANGE_FLOATS (8L << 20)   // columns of one range: at most 32 MB
#define CHANNEL_BLOCKS 16         // im2col / col2im tasks per range

typedef struct {
    const ck_conv_geometry *g;
    long cg, og, taps, col_rows, ohw;
    long q_len;                   // positions per range
    long ranges;
} large_plan;

static large_plan plan_of(const ck_conv_geometry *g) {
    large_plan p;
    p.g = g;
    p.cg = g->c_in / g->groups;
    p.og = g->c_out / g->groups;
    p.taps = g->kh * g->kw;
    p.col_rows = p.cg * p.taps;
    p.ohw = g->out_h * g->out_w;
    long per_range = RANGE_FLOATS / (p.col_rows ? p.col_rows : 1);
    if (per_range < 256) per_range = 256;
    p.ranges = (p.ohw + per_range - 1) / per_range;
    if (p.ranges < 1) p.ranges = 1;
    p.q_len = (p.ohw + p.ranges - 1) / p.ranges;
    return p;
}

// Where an L2 tile would hold fewer than 64 positions (256 and more rows of columns), the
// weight is streamed once per 32 columns and the weight gradient is a sum of 32-deep products.
// Below 64 positions per image the GEMM's per-thread packing of the weight costs more.
int ck_conv_large_suits(const ck_conv_geometry *g, long tile_floats) {
    large_plan p = plan_of(g);
    return p.col_rows * p.ohw > tile_floats && tile_floats / p.col_rows < 64 && p.ohw >= 64;
}

// One range's columns of one image and group, or its col2im, split over channel blocks
// (a block's rows of the columns and its channels of the image belong to it alone).
typedef struct {
    const large_plan *p;
    const float *img;             // the group's first input channel (im2col)
    float *gimg;                  // the group's first gradient channel (col2im, accumulated)
    float *cols;
    long q0, q1, blocks;
} columns_job;

static void channel_span(const columns_job *j, long b, long *c0, long *c1) {
    *c0 = j->p->cg * b / j->blocks;
    *c1 = j->p->cg * (b + 1) / j->blocks;
}

static void im2col_block(void *ctx, long b) {
    const columns_job *j = ctx;
    const ck_conv_geometry *g = j->p->g;
    long c0, c1, len = j->q1 - j->q0;
    channel_span(j, b, &c0, &c1);
    if (c1 > c0)
        ck_im2col_range(j->img + c0 * g->h * g->w, c1 - c0, g->h, g->w, g->kh, g->kw, g->pad_h, g->pad_w,
                        g->stride_h, g->stride_w, g->dil_h, g->dil_w, g->out_h, g->out_w, j->q0, j->q1,
                        j->cols + c0 * j->p->taps * len, len);
}

static void col2im_block(void *ctx, long b) {
    const columns_job *j = ctx;
    const ck_conv_geometry *g = j->p->g;
    long c0, c1, len = j->q1 - j->q0;
    channel_span(j, b, &c0, &c1);
    if (c1 > c0)
        ck_col2im_range(j->cols + c0 * j->p->taps * len, len, c1 - c0, g->h, g->w, g->kh, g->kw, g->pad_h,
                        g->pad_w, g->stride_h, g->stride_w, g->dil_h, g->dil_w, g->out_h, g->out_w, j->q0,
                        j->q1, j->gimg + c0 * g->h * g->w);
}

static const float *group_input(const large_plan *p, const float *x, long n, long grp) {
    return x + (n * p->g->c_in + grp * p->cg) * p->g->h * p->g->w;
}

static long group_output(const large_plan *p, long n, long grp) {
    return (n * p->g->c_out + grp * p->og) * p->ohw;
}

static long channel_blocks(const large_plan *p) { return p->cg < CHANNEL_BLOCKS ? p->cg : CHANNEL_BLOCKS; }

// cols = the columns of positions [q0, q1) of image n, group grp.
static void build_columns(const large_plan *p, const float *x, long n, long grp, long q0, long q1, float *cols) {
    columns_job j = {p, group_input(p, x, n, grp), NULL, cols, q0, q1, channel_blocks(p)};
    ck_parallel_for(j.blocks, im2col_block, &j);
}

// gx of image n, group grp += col2im(cols) over positions [q0, q1).
static void add_columns(const large_plan *p, float *cols, float *gx, long n, long grp, long q0, long q1) {
    columns_job j = {p, NULL, (float *)group_input(p, gx, n, grp), cols, q0, q1, channel_blocks(p)};
    ck_parallel_for(j.blocks, col2im_block, &j);
}

void ck_conv_large_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y) {
    large_plan p = plan_of(g);
    ck_temp buffer = ck_temp_alloc((size_t)(p.col_rows * p.q_len));
    for (long n = 0; n < g->batch; n++)
        for (long grp = 0; grp < g->groups; grp++)
            for (long q0 = 0; q0 < p.ohw; q0 += p.q_len) {
                long q1 = q0 + p.q_len < p.ohw ? q0 + p.q_len : p.ohw, len = q1 - q0;
                build_columns(&p, x, n, grp, q0, q1, buffer.p);
                ck_sgemm(0, 0, p.og, len, p.col_rows, 1.0f, w + grp * p.og * p.col_rows, p.col_rows,
                         buffer.p, len, 0.0f, y + group_output(&p, n, grp) + q0, p.ohw);
            }
    ck_temp_free(buffer);
}

void ck_conv_large_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx) {
    large_plan p = plan_of(g);
    memset(gx, 0, sizeof(float) * (size_t)(g->batch * g->c_in * g->h * g->w));
    ck_temp buffer = ck_temp_alloc((size_t)(p.col_rows * p.q_len));
    for (long n = 0; n < g->batch; n++)
        for (long grp = 0; grp < g->groups; grp++)
            for (long q0 = 0; q0 < p.ohw; q0 += p.q_len) {
                long q1 = q0 + p.q_len < p.ohw ? q0 + p.q_len : p.ohw, len = q1 - q0;
                ck_sgemm(1, 0, p.col_rows, len, p.og, 1.0f, w + grp * p.og * p.col_rows, p.col_rows,
                         gy + group_output(&p, n, grp) + q0, p.ohw, 0.0f, buffer.p, len);
                add_columns(&p, buffer.p, gx, n, grp, q0, q1);
            }
    ck_temp_free(buffer);
}

void ck_conv_large_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy, float *gw) {
    large_plan p = plan_of(g);
    ck_temp buffer = ck_temp_alloc((size_t)(p.col_rows * p.q_len));
    for (long grp = 0; grp < g->groups; grp++)
        for (long n = 0; n < g->batch; n++)
            for (long q0 = 0; q0 < p.ohw; q0 += p.q_len) {
                long q1 = q0 + p.q_len < p.ohw ? q0 + p.q_len : p.ohw, len = q1 - q0;
                build_columns(&p, x, n, grp, q0, q1, buffer.p);
                ck_sgemm(0, 1, p.og, p.col_rows, len, 1.0f, gy + group_output(&p, n, grp) + q0, p.ohw,
                         buffer.p, len, n == 0 && q0 == 0 ? 0.0f : 1.0f, gw + grp * p.og * p.col_rows,
                         p.col_rows);
            }
    ck_temp_free(buffer);
}
