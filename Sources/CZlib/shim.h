// zlib, from the system; linked as -lz.
#include <zlib.h>
