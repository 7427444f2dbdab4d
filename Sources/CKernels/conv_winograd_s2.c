// Winograd F(3x3, 2x2) for 4x4, stride-2 convolutions (pix2pix's and the PatchGANs' down
// layers; their transposes are the U-Nets' up layers). Split into its four phases
// (even/odd rows x even/odd columns), the image becomes 4C channels at half resolution and
// the convolution a stride-1 2x2 one:
//   y[o](i, j) = sum over c, r, s, a, b of w[o][c][2a + r][2b + s] * P[c, r, s](i + a, j + b),
//   P[c, r, s](i, j) = x[c](2i + r - pad_h, 2j + s - pad_w),
// which F(3x3, 2x2) computes with 16 products per 3x3 output tile and channel pair instead
// of 36 (2.25x less GEMM work). Points 0, 1, -1 and infinity:
//   B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, -1, 0, 1]]
//   G   = [[1, 0], [.5, .5], [.5, -.5], [0, 1]]     A^T = [[1, 1, 1, 0], [0, 1, -1, 0], [0, 1, 1, 1]]
// The phases are read straight from the image (and the data gradient written straight into
// it); the driver in winograd.c runs the 16 GEMMs.
#include "ckernels.h"
#include "conv_winograd.h"
#include "scratch.h"
#include "winograd.h"
#include <string.h>

// Below this many 3x3 tiles, transforming and packing the whole weight (4x its size) every
// call costs more than the products saved: 1.2-1.6x faster than the GEMM routes from 121
// tiles (pix2pix's 128->256 at 64 px; stargan's critic at 16 px, batch 16), 0.55x at 36-64
// (the next levels down).
#define S2_MIN_TILES 100
#define ROW (WINO_MAXW / 2 + 4)

int ck_conv_winograd_s2_suits(const ck_conv_geometry *g) {
    return g->kh == 4 && g->kw == 4 && g->stride_h == 2 && g->stride_w == 2 && g->dil_h == 1 &&
           g->dil_w == 1 && g->groups == 1 &&
           g->c_in >= CK_WINOGRAD_MIN_CHANNELS && g->c_out >= CK_WINOGRAD_MIN_CHANNELS &&
           g->pad_h <= 2 && g->pad_w <= 2 && g->out_h >= 1 && g->out_w >= 1 &&
           g->w + 8 <= WINO_MAXW &&   // row buffers on the stack
           g->batch * ((g->out_h + 2) / 3) * ((g->out_w + 2) / 3) >= S2_MIN_TILES;
}

// buf[k] = row[k * step + offset] for k in [0, count), zero where that falls outside [0, width).
// The bounds come first so that the copy itself is a plain loop of one stride (vectorised).
static void gather_row(const float *row, long width, long step, long offset, long count, float *buf) {
    long lo = offset >= 0 ? 0 : (-offset + step - 1) / step;              // first k inside
    long hi = width - offset <= 0 ? 0 : (width - offset + step - 1) / step; // first k past the end
    if (lo > count) lo = count;
    if (hi > count) hi = count;
    if (hi < lo) hi = lo;
    for (long k = 0; k < lo; k++) buf[k] = 0.0f;
    const float *src = row + offset;
    if (step == 2)
        for (long k = lo; k < hi; k++) buf[k] = src[2 * k];
    else
        for (long k = lo; k < hi; k++) buf[k] = src[k * step];
    for (long k = hi; k < count; k++) buf[k] = 0.0f;
}

