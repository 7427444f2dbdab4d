// Convolutions of large images with many rows of columns (256-512 channels, 4x4 kernels:
// 4096-8192 rows): the im2col columns of a whole image, or of a few large ranges of its
// output positions, are built once (in parallel over channels) and multiplied by the
// parallel GEMM, which blocks them for the caches itself.
//
// The L2-sized tiles of conv.c hold only 32 positions of such columns: every tile streamed
// the whole weight again (8-16 MB), the weight gradient became a sum of 32-deep products
// that each re-read and rewrote all of it, and a one-image data gradient ran on one thread.
//
// At small maps (context_encoder's and ccgan's 256->512 layer at 16 px, batch 8: 64 positions
// per image) one image's columns are too narrow for the GEMM to reuse the weight it streams,
// and the weight gradient is a sum of 64-deep products. Such a range holds whole images side
// by side instead (up to the same column budget), their outputs gathered through a small
// buffer.
//
// Ranges and channel blocks depend only on the geometry and the GEMM's split never changes
// the order of a sum, so results are bitwise the same for any thread count.
#include "conv_large.h"
#include "scratch.h"
#include <string.h>

#define RANGE_FLOATS (8L << 20)   // columns of one range: at most 32 MB
#define CHANNEL_BLOCKS 16         // im2col / col2im tasks per range
#define LARGE_WEIGHT_FLOATS (1L << 20)   // 4 MB: see ck_conv_large_suits

typedef struct {
    const ck_conv_geometry *g;
    long cg, og, taps, col_rows, ohw;
    long q_len;                   // positions per range of one image
    long ranges;                  // ranges per image
    long images;                  // images per range (ranges == 1 where it is above 1)
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
    p.images = p.ranges == 1 && p.ohw > 0 ? per_range / p.ohw : 1;
    if (p.images > g->batch) p.images = g->batch;
    if (p.images < 1) p.images = 1;
    return p;
}

// Where an L2 tile would hold fewer than 64 positions (256 and more rows of columns), the
// weight is streamed once per 32 columns and the weight gradient is a sum of 32-deep products.
// Below 64 positions per image the GEMM's per-thread packing of the weight costs more, except
// for a weight of 4 MB and more over small maps (the U-Nets' inner levels, context_encoder's
// 4000-channel layer, the deep critic layers at batch 8-64): there L2-sized tiles of one image
// streamed the whole weight per 4-16 positions, and made the weight gradient a sum of 8-32-deep
// products, each re-reading and rewriting all of it with a partial copy per slice (ccgan:
// 64 MB); the batch's columns side by side make it one product, or a few.
int ck_conv_large_suits(const ck_conv_geometry *g, long tile_floats) {
    large_plan p = plan_of(g);
    if (g->c_out * p.col_rows >= LARGE_WEIGHT_FLOATS && p.images > 1) return 1;
    return p.col_rows * p.ohw > tile_floats && tile_floats / p.col_rows < 64 && p.ohw >= 64;
}

// One range: images [n0, n0 + nb), positions [q0, q1) of each; its columns are
// [col_rows][nb * len], image b's at column b * len.
typedef struct { long n0, nb, q0, q1, len, width; } range;

static range range_at(const large_plan *p, long n0, long q0) {
    range r;
    r.n0 = n0;
    r.nb = p->g->batch - n0 < p->images ? p->g->batch - n0 : p->images;
    r.q0 = q0;
    r.q1 = q0 + p->q_len < p->ohw ? q0 + p->q_len : p->ohw;
    r.len = r.q1 - r.q0;
    r.width = r.nb * r.len;
    return r;
}

// One range's columns of one group, or its col2im, split over channel blocks (a block's
// rows of the columns and its channels of the images belong to it alone).
typedef struct {
    const large_plan *p;
    const float *x;               // im2col: the input
    float *gx;                    // col2im: the input gradient (accumulated)
    float *cols;
    range r;
    long grp, blocks;
} columns_job;

static void channel_span(const columns_job *j, long b, long *c0, long *c1) {
    *c0 = j->p->cg * b / j->blocks;
    *c1 = j->p->cg * (b + 1) / j->blocks;
}

static long group_input(const large_plan *p, long n, long grp) {
    return (n * p->g->c_in + grp * p->cg) * p->g->h * p->g->w;
}

static long group_output(const large_plan *p, long n, long grp) {
    return (n * p->g->c_out + grp * p->og) * p->ohw;
}

static void im2col_block(void *ctx, long b) {
    const columns_job *j = ctx;
    const ck_conv_geometry *g = j->p->g;
    long c0, c1;
    channel_span(j, b, &c0, &c1);
    for (long i = 0; i < j->r.nb && c1 > c0; i++)
        ck_im2col_range(j->x + group_input(j->p, j->r.n0 + i, j->grp) + c0 * g->h * g->w, c1 - c0, g->h, g->w,
                        g->kh, g->kw, g->pad_h, g->pad_w, g->stride_h, g->stride_w, g->dil_h, g->dil_w,
                        g->out_h, g->out_w, j->r.q0, j->r.q1, j->cols + c0 * j->p->taps * j->r.width + i * j->r.len,
                        j->r.width);
}

static void col2im_block(void *ctx, long b) {
    const columns_job *j = ctx;
    const ck_conv_geometry *g = j->p->g;
    long c0, c1;
    channel_span(j, b, &c0, &c1);
    for (long i = 0; i < j->r.nb && c1 > c0; i++)
        ck_col2im_range(j->cols + c0 * j->p->taps * j->r.width + i * j->r.len, j->r.width, c1 - c0, g->h, g->w,
                        g->kh, g->kw, g->pad_h, g->pad_w, g->stride_h, g->stride_w, g->dil_h, g->dil_w,
                        g->out_h, g->out_w, j->r.q0, j->r.q1,
                        j->gx + group_input(j->p, j->r.n0 + i, j->grp) + c0 * g->h * g->w);
}

