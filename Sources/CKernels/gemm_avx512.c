// AVX-512 12x32 micro-kernel: 24 zmm accumulators, two B vectors, one broadcast.
// Selected at run time by gemm.c, so the rest of the target needs no ISA flags.
//
// The k loop is inline assembly on purpose: SwiftPM builds C at -O0 in debug builds
// (what `swift test` runs), where intrinsics keep every accumulator in memory and the
// kernel drops from ~115 to ~3 GFLOP/s; the assembly runs at full speed at any -O level.
// The loop is the same vfmadd231ps sequence the compiler emits from intrinsics at -O2.
// Edge tiles with mr < 12 use a variant that skips the padded rows; the arithmetic per
// element is identical in every variant (one FMA per k, in k order).
#include "gemm_internal.h"
#ifdef CK_X86
#include <immintrin.h>

#define FMA_0 "vbroadcastss 0(%[a]), %%zmm26\n\t" \
    "vfmadd231ps %%zmm24, %%zmm26, %%zmm0\n\t" "vfmadd231ps %%zmm25, %%zmm26, %%zmm1\n\t"
#define FMA_1 "vbroadcastss 4(%[a]), %%zmm26\n\t" \
    "vfmadd231ps %%zmm24, %%zmm26, %%zmm2\n\t" "vfmadd231ps %%zmm25, %%zmm26, %%zmm3\n\t"
#define FMA_2 "vbroadcastss 8(%[a]), %%zmm26\n\t" \
    "vfmadd231ps %%zmm24, %%zmm26, %%zmm4\n\t" "vfmadd231ps %%zmm25, %%zmm26, %%zmm5\n\t"
#define FMA_3 "vbroadcastss 12(%[a]), %%zmm26\n\t" \
    "vfmadd231ps %%zmm24, %%zmm26, %%zmm6\n\t" "vfmadd231ps %%zmm25, %%zmm26, %%zmm7\n\t"
#define FMA_4 "vbroadcastss 16(%[a]), %%zmm26\n\t" \
    "vfmadd231ps %%zmm24, %%zmm26, %%zmm8\n\t" "vfmadd231ps %%zmm25, %%zmm26, %%zmm9\n\t"
#define FMA_5 "vbroadcastss 20(%[a]), %%zmm26\n\t" \
    "vfmadd231ps %%zmm24, %%zmm26, %%zmm10\n\t" "vfmadd231ps %%zmm25, %%zmm26, %%zmm11\n\t"
#define FMA_6 "vbroadcastss 24(%[a]), %%zmm26\n\t" \
    "vfmadd231ps %%zmm24, %%zmm26, %%zmm12\n\t" "vfmadd231ps %%zmm25, %%zmm26, %%zmm13\n\t"
#define FMA_7 "vbroadcastss 28(%[a]), %%zmm26\n\t" \
    "vfmadd231ps %%zmm24, %%zmm26, %%zmm14\n\t" "vfmadd231ps %%zmm25, %%zmm26, %%zmm15\n\t"
#define FMA_8 "vbroadcastss 32(%[a]), %%zmm26\n\t" \
    "vfmadd231ps %%zmm24, %%zmm26, %%zmm16\n\t" "vfmadd231ps %%zmm25, %%zmm26, %%zmm17\n\t"
#define FMA_9 "vbroadcastss 36(%[a]), %%zmm26\n\t" \
    "vfmadd231ps %%zmm24, %%zmm26, %%zmm18\n\t" "vfmadd231ps %%zmm25, %%zmm26, %%zmm19\n\t"
#define FMA_10 "vbroadcastss 40(%[a]), %%zmm26\n\t" \
    "vfmadd231ps %%zmm24, %%zmm26, %%zmm20\n\t" "vfmadd231ps %%zmm25, %%zmm26, %%zmm21\n\t"
#define FMA_11 "vbroadcastss 44(%[a]), %%zmm26\n\t" \
    "vfmadd231ps %%zmm24, %%zmm26, %%zmm22\n\t" "vfmadd231ps %%zmm25, %%zmm26, %%zmm23\n\t"
