// The parity-aware merge loop. It follows the incremental scheme of bpe_train.cpp (pair counts
// updated only around merged positions, a lazy max-heap, for each pair the words that contain
// it), with three differences:
// - counts are kept per (pair, language), plus one "global" slot summing all languages while
//   the hybrid variant's global merges last, and each slot has its own heap;
// - dev words sit in the same word lists (their pairs are never counted), so a merge rewrites
//   them too and each language's dev token count is updated by exactly what the merge saved;
// - each step first picks the language, then pops that language's heap.
//
// The reference implementation (github.com/swiss-ai/parity-aware-bpe, learn_bpe and
// learn_bpe_moving_window) was followed for the selection rules: the worst language is the one
// with the most dev tokens (first language on a tie); with target ratios, the one whose
// compression (start length / current length) over its ratio is lowest; in the moving-window
// variant a language whose share of the last W parity-driven choices exceeds alpha / L is
// skipped for the next worst. Where we differ, on purpose:
// - ties between pairs go to the smallest (left, right) ids, as in train_merges (the reference
//   takes the largest pair string);
// - counts are exact: the reference prunes rare pairs and resyncs, which can pick a pair that
//   is not the most frequent;
// - a language with no pair left at min_pair_count is set aside and the next worst language is
//   served (the reference stops training); training ends when every language is set aside;
// - if the window rule would exclude every language still in play, it is ignored for that step;
// - the window threshold uses the number of languages, as the paper states (the reference
//   divides by languages + 1 when global merges are on, because its count arrays have an
//   extra column).
//
// Threads: steps that touch many words rewrite them on worker threads that record their count
// changes; the main thread replays those in word order, so the result does not depend on the
// thread count.
#include "parity_train.h"
#include "pair_table.h"

#include <algorithm>
#include <deque>
#include <queue>
#include <stdexcept>
#include <string>
#include <thread>

namespace tokensmith {
namespace {

inline uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}
inline int32_t left_of(uint64_t key) { return static_cast<int32_t>(key >> 32); }
inline int32_t right_of(uint64_t key) { return static_cast<int32_t>(key & 0xFFFFFFFFu); }

constexpr unsigned kSlotBits = 24;  // a count key is pair id << kSlotBits | slot
constexpr size_t kMaxLanguages = (size_t(1) << kSlotBits) - 2;

// Open-addressing map from a 64-bit key to a value and the last step that raised it.
class KeyTable {
 public:
  struct Slot {
    uint64_t key;
    uint64_t value;
    uint32_t stamp;
  };

  KeyTable() : slots_(kInitial, Slot{kEmpty, 0, 0}) {}

  Slot* find(uint64_t key) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i].key == key) return &slots_[i];
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }

  // The slot of `key`, inserted with value `fresh` when absent. Valid until the next insertion.
  Slot* find_or_insert(uint64_t key, uint64_t fresh, bool* inserted) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.key == key) {
        *inserted = false;
        return &slot;
      }
      if (slot.key == kEmpty) {
        slot = Slot{key, fresh, 0};
        ++size_;
        *inserted = true;
        return &slot;
      }
    }
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t(0);
  static constexpr size_t kInitial = 1 << 12;
  static size_t mix(uint64_t key) {
    key ^= key >> 31;
    key *= 0x9E3779B97F4A7C15ULL;
    return key ^ (key >> 29);
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2, Slot{kEmpty, 0, 0});
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.key == kEmpty) continue;
      size_t i = mix(slot.key) & mask;
      while (slots_[i].key != kEmpty) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

struct HeapEntry {
  uint64_t count;
  uint64_t key;  // (left, right)
  bool operator<(const HeapEntry& other) const {  // max count first, then smallest pair
    return count != other.count ? count < other.count : key > other.key;
  }
};

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument(message); }

