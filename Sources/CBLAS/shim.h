// OpenBLAS's CBLAS interface (Debian: libopenblas-dev puts cblas.h on the include path through
// the BLAS alternatives). Linked as "openblas", not the generic libblas, so that
// openblas_set_num_threads is always there.
#include <cblas.h>
