// Winograd F(4x4, 3x3) for the 3x3 stride-1 route (conv_winograd.c chooses it from 8x8
// outputs and 256 tiles): 36 products per 4x4 output tile and channel pair instead of 144,
// 1.78x less GEMM work than F(2x2, 3x3)'s 16 per 2x2 tile. Points 0, 1, -1, 2, -2 and
// infinity (Lavin & Gray, 2016):
//   B^T = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
//          [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]]
//   G   = [[1/4, 0, 0], [-1/6, -1/6, -1/6], [-1/6, 1/6, -1/6],
//          [1/24, 1/12, 1/6], [1/24, -1/12, 1/6], [0, 0, 1]]
//   A^T = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]
// Forward and data gradient only: the weight gradient sums dM V^T over every tile in the
// transformed domain, where these points' larger factors cost about two digits (relative
// errors of 2e-4 on 17-channel layers), so it stays with F(2x2, 3x3).
// As in F(2x2, 3x3), the transforms work a row of tiles at a time with the tile index
// innermost; image rows are split into their four column phases (column 4k + m) so that
// every load and store along the tile row is contiguous.
#include "ckernels.h"
#include "winograd.h"
#include <string.h>

#define MAXW WINO_MAXW
#define PHASE (MAXW / 4 + 2)

// out[m][k] = row[4k + m - left] for k <= tiles, zero outside [0, w).
static void split_row(const float *row, long w, long left, long tiles, float out[4][PHASE]) {
    float line[MAXW + 8];
    long span = 4 * (tiles + 1), lo = left < span ? left : span, hi = left + w < span ? left + w : span;
    memset(line, 0, sizeof(float) * (size_t)lo);
    if (hi > lo) memcpy(line + lo, row + (lo - left), sizeof(float) * (size_t)(hi - lo));
    if (span > hi) memset(line + hi, 0, sizeof(float) * (size_t)(span - hi));   // hi >= lo
    for (long k = 0; k <= tiles; k++)
        for (int m = 0; m < 4; m++) out[m][k] = line[4 * k + m];
}

static void zero_phases(long tiles, float out[4][PHASE]) {
    for (int m = 0; m < 4; m++) memset(out[m], 0, sizeof(float) * (size_t)(tiles + 1));
}

// The six outputs of B^T applied to six vectors of n floats (a column of patches per
// element), written to out[0..5] (restrict: the loop vectorises).
static inline void input_six(const float *restrict d0, const float *restrict d1, const float *restrict d2,
                             const float *restrict d3, const float *restrict d4, const float *restrict d5,
                             float *restrict const out[6], long n) {
    float *restrict o0 = out[0], *restrict o1 = out[1], *restrict o2 = out[2];
    float *restrict o3 = out[3], *restrict o4 = out[4], *restrict o5 = out[5];
    for (long t = 0; t < n; t++) {
        o0[t] = 4.0f * d0[t] - 5.0f * d2[t] + d4[t];
        o1[t] = -4.0f * (d1[t] + d2[t]) + d3[t] + d4[t];
        o2[t] = 4.0f * (d1[t] - d2[t]) - d3[t] + d4[t];
        o3[t] = 2.0f * (d3[t] - d1[t]) - d2[t] + d4[t];
        o4[t] = 2.0f * (d1[t] - d3[t]) - d2[t] + d4[t];
        o5[t] = 4.0f * d1[t] - 5.0f * d3[t] + d5[t];
    }
}

