// Python bindings for encode-time augmentation (BPE-dropout).
#include "binding_common.h"

namespace tokensmith {

void bind_augment(nb::module_& m) { (void)m; }

}  // namespace tokensmith