void validate(const ParityTrainingInput& in, const ParityTrainingOptions& options) {
  if (in.token_count == 0) fail("token_lengths is empty: give the byte length of every existing token id");
  if (in.token_count > 0x7FFFFFFF) fail("token_lengths has more than 2**31-1 entries");
  if (in.word_count >= 0xFFFFFFFFu) fail("more than 2**32-2 words: count distinct words first");
  if (in.language_count == 0 || in.language_count > kMaxLanguages)
    fail("language_count = " + std::to_string(in.language_count) + ": use 1 to " + std::to_string(kMaxLanguages));
  if (in.offsets[0] < 0) fail("offsets[0] is negative");
  for (size_t i = 0; i < in.word_count; ++i) {
    if (in.offsets[i + 1] < in.offsets[i])
      fail("offsets[" + std::to_string(i + 1) + "] is less than offsets[" + std::to_string(i) +
           "]: offsets must not decrease");
    if (in.languages[i] < 0 || static_cast<size_t>(in.languages[i]) >= in.language_count)
      fail("languages[" + std::to_string(i) + "] = " + std::to_string(in.languages[i]) + " is not in [0, " +
           std::to_string(in.language_count) + ")");
    if (in.roles[i] == 0 || in.roles[i] > (kParityTrainingWord | kParityDevWord))
      fail("roles[" + std::to_string(i) + "] = " + std::to_string(in.roles[i]) +
           ": use 1 (training), 2 (dev) or 3 (both)");
  }
  if (static_cast<uint64_t>(in.offsets[in.word_count]) > in.unit_count)
    fail("offsets[-1] = " + std::to_string(in.offsets[in.word_count]) + " is past the end of units (" +
         std::to_string(in.unit_count) + " entries)");
  for (size_t i = static_cast<size_t>(in.offsets[0]); i < static_cast<size_t>(in.offsets[in.word_count]); ++i) {
    if (in.units[i] < 0 || static_cast<size_t>(in.units[i]) >= in.token_count)
      fail("units[" + std::to_string(i) + "] = " + std::to_string(in.units[i]) + " is not a token id in [0, " +
           std::to_string(in.token_count) + ")");
  }
  for (size_t i = 0; i < in.token_count; ++i)
    if (in.token_lengths[i] < 0) fail("token_lengths[" + std::to_string(i) + "] is negative");
  if (options.progress_every == 0) fail("progress_every must be at least 1");
  if (options.window > 0 && !(options.window_alpha >= 1.0))
    fail("window_alpha = " + std::to_string(options.window_alpha) +
         ": use 1 or more, or some language could never be chosen");
  if (!options.target_ratios.empty()) {
    if (options.target_ratios.size() != in.language_count)
      fail("target_ratios has " + std::to_string(options.target_ratios.size()) + " entries for " +
           std::to_string(in.language_count) + " languages");
    for (size_t l = 0; l < in.language_count; ++l)
      if (!(options.target_ratios[l] > 0.0))
        fail("target_ratios[" + std::to_string(l) + "] must be a positive number");
  }
}

class ParityLoop {
 public:
  ParityLoop(const ParityTrainingInput& in, const ParityTrainingOptions& options)
      : options_(options),
        language_count_(in.language_count),
        token_lengths_(in.token_lengths, in.token_lengths + in.token_count),
        heaps_(in.language_count + 1),
        dev_tokens_(in.language_count, 0),
        exhausted_(in.language_count, 0),
        window_counts_(in.language_count, 0) {
    const size_t first = static_cast<size_t>(in.offsets[0]);
    symbols_.assign(in.units + first, in.units + in.offsets[in.word_count]);
    words_.resize(in.word_count);
    for (size_t w = 0; w < in.word_count; ++w) {
      words_[w] = Word{static_cast<uint64_t>(in.offsets[w]) - first, in.counts[w],
                       static_cast<uint32_t>(in.offsets[w + 1] - in.offsets[w]),
                       static_cast<uint32_t>(in.languages[w]), in.roles[w]};
    }
  }