// V[e][c][t] for tiles [t0, t0 + nt) of x: B^T d B per 6x6 input patch (zero outside), in
// two passes over the tile row: the columns of every patch (into s), then its rows.
static void input_transform(const wino *p, const float *x, long t0, long nt, float *v) {
    long es = wino_plane_stride(p->ci, nt), tw = p->tw;
    float ph[6][4][PHASE], s[36 * PHASE];
    for (long r = 0; r * tw < nt; r++) {
        long gr = t0 / tw + r, img = gr / p->th, y0 = (gr % p->th) * 4 - p->ph;
        for (long c = 0; c < p->ci; c++) {
            const float *xc = x + (img * p->ci + c) * p->h * p->w;
            for (int i = 0; i < 6; i++) {
                long yy = y0 + i;
                if (yy < 0 || yy >= p->h) zero_phases(tw, ph[i]);
                else split_row(xc + yy * p->w, p->w, p->pw, tw, ph[i]);
            }
            // s[(k * 6 + j) * tw + tx] = (B^T d)[k][j] of tile tx; patch column j is phase j % 4
            // from tile tx + j / 4.
            for (int j = 0; j < 6; j++) {
                int m = j % 4, k = j / 4;
                float *const out[6] = {s + j * tw, s + (6 + j) * tw, s + (12 + j) * tw,
                                       s + (18 + j) * tw, s + (24 + j) * tw, s + (30 + j) * tw};
                input_six(ph[0][m] + k, ph[1][m] + k, ph[2][m] + k, ph[3][m] + k, ph[4][m] + k, ph[5][m] + k, out, tw);
            }
            for (int k = 0; k < 6; k++) {
                const float *q = s + k * 6 * tw;
                float *const out[6] = {v + (k * 6) * es + c * nt + r * tw, v + (k * 6 + 1) * es + c * nt + r * tw,
                                       v + (k * 6 + 2) * es + c * nt + r * tw, v + (k * 6 + 3) * es + c * nt + r * tw,
                                       v + (k * 6 + 4) * es + c * nt + r * tw, v + (k * 6 + 5) * es + c * nt + r * tw};
                input_six(q, q + tw, q + 2 * tw, q + 3 * tw, q + 4 * tw, q + 5 * tw, out, tw);
            }
        }
    }
}

// A^T applied to six vectors of n floats, four outputs.
static inline void output_four(const float *restrict m0, const float *restrict m1, const float *restrict m2,
                               const float *restrict m3, const float *restrict m4, const float *restrict m5,
                               float *restrict const out[4], long n) {
    float *restrict o0 = out[0], *restrict o1 = out[1], *restrict o2 = out[2], *restrict o3 = out[3];
    for (long t = 0; t < n; t++) {
        float sum12 = m1[t] + m2[t], diff12 = m1[t] - m2[t], sum34 = m3[t] + m4[t], diff34 = m3[t] - m4[t];
        o0[t] = m0[t] + sum12 + sum34;
        o1[t] = diff12 + 2.0f * diff34;
        o2[t] = sum12 + 4.0f * sum34;
        o3[t] = diff12 + 8.0f * diff34 + m5[t];
    }
}

// y tiles [t0, t0 + nt) from M[e][o][t]: A^T M A, clipped at the output's edge.
static void output_transform(const wino *p, const float *m, long t0, long nt, float *y) {
    long es = wino_plane_stride(p->co, nt), tw = p->tw;
    float a[24 * PHASE], out[16 * PHASE];   // a[(i * 6 + j) * tw + tx]; out[(i * 4 + k) * tw + tx]
    for (long r = 0; r * tw < nt; r++) {
        long gr = t0 / tw + r, img = gr / p->th, y0 = (gr % p->th) * 4;
        for (long o = 0; o < p->co; o++) {
            const float *q = m + o * nt + r * tw;
            for (int j = 0; j < 6; j++) {
                float *const dst[4] = {a + j * tw, a + (6 + j) * tw, a + (12 + j) * tw, a + (18 + j) * tw};
                output_four(q + j * es, q + (6 + j) * es, q + (12 + j) * es, q + (18 + j) * es, q + (24 + j) * es,
                            q + (30 + j) * es, dst, tw);
            }
            for (int i = 0; i < 4; i++) {
                const float *b = a + i * 6 * tw;
                float *const dst[4] = {out + (i * 4) * tw, out + (i * 4 + 1) * tw, out + (i * 4 + 2) * tw,
                                       out + (i * 4 + 3) * tw};
                output_four(b, b + tw, b + 2 * tw, b + 3 * tw, b + 4 * tw, b + 5 * tw, dst, tw);
            }
            float *yo = y + (img * p->co + o) * p->oh * p->ow;
            for (int i = 0; i < 4 && y0 + i < p->oh; i++) {
                float *row = yo + (y0 + i) * p->ow;
                const float *ri = out + i * 4 * tw;
                long full = p->ow / 4;
                for (long tx = 0; tx < full; tx++)
                    for (int k = 0; k < 4; k++) row[4 * tx + k] = ri[k * tw + tx];
                for (long col = 4 * full; col < p->ow; col++) row[col] = ri[(col % 4) * tw + full];
            }
        }
    }
}

