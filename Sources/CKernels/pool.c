// A size-class buffer pool for tensor storage, so a training step that creates the same
// tensors every iteration reuses freed buffers instead of calling malloc (and taking
// fresh page faults) per op.
//
// Sizes are rounded up to classes of 2^k, 1.25*2^k, 1.5*2^k, 1.75*2^k floats (at most 25%
// slack). Freed buffers wait on a per-class free list threaded through the buffers
// themselves. The cached total is bounded (default 1 GiB, SWIFTGAN_POOL_MB or
// ck_pool_set_limit; where asked, anything that keeps the footprint within the mark below): a
// buffer freed past the bound goes back to the system. And the pool never makes the process bigger than the peak of
// live tensors plus a headroom (the set slack, or a share of the peak): when an allocation
// misses and live + cached would pass that mark, cached buffers of the largest classes go
// back to the system first (a step whose buffers differ from the last one's, such as a
// generator step every n_critic batches, then reuses memory instead of adding).
#define _GNU_SOURCE   // mremap
#include "ckernels.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#define NCLASSES 256
#define MIN_FLOATS 16   // 64 bytes: room for the free-list link and class, one cache line
static size_t footprint_slack = (size_t)32 << 20;   // live + cached may pass the live peak by this

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void *free_list[NCLASSES];
static size_t cached_bytes, live_bytes, peak_live_bytes, limit_bytes;
static unsigned long long hits, misses, resized;
static size_t budget_bytes;              // 0: none
static char out_of_memory_message[512];  // empty: abort

void ck_pool_set_out_of_memory(size_t budget, const char *message) {
    pthread_mutex_lock(&mu);
    budget_bytes = budget;
    snprintf(out_of_memory_message, sizeof out_of_memory_message, "%s", message ? message : "");
    pthread_mutex_unlock(&mu);
}

// An allocation of `bytes` cannot be served: one sentence and status 1 where the tool asked
// for that, else abort.
static void out_of_memory(size_t bytes) {
    if (!out_of_memory_message[0]) abort();
    fprintf(stderr, "Error: %s (a buffer of %.1f GB more does not fit in memory)\n", out_of_memory_message,
            (double)bytes / 1e9);
    _exit(1);
}

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

// Fresh memory from the system. Buffers of a megabyte and more are mappings of their own
// (mmap), so that one the pool must give up can be re-sized in place of being returned: on
// a miss that pushes the footprint past its mark, the evicted buffer is remapped to the new
// size (mremap keeps its resident pages) instead of being unmapped while a fresh mapping
// faults in the same amount again. A model whose weights leave the pool little headroom
// (clustergan) otherwise re-faults its large buffers every step.
//
// Large buffers get transparent huge pages (where the kernel offers them on request, as
// with THP "madvise"): a 2 MB page costs one fault instead of 512.
#define HUGE_PAGE ((size_t)2 << 20)
#define MAPPED_MIN_BYTES ((size_t)1 << 20)
#define PAGE_BYTES ((size_t)4096)

static int is_mapped(size_t bytes) { return bytes >= MAPPED_MIN_BYTES; }
static size_t mapping_length(size_t bytes) { return (bytes + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1); }

// Only whole 2 MB pages inside the requested size are marked, so the resident size stays
// what the tensor touches (khugepaged fills a marked huge page that has one page touched).
static void mark_huge(void *p, size_t requested_bytes) {
#ifdef MADV_HUGEPAGE
    if (requested_bytes >= 2 * HUGE_PAGE) {
        uintptr_t start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
        uintptr_t end = ((uintptr_t)p + requested_bytes) & ~(uintptr_t)(HUGE_PAGE - 1);
        if (end > start) madvise((void *)start, end - start, MADV_HUGEPAGE);
    }
#else
    (void)p; (void)requested_bytes;
#endif
}

static void *system_alloc(size_t bytes, size_t requested_bytes) {
    void *p = NULL;
    if (is_mapped(bytes)) {
        size_t len = mapping_length(bytes);
        if (requested_bytes >= 2 * HUGE_PAGE) {
            // Over-map by a huge page and trim, so the buffer starts on a 2 MB boundary.
            char *raw = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (raw == MAP_FAILED) out_of_memory(bytes);
            char *start = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
            if (start > raw) munmap(raw, (size_t)(start - raw));
            size_t tail = (size_t)(raw + len + HUGE_PAGE - (start + len));
            if (tail) munmap(start + len, tail);
            p = start;
        } else {
            p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) out_of_memory(bytes);
        }
        mark_huge(p, requested_bytes);
        return p;
    }
    // posix_memalign, not aligned_alloc: C11 wants aligned_alloc's size to be a multiple of
    // the alignment, which the 1.25/1.5/1.75 classes are not.
    if (posix_memalign(&p, 64, bytes) != 0) out_of_memory(bytes);
    return p;
}

static void system_free(void *p, size_t bytes) {
    if (is_mapped(bytes)) munmap(p, mapping_length(bytes));
    else free(p);
}

// A mapped buffer of old_bytes re-sized to bytes: its pages up to the smaller size stay
// resident (their contents are stale, which tensor storage allows: every op writes its
// output before reading it).
static void *system_resize(void *p, size_t old_bytes, size_t bytes, size_t requested_bytes) {
#ifdef MREMAP_MAYMOVE
    // A huge-page mark on part of the buffer split it into two areas, and mremap moves only
    // one: clearing the mark on the whole buffer first merges them again.
#ifdef MADV_NOHUGEPAGE
    madvise(p, mapping_length(old_bytes), MADV_NOHUGEPAGE);
#endif
    void *q = mremap(p, mapping_length(old_bytes), mapping_length(bytes), MREMAP_MAYMOVE);
    if (q != MAP_FAILED) {
        mark_huge(q, requested_bytes);
        return q;
    }
#endif
    system_free(p, old_bytes);
    return system_alloc(bytes, requested_bytes);
}

