// The machine's float32 FMA peak, measured: the pool's threads run independent chains of
// fused multiply-adds in the widest vectors the CPU has, in many small tasks (a thread that
// wakes late takes fewer of them instead of leaving its share to another), and the wall
// time of a fixed count gives the FLOP rate. This is what `gan bench` sets the FLOPs of an
// iteration against (clock speeds under vector load differ between CPUs, so the peak is
// measured rather than computed from a data sheet).
#include "ckernels.h"
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

// Enough independent accumulators to cover the FMA latency on two pipes (4 cycles x 2).
#define CHAINS 12
#define ROUNDS 1024L
#define TASKS_PER_THREAD 16

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct { long repeats; float sink[64]; int lanes; } probe;

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx512f"))) static void chains_avx512(probe *p, long index) {
    __m512 acc[CHAINS], m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-7f);
    for (int c = 0; c < CHAINS; c++) acc[c] = _mm512_set1_ps((float)(c + index));
    for (long r = 0; r < p->repeats * ROUNDS; r++)
        for (int c = 0; c < CHAINS; c++) acc[c] = _mm512_fmadd_ps(acc[c], m, a);
    __m512 s = acc[0];
    for (int c = 1; c < CHAINS; c++) s = _mm512_add_ps(s, acc[c]);
    p->sink[index % 64] = _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) static void chains_avx2(probe *p, long index) {
    __m256 acc[CHAINS], m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
    for (int c = 0; c < CHAINS; c++) acc[c] = _mm256_set1_ps((float)(c + index));
    for (long r = 0; r < p->repeats * ROUNDS; r++)
        for (int c = 0; c < CHAINS; c++) acc[c] = _mm256_fmadd_ps(acc[c], m, a);
    __m256 s = acc[0];
    for (int c = 1; c < CHAINS; c++) s = _mm256_add_ps(s, acc[c]);
    float out[8];
    _mm256_storeu_ps(out, s);
    p->sink[index % 64] = out[0] + out[7];
}
#endif

static void chains_portable(probe *p, long index) {
    float acc[CHAINS][4];
    for (int c = 0; c < CHAINS; c++)
        for (int l = 0; l < 4; l++) acc[c][l] = (float)(c + l + index);
    for (long r = 0; r < p->repeats * ROUNDS; r++)
        for (int c = 0; c < CHAINS; c++)
            for (int l = 0; l < 4; l++) acc[c][l] = acc[c][l] * 0.999999f + 1e-7f;
    p->sink[index % 64] = acc[0][0] + acc[CHAINS - 1][3];
}

static void run_chains(void *ctx, long index) {
    probe *p = ctx;
#if defined(__x86_64__) || defined(__i386__)
    if (p->lanes == 16) { chains_avx512(p, index); return; }
    if (p->lanes == 8) { chains_avx2(p, index); return; }
#endif
    chains_portable(p, index);
}

double ck_fma_peak_gflops(double seconds) {
    probe p = {.repeats = 1, .lanes = 4};
#if defined(__x86_64__) || defined(__i386__)
    if (__builtin_cpu_supports("avx512f")) p.lanes = 16;
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) p.lanes = 8;
#endif
    long tasks = TASKS_PER_THREAD * ck_get_threads();
    double best = 0, spent = 0;
    // Grow the count until one run takes a tenth of the budget, then keep the best rate.
    while (spent < seconds) {
        double t0 = now();
        ck_parallel_for(tasks, run_chains, &p);
        double t = now() - t0;
        spent += t;
        double flops = 2.0 * (double)tasks * (double)p.repeats * ROUNDS * CHAINS * p.lanes;
        if (t > 0 && flops / t > best) best = flops / t;
        if (t < seconds / 10 && p.repeats < (1L << 20)) p.repeats *= 2;
    }
    return best / 1e9;
}