#define ZERO_0 "vpxord %%zmm0, %%zmm0, %%zmm0\n\t" "vpxord %%zmm1, %%zmm1, %%zmm1\n\t"
#define ZERO_1 "vpxord %%zmm2, %%zmm2, %%zmm2\n\t" "vpxord %%zmm3, %%zmm3, %%zmm3\n\t"
#define ZERO_2 "vpxord %%zmm4, %%zmm4, %%zmm4\n\t" "vpxord %%zmm5, %%zmm5, %%zmm5\n\t"
#define ZERO_3 "vpxord %%zmm6, %%zmm6, %%zmm6\n\t" "vpxord %%zmm7, %%zmm7, %%zmm7\n\t"
#define ZERO_4 "vpxord %%zmm8, %%zmm8, %%zmm8\n\t" "vpxord %%zmm9, %%zmm9, %%zmm9\n\t"
#define ZERO_5 "vpxord %%zmm10, %%zmm10, %%zmm10\n\t" "vpxord %%zmm11, %%zmm11, %%zmm11\n\t"
#define ZERO_6 "vpxord %%zmm12, %%zmm12, %%zmm12\n\t" "vpxord %%zmm13, %%zmm13, %%zmm13\n\t"
#define ZERO_7 "vpxord %%zmm14, %%zmm14, %%zmm14\n\t" "vpxord %%zmm15, %%zmm15, %%zmm15\n\t"
#define ZERO_8 "vpxord %%zmm16, %%zmm16, %%zmm16\n\t" "vpxord %%zmm17, %%zmm17, %%zmm17\n\t"
#define ZERO_9 "vpxord %%zmm18, %%zmm18, %%zmm18\n\t" "vpxord %%zmm19, %%zmm19, %%zmm19\n\t"
#define ZERO_10 "vpxord %%zmm20, %%zmm20, %%zmm20\n\t" "vpxord %%zmm21, %%zmm21, %%zmm21\n\t"
#define ZERO_11 "vpxord %%zmm22, %%zmm22, %%zmm22\n\t" "vpxord %%zmm23, %%zmm23, %%zmm23\n\t"
#define SAVE_0 "vmovups %%zmm0, 0(%[t])\n\t" "vmovups %%zmm1, 64(%[t])\n\t"
#define SAVE_1 "vmovups %%zmm2, 128(%[t])\n\t" "vmovups %%zmm3, 192(%[t])\n\t"
#define SAVE_2 "vmovups %%zmm4, 256(%[t])\n\t" "vmovups %%zmm5, 320(%[t])\n\t"
#define SAVE_3 "vmovups %%zmm6, 384(%[t])\n\t" "vmovups %%zmm7, 448(%[t])\n\t"
#define SAVE_4 "vmovups %%zmm8, 512(%[t])\n\t" "vmovups %%zmm9, 576(%[t])\n\t"
#define SAVE_5 "vmovups %%zmm10, 640(%[t])\n\t" "vmovups %%zmm11, 704(%[t])\n\t"
#define SAVE_6 "vmovups %%zmm12, 768(%[t])\n\t" "vmovups %%zmm13, 832(%[t])\n\t"
#define SAVE_7 "vmovups %%zmm14, 896(%[t])\n\t" "vmovups %%zmm15, 960(%[t])\n\t"
#define SAVE_8 "vmovups %%zmm16, 1024(%[t])\n\t" "vmovups %%zmm17, 1088(%[t])\n\t"
#define SAVE_9 "vmovups %%zmm18, 1152(%[t])\n\t" "vmovups %%zmm19, 1216(%[t])\n\t"
#define SAVE_10 "vmovups %%zmm20, 1280(%[t])\n\t" "vmovups %%zmm21, 1344(%[t])\n\t"
#define SAVE_11 "vmovups %%zmm22, 1408(%[t])\n\t" "vmovups %%zmm23, 1472(%[t])\n\t"
#define ROWS1(X) X##_0
#define ROWS2(X) ROWS1(X) X##_1
#define ROWS3(X) ROWS2(X) X##_2
#define ROWS4(X) ROWS3(X) X##_3
#define ROWS5(X) ROWS4(X) X##_4
#define ROWS6(X) ROWS5(X) X##_5
#define ROWS7(X) ROWS6(X) X##_6
#define ROWS8(X) ROWS7(X) X##_7
#define ROWS9(X) ROWS8(X) X##_8
#define ROWS10(X) ROWS9(X) X##_9
#define ROWS11(X) ROWS10(X) X##_10
#define ROWS12(X) ROWS11(X) X##_11

