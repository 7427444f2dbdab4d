// Index-map kernels: the shared machinery of pad, pixel shuffle, pooling backward,
// nearest/bilinear resampling, gather and embedding.
#include "ckernels.h"
#include <string.h>

void ck_gather_map(const float *x, const int64_t *map, float *out, long n) {
    for (long i = 0; i < n; i++) {
        int64_t j = map[i];
        out[i] = j >= 0 ? x[j] : 0.0f;
    }
}

void ck_scatter_add_map(const float *g, const int64_t *map, float *gx, long n) {
    for (long i = 0; i < n; i++) {
        int64_t j = map[i];
        if (j >= 0) gx[j] += g[i];
    }
}

void ck_gather_weighted(const float *x, const int64_t *idx, const float *w, long k,
                        float *out, long n) {
    for (long i = 0; i < n; i++) {
        float s = 0.0f;
        const int64_t *ii = idx + i * k;
        const float *ww = w + i * k;
        for (long t = 0; t < k; t++)
            if (ii[t] >= 0) s += ww[t] * x[ii[t]];
        out[i] = s;
    }
}

void ck_scatter_weighted(const float *g, const int64_t *idx, const float *w, long k,
                         float *gx, long n) {
    for (long i = 0; i < n; i++) {
        const int64_t *ii = idx + i * k;
        const float *ww = w + i * k;
        float gi = g[i];
        for (long t = 0; t < k; t++)
            if (ii[t] >= 0) gx[ii[t]] += ww[t] * gi;
    }
}

// ---- padding: per-row and per-column source tables shared by every plane ---------------
// (a full index map was 8 bytes per output element: 67 MB for pix2pix's last padding)
typedef struct {
    const float *src;
    float *dst;
    long planes, h, w, oh, ow, left, chunks;
    const int32_t *ys, *xs;
    float value;
} pad_job;

static void pad_chunk(void *ctx, long c) {
    const pad_job *j = ctx;
    for (long p = j->planes * c / j->chunks; p < j->planes * (c + 1) / j->chunks; p++) {
        const float *x = j->src + p * j->h * j->w;
        float *out = j->dst + p * j->oh * j->ow;
        for (long oy = 0; oy < j->oh; oy++) {
            float *row = out + oy * j->ow;
            if (j->ys[oy] < 0) {
                for (long ox = 0; ox < j->ow; ox++) row[ox] = j->value;
                continue;
            }
            const float *in = x + j->ys[oy] * j->w;
            for (long ox = 0; ox < j->left; ox++) row[ox] = j->xs[ox] < 0 ? j->value : in[j->xs[ox]];
            memcpy(row + j->left, in, sizeof(float) * (size_t)j->w);
            for (long ox = j->left + j->w; ox < j->ow; ox++) row[ox] = j->xs[ox] < 0 ? j->value : in[j->xs[ox]];
        }
    }
}

static void pad_adjoint_chunk(void *ctx, long c) {
    const pad_job *j = ctx;
    for (long p = j->planes * c / j->chunks; p < j->planes * (c + 1) / j->chunks; p++) {
        const float *g = j->src + p * j->oh * j->ow;
        float *gx = j->dst + p * j->h * j->w;
        memset(gx, 0, sizeof(float) * (size_t)(j->h * j->w));
        for (long oy = 0; oy < j->oh; oy++) {
            if (j->ys[oy] < 0) continue;
            const float *row = g + oy * j->ow;
            float *in = gx + j->ys[oy] * j->w;
            for (long ox = 0; ox < j->left; ox++) if (j->xs[ox] >= 0) in[j->xs[ox]] += row[ox];
            for (long i = 0; i < j->w; i++) in[i] += row[j->left + i];
            for (long ox = j->left + j->w; ox < j->ow; ox++) if (j->xs[ox] >= 0) in[j->xs[ox]] += row[ox];
        }
    }
}

// Whole planes per task, a fixed number of tasks: no result depends on the thread count.
static void run_pad(pad_job *j, ck_task_fn fn) {
    long floats = j->planes * j->oh * j->ow;
    j->chunks = floats < (64L << 10) ? 1 : (j->planes < 16 ? j->planes : 16);
    if (j->chunks < 1) j->chunks = 1;
    ck_parallel_for(j->chunks, fn, j);
}

void ck_pad2d(const float *x, long planes, long h, long w, const int32_t *ys, long oh,
              const int32_t *xs, long ow, long left, float value, float *out) {
    pad_job j = {x, out, planes, h, w, oh, ow, left, 1, ys, xs, value};
    run_pad(&j, pad_chunk);
}

void ck_pad2d_adjoint(const float *g, long planes, long h, long w, const int32_t *ys, long oh,
                      const int32_t *xs, long ow, long left, float *gx) {
    pad_job j = {g, gx, planes, h, w, oh, ow, left, 1, ys, xs, 0.0f};
    run_pad(&j, pad_adjoint_chunk);
}

static void upsample_planes(const float *x, long p0, long p1, long h, long w, long s, float *out) {
    long ow = w * s;
    for (long p = p0; p < p1; p++) {
        const float *src = x + p * h * w;
        float *dst = out + p * h * s * ow;
        for (long y = 0; y < h; y++) {
            float *row = dst + y * s * ow;
            for (long xx = 0; xx < w; xx++) {
                float v = src[y * w + xx];
                for (long k = 0; k < s; k++) row[xx * s + k] = v;
            }
            for (long r = 1; r < s; r++) memcpy(row + r * ow, row, sizeof(float) * (size_t)ow);
        }
    }
}

