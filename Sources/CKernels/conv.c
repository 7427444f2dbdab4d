// 2-D convolution (NCHW, weight [c_out, c_in/groups, kh, kw]) and its two adjoints.
// Seven lowerings, chosen per geometry behind one interface:
//   - Winograd F(4x4, 3x3) and F(2x2, 3x3) (conv_winograd.c, conv_winograd_f4.c): 3x3,
//     stride 1, ungrouped, >= 16 channels;
//   - Winograd F(3x3, 2x2) on the four phases of a 4x4, stride-2 convolution
//     (conv_winograd_s2.c): ungrouped, >= 16 channels;
//   - direct kernels (conv_direct.c): stride 1 with <= 4 output channels per group;
//   - a few output positions and a large weight (conv_narrow.c): one pass over the weight;
//   - stride 1 or 2 along rows, more output positions per image than output channels
//     (conv_implicit.c): the GEMM packs its panels of columns straight from the image, and
//     at stride 1 the data gradient is the forward convolution of gy with the flipped weight;
//   - large images with many rows of columns, or a large weight over small maps
//     (conv_large.c): whole-image columns (several images side by side at small maps) and
//     the parallel GEMM;
//   - im2col + the packed GEMM in L2-sized tiles (this file): everything else.
//
// For im2col + GEMM the work is cut into tiles that depend only on the geometry (never on the thread
// count), so results are bitwise reproducible for any thread count:
//   - small images: a tile is B whole images side by side (GEMM n = B*oh*ow >= ~256),
//   - large images: a tile is a range of output positions of one image,
// so that a tile's im2col buffer stays in L2 while the GEMM packs it. The weights are
// packed for the GEMM once per call and shared by all tiles.
// Tiles run on the pool; a lone tile instead lets the GEMM split itself.
#include "ckernels.h"
#include "conv_direct.h"
#include "conv_implicit.h"
#include "conv_large.h"
#include "conv_narrow.h"
#include "conv_winograd.h"
#include "gemm_internal.h"
#include "scratch.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TARGET_WIDTH 256
#define MAX_COLS (160L * 1024L)   // floats in one tile's im2col buffer (640 KB, L2 is 1 MB)
#define MIN_SLICE_FLOPS 8.0e6
// Floats of weight-gradient partials one backward pass may hold: a layer whose weight is
// huge beside its activations (context_encoder's 4000-channel layer, 131 MB, on one image;
// in a batch it takes conv_large.c) sums in one slice, where the product itself is split
// over both cores, instead of holding four partial copies of it.
#define MAX_PARTIAL_FLOATS (16L * 1024L * 1024L)

typedef struct {
    const ck_conv_geometry *g;
    long cg, og, col_rows, ohw;
    long B, Q;               // images per tile; output positions per tile
    long nq, tiles;          // ranges per image group; tiles in all
    const float *x, *w, *gy;
    float *y, *gx, *gw;
    const ck_gemm_isa *isa;
    float *wpacked;          // per group: W (forward) or W^T (backward data), GEMM-packed
    ck_temp wpacked_buffer;
    long wpacked_stride;
    long slices;             // backward-weight partial sums
    float *partials;
    int32_t *map;            // small strided images: tap x position -> padded-plane offset
    long hp, wp;             // the padded plane (h + 2 pad_h) x (w + 2 pad_w)
} conv_plan;

