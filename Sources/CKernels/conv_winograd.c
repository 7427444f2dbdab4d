// Winograd convolutions for 3x3, stride-1, dilation-1, ungrouped convolutions with many
// channels (the DCGAN generator's big layers, ResNet blocks): F(4x4, 3x3) (conv_winograd_f4.c)
// for the forward pass and data gradient of large maps (see plan), F(2x2, 3x3) (here) for the
// rest. Each 2x2 output tile of F(2x2, 3x3) needs 16 products per channel pair instead of 36,
// so the GEMM work drops 2.25x:
//   V[e] = B^T d B   (input tiles, e = 0..15)     U[e] = G g G^T   (weights)
//   M[e] = U[e] * V[e]   (16 GEMMs, [c_out x c_in] * [c_in x tiles])
//   y    = A^T M A   (output tiles)
// The data gradient is the same forward pass with flipped, transposed weights; the weight
// gradient runs the adjoint: dU[e] += dM[e] * V[e]^T with dM = A dy A^T, gw = G^T dU G.
// The driver (winograd.c) runs the GEMMs over chunks of tiles on the pool.
#include "ckernels.h"
#include "conv_winograd.h"
#include "scratch.h"
#include "winograd.h"
#include <stdlib.h>
#include <string.h>

// ---- F(2x2, 3x3) ----------------------------------------------------------------------
// The transforms work a row of tiles at a time with the tile index innermost, so loads
// and stores are contiguous and the loops vectorise. A chunk is whole tile rows.
#define MAXW WINO_MAXW

// Fewer output tiles (2x2 each) than this go through im2col + GEMM: every call transforms and
// packs the whole weight (16/9 of it), which outweighs the saved products on small maps (a
// ResNet encoder's 8x8 maps in batches of 8: bicyclegan ran 11% faster without them).
#define WINOGRAD_MIN_TILES 256

int ck_conv_winograd_suits(const ck_conv_geometry *g) {
    return g->kh == 3 && g->kw == 3 && g->stride_h == 1 && g->stride_w == 1 && g->dil_h == 1 &&
           g->dil_w == 1 && g->groups == 1 &&
           g->c_in >= CK_WINOGRAD_MIN_CHANNELS && g->c_out >= CK_WINOGRAD_MIN_CHANNELS &&
           g->pad_h <= 2 && g->pad_w <= 2 && g->out_h >= 2 && g->out_w >= 2 &&
           g->w + 4 <= WINO_MAXW && g->out_w + 4 <= WINO_MAXW &&   // row buffers on the stack
           g->batch * ((g->out_h + 1) / 2) * ((g->out_w + 1) / 2) >= WINOGRAD_MIN_TILES;
}

// V[e][c][t] for tiles [t0, t0+nt) of x: B^T d B per 4x4 input patch (zero outside).
// The four input rows a tile row reads are split into even and odd columns first, so that
// patch column j of tile tx is ev[tx + j/2] (j even) or od[tx + j/2] (j odd).
static void input_transform(const wino *p, const float *x, long t0, long nt, float *v) {
    long es = wino_plane_stride(p->ci, nt), tw = p->tw;
    float ev[4][MAXW / 2 + 2], od[4][MAXW / 2 + 2];
    for (long r = 0; r * tw < nt; r++) {
        long gr = t0 / tw + r, img = gr / p->th, y0 = (gr % p->th) * 2 - p->ph;
        for (long c = 0; c < p->ci; c++) {
            const float *xc = x + (img * p->ci + c) * p->h * p->w;
            for (int i = 0; i < 4; i++) {
                long yy = y0 + i;
                if (yy < 0 || yy >= p->h) {
                    memset(ev[i], 0, sizeof(float) * (size_t)(tw + 1));
                    memset(od[i], 0, sizeof(float) * (size_t)(tw + 1));
                    continue;
                }
                const float *row = xc + yy * p->w - p->pw;   // row[2k], row[2k+1]
                long k = 0, lo = (p->pw + 1) / 2, hi = (p->w + p->pw - 1) / 2;   // both in range
                for (; k <= tw && k < lo; k++) {
                    long c0 = 2 * k - p->pw;
                    ev[i][k] = c0 >= 0 && c0 < p->w ? row[2 * k] : 0.0f;
                    od[i][k] = c0 + 1 >= 0 && c0 + 1 < p->w ? row[2 * k + 1] : 0.0f;
                }
                for (; k <= tw && k < hi; k++) { ev[i][k] = row[2 * k]; od[i][k] = row[2 * k + 1]; }
                for (; k <= tw; k++) {
                    long c0 = 2 * k - p->pw;
                    ev[i][k] = c0 >= 0 && c0 < p->w ? row[2 * k] : 0.0f;
                    od[i][k] = c0 + 1 >= 0 && c0 + 1 < p->w ? row[2 * k + 1] : 0.0f;
                }
            }
            float *dst[16];
            for (int e = 0; e < 16; e++) dst[e] = v + e * es + c * nt + r * tw;
            for (long tx = 0; tx < tw; tx++) {
                float d[4][4], s[4][4];
                for (int i = 0; i < 4; i++) {
                    d[i][0] = ev[i][tx]; d[i][1] = od[i][tx]; d[i][2] = ev[i][tx + 1]; d[i][3] = od[i][tx + 1];
                }
                for (int j = 0; j < 4; j++) {
                    s[0][j] = d[0][j] - d[2][j];
                    s[1][j] = d[1][j] + d[2][j];
                    s[2][j] = d[2][j] - d[1][j];
                    s[3][j] = d[1][j] - d[3][j];
                }
                for (int i = 0; i < 4; i++) {
                    dst[i * 4 + 0][tx] = s[i][0] - s[i][2];
                    dst[i * 4 + 1][tx] = s[i][1] + s[i][2];
                    dst[i * 4 + 2][tx] = s[i][2] - s[i][1];
                    dst[i * 4 + 3][tx] = s[i][1] - s[i][3];
                }
            }
        }
    }
}

