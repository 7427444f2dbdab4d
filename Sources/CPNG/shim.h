// libpng, from the system (/usr/include/png.h); linked as -lpng16.
#include <png.h>
