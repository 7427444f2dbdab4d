// Private: convolutions with a handful of output positions and a large weight (conv_narrow.c).
#ifndef CK_CONV_NARROW_H
#define CK_CONV_NARROW_H
#include "ckernels.h"
// Whether the layer has at most a few output positions in all (a U-Net's innermost levels),
// for the forward and data gradient or (weight_gradient) for the weight gradient.
int ck_conv_narrow_suits(const ck_conv_geometry *g, int weight_gradient);
void ck_conv_narrow_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y);
void ck_conv_narrow_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx);
void ck_conv_narrow_backward_weight(const ck_conv_geometry *g, const float *x, const float *gy, float *gw);
#endif