static void upsample_adjoint_planes(const float *g, long p0, long p1, long h, long w, long s, float *gx) {
    long ow = w * s;
    for (long p = p0; p < p1; p++) {
        const float *src = g + p * h * s * ow;
        float *dst = gx + p * h * w;
        for (long y = 0; y < h; y++) {
            float *d = dst + y * w;
            for (long xx = 0; xx < w; xx++) d[xx] = 0.0f;
            for (long r = 0; r < s; r++) {
                const float *row = src + (y * s + r) * ow;
                for (long xx = 0; xx < w; xx++) {
                    float acc = 0.0f;
                    for (long k = 0; k < s; k++) acc += row[xx * s + k];
                    d[xx] += acc;
                }
            }
        }
    }
}

// Planes split over the pool when the upsampled side passes 128K elements; each plane is
// computed as in the serial loop, so the split never changes a result.
static long plane_chunks(long planes, long big) {
    long chunks = ck_parallel_width() > 1 && big >= (1L << 17) ? 4L * ck_parallel_width() : 1;
    if (chunks > planes) chunks = planes;
    return chunks < 1 ? 1 : chunks;
}

typedef struct { const float *in; float *out; long planes, h, w, s, chunks; int adjoint; } upsample_job;

static void upsample_chunk(void *ctx, long index) {
    const upsample_job *j = ctx;
    long p0 = j->planes * index / j->chunks, p1 = j->planes * (index + 1) / j->chunks;
    if (j->adjoint) upsample_adjoint_planes(j->in, p0, p1, j->h, j->w, j->s, j->out);
    else upsample_planes(j->in, p0, p1, j->h, j->w, j->s, j->out);
}

static void upsample_run(const float *in, long planes, long h, long w, long s, float *out, int adjoint) {
    long chunks = plane_chunks(planes, planes * h * w * s * s);
    if (chunks == 1) {
        if (adjoint) upsample_adjoint_planes(in, 0, planes, h, w, s, out);
        else upsample_planes(in, 0, planes, h, w, s, out);
        return;
    }
    upsample_job j = {in, out, planes, h, w, s, chunks, adjoint};
    ck_parallel_for(chunks, upsample_chunk, &j);
}

void ck_upsample_nearest(const float *x, long planes, long h, long w, long s, float *out) {
    upsample_run(x, planes, h, w, s, out, 0);
}

void ck_upsample_nearest_adjoint(const float *g, long planes, long h, long w, long s, float *gx) {
    upsample_run(g, planes, h, w, s, gx, 1);
}

// Pixel shuffle: output plane (b, c) row oy * r + i, column ox * r + k is input plane
// (b, c * r * r + i * r + k) at (row0[i] + oy, col0[k] + ox); the input planes are xh x xw,
// the windows h x w (plain pixel shuffle: offsets 0, windows the whole planes). The adjoint
// zeroes what no window covers. Output planes split over the pool as upsampling's.
typedef struct {
    const float *in; float *out; long planes, xh, xw, h, w, r, chunks; const long *row0, *col0; int adjoint;
} shuffle_job;

static void shuffle_chunk(void *ctx, long index) {
    const shuffle_job *j = ctx;
    long r = j->r, h = j->h, w = j->w, ow = w * r, plane = j->xh * j->xw;
    for (long p = j->planes * index / j->chunks; p < j->planes * (index + 1) / j->chunks; p++) {
        if (j->adjoint && plane > h * w) memset(j->out + p * r * r * plane, 0, sizeof(float) * (size_t)(r * r * plane));
        for (long i = 0; i < r; i++)
            for (long k = 0; k < r; k++) {
                long sub = (p * r + i) * r + k;  // the input plane of phase (i, k)
                for (long y = 0; y < h; y++) {
                    long big = p * h * r * ow + (y * r + i) * ow + k;
                    long small = sub * plane + (j->row0[i] + y) * j->xw + j->col0[k];
                    if (j->adjoint) for (long x = 0; x < w; x++) j->out[small + x] = j->in[big + x * r];
                    else for (long x = 0; x < w; x++) j->out[big + x * r] = j->in[small + x];
                }
            }
    }
}

static void shuffle_run(shuffle_job *j) {
    j->chunks = plane_chunks(j->planes, j->planes * j->h * j->w * j->r * j->r);
    if (j->chunks == 1) shuffle_chunk(j, 0);
    else ck_parallel_for(j->chunks, shuffle_chunk, j);
}

void ck_pixel_shuffle_windows(const float *x, long planes, long xh, long xw, long h, long w, long r,
                              const long *row0, const long *col0, float *out) {
    shuffle_job j = {x, out, planes, xh, xw, h, w, r, 1, row0, col0, 0};
    shuffle_run(&j);
}

void ck_pixel_unshuffle_windows(const float *g, long planes, long xh, long xw, long h, long w, long r,
                                const long *row0, const long *col0, float *gx) {
    shuffle_job j = {g, gx, planes, xh, xw, h, w, r, 1, row0, col0, 1};
    shuffle_run(&j);
}

void ck_pixel_shuffle(const float *x, long planes, long h, long w, long r, float *out) {
    long zeros[r];
    for (long i = 0; i < r; i++) zeros[i] = 0;
    ck_pixel_shuffle_windows(x, planes, h, w, h, w, r, zeros, zeros, out);
}

void ck_pixel_unshuffle(const float *x, long planes, long h, long w, long r, float *out) {
    long zeros[r];
    for (long i = 0; i < r; i++) zeros[i] = 0;
    ck_pixel_unshuffle_windows(x, planes, h, w, h, w, r, zeros, zeros, out);
}
