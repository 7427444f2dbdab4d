// Private interface between the GEMM driver (gemm.c) and its micro-kernels.
#ifndef CK_GEMM_INTERNAL_H
#define CK_GEMM_INTERNAL_H
#include <stddef.h>

// A micro-kernel computes one MR x NR tile from packed panels:
//   acc = sum_{p<kc} a[p*MR + r] * b[p*NR + j]     (packed panels, zero padded)
//   c[r*ldc + j] = beta == 0 ? alpha*acc : fma(alpha, acc, beta*c)   for r<mr, j<nr
// Edge tiles (mr < MR or nr < NR) use exactly the same arithmetic as full ones, so a
// result does not depend on where the tile falls; that makes the product independent of
// how the driver splits C across threads.
typedef void (*ck_microkernel)(long kc, const float *a, const float *b, float *c,
                               long ldc, float alpha, float beta, int mr, int nr);

// The same with B's k rows ldb floats apart instead of nr: lets the driver read full
// panels of a row-major B in place instead of copying them (NULL where not provided).
typedef void (*ck_microkernel_strided)(long kc, const float *a, const float *b, long ldb,
                                       float *c, long ldc, float alpha, float beta, int mr, int nr);

typedef struct {
    int mr, nr;            // tile shape of the micro-kernel
    ck_microkernel kernel;
    const char *name;
    ck_microkernel_strided strided;
    int bf16;              // panels hold bfloat16 pairs along k (gemm_bf16.c), not floats
} ck_gemm_isa;

#if defined(__x86_64__) || defined(__i386__)
#define CK_X86 1
void ck_microkernel_avx512(long kc, const float *a, const float *b, float *c, long ldc,
                           float alpha, float beta, int mr, int nr);
void ck_microkernel_avx512_strided(long kc, const float *a, const float *b, long ldb, float *c,
                                   long ldc, float alpha, float beta, int mr, int nr);
void ck_microkernel_avx2(long kc, const float *a, const float *b, float *c, long ldc,
                         float alpha, float beta, int mr, int nr);
// Pack the full 32-column (AVX-512) or 16-column (AVX2) panels of a transposed B (see
// gemm_avx512.c, gemm_avx2.c); return the number of columns done.
long ck_pack_b_trans_avx512(const float *b, long ldb, long p0, long j0, long kc, long nc, float *dst);
long ck_pack_b_trans_avx2(const float *b, long ldb, long p0, long j0, long kc, long nc, float *dst);
// Tiles of C = alpha X W^T (beta 0), W read in place (12 rows, ldw floats apart) and X^T
// packed as 32-wide B panels, summed over K blocks in a 12x32 buffer, then transposed into
// C; see gemm_avx512.c.
void ck_tile_nt_accumulate(long kc, const float *w, long ldw, const float *xt, float *tot,
                           int first, float alpha, int nr);
void ck_tile_nt_store(const float *tot, float *c, long ldc, int mr, int nr, const float *bias);
// Packs the full 12-row panels of a non-transposed A; returns the number of rows done.
long ck_pack_a_avx512(const float *a, long lda, long i0, long p0, long mc, long kc, float *dst);
// bfloat16 products, float32 sums (gemm_bf16.c), on AVX512_BF16: the micro-kernel and the
// packers that write the pair panels it reads, laid out as the float32 panels.
void ck_microkernel_bf16(long kc, const float *a, const float *b, float *c, long ldc,
                         float alpha, float beta, int mr, int nr);
void ck_pack_a_bf16(int ta, const float *a, long lda, long i0, long p0, long mc, long kc, float *dst);
void ck_pack_b_bf16(int tb, const float *b, long ldb, long p0, long j0, long kc, long nc, float *dst);
#else
// No bf16 ISA elsewhere, so the driver never packs for it.
static inline void ck_pack_a_bf16(int ta, const float *a, long lda, long i0, long p0, long mc, long kc, float *dst) {}
static inline void ck_pack_b_bf16(int tb, const float *b, long ldb, long p0, long j0, long kc, long nc, float *dst) {}
#endif
void ck_microkernel_portable(long kc, const float *a, const float *b, float *c, long ldc,
                             float alpha, float beta, int mr, int nr);

// ---- pre-packed A, B packed by a callback (used by the convolution driver) ----------
// The ISA the public ck_sgemm uses now; pass the same one to the functions below.
const ck_gemm_isa *ck_gemm_isa_current(void);
// Floats needed to hold op(A) [m, k] packed once for ck_gemm_run_packed.
size_t ck_gemm_packed_a_floats(const ck_gemm_isa *isa, long m, long k);
void ck_gemm_pack_a(const ck_gemm_isa *isa, int trans_a, const float *a, long lda, long m,
                    long k, float *dst);
// Rows [row0, row0 + rows) of an m x k row-major A (a: its row row0, lda apart) packed into
// their place in ck_gemm_pack_a's layout of all of A at dst; row0 a multiple of the ISA's mr,
// a float32 ISA. For a caller that builds A a block of rows at a time.
void ck_gemm_pack_a_rows(const ck_gemm_isa *isa, const float *a, long lda, long m, long k, long row0, long rows,
                         float *dst);
// The k range of one block of packed A (gemm.c's KC).
#define CK_GEMM_KC 256
// Where element (row, col) of an m x k A lands in ck_gemm_pack_a's float32 layout: for each
// CK_GEMM_KC block of columns, the mr-row panels of all rows (padded to mr), each stored
// column by column. Consecutive columns of a row inside one block are mr floats apart. For a
// caller that builds A straight into that layout (padded rows zeroed) instead of packing it.
static inline long ck_gemm_packed_a_offset(const ck_gemm_isa *isa, long m, long k, long row, long col) {
    long mr = isa->mr, mpad = (m + mr - 1) / mr * mr, pc = col / CK_GEMM_KC * CK_GEMM_KC;
    long kc = k - pc < CK_GEMM_KC ? k - pc : CK_GEMM_KC;
    return pc * mpad + row / mr * mr * kc + (col - pc) * mr + row % mr;
}
// Packs op(B)[p0:p0+kc, j0:j0+nc] as ck_gemm's B panels: NR-column panels, k-major,
// zero padded to NR columns (panel jr/NR at dst + jr*kc). A bf16 ISA packs B itself and
// takes only ck_gemm_pack_b_matrix.
typedef void (*ck_pack_b_fn)(void *ctx, long p0, long j0, long kc, long nc, int nr, float *dst);
// The ck_pack_b_fn for an ordinary matrix (ctx: a ck_matrix).
typedef struct { int trans; const float *data; long ld; } ck_matrix;
void ck_gemm_pack_b_matrix(void *ctx, long p0, long j0, long kc, long nc, int nr, float *dst);
// C = alpha * A * op(B) + beta * C on the calling thread, with the same blocking and
// arithmetic as ck_sgemm (so the same numbers).
void ck_gemm_run_packed(const ck_gemm_isa *isa, long m, long n, long k, float alpha,
                        const float *a_packed, ck_pack_b_fn pack_b, void *b_ctx, float beta,
                        float *c, long ldc);

#define CK_MR_AVX512 12
#define CK_NR_AVX512 32
#define CK_MR_AVX2 6
#define CK_NR_AVX2 16
#define CK_MR_PORTABLE 4
#define CK_NR_PORTABLE 8
#define CK_MR_MAX CK_MR_AVX512   // the tallest micro-tile of any ISA

#endif
