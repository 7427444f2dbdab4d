// Private: the Winograd driver (winograd.c) shared by F(2x2, 3x3) and F(4x4, 3x3)
// (conv_winograd.c, conv_winograd_f4.c) and F(3x3, 2x2) on the four phases of a stride-2
// 4x4 convolution (conv_winograd_s2.c). Each presents a stride-1 problem whose tiles have
// `ne` transformed elements (16 or 36):
//   V[e] = input transform (ci x tiles)   U[e] = weight transform (co x ci)
//   M[e] = U[e] * V[e]   (ne GEMMs)       y = output transform of M
// and the weight gradient dU[e] = dM[e] * V[e]^T, dM the adjoint of the output transform.
// The transforms are the variant's; the chunking, GEMMs and partial sums are the driver's,
// fixed by the geometry so that results do not depend on the thread count.
#ifndef CK_WINOGRAD_H
#define CK_WINOGRAD_H
#include "gemm_internal.h"

typedef struct wino wino;
struct wino {
    long n, ci, h, w, co, oh, ow, ph, pw;   // the stride-1 problem: ci x h x w in, co x oh x ow out
    long m;                                 // output tile side
    int ne;                                 // transformed elements per tile (set before wino_plan)
    long th, tw, tiles, chunk, chunks;      // m x m output tiles; tiles per chunk (whole tile rows)
    long xc, xh, xw, xph, xpw;              // stride 2: the image whose phases the problem reads or writes
    const float *x, *gy;
    float *y;
    // V[e][c][t] for tiles [t0, t0 + nt); rows of V planes are wino_plane_stride(ci, nt) apart.
    void (*input)(const wino *p, const float *x, long t0, long nt, float *v);
    // y from M[e][o][t] (planes wino_plane_stride(co, nt) apart).
    void (*output)(const wino *p, const float *m, long t0, long nt, float *y);
    // dM[e][o][t] from the output gradient's tiles.
    void (*grad_output)(const wino *p, const float *gy, long t0, long nt, float *dm);
    // U[e][o][c] (ne x co x ci) from the weight (`flip` for the data gradient's problem),
    // written straight into the GEMM's packed layout: U[e] at upacked + e * ustride, padding
    // rows zeroed. No unpacked copy to write, hold and pack.
    void (*packed_weights)(const wino *p, const float *w, int flip, float *upacked);
    // The weight gradient of (o, c) pairs [a, b) from dU[e][o][c].
    void (*finish)(const wino *p, const float *du, long a, long b, float *gw);
    const ck_gemm_isa *isa;
    float *upacked;                         // ne packed U[e] (forward)
    long ustride;
    float *du;                              // weight gradient: per-slice dU partials
    long slices;
};

// Sets the problem and its chunks (whole tile rows, about 256 KB of V and M, and at least
// `min_tiles` tiles where the tensor has them); wino_forward then fits their height to the
// GEMM's micro-tile.
void wino_plan(wino *p, long n, long ci, long h, long w, long co, long oh, long ow, long ph, long pw, long m,
               long min_tiles);
// A forward chunk's tiles are its GEMMs' columns: fewer than this fill too little of the
// micro-tile (4 tiles at 8x8 filled an eighth of its 32 columns).
#define WINO_MIN_FORWARD_TILES 32
// A weight-gradient chunk's tiles are its GEMMs' depth: with 8-16 (deep layers) each GEMM
// read and wrote all of dU for little work (F(3x3, 2x2) at 121 tiles: 30 -> 46 GFLOP/s at 64;
// munit's 3x3 residual convs 10-20% faster).
#define WINO_MIN_WEIGHT_TILES 64
long wino_plane_stride(long c, long nt);
// y = the problem's output for p->x (and the weight w, flipped for a data gradient).
void wino_forward(wino *p, const float *w, int flip);
// gw from p->x and p->gy.
void wino_weight_gradient(wino *p, float *gw);

// The transforms keep a row of tiles in stack buffers of this many floats.
#define WINO_MAXW 2048

// The 3x3 route's weight transform (conv_winograd.c): each block of rows' nine taps laid out
// as planes g (9 x n; for `flip`, the data gradient's w'[c][o] = rot180(w[o][c])), `pairs`
// maps pairs [a, b) of them into U (ne x n), and the block is packed into `upacked`.
typedef void (*wino_pairs_fn)(const float *restrict g, float *restrict u, long n, long a, long b);
void wino_3x3_weights(const wino *p, const float *w, int flip, float *upacked, wino_pairs_fn pairs);
// F(4x4, 3x3) (conv_winograd_f4.c).
extern const wino wino_f4x4_3x3;
#endif