static void make_plan(conv_plan *p, const ck_conv_geometry *g) {
    memset(p, 0, sizeof *p);
    p->g = g;
    p->cg = g->c_in / g->groups;
    p->og = g->c_out / g->groups;
    p->col_rows = p->cg * g->kh * g->kw;
    p->ohw = g->out_h * g->out_w;
    long per_image = p->col_rows * p->ohw;
    if (per_image <= MAX_COLS) {
        long b = (TARGET_WIDTH + p->ohw - 1) / (p->ohw ? p->ohw : 1);
        long cap = MAX_COLS / (per_image ? per_image : 1);
        if (b > cap) b = cap;
        if (b > g->batch) b = g->batch;
        p->B = b < 1 ? 1 : b;
        p->Q = p->ohw;
    } else {
        // equal ranges of whole 32-column panels, each at most MAX_COLS floats of columns
        long qmax = MAX_COLS / p->col_rows / 32 * 32;
        if (qmax < 32) qmax = 32;
        long nq = (p->ohw + qmax - 1) / qmax;
        p->B = 1;
        p->Q = ((p->ohw + nq - 1) / nq + 31) / 32 * 32;
    }
    if (p->Q > p->ohw) p->Q = p->ohw;
    p->nq = p->Q > 0 ? (p->ohw + p->Q - 1) / p->Q : 1;
    p->tiles = ((g->batch + p->B - 1) / p->B) * p->nq;
}

// Winograd stays float32 under CK_PRECISION_BF16: its transformed operands are larger than
// the inputs and its outputs are differences of their products, so rounding them to
// bfloat16 cost ~5% relative error against ~0.5% on the GEMM routes. Returns the
// precision to restore.
static int float32_begin(void) {
    int precision = ck_get_precision();
    ck_set_precision(CK_PRECISION_FP32);
    return precision;
}

// Under CK_PRECISION_BF16 the forward pass and data gradient of 4x4 stride-2 layers take the
// GEMM routes instead of the phase Winograd one: that saves at most 2.25x of the float32
// products, while bfloat16 products run 1.5-1.8x faster where vdpbf16ps issues at full rate
// (AMD Zen 4) and skip the transforms (pix2pix's and context_encoder's layers: 1.2-2.2x). Their
// weight gradients gained nothing that way (0.85-1.28x) and keep the float32 route.
static int winograd_s2_takes(const ck_conv_geometry *g) {
    return ck_get_precision() == CK_PRECISION_FP32 && ck_conv_winograd_s2_suits(g);
}

typedef struct { long n0, nb, q0, q1, width; } tile;

static tile tile_at(const conv_plan *p, long t) {
    tile r;
    long ib = t / p->nq, iq = t % p->nq;
    r.n0 = ib * p->B;
    r.nb = p->g->batch - r.n0 < p->B ? p->g->batch - r.n0 : p->B;
    r.q0 = iq * p->Q;
    r.q1 = r.q0 + p->Q < p->ohw ? r.q0 + p->Q : p->ohw;
    r.width = r.nb * (r.q1 - r.q0);
    return r;
}

static const float *image(const conv_plan *p, const float *base, long n, long grp) {
    const ck_conv_geometry *g = p->g;
    return base + (n * g->c_in + grp * p->cg) * g->h * g->w;
}

// ---- small images with strides: im2col / col2im through an offset map -------------------
// Row by row im2col spends its time on bookkeeping when output rows are a few pixels
// (the DCGAN discriminator: 16x16 down to 2x2, stride 2). Instead each channel plane is
// copied once into a zero-padded plane, and every tap becomes a gather through a map of
// offsets built once per call (no bounds tests, no per-row work).
static void build_map(conv_plan *p) {
    const ck_conv_geometry *g = p->g;
    p->map = NULL;
    p->hp = g->h + 2 * g->pad_h;
    p->wp = g->w + 2 * g->pad_w;
    long taps = g->kh * g->kw;
    int small = g->stride_h > 1 || g->stride_w > 1 || g->out_w < 16;
    if (p->nq != 1 || !small || p->hp * p->wp > (1L << 20) || taps * p->ohw > (1L << 22)) return;
    p->map = malloc(sizeof(int32_t) * (size_t)(taps * p->ohw));
    if (!p->map) abort();
    for (long ki = 0; ki < g->kh; ki++)
        for (long kj = 0; kj < g->kw; kj++) {
            int32_t *m = p->map + (ki * g->kw + kj) * p->ohw;
            for (long oy = 0; oy < g->out_h; oy++)
                for (long ox = 0; ox < g->out_w; ox++)
                    m[oy * g->out_w + ox] = (int32_t)((oy * g->stride_h + ki * g->dil_h) * p->wp +
                                                      ox * g->stride_w + kj * g->dil_w);
        }
}

