// Packed, cache-blocked SGEMM (GotoBLAS loop order) with a run-time selected micro-kernel.
//
//   for jc (NC columns of C)      B panel  KC x NC  -> L3
//    for pc (KC of the k range)   packed once per (jc, pc)
//     for ic (MC rows)            A block  MC x KC  -> L2
//      for jr (NR), ir (MR)       micro-kernel, B micro-panel KC x NR stays in L1
//
// Large products are split across the pool (parallel.c) along n (or m when n is small)
// in whole tiles; since a tile's arithmetic does not depend on its position (see
// gemm_internal.h) the result is bitwise the same for every thread count.
#include "ckernels.h"
#include "gemm_internal.h"
#include "scratch.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define KC CK_GEMM_KC
#define MC 144   // a multiple of every MR (12, 6, 4)
#define NC 2048
// ~25 us of work at ~150-200 GFLOP/s: the pool's workers spin between jobs, so a split
// pays from here (an MLP step's 64-row products of 4-16 MFLOP ran on one core: gan 9.8 -> 8.9 ms).
#define MIN_CHUNK_FLOPS 4.0e6
#define FINE_CHUNK_FLOPS 1.0e6
#define MIN_CHUNK_TILES 4

static const ck_gemm_isa isa_portable = {CK_MR_PORTABLE, CK_NR_PORTABLE, ck_microkernel_portable, "portable", NULL};
#ifdef CK_X86
static const ck_gemm_isa isa_avx2 = {CK_MR_AVX2, CK_NR_AVX2, ck_microkernel_avx2, "avx2", NULL};
static const ck_gemm_isa isa_avx512 = {CK_MR_AVX512, CK_NR_AVX512, ck_microkernel_avx512, "avx512", ck_microkernel_avx512_strided};
static const ck_gemm_isa isa_bf16 = {CK_MR_AVX512, CK_NR_AVX512, ck_microkernel_bf16, "avx512_bf16", NULL, 1};
#endif

// The calling thread's product precision (ck_set_precision); the pool hands it to the
// workers with each job, so a product's tiles use one precision wherever they run.
static _Thread_local int thread_precision = CK_PRECISION_FP32;

int ck_bf16_supported(void) {
#ifdef CK_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bf16");
#else
    return 0;
#endif
}

int ck_set_precision(int precision) {
    if (precision == CK_PRECISION_BF16 && !ck_bf16_supported()) return 0;
    if (precision != CK_PRECISION_FP32 && precision != CK_PRECISION_BF16) return 0;
    thread_precision = precision;
    return 1;
}

int ck_get_precision(void) { return thread_precision; }

static _Atomic(const ck_gemm_isa *) forced_isa;   // set by tests and benchmarks

static const ck_gemm_isa *best_isa(void) {
#ifdef CK_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return &isa_avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &isa_avx2;
#endif
    return &isa_portable;
}

static const ck_gemm_isa *current_isa(void) {
#ifdef CK_X86
    if (thread_precision == CK_PRECISION_BF16) return &isa_bf16;   // set only where supported
#endif
    const ck_gemm_isa *f = atomic_load(&forced_isa);
    if (f) return f;
    static _Atomic(const ck_gemm_isa *) cached;
    const ck_gemm_isa *c = atomic_load(&cached);
    if (!c) { c = best_isa(); atomic_store(&cached, c); }
    return c;
}

int ck_gemm_set_isa(int isa) {
    const ck_gemm_isa *want = NULL;
    switch (isa) {
    case CK_ISA_AUTO: want = NULL; break;
    case CK_ISA_PORTABLE: want = &isa_portable; break;
#ifdef CK_X86
    case CK_ISA_AVX2:
        __builtin_cpu_init();
        if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) return 0;
        want = &isa_avx2; break;
    case CK_ISA_AVX512:
        __builtin_cpu_init();
        if (!__builtin_cpu_supports("avx512f")) return 0;
        want = &isa_avx512; break;
#endif
    default: return 0;
    }
    atomic_store(&forced_isa, want);
    return 1;
}

const char *ck_gemm_isa_name(void) { return current_isa()->name; }
const ck_gemm_isa *ck_gemm_isa_current(void) { return current_isa(); }

