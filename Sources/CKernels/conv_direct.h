// Private: direct convolution for few-output-channel / tiny-reduction layers (conv_direct.c).
#ifndef CK_CONV_DIRECT_H
#define CK_CONV_DIRECT_H
#include "ckernels.h"
// Whether the direct kernels beat im2col + GEMM for this geometry.
int ck_conv_direct_suits(const ck_conv_geometry *g);
void ck_conv_direct_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y);
void ck_conv_direct_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx);
void ck_conv_direct_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy, float *gw);
#endif
