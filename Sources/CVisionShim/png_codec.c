// PNG decode and encode through libpng's full API. libpng reports errors by longjmp, so
// each entry point sets a jump target; Swift cannot do that itself.
#include "vision_shim.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    char *message;
} png_source;

static void on_png_error(png_structp png, png_const_charp text) {
    png_source *src = png_get_error_ptr(png);
    if (src && src->message) snprintf(src->message, SG_MESSAGE_SIZE, "%s", text);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;  // benign (e.g. unknown chunks); the data is still decoded
}

static void read_from_memory(png_structp png, png_bytep into, png_size_t count) {
    png_source *src = png_get_io_ptr(png);
    if (src->size - src->offset < count) png_error(png, "truncated PNG data (file ends early)");
    memcpy(into, src->data + src->offset, count);
    src->offset += count;
}

int sg_png_decode(const uint8_t *data, size_t size, sg_image *out) {
    memset(out, 0, sizeof *out);
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(out->message, SG_MESSAGE_SIZE, "not a PNG (bad signature)");
        return 1;
    }
    png_source src = {data, size, 0, out->message};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, on_png_error, on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_read_struct(&png, &info, NULL);
        snprintf(out->message, SG_MESSAGE_SIZE, "out of memory");
        return 1;
    }
    // volatile: modified between setjmp and a possible longjmp.
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(pixels);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        if (!out->message[0]) snprintf(out->message, SG_MESSAGE_SIZE, "corrupt PNG data");
        out->pixels = NULL;
        return 1;
    }
    png_set_read_fn(png, &src, read_from_memory);
    png_read_info(png, info);
    int color_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    // Normalise to 8-bit gray / gray+alpha / RGB / RGBA, as an image library would.
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (bit_depth == 16) png_set_strip_16(png);
    if (bit_depth < 8) png_set_packing(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    int channels = png_get_channels(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    if (width == 0 || height == 0 || channels < 1 || channels > 4 || rowbytes != (size_t)width * channels) {
        snprintf(out->message, SG_MESSAGE_SIZE, "unsupported PNG layout (%u x %u, %d channels)", width, height, channels);
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }
    if ((uint64_t)width * height * channels > ((uint64_t)1 << 31)) {
        snprintf(out->message, SG_MESSAGE_SIZE, "PNG too large (%u x %u)", width, height);
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }
    pixels = malloc(rowbytes * height);
    rows = malloc(sizeof(png_bytep) * height);
    if (!pixels || !rows) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + y * rowbytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    out->pixels = pixels;
    out->width = (int)width;
    out->height = (int)height;
    out->channels = channels;
    return 0;
}

typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
    int failed;
    char *message;
} png_sink;

static void write_to_memory(png_structp png, png_bytep from, png_size_t count) {
    png_sink *sink = png_get_io_ptr(png);
    if (sink->size + count > sink->capacity) {
        size_t capacity = sink->capacity ? sink->capacity : 4096;
        while (capacity < sink->size + count) capacity *= 2;
        uint8_t *grown = realloc(sink->data, capacity);
        if (!grown) png_error(png, "out of memory");
        sink->data = grown;
        sink->capacity = capacity;
    }
    memcpy(sink->data + sink->size, from, count);
    sink->size += count;
}

static void flush_nothing(png_structp png) { (void)png; }

static void on_png_write_error(png_structp png, png_const_charp text) {
    png_sink *sink = png_get_error_ptr(png);
    if (sink && sink->message) snprintf(sink->message, SG_MESSAGE_SIZE, "%s", text);
    png_longjmp(png, 1);
}

int sg_png_encode(const uint8_t *pixels, int width, int height, int channels, int compression,
                  uint8_t **out, size_t *out_size, char *message) {
    *out = NULL;
    *out_size = 0;
    message[0] = 0;
    static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                       PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    if (width <= 0 || height <= 0 || channels < 1 || channels > 4) {
        snprintf(message, SG_MESSAGE_SIZE, "cannot encode %d x %d with %d channels as PNG", width, height, channels);
        return 1;
    }
    png_sink sink = {NULL, 0, 0, 0, message};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, on_png_write_error, on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, &info);
        snprintf(message, SG_MESSAGE_SIZE, "out of memory");
        return 1;
    }
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        free(sink.data);
        png_destroy_write_struct(&png, &info);
        if (!message[0]) snprintf(message, SG_MESSAGE_SIZE, "PNG encoding failed");
        return 1;
    }
    png_set_write_fn(png, &sink, write_to_memory, flush_nothing);
    png_set_compression_level(png, compression < 0 ? 6 : compression > 9 ? 9 : compression);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, color_types[channels],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    rows = malloc(sizeof(png_bytep) * (size_t)height);
    if (!rows) png_error(png, "out of memory");
    for (int y = 0; y < height; y++) rows[y] = (png_bytep)pixels + (size_t)y * width * channels;
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    free(rows);
    png_destroy_write_struct(&png, &info);
    *out = sink.data;
    *out_size = sink.size;
    return 0;
}
