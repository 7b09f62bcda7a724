// Decoding one UTF-8 character at a time, tolerant of invalid input.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tokensmith {

struct Decoded {
  uint32_t code_point;
  uint32_t length;  // bytes consumed, >= 1
};

// Invalid or truncated sequences decode as one byte with a code point past U+10FFFF, which the
// class tables treat as punctuation: the corpus layer rejects such text, this only avoids UB.
inline Decoded decode_utf8(const uint8_t* s, size_t n, size_t i) {
  constexpr uint32_t kInvalid = 0x110000;
  const uint8_t b0 = s[i];
  if (b0 < 0x80) return {b0, 1};
  const size_t left = n - i;
  auto cont = [&](size_t k) { return k < left && (s[i + k] & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 < 0xE0 && cont(1))
    return {(uint32_t(b0 & 0x1F) << 6) | (s[i + 1] & 0x3F), 2};
  if (b0 >= 0xE0 && b0 < 0xF0 && cont(1) && cont(2)) {
    uint32_t cp = (uint32_t(b0 & 0x0F) << 12) | (uint32_t(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
    if (cp >= 0x800) return {cp, 3};
  } else if (b0 >= 0xF0 && b0 < 0xF5 && cont(1) && cont(2) && cont(3)) {
    uint32_t cp = (uint32_t(b0 & 0x07) << 18) | (uint32_t(s[i + 1] & 0x3F) << 12) |
                  (uint32_t(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
    if (cp >= 0x10000 && cp < 0x110000) return {cp, 4};
  }
  return {kInvalid, 1};
}

}  // namespace tokensmith