// V for one channel of a tile row from its four input rows d[a][k] (tile tx reads k = 3tx..3tx+3).
static void transform_inputs(float d[4][ROW], long tw, float *const dst[16]) {
    // B^T along the rows first, on whole rows (the columns 3tx + 3 of one tile are those 3tx of
    // the next, and a plain loop over a row vectorises), then B along each tile's columns.
    long count = 3 * tw + 1;
    float s[4][ROW];
    for (long k = 0; k < count; k++) {
        float d0 = d[0][k], d1 = d[1][k], d2 = d[2][k], d3 = d[3][k];
        s[0][k] = d0 - d2;
        s[1][k] = d1 + d2;
        s[2][k] = d2 - d1;
        s[3][k] = d3 - d1;
    }
    for (int i = 0; i < 4; i++) {
        const float *si = s[i];
        float *d0 = dst[i * 4], *d1 = dst[i * 4 + 1], *d2 = dst[i * 4 + 2], *d3 = dst[i * 4 + 3];
        for (long tx = 0; tx < tw; tx++) {
            float a = si[3 * tx], b = si[3 * tx + 1], c = si[3 * tx + 2], e = si[3 * tx + 3];
            d0[tx] = a - c;
            d1[tx] = b + c;
            d2[tx] = c - b;
            d3[tx] = e - b;
        }
    }
}

// The forward's and the weight gradient's input: the four phases of each channel of x.
// Phase rows 3ty..3ty+3 of phase (r, s) are image rows 6ty + 2a + r - pad_h, and their
// columns every other pixel from s - pad_w: one image row gives both column phases.
static void phase_input(const wino *p, const float *x, long t0, long nt, float *v) {
    long es = wino_plane_stride(p->ci, nt), tw = p->tw, count = 3 * tw + 1;
    float ev[4][ROW], od[4][ROW];
    for (long r = 0; r * tw < nt; r++) {
        long gr = t0 / tw + r, img = gr / p->th, ty = gr % p->th;
        for (long c = 0; c < p->xc; c++) {
            const float *xc = x + (img * p->xc + c) * p->xh * p->xw;
            for (int rp = 0; rp < 2; rp++) {
                for (int a = 0; a < 4; a++) {
                    long yy = 6 * ty + 2 * a + rp - p->xph;
                    if (yy < 0 || yy >= p->xh) {
                        memset(ev[a], 0, sizeof(float) * (size_t)count);
                        memset(od[a], 0, sizeof(float) * (size_t)count);
                        continue;
                    }
                    gather_row(xc + yy * p->xw, p->xw, 2, -p->xpw, count, ev[a]);
                    gather_row(xc + yy * p->xw, p->xw, 2, 1 - p->xpw, count, od[a]);
                }
                for (int sp = 0; sp < 2; sp++) {
                    float *dst[16];
                    for (int e = 0; e < 16; e++) dst[e] = v + e * es + (c * 4 + rp * 2 + sp) * nt + r * tw;
                    transform_inputs(sp ? od : ev, tw, dst);
                }
            }
        }
    }
}

// The data gradient's input: gy itself, padded by one (a stride-1 2x2 problem).
static void plain_input(const wino *p, const float *x, long t0, long nt, float *v) {
    long es = wino_plane_stride(p->ci, nt), tw = p->tw, count = 3 * tw + 1;
    float d[4][ROW];
    for (long r = 0; r * tw < nt; r++) {
        long gr = t0 / tw + r, img = gr / p->th, y0 = (gr % p->th) * 3 - p->ph;
        for (long c = 0; c < p->ci; c++) {
            const float *xc = x + (img * p->ci + c) * p->h * p->w;
            for (int a = 0; a < 4; a++) {
                long yy = y0 + a;
                if (yy < 0 || yy >= p->h) memset(d[a], 0, sizeof(float) * (size_t)count);
                else gather_row(xc + yy * p->w, p->w, 1, -p->pw, count, d[a]);
            }
            float *dst[16];
            for (int e = 0; e < 16; e++) dst[e] = v + e * es + c * nt + r * tw;
            transform_inputs(d, tw, dst);
        }
    }
}

