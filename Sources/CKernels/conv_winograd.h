// Private: Winograd convolutions: F(2x2, 3x3) (conv_winograd.c) and F(3x3, 2x2) on the
// phases of a 4x4 stride-2 convolution (conv_winograd_s2.c).
#ifndef CK_CONV_WINOGRAD_H
#define CK_CONV_WINOGRAD_H
#include "ckernels.h"
// Whether this geometry takes the Winograd path (3x3, stride 1, ungrouped, wide).
int ck_conv_winograd_suits(const ck_conv_geometry *g);
void ck_conv_winograd_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y);
void ck_conv_winograd_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx);
void ck_conv_winograd_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy, float *gw);
// (ck_conv_winograd_s2_suits, in ckernels.h: whether a geometry takes the stride-2 path.)
void ck_conv_winograd_s2_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y);
void ck_conv_winograd_s2_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx);
void ck_conv_winograd_s2_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy, float *gw);
#endif
