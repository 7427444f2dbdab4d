// zlib for archives: raw deflate streams (zip entries) need inflateInit2 with negative
// window bits, a macro that Swift cannot call; crc32 checks zip entries.
#include "vision_shim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int sg_inflate_raw(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, char *message) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {  // negative: a raw deflate stream, no wrapper
        snprintf(message, SG_MESSAGE_SIZE, "zlib could not start");
        return 1;
    }
    size_t consumed = 0, produced = 0;
    int status = Z_OK;
    while (status == Z_OK) {
        size_t left_in = size - consumed, left_out = out_size - produced;
        zs.next_in = (Bytef *)data + consumed;
        zs.avail_in = left_in > 0x40000000 ? 0x40000000 : (uInt)left_in;
        zs.next_out = out + produced;
        zs.avail_out = left_out > 0x40000000 ? 0x40000000 : (uInt)left_out;
        uInt before_in = zs.avail_in, before_out = zs.avail_out;
        status = inflate(&zs, Z_NO_FLUSH);
        consumed += before_in - zs.avail_in;
        produced += before_out - zs.avail_out;
        if (status == Z_BUF_ERROR && before_in != zs.avail_in) status = Z_OK;  // progress made
    }
    const char *zmsg = zs.msg;
    inflateEnd(&zs);
    if (status == Z_STREAM_END && produced == out_size) return 0;
    if (status == Z_STREAM_END)
        snprintf(message, SG_MESSAGE_SIZE, "deflate data inflates to %zu bytes, the directory says %zu", produced, out_size);
    else if (status == Z_BUF_ERROR && produced == out_size)
        snprintf(message, SG_MESSAGE_SIZE, "deflate data inflates to more than the %zu bytes the directory says", out_size);
    else if (status == Z_BUF_ERROR)
        snprintf(message, SG_MESSAGE_SIZE, "truncated deflate data (%zu of %zu bytes produced)", produced, out_size);
    else
        snprintf(message, SG_MESSAGE_SIZE, "corrupt deflate data: %s", zmsg ? zmsg : "inflate failed");
    return 1;
}

uint32_t sg_crc32(const uint8_t *data, size_t size) {
    uLong crc = crc32(0L, Z_NULL, 0);
    while (size > 0) {
        uInt chunk = size > 0x40000000 ? 0x40000000 : (uInt)size;
        crc = crc32(crc, data, chunk);
        data += chunk;
        size -= chunk;
    }
    return (uint32_t)crc;
}

// Streaming gzip input (gzopen/gzread), so a multi-gigabyte .tar.gz is unpacked member by
// member instead of inflated into memory whole.
struct sg_gz_reader { gzFile file; };

sg_gz_reader *sg_gz_open(const char *path, char *message) {
    gzFile file = gzopen(path, "rb");
    if (!file) { snprintf(message, SG_MESSAGE_SIZE, "cannot open for reading"); return NULL; }
    gzbuffer(file, 1 << 17);
    sg_gz_reader *reader = malloc(sizeof *reader);
    if (!reader) { gzclose(file); snprintf(message, SG_MESSAGE_SIZE, "out of memory"); return NULL; }
    reader->file = file;
    return reader;
}

long sg_gz_read(sg_gz_reader *reader, uint8_t *out, size_t count, char *message) {
    size_t done = 0;
    while (done < count) {
        size_t want = count - done > 0x40000000 ? 0x40000000 : count - done;
        int n = gzread(reader->file, out + done, (unsigned)want);
        if (n < 0) {
            int code = 0;
            const char *text = gzerror(reader->file, &code);
            snprintf(message, SG_MESSAGE_SIZE, "corrupt or truncated gzip data: %s", text ? text : "read failed");
            return -1;
        }
        if (n == 0) {
            // gzread reports a stream cut short (Z_BUF_ERROR) as an end of file, not a failure.
            int code = Z_OK;
            gzerror(reader->file, &code);
            if (code == Z_BUF_ERROR) {
                snprintf(message, SG_MESSAGE_SIZE, "truncated gzip data (the stream ends before its end marker)");
                return -1;
            }
            break;
        }
        done += (size_t)n;
    }
    return (long)done;
}

void sg_gz_close(sg_gz_reader *reader) {
    if (!reader) return;
    gzclose(reader->file);
    free(reader);
}
