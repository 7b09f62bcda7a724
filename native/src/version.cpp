#include "version.h"

namespace tokensmith {
const char* core_version() { return "0.1.0"; }
}  // namespace tokensmith
