// im2col / col2im for one image, with padding, stride and dilation, over a range of
// output positions so that callers can tile large images and batch small ones.
#include "ckernels.h"
#include <string.h>

// The output columns ox in [*lo, *hi) whose input column ox*stride + off lies in [0, w).
static void valid_span(long ow, long w, long stride, long off, long *lo, long *hi) {
    long a = off >= 0 ? 0 : (-off + stride - 1) / stride;
    long b = w - 1 - off < 0 ? 0 : (w - 1 - off) / stride + 1;
    if (b > ow) b = ow;
    if (a > b) a = b;
    *lo = a;
    *hi = b;
}

void ck_im2col_range(const float *x, long c, long h, long w, long kh, long kw,
                     long pad_h, long pad_w, long stride_h, long stride_w,
                     long dil_h, long dil_w, long oh, long ow, long q0, long q1,
                     float *cols, long ldcols) {
    (void)oh;
    long row = 0;
    for (long ch = 0; ch < c; ch++) {
        const float *xc = x + ch * h * w;
        for (long ki = 0; ki < kh; ki++) {
            for (long kj = 0; kj < kw; kj++, row++) {
                float *dst = cols + row * ldcols;
                long off = kj * dil_w - pad_w, lo, hi;
                valid_span(ow, w, stride_w, off, &lo, &hi);
                long oy = q0 / ow, ox0 = q0 - oy * ow;   // one division per row of cols
                for (long q = q0; q < q1; oy++, ox0 = 0) {
                    long ox1 = ow < ox0 + (q1 - q) ? ow : ox0 + (q1 - q);
                    float *d = dst + (q - q0) - ox0;   // d[ox] is position (oy, ox)
                    long iy = oy * stride_h - pad_h + ki * dil_h;
                    if (iy < 0 || iy >= h) {
                        memset(d + ox0, 0, sizeof(float) * (size_t)(ox1 - ox0));
                    } else {
                        const float *src = xc + iy * w + off;
                        long a = lo > ox0 ? lo : ox0, b = hi < ox1 ? hi : ox1;
                        if (a > b) a = b = ox1;   // no valid input column: all padding
                        for (long ox = ox0; ox < a; ox++) d[ox] = 0.0f;
                        if (stride_w == 1) {
                            memcpy(d + a, src + a, sizeof(float) * (size_t)(b - a));
                        } else {
                            for (long ox = a; ox < b; ox++) d[ox] = src[ox * stride_w];
                        }
                        for (long ox = b; ox < ox1; ox++) d[ox] = 0.0f;
                    }
                    q += ox1 - ox0;
                }
            }
        }
    }
}

void ck_col2im_range(const float *cols, long ldcols, long c, long h, long w, long kh,
                     long kw, long pad_h, long pad_w, long stride_h, long stride_w,
                     long dil_h, long dil_w, long oh, long ow, long q0, long q1, float *x) {
    (void)oh;
    long row = 0;
    for (long ch = 0; ch < c; ch++) {
        float *xc = x + ch * h * w;
        for (long ki = 0; ki < kh; ki++) {
            for (long kj = 0; kj < kw; kj++, row++) {
                const float *srcrow = cols + row * ldcols;
                long off = kj * dil_w - pad_w, lo, hi;
                valid_span(ow, w, stride_w, off, &lo, &hi);
                long oy = q0 / ow, ox0 = q0 - oy * ow;
                for (long q = q0; q < q1; oy++, ox0 = 0) {
                    long ox1 = ow < ox0 + (q1 - q) ? ow : ox0 + (q1 - q);
                    const float *s = srcrow + (q - q0) - ox0;
                    long iy = oy * stride_h - pad_h + ki * dil_h;
                    if (iy >= 0 && iy < h) {
                        float *dst = xc + iy * w + off;
                        long a = lo > ox0 ? lo : ox0, b = hi < ox1 ? hi : ox1;
                        if (stride_w == 1) {
                            for (long ox = a; ox < b; ox++) dst[ox] += s[ox];
                        } else {
                            for (long ox = a; ox < b; ox++) dst[ox * stride_w] += s[ox];
                        }
                    }
                    q += ox1 - ox0;
                }
            }
        }
    }
}

void ck_im2col(const float *x, long c, long h, long w, long kh, long kw,
               long pad_h, long pad_w, long stride_h, long stride_w,
               long dil_h, long dil_w, long oh, long ow, float *cols) {
    ck_im2col_range(x, c, h, w, kh, kw, pad_h, pad_w, stride_h, stride_w, dil_h, dil_w,
                    oh, ow, 0, oh * ow, cols, oh * ow);
}

void ck_col2im(const float *cols, long c, long h, long w, long kh, long kw,
               long pad_h, long pad_w, long stride_h, long stride_w,
               long dil_h, long dil_w, long oh, long ow, float *x) {
    ck_col2im_range(cols, oh * ow, c, h, w, kh, kw, pad_h, pad_w, stride_h, stride_w,
                    dil_h, dil_w, oh, ow, 0, oh * ow, x);
}
