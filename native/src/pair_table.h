// The pair table and word lists of the merge loop in bpe_train.cpp: an open-addressing map
// from a pair to its count and state, and a pool of linked chunks holding each pair's words.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "huge_pages.h"

namespace tokensmith {
namespace merge_loop {

inline uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

// The word lists of all pairs, in one pool of small linked chunks: a list costs 8 bytes plus
// its chunks, not a std::vector header and a heap allocation each, and chunks of merged pairs
// are reused. Pages never move, so growing the pool copies nothing.
class WordListPool {
 public:
  struct List {
    uint32_t head = kNone;
    uint32_t tail = kNone;
  };

  // Appends `word` unless it is already the last entry.
  void append(List& list, uint32_t word) {
    if (list.tail != kNone) {
      Chunk& tail = chunk(list.tail);
      if (tail.items[tail.size - 1] == word) return;
      if (tail.size < kItems) {
        tail.items[tail.size++] = word;
        return;
      }
    }
    const uint32_t fresh = allocate();
    Chunk& c = chunk(fresh);
    c.next = kNone;
    c.size = 1;
    c.items[0] = word;
    if (list.tail == kNone) list.head = fresh;
    else chunk(list.tail).next = fresh;
    list.tail = fresh;
  }

  // Moves the list's entries into *out (replacing its contents) and frees its chunks.
  void take(List& list, std::vector<uint32_t>* out) {
    out->clear();
    for (uint32_t at = list.head; at != kNone;) {
      Chunk& c = chunk(at);
      out->insert(out->end(), c.items, c.items + c.size);
      const uint32_t next = c.next;
      c.next = free_;
      free_ = at;
      at = next;
    }
    list = List{};
  }

 private:
  static constexpr uint32_t kNone = ~0u;
  static constexpr uint32_t kItems = 6;  // 32-byte chunks: most pairs occur in few words
  static constexpr uint32_t kPageBits = 17;  // 4 MiB pages of chunks: big enough for huge pages
  struct Chunk {
    uint32_t next;
    uint32_t size;
    uint32_t items[kItems];
  };

  Chunk& chunk(uint32_t index) { return pages_[index >> kPageBits][index & ((1u << kPageBits) - 1)]; }

  uint32_t allocate() {
    if (free_ != kNone) {
      const uint32_t index = free_;
      free_ = chunk(index).next;
      return index;
    }
    if ((used_ >> kPageBits) == pages_.size()) pages_.emplace_back(size_t(1) << kPageBits);
    return used_++;
  }

  std::vector<HugePageVector<Chunk>> pages_;
  uint32_t used_ = 0;
  uint32_t free_ = kNone;
};

// Open-addressing map from a pair key to everything the loop keeps about the pair, in one
// 32-byte slot: an update that appends a word touches the slot and the list's tail chunk only.
class PairTable {
 public:
  struct Slot {
    uint64_t key;
    uint64_t count;
    WordListPool::List words;  // words that had the pair
    uint32_t stamp;            // last step that touched the pair
    uint32_t blocked;          // 1: failed a veto (only with vetoes)
  };

  PairTable() : slots_(kInitial, Slot{kEmpty, 0, {}, 0, 0}) {}

  Slot* find(uint64_t key) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i].key == key) return &slots_[i];
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }

  // Makes room for `count` keys in all, so that inserting them never rehashes.
  void reserve(size_t count) {
    size_t slots = slots_.size();
    while (count * 4 > slots * 3) slots *= 2;
    while (slots_.size() < slots) grow();
  }

  void prefetch(uint64_t key) const { __builtin_prefetch(&slots_[mix(key) & (slots_.size() - 1)]); }

  // The slot of `key`, inserted with count 0 and no words when absent.
  // Pointers stay valid until the next insertion.
  Slot* find_or_insert(uint64_t key) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.key == key) return &slot;
      if (slot.key == kEmpty) {
        slot = Slot{key, 0, {}, 0, 0};
        ++size_;
        return &slot;
      }
    }
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t(0);
  static constexpr size_t kInitial = 1 << 16;
  static size_t mix(uint64_t key) {
    key ^= key >> 31;
    key *= 0x9E3779B97F4A7C15ULL;
    return key ^ (key >> 29);
  }
  void grow() {
    HugePageVector<Slot> old(slots_.size() * 2, Slot{kEmpty, 0, {}, 0, 0});
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.key == kEmpty) continue;
      size_t i = mix(slot.key) & mask;
      while (slots_[i].key != kEmpty) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  HugePageVector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace merge_loop
// The first k >= from with s[k] == left and s[k + 1] == right, or length when there is none.
// Superword pre-tokens run to hundreds of symbols and most merges touch few places in them,
// so the search for `left` compares four symbols at a time.
inline uint32_t find_pair(const int32_t* s, uint32_t length, int32_t left, int32_t right, uint32_t from) {
  uint32_t k = from;
  while (k + 1 < length) {
#if defined(__SSE2__)
    const __m128i wanted = _mm_set1_epi32(left);
    while (k + 4 <= length) {
      const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + k));
      const int hits = _mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(block, wanted)));
      if (hits) {
        k += static_cast<uint32_t>(__builtin_ctz(static_cast<unsigned>(hits)));
        break;
      }
      k += 4;
    }
#endif
    while (k < length && s[k] != left) ++k;
    if (k + 1 >= length) return length;
    if (s[k + 1] == right) return k;
    ++k;
  }
  return length;
}

// Replaces every (left, right) in s[0:length] by `fresh`, left to right and in place (BPE's
// rule: a run "aaa" with pair (a, a) becomes "Xa"), and returns the new length (`length` when
// the pair does not occur). Reports removed(x, y) for each pair of the old sequence that
// overlapped a replaced position, the replaced pairs included, and added(x, y) for each pair
// of the new sequence that contains `fresh`. Runs between occurrences are found by find_pair
// and moved as blocks, so a long word costs little more than its occurrences. Shared by the
// plain and the parity merge loops.
template <class Removed, class Added>
inline uint32_t replace_pair(int32_t* s, uint32_t length, int32_t left, int32_t right, int32_t fresh,
                             Removed&& removed, Added&& added) {
  uint32_t k = find_pair(s, length, left, right, 0);
  if (k == length) return length;
  uint32_t out = k;            // s[0:out] is the new sequence so far; s[k:] is still the old one
  bool after_merge = false;    // old position k - 1 was part of a replaced pair
  while (k < length) {
    if (k + 1 < length && s[k] == left && s[k + 1] == right) {
      if (k > 0 && !after_merge) removed(s[k - 1], left);  // s[k - 1] is unmoved: out < k here
      removed(left, right);
      if (k + 2 < length) removed(right, s[k + 2]);
      if (out > 0) added(s[out - 1], fresh);
      s[out++] = fresh;
      k += 2;
      after_merge = true;
      continue;
    }
    const uint32_t next = find_pair(s, length, left, right, k + 1);
    if (after_merge) added(fresh, s[k]);
    std::memmove(s + out, s + k, sizeof(int32_t) * (next - k));
    out += next - k;
    k = next;
    after_merge = false;
  }
  return out;
}

}  // namespace tokensmith
