// The forward convolution as one GEMM per image and group, y = W * columns, where the GEMM's
// B packer reads each NR-column panel of the columns straight from the image: no im2col
// buffer. Building the columns (8-32 MB for munit's 5x5 convs) and packing them again was
// 20-30% of the forward; here each pixel is copied once, into the panel the micro-kernel reads.
//
// Pool tasks take ranges of whole panels of one image's output positions and share the weight,
// packed once. The panels hold the numbers im2col would write and the GEMM blocks k the same
// way for any range, so results are bitwise the same for any thread count (and the same as
// the columns routes of conv.c and conv_large.c).
#include "conv_implicit.h"
#include "gemm_internal.h"
#include "scratch.h"
#include <string.h>

#define PANELS_PER_TASK 16        // fewer where an image has under 4 tasks of them
#define MIN_POSITIONS 256         // below, conv.c batches small images into one product
#define MIN_COLUMN_ROWS 256       // below, the im2col tiles of conv.c cost little
#define MIN_OUTPUT_CHANNELS 32    // a panel is packed for this many rows of the product at least

typedef struct {
    const ck_conv_geometry *g;
    long cg, og, taps, col_rows, ohw;
} implicit_plan;

static implicit_plan plan_of(const ck_conv_geometry *g) {
    implicit_plan p = {g, g->c_in / g->groups, g->c_out / g->groups, g->kh * g->kw, 0, g->out_h * g->out_w};
    p.col_rows = p.cg * p.taps;
    return p;
}

// Stride 1 or 2 along rows, where a panel's k row is a copy of 16-32 pixels of one input row
// or their even ones (a gather at other strides), and an image's positions outnumber the
// output channels: the weight is then the smaller operand, and each panel of columns
// serves all its rows (at least 32: packing a panel for cyclegan's 3 input channels made its
// first layer's data gradient 4x slower). float32 only: bfloat16 panels are packed by the GEMM.
int ck_conv_implicit_suits(const ck_conv_geometry *g) {
    const ck_gemm_isa *isa = ck_gemm_isa_current();
    implicit_plan p = plan_of(g);
    return !isa->bf16 && isa->nr <= 32 && g->stride_w <= 2 && p.col_rows >= MIN_COLUMN_ROWS &&
           p.og >= MIN_OUTPUT_CHANNELS && p.ohw >= MIN_POSITIONS && p.ohw >= p.og;
}

// d[j] = src[2 j] for a full panel (16 or 32 columns), reading src[0, 2 nr): the even
// floats of 2 nr, vectorised where the panel width says which ISA the GEMM runs.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
__attribute__((target("avx2"))) static void even_floats_avx2(const float *src, float *d) {
    for (int h = 0; h < 2; h++, src += 16, d += 8) {
        // per 128-bit lane: a0 a2 b0 b2 | a4 a6 b4 b6, then the 64-bit quarters reordered
        __m256 mixed = _mm256_shuffle_ps(_mm256_loadu_ps(src), _mm256_loadu_ps(src + 8), 0x88);
        _mm256_storeu_ps(d, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(mixed), 0xD8)));
    }
}
__attribute__((target("avx512f"))) static void even_floats_avx512(const float *src, float *d) {
    const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    for (int h = 0; h < 2; h++, src += 32, d += 16)
        _mm512_storeu_ps(d, _mm512_permutex2var_ps(_mm512_loadu_ps(src), even, _mm512_loadu_ps(src + 16)));
}
#endif

static void even_floats(const float *src, int nr, float *d) {
#if defined(__x86_64__) || defined(__i386__)
    // NR 16 only with the AVX2 micro-kernel, 32 only with the AVX-512 one (gemm_internal.h).
    if (nr == CK_NR_AVX2) { even_floats_avx2(src, d); return; }
    if (nr == CK_NR_AVX512) { even_floats_avx512(src, d); return; }
#endif
    for (int j = 0; j < nr; j++) d[j] = src[2 * j];
}