// A^T M A for one output channel of a tile row: out[i][3tx + j]. A^T over the 16 planes first
// (plain loops over the tiles, which vectorise), then A along each tile's row.
static void transform_outputs(const float *const q[16], long tw, float out[3][ROW]) {
    float a[3][4][ROW / 3 + 1];
    for (int j = 0; j < 4; j++) {
        const float *q0 = q[j], *q1 = q[4 + j], *q2 = q[8 + j], *q3 = q[12 + j];
        for (long tx = 0; tx < tw; tx++) {
            a[0][j][tx] = q0[tx] + q1[tx] + q2[tx];
            a[1][j][tx] = q1[tx] - q2[tx];
            a[2][j][tx] = q1[tx] + q2[tx] + q3[tx];
        }
    }
    for (int i = 0; i < 3; i++) {
        const float *a0 = a[i][0], *a1 = a[i][1], *a2 = a[i][2], *a3 = a[i][3];
        float *o = out[i];
        for (long tx = 0; tx < tw; tx++) {
            o[3 * tx + 0] = a0[tx] + a1[tx] + a2[tx];
            o[3 * tx + 1] = a1[tx] - a2[tx];
            o[3 * tx + 2] = a1[tx] + a2[tx] + a3[tx];
        }
    }
}

// Row yy of the data gradient of channel c from the two column phases' outputs of one
// phase row (even[j]: s = 0, odd[j]: s = 1; pixel x is phase s = (x + pad) % 2 at
// j = (x + pad) / 2), interleaved in one pass; pixels whose j is past the last are left alone.
static void interleave_phases(const float *even, const float *odd, long ow, long pad, long width, float *row) {
    long end = 2 * ow - pad < width ? 2 * ow - pad : width, pairs = end / 2;
    if (pad % 2 == 0) {
        const float *e = even + pad / 2, *d = odd + pad / 2;
        for (long k = 0; k < pairs; k++) { row[2 * k] = e[k]; row[2 * k + 1] = d[k]; }
        if (end % 2) row[end - 1] = e[pairs];
    } else {
        const float *d = odd + (pad - 1) / 2, *e = even + (pad + 1) / 2;
        for (long k = 0; k < pairs; k++) { row[2 * k] = d[k]; row[2 * k + 1] = e[k]; }
        if (end % 2) row[end - 1] = d[pairs];
    }
}

// A tile row's outputs: the forward's into y channel by channel (clipped at the edge); the
// data gradient's into gx, where phase (r, s) of channel c at (i, j) is the gradient of image
// pixel (2i + r - pad_h, 2j + s - pad_w) (those in the padding are dropped), the two column
// phases of a row together.
static void outputs(const wino *p, const float *m, long t0, long nt, float *dst, int phases) {
    long es = wino_plane_stride(p->co, nt), tw = p->tw;
    float out[2][3][ROW];
    for (long r = 0; r * tw < nt; r++) {
        long gr = t0 / tw + r, img = gr / p->th, y0 = (gr % p->th) * 3;
        for (long o = 0; o < p->co; o += phases ? 2 : 1) {
            for (int sp = 0; sp <= phases; sp++) {
                const float *q[16];
                for (int e = 0; e < 16; e++) q[e] = m + e * es + (o + sp) * nt + r * tw;
                transform_outputs(q, tw, out[sp]);
            }
            if (!phases) {
                float *yo = dst + (img * p->co + o) * p->oh * p->ow;
                for (int i = 0; i < 3 && y0 + i < p->oh; i++)
                    memcpy(yo + (y0 + i) * p->ow, out[0][i], sizeof(float) * (size_t)p->ow);
                continue;
            }
            long c = o / 4, rp = (o / 2) % 2;
            float *xc = dst + (img * p->xc + c) * p->xh * p->xw;
            for (int i = 0; i < 3 && y0 + i < p->oh; i++) {
                long yy = 2 * (y0 + i) + rp - p->xph;
                if (yy < 0 || yy >= p->xh) continue;
                interleave_phases(out[0][i], out[1][i], p->ow, p->xpw, p->xw, xc + yy * p->xw);
            }
        }
    }
}

static void plain_output(const wino *p, const float *m, long t0, long nt, float *y) { outputs(p, m, t0, nt, y, 0); }
static void phase_output(const wino *p, const float *m, long t0, long nt, float *gx) { outputs(p, m, t0, nt, gx, 1); }