// The padded copy of one plane (borders stay zero: only the interior is rewritten).
static void fill_padded(const conv_plan *p, const float *plane, float *pad) {
    const ck_conv_geometry *g = p->g;
    for (long r = 0; r < g->h; r++)
        memcpy(pad + (r + g->pad_h) * p->wp + g->pad_w, plane + r * g->w, sizeof(float) * (size_t)g->w);
}

static void im2col_map(const conv_plan *p, const float *img, float *dst, long ld) {
    const ck_conv_geometry *g = p->g;
    long taps = g->kh * g->kw;
    float *pad = ck_scratch(CK_SCRATCH_PAD, (size_t)(p->hp * p->wp));
    memset(pad, 0, sizeof(float) * (size_t)(p->hp * p->wp));
    for (long c = 0; c < p->cg; c++) {
        fill_padded(p, img + c * g->h * g->w, pad);
        for (long t = 0; t < taps; t++) {
            const int32_t *m = p->map + t * p->ohw;
            float *d = dst + (c * taps + t) * ld;
            for (long q = 0; q < p->ohw; q++) d[q] = pad[m[q]];
        }
    }
}

// gx_img += col2im(src): scatter-add through the map (a tap never hits a pixel twice),
// then add the padded plane's interior.
static void col2im_map(const conv_plan *p, const float *src, long ld, float *gx_img) {
    const ck_conv_geometry *g = p->g;
    long taps = g->kh * g->kw;
    float *pad = ck_scratch(CK_SCRATCH_PAD, (size_t)(p->hp * p->wp));
    for (long c = 0; c < p->cg; c++) {
        memset(pad, 0, sizeof(float) * (size_t)(p->hp * p->wp));
        for (long t = 0; t < taps; t++) {
            const int32_t *m = p->map + t * p->ohw;
            const float *s = src + (c * taps + t) * ld;
            for (long q = 0; q < p->ohw; q++) pad[m[q]] += s[q];
        }
        float *x = gx_img + c * g->h * g->w;
        for (long r = 0; r < g->h; r++) {
            const float *pr = pad + (r + g->pad_h) * p->wp + g->pad_w;
            for (long i = 0; i < g->w; i++) x[r * g->w + i] += pr[i];
        }
    }
}

static void im2col_tile(const conv_plan *p, const tile *t, long grp, float *cols) {
    const ck_conv_geometry *g = p->g;
    long len = t->q1 - t->q0;
    if (p->map) {
        for (long b = 0; b < t->nb; b++) im2col_map(p, image(p, p->x, t->n0 + b, grp), cols + b * len, t->width);
        return;
    }
    for (long b = 0; b < t->nb; b++)
        ck_im2col_range(image(p, p->x, t->n0 + b, grp), p->cg, g->h, g->w, g->kh, g->kw,
                        g->pad_h, g->pad_w, g->stride_h, g->stride_w, g->dil_h, g->dil_w,
                        g->out_h, g->out_w, t->q0, t->q1, cols + b * len, t->width);
}

// Output-gradient rows [og, width] of a tile: in place when the tile is one image,
// else gathered side by side into tmp. Returns the matrix and sets its leading dim.
static const float *gy_tile(const conv_plan *p, const tile *t, long grp, float *tmp, long *ld) {
    const ck_conv_geometry *g = p->g;
    long len = t->q1 - t->q0;
    if (t->nb == 1) {
        *ld = p->ohw;
        return p->gy + (t->n0 * g->c_out + grp * p->og) * p->ohw + t->q0;
    }
    for (long b = 0; b < t->nb; b++)
        for (long i = 0; i < p->og; i++)
            memcpy(tmp + i * t->width + b * len,
                   p->gy + ((t->n0 + b) * g->c_out + grp * p->og + i) * p->ohw + t->q0,
                   sizeof(float) * (size_t)len);
    *ld = t->width;
    return tmp;
}

