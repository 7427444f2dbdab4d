// JPEG decode through libjpeg. Its default error handler calls exit(); this one longjmps
// back here instead, and turns "premature end of file" (normally only a warning, after
// which libjpeg pads the image with grey) into an error.
#include "vision_shim.h"
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>
#include <jerror.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
} jpeg_failure;

static void on_jpeg_error(j_common_ptr cinfo) {
    jpeg_failure *failure = (jpeg_failure *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    failure->base.format_message(cinfo, text);
    snprintf(failure->message, SG_MESSAGE_SIZE, "%s", text);
    longjmp(failure->jump, 1);
}

static void on_jpeg_message(j_common_ptr cinfo, int level) {
    // level -1 is a warning about corrupt data; only an image whose data ends early (the
    // file, or the scan at a marker) is fatal here: libjpeg would pad it, so a few hundred
    // bytes claiming 20000 x 20000 pixels would become a gigabyte of grey.
    if (level == -1 && (cinfo->err->msg_code == JWRN_JPEG_EOF || cinfo->err->msg_code == JWRN_HIT_MARKER)) {
        jpeg_failure *failure = (jpeg_failure *)cinfo->err;
        snprintf(failure->message, SG_MESSAGE_SIZE, "truncated JPEG data (it ends before the image is complete)");
        longjmp(failure->jump, 1);
    }
}

int sg_jpeg_decode(const uint8_t *data, size_t size, sg_image *out) {
    memset(out, 0, sizeof *out);
    if (size < 4 || data[0] != 0xFF || data[1] != 0xD8) {
        snprintf(out->message, SG_MESSAGE_SIZE, "not a JPEG (no SOI marker)");
        return 1;
    }
    struct jpeg_decompress_struct cinfo;
    jpeg_failure failure;
    cinfo.err = jpeg_std_error(&failure.base);
    failure.base.error_exit = on_jpeg_error;
    failure.base.emit_message = on_jpeg_message;
    failure.message = out->message;
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile scratch = NULL;
    if (setjmp(failure.jump)) {
        free(pixels);
        free(scratch);
        jpeg_destroy_decompress(&cinfo);
        out->pixels = NULL;
        return 1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    if (cmyk) cinfo.out_color_space = JCS_CMYK;
    else if (cinfo.num_components == 1) cinfo.out_color_space = JCS_GRAYSCALE;
    else cinfo.out_color_space = JCS_RGB;
    jpeg_start_decompress(&cinfo);
    int width = (int)cinfo.output_width, height = (int)cinfo.output_height;
    int components = cinfo.output_components;
    int channels = cmyk ? 3 : components;
    if ((uint64_t)width * height * channels > ((uint64_t)1 << 31)) {
        snprintf(out->message, SG_MESSAGE_SIZE, "JPEG too large (%d x %d)", width, height);
        longjmp(failure.jump, 1);
    }
    pixels = malloc((size_t)width * height * channels);
    scratch = malloc((size_t)width * components);
    if (!pixels || !scratch) {
        snprintf(out->message, SG_MESSAGE_SIZE, "out of memory");
        longjmp(failure.jump, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = scratch;
        int y = (int)cinfo.output_scanline;
        if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
            snprintf(out->message, SG_MESSAGE_SIZE, "JPEG decoding stopped at row %d", y);
            longjmp(failure.jump, 1);
        }
        uint8_t *dst = pixels + (size_t)y * width * channels;
        if (!cmyk) {
            memcpy(dst, scratch, (size_t)width * channels);
        } else {
            // Pillow's rule: Adobe files store inverted ink; with ink c and nk = 255 - k,
            // R = nk - c * nk / 255 (rounded as Pillow's MULDIV255).
            int adobe = cinfo.saw_Adobe_marker;
            for (int x = 0; x < width; x++) {
                const uint8_t *px = scratch + 4 * x;
                int nk = adobe ? px[3] : 255 - px[3];
                for (int i = 0; i < 3; i++) {
                    int ink = adobe ? 255 - px[i] : px[i];
                    int t = ink * nk + 128;
                    int v = nk - ((t + (t >> 8)) >> 8);
                    dst[3 * x + i] = (uint8_t)(v < 0 ? 0 : v);
                }
            }
        }
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(scratch);
    out->pixels = pixels;
    out->width = width;
    out->height = height;
    out->channels = channels;
    return 0;
}
