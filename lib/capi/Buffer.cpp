// Buffer.cpp: kiln_buffer, the bytes Kiln hands to C callers (C API).
//
// Emitted object code, assembly, bitcode and IR come back as one owned
// buffer rather than a caller-sized array, so the caller needs no second
// call to learn the size. The bytes are a std::string: text is therefore
// NUL-terminated for free.
#include "Internal.h"

KILN_API const char *kiln_buffer_data(const kiln_buffer *buffer) {
  return buffer ? buffer->bytes.c_str() : "";
}

KILN_API size_t kiln_buffer_size(const kiln_buffer *buffer) {
  return buffer ? buffer->bytes.size() : 0;
}

KILN_API void kiln_buffer_free(kiln_buffer *buffer) { delete buffer; }