// dM = A dy A^T for the output gradient's 3x3 tiles (zero outside), A = (A^T)^T.
static void plain_grad_output(const wino *p, const float *gy, long t0, long nt, float *dm) {
    long es = wino_plane_stride(p->co, nt), tw = p->tw, count = 3 * tw;
    float d[3][ROW];
    for (long r = 0; r * tw < nt; r++) {
        long gr = t0 / tw + r, img = gr / p->th, y0 = (gr % p->th) * 3;
        for (long o = 0; o < p->co; o++) {
            const float *go = gy + (img * p->co + o) * p->oh * p->ow;
            for (int i = 0; i < 3; i++) {
                if (y0 + i >= p->oh) memset(d[i], 0, sizeof(float) * (size_t)count);
                else gather_row(go + (y0 + i) * p->ow, p->ow, 1, 0, count, d[i]);
            }
            float *dst[16];
            for (int e = 0; e < 16; e++) dst[e] = dm + e * es + o * nt + r * tw;
            // A along the columns on whole rows (a plain loop that vectorises), then A^T
            // along each tile's row.
            float v[4][ROW];
            for (long k = 0; k < count; k++) {
                v[0][k] = d[0][k];
                v[1][k] = d[0][k] + d[1][k] + d[2][k];
                v[2][k] = d[0][k] - d[1][k] + d[2][k];
                v[3][k] = d[2][k];
            }
            for (int i = 0; i < 4; i++) {
                const float *vi = v[i];
                float *d0 = dst[i * 4], *d1 = dst[i * 4 + 1], *d2 = dst[i * 4 + 2], *d3 = dst[i * 4 + 3];
                for (long tx = 0; tx < tw; tx++) {
                    float s0 = vi[3 * tx], s1 = vi[3 * tx + 1], s2 = vi[3 * tx + 2];
                    d0[tx] = s0;
                    d1[tx] = s0 + s1 + s2;
                    d2[tx] = s0 - s1 + s2;
                    d3[tx] = s2;
                }
            }
        }
    }
}

// U = G g G^T for every (row, column) pair of the problem's weight, g the pair's 2x2 taps:
// w[o][c][2a + r][2b + s] for pair (o, (c, r, s)); for the data gradient's problem pair
// ((c, r, s), o) takes the same phase flipped, w[o][c][2(1 - a) + r][2(1 - b) + s].
// Each U[e] row is written as one contiguous stream from taps in cache: a forward row's taps
// are w[o] itself; a data-gradient row's are w[.][c], first copied out of their 16-float
// strides. (Pair by pair, with sixteen strided stores and index divisions, this took most
// of a deep layer's time.)
static const float GW[4][2] = {{1, 0}, {0.5f, 0.5f}, {0.5f, -0.5f}, {0, 1}};

// dst[k * dstride] = U[i][j] of the pairs whose taps are t + k * stride (phase rp, sp; flipped or not).
static void transform_row(const float *t, long count, long stride, int rp, int sp, int flip, int i, int j,
                          float *restrict dst, long dstride) {
    int a0 = flip ? 1 : 0, a1 = 1 - a0;   // tap rows (and columns) of g[0] and g[1]
    long t00 = (2 * a0 + rp) * 4 + 2 * a0 + sp, t01 = (2 * a0 + rp) * 4 + 2 * a1 + sp;
    long t10 = (2 * a1 + rp) * 4 + 2 * a0 + sp, t11 = (2 * a1 + rp) * 4 + 2 * a1 + sp;
    float gi0 = GW[i][0], gi1 = GW[i][1], gj0 = GW[j][0], gj1 = GW[j][1];
    for (long k = 0; k < count; k++) {
        const float *g = t + k * stride;
        float q0 = gi0 * g[t00] + gi1 * g[t10], q1 = gi0 * g[t01] + gi1 * g[t11];
        dst[k * dstride] = gj0 * q0 + gj1 * q1;
    }
}