  ParityTrainingResult run() {
    ParityTrainingResult result;
    track_global_ = options_.global_merges > 0;
    count_initial();
    result.initial_dev_tokens = dev_tokens_;
    initial_dev_tokens_ = dev_tokens_;
    while (result.merges.size() < options_.merges) {
      int32_t language = -1;
      HeapEntry best{};
      if (result.merges.size() < options_.global_merges) {
        if (!pop_best(language_count_, &best)) break;
      } else if (!choose_language(&language, &best)) {
        break;
      }
      result.merges.emplace_back(left_of(best.key), right_of(best.key));
      result.counts.push_back(best.count);
      result.languages.push_back(language);
      track_global_ = result.merges.size() < options_.global_merges;
      apply_merge(best.key);
      if (options_.progress && result.merges.size() % options_.progress_every == 0 &&
          !options_.progress(result.merges.size()))
        break;
    }
    result.final_dev_tokens = dev_tokens_;
    return result;
  }

 private:
  struct Word {
    uint64_t start;  // in symbols_
    uint64_t count;
    uint32_t length;
    uint32_t language;
    uint8_t role;
  };

  // True when language l is compressed worse than language m on the dev set.
  bool worse(size_t l, size_t m) const {
    if (options_.target_ratios.empty()) return dev_tokens_[l] > dev_tokens_[m];
    return adjusted_compression(l) < adjusted_compression(m);
  }
  double adjusted_compression(size_t l) const {
    const double compression = static_cast<double>(initial_dev_tokens_[l]) / static_cast<double>(dev_tokens_[l]);
    return compression / options_.target_ratios[l];
  }
  bool blocked_by_window(size_t l) const {
    if (options_.window == 0) return false;
    const double share = static_cast<double>(window_counts_[l]) / static_cast<double>(options_.window);
    return share > options_.window_alpha / static_cast<double>(language_count_);
  }

  int32_t worst_language(bool use_window) const {
    int32_t chosen = -1;
    for (size_t l = 0; l < language_count_; ++l) {
      if (exhausted_[l] || (use_window && blocked_by_window(l))) continue;
      if (chosen < 0 || worse(l, static_cast<size_t>(chosen))) chosen = static_cast<int32_t>(l);
    }
    return chosen;
  }

  // The worst language that still has a pair at min_pair_count, and that pair; false when none.
  bool choose_language(int32_t* language, HeapEntry* best) {
    while (true) {
      int32_t l = worst_language(true);
      if (l < 0) l = worst_language(false);
      if (l < 0) return false;
      if (pop_best(static_cast<size_t>(l), best)) {
        *language = l;
        remember_choice(static_cast<size_t>(l));
        return true;
      }
      exhausted_[l] = 1;
    }
  }

  void remember_choice(size_t l) {
    if (options_.window == 0) return;
    recent_.push_back(static_cast<uint32_t>(l));
    ++window_counts_[l];
    if (recent_.size() > options_.window) {
      --window_counts_[recent_.front()];
      recent_.pop_front();
    }
  }

  bool allowed(int32_t a, int32_t b) const {
    return options_.max_token_length <= 0 ||
           int64_t(token_lengths_[a]) + token_lengths_[b] <= options_.max_token_length;
  }

  uint64_t count_key(uint32_t pair, size_t slot) const { return (uint64_t(pair) << kSlotBits) | slot; }

  void raise(uint32_t pair, size_t slot, uint64_t count) {
    bool inserted;
    KeyTable::Slot* entry = counts_.find_or_insert(count_key(pair, slot), 0, &inserted);
    entry->value += count;
    if (entry->stamp != step_) {
      entry->stamp = step_;
      touched_.push_back(entry->key);
    }
  }
  void lower(uint32_t pair, size_t slot, uint64_t count) {
    if (KeyTable::Slot* entry = counts_.find(count_key(pair, slot))) entry->value -= count;
  }

