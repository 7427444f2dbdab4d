// gzip inflation through zlib. inflateInit2 is a macro, which Swift cannot call.
#include "vision_shim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int sg_gunzip(const uint8_t *data, size_t size, uint8_t **out, size_t *out_size, char *message) {
    *out = NULL;
    *out_size = 0;
    if (size < 18 || data[0] != 0x1f || data[1] != 0x8b) {
        snprintf(message, SG_MESSAGE_SIZE, "not gzip data (no 1f 8b header)");
        return 1;
    }
    size_t capacity = size * 4 + 1024, length = 0;
    uint8_t *buffer = malloc(capacity);
    if (!buffer) { snprintf(message, SG_MESSAGE_SIZE, "out of memory"); return 1; }
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {  // 16+: expect a gzip wrapper
        free(buffer);
        snprintf(message, SG_MESSAGE_SIZE, "zlib could not start");
        return 1;
    }
    zs.next_in = (Bytef *)data;
    size_t consumed = 0;
    int status = Z_OK;
    for (;;) {
        if (length == capacity) {
            capacity *= 2;
            uint8_t *grown = realloc(buffer, capacity);
            if (!grown) { status = Z_MEM_ERROR; break; }
            buffer = grown;
        }
        size_t left_in = size - consumed;
        zs.avail_in = left_in > 0x40000000 ? 0x40000000 : (uInt)left_in;
        zs.next_in = (Bytef *)data + consumed;
        size_t room = capacity - length;
        zs.avail_out = room > 0x40000000 ? 0x40000000 : (uInt)room;
        zs.next_out = buffer + length;
        uInt before_in = zs.avail_in, before_out = zs.avail_out;
        status = inflate(&zs, Z_NO_FLUSH);
        consumed += before_in - zs.avail_in;
        length += before_out - zs.avail_out;
        if (status == Z_STREAM_END) {
            // Concatenated members are valid gzip; trailing zero padding is tolerated.
            while (consumed < size && data[consumed] == 0) consumed++;
            if (consumed == size) break;
            if (inflateReset(&zs) != Z_OK) { status = Z_DATA_ERROR; break; }
            continue;
        }
        if (status == Z_OK) continue;
        if (status == Z_BUF_ERROR && zs.avail_out == 0) continue;  // needs more room
        break;
    }
    const char *zmsg = zs.msg;
    inflateEnd(&zs);
    if (status == Z_STREAM_END) {
        *out = buffer;
        *out_size = length;
        return 0;
    }
    free(buffer);
    if (status == Z_BUF_ERROR)
        snprintf(message, SG_MESSAGE_SIZE, "truncated gzip data (ends after %zu of %zu bytes without the end of stream)",
                 consumed, size);
    else if (status == Z_MEM_ERROR)
        snprintf(message, SG_MESSAGE_SIZE, "out of memory while inflating");
    else
        snprintf(message, SG_MESSAGE_SIZE, "corrupt gzip data: %s", zmsg ? zmsg : "inflate failed");
    return 1;
}