typedef struct { const wino *p; const float *w; int flip; float *up; long rows, chunks; } weight_job;

// U[e]'s element (row, col) in the GEMM's packed A (upacked + e * ustride).
static long packed_at(const wino *p, long row, long col) {
    return ck_gemm_packed_a_offset(p->isa, p->co, p->ci, row, col);
}

static void weight_chunk(void *ctx, long index) {
    const weight_job *j = ctx;
    const wino *p = j->p;
    long mr = p->isa->mr, lo = j->rows * index / j->chunks, hi = j->rows * (index + 1) / j->chunks;
    if (!j->flip) {
        // rows o, columns (c, r, s): the 16 taps of w[o][c] give the row's four columns
        // (c, r, s) of every U[e] (the same arithmetic as transform_row's). Rows go by runs
        // inside one mr-row panel, whose values of one column are contiguous when packed.
        long cin = p->ci / 4;
        for (long o0 = lo; o0 < hi;) {
            long o1 = (o0 / mr + 1) * mr < hi ? (o0 / mr + 1) * mr : hi;
            for (long c = 0; c < cin; c++) {
                float u[16][4][CK_MR_MAX];   // [e][phase][row of the run]
                for (long o = o0; o < o1; o++) {
                    const float *g = j->w + (o * cin + c) * 16;
                    for (int ph = 0; ph < 4; ph++) {
                        int rp = ph / 2, sp = ph % 2;
                        float g00 = g[rp * 4 + sp], g01 = g[rp * 4 + 2 + sp], g10 = g[(2 + rp) * 4 + sp],
                              g11 = g[(2 + rp) * 4 + 2 + sp];
                        for (int i = 0; i < 4; i++) {
                            float q0 = GW[i][0] * g00 + GW[i][1] * g10, q1 = GW[i][0] * g01 + GW[i][1] * g11;
                            for (int jj = 0; jj < 4; jj++) u[i * 4 + jj][ph][o - o0] = GW[jj][0] * q0 + GW[jj][1] * q1;
                        }
                    }
                }
                float *dst = j->up + packed_at(p, o0, 4 * c);
                for (int e = 0; e < 16; e++)
                    for (int ph = 0; ph < 4; ph++) {
                        float *d = dst + e * p->ustride + ph * mr;
                        if (o1 - o0 == CK_MR_MAX) memcpy(d, u[e][ph], sizeof u[e][ph]);   // inlined
                        else for (long r = 0; r < o1 - o0; r++) d[r] = u[e][ph][r];
                    }
            }
            o0 = o1;
        }
    } else {
        // rows (c, r, s) for channels c in [lo, hi), columns o: pair (c4, o) reads w[o][c];
        // a row's columns are mr floats apart within each block of CK_GEMM_KC
        long cin = p->co / 4, cout = p->ci;
        ck_temp taps = ck_temp_alloc((size_t)(cout * 16));
        for (long c = lo; c < hi; c++) {
            for (long o = 0; o < cout; o++) memcpy(taps.p + o * 16, j->w + (o * cin + c) * 16, 16 * sizeof(float));
            for (int ph = 0; ph < 4; ph++)
                for (int e = 0; e < 16; e++)
                    for (long o0 = 0; o0 < cout; o0 += CK_GEMM_KC)
                        transform_row(taps.p + o0 * 16, cout - o0 < CK_GEMM_KC ? cout - o0 : CK_GEMM_KC, 16, ph / 2,
                                      ph % 2, 1, e / 4, e % 4, j->up + e * p->ustride + packed_at(p, c * 4 + ph, o0), mr);
        }
        ck_temp_free(taps);
    }
}

