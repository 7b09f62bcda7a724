// Character classes of the pre-tokenization patterns, one byte of bits per code point.
// The tables (unicode_tables.cpp) are generated from the `regex` module by
// native/tools/gen_unicode_tables.py, so `\p{L}` here means exactly what it means to `regex`.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tokensmith::unicode {

enum ClassBit : uint8_t {
  kLetter = 1,     // \p{L}
  kNumber = 2,     // \p{N}
  kSpace = 4,      // \s
  kUpperish = 8,   // [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]  (o200k's "upper" letters)
  kLowerish = 16,  // [\p{Ll}\p{Lm}\p{Lo}\p{M}]        (o200k's "lower" letters)
  kOther = 32,     // [^\s\p{L}\p{N}]
};

struct FoldEntry {
  uint32_t code_point;
  char letter;
};

extern const uint16_t kStage1[];
extern const uint8_t kStage2[];
extern const FoldEntry kContractionFolds[];
extern const size_t kContractionFoldCount;
extern const char kRegexVersion[];

constexpr uint32_t kCodePointLimit = 0x110000;

inline uint8_t classes_of(uint32_t code_point) {
  // Code points past U+10FFFF only come from invalid UTF-8; they behave as punctuation.
  if (code_point >= kCodePointLimit) return kOther;
  return kStage2[(static_cast<uint32_t>(kStage1[code_point >> 8]) << 8) | (code_point & 0xFF)];
}

// The ASCII letter that case-insensitive matching folds `code_point` onto, among the
// contraction letters, or 0.
inline char contraction_letter(uint32_t code_point) {
  if (code_point < 0x80) {
    char c = static_cast<char>(code_point | 0x20);
    switch (c) {
      case 's': case 'd': case 'm': case 't': case 'l': case 'v': case 'r': case 'e':
        return (code_point >= 'A') ? c : 0;
      default:
        return 0;
    }
  }
  for (size_t i = 0; i < kContractionFoldCount; ++i)
    if (kContractionFolds[i].code_point == code_point) return kContractionFolds[i].letter;
  return 0;
}

}  // namespace tokensmith::unicode
