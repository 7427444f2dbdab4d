// Per-thread scratch buffers, reused across calls: the packing and im2col buffers would
// otherwise be fresh multi-megabyte allocations (and page faults) on every call.
// Each thread keeps at most CK_SCRATCH_SLOTS buffers, freed when the thread exits.
#include "scratch.h"
#include <pthread.h>
#include <stdlib.h>

typedef struct { float *p[CK_SCRATCH_SLOTS]; size_t cap[CK_SCRATCH_SLOTS]; } scratch_set;

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void release(void *v) {
    scratch_set *s = v;
    for (int i = 0; i < CK_SCRATCH_SLOTS; i++) free(s->p[i]);
    free(s);
}
static void make_key(void) { pthread_key_create(&key, release); }

float *ck_scratch(int slot, size_t floats) {
    pthread_once(&once, make_key);
    scratch_set *s = pthread_getspecific(key);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s) abort();
        pthread_setspecific(key, s);
    }
    if (s->cap[slot] < floats) {
        free(s->p[slot]);
        size_t bytes = ((floats * sizeof(float) + 63) / 64) * 64;
        s->p[slot] = aligned_alloc(64, bytes ? bytes : 64);
        if (!s->p[slot]) abort();
        s->cap[slot] = floats;
    }
    return s->p[slot];
}
