// Python bindings for BoundlessBPE training.
#include "binding_common.h"

namespace tokensmith {

void bind_boundless(nb::module_& m) { (void)m; }

}  // namespace tokensmith
