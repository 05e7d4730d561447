#ifndef AEROLITH_CFFI_SHIM_H
#define AEROLITH_CFFI_SHIM_H
#include <ffi.h>

/* libffi's type descriptors are mutable C globals, which Swift 6 refuses to read from
 * concurrent code; these accessors hand out their addresses instead. */
static inline ffi_type *aerolith_ffi_type_void(void) { return &ffi_type_void; }
static inline ffi_type *aerolith_ffi_type_sint32(void) { return &ffi_type_sint32; }
static inline ffi_type *aerolith_ffi_type_uint32(void) { return &ffi_type_uint32; }
static inline ffi_type *aerolith_ffi_type_sint64(void) { return &ffi_type_sint64; }
static inline ffi_type *aerolith_ffi_type_uint64(void) { return &ffi_type_uint64; }
static inline ffi_type *aerolith_ffi_type_float(void) { return &ffi_type_float; }
static inline ffi_type *aerolith_ffi_type_double(void) { return &ffi_type_double; }
static inline ffi_type *aerolith_ffi_type_uint8(void) { return &ffi_type_uint8; }
#endif