// U straight into the packed layout: rows split over the tasks, then the padding rows of
// the last panel zeroed (the micro-kernel reads them).
static void packed_weights(const wino *p, const float *w, int flip, float *up) {
    long rows = flip ? p->co / 4 : p->co;   // forward: output channels; data gradient: input channels
    long per_row = 4 * p->ci * (flip ? 4 : 1);
    long chunks = ck_parallel_chunks(rows * per_row, 65536);
    weight_job j = {p, w, flip, up, rows, chunks < rows ? chunks : rows};
    ck_parallel_for(j.chunks, weight_chunk, &j);
    long mpad = (p->co + p->isa->mr - 1) / p->isa->mr * p->isa->mr;
    for (int e = 0; e < 16; e++)
        for (long row = p->co; row < mpad; row++)
            for (long col = 0; col < p->ci; col++) up[e * p->ustride + packed_at(p, row, col)] = 0.0f;
}

// gw' = G^T dU G (2x2) for pairs (o, (c, r, s)) [a, b), into their taps of the 4x4 kernel.
static void finish_pairs(const wino *p, const float *du, long a, long b, float *gw) {
    long n = p->co * p->ci;
    for (long k = a; k < b; k++) {
        float d[4][4];
        for (int e = 0; e < 16; e++) d[e / 4][e % 4] = du[e * n + k];
        float q[2][4];
        for (int col = 0; col < 4; col++) {
            q[0][col] = d[0][col] + 0.5f * (d[1][col] + d[2][col]);
            q[1][col] = 0.5f * (d[1][col] - d[2][col]) + d[3][col];
        }
        long o = k / p->ci, c4 = k % p->ci, c = c4 / 4, rp = (c4 / 2) % 2, sp = c4 % 2;
        float *taps = gw + (o * (p->ci / 4) + c) * 16;
        for (int r = 0; r < 2; r++) {
            taps[(2 * r + rp) * 4 + sp] = q[r][0] + 0.5f * (q[r][1] + q[r][2]);
            taps[(2 * r + rp) * 4 + 2 + sp] = 0.5f * (q[r][1] - q[r][2]) + q[r][3];
        }
    }
}

static void image(wino *p, const ck_conv_geometry *g) {
    p->xc = g->c_in; p->xh = g->h; p->xw = g->w; p->xph = g->pad_h; p->xpw = g->pad_w;
}

void ck_conv_winograd_s2_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y) {
    wino p = {.ne = 16, .input = phase_input, .output = plain_output, .packed_weights = packed_weights};
    wino_plan(&p, g->batch, 4 * g->c_in, g->out_h + 1, g->out_w + 1, g->c_out, g->out_h, g->out_w, 0, 0, 3, WINO_MIN_FORWARD_TILES);
    image(&p, g);
    p.x = x; p.y = y;
    wino_forward(&p, w, 0);
}

// gx's phases = the stride-1 2x2 convolution of gy, padded by one, with the flipped phase
// weights. Image rows or columns past the last the forward reads get no gradient.
void ck_conv_winograd_s2_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx) {
    wino p = {.ne = 16, .input = plain_input, .output = phase_output, .packed_weights = packed_weights};
    wino_plan(&p, g->batch, g->c_out, g->out_h, g->out_w, 4 * g->c_in, g->out_h + 1, g->out_w + 1, 1, 1, 3, WINO_MIN_FORWARD_TILES);
    image(&p, g);
    p.x = gy; p.y = gx;
    if (g->h - 1 + g->pad_h > 2 * g->out_h + 1 || g->w - 1 + g->pad_w > 2 * g->out_w + 1)
        memset(gx, 0, sizeof(float) * (size_t)(g->batch * g->c_in * g->h * g->w));
    wino_forward(&p, w, 1);
}

void ck_conv_winograd_s2_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy, float *gw) {
    wino p = {.ne = 16, .input = phase_input, .grad_output = plain_grad_output, .finish = finish_pairs};
    wino_plan(&p, g->batch, 4 * g->c_in, g->out_h + 1, g->out_w + 1, g->c_out, g->out_h, g->out_w, 0, 0, 3, WINO_MIN_WEIGHT_TILES);
    image(&p, g);
    p.x = x; p.gy = gy;
    wino_weight_gradient(&p, gw);
}