// y tiles [t0, t0+nt) from M[e][o][t]: A^T M A, clipped at the output's edge.
static void output_transform(const wino *p, const float *m, long t0, long nt, float *y) {
    long es = wino_plane_stride(p->co, nt), tw = p->tw;
    float r0[2][MAXW / 2 + 2], r1[2][MAXW / 2 + 2];
    for (long r = 0; r * tw < nt; r++) {
        long gr = t0 / tw + r, img = gr / p->th, y0 = (gr % p->th) * 2;
        for (long o = 0; o < p->co; o++) {
            const float *q[16];
            for (int e = 0; e < 16; e++) q[e] = m + e * es + o * nt + r * tw;
            for (long tx = 0; tx < tw; tx++) {
                float a[2][4];
                for (int j = 0; j < 4; j++) {
                    a[0][j] = q[j][tx] + q[4 + j][tx] + q[8 + j][tx];
                    a[1][j] = q[4 + j][tx] - q[8 + j][tx] - q[12 + j][tx];
                }
                for (int i = 0; i < 2; i++) {
                    r0[i][tx] = a[i][0] + a[i][1] + a[i][2];
                    r1[i][tx] = a[i][1] - a[i][2] - a[i][3];
                }
            }
            float *yo = y + (img * p->co + o) * p->oh * p->ow;
            for (int i = 0; i < 2 && y0 + i < p->oh; i++) {
                float *row = yo + (y0 + i) * p->ow;
                long full = p->ow / 2;
                for (long tx = 0; tx < full; tx++) { row[2 * tx] = r0[i][tx]; row[2 * tx + 1] = r1[i][tx]; }
                if (p->ow & 1) row[2 * full] = r0[i][full];
            }
        }
    }
}

// dM[e][o][t] = A dy A^T for the output-gradient tiles (zero outside), the adjoint above.
static void grad_output_transform(const wino *p, const float *gy, long t0, long nt, float *dm) {
    long es = wino_plane_stride(p->co, nt), tw = p->tw;
    float ev[2][MAXW / 2 + 2], od[2][MAXW / 2 + 2];
    for (long r = 0; r * tw < nt; r++) {
        long gr = t0 / tw + r, img = gr / p->th, y0 = (gr % p->th) * 2;
        for (long o = 0; o < p->co; o++) {
            const float *go = gy + (img * p->co + o) * p->oh * p->ow;
            for (int i = 0; i < 2; i++) {
                if (y0 + i >= p->oh) {
                    memset(ev[i], 0, sizeof(float) * (size_t)tw);
                    memset(od[i], 0, sizeof(float) * (size_t)tw);
                    continue;
                }
                const float *row = go + (y0 + i) * p->ow;
                long full = p->ow / 2;
                for (long k = 0; k < full; k++) { ev[i][k] = row[2 * k]; od[i][k] = row[2 * k + 1]; }
                if (full < tw) { ev[i][full] = row[2 * full]; od[i][full] = 0.0f; }
            }
            float *dst[16];
            for (int e = 0; e < 16; e++) dst[e] = dm + e * es + o * nt + r * tw;
            for (long tx = 0; tx < tw; tx++) {
                float d[2][2] = {{ev[0][tx], od[0][tx]}, {ev[1][tx], od[1][tx]}};
                float s[4][2];   // A d, A = [[1,0],[1,1],[1,-1],[0,-1]]
                for (int j = 0; j < 2; j++) {
                    s[0][j] = d[0][j];
                    s[1][j] = d[0][j] + d[1][j];
                    s[2][j] = d[0][j] - d[1][j];
                    s[3][j] = -d[1][j];
                }
                for (int i = 0; i < 4; i++) {
                    dst[i * 4 + 0][tx] = s[i][0];
                    dst[i * 4 + 1][tx] = s[i][0] + s[i][1];
                    dst[i * 4 + 2][tx] = s[i][0] - s[i][1];
                    dst[i * 4 + 3][tx] = -s[i][1];
                }
            }
        }
    }
}