#define CLOBBERS "zmm0", "zmm1", "zmm2", "zmm3", "zmm4", "zmm5", "zmm6", "zmm7", "zmm8", \
    "zmm9", "zmm10", "zmm11", "zmm12", "zmm13", "zmm14", "zmm15", "zmm16", "zmm17", "zmm18", \
    "zmm19", "zmm20", "zmm21", "zmm22", "zmm23", "zmm24", "zmm25", "zmm26"

// STORE_r / ADDSTORE_r write row r of the tile straight to C (then step to the next row):
// the full-tile epilogue, with no round trip through a stack buffer.
#define ST(R0, R1) "vmovups %%zmm" #R0 ", (%[c])\n\t" "vmovups %%zmm" #R1 ", 64(%[c])\n\t" "add %[ldc], %[c]\n\t"
#define AST(R0, R1) "vaddps (%[c]), %%zmm" #R0 ", %%zmm" #R0 "\n\t" "vaddps 64(%[c]), %%zmm" #R1 ", %%zmm" #R1 "\n\t" ST(R0, R1)
#define STORE_ALL ST(0, 1) ST(2, 3) ST(4, 5) ST(6, 7) ST(8, 9) ST(10, 11) ST(12, 13) ST(14, 15) \
    ST(16, 17) ST(18, 19) ST(20, 21) ST(22, 23)
#define ADDSTORE_ALL AST(0, 1) AST(2, 3) AST(4, 5) AST(6, 7) AST(8, 9) AST(10, 11) AST(12, 13) \
    AST(14, 15) AST(16, 17) AST(18, 19) AST(20, 21) AST(22, 23)
#define KBODY(R) \
    "test %[kc], %[kc]\n\t" "jle 2f\n\t" \
    "1:\n\t" \
    "vmovups (%[b]), %%zmm24\n\t" "vmovups 64(%[b]), %%zmm25\n\t" \
    ROWS##R(FMA) \
    "add $48, %[a]\n\t" "add %[bs], %[b]\n\t" "dec %[kc]\n\t" "jnz 1b\n\t" \
    "2:\n\t"

// acc[r*32 + j] = sum_p a[p*12 + r] * b[p*bs/4 + j] for r < R (rows >= R untouched); bs is
// the byte step between B's k rows: 128 for a packed panel, 4*ldb when B is read in place.
#define KLOOP(R) \
    __attribute__((target("avx512f"), noinline)) static void kloop_##R( \
        long kc, const float *a, const float *b, long bs, float *acc) { \
        __asm__ volatile(ROWS##R(ZERO) KBODY(R) ROWS##R(SAVE) \
            : [a] "+r"(a), [b] "+r"(b), [kc] "+r"(kc) : [t] "r"(acc), [bs] "r"(bs) \
            : "memory", "cc", CLOBBERS); }
KLOOP(1) KLOOP(2) KLOOP(3) KLOOP(4) KLOOP(5) KLOOP(6)
KLOOP(7) KLOOP(8) KLOOP(9) KLOOP(10) KLOOP(11) KLOOP(12)

typedef void (*kloop_fn)(long, const float *, const float *, long, float *);
static const kloop_fn kloops[13] = {NULL, kloop_1, kloop_2, kloop_3, kloop_4, kloop_5,
    kloop_6, kloop_7, kloop_8, kloop_9, kloop_10, kloop_11, kloop_12};

// A full 12x32 tile with alpha 1 and beta 0 (store) or 1 (add): the common case, written
// to C from the accumulators. The sums are the same as the general path's (1*x and
// fma(1, x, 1*c) are exact), so results do not depend on which path a tile takes.
__attribute__((target("avx512f"), noinline))
static void kfull_12(long kc, const float *a, const float *b, long bs, float *c, long ldc_bytes,
                     int accumulate) {
    if (accumulate) {
        __asm__ volatile(ROWS12(ZERO) KBODY(12) ADDSTORE_ALL
            : [a] "+r"(a), [b] "+r"(b), [kc] "+r"(kc), [c] "+r"(c) : [bs] "r"(bs), [ldc] "r"(ldc_bytes)
            : "memory", "cc", CLOBBERS);
    } else {
        __asm__ volatile(ROWS12(ZERO) KBODY(12) STORE_ALL
            : [a] "+r"(a), [b] "+r"(b), [kc] "+r"(kc), [c] "+r"(c) : [bs] "r"(bs), [ldc] "r"(ldc_bytes)
            : "memory", "cc", CLOBBERS);
    }
}