// ---- forward ----------------------------------------------------------------------
static void forward_tile(void *ctx, long index) {
    const conv_plan *p = ctx;
    const ck_conv_geometry *g = p->g;
    tile t = tile_at(p, index);
    long len = t.q1 - t.q0;
    float *cols = ck_scratch(CK_SCRATCH_CONV, (size_t)((p->col_rows + p->og) * t.width));
    float *tmp = cols + p->col_rows * t.width;
    for (long grp = 0; grp < g->groups; grp++) {
        im2col_tile(p, &t, grp, cols);
        const float *wg = p->wpacked + grp * p->wpacked_stride;
        float *yg = p->y + (t.n0 * g->c_out + grp * p->og) * p->ohw + t.q0;
        ck_matrix bm = {0, cols, t.width};
        if (t.nb == 1) {
            ck_gemm_run_packed(p->isa, p->og, t.width, p->col_rows, 1.0f, wg,
                               ck_gemm_pack_b_matrix, &bm, 0.0f, yg, p->ohw);
            continue;
        }
        ck_gemm_run_packed(p->isa, p->og, t.width, p->col_rows, 1.0f, wg,
                           ck_gemm_pack_b_matrix, &bm, 0.0f, tmp, t.width);
        for (long b = 0; b < t.nb; b++)
            for (long i = 0; i < p->og; i++)
                memcpy(yg + (b * g->c_out + i) * p->ohw, tmp + i * t.width + b * len,
                       sizeof(float) * (size_t)len);
    }
}

// Packs each group's weights (transposed for the data gradient) for the GEMM.
static void pack_weights(conv_plan *p, int transposed) {
    const ck_conv_geometry *g = p->g;
    p->isa = ck_gemm_isa_current();
    long m = transposed ? p->col_rows : p->og, k = transposed ? p->og : p->col_rows;
    p->wpacked_stride = (long)ck_gemm_packed_a_floats(p->isa, m, k);
    p->wpacked_buffer = ck_temp_alloc((size_t)(p->wpacked_stride * g->groups));
    p->wpacked = p->wpacked_buffer.p;
    for (long grp = 0; grp < g->groups; grp++)
        ck_gemm_pack_a(p->isa, transposed, p->w + grp * p->og * p->col_rows, p->col_rows, m, k,
                       p->wpacked + grp * p->wpacked_stride);
}

void ck_conv2d_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y) {
    conv_plan p;
    make_plan(&p, g);
    p.x = x; p.w = w; p.y = y;
    if (p.ohw == 0 || g->batch == 0) return;
    if (ck_conv_direct_suits(g)) { ck_conv_direct_forward(g, x, w, y); return; }
    if (ck_conv_winograd_suits(g)) {
        int precision = float32_begin();
        ck_conv_winograd_forward(g, x, w, y);
        ck_set_precision(precision);
        return;
    }
    if (winograd_s2_takes(g)) {
        int precision = float32_begin();
        ck_conv_winograd_s2_forward(g, x, w, y);
        ck_set_precision(precision);
        return;
    }
    if (ck_conv_narrow_suits(g, 0)) { ck_conv_narrow_forward(g, x, w, y); return; }
    if (ck_conv_implicit_suits(g)) { ck_conv_implicit_forward(g, x, w, y); return; }
    if (ck_conv_large_suits(g, MAX_COLS)) { ck_conv_large_forward(g, x, w, y); return; }
    pack_weights(&p, 0);
    build_map(&p);
    ck_parallel_for(p.tiles, forward_tile, &p);
    ck_temp_free(p.wpacked_buffer);
    free(p.map);
}

