// An open-addressing hash map from byte strings to counts, built for counting pre-tokens:
// millions of mostly short keys, no deletion, 24-byte slots, long keys in one arena.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace tokensmith {

inline uint64_t hash_bytes(const uint8_t* p, size_t len) {
  // Multiply-fold mixing over 8-byte words (the "mum" step of wyhash-style hashes).
  auto mum = [](uint64_t x, uint64_t y) {
    __uint128_t m = static_cast<__uint128_t>(x) * y;
    return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
  };
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ len;
  while (len >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = mum(h ^ w, 0xA0761D6478BD642FULL);
    p += 8;
    len -= 8;
  }
  if (len) {
    uint64_t w = 0;
    std::memcpy(&w, p, len);
    h = mum(h ^ w, 0xE7037ED1A0B428DBULL);
  }
  return mum(h, 0x8EBC6AF09C88C6E3ULL);
}

class PieceCountMap {
 public:
  // Counts past this would overwrite the length byte kept beside the count.
  static constexpr uint64_t kMaxCount = (uint64_t(1) << 56) - 1;

  PieceCountMap() { slots_.resize(kInitialSlots); }

  // Returns false (and counts nothing) when the piece's count would pass kMaxCount.
  bool add(const uint8_t* key, uint32_t length, uint64_t hash, uint64_t count) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const uint64_t length_tag = uint64_t(length < 255 ? length : 255) << 56;
    const bool inline_key = length <= 8;
    uint64_t word = 0;
    if (inline_key) std::memcpy(&word, key, length);
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.meta == 0) {
        if (count > kMaxCount) return false;
        slot.hash = hash;
        slot.meta = length_tag | count;
        slot.data = inline_key ? word : store(key, length);
        ++size_;
        return true;
      }
      if (slot.hash != hash || (slot.meta & ~kMaxCount) != length_tag) continue;
      if (inline_key ? slot.data == word
                     : (long_length(slot) == length && std::memcmp(long_bytes(slot), key, length) == 0)) {
        if (count > kMaxCount - (slot.meta & kMaxCount)) return false;
        slot.meta += count;
        return true;
      }
    }
  }

  size_t size() const { return size_; }

  // f(key, length, count, hash) for every entry, in no particular order.
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& slot : slots_) {
      if (!slot.meta) continue;
      const uint64_t count = slot.meta & kMaxCount;
      const uint32_t short_length = static_cast<uint32_t>(slot.meta >> 56);
      if (short_length <= 8)
        f(reinterpret_cast<const uint8_t*>(&slot.data), short_length, count, slot.hash);
      else
        f(long_bytes(slot), long_length(slot), count, slot.hash);
    }
  }

  void clear_and_release() {
    std::vector<Slot>().swap(slots_);
    std::vector<uint8_t>().swap(arena_);
    slots_.resize(kInitialSlots);
    size_ = 0;
  }

 private:
  // Keys of at most 8 bytes live in the slot itself (most pre-tokens are short), longer ones
  // in the arena as a 4-byte length then the bytes. meta = length (capped at 255) << 56 | count;
  // 0 marks an empty slot (a counted empty key has a count, so it is never 0).
  struct Slot {
    uint64_t hash;
    uint64_t meta;
    uint64_t data;  // the key bytes, or the key's arena offset
  };
  static constexpr size_t kInitialSlots = 1024;

  uint32_t long_length(const Slot& slot) const {
    uint32_t length;
    std::memcpy(&length, arena_.data() + slot.data, 4);
    return length;
  }
  const uint8_t* long_bytes(const Slot& slot) const { return arena_.data() + slot.data + 4; }

  uint64_t store(const uint8_t* key, uint32_t length) {
    const uint64_t offset = arena_.size();
    arena_.resize(offset + 4 + length);
    std::memcpy(arena_.data() + offset, &length, 4);
    std::memcpy(arena_.data() + offset + 4, key, length);
    return offset;
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (!slot.meta) continue;
      size_t i = slot.hash & mask;
      while (slots_[i].meta) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  std::vector<uint8_t> arena_;
  size_t size_ = 0;
};

}  // namespace tokensmith