__attribute__((target("avx512f")))
void ck_microkernel_avx512_strided(long kc, const float *a, const float *b, long ldb, float *c,
                                   long ldc, float alpha, float beta, int mr, int nr) {
    if (mr == CK_MR_AVX512 && nr == CK_NR_AVX512 && alpha == 1.0f && (beta == 0.0f || beta == 1.0f)) {
        kfull_12(kc, a, b, ldb * 4, c, ldc * 4, beta == 1.0f);
        return;
    }
    float acc[CK_MR_AVX512 * CK_NR_AVX512] __attribute__((aligned(64)));
    kloops[mr < 1 ? 1 : mr > 12 ? 12 : mr](kc, a, b, ldb * 4, acc);
    __mmask16 m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1u);
    __mmask16 m1 = nr >= 32 ? (__mmask16)0xFFFF : nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1u);
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (int r = 0; r < mr; r++) {
        float *cr = c + r * ldc;
        __m512 x0 = _mm512_load_ps(acc + r * 32), x1 = _mm512_load_ps(acc + r * 32 + 16);
        __m512 o0, o1;
        if (beta == 0.0f) {
            o0 = _mm512_mul_ps(va, x0);
            o1 = _mm512_mul_ps(va, x1);
        } else {
            o0 = _mm512_fmadd_ps(va, x0, _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m0, cr)));
            o1 = _mm512_fmadd_ps(va, x1, _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m1, cr + 16)));
        }
        _mm512_mask_storeu_ps(cr, m0, o0);
        _mm512_mask_storeu_ps(cr + 16, m1, o1);
    }
}

__attribute__((target("avx512f")))
void ck_microkernel_avx512(long kc, const float *a, const float *b, float *c, long ldc,
                           float alpha, float beta, int mr, int nr) {
    ck_microkernel_avx512_strided(kc, a, b, CK_NR_AVX512, c, ldc, alpha, beta, mr, nr);
}

// 16x16 transpose: dst row q = column q of the src rows, stored under `keep` (the first
// 12 lanes for an A panel). Rows from `rows` on repeat row 0 (their columns are not kept).
__attribute__((target("avx512f")))
static inline void transpose16(const float *src, long ld, int rows, float *dst, long ldd, __mmask16 keep) {
    __m512 r[16], t[16];
    for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(src + (i < rows ? i : 0) * ld);
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        r[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int h = 0; h < 2; h++) {
        for (int i = 0; i < 4; i++) {
            t[8 * h + i] = _mm512_shuffle_f32x4(r[8 * h + i], r[8 * h + i + 4], 0x88);
            t[8 * h + i + 4] = _mm512_shuffle_f32x4(r[8 * h + i], r[8 * h + i + 4], 0xdd);
        }
    }
    for (int i = 0; i < 8; i++) {
        _mm512_mask_storeu_ps(dst + i * ldd, keep, _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88));
        _mm512_mask_storeu_ps(dst + (i + 8) * ldd, keep, _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd));
    }
}

// Packs full 12-row panels of a row-major A (rows i0.., k range p0..p0+kc) as MR = 12
// k-major panels with 16x16 transposes of the 12 rows. The scalar loop stored one float at
// a time and ran on the calling thread before every split product (2-3% of an MLP step).
// Returns the rows packed.
__attribute__((target("avx512f")))
long ck_pack_a_avx512(const float *a, long lda, long i0, long p0, long mc, long kc, float *dst) {
    long full = mc / CK_MR_AVX512 * CK_MR_AVX512;
    long kc16 = kc / 16 * 16;
    for (long ir = 0; ir < full; ir += CK_MR_AVX512, dst += CK_MR_AVX512 * kc) {
        const float *rows = a + (i0 + ir) * lda + p0;
        for (long p = 0; p < kc16; p += 16)
            transpose16(rows + p, lda, CK_MR_AVX512, dst + p * CK_MR_AVX512, CK_MR_AVX512, (__mmask16)0x0FFF);
        for (long p = kc16; p < kc; p++) {
            for (int r = 0; r < CK_MR_AVX512; r++) dst[p * CK_MR_AVX512 + r] = rows[r * lda + p];
        }
    }
    return full;
}