// ---- packing ------------------------------------------------------------------
// op(A)[i0:i0+mc, p0:p0+kc] into MR-row panels, k-major, zero padded to MR rows.
static void pack_a(int ta, const float *a, long lda, long i0, long p0, long mc, long kc,
                   int MR, float *dst) {
    long ir0 = 0;
#ifdef CK_X86
    // MR == 12 only with the AVX-512 micro-kernel, so the CPU has AVX-512.
    if (!ta && MR == CK_MR_AVX512) {
        ir0 = ck_pack_a_avx512(a, lda, i0, p0, mc, kc, dst);
        dst += ir0 * kc;
    }
#endif
    for (long ir = ir0; ir < mc; ir += MR, dst += MR * kc) {
        int mr = (int)(mc - ir < MR ? mc - ir : MR);
        if (ta) {
            for (long p = 0; p < kc; p++) {
                const float *src = a + (p0 + p) * lda + i0 + ir;
                float *d = dst + p * MR;
                if (mr == 12) memcpy(d, src, 12 * sizeof(float));
                else memcpy(d, src, sizeof(float) * (size_t)mr);
                for (int r = mr; r < MR; r++) d[r] = 0.0f;
            }
        } else {
            for (int r = 0; r < MR; r++) {
                if (r >= mr) {
                    for (long p = 0; p < kc; p++) dst[p * MR + r] = 0.0f;
                    continue;
                }
                const float *src = a + (i0 + ir + r) * lda + p0;
                for (long p = 0; p < kc; p++) dst[p * MR + r] = src[p];
            }
        }
    }
}

// op(B)[p0:p0+kc, j0:j0+nc] into NR-column panels, k-major, zero padded to NR columns.
static void pack_b(int tb, const float *b, long ldb, long p0, long j0, long kc, long nc,
                   int NR, float *dst) {
    long jr0 = 0;
#ifdef CK_X86
    // NR == 32 only with the AVX-512 micro-kernel, so the CPU has AVX-512; 16 only with the
    // AVX2 one.
    if (tb && NR == CK_NR_AVX512) {
        jr0 = ck_pack_b_trans_avx512(b, ldb, p0, j0, kc, nc, dst);
        dst += jr0 * kc;
    } else if (tb && NR == CK_NR_AVX2) {
        jr0 = ck_pack_b_trans_avx2(b, ldb, p0, j0, kc, nc, dst);
        dst += jr0 * kc;
    }
#endif
    for (long jr = jr0; jr < nc; jr += NR, dst += NR * kc) {
        int nr = (int)(nc - jr < NR ? nc - jr : NR);
        if (!tb) {
            for (long p = 0; p < kc; p++) {
                const float *src = b + (p0 + p) * ldb + j0 + jr;
                float *d = dst + p * NR;
                // Constant sizes let the compiler inline the copy (a call per 128 bytes was
                // 7% of an MLP step).
                if (nr == 32) memcpy(d, src, 32 * sizeof(float));
                else if (nr == 16) memcpy(d, src, 16 * sizeof(float));
                else memcpy(d, src, sizeof(float) * (size_t)nr);
                for (int j = nr; j < NR; j++) d[j] = 0.0f;
            }
        } else {
            for (int j = 0; j < NR; j++) {
                if (j >= nr) {
                    for (long p = 0; p < kc; p++) dst[p * NR + j] = 0.0f;
                    continue;
                }
                const float *src = b + (j0 + jr + j) * ldb + p0;
                for (long p = 0; p < kc; p++) dst[p * NR + j] = src[p];
            }
        }
    }
}

void ck_gemm_pack_b_matrix(void *ctx, long p0, long j0, long kc, long nc, int nr, float *dst) {
    const ck_matrix *b = ctx;
    pack_b(b->trans, b->data, b->ld, p0, j0, kc, nc, nr, dst);
}