typedef struct {
    const implicit_plan *p;
    const float *img;             // the group's first input channel
    long q0;                      // the output position of the product's first column
} image_columns;

// ck_pack_b_fn: op(B)[p0:p0+kc, j0:j0+nc] of the columns of `ctx`, an image_columns.
static void pack_image_columns(void *ctx, long p0, long j0, long kc, long nc, int nr, float *dst) {
    const image_columns *ic = ctx;
    const ck_conv_geometry *g = ic->p->g;
    const long taps = ic->p->taps, ow = g->out_w, plane_size = g->h * g->w;
    long row0[32], col0[32];      // per column: the input pixel of tap (0, 0)
    for (long jr = 0; jr < nc; jr += nr, dst += nr * kc) {
        int count = (int)(nc - jr < nr ? nc - jr : nr);
        long q = ic->q0 + j0 + jr;
        for (int j = 0; j < count; j++) {
            row0[j] = (q + j) / ow * g->stride_h - g->pad_h;
            col0[j] = (q + j) % ow * g->stride_w - g->pad_w;
        }
        // One output row: each k row of the panel reads one input row (contiguous at stride 1).
        int one_row = q % ow + count <= ow;
        long c = p0 / taps, ky = p0 % taps / g->kw, kx = p0 % taps % g->kw;
        for (long pp = 0; pp < kc; pp++) {
            float *d = dst + pp * nr;
            const float *plane = ic->img + c * plane_size;
            long dy = ky * g->dil_h, dx = kx * g->dil_w;
            int j = 0;
            if (one_row) {
                long iy = row0[0] + dy, ix = col0[0] + dx;
                if (iy >= 0 && iy < g->h) {
                    const float *src = plane + iy * g->w;
                    if (g->stride_w == 1 && ix >= 0 && ix + count <= g->w) {
                        if (count == 16) memcpy(d, src + ix, 16 * sizeof(float));
                        else if (count == 32) memcpy(d, src + ix, 32 * sizeof(float));
                        else memcpy(d, src + ix, sizeof(float) * (size_t)count);
                        j = count;
                    } else if (g->stride_w == 1) {
                        // Padding at the row's ends: zeros, the pixels inside, zeros.
                        long lo = ix < 0 ? -ix : 0, hi = g->w - ix < count ? g->w - ix : count;
                        if (hi < lo) hi = lo;
                        for (; j < lo; j++) d[j] = 0.0f;
                        memcpy(d + lo, src + ix + lo, sizeof(float) * (size_t)(hi - lo));
                        j = (int)hi;
                    } else if (g->stride_w == 2 && count == nr && ix >= 0 && ix + 2 * count <= g->w) {
                        even_floats(src + ix, nr, d);
                        j = count;
                    } else {
                        for (; j < count; j++, ix += g->stride_w) d[j] = ix >= 0 && ix < g->w ? src[ix] : 0.0f;
                    }
                }
            } else {
                for (; j < count; j++) {
                    long iy = row0[j] + dy, ix = col0[j] + dx;
                    d[j] = iy >= 0 && iy < g->h && ix >= 0 && ix < g->w ? plane[iy * g->w + ix] : 0.0f;
                }
            }
            for (; j < nr; j++) d[j] = 0.0f;
            if (++kx == g->kw) { kx = 0; if (++ky == g->kh) { ky = 0; c++; } }
        }
    }
}

typedef struct {
    const implicit_plan *p;
    const ck_gemm_isa *isa;
    const float *wpacked;         // the group's weight, GEMM-packed
    const float *img;
    float *y;                     // the group's first output channel
    long width;                   // positions per task
} implicit_job;