// Packs the full 32-column panels of op(B) = B^T (B stored [n, k] row-major, so a panel's
// columns are 32 rows of B) with 16x16 transposes; the scalar loop in gemm.c took one store
// per element and was the largest cost after the micro-kernel in thin products (an MLP's
// batch of 64 rows times a weight). Returns how many columns it packed (a multiple of 32).
__attribute__((target("avx512f")))
long ck_pack_b_trans_avx512(const float *b, long ldb, long p0, long j0, long kc, long nc, float *dst) {
    long full = nc / CK_NR_AVX512 * CK_NR_AVX512;
    long kc16 = kc / 16 * 16;
    for (long jr = 0; jr < full; jr += CK_NR_AVX512, dst += CK_NR_AVX512 * kc) {
        for (int half = 0; half < 2; half++) {
            const float *rows = b + (j0 + jr + 16 * half) * ldb + p0;
            for (long p = 0; p < kc16; p += 16)
                transpose16(rows + p, ldb, 16, dst + p * CK_NR_AVX512 + 16 * half, CK_NR_AVX512, (__mmask16)0xFFFF);
            for (long p = kc16; p < kc; p++) {
                for (int j = 0; j < 16; j++) dst[p * CK_NR_AVX512 + 16 * half + j] = rows[j * ldb + p];
            }
        }
    }
    return full;
}
// ---- C = alpha X W^T + beta C for a thin X, with W read in place --------------------------
// A layer's forward pass, X [m, k] (a batch of rows) times a weight W [n, k] transposed,
// computed as C^T = W X^T: the tile's broadcast operand is 12 rows of W read straight from
// W (three row pointers, row strides ld and 3*ld), its vector operand X^T packed into a
// 32-wide panel (X is small), and the 12x32 tile of C^T is transposed on the way out. The
// usual route packs W^T with 16x16 transposes, which was the largest cost after the
// micro-kernel in MLP steps (every weight packed on every forward pass). Per element the
// arithmetic is the usual kernel's: one FMA per k in k order (x*w, the same exact product),
// per K block, then alpha*acc on the first block and fma(alpha, acc, c) after it (beta 0).
#define TF(R0, R1, ADDR) "vbroadcastss " ADDR ", %%zmm26\n\t" \
    "vfmadd231ps %%zmm24, %%zmm26, %%zmm" #R0 "\n\t" "vfmadd231ps %%zmm25, %%zmm26, %%zmm" #R1 "\n\t"
#define TF_0 TF(0, 1, "(%[w0])")
#define TF_1 TF(2, 3, "(%[w0],%[ld],1)")
#define TF_2 TF(4, 5, "(%[w0],%[ld],2)")
#define TF_3 TF(6, 7, "(%[w0],%[ld3],1)")
#define TF_4 TF(8, 9, "(%[w4])")
#define TF_5 TF(10, 11, "(%[w4],%[ld],1)")
#define TF_6 TF(12, 13, "(%[w4],%[ld],2)")
#define TF_7 TF(14, 15, "(%[w4],%[ld3],1)")
#define TF_8 TF(16, 17, "(%[w8])")
#define TF_9 TF(18, 19, "(%[w8],%[ld],1)")
#define TF_10 TF(20, 21, "(%[w8],%[ld],2)")
#define TF_11 TF(22, 23, "(%[w8],%[ld3],1)")
#define KBODY_T(R) \
    "test %[kc], %[kc]\n\t" "jle 2f\n\t" \
    "1:\n\t" \
    "vmovups (%[b]), %%zmm24\n\t" "vmovups 64(%[b]), %%zmm25\n\t" \
    ROWS##R(TF) \
    "add $4, %[w0]\n\t" "add $4, %[w4]\n\t" "add $4, %[w8]\n\t" "add $128, %[b]\n\t" \
    "dec %[kc]\n\t" "jnz 1b\n\t" \
    "2:\n\t"