// How many leading columns of op(B) (a multiple of NR) the micro-kernel reads in place:
// the full panels of a non-transposed B, when the ISA has a strided kernel, in a product
// of at most 64 rows. There copying B into panels was pure memory traffic (a thin MLP
// product packs every weight it touches, 6-12% of a step). With more rows each panel is
// read many times, and k rows ldb apart (a power of two for an image's columns) fall into
// a few cache sets: packed, a convolution's product runs 10-30% faster on the Intel kind.
static long in_place_columns(const ck_gemm_isa *isa, int tb, long m, long nc) {
    if (tb || !isa->strided || m > 64) return 0;
    return nc / isa->nr * isa->nr;
}

// One mc x nc block of C from packed A panels (row panel ir at apanels + ir*kc): columns
// below `direct` straight from B (k rows ldb apart), the rest from the packed panels.
static void run_block(const ck_gemm_isa *isa, long mc, long nc, long kc, const float *apanels,
                      const float *b, long ldb, long direct, const float *bufB, float alpha,
                      float beta, float *c, long ldc) {
    const int MR = isa->mr, NR = isa->nr;
    for (long jr = 0; jr < nc; jr += NR) {
        int nr = (int)(nc - jr < NR ? nc - jr : NR);
        for (long ir = 0; ir < mc; ir += MR) {
            int mr = (int)(mc - ir < MR ? mc - ir : MR);
            float *ct = c + ir * ldc + jr;
            if (jr < direct) {
                isa->strided(kc, apanels + ir * kc, b + jr, ldb, ct, ldc, alpha, beta, mr, nr);
            } else if (isa->strided) {
                isa->strided(kc, apanels + ir * kc, bufB + (jr - direct) * kc, NR, ct, ldc, alpha, beta, mr, nr);
            } else {
                isa->kernel(kc, apanels + ir * kc, bufB + (jr - direct) * kc, ct, ldc, alpha, beta, mr, nr);
            }
        }
    }
}

static void scale_c(long m, long n, float beta, float *c, long ldc) {
    for (long i = 0; i < m; i++) {
        float *cr = c + i * ldc;
        if (beta == 0.0f) memset(cr, 0, sizeof(float) * (size_t)n);
        else if (beta != 1.0f) for (long j = 0; j < n; j++) cr[j] *= beta;
    }
}

// `rows`: the whole product's m, of which these m rows are a thread's share (whether B is
// read in place depends on it, not on the thread count).
static void gemm_serial(const ck_gemm_isa *isa, int ta, int tb, long rows, long m, long n, long k,
                        float alpha, const float *a, long lda, const float *b, long ldb,
                        float beta, float *c, long ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0.0f) { scale_c(m, n, beta, c, ldc); return; }
    const int MR = isa->mr, NR = isa->nr;
    long ncap = n < NC ? (n + NR - 1) / NR * NR : NC;
    long kcap = k < KC ? k : KC;
    long mcap = m < MC ? (m + MR - 1) / MR * MR : MC;
    float *bufB = ck_scratch(CK_SCRATCH_GEMM, (size_t)(kcap * ncap + kcap * mcap));
    float *bufA = bufB + kcap * ncap;
    for (long jc = 0; jc < n; jc += NC) {
        long nc = n - jc < NC ? n - jc : NC;
        for (long pc = 0; pc < k; pc += KC) {
            long kc = k - pc < KC ? k - pc : KC;
            float be = pc == 0 ? beta : 1.0f;
            long direct = in_place_columns(isa, tb, rows, nc);
            if (isa->bf16) ck_pack_b_bf16(tb, b, ldb, pc, jc, kc, nc, bufB);
            else if (direct < nc) pack_b(tb, b, ldb, pc, jc + direct, kc, nc - direct, NR, bufB);
            for (long ic = 0; ic < m; ic += MC) {
                long mc = m - ic < MC ? m - ic : MC;
                if (isa->bf16) ck_pack_a_bf16(ta, a, lda, ic, pc, mc, kc, bufA);
                else pack_a(ta, a, lda, ic, pc, mc, kc, MR, bufA);
                run_block(isa, mc, nc, kc, bufA, b + pc * ldb + jc, ldb, direct, bufB, alpha, be,
                          c + ic * ldc + jc, ldc);
            }
        }
    }
}

