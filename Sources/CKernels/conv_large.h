// Private: convolutions of large images through whole-image columns and the parallel GEMM
// (conv_large.c).
#ifndef CK_CONV_LARGE_H
#define CK_CONV_LARGE_H
#include "ckernels.h"
// Whether one image's im2col columns pass `tile_floats` (the L2-sized tile of conv.c), or the
// weight is large and several images' columns fit one range.
int ck_conv_large_suits(const ck_conv_geometry *g, long tile_floats);
void ck_conv_large_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y);
void ck_conv_large_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx);
void ck_conv_large_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy, float *gw);
#endif