// ---- backward data (also conv_transpose2d's forward) -------------------------------
// One pool task per image group: col2im of different ranges of one image overlap.
static void backward_data_group(void *ctx, long ib) {
    const conv_plan *p = ctx;
    const ck_conv_geometry *g = p->g;
    for (long iq = 0; iq < p->nq; iq++) {
        tile t = tile_at(p, ib * p->nq + iq);
        long len = t.q1 - t.q0;
        if (iq == 0)
            memset(p->gx + t.n0 * g->c_in * g->h * g->w, 0,
                   sizeof(float) * (size_t)(t.nb * g->c_in * g->h * g->w));
        float *cols = ck_scratch(CK_SCRATCH_CONV, (size_t)((p->col_rows + p->og) * t.width));
        float *tmp = cols + p->col_rows * t.width;
        for (long grp = 0; grp < g->groups; grp++) {
            long ldg;
            const float *gyt = gy_tile(p, &t, grp, tmp, &ldg);
            ck_matrix bm = {0, gyt, ldg};
            ck_gemm_run_packed(p->isa, p->col_rows, t.width, p->og, 1.0f,
                               p->wpacked + grp * p->wpacked_stride, ck_gemm_pack_b_matrix, &bm,
                               0.0f, cols, t.width);
            for (long b = 0; b < t.nb && p->map; b++)
                col2im_map(p, cols + b * len, t.width, (float *)image(p, p->gx, t.n0 + b, grp));
            for (long b = 0; b < t.nb && !p->map; b++)
                ck_col2im_range(cols + b * len, t.width, p->cg, g->h, g->w, g->kh, g->kw,
                                g->pad_h, g->pad_w, g->stride_h, g->stride_w, g->dil_h,
                                g->dil_w, g->out_h, g->out_w, t.q0, t.q1,
                                (float *)image(p, p->gx, t.n0 + b, grp));
        }
    }
}

// One image in output ranges (batch 1 at 64-256 px): the ranges' col2im overlap, so the
// image is split by input channels instead. Each of a fixed number of channel blocks has its
// own rows of W^T packed and runs every range for its channels alone; each element is the
// same sum as in backward_data_group, so the split changes no bit.
#define CHANNEL_BLOCKS 8

typedef struct {
    const conv_plan *p;
    long blocks;
    float *packed;           // per block, its rows of W^T (block b at b * packed_stride)
    long packed_stride;
} channel_split;

static void channel_range(const channel_split *s, long b, long *c0, long *c1) {
    *c0 = s->p->cg * b / s->blocks;
    *c1 = s->p->cg * (b + 1) / s->blocks;
}

static void backward_data_channels(void *ctx, long b) {
    const channel_split *s = ctx;
    const conv_plan *p = s->p;
    const ck_conv_geometry *g = p->g;
    long c0, c1, taps = g->kh * g->kw;
    channel_range(s, b, &c0, &c1);
    long rows = (c1 - c0) * taps;
    if (rows == 0) return;
    float *gx_img = p->gx + c0 * g->h * g->w;
    memset(gx_img, 0, sizeof(float) * (size_t)((c1 - c0) * g->h * g->w));
    for (long iq = 0; iq < p->nq; iq++) {
        tile t = tile_at(p, iq);
        float *cols = ck_scratch(CK_SCRATCH_CONV, (size_t)(rows * t.width));
        long ldg;
        const float *gyt = gy_tile(p, &t, 0, NULL, &ldg);
        ck_matrix bm = {0, gyt, ldg};
        ck_gemm_run_packed(p->isa, rows, t.width, p->og, 1.0f, s->packed + b * s->packed_stride,
                           ck_gemm_pack_b_matrix, &bm, 0.0f, cols, t.width);
        ck_col2im_range(cols, t.width, c1 - c0, g->h, g->w, g->kh, g->kw, g->pad_h, g->pad_w,
                        g->stride_h, g->stride_w, g->dil_h, g->dil_w, g->out_h, g->out_w, t.q0, t.q1,
                        gx_img);
    }
}