static void implicit_range(void *ctx, long index) {
    const implicit_job *j = ctx;
    const implicit_plan *p = j->p;
    long q0 = index * j->width, q1 = q0 + j->width < p->ohw ? q0 + j->width : p->ohw;
    image_columns columns = {p, j->img, q0};
    ck_gemm_run_packed(j->isa, p->og, q1 - q0, p->col_rows, 1.0f, j->wpacked, pack_image_columns, &columns,
                       0.0f, j->y + q0, p->ohw);
}

void ck_conv_implicit_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y) {
    const ck_gemm_isa *isa = ck_gemm_isa_current();
    implicit_plan plan = plan_of(g), *p = &plan;
    long panels = (p->ohw + isa->nr - 1) / isa->nr;
    long per_task = panels >= 4 * PANELS_PER_TASK ? PANELS_PER_TASK : (panels + 3) / 4;
    long width = per_task * isa->nr, tasks = (p->ohw + width - 1) / width;
    ck_temp packed = ck_temp_alloc(ck_gemm_packed_a_floats(isa, p->og, p->col_rows));
    for (long grp = 0; grp < g->groups; grp++) {
        ck_gemm_pack_a(isa, 0, w + grp * p->og * p->col_rows, p->col_rows, p->og, p->col_rows, packed.p);
        for (long n = 0; n < g->batch; n++) {
            implicit_job job = {p, isa, packed.p, x + (n * g->c_in + grp * p->cg) * g->h * g->w,
                                y + (n * g->c_out + grp * p->og) * p->ohw, width};
            ck_parallel_for(tasks, implicit_range, &job);
        }
    }
    ck_temp_free(packed);
}

// ---- the data gradient at stride 1: a forward convolution ----------------------------
// gx[c][y][x] = sum over o, ky, kx of gy[o][y + pad - ky][x + pad - kx] w[o][c][ky][kx]: the
// forward convolution of gy, padded by k - 1 - pad, with the weight's taps flipped and its
// two channel axes swapped. Through the route above this skips the columns that the GEMM
// would write and col2im would scatter back (munit's 5x5 convs: 8-26 MB per image).
static ck_conv_geometry flipped(const ck_conv_geometry *g) {
    ck_conv_geometry f = *g;
    f.c_in = g->c_out;
    f.c_out = g->c_in;
    f.h = g->out_h;
    f.w = g->out_w;
    f.pad_h = g->kh - 1 - g->pad_h;
    f.pad_w = g->kw - 1 - g->pad_w;
    f.out_h = g->h;
    f.out_w = g->w;
    return f;
}

int ck_conv_implicit_backward_data_suits(const ck_conv_geometry *g) {
    if (g->stride_h != 1 || g->stride_w != 1 || g->dil_h != 1 || g->dil_w != 1) return 0;
    if (g->pad_h > g->kh - 1 || g->pad_w > g->kw - 1) return 0;
    // Output rows that see no tap of an image row (pad beyond the kernel's reach) would be
    // missing from the flipped convolution's output size.
    if (g->out_h != g->h + 2 * g->pad_h - g->kh + 1 || g->out_w != g->w + 2 * g->pad_w - g->kw + 1) return 0;
    ck_conv_geometry f = flipped(g);
    return ck_conv_implicit_suits(&f);
}

void ck_conv_implicit_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx) {
    ck_conv_geometry f = flipped(g);
    long cg = g->c_in / g->groups, og = g->c_out / g->groups, taps = g->kh * g->kw;
    ck_temp flipped_w = ck_temp_alloc((size_t)(g->c_out * cg * taps));
    for (long grp = 0; grp < g->groups; grp++)
        for (long o = 0; o < og; o++)
            for (long c = 0; c < cg; c++) {
                const float *src = w + ((grp * og + o) * cg + c) * taps;
                float *dst = flipped_w.p + ((grp * cg + c) * og + o) * taps;
                for (long t = 0; t < taps; t++) dst[t] = src[taps - 1 - t];
            }
    ck_conv_implicit_forward(&f, gy, flipped_w.p, gx);
    ck_temp_free(flipped_w);
}