// G applied to n triples of taps (x0[t], x1[t], x2[t]): six outputs each (restrict: the loop
// vectorises).
static inline void g_six(const float *restrict x0, const float *restrict x1, const float *restrict x2,
                         float *restrict const out[6], long n) {
    const float sixth = 1.0f / 6.0f, twelfth = 1.0f / 12.0f, t24 = 1.0f / 24.0f;
    float *restrict o0 = out[0], *restrict o1 = out[1], *restrict o2 = out[2];
    float *restrict o3 = out[3], *restrict o4 = out[4], *restrict o5 = out[5];
    for (long t = 0; t < n; t++) {
        float even = -sixth * (x0[t] + x2[t]), odd = -sixth * x1[t];
        float even4 = t24 * x0[t] + sixth * x2[t], odd4 = twelfth * x1[t];
        o0[t] = 0.25f * x0[t];
        o1[t] = even + odd;
        o2[t] = even - odd;
        o3[t] = even4 + odd4;
        o4[t] = even4 - odd4;
        o5[t] = x2[t];
    }
}

// Pairs [a, b) of the tap planes g (9 x n) into U (36 x n): G g G^T, a block of pairs at a
// time: G down each kernel column into q, then along each row of q into U.
#define PAIR_BLOCK 256
static void transform_pairs(const float *restrict g, float *restrict u, long n, long a, long b) {
    float q[18 * PAIR_BLOCK];   // q[(col * 6 + i) * PAIR_BLOCK + t]
    for (long k0 = a; k0 < b; k0 += PAIR_BLOCK) {
        long m = b - k0 < PAIR_BLOCK ? b - k0 : PAIR_BLOCK;
        for (int col = 0; col < 3; col++) {
            float *const out[6] = {q + (col * 6) * PAIR_BLOCK, q + (col * 6 + 1) * PAIR_BLOCK,
                                   q + (col * 6 + 2) * PAIR_BLOCK, q + (col * 6 + 3) * PAIR_BLOCK,
                                   q + (col * 6 + 4) * PAIR_BLOCK, q + (col * 6 + 5) * PAIR_BLOCK};
            g_six(g + col * n + k0, g + (3 + col) * n + k0, g + (6 + col) * n + k0, out, m);
        }
        for (int i = 0; i < 6; i++) {
            float *const out[6] = {u + (i * 6) * n + k0, u + (i * 6 + 1) * n + k0, u + (i * 6 + 2) * n + k0,
                                   u + (i * 6 + 3) * n + k0, u + (i * 6 + 4) * n + k0, u + (i * 6 + 5) * n + k0};
            g_six(q + i * PAIR_BLOCK, q + (6 + i) * PAIR_BLOCK, q + (12 + i) * PAIR_BLOCK, out, m);
        }
    }
}

static void weight_transform(const wino *p, const float *w, int flip, float *upacked) {
    wino_3x3_weights(p, w, flip, upacked, transform_pairs);
}

const wino wino_f4x4_3x3 = {.ne = 36, .input = input_transform, .output = output_transform,
                            .packed_weights = weight_transform};
