// Open MPI's handles are macros over internal symbols that Swift cannot import; these
// functions name the few this tool uses.
#include <mpi.h>
#include <malloc.h>

static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op cmpi_sum(void) { return MPI_SUM; }
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Request cmpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Info cmpi_info_null(void) { return MPI_INFO_NULL; }
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int cmpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }

// Open MPI's non-blocking all-reduce mallocs a temporary as large as the bucket on every
// call; above glibc's mmap threshold each is a fresh mapping that faults in page by page.
// Buckets (25 MB) below the threshold, and a trim threshold above a step's worth of them,
// let every step reuse the same heap memory.
static inline void cmpi_keep_heap_for_buffers(void) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
}
