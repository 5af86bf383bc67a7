// CHDF5 — the C edge of HDF5Kit.
//
// Swift imports HDF5's functions and plain integer macros, but not the macros that expand to
// expressions: property-list classes, predefined datatypes and file-access flags are written as
// `(H5OPEN H5T_NATIVE_INT8_g)`, i.e. "call H5open(), then read a global". Each getter below
// expands one such macro in C, so the library is initialized before the global is read and the
// getters are safe to call before any other HDF5 function.
//
// Only HDF5Kit imports this module. Names are `chdf5_` + the macro's own name.
#ifndef CHDF5_SHIM_H
#define CHDF5_SHIM_H

#include <hdf5.h>

// MARK: - Defaults and special identifiers

static inline hid_t chdf5_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t chdf5_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t chdf5_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline hsize_t chdf5_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }
static inline size_t chdf5_H5T_VARIABLE(void) { return H5T_VARIABLE; }

// MARK: - File access flags

static inline unsigned chdf5_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned chdf5_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }

// MARK: - Property list classes

static inline hid_t chdf5_H5P_FILE_CREATE(void) { return H5P_FILE_CREATE; }
static inline hid_t chdf5_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t chdf5_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t chdf5_H5P_DATASET_ACCESS(void) { return H5P_DATASET_ACCESS; }
static inline hid_t chdf5_H5P_DATASET_XFER(void) { return H5P_DATASET_XFER; }
static inline hid_t chdf5_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t chdf5_H5P_ATTRIBUTE_CREATE(void) { return H5P_ATTRIBUTE_CREATE; }

// MARK: - Datatypes in memory (this machine's layout)

static inline hid_t chdf5_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t chdf5_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t chdf5_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t chdf5_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
static inline hid_t chdf5_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t chdf5_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t chdf5_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t chdf5_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }

// MARK: - Datatypes in files (fixed little-endian layout, what h5py writes on every platform)

static inline hid_t chdf5_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }
static inline hid_t chdf5_H5T_STD_I8LE(void) { return H5T_STD_I8LE; }
static inline hid_t chdf5_H5T_STD_U16LE(void) { return H5T_STD_U16LE; }
static inline hid_t chdf5_H5T_STD_I16LE(void) { return H5T_STD_I16LE; }
static inline hid_t chdf5_H5T_STD_U32LE(void) { return H5T_STD_U32LE; }
static inline hid_t chdf5_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline hid_t chdf5_H5T_STD_U64LE(void) { return H5T_STD_U64LE; }
static inline hid_t chdf5_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t chdf5_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t chdf5_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
static inline hid_t chdf5_H5T_C_S1(void) { return H5T_C_S1; }

// MARK: - Error printing

// Turns off HDF5's automatic printing of error stacks to stderr for the calling thread; HDF5Kit
// reads the stack itself and throws. Once per thread, because in a thread-safe build (which
// Debian's "serial" libhdf5 is: H5_HAVE_THREADSAFE) the setting lives in each thread's own
// error stack, and every new thread starts with printing on. Only HDF5.swift calls this, so
// the function-local thread-local flag exists once.
static inline void chdf5_silence_errors_on_this_thread(void) {
    static _Thread_local int silenced = 0;
    if (!silenced) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        silenced = 1;
    }
}

// MARK: - Calls whose name or existence depends on the library version

// H5Fis_hdf5 is deprecated from 1.12 on (and absent from builds without deprecated symbols);
// H5Fis_accessible replaces it.
static inline htri_t chdf5_is_hdf5(const char *name) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Fis_accessible(name, H5P_DEFAULT);
#else
    return H5Fis_hdf5(name);
#endif
}

// H5Treclaim replaces the deprecated H5Dvlen_reclaim from 1.12 on. (1.10.8's header declares
// H5Treclaim too, but Debian's 1.10.8 library does not export it: the link fails.)
static inline herr_t chdf5_reclaim(hid_t type_id, hid_t space_id, hid_t plist_id, void *buf) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(type_id, space_id, plist_id, buf);
#else
    return H5Dvlen_reclaim(type_id, space_id, plist_id, buf);
#endif
}

#endif // CHDF5_SHIM_H
