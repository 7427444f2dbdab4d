// A small persistent thread pool for the kernels.
//
// Why C and not Dispatch: the GEMM driver and the convolution splits live in C, and a
// pool here lets them fork without a round trip through Swift closures; pthreads and C11
// atomics also give exact control over the two properties the machine needs (see
// shared/notes/machine-facts.md): workers spin at most ~500 us before sleeping on a
// condition variable, and the caller never waits for a worker that has not started:
// chunks are claimed from a shared counter, so if the other core is busy the caller
// simply runs every chunk itself.
//
// When the other core is taken by another process, a worker can be descheduled in the
// middle of a chunk and the caller then sits idle at the join for milliseconds. The
// caller measures that wait; when it exceeds both its own working time and 0.5 ms, the
// next few calls (4, doubling up to 256 while it keeps happening) run serially, then the
// pool tries again. Callers' results do not depend on the split, so this only changes speed.
//
// One job runs at a time. Nested calls (from inside a chunk) and calls that find the
// pool busy run serially on the calling thread. Which thread runs a chunk never changes
// the result: callers split work into chunks whose arithmetic is independent of the
// split.
#include "ckernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define CK_MAX_THREADS 64
// 500 us: an MLP step's serial stretches (autograd bookkeeping, small ops, loading the
// batch) between jobs reach 50-500 us; with 50 us the worker slept and was woken ~5 times
// per wgan batch, arriving late to each next product (2-3% of the step), and at 200 us
// about once per batch. Still short against a scheduler's time slice, so a neighbour
// that needs the core loses little to the spinning.
#define CK_SPIN_NS 500000L

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;   // guards job_* and sleepers
static pthread_cond_t pool_work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pool_done = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t pool_busy = PTHREAD_MUTEX_INITIALIZER; // one job at a time

static atomic_int want_threads = 1;       // total threads, the caller included
static int started_workers;               // guarded by pool_mu
static int sleepers;                      // guarded by pool_mu
static atomic_uint generation;            // bumped once per job
static _Atomic uint64_t ticket;           // (generation << 32) | next chunk index
static atomic_long done_count;

static ck_task_fn job_fn;
static void *job_ctx;
static long job_n;
static int job_threads;
static int job_precision;   // the caller's ck_get_precision(), for the workers

static _Thread_local int inside_pool;
static int backoff_left, backoff_len = 4;   // guarded by pool_busy

static long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void pool_init(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("SWIFTGAN_THREADS");
    if (env && atoi(env) > 0) n = atoi(env);
    if (n < 1) n = 1;
    if (n > CK_MAX_THREADS) n = CK_MAX_THREADS;
    atomic_store(&want_threads, (int)n);
}

int ck_get_threads(void) {
    pthread_once(&pool_once, pool_init);
    return atomic_load(&want_threads);
}

void ck_set_threads(int n) {
    pthread_once(&pool_once, pool_init);
    if (n < 1) n = 1;
    if (n > CK_MAX_THREADS) n = CK_MAX_THREADS;
    atomic_store(&want_threads, n);
}

int ck_parallel_width(void) {
    return inside_pool ? 1 : ck_get_threads();
}

long ck_parallel_chunks(long work, long per_chunk) {
    int threads = ck_parallel_width();
    if (threads < 2 || per_chunk <= 0) return 1;
    long chunks = work / per_chunk;
    if (chunks > 4L * threads) chunks = 4L * threads;
    return chunks < 1 ? 1 : chunks;
}

// Claims and runs chunks of job `gen` until none are left.
static void run_chunks(unsigned gen, ck_task_fn fn, void *ctx, long n) {
    for (;;) {
        uint64_t t = atomic_load(&ticket);
        for (;;) {
            if ((unsigned)(t >> 32) != gen || (long)(t & 0xffffffffu) >= n) return;
            if (atomic_compare_exchange_weak(&ticket, &t, t + 1)) break;
        }
        fn(ctx, (long)(t & 0xffffffffu));
        if (atomic_fetch_add(&done_count, 1) + 1 == n) {
            pthread_mutex_lock(&pool_mu);
            pthread_cond_broadcast(&pool_done);
            pthread_mutex_unlock(&pool_mu);
        }
    }
}

