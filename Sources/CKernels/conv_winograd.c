// Winograd convolutions: the driver shared by both variants, and F(2x2, 3x3) for 3x3,
// stride-1, dilation-1, ungrouped convolutions with many channels (the DCGAN generator's big
// layers, ResNet blocks). Each 2x2 output tile needs 16 products per channel pair instead of
// 36, so the GEMM work drops 2.25x:
//   V[e] = B^T d B   (input tiles, e = 0..15)     U[e] = G g G^T   (weights)
//   M[e] = U[e] * V[e]   (16 GEMMs, [c_out x c_in] * [c_in x tiles])
//   y    = A^T M A   (output tiles)
// The data gradient is the same forward pass with flipped, transposed weights; the weight
// gradient runs the adjoint: dU[e] += dM[e] * V[e]^T with dM = A dy A^T, gw = G^T dU G.
// Tiles are processed in chunks fixed by the geometry (so V and M stay near L2 size and
// results do not depend on the thread count); chunks run on the pool.
#include "ckernels.h"
#include "conv_winograd.h"
#include "scratch.h"
#include "winograd.h"
#include <stdlib.h>
#include <string.h>

#define MIN_SLICE_FLOPS 8.0e6

// ---- the driver ----------------------------------------------------------------------
void wino_plan(wino *p, long n, long ci, long h, long w, long co, long oh, long ow, long ph, long pw, long m,
               long min_tiles) {
    p->n = n; p->ci = ci; p->h = h; p->w = w; p->co = co; p->ph = ph; p->pw = pw;
    p->oh = oh; p->ow = ow; p->m = m;
    p->th = (oh + m - 1) / m;
    p->tw = (ow + m - 1) / m;
    p->tiles = n * p->th * p->tw;
    // Chunks are whole rows of tiles, about 32-64 tiles (V and M ~256 KB each).
    long c = ci > co ? ci : co;
    long want = 65536 / (16 * c);
    long rows = want / p->tw;
    if (rows * p->tw < min_tiles) rows = (min_tiles + p->tw - 1) / p->tw;
    p->chunk = (rows < 1 ? 1 : rows) * p->tw;
    p->chunks = (p->tiles + p->chunk - 1) / p->chunk;
}

// The 16 planes of V, M and dM are written together; a padded plane stride keeps them off
// the same cache sets (c * nt is usually a power of two).
long wino_plane_stride(long c, long nt) { return c * nt + 16; }

static void forward_chunk(void *ctx, long index) {
    const wino *p = ctx;
    long t0 = index * p->chunk, nt = p->tiles - t0 < p->chunk ? p->tiles - t0 : p->chunk;
    long vs = wino_plane_stride(p->ci, nt), ms = wino_plane_stride(p->co, nt);
    float *v = ck_scratch(CK_SCRATCH_CONV, (size_t)(16 * (vs + ms)));
    float *m = v + 16 * vs;
    p->input(p, p->x, t0, nt, v);
    for (int e = 0; e < 16; e++) {
        ck_matrix b = {0, v + e * vs, nt};
        ck_gemm_run_packed(p->isa, p->co, nt, p->ci, 1.0f, p->upacked + e * p->ustride,
                           ck_gemm_pack_b_matrix, &b, 0.0f, m + e * ms, nt);
    }
    p->output(p, m, t0, nt, p->y);
}

// The 16 transformed weight matrices packed as GEMM A panels, one task each.
typedef struct { wino *p; const float *u; } pack_job;

static void pack_chunk(void *ctx, long e) {
    const pack_job *j = ctx;
    const wino *p = j->p;
    ck_gemm_pack_a(p->isa, 0, j->u + e * p->co * p->ci, p->ci, p->co, p->ci, p->upacked + e * p->ustride);
}

void wino_forward(wino *p, const float *w, int flip) {
    ck_temp ubuf = ck_temp_alloc((size_t)(16 * p->co * p->ci));
    float *u = ubuf.p;
    p->weights(p, w, flip, u);
    p->isa = ck_gemm_isa_current();
    p->ustride = (long)ck_gemm_packed_a_floats(p->isa, p->co, p->ci);
    ck_temp upacked = ck_temp_alloc((size_t)(16 * p->ustride));
    p->upacked = upacked.p;
    pack_job pj = {p, u};
    ck_parallel_for(16, pack_chunk, &pj);
    ck_temp_free(ubuf);
    ck_parallel_for(p->chunks, forward_chunk, p);
    ck_temp_free(upacked);
}

static void weight_slice(void *ctx, long s) {
    const wino *p = ctx;
    long c0 = p->chunks * s / p->slices, c1 = p->chunks * (s + 1) / p->slices;
    float *du = p->du + s * 16 * p->co * p->ci;
    for (long ch = c0; ch < c1; ch++) {
        long t0 = ch * p->chunk, nt = p->tiles - t0 < p->chunk ? p->tiles - t0 : p->chunk;
        long vs = wino_plane_stride(p->ci, nt), ms = wino_plane_stride(p->co, nt);
        float *v = ck_scratch(CK_SCRATCH_CONV, (size_t)(16 * (vs + ms)));
        float *dm = v + 16 * vs;
        p->input(p, p->x, t0, nt, v);
        p->grad_output(p, p->gy, t0, nt, dm);
        for (int e = 0; e < 16; e++)
            ck_sgemm(0, 1, p->co, p->ci, nt, 1.0f, dm + e * ms, nt, v + e * vs, nt,
                     ch == c0 ? 0.0f : 1.0f, du + e * p->co * p->ci, p->ci);
    }
}