// U[e] (ne x [co x ci]) = G g G^T for weights w[o][c][3][3], written into the GEMM's packed
// layout; `flip` reads the data-gradient weights w'[c][o] = w[o][c] rotated 180 degrees. Each
// task takes a block of 48 rows o (a multiple of every ISA's micro-tile height): it lays its
// pairs' nine taps out as planes (for `flip` in 16 x 16 blocks, so the transposed reads stay
// in cache), transforms them in one loop over the pairs that vectorises, and packs its rows
// of each U[e] while they are in cache. Done pair by pair on the calling thread with 16
// strided stores, it took 7% of a cyclegan iteration; a whole U transformed and then packed
// held 2.25x the weight twice (ccgan's critic: 37 MB for its 256 -> 512 layer).
#define TRANSPOSE_BLOCK 16
#define ROW_BLOCK 48   // rows o per task: a multiple of TRANSPOSE_BLOCK and of every mr

typedef struct {
    const wino *p;
    const float *w;
    int flip;
    float *upacked;
    wino_pairs_fn pairs;
} weight_job;

// Pairs [a, b) of the planes g (9 x n) into U (16 x n). Restrict parameters: the loop
// vectorises only when the compiler knows the planes and U apart.
static void transform_pairs(const float *restrict g, float *restrict u, long n, long a, long b) {
    for (long k = a; k < b; k++) {
        float q[4][3];
        for (int col = 0; col < 3; col++) {
            float g0 = g[col * n + k], g1 = g[(3 + col) * n + k], g2 = g[(6 + col) * n + k];
            q[0][col] = g0;
            q[1][col] = 0.5f * (g0 + g1 + g2);
            q[2][col] = 0.5f * (g0 - g1 + g2);
            q[3][col] = g2;
        }
        for (int i = 0; i < 4; i++) {
            u[(i * 4 + 0) * n + k] = q[i][0];
            u[(i * 4 + 1) * n + k] = 0.5f * (q[i][0] + q[i][1] + q[i][2]);
            u[(i * 4 + 2) * n + k] = 0.5f * (q[i][0] - q[i][1] + q[i][2]);
            u[(i * 4 + 3) * n + k] = q[i][2];
        }
    }
}

static void weight_chunk(void *ctx, long index) {
    const weight_job *j = ctx;
    const wino *p = j->p;
    const float *w = j->w;
    long co = p->co, ci = p->ci;
    long o_lo = index * ROW_BLOCK, o_hi = o_lo + ROW_BLOCK < co ? o_lo + ROW_BLOCK : co;
    long rows = o_hi - o_lo, n = rows * ci;   // this task's pairs, planes n apart
    ck_temp planes = ck_temp_alloc((size_t)((9 + p->ne) * n));
    float *g = planes.p, *u = planes.p + 9 * n;
    if (!j->flip) {
        for (long k = 0; k < n; k++)
            for (int t = 0; t < 9; t++) g[t * n + k] = w[(o_lo * ci + k) * 9 + t];
    } else {
        for (long o0 = o_lo; o0 < o_hi; o0 += TRANSPOSE_BLOCK)
            for (long c0 = 0; c0 < ci; c0 += TRANSPOSE_BLOCK)
                for (long c = c0; c < c0 + TRANSPOSE_BLOCK && c < ci; c++)
                    for (long o = o0; o < o0 + TRANSPOSE_BLOCK && o < o_hi; o++)
                        for (int t = 0; t < 9; t++) g[t * n + (o - o_lo) * ci + c] = w[(c * co + o) * 9 + 8 - t];
    }
    j->pairs(g, u, n, 0, n);
    for (int e = 0; e < p->ne; e++)
        ck_gemm_pack_a_rows(p->isa, u + e * n, ci, co, ci, o_lo, rows, j->upacked + e * p->ustride);
    ck_temp_free(planes);
}

