// CMPI — the C edge of SpindleMPI (built only with the MPI trait).
//
// In Open MPI the predefined handles are macros over the addresses of library globals
// (`#define MPI_COMM_WORLD OMPI_PREDEFINED_GLOBAL(MPI_Comm, ompi_mpi_comm_world)`), which Swift
// does not import; MPICH spells them as integer constants, which it would. Each getter below
// expands one such macro in C so that Swift code works with either.
//
// Only SpindleMPI imports this module. Names are `cmpi_` + the macro's own name.
#ifndef CMPI_SHIM_H
#define CMPI_SHIM_H

#include <mpi.h>

// MARK: - Communicators

static inline MPI_Comm cmpi_MPI_COMM_WORLD(void) { return MPI_COMM_WORLD; }

// MARK: - Datatypes

static inline MPI_Datatype cmpi_MPI_FLOAT(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_MPI_DOUBLE(void) { return MPI_DOUBLE; }
static inline MPI_Datatype cmpi_MPI_UINT64_T(void) { return MPI_UINT64_T; }

// MARK: - Reduction operations

static inline MPI_Op cmpi_MPI_SUM(void) { return MPI_SUM; }

// MARK: - Error handlers and special values

static inline MPI_Errhandler cmpi_MPI_ERRORS_RETURN(void) { return MPI_ERRORS_RETURN; }
static inline void *cmpi_MPI_IN_PLACE(void) { return MPI_IN_PLACE; }
static inline int cmpi_MPI_SUCCESS(void) { return MPI_SUCCESS; }
static inline int cmpi_MPI_MAX_ERROR_STRING(void) { return MPI_MAX_ERROR_STRING; }
static inline int cmpi_MPI_THREAD_FUNNELED(void) { return MPI_THREAD_FUNNELED; }

#endif
