// Private: the forward convolution (and the stride-1 data gradient) as a GEMM whose B panels
// are packed straight from the image (conv_implicit.c).
#ifndef CK_CONV_IMPLICIT_H
#define CK_CONV_IMPLICIT_H
#include "ckernels.h"
int ck_conv_implicit_suits(const ck_conv_geometry *g);
void ck_conv_implicit_forward(const ck_conv_geometry *g, const float *x, const float *w, float *y);
// The data gradient of a stride-1 convolution as the forward one of gy with the flipped weight.
int ck_conv_implicit_backward_data_suits(const ck_conv_geometry *g);
void ck_conv_implicit_backward_data(const ck_conv_geometry *g, const float *gy, const float *w, float *gx);
#endif