// The (o, c) pairs of one task: the slices' dU partials summed in slice order, then the
// variant's inverse transform.
#define FINISH_CHUNK 16384
typedef struct { const wino *p; float *gw; long chunks; } finish_job;

static void finish_chunk(void *ctx, long index) {
    const finish_job *j = ctx;
    const wino *p = j->p;
    long n = p->co * p->ci, a = n * index / j->chunks, b = n * (index + 1) / j->chunks;
    float *du = p->du;
    for (long k = 1; k < p->slices; k++)
        for (int e = 0; e < 16; e++)
            for (long i = a; i < b; i++) du[e * n + i] += du[k * 16 * n + e * n + i];
    p->finish(p, du, a, b, j->gw);
}

void wino_weight_gradient(wino *p, float *gw) {
    double flops = 2.0 * 16 * (double)p->co * (double)p->ci * (double)p->tiles;
    long s = (long)(flops / MIN_SLICE_FLOPS);
    if (s > 4) s = 4;
    if (s > p->chunks) s = p->chunks;
    p->slices = s < 1 ? 1 : s;
    long usize = 16 * p->co * p->ci;
    ck_temp du = ck_temp_alloc((size_t)(p->slices * usize));
    p->du = du.p;
    ck_parallel_for(p->slices, weight_slice, p);
    finish_job fj = {p, gw, ck_parallel_chunks(p->co * p->ci, FINISH_CHUNK)};
    ck_parallel_for(fj.chunks, finish_chunk, &fj);
    ck_temp_free(du);
}

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
           g->dil_w == 1 && g->groups == 1 && g->c_in >= 16 && g->c_out >= 16 &&
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

// U[e] (16 x [co x ci]) = G g G^T for weights w[o][c][3][3]; `flip` reads the data-gradient
// weights w'[c][o] = w[o][c] rotated 180 degrees. Each task takes a range of o: it lays its
// pairs' nine taps out as planes (for `flip` in 16 x 16 blocks, so the transposed reads stay
// in cache), then transforms them in one loop over the pairs that vectorises. Done pair by
// pair on the calling thread with 16 strided stores, it took 7% of a cyclegan iteration.
#define TRANSPOSE_BLOCK 16
#define WEIGHT_CHUNK 16384   // (o, c) pairs per task: ~0.4 MB of taps and transforms

typedef struct {
    const float *w;
    long co, ci, chunks;
    int flip;
    float *g, *u;
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
    const float *w = j->w;
    float *g = j->g;
    long co = j->co, ci = j->ci, n = co * ci;
    long blocks = (co + TRANSPOSE_BLOCK - 1) / TRANSPOSE_BLOCK;
    long o_lo = blocks * index / j->chunks * TRANSPOSE_BLOCK, o_hi = blocks * (index + 1) / j->chunks * TRANSPOSE_BLOCK;
    if (o_hi > co) o_hi = co;
    if (!j->flip) {
        for (long k = o_lo * ci; k < o_hi * ci; k++)
            for (int t = 0; t < 9; t++) g[t * n + k] = w[k * 9 + t];
    } else {
        for (long o0 = o_lo; o0 < o_hi; o0 += TRANSPOSE_BLOCK)
            for (long c0 = 0; c0 < ci; c0 += TRANSPOSE_BLOCK)
                for (long c = c0; c < c0 + TRANSPOSE_BLOCK && c < ci; c++)
                    for (long o = o0; o < o0 + TRANSPOSE_BLOCK && o < o_hi; o++)
                        for (int t = 0; t < 9; t++) g[t * n + o * ci + c] = w[(c * co + o) * 9 + 8 - t];
    }
    transform_pairs(g, j->u, n, o_lo * ci, o_hi * ci);
}

static void weight_transform(const wino *p, const float *w, int flip, float *u) {
    long co = p->co, ci = p->ci;
    long blocks = (co + TRANSPOSE_BLOCK - 1) / TRANSPOSE_BLOCK;
    long chunks = ck_parallel_chunks(co * ci, WEIGHT_CHUNK);
    ck_temp planes = ck_temp_alloc((size_t)(9 * co * ci));
    weight_job j = {w, co, ci, chunks < blocks ? chunks : blocks, flip, planes.p, u};
    ck_parallel_for(j.chunks, weight_chunk, &j);
    ck_temp_free(planes);
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

static const wino f23 = {.input = input_transform, .output = output_transform, .grad_output = grad_output_transform,
                         .weights = weight_transform, .finish = finish_pairs};

// The stride-1 3x3 problem: ci x h x w padded by (ph, pw) in, co x (h + 2 ph - 2) x ... out.
static void plan(wino *p, long n, long ci, long h, long w, long co, long ph, long pw, int forward) {
    *p = f23;
    wino_plan(p, n, ci, h, w, co, h + 2 * ph - 2, w + 2 * pw - 2, ph, pw, 2,
              forward ? WINO_MIN_FORWARD_TILES : WINO_MIN_WEIGHT_TILES);
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
