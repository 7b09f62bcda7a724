// The only file that knows about Python: converts types and errors, releases the GIL.
#include <nanobind/nanobind.h>

#include "version.h"

namespace nb = nanobind;

NB_MODULE(_native, m) {
  m.doc() = "tokensmith's native core: pre-tokenization, counting and the BPE merge loop.";
  m.def("core_version", &tokensmith::core_version);
}