void wino_3x3_weights(const wino *p, const float *w, int flip, float *upacked, wino_pairs_fn pairs) {
    weight_job j = {p, w, flip, upacked, pairs};
    ck_parallel_for((p->co + ROW_BLOCK - 1) / ROW_BLOCK, weight_chunk, &j);
}

// gw = G^T dU G for pairs [a, b), G^T = [[1, .5, .5, 0], [0, .5, -.5, 0], [0, .5, .5, 1]].
static void finish_pairs(const wino *p, const float *du, long a, long b, float *gw) {
    long n = p->co * p->ci;
    for (long i = a; i < b; i++) {
        float d[4][4];
        for (int e = 0; e < 16; e++) d[e / 4][e % 4] = du[e * n + i];
        float q[3][4];
        for (int col = 0; col < 4; col++) {
            q[0][col] = d[0][col] + 0.5f * (d[1][col] + d[2][col]);
            q[1][col] = 0.5f * (d[1][col] - d[2][col]);
            q[2][col] = 0.5f * (d[1][col] + d[2][col]) + d[3][col];
        }
        float *dst = gw + i * 9;
        for (int r = 0; r < 3; r++) {
            dst[r * 3 + 0] = q[r][0] + 0.5f * (q[r][1] + q[r][2]);
            dst[r * 3 + 1] = 0.5f * (q[r][1] - q[r][2]);
            dst[r * 3 + 2] = 0.5f * (q[r][1] + q[r][2]) + q[r][3];
        }
    }
}

static void weight_transform(const wino *p, const float *w, int flip, float *upacked) {
    wino_3x3_weights(p, w, flip, upacked, transform_pairs);
}

static const wino f23 = {.ne = 16, .input = input_transform, .output = output_transform,
                         .grad_output = grad_output_transform, .packed_weights = weight_transform, .finish = finish_pairs};

// From 8x8 outputs and 256 tiles of 4x4 in the batch, forward and data gradient take
// F(4x4, 3x3), whose tiles cost 36 products per 16 outputs (2.25 each, against F(2x2, 3x3)'s
// 4) however many edge tiles fall partly outside. Its transformed weight is 2.25x larger,
// made every call: on fewer tiles (bicyclegan's U-Net at 8-16 px in batches of 8) it was not
// shown to gain. The weight gradient keeps F(2x2, 3x3) for its accuracy (conv_winograd_f4.c).
#define F4_MIN_SIDE 8
#define F4_MIN_TILES 256

// The stride-1 3x3 problem: ci x h x w padded by (ph, pw) in, co x (h + 2 ph - 2) x ... out.
static void plan(wino *p, long n, long ci, long h, long w, long co, long ph, long pw, int forward) {
    long oh = h + 2 * ph - 2, ow = w + 2 * pw - 2;
    int four = forward && oh >= F4_MIN_SIDE && ow >= F4_MIN_SIDE &&
               n * ((oh + 3) / 4) * ((ow + 3) / 4) >= F4_MIN_TILES;
    *p = four ? wino_f4x4_3x3 : f23;
    wino_plan(p, n, ci, h, w, co, oh, ow, ph, pw, four ? 4 : 2, forward ? WINO_MIN_FORWARD_TILES : WINO_MIN_WEIGHT_TILES);
}

void ck_conv_winograd_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y) {
    wino p;
    plan(&p, g->batch, g->c_in, g->h, g->w, g->c_out, g->pad_h, g->pad_w, 1);
    p.x = x; p.y = y;
    wino_forward(&p, w, 0);
}

// gx = the stride-1 convolution of gy, padded by 2 - pad, with w'[c][o] = rot180(w[o][c]).
void ck_conv_winograd_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx) {
    wino p;
    plan(&p, g->batch, g->c_out, g->out_h, g->out_w, g->c_in, 2 - g->pad_h, 2 - g->pad_w, 1);
    p.x = gy; p.y = gx;
    wino_forward(&p, w, 1);
}

void ck_conv_winograd_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy, float *gw) {
    wino p;
    plan(&p, g->batch, g->c_in, g->h, g->w, g->c_out, g->pad_h, g->pad_w, 0);
    p.x = x; p.gy = gy;
    wino_weight_gradient(&p, gw);
}