// How far live + cached may pass the live peak: the set slack, or a share of the peak when
// that is more (ck_pool_set_peak_policy; the gan tool asks for an eighth). A step's buffers come in many size classes, and which of them are free at
// one moment differs from which are needed: with a fixed slack of tens of megabytes, a
// model of large buffers (pix2pix's 16 MB weight gradients) evicted and re-faulted
// hundreds of megabytes of huge pages every step.
static size_t headroom_divisor;   // 0: the fixed slack only
static int cache_within_mark;     // 0: the set limit only

static size_t footprint_headroom(void) {
    size_t share = headroom_divisor ? peak_live_bytes / headroom_divisor : 0;
    return share > footprint_slack ? share : footprint_slack;
}

// Whether a freed buffer of `bytes` stays cached: within the set limit, or (where asked, as
// the gan tool does) wherever caching it keeps live + cached within the footprint mark. A
// freed buffer never grows the footprint, so a step's buffers all wait for the next step:
// with a bound of half the live peak instead, pixelda (548 MB peak) handed sixteen 16 MB
// buffers back at the end of each step and faulted 226 MB of huge pages in again.
static int keeps(size_t bytes) {
    if (cached_bytes + bytes <= limit_bytes) return 1;
    return cache_within_mark && live_bytes + cached_bytes + bytes <= peak_live_bytes + footprint_headroom();
}

// `larger_classes`: how many classes above the request's a cached buffer may be.
static float *pool_alloc(size_t floats, size_t *capacity, int larger_classes) {
    pthread_once(&once, init_limit);
    size_t size;
    int c = class_of(floats, &size);
    size_t bytes = size * sizeof(float);
    *capacity = size;
    pthread_mutex_lock(&mu);
    void *p = NULL;
    for (int up = 0; up <= larger_classes && c + up < NCLASSES; up++) {
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
    if (!p && budget_bytes && live_bytes + bytes > budget_bytes) {
        pthread_mutex_unlock(&mu);
        out_of_memory(bytes);
    }
    live_bytes += bytes;
    if (live_bytes > peak_live_bytes) peak_live_bytes = live_bytes;
    // On a miss, evict cached buffers (largest first) until live + cached fits the mark.
    // Buffers are chained through their first word with their class in the second.
    void *evicted = NULL;
    if (!p) {
        size_t mark = peak_live_bytes + footprint_headroom();
        for (int e = NCLASSES - 1; e >= 0 && live_bytes + cached_bytes > mark; e--) {
            while (free_list[e] && live_bytes + cached_bytes > mark) {
                void *q = free_list[e];
                free_list[e] = *(void **)q;
                cached_bytes -= class_size(e) * sizeof(float);
                ((void **)q)[0] = evicted;
                ((size_t *)q)[1] = (size_t)e;
                evicted = q;
            }
        }
    }
    // The first evicted mapped buffer becomes the new one when this one is mapped too.
    void *resized_from = NULL;
    size_t resized_bytes = 0;
    for (void **link = &evicted; !p && is_mapped(bytes) && *link; link = (void **)*link) {
        size_t old = class_size((int)((size_t *)*link)[1]) * sizeof(float);
        if (!is_mapped(old)) continue;
        resized_from = *link;
        resized_bytes = old;
        *link = *(void **)resized_from;
        resized++;
        break;
    }
    pthread_mutex_unlock(&mu);
    while (evicted) {
        void *next = *(void **)evicted;
        system_free(evicted, class_size((int)((size_t *)evicted)[1]) * sizeof(float));
        evicted = next;
    }
    if (!p) p = resized_from ? system_resize(resized_from, resized_bytes, bytes, floats * sizeof(float))
                             : system_alloc(bytes, floats * sizeof(float));
    return p;
}

// The request's class, else a cached buffer up to two times larger (up to four classes up):
// steps whose tensors change size a little then still reuse memory.
float *ck_pool_alloc(size_t floats, size_t *capacity) { return pool_alloc(floats, capacity, 4); }

// The request's class only: a buffer kept for the whole run would otherwise hold on to up
// to twice its size for good.
float *ck_pool_alloc_exact(size_t floats, size_t *capacity) { return pool_alloc(floats, capacity, 0); }

void ck_pool_free(float *p, size_t capacity) {
    if (!p) return;
    pthread_once(&once, init_limit);
    size_t size;
    int c = class_of(capacity, &size);
    size_t bytes = size * sizeof(float);
    pthread_mutex_lock(&mu);
    live_bytes -= bytes;
    if (c < NCLASSES && keeps(bytes)) {
        *(void **)p = free_list[c];
        free_list[c] = p;
        cached_bytes += bytes;
        p = NULL;
    }
    pthread_mutex_unlock(&mu);
    if (p) system_free(p, bytes);
}

void ck_pool_trim(void) {
    pthread_mutex_lock(&mu);
    for (int c = 0; c < NCLASSES; c++) {
        void *p = free_list[c];
        while (p) { void *next = *(void **)p; system_free(p, class_size(c) * sizeof(float)); p = next; }
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

void ck_pool_set_peak_policy(size_t headroom, int cache_within_footprint) {
    pthread_once(&once, init_limit);
    pthread_mutex_lock(&mu);
    headroom_divisor = headroom;
    cache_within_mark = cache_within_footprint != 0;
    pthread_mutex_unlock(&mu);
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
    ck_pool_stats s = {live_bytes, peak_live_bytes, cached_bytes, limit_bytes, hits, misses, resized};
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