// ---- pre-packed A -------------------------------------------------------------------
// Layout: for each KC block pc, the MR-row panels of all m rows (padded to MR), so block
// pc starts at pc * mpad and row panel ir within it at ir * kc.
size_t ck_gemm_packed_a_floats(const ck_gemm_isa *isa, long m, long k) {
    long mpad = (m + isa->mr - 1) / isa->mr * isa->mr;
    return (size_t)(mpad * (k > 0 ? k : 1));
}

void ck_gemm_pack_a(const ck_gemm_isa *isa, int trans_a, const float *a, long lda, long m,
                    long k, float *dst) {
    long mpad = (m + isa->mr - 1) / isa->mr * isa->mr;
    for (long pc = 0; pc < k; pc += KC) {
        long kc = k - pc < KC ? k - pc : KC;
        if (isa->bf16) ck_pack_a_bf16(trans_a, a, lda, 0, pc, m, kc, dst + pc * mpad);
        else pack_a(trans_a, a, lda, 0, pc, m, kc, isa->mr, dst + pc * mpad);
    }
}

void ck_gemm_pack_a_rows(const ck_gemm_isa *isa, const float *a, long lda, long m, long k, long row0, long rows,
                         float *dst) {
    long mpad = (m + isa->mr - 1) / isa->mr * isa->mr;
    for (long pc = 0; pc < k; pc += KC) {
        long kc = k - pc < KC ? k - pc : KC;
        pack_a(0, a, lda, 0, pc, rows, kc, isa->mr, dst + pc * mpad + row0 * kc);
    }
}

void ck_gemm_run_packed(const ck_gemm_isa *isa, long m, long n, long k, float alpha,
                        const float *a_packed, ck_pack_b_fn pack_b_fn, void *b_ctx, float beta,
                        float *c, long ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0.0f) { scale_c(m, n, beta, c, ldc); return; }
    const int MR = isa->mr, NR = isa->nr;
    long mpad = (m + MR - 1) / MR * MR;
    long ncap = n < NC ? (n + NR - 1) / NR * NR : NC;
    long kcap = k < KC ? k : KC;
    float *bufB = ck_scratch(CK_SCRATCH_GEMM, (size_t)(kcap * ncap));
    for (long jc = 0; jc < n; jc += NC) {
        long nc = n - jc < NC ? n - jc : NC;
        for (long pc = 0; pc < k; pc += KC) {
            long kc = k - pc < KC ? k - pc : KC;
            float be = pc == 0 ? beta : 1.0f;
            // A plain row-major B (ck_gemm_pack_b_matrix, not transposed) is read in place.
            const ck_matrix *bm = pack_b_fn == ck_gemm_pack_b_matrix ? b_ctx : NULL;
            long direct = bm ? in_place_columns(isa, bm->trans, m, nc) : 0;
            if (isa->bf16) ck_pack_b_bf16(bm->trans, bm->data, bm->ld, pc, jc, kc, nc, bufB);
            else if (direct < nc) pack_b_fn(b_ctx, pc, jc + direct, kc, nc - direct, NR, bufB);
            const float *ablock = a_packed + pc * mpad;
            for (long ic = 0; ic < m; ic += MC) {
                long mc = m - ic < MC ? m - ic : MC;
                run_block(isa, mc, nc, kc, ablock + ic * kc, bm ? bm->data + pc * bm->ld + jc : NULL,
                          bm ? bm->ld : 0, direct, bufB, alpha, be, c + ic * ldc + jc, ldc);
            }
        }
    }
}

// ---- the parallel split --------------------------------------------------------
// Splitting n: each thread packs A once per product into its own scratch (on its first
// chunk), each chunk packs only its own columns of B, so chunks cost nothing extra and
// there can be several per thread: a worker that loses its core mid-chunk then holds back
// only a small piece (the caller claims the rest). A is packed per thread, not once by
// the caller and shared, because the shared buffer was read by the other core in the
// previous product: rewriting it cost a cache-line invalidation per line, about 7x a
// local pack, all on the caller while the worker waited (16% of an MLP step's caller
// time). Splitting m (when n is too narrow) re-packs B per chunk, so those chunks stay
// one per thread and at least four tiles tall.
typedef struct {
    const ck_gemm_isa *isa;
    int ta, tb, split_n;
    long m, n, k, unit, units, chunks;
    float alpha, beta;
    const float *a, *b;
    long lda, ldb, ldc;
    float *c;
    unsigned long id;   // unique per split product: which A a thread's scratch holds
    const float *bias;  // per column of C, added once a chunk is done (or NULL)
    const float *shared_a;   // A packed by the caller for all threads (large A), or NULL
} gemm_job;

