// A size-class buffer pool for tensor storage, so a training step that creates the same
// tensors every iteration reuses freed buffers instead of calling malloc (and taking
// fresh page faults) per op.
//
// Sizes are rounded up to classes of 2^k, 1.25*2^k, 1.5*2^k, 1.75*2^k floats (at most 25%
// slack). Freed buffers wait on a per-class free list threaded through the buffers
// themselves. The cached total is bounded (default 1 GiB, SWIFTGAN_POOL_MB or
// ck_pool_set_limit): a buffer freed past the bound goes back to the system. And the pool
// never makes the process bigger than the peak of live tensors plus a little: when an
// allocation misses and live + cached would pass that mark, cached buffers of the largest
// classes go back to the system first (a step whose buffers differ from the last one's,
// such as a generator step every n_critic batches, then reuses memory instead of adding).
#include "ckernels.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define NCLASSES 256
#define MIN_FLOATS 16   // 64 bytes: room for the free-list link, one cache line
static size_t footprint_slack = (size_t)32 << 20;   // live + cached may pass the live peak by this

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void *free_list[NCLASSES];
static size_t cached_bytes, live_bytes, peak_live_bytes, limit_bytes;
static unsigned long long hits, misses;

static void init_limit(void) {
    const char *env = getenv("SWIFTGAN_POOL_MB");
    long mb = env ? atol(env) : -1;
    limit_bytes = mb >= 0 ? (size_t)mb << 20 : (size_t)1 << 30;
}

// Class index and its size in floats.
static int class_of(size_t floats, size_t *size) {
    if (floats < MIN_FLOATS) floats = MIN_FLOATS;
    int k = 63 - __builtin_clzll((unsigned long long)floats);   // 2^k <= floats
    size_t base = (size_t)1 << k;
    size_t quarter = base >> 2;
    int step = quarter ? (int)((floats - base + quarter - 1) / quarter) : 0;   // 0...4
    if (step == 4) { k++; base <<= 1; quarter <<= 1; step = 0; }
    *size = base + (size_t)step * quarter;
    return k * 4 + step;
}

// Floats held by a buffer of class c (the inverse of class_of).
static size_t class_size(int c) {
    size_t base = (size_t)1 << (c / 4);
    return base + (size_t)(c % 4) * (base >> 2);
}

// Fresh memory from the system. Large buffers get transparent huge pages (where the kernel
// offers them on request, as with THP "madvise"): a 2 MB page costs one fault instead of 512.
// A model whose weights leave the pool little headroom re-faults its large buffers every
// step; those faults were 15% of clustergan's CPU time. Only whole 2 MB pages inside the
// requested size are marked, so the resident size stays what the tensor touches.
#define HUGE_PAGE ((size_t)2 << 20)
static void *system_alloc(size_t bytes, size_t requested_bytes) {
    void *p = NULL;
    if (requested_bytes >= 2 * HUGE_PAGE) {
        if (posix_memalign(&p, HUGE_PAGE, bytes) != 0) abort();
#ifdef MADV_HUGEPAGE
        madvise(p, requested_bytes / HUGE_PAGE * HUGE_PAGE, MADV_HUGEPAGE);
#endif
        return p;
    }
    // posix_memalign, not aligned_alloc: C11 wants aligned_alloc's size to be a multiple of
    // the alignment, which the 1.25/1.5/1.75 classes are not.
    if (posix_memalign(&p, 64, bytes) != 0) abort();
    return p;
}