  // One occurrence of (a, b) appeared in word w: list the word under the pair, count it.
  void add_pair(int32_t a, int32_t b, uint32_t w) {
    if (!allowed(a, b)) return;
    bool inserted;
    const uint64_t key = pair_key(a, b);
    KeyTable::Slot* entry = pairs_.find_or_insert(key, pair_keys_.size(), &inserted);
    if (inserted) {
      pair_keys_.push_back(key);
      pair_words_.emplace_back();
    }
    const uint32_t p = static_cast<uint32_t>(entry->value);
    std::vector<uint32_t>& list = pair_words_[p];
    if (list.empty() || list.back() != w) list.push_back(w);
    const Word& word = words_[w];
    if (!(word.role & kParityTrainingWord)) return;
    raise(p, word.language, word.count);
    if (track_global_) raise(p, language_count_, word.count);
  }

  void remove_pair(int32_t a, int32_t b, uint32_t w) {
    const Word& word = words_[w];
    if (!(word.role & kParityTrainingWord)) return;
    KeyTable::Slot* entry = pairs_.find(pair_key(a, b));
    if (!entry) return;  // never counted: over the length cap
    const uint32_t p = static_cast<uint32_t>(entry->value);
    lower(p, word.language, word.count);
    if (track_global_) lower(p, language_count_, word.count);
  }

  void shrink(uint32_t w, uint32_t removed) {
    const Word& word = words_[w];
    if (word.role & kParityDevWord) dev_tokens_[word.language] -= static_cast<int64_t>(removed * word.count);
  }

  void count_initial() {
    step_ = 1;
    for (uint32_t w = 0; w < words_.size(); ++w) {
      const int32_t* s = symbols_.data() + words_[w].start;
      for (uint32_t k = 0; k + 1 < words_[w].length; ++k) add_pair(s[k], s[k + 1], w);
      if (words_[w].role & kParityDevWord)
        dev_tokens_[words_[w].language] += static_cast<int64_t>(words_[w].length * words_[w].count);
    }
    push_touched();
  }

  void push_touched() {
    const uint64_t slot_mask = (uint64_t(1) << kSlotBits) - 1;
    for (uint64_t key : touched_) {
      const uint64_t count = counts_.find(key)->value;
      if (count > 0) heaps_[key & slot_mask].push({count, pair_keys_[key >> kSlotBits]});
    }
    touched_.clear();
  }

  // The most frequent pair of a slot if it reaches min_pair_count (entries are upper bounds of
  // their pair's count: a stale one goes back with the current count).
  bool pop_best(size_t slot, HeapEntry* best) {
    std::priority_queue<HeapEntry>& heap = heaps_[slot];
    while (!heap.empty()) {
      const HeapEntry top = heap.top();
      const uint32_t p = static_cast<uint32_t>(pairs_.find(top.key)->value);
      const uint64_t count = counts_.find(count_key(p, slot))->value;
      if (count != top.count) {
        heap.pop();
        if (count > 0) heap.push({count, top.key});
        continue;
      }
      if (count < options_.min_pair_count) return false;
      heap.pop();
      *best = top;
      return true;
    }
    return false;
  }

  struct Merge {
    int32_t left, right, fresh;
  };
  // A change found by a worker thread, replayed by the main thread in word order.
  struct Event {
    uint64_t key;  // the pair, or for kShrunk the number of symbols removed
    uint32_t word;
    uint32_t kind;
  };
  enum : uint32_t { kRemoved, kAdded, kShrunk };
  struct DirectUpdates {
    ParityLoop* loop;
    void removed(int32_t x, int32_t y, uint32_t w) { loop->remove_pair(x, y, w); }
    void added(int32_t x, int32_t y, uint32_t w) { loop->add_pair(x, y, w); }
    void shrunk(uint32_t w, uint32_t n) { loop->shrink(w, n); }
  };
  struct RecordedUpdates {
    std::vector<Event>* events;
    void removed(int32_t x, int32_t y, uint32_t w) { events->push_back({pair_key(x, y), w, kRemoved}); }
    void added(int32_t x, int32_t y, uint32_t w) { events->push_back({pair_key(x, y), w, kAdded}); }
    void shrunk(uint32_t w, uint32_t n) { events->push_back({n, w, kShrunk}); }
  };