// c[i][j] += bias[j] for rows x cols: the broadcast add's arithmetic, on a block in cache.
static void add_bias(float *c, long ldc, long rows, long cols, const float *restrict bias) {
    for (long i = 0; i < rows; i++) {
        float *restrict row = c + i * ldc;
        for (long j = 0; j < cols; j++) row[j] += bias[j];
    }
}

// Split products get unique ids (from 1); slot_job is the product whose packed operand
// (A, or X^T on the thin route) this thread's GEMM_A scratch slot holds, 0 for none.
static _Atomic unsigned long gemm_job_ids;
static _Thread_local unsigned long slot_job;

// The thin-X route (gemm_nt_thin) can be switched off by tests (ck_gemm_set_thin_route),
// to compare it with the packed route.
static atomic_int thin_route = 1;

void ck_gemm_set_thin_route(int enabled) { atomic_store(&thin_route, enabled ? 1 : 0); }

// Past this many floats (1 MB) an operand is packed once by the caller and shared: a copy
// per thread would add its size to every worker's scratch (clustergan's 6272-row products
// pack 1.6 MB), while the invalidations it saves matter less against a product that large.
#define SHARED_PACK_FLOATS (256L * 1024)

// This thread's packed A for job j, packed on its first chunk of j (or the caller's copy).
static const float *thread_packed_a(const gemm_job *j) {
    if (j->shared_a) return j->shared_a;
    float *ap = ck_scratch(CK_SCRATCH_GEMM_A, ck_gemm_packed_a_floats(j->isa, j->m, j->k));
    if (slot_job != j->id) {
        ck_gemm_pack_a(j->isa, j->ta, j->a, j->lda, j->m, j->k, ap);
        slot_job = j->id;
    }
    return ap;
}

static void gemm_chunk(void *ctx, long index) {
    const gemm_job *j = ctx;
    long u0 = j->units * index / j->chunks, u1 = j->units * (index + 1) / j->chunks;
    long lo = u0 * j->unit, hi = u1 * j->unit;
    long total = j->split_n ? j->n : j->m;
    if (hi > total) hi = total;
    if (lo >= hi) return;
    if (j->split_n) {
        ck_matrix bm = {j->tb, j->tb ? j->b + lo * j->ldb : j->b + lo, j->ldb};
        ck_gemm_run_packed(j->isa, j->m, hi - lo, j->k, j->alpha, thread_packed_a(j),
                           ck_gemm_pack_b_matrix, &bm, j->beta, j->c + lo, j->ldc);
        if (j->bias) add_bias(j->c + lo, j->ldc, j->m, hi - lo, j->bias + lo);
    } else {
        const float *a = j->ta ? j->a + lo : j->a + lo * j->lda;
        gemm_serial(j->isa, j->ta, j->tb, j->m, hi - lo, j->n, j->k, j->alpha, a, j->lda, j->b,
                    j->ldb, j->beta, j->c + lo * j->ldc, j->ldc);
        if (j->bias) add_bias(j->c + lo * j->ldc, j->ldc, hi - lo, j->n, j->bias);
    }
}

// ---- thin X times a transposed weight --------------------------------------------
// C[m, n] = alpha X W^T with X [m, k] of at most NT_MAX_ROWS rows and W [n, k] (a layer's
// forward pass): W is read in place 12 rows at a time, X^T is packed (per thread, once per
// product) into 32-wide panels, and each 12-row block of W makes tiles of C^T, summed over
// the K blocks in a small buffer and transposed into C once (ck_tile_nt_accumulate/store).
// The split is over n, in whole 12-row blocks of W.
#define NT_MAX_ROWS 160
#define NT_MAX_PANELS ((NT_MAX_ROWS + 31) / 32)

typedef struct {
    long m, n, k, units, chunks;
    float alpha;
    const float *x, *w;
    long ldx, ldw, ldc;
    float *c;
    const float *bias;
    unsigned long id;
    const float *shared_xt;   // X^T packed by the caller for all threads (large X), or NULL
} nt_job;

