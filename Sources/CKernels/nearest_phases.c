// A convolution after a nearest 2x upsampling, folded to the input's resolution: output
// row 2i + p (p the row's parity) reads upsampled rows that are copies of input rows
// i + floor((p + a - top) / 2), so each of the four output phases is a small convolution
// of the input itself. These kernels map the k x k weights to the four phase kernels and
// back (the exact adjoint); both are serial, since weights are small next to the images.
#include "ckernels.h"
#include <string.h>

void ck_nearest2_phase_weights(const float *w, long planes, long kh, long kw, const int32_t *rows,
                               const int32_t *cols, long ph, long pw, long in_channels, float *out) {
    long out_channels = planes / in_channels, phase = ph * pw;
    memset(out, 0, sizeof(float) * planes * 4 * phase);
    for (long o = 0; o < out_channels; o++)
        for (long py = 0; py < 2; py++)
            for (long px = 0; px < 2; px++)
                for (long c = 0; c < in_channels; c++) {
                    const float *src = w + (o * in_channels + c) * kh * kw;
                    float *dst = out + (((o * 4 + py * 2 + px) * in_channels) + c) * phase;
                    for (long a = 0; a < kh; a++)
                        for (long b = 0; b < kw; b++)
                            dst[rows[py * kh + a] * pw + cols[px * kw + b]] += src[a * kw + b];
                }
}

void ck_nearest2_phase_weights_adjoint(const float *g, long planes, long kh, long kw, const int32_t *rows,
                                       const int32_t *cols, long ph, long pw, long in_channels, float *gw) {
    long out_channels = planes / in_channels, phase = ph * pw;
    for (long o = 0; o < out_channels; o++)
        for (long c = 0; c < in_channels; c++) {
            float *dst = gw + (o * in_channels + c) * kh * kw;
            for (long a = 0; a < kh; a++)
                for (long b = 0; b < kw; b++) {
                    float s = 0.0f;
                    for (long py = 0; py < 2; py++)
                        for (long px = 0; px < 2; px++)
                            s += g[(((o * 4 + py * 2 + px) * in_channels) + c) * phase + rows[py * kh + a] * pw +
                                   cols[px * kw + b]];
                    dst[a * kw + b] = s;
                }
        }
}