static void backward_data_by_channels(conv_plan *p) {
    const ck_conv_geometry *g = p->g;
    channel_split s = {p, p->cg < CHANNEL_BLOCKS ? p->cg : CHANNEL_BLOCKS, NULL, 0};
    long taps = g->kh * g->kw, most = (p->cg + s.blocks - 1) / s.blocks * taps;
    p->isa = ck_gemm_isa_current();
    s.packed_stride = (long)ck_gemm_packed_a_floats(p->isa, most, p->og);
    ck_temp packed = ck_temp_alloc((size_t)(s.packed_stride * s.blocks));
    s.packed = packed.p;
    for (long b = 0; b < s.blocks; b++) {
        long c0, c1;
        channel_range(&s, b, &c0, &c1);
        if (c1 > c0)
            ck_gemm_pack_a(p->isa, 1, p->w + c0 * taps, p->col_rows, (c1 - c0) * taps, p->og,
                           s.packed + b * s.packed_stride);
    }
    ck_parallel_for(s.blocks, backward_data_channels, &s);
    ck_temp_free(packed);
}

void ck_conv2d_backward_data(const ck_conv_geometry *g, const float *gy, const float *w,
                             float *gx) {
    conv_plan p;
    make_plan(&p, g);
    p.gy = gy; p.w = w; p.gx = gx;
    if (g->batch == 0) return;
    if (p.ohw == 0) { memset(gx, 0, sizeof(float) * (size_t)(g->batch * g->c_in * g->h * g->w)); return; }
    if (ck_conv_direct_suits(g)) { ck_conv_direct_backward_data(g, gy, w, gx); return; }
    if (ck_conv_winograd_suits(g)) {
        int precision = float32_begin();
        ck_conv_winograd_backward_data(g, gy, w, gx);
        ck_set_precision(precision);
        return;
    }
    if (winograd_s2_takes(g)) {
        int precision = float32_begin();
        ck_conv_winograd_s2_backward_data(g, gy, w, gx);
        ck_set_precision(precision);
        return;
    }
    if (ck_conv_narrow_suits(g, 0)) { ck_conv_narrow_backward_data(g, gy, w, gx); return; }
    if (ck_conv_implicit_backward_data_suits(g)) { ck_conv_implicit_backward_data(g, gy, w, gx); return; }
    if (ck_conv_large_suits(g, MAX_COLS)) { ck_conv_large_backward_data(g, gy, w, gx); return; }
    if (g->batch == 1 && g->groups == 1 && p.nq > 1 && p.cg > 1) { backward_data_by_channels(&p); return; }
    pack_weights(&p, 1);
    build_map(&p);
    ck_parallel_for(p.tiles / p.nq, backward_data_group, &p);
    ck_temp_free(p.wpacked_buffer);
    free(p.map);
}

// ---- backward weight ---------------------------------------------------------------
// gw[o][r] (=|+=) sum_q gy[o][q] * cols[r][q] as plain dot products, for a handful of
// column rows: a GEMM would pad n = rows up to a 32-wide tile and transpose-pack the
// columns; dots in 16 float lanes read both operands straight through.
static void small_rows_gw(const float *gy, long ldg, const float *cols, long ldc, long og,
                          long rows, long width, float *gw, int first) {
    for (long o = 0; o < og; o++)
        for (long r = 0; r < rows; r++) {
            const float *a = gy + o * ldg, *b = cols + r * ldc;
            float acc[16] = {0};
            long q = 0;
            for (; q + 16 <= width; q += 16)
                for (int l = 0; l < 16; l++) acc[l] += a[q + l] * b[q + l];
            for (int l = 0; q < width; q++, l++) acc[l] += a[q] * b[q];
            for (int w = 8; w > 0; w /= 2)
                for (int l = 0; l < w; l++) acc[l] += acc[l + w];
            gw[o * rows + r] = first ? acc[0] : gw[o * rows + r] + acc[0];
        }
}

