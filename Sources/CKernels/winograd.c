// The Winograd driver shared by every variant (winograd.h): chunks of whole tile rows, the
// per-element GEMMs on the pool, the weight gradient's per-slice partial sums added in a
// fixed order. Nothing here depends on the thread count.
#include "ckernels.h"
#include "scratch.h"
#include "winograd.h"

#define MIN_SLICE_FLOPS 8.0e6
// Floats of weight-gradient partials past which a pass takes no more than two slices (one
// per core here): at stargan's 256 -> 512 critic layer four slices of 16 transformed
// weights held 128 MB, at ccgan's 128 -> 512 up layer 64 MB, each the step's peak.
#define MAX_PARTIAL_FLOATS (8L << 20)

void wino_plan(wino *p, long n, long ci, long h, long w, long co, long oh, long ow, long ph, long pw, long m,
               long min_tiles) {
    p->n = n; p->ci = ci; p->h = h; p->w = w; p->co = co; p->ph = ph; p->pw = pw;
    p->oh = oh; p->ow = ow; p->m = m;
    p->th = (oh + m - 1) / m;
    p->tw = (ow + m - 1) / m;
    p->tiles = n * p->th * p->tw;
    // Chunks are whole rows of tiles, about 32-64 tiles (V and M ~256 KB each).
    long c = ci > co ? ci : co;
    long want = 65536 / (p->ne * c);
    long rows = want / p->tw;
    if (rows * p->tw < min_tiles) rows = (min_tiles + p->tw - 1) / p->tw;
    p->chunk = (rows < 1 ? 1 : rows) * p->tw;
    p->chunks = (p->tiles + p->chunk - 1) / p->chunk;
}

// The planes of V, M and dM are written together; a padded plane stride keeps them off
// the same cache sets (c * nt is usually a power of two).
long wino_plane_stride(long c, long nt) { return c * nt + 16; }

static void forward_chunk(void *ctx, long index) {
    const wino *p = ctx;
    long t0 = index * p->chunk, nt = p->tiles - t0 < p->chunk ? p->tiles - t0 : p->chunk;
    long vs = wino_plane_stride(p->ci, nt), ms = wino_plane_stride(p->co, nt);
    float *v = ck_scratch(CK_SCRATCH_CONV, (size_t)(p->ne * (vs + ms)));
    float *m = v + p->ne * vs;
    p->input(p, p->x, t0, nt, v);
    for (int e = 0; e < p->ne; e++) {
        ck_matrix b = {0, v + e * vs, nt};
        ck_gemm_run_packed(p->isa, p->co, nt, p->ci, 1.0f, p->upacked + e * p->ustride,
                           ck_gemm_pack_b_matrix, &b, 0.0f, m + e * ms, nt);
    }
    p->output(p, m, t0, nt, p->y);
}

// A forward chunk's tiles are the columns of its GEMMs, run in micro-tiles of nr: a chunk of
// 33 tiles costs as much as one of 64 (the 4x4 stride-2 route at 64 px has 11 tiles a row,
// chunks of 3 rows). Takes the chunk height, from the planned one to twice it, whose chunks,
// the last included, fill the fewest micro-tiles, keeping at least two chunks where there
// were. Each column's arithmetic is the same in any chunk, so results do not change.
static void fit_chunks_to_tiles(wino *p, long nr) {
    long rows = p->tiles / p->tw, r0 = p->chunk / p->tw, best = r0, best_cost = 0;
    for (long r = r0; r <= 2 * r0 && r <= rows; r++) {
        long chunk = r * p->tw, chunks = (p->tiles + chunk - 1) / chunk;
        if (chunks < 2 && p->chunks >= 2) break;
        long last = p->tiles - (chunks - 1) * chunk;
        long cost = (chunks - 1) * ((chunk + nr - 1) / nr) + (last + nr - 1) / nr;
        if (r == r0 || cost < best_cost) { best = r; best_cost = cost; }
    }
    p->chunk = best * p->tw;
    p->chunks = (p->tiles + p->chunk - 1) / p->chunk;
}

// The transformed weights live in the calling thread's scratch (the workers only read
// them): taken from the tensor pool, these 10-20 MB per call (F(4x4, 3x3) at 256 channels)
// were later handed to smaller tensors, which raised the live peak by 200 MB (cyclegan, unit).
void wino_forward(wino *p, const float *w, int flip) {
    p->isa = ck_gemm_isa_current();
    fit_chunks_to_tiles(p, p->isa->nr);
    p->ustride = (long)ck_gemm_packed_a_floats(p->isa, p->co, p->ci);
    p->upacked = ck_scratch(CK_SCRATCH_WINO_WEIGHTS, (size_t)(p->ne * p->ustride));
    p->packed_weights(p, w, flip, p->upacked);
    ck_parallel_for(p->chunks, forward_chunk, p);
}

static void weight_slice(void *ctx, long s) {
    const wino *p = ctx;
    long c0 = p->chunks * s / p->slices, c1 = p->chunks * (s + 1) / p->slices;
    float *du = p->du + s * p->ne * p->co * p->ci;
    for (long ch = c0; ch < c1; ch++) {
        long t0 = ch * p->chunk, nt = p->tiles - t0 < p->chunk ? p->tiles - t0 : p->chunk;
        long vs = wino_plane_stride(p->ci, nt), ms = wino_plane_stride(p->co, nt);
        float *v = ck_scratch(CK_SCRATCH_CONV, (size_t)(p->ne * (vs + ms)));
        float *dm = v + p->ne * vs;
        p->input(p, p->x, t0, nt, v);
        p->grad_output(p, p->gy, t0, nt, dm);
        for (int e = 0; e < p->ne; e++)
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
        for (int e = 0; e < p->ne; e++)
            for (long i = a; i < b; i++) du[e * n + i] += du[k * p->ne * n + e * n + i];
    p->finish(p, du, a, b, j->gw);
}

void wino_weight_gradient(wino *p, float *gw) {
    double flops = 2.0 * p->ne * (double)p->co * (double)p->ci * (double)p->tiles;
    long s = (long)(flops / MIN_SLICE_FLOPS);
    if (s > 4) s = 4;
    long usize = p->ne * p->co * p->ci;
    if (s > 2 && s * usize > MAX_PARTIAL_FLOATS) {
        long fit = MAX_PARTIAL_FLOATS / usize;
        s = fit > 2 ? fit : 2;
    }
    if (s > p->chunks) s = p->chunks;
    p->slices = s < 1 ? 1 : s;
    ck_temp du = ck_temp_alloc((size_t)(p->slices * usize));
    p->du = du.p;
    ck_parallel_for(p->slices, weight_slice, p);
    finish_job fj = {p, gw, ck_parallel_chunks(p->co * p->ci, FINISH_CHUNK)};
    ck_parallel_for(fj.chunks, finish_chunk, &fj);
    ck_temp_free(du);
}
