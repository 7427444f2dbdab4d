#include "vision_shim.h"
#include <stdlib.h>

void sg_free(void *pointer) { free(pointer); }