static long channel_blocks(const large_plan *p) { return p->cg < CHANNEL_BLOCKS ? p->cg : CHANNEL_BLOCKS; }

static void build_columns(const large_plan *p, const float *x, range r, long grp, float *cols) {
    columns_job j = {p, x, NULL, cols, r, grp, channel_blocks(p)};
    ck_parallel_for(j.blocks, im2col_block, &j);
}

static void add_columns(const large_plan *p, float *cols, float *gx, range r, long grp) {
    columns_job j = {p, NULL, gx, cols, r, grp, channel_blocks(p)};
    ck_parallel_for(j.blocks, col2im_block, &j);
}

// The range's rows of gy, [og][width] with leading dimension *ld: in place for one image,
// else gathered from the images into `side`.
static const float *range_outputs(const large_plan *p, const float *gy, range r, long grp, float *side, long *ld) {
    if (r.nb == 1) {
        *ld = p->ohw;
        return gy + group_output(p, r.n0, grp) + r.q0;
    }
    for (long i = 0; i < r.nb; i++)
        for (long o = 0; o < p->og; o++)
            memcpy(side + o * r.width + i * r.len, gy + group_output(p, r.n0 + i, grp) + o * p->ohw + r.q0,
                   sizeof(float) * (size_t)r.len);
    *ld = r.width;
    return side;
}

// y's rows of the range from `side`, [og][width], back to the images.
static void scatter_outputs(const large_plan *p, const float *side, range r, long grp, float *y) {
    for (long i = 0; i < r.nb; i++)
        for (long o = 0; o < p->og; o++)
            memcpy(y + group_output(p, r.n0 + i, grp) + o * p->ohw + r.q0, side + o * r.width + i * r.len,
                   sizeof(float) * (size_t)r.len);
}

// Room for a range's outputs where it holds several images.
static ck_temp side_buffer(const large_plan *p) {
    ck_temp none = {NULL, 0};
    return p->images > 1 ? ck_temp_alloc((size_t)(p->og * p->ohw * p->images)) : none;
}

void ck_conv_large_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y) {
    large_plan p = plan_of(g);
    ck_temp buffer = ck_temp_alloc((size_t)(p.col_rows * p.q_len * p.images));
    ck_temp side = side_buffer(&p);
    for (long n = 0; n < g->batch; n += p.images)
        for (long grp = 0; grp < g->groups; grp++)
            for (long q0 = 0; q0 < p.ohw; q0 += p.q_len) {
                range r = range_at(&p, n, q0);
                build_columns(&p, x, r, grp, buffer.p);
                const float *wg = w + grp * p.og * p.col_rows;
                if (r.nb == 1) {
                    ck_sgemm(0, 0, p.og, r.len, p.col_rows, 1.0f, wg, p.col_rows, buffer.p, r.len, 0.0f,
                             y + group_output(&p, n, grp) + q0, p.ohw);
                    continue;
                }
                ck_sgemm(0, 0, p.og, r.width, p.col_rows, 1.0f, wg, p.col_rows, buffer.p, r.width, 0.0f, side.p,
                         r.width);
                scatter_outputs(&p, side.p, r, grp, y);
            }
    ck_temp_free(side);
    ck_temp_free(buffer);
}

void ck_conv_large_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx) {
    large_plan p = plan_of(g);
    memset(gx, 0, sizeof(float) * (size_t)(g->batch * g->c_in * g->h * g->w));
    ck_temp buffer = ck_temp_alloc((size_t)(p.col_rows * p.q_len * p.images));
    ck_temp side = side_buffer(&p);
    for (long n = 0; n < g->batch; n += p.images)
        for (long grp = 0; grp < g->groups; grp++)
            for (long q0 = 0; q0 < p.ohw; q0 += p.q_len) {
                range r = range_at(&p, n, q0);
                long ld;
                const float *gyr = range_outputs(&p, gy, r, grp, side.p, &ld);
                ck_sgemm(1, 0, p.col_rows, r.width, p.og, 1.0f, w + grp * p.og * p.col_rows, p.col_rows, gyr, ld,
                         0.0f, buffer.p, r.width);
                add_columns(&p, buffer.p, gx, r, grp);
            }
    ck_temp_free(side);
    ck_temp_free(buffer);
}

void ck_conv_large_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy, float *gw) {
    large_plan p = plan_of(g);
    ck_temp buffer = ck_temp_alloc((size_t)(p.col_rows * p.q_len * p.images));
    ck_temp side = side_buffer(&p);
    for (long grp = 0; grp < g->groups; grp++)
        for (long n = 0; n < g->batch; n += p.images)
            for (long q0 = 0; q0 < p.ohw; q0 += p.q_len) {
                range r = range_at(&p, n, q0);
                build_columns(&p, x, r, grp, buffer.p);
                long ld;
                const float *gyr = range_outputs(&p, gy, r, grp, side.p, &ld);
                ck_sgemm(0, 1, p.og, p.col_rows, r.width, 1.0f, gyr, ld, buffer.p, r.width,
                         n == 0 && q0 == 0 ? 0.0f : 1.0f, gw + grp * p.og * p.col_rows, p.col_rows);
            }
    ck_temp_free(side);
    ck_temp_free(buffer);
}
