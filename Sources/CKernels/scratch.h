// Private: per-thread reusable scratch buffers (scratch.c).
#ifndef CK_SCRATCH_H
#define CK_SCRATCH_H
#include <stddef.h>
enum { CK_SCRATCH_GEMM = 0, CK_SCRATCH_CONV = 1, CK_SCRATCH_GEMM_A = 2, CK_SCRATCH_PAD = 3,
       CK_SCRATCH_WINO_WEIGHTS = 4, CK_SCRATCH_SLOTS = 5 };
// A 64-byte aligned buffer of at least `floats` floats, owned by the calling thread and
// valid until its next call with the same slot.
float *ck_scratch(int slot, size_t floats);

// A temporary buffer from the tensor pool, for a kernel's per-call work space (packed
// weights, partial sums): pooled memory is reused from call to call, where malloc handed
// large blocks back to the system and every call took fresh page faults.
#include "ckernels.h"
typedef struct { float *p; size_t capacity; } ck_temp;
static inline ck_temp ck_temp_alloc(size_t floats) {
    ck_temp t;
    t.p = ck_pool_alloc(floats, &t.capacity);
    return t;
}
static inline void ck_temp_free(ck_temp t) { ck_pool_free(t.p, t.capacity); }
#endif
