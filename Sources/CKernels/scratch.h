// Private: per-thread reusable scratch buffers (scratch.c).
#ifndef CK_SCRATCH_H
#define CK_SCRATCH_H
#include <stddef.h>
enum { CK_SCRATCH_GEMM = 0, CK_SCRATCH_CONV = 1, CK_SCRATCH_GEMM_A = 2, CK_SCRATCH_PAD = 3,
       CK_SCRATCH_SLOTS = 4 };
// A 64-byte aligned buffer of at least `floats` floats, owned by the calling thread and
// valid until its next call with the same slot.
float *ck_scratch(int slot, size_t floats);
#endif