// acc[r*32 + j] = sum_p w[r*ld + p] * b[p*32 + j] for r < R (ld in bytes).
#define TLOOP(R) \
    __attribute__((target("avx512f"), noinline)) static void tloop_##R( \
        long kc, const float *w, long ld, const float *b, float *acc) { \
        const float *w0 = w, *w4 = R > 4 ? (const float *)((const char *)w + 4 * ld) : w; \
        const float *w8 = R > 8 ? (const float *)((const char *)w + 8 * ld) : w; \
        long ld3 = 3 * ld; \
        __asm__ volatile(ROWS##R(ZERO) KBODY_T(R) ROWS##R(SAVE) \
            : [w0] "+r"(w0), [w4] "+r"(w4), [w8] "+r"(w8), [b] "+r"(b), [kc] "+r"(kc) \
            : [t] "r"(acc), [ld] "r"(ld), [ld3] "r"(ld3) \
            : "memory", "cc", CLOBBERS); }
TLOOP(1) TLOOP(2) TLOOP(3) TLOOP(4) TLOOP(5) TLOOP(6)
TLOOP(7) TLOOP(8) TLOOP(9) TLOOP(10) TLOOP(11) TLOOP(12)

typedef void (*tloop_fn)(long, const float *, long, const float *, float *);
static const tloop_fn tloops[13] = {NULL, tloop_1, tloop_2, tloop_3, tloop_4, tloop_5,
    tloop_6, tloop_7, tloop_8, tloop_9, tloop_10, tloop_11, tloop_12};

// One K block of a tile of C^T (nr <= 12 rows of W, ldw floats apart, times the packed X^T
// panel xt): tot = alpha * acc on the first block, fma(alpha, acc, tot) after it, tot laid
// out as acc (row r of W at r*32). The running sum stays in this L1-resident buffer across
// K blocks, in float, exactly as C in memory holds it on the usual route, so the numbers
// are the same, and the tile is transposed into C once at the end (ck_tile_nt_store).
__attribute__((target("avx512f")))
void ck_tile_nt_accumulate(long kc, const float *w, long ldw, const float *xt, float *tot,
                           int first, float alpha, int nr) {
    float acc[CK_MR_AVX512 * CK_NR_AVX512] __attribute__((aligned(64)));
    tloops[nr < 1 ? 1 : nr > 12 ? 12 : nr](kc, w, ldw * 4, xt, acc);
    __m512 va = _mm512_set1_ps(alpha);
    for (int q = 0; q < 2 * nr; q++) {
        __m512 x = _mm512_load_ps(acc + 16 * q);
        __m512 t = first ? _mm512_mul_ps(va, x) : _mm512_fmadd_ps(va, x, _mm512_load_ps(tot + 16 * q));
        _mm512_store_ps(tot + 16 * q, t);
    }
}

// C[i][j] = tot[j*32 + i] (+ bias[j], when given: the broadcast add's fl(c + b), done
// here instead of in a second pass) for i < mr (<= 32), j < nr (<= 12): two 16x16
// transposes.
__attribute__((target("avx512f")))
void ck_tile_nt_store(const float *tot, float *c, long ldc, int mr, int nr, const float *bias) {
    float rows[32 * 16] __attribute__((aligned(64)));
    transpose16(tot, 32, nr, rows, 16, (__mmask16)0xFFFF);
    if (mr > 16) transpose16(tot + 16, 32, nr, rows + 16 * 16, 16, (__mmask16)0xFFFF);
    __mmask16 keep = (__mmask16)((1u << nr) - 1u);
    if (bias) {
        __m512 b = _mm512_maskz_loadu_ps(keep, bias);
        for (int i = 0; i < mr; i++)
            _mm512_mask_storeu_ps(c + i * ldc, keep, _mm512_add_ps(_mm512_load_ps(rows + i * 16), b));
    } else {
        for (int i = 0; i < mr; i++) _mm512_mask_storeu_ps(c + i * ldc, keep, _mm512_load_ps(rows + i * 16));
    }
}
#endif
