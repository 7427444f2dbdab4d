// C helpers for the Vision module: the parts of libpng, libjpeg and zlib that Swift cannot
// call directly (setjmp-based error recovery, function-like macros such as inflateInit2),
// plus SHA-256. Every function reports failure through a return code and a message and
// never exits or aborts the process.
#ifndef VISION_SHIM_H
#define VISION_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Size of the message buffers the functions below fill on failure.
#define SG_MESSAGE_SIZE 256

/// Decoded 8-bit pixels, rows top to bottom, channels interleaved (1 gray, 2 gray+alpha,
/// 3 RGB, 4 RGBA). `pixels` is malloc'd; release it with sg_free.
typedef struct {
    uint8_t *pixels;
    int width;
    int height;
    int channels;
    char message[SG_MESSAGE_SIZE];
} sg_image;

/// Decodes a PNG of any colour type; palette and low bit depths are expanded, 16-bit is
/// reduced to 8-bit, tRNS becomes an alpha channel. Returns 0 on success.
int sg_png_decode(const uint8_t *data, size_t size, sg_image *out);

/// Encodes 8-bit pixels (1-4 channels) as PNG into a malloc'd buffer. Returns 0 on success.
int sg_png_encode(const uint8_t *pixels, int width, int height, int channels, int compression,
                  uint8_t **out, size_t *out_size, char *message);

/// Decodes a baseline or progressive JPEG to gray (1 channel) or RGB (3 channels); CMYK is
/// converted to RGB. A truncated file is an error, not a grey-padded image. Returns 0 on success.
int sg_jpeg_decode(const uint8_t *data, size_t size, sg_image *out);

/// Inflates gzip data (all members, CRC checked) into a malloc'd buffer. Returns 0 on success.
int sg_gunzip(const uint8_t *data, size_t size, uint8_t **out, size_t *out_size, char *message);

/// SHA-256 (FIPS 180-4) of a buffer.
void sg_sha256(const uint8_t *data, size_t size, uint8_t digest[32]);

/// Frees memory returned by the functions above.
void sg_free(void *pointer);

/// Inflates a raw deflate stream (a zip entry) into `out`, which must receive exactly
/// `out_size` bytes. Returns 0 on success.
int sg_inflate_raw(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, char *message);

/// The CRC-32 of a buffer (as zip and gzip use it).
uint32_t sg_crc32(const uint8_t *data, size_t size);

/// A gzip file read as a stream (all members; CRC checked at the end of each).
typedef struct sg_gz_reader sg_gz_reader;

/// Opens a gzip file; NULL on failure, with `message` filled.
sg_gz_reader *sg_gz_open(const char *path, char *message);

/// Reads up to `count` inflated bytes (fewer only at the end); -1 on corrupt or truncated data.
long sg_gz_read(sg_gz_reader *reader, uint8_t *out, size_t count, char *message);

/// Closes a reader from sg_gz_open (NULL is allowed).
void sg_gz_close(sg_gz_reader *reader);

#ifdef __cplusplus
}
#endif

#endif
