// Private: Winograd F(2x2, 3x3) convolutions (conv_winograd.c).
#ifndef CK_CONV_WINOGRAD_H
#define CK_CONV_WINOGRAD_H
#include "ckernels.h"
// Whether this geometry takes the Winograd path (3x3, stride 1, ungrouped, wide).
int ck_conv_winograd_suits(const ck_conv_geometry *g);
void ck_conv_winograd_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y);
void ck_conv_winograd_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx);
void ck_conv_winograd_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy, float *gw);
#endif