// X^T for every K block: block pc at pc * mpad, its 32-wide panels kc floats apart.
static void pack_xt(const nt_job *j, float *xt) {
    long mpad = (j->m + 31) / 32 * 32;
    for (long pc = 0; pc < j->k; pc += KC) {
        long kc = j->k - pc < KC ? j->k - pc : KC;
        pack_b(1, j->x, j->ldx, pc, 0, kc, j->m, 32, xt + pc * mpad);
    }
}

static const float *thread_packed_xt(const nt_job *j) {
    if (j->shared_xt) return j->shared_xt;
    long mpad = (j->m + 31) / 32 * 32;
    float *xt = ck_scratch(CK_SCRATCH_GEMM_A, (size_t)(mpad * j->k));
    if (slot_job != j->id) {
        pack_xt(j, xt);
        slot_job = j->id;
    }
    return xt;
}

static void nt_rows(const nt_job *j, long n0, long n1) {
    const float *xt = thread_packed_xt(j);
    long mpad = (j->m + 31) / 32 * 32, panels = mpad / 32;
    float tot[NT_MAX_PANELS * CK_MR_AVX512 * 32] __attribute__((aligned(64)));
    for (long jn = n0; jn < n1; jn += CK_MR_AVX512) {
        int nr = (int)(n1 - jn < CK_MR_AVX512 ? n1 - jn : CK_MR_AVX512);
        for (long pc = 0; pc < j->k; pc += KC) {
            long kc = j->k - pc < KC ? j->k - pc : KC;
            for (long p = 0; p < panels; p++)
                ck_tile_nt_accumulate(kc, j->w + jn * j->ldw + pc, j->ldw, xt + pc * mpad + p * 32 * kc,
                                      tot + p * CK_MR_AVX512 * 32, pc == 0, j->alpha, nr);
        }
        for (long p = 0; p < panels; p++) {
            int mr = (int)(j->m - 32 * p < 32 ? j->m - 32 * p : 32);
            ck_tile_nt_store(tot + p * CK_MR_AVX512 * 32, j->c + 32 * p * j->ldc + jn, j->ldc, mr, nr,
                             j->bias ? j->bias + jn : NULL);
        }
    }
}

static void nt_chunk(void *ctx, long index) {
    const nt_job *j = ctx;
    long u0 = j->units * index / j->chunks, u1 = j->units * (index + 1) / j->chunks;
    long n0 = u0 * CK_MR_AVX512, n1 = u1 * CK_MR_AVX512 < j->n ? u1 * CK_MR_AVX512 : j->n;
    if (n0 < n1) nt_rows(j, n0, n1);
}

static void gemm_nt_thin(long m, long n, long k, float alpha, const float *x, long ldx,
                         const float *w, long ldw, float *c, long ldc, const float *bias) {
    nt_job j = {m, n, k, (n + CK_MR_AVX512 - 1) / CK_MR_AVX512, 1, alpha, x, w, ldx, ldw, ldc, c,
                bias, atomic_fetch_add(&gemm_job_ids, 1) + 1, NULL};
    int threads = ck_parallel_width();
    if (threads > 1) {
        double flops = 2.0 * (double)m * (double)n * (double)k;
        // Split from MIN_CHUNK_FLOPS; then small chunks (a chunk costs only a claim here, X^T
        // is packed once per thread), so the last one to finish holds the other thread
        // back little.
        long chunks = flops < MIN_CHUNK_FLOPS ? 1 : (long)(flops / FINE_CHUNK_FLOPS);
        if (chunks > 16L * threads) chunks = 16L * threads;
        if (chunks > j.units) chunks = j.units;
        if (chunks > 1) {
            j.chunks = chunks;
            size_t floats = (size_t)((m + 31) / 32 * 32 * k);
            if (floats > SHARED_PACK_FLOATS) {
                float *xt = ck_scratch(CK_SCRATCH_GEMM_A, floats);
                pack_xt(&j, xt);
                slot_job = 0;
                j.shared_xt = xt;
            }
            ck_parallel_for(chunks, nt_chunk, &j);
            return;
        }
    }
    nt_rows(&j, 0, n);
}

