#pragma once

namespace tokensmith {
const char* core_version();
}  // namespace tokensmith
