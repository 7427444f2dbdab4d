// im2col / col2im for one image, with padding, stride and dilation.
#include "ckernels.h"

void ck_im2col(const float *x, long c, long h, long w, long kh, long kw,
               long pad_h, long pad_w, long stride_h, long stride_w,
               long dil_h, long dil_w, long oh, long ow, float *cols) {
    long row = 0;
    for (long ch = 0; ch < c; ch++) {
        const float *xc = x + ch * h * w;
        for (long ki = 0; ki < kh; ki++) {
            for (long kj = 0; kj < kw; kj++, row++) {
                float *dst = cols + row * oh * ow;
                for (long oy = 0; oy < oh; oy++) {
                    long iy = oy * stride_h - pad_h + ki * dil_h;
                    float *d = dst + oy * ow;
                    if (iy < 0 || iy >= h) {
                        for (long ox = 0; ox < ow; ox++) d[ox] = 0.0f;
                        continue;
                    }
                    const float *src = xc + iy * w;
                    long off = kj * dil_w - pad_w;
                    for (long ox = 0; ox < ow; ox++) {
                        long ix = ox * stride_w + off;
                        d[ox] = (ix >= 0 && ix < w) ? src[ix] : 0.0f;
                    }
                }
            }
        }
    }
}

void ck_col2im(const float *cols, long c, long h, long w, long kh, long kw,
               long pad_h, long pad_w, long stride_h, long stride_w,
               long dil_h, long dil_w, long oh, long ow, float *x) {
    long row = 0;
    for (long ch = 0; ch < c; ch++) {
        float *xc = x + ch * h * w;
        for (long ki = 0; ki < kh; ki++) {
            for (long kj = 0; kj < kw; kj++, row++) {
                const float *srcrow = cols + row * oh * ow;
                for (long oy = 0; oy < oh; oy++) {
                    long iy = oy * stride_h - pad_h + ki * dil_h;
                    if (iy < 0 || iy >= h) continue;
                    float *dst = xc + iy * w;
                    const float *s = srcrow + oy * ow;
                    long off = kj * dil_w - pad_w;
                    for (long ox = 0; ox < ow; ox++) {
                        long ix = ox * stride_w + off;
                        if (ix >= 0 && ix < w) dst[ix] += s[ox];
                    }
                }
            }
        }
    }
}
