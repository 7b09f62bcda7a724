// Counting pre-tokens over many texts, spread over threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "piece_map.h"
#include "pretokenize.h"

namespace tokensmith {

struct TextView {
  const uint8_t* data;
  size_t size;
};

// Pre-tokens sorted by their bytes, concatenated, with their lengths and counts.
struct FlatPieces {
  std::vector<uint8_t> bytes;
  std::vector<int64_t> lengths;
  std::vector<uint64_t> counts;
};

class PretokenCounter {
 public:
  // Texts longer than 2 * slice_bytes are cut into slices of about slice_bytes (at safe_cut
  // points) so that threads can share one big text.
  PretokenCounter(Preset preset, DigitMode digits, int threads, size_t slice_bytes = kDefaultSliceBytes);
  static constexpr size_t kDefaultSliceBytes = size_t(4) << 20;

  // Splits each text (independent of the others) and counts its pieces.
  void add_texts(const std::vector<TextView>& texts);
  // Counts given pieces directly; counts may be null (each piece once).
  void add_pieces(const std::vector<TextView>& pieces, const uint64_t* counts);

  size_t distinct();
  uint64_t total() const { return total_; }
  FlatPieces flat_items(uint64_t min_count);

 private:
  void consolidate();

  Preset preset_;
  DigitMode digits_;
  int threads_;
  size_t slice_bytes_;
  std::vector<PieceCountMap> maps_;  // one per thread; merged into maps_[0] on demand
  uint64_t total_ = 0;
};

}  // namespace tokensmith