// Tiles are summed in a fixed number of slices (set by the geometry), each into its own
// partial buffer, then the partials are added in slice order.
static void backward_weight_slice(void *ctx, long s) {
    const conv_plan *p = ctx;
    const ck_conv_geometry *g = p->g;
    long wsize = g->c_out * p->col_rows;
    float *gw = p->slices == 1 ? p->gw : p->partials + s * wsize;
    long t0 = p->tiles * s / p->slices, t1 = p->tiles * (s + 1) / p->slices;
    for (long ti = t0; ti < t1; ti++) {
        tile t = tile_at(p, ti);
        float *cols = ck_scratch(CK_SCRATCH_CONV, (size_t)((p->col_rows + p->og) * t.width));
        float *tmp = cols + p->col_rows * t.width;
        for (long grp = 0; grp < g->groups; grp++) {
            im2col_tile(p, &t, grp, cols);
            long ldg;
            const float *gyt = gy_tile(p, &t, grp, tmp, &ldg);
            float *gwg = gw + grp * p->og * p->col_rows;
            if (p->col_rows < 32)   // e.g. a first layer on grey images: 9 rows of columns
                small_rows_gw(gyt, ldg, cols, t.width, p->og, p->col_rows, t.width, gwg, ti == t0);
            else
                ck_sgemm(0, 1, p->og, p->col_rows, t.width, 1.0f, gyt, ldg, cols, t.width,
                         ti == t0 ? 0.0f : 1.0f, gwg, p->col_rows);
        }
    }
}

void ck_conv2d_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy,
                               float *gw) {
    conv_plan p;
    make_plan(&p, g);
    p.x = x; p.gy = gy; p.gw = gw;
    long wsize = g->c_out * p.col_rows;
    if (p.tiles == 0 || p.ohw == 0) { memset(gw, 0, sizeof(float) * (size_t)wsize); return; }
    if (ck_conv_direct_suits(g)) { ck_conv_direct_backward_weight(g, x, gy, gw); return; }
    if (ck_conv_winograd_suits(g)) {
        int precision = float32_begin();
        ck_conv_winograd_backward_weight(g, x, gy, gw);
        ck_set_precision(precision);
        return;
    }
    if (ck_conv_winograd_s2_suits(g)) {
        int precision = float32_begin();
        ck_conv_winograd_s2_backward_weight(g, x, gy, gw);
        ck_set_precision(precision);
        return;
    }
    if (ck_conv_narrow_suits(g, 1)) { ck_conv_narrow_backward_weight(g, x, gy, gw); return; }
    if (ck_conv_large_suits(g, MAX_COLS)) { ck_conv_large_backward_weight(g, x, gy, gw); return; }
    double flops = 2.0 * (double)g->batch * (double)p.ohw * (double)g->c_out * (double)p.col_rows;
    long s = (long)(flops / MIN_SLICE_FLOPS);
    if (s > 4) s = 4;
    if (s > p.tiles) s = p.tiles;
    if (s * wsize > MAX_PARTIAL_FLOATS) s = MAX_PARTIAL_FLOATS / wsize;
    p.slices = s < 1 ? 1 : s;
    build_map(&p);
    if (p.slices == 1) { backward_weight_slice(&p, 0); free(p.map); return; }
    ck_temp partials = ck_temp_alloc((size_t)(p.slices * wsize));
    p.partials = partials.p;
    ck_parallel_for(p.slices, backward_weight_slice, &p);
    memcpy(gw, p.partials, sizeof(float) * (size_t)wsize);
    for (long k = 1; k < p.slices; k++) {
        const float *src = p.partials + k * wsize;
        for (long i = 0; i < wsize; i++) gw[i] += src[i];
    }
    ck_temp_free(partials);
    free(p.map);
}