  void apply_merge(uint64_t key) {
    const int32_t a = left_of(key), b = right_of(key);
    const int32_t fresh = static_cast<int32_t>(token_lengths_.size());
    token_lengths_.push_back(token_lengths_[a] + token_lengths_[b]);
    ++step_;
    const uint32_t p = static_cast<uint32_t>(pairs_.find(key)->value);
    std::vector<uint32_t> words;
    words.swap(pair_words_[p]);
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    const Merge merge{a, b, fresh};
    if (options_.threads > 1 && words.size() >= kParallelWords) {
      merge_in_parallel(merge, words);
    } else {
      DirectUpdates direct{this};
      for (uint32_t w : words) merge_word(w, merge, direct);
    }
    push_touched();
  }

  void merge_in_parallel(const Merge& merge, const std::vector<uint32_t>& words) {
    const size_t parts = std::min<size_t>(options_.threads, words.size() / (kParallelWords / 2));
    if (events_.size() < parts) events_.resize(parts);
    auto range = [&](size_t part) { return words.data() + words.size() * part / parts; };
    std::vector<std::thread> workers;
    for (size_t part = 1; part < parts; ++part) {
      workers.emplace_back([this, &merge, &range, part] {
        events_[part].clear();
        RecordedUpdates recorded{&events_[part]};
        for (const uint32_t* w = range(part); w != range(part + 1); ++w) merge_word(*w, merge, recorded);
      });
    }
    DirectUpdates direct{this};
    for (const uint32_t* w = range(0); w != range(1); ++w) merge_word(*w, merge, direct);
    for (size_t part = 1; part < parts; ++part) {
      workers[part - 1].join();
      for (const Event& e : events_[part]) {
        if (e.kind == kAdded) add_pair(left_of(e.key), right_of(e.key), e.word);
        else if (e.kind == kRemoved) remove_pair(left_of(e.key), right_of(e.key), e.word);
        else shrink(e.word, static_cast<uint32_t>(e.key));
      }
    }
  }

  // Replaces (left, right) by `fresh` left to right in word w. Every pair that overlapped a
  // replaced position disappears (the merged pair too, so its counts fall to zero on their
  // own), every pair that contains `fresh` appears.
  template <class Updates>
  void merge_word(uint32_t w, const Merge& merge, Updates& updates) {
    Word& word = words_[w];
    const uint32_t length = word.length;
    word.length = replace_pair(
        symbols_.data() + word.start, length, merge.left, merge.right, merge.fresh,
        [&](int32_t x, int32_t y) { updates.removed(x, y, w); }, [&](int32_t x, int32_t y) { updates.added(x, y, w); });
    if (word.length != length) updates.shrunk(w, length - word.length);
  }

  // Steps visiting fewer words than this run on one thread: starting threads would cost more.
  static constexpr size_t kParallelWords = 2048;

  const ParityTrainingOptions& options_;
  const size_t language_count_;
  std::vector<int32_t> token_lengths_;
  std::vector<int32_t> symbols_;
  std::vector<Word> words_;

  KeyTable pairs_;                                 // (left, right) -> pair id
  KeyTable counts_;                                // pair id << kSlotBits | slot -> count
  std::vector<uint64_t> pair_keys_;                // by pair id
  std::vector<std::vector<uint32_t>> pair_words_;  // by pair id: words that had the pair
  std::vector<std::priority_queue<HeapEntry>> heaps_;  // by slot: languages, then global
  std::vector<uint64_t> touched_;                  // count keys raised in this step
  uint32_t step_ = 0;
  bool track_global_ = false;

  std::vector<int64_t> dev_tokens_;
  std::vector<int64_t> initial_dev_tokens_;
  std::vector<uint8_t> exhausted_;
  std::vector<uint32_t> window_counts_;
  std::deque<uint32_t> recent_;

  std::vector<std::vector<Event>> events_;  // by worker thread, recorded in big steps
};

}  // namespace

ParityTrainingResult train_parity_merges(const ParityTrainingInput& input, const ParityTrainingOptions& options) {
  validate(input, options);
  ParityLoop loop(input, options);
  return loop.run();
}

}  // namespace tokensmith