void ck_sgemm(int trans_a, int trans_b, long m, long n, long k, float alpha,
              const float *a, long lda, const float *b, long ldb, float beta,
              float *c, long ldc) {
    ck_sgemm_bias(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, NULL);
}

void ck_sgemm_bias(int trans_a, int trans_b, long m, long n, long k, float alpha,
                   const float *a, long lda, const float *b, long ldb, float beta,
                   float *c, long ldc, const float *bias) {
    const ck_gemm_isa *isa = current_isa();
#ifdef CK_X86
    if (isa->strided == ck_microkernel_avx512_strided && !trans_a && trans_b && m > 0 && m <= NT_MAX_ROWS &&
        n > 0 && k > 0 && alpha != 0.0f && beta == 0.0f && atomic_load(&thin_route)) {
        gemm_nt_thin(m, n, k, alpha, a, lda, b, ldb, c, ldc, bias);
        return;
    }
#endif
    int threads = ck_parallel_width();
    double flops = 2.0 * (double)m * (double)n * (double)k;
    long chunks = threads > 1 ? (long)(flops / MIN_CHUNK_FLOPS) : 1;
    if (chunks > 1 && k > 0 && alpha != 0.0f && m > 0 && n > 0) {
        gemm_job job = {isa, trans_a, trans_b, 1, m, n, k, isa->nr, 0, 0, alpha, beta,
                        a, b, lda, ldb, ldc, c, atomic_fetch_add(&gemm_job_ids, 1) + 1, bias, NULL};
        long ntiles = (n + isa->nr - 1) / isa->nr, mtiles = (m + isa->mr - 1) / isa->mr;
        // Split the wider side: every chunk of columns reads all of A, every chunk of rows
        // packs all of B. A conv's m x k weight against a few hundred columns (cout 1024,
        // 256 positions: a 16 MB A re-read per 32 columns) went no faster on two threads.
        if (ntiles >= 2 * threads && n >= m) {
            // Small chunks, as in gemm_nt_thin: each packs only its own columns of B; at
            // least MIN_CHUNK_TILES wide, so a chunk uses what it reads of A more than once.
            chunks = (long)(flops / FINE_CHUNK_FLOPS);
            if (chunks > 16L * threads) chunks = 16L * threads;
            long widest = ntiles / MIN_CHUNK_TILES;
            if (chunks > widest) chunks = widest > 2 * threads ? widest : 2 * threads;
            job.units = ntiles;
        } else {
            if (chunks > threads) chunks = threads;
            job.split_n = 0;
            job.unit = isa->mr;
            job.units = mtiles;
            if (chunks > mtiles / 4) chunks = mtiles / 4;
        }
        if (chunks > job.units) chunks = job.units;
        if (chunks > 1) {
            job.chunks = chunks;
            size_t a_floats = ck_gemm_packed_a_floats(isa, m, k);
            if (job.split_n && a_floats > SHARED_PACK_FLOATS) {
                float *ap = ck_scratch(CK_SCRATCH_GEMM_A, a_floats);
                ck_gemm_pack_a(isa, trans_a, a, lda, m, k, ap);
                slot_job = 0;
                job.shared_a = ap;
            }
            ck_parallel_for(chunks, gemm_chunk, &job);
            return;
        }
    }
    gemm_serial(isa, trans_a, trans_b, m, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    if (bias && m > 0) add_bias(c, ldc, m, n, bias);
}

// The straightforward triple loop, kept as the reference the tests compare against.
void ck_sgemm_reference(int trans_a, int trans_b, long m, long n, long k, float alpha,
                        const float *a, long lda, const float *b, long ldb, float beta,
                        float *c, long ldc) {
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j++) {
            double s = 0.0;
            for (long p = 0; p < k; p++) {
                double av = trans_a ? a[p * lda + i] : a[i * lda + p];
                double bv = trans_b ? b[j * ldb + p] : b[p * ldb + j];
                s += av * bv;
            }
            float *cij = c + i * ldc + j;
            *cij = beta == 0.0f ? (float)(alpha * s) : (float)(alpha * s + beta * (double)*cij);
        }
    }
}