static void *worker_main(void *arg) {
    // arg packs the worker index (thread index+1 of the pool) and the generation current
    // when it was created, so the job that created it is not missed.
    uint64_t packed = (uint64_t)(uintptr_t)arg;
    int index = (int)(packed & 0xff);
    unsigned seen = (unsigned)(packed >> 8);
    inside_pool = 1;
    for (;;) {
        // Back-to-back jobs (a convolution's GEMMs) are common: spin briefly first.
        long t0 = now_ns();
        for (int s = 0; atomic_load(&generation) == seen; s++) {
            cpu_relax();
            if ((s & 63) == 63 && now_ns() - t0 > CK_SPIN_NS) break;
        }
        pthread_mutex_lock(&pool_mu);
        while (atomic_load(&generation) == seen) {
            sleepers++;
            pthread_cond_wait(&pool_work, &pool_mu);
            sleepers--;
        }
        seen = atomic_load(&generation);
        ck_task_fn fn = job_fn;
        void *ctx = job_ctx;
        long n = job_n;
        int threads = job_threads;
        ck_set_precision(job_precision);
        pthread_mutex_unlock(&pool_mu);
        if (index + 1 < threads) run_chunks(seen, fn, ctx, n);
    }
    return NULL;
}

static void ensure_workers(int threads) {
    // called with pool_mu held
    while (started_workers < threads - 1) {
        pthread_t th;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&th, &attr, worker_main,
                                (void *)(uintptr_t)(((uint64_t)atomic_load(&generation) << 8) | (uint64_t)started_workers));
        pthread_attr_destroy(&attr);
        if (rc != 0) break;
        started_workers++;
    }
}

// Runs every chunk on the calling thread, which counts as inside the pool meanwhile (so a
// chunk's own parallel calls, and ck_parallel_width, see one thread, as on a worker).
static void run_serial(long n, ck_task_fn fn, void *ctx) {
    int was = inside_pool;
    inside_pool = 1;
    for (long i = 0; i < n; i++) fn(ctx, i);
    inside_pool = was;
}

void ck_parallel_for(long n, ck_task_fn fn, void *ctx) {
    if (n <= 0) return;
    int threads = ck_get_threads();
    if (threads <= 1 || n == 1 || inside_pool || pthread_mutex_trylock(&pool_busy) != 0) {
        run_serial(n, fn, ctx);
        return;
    }
    if (backoff_left > 0) {
        backoff_left--;
        pthread_mutex_unlock(&pool_busy);
        run_serial(n, fn, ctx);
        return;
    }
    pthread_mutex_lock(&pool_mu);
    ensure_workers(threads);
    if (started_workers == 0) {   // could not start any thread
        pthread_mutex_unlock(&pool_mu);
        pthread_mutex_unlock(&pool_busy);
        run_serial(n, fn, ctx);
        return;
    }
    job_fn = fn;
    job_ctx = ctx;
    job_n = n;
    job_threads = threads;
    job_precision = ck_get_precision();
    atomic_store(&done_count, 0);
    unsigned gen = atomic_load(&generation) + 1;
    atomic_store(&ticket, (uint64_t)gen << 32);
    atomic_store(&generation, gen);
    if (sleepers > 0) pthread_cond_broadcast(&pool_work);
    pthread_mutex_unlock(&pool_mu);

    long start = now_ns();
    inside_pool = 1;
    run_chunks(gen, fn, ctx, n);
    inside_pool = 0;

    // Only chunks already claimed by a worker can be outstanding here.
    long t0 = now_ns();
    for (int s = 0; atomic_load(&done_count) < n; s++) {
        cpu_relax();
        if ((s & 63) == 63 && now_ns() - t0 > CK_SPIN_NS) break;
    }
    if (atomic_load(&done_count) < n) {
        pthread_mutex_lock(&pool_mu);
        while (atomic_load(&done_count) < n) pthread_cond_wait(&pool_done, &pool_mu);
        pthread_mutex_unlock(&pool_mu);
    }
    long waited = now_ns() - t0, worked = t0 - start;
    if (waited > worked && waited > 500000L) {
        backoff_left = backoff_len;
        if (backoff_len < 256) backoff_len *= 2;
    } else {
        backoff_len = 4;
    }
    pthread_mutex_unlock(&pool_busy);
}