float *ck_pool_alloc(size_t floats, size_t *capacity) {
    pthread_once(&once, init_limit);
    size_t size;
    int c = class_of(floats, &size);
    size_t bytes = size * sizeof(float);
    *capacity = size;
    pthread_mutex_lock(&mu);
    // The request's class, else a cached buffer up to two times larger (up to four classes
    // up): steps whose tensors change size a little then still reuse memory.
    void *p = NULL;
    for (int up = 0; up <= 4 && c + up < NCLASSES; up++) {
        if (!free_list[c + up]) continue;
        p = free_list[c + up];
        free_list[c + up] = *(void **)p;
        if (up > 0) {
            size = class_size(c + up);
            bytes = size * sizeof(float);
            *capacity = size;
        }
        break;
    }
    if (p) {
        cached_bytes -= bytes;
        hits++;
    } else {
        misses++;
    }
    live_bytes += bytes;
    if (live_bytes > peak_live_bytes) peak_live_bytes = live_bytes;
    // On a miss, evict cached buffers (largest first) until live + cached fits the mark.
    void *evicted = NULL;
    if (!p) {
        for (int e = NCLASSES - 1; e >= 0 && live_bytes + cached_bytes > peak_live_bytes + footprint_slack; e--) {
            while (free_list[e] && live_bytes + cached_bytes > peak_live_bytes + footprint_slack) {
                void *q = free_list[e];
                free_list[e] = *(void **)q;
                cached_bytes -= class_size(e) * sizeof(float);
                *(void **)q = evicted;
                evicted = q;
            }
        }
    }
    pthread_mutex_unlock(&mu);
    while (evicted) { void *next = *(void **)evicted; free(evicted); evicted = next; }
    if (!p) p = system_alloc(bytes, floats * sizeof(float));
    return p;
}

void ck_pool_free(float *p, size_t capacity) {
    if (!p) return;
    pthread_once(&once, init_limit);
    size_t size;
    int c = class_of(capacity, &size);
    size_t bytes = size * sizeof(float);
    pthread_mutex_lock(&mu);
    live_bytes -= bytes;
    if (c < NCLASSES && cached_bytes + bytes <= limit_bytes) {
        *(void **)p = free_list[c];
        free_list[c] = p;
        cached_bytes += bytes;
        p = NULL;
    }
    pthread_mutex_unlock(&mu);
    free(p);
}

void ck_pool_trim(void) {
    pthread_mutex_lock(&mu);
    for (int c = 0; c < NCLASSES; c++) {
        void *p = free_list[c];
        while (p) { void *next = *(void **)p; free(p); p = next; }
        free_list[c] = NULL;
    }
    cached_bytes = 0;
    pthread_mutex_unlock(&mu);
}

void ck_pool_set_limit(size_t bytes) {
    pthread_once(&once, init_limit);
    pthread_mutex_lock(&mu);
    limit_bytes = bytes;
    int over = cached_bytes > bytes;
    pthread_mutex_unlock(&mu);
    if (over) ck_pool_trim();
}

void ck_pool_set_slack(size_t bytes) {
    pthread_once(&once, init_limit);
    pthread_mutex_lock(&mu);
    footprint_slack = bytes;
    pthread_mutex_unlock(&mu);
}

void ck_pool_reset_peak(void) {
    pthread_once(&once, init_limit);
    pthread_mutex_lock(&mu);
    peak_live_bytes = live_bytes;
    pthread_mutex_unlock(&mu);
}

ck_pool_stats ck_pool_get_stats(void) {
    pthread_once(&once, init_limit);
    pthread_mutex_lock(&mu);
    ck_pool_stats s = {live_bytes, peak_live_bytes, cached_bytes, limit_bytes, hits, misses};
    pthread_mutex_unlock(&mu);
    return s;
}

size_t ck_peak_resident_bytes(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
#ifdef __APPLE__
    return (size_t)ru.ru_maxrss;          // bytes
#else
    return (size_t)ru.ru_maxrss * 1024;   // kilobytes (VmHWM)
#endif
}

#include <malloc.h>
void ck_release_large_frees(size_t threshold_bytes) {
    // Fixed thresholds stop glibc from raising them after the first large free (it then
    // keeps up to twice that amount in its heap, resident but unused).
    mallopt(M_MMAP_THRESHOLD, (int)threshold_bytes);
    mallopt(M_TRIM_THRESHOLD, (int)(threshold_bytes * 8));
}
