// The merge loop: pair counts kept up to date incrementally, a lazy max-heap to find the best
// pair, and for each pair the list of words that contain it, so each merge only revisits the
// words it changes.
//
// Ties go to the smallest (left, right) id pair, so the result is a function of the input alone
// (and identical for any thread count). Pair counts only rise in the step that creates the newer
// of their two tokens, and fall afterwards; so every heap entry is an upper bound of its pair's
// count, and a popped entry whose count is still current is the true maximum.
//
// Performance notes (measured on the 100 MB perf corpus, vocabulary 32,768; CPU seconds of
// this loop alone, kept or dropped):
// - Kept: words rewritten in place (merging only shortens them); int32 ids, uint32 word
//   indices. Memory stays proportional to the distinct words.
// - Kept: only pairs next to a merged position change, so only those counts are touched.
// - Kept: visiting a pair's words sorted by index (3.2 s -> 2.2 s): memory access becomes
//   sequential and repeated entries sit side by side, which replaced a per-word "seen" stamp.
// - Kept: one 24-byte record per word instead of three parallel arrays, plus software prefetch
//   of the next words' records and symbols (2.2 s -> 1.6 s): the loop is bound by cache misses.
// - Kept: everything about a pair (count, word list, last step, veto) in its 32-byte hash slot,
//   no pair ids and per-id arrays: an update touches the slot and the list's tail chunk only
//   (SuperBPE stage 2, 8,273 merges over 820k long pre-tokens: 10.5 s -> 9.4 s).
// - Kept: word lists in a pool of 32-byte linked chunks instead of one std::vector per pair
//   (peak RSS of the whole run 346 -> 293 MiB at 100 MB).
// - Not done: batching a step's count updates in a small local table before touching the big
//   one; the remaining misses are in the big pair table (about 20 % of the loop).
// - Kept: threads for big steps only (>= kParallelWords words): workers rewrite words and
//   record count changes, the main thread replays them in word order, so the result cannot
//   depend on the thread count. Small steps (most of the 32k) stay on one thread.
// - Kept: the first count from a radix sort of (pair, word) records instead of a hash insert
//   per occurrence, and pairs of initial tokens below min_pair_count left out (see
//   count_initial_pairs_sorted). SuperBPE stage 2 (20.3M units, ~6M distinct pairs): first
//   count 7.5 s -> 1.5 s, peak RSS of the loop 883 -> 832 MiB; plain BPE unchanged.
// - Kept: 2 MiB pages (madvise) for the pair table, word-list chunks, symbols and word records:
//   random access over ~800 MiB missed the TLB nearly every time (stage-2 loop 9.3 -> 8.3 s).
// - Dropped: applying a big step's removals on threads, one hash shard each (safe: removals
//   touch disjoint slots and share no pair with the additions), no measurable change. Also
//   replaying every big step's recorded count changes with the pair slots and list
//   tails fetched a few events ahead (no measurable change), skipping words that no longer
//   hold the pair before any bookkeeping (none), fetching both ends of each word (+-2 %).
// - Kept: vetoes (SuperBPE) checked only when a pair is popped as the best, then the pair is
//   blocked for good (its merged bytes never change). The plain loop keeps no token bytes and
//   pays one predictable branch per touched pair.
#include "bpe_train.h"

#include "pair_table.h"
#include "radix_sort.h"

#include <algorithm>
#include <memory>
#include <queue>
#include <stdexcept>
#include <string>
#include <thread>

namespace tokensmith {
namespace {

using merge_loop::pair_key;
using merge_loop::PairTable;
using merge_loop::WordListPool;

struct HeapEntry {
  uint64_t count;
  uint64_t key;
  bool operator<(const HeapEntry& other) const {  // max count first, then smallest key
    return count != other.count ? count < other.count : key > other.key;
  }
};

void validate(const MergeTrainingInput& in) {
  auto fail = [](const std::string& message) { throw std::invalid_argument(message); };
  if (in.token_count == 0) fail("token_lengths is empty: give the byte length of every existing token id");
  if (in.token_count > 0x7FFFFFFF) fail("token_lengths has more than 2**31-1 entries");
  if (in.word_count >= 0xFFFFFFFFu) fail("more than 2**32-2 words: count distinct words first");
  if (in.offsets[0] < 0) fail("offsets[0] is negative");
  for (size_t i = 0; i < in.word_count; ++i) {
    if (in.offsets[i + 1] < in.offsets[i])
      fail("offsets[" + std::to_string(i + 1) + "] = " + std::to_string(in.offsets[i + 1]) +
           " is less than offsets[" + std::to_string(i) + "]: offsets must not decrease");
  }
  if (static_cast<uint64_t>(in.offsets[in.word_count]) > in.unit_count)
    fail("offsets[-1] = " + std::to_string(in.offsets[in.word_count]) + " is past the end of units (" +
         std::to_string(in.unit_count) + " entries)");
  for (size_t i = static_cast<size_t>(in.offsets[0]); i < static_cast<size_t>(in.offsets[in.word_count]); ++i) {
    if (in.units[i] < 0 || static_cast<size_t>(in.units[i]) >= in.token_count)
      fail("units[" + std::to_string(i) + "] = " + std::to_string(in.units[i]) + " is not a token id in [0, " +
           std::to_string(in.token_count) + ")");
  }
  for (size_t i = 0; i < in.token_count; ++i) {
    if (in.token_lengths[i] < 0)
      fail("token_lengths[" + std::to_string(i) + "] = " + std::to_string(in.token_lengths[i]) + " is negative");
  }
}

bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

}  // namespace

bool passes_vetoes(const MergeVetoes& vetoes, const std::string& token) {
  if (vetoes.max_words > 0) {
    size_t words = 0;
    for (size_t i = 0; i < token.size(); ++i)
      if (!is_ascii_space(token[i]) && (i == 0 || is_ascii_space(token[i - 1]))) ++words;
    if (words > vetoes.max_words) return false;
  }
  for (const std::string& forbidden : vetoes.forbidden_substrings)
    if (!forbidden.empty() && token.find(forbidden) != std::string::npos) return false;
  return true;
}

namespace {

class MergeLoop {
 public:
  MergeLoop(const MergeTrainingInput& in, const MergeTrainingOptions& options)
      : options_(options),
        token_lengths_(in.token_lengths, in.token_lengths + in.token_count),
        vetoes_active_(options.vetoes.active()) {
    if (vetoes_active_) token_bytes_ = options.vetoes.token_bytes;
    const size_t first = static_cast<size_t>(in.offsets[0]);
    symbols_.assign(in.units + first, in.units + in.offsets[in.word_count]);
    words_.resize(in.word_count);
    for (size_t w = 0; w < in.word_count; ++w) {
      words_[w] = Word{static_cast<uint64_t>(in.offsets[w]) - first, in.counts[w],
                       static_cast<uint32_t>(in.offsets[w + 1] - in.offsets[w])};
    }
  }

  MergeTrainingResult run() {
    count_initial_pairs();
    MergeTrainingResult result;
    std::vector<std::pair<int32_t, int32_t>>& merges = result.merges;
    while (merges.size() < options_.merges) {
      PairTable::Slot* best = pop_best();
      if (!best) break;
      const uint64_t key = best->key;
      const int32_t a = static_cast<int32_t>(key >> 32);
      const int32_t b = static_cast<int32_t>(key & 0xFFFFFFFFu);
      merges.emplace_back(a, b);
      result.counts.push_back(best->count);
      apply_merge(key, a, b);
      if (options_.progress && merges.size() % options_.progress_every == 0 &&
          !options_.progress(merges.size()))
        break;
    }
    return result;
  }

 private:
  bool allowed(int32_t a, int32_t b) const {
    return options_.max_token_length <= 0 ||
           int64_t(token_lengths_[a]) + token_lengths_[b] <= options_.max_token_length;
  }

  // Adds `count` occurrences of (a, b) seen in word w; remembers the pair for the heap.
  void add_pair(int32_t a, int32_t b, uint64_t count, uint32_t word) {
    if (!allowed(a, b)) return;
    const uint64_t key = pair_key(a, b);
    PairTable::Slot* slot = table_.find_or_insert(key);
    slot->count += count;
    lists_.append(slot->words, word);
    if (slot->stamp != step_) {
      slot->stamp = step_;
      touched_.push_back(key);
    }
  }

  void remove_pair(int32_t a, int32_t b, uint64_t count) {
    if (PairTable::Slot* slot = table_.find(pair_key(a, b))) slot->count -= count;
  }

  void count_initial_pairs() {
    step_ = 1;
    if (token_lengths_.size() <= kMaxSortedTokens) {
      count_initial_pairs_sorted();
      return;
    }
    for (uint32_t w = 0; w < words_.size(); ++w) {
      const int32_t* s = symbols_.data() + words_[w].start;
      for (uint32_t k = 0; k + 1 < words_[w].length; ++k) add_pair(s[k], s[k + 1], words_[w].count, w);
    }
    push_touched();
  }

  // The first count without a hash insert per pair occurrence: one record per occurrence (pair
  // in the high half, word in the low), radix-sorted by pair, then each pair's slot, count and
  // word list made in one sequential pass. The sort is stable and records are written in word
  // order, so each list comes out ascending, as the hashing path builds it; the tables, lists
  // and heap hold the same contents, hence the same merges. One exception that cannot change a
  // merge: a pair below min_pair_count is left out, since a pair of two initial tokens never
  // gains occurrences (new occurrences always contain a new token), so it can never be chosen
  // and only its removals would ever reach it (remove_pair skips absent pairs).
  void count_initial_pairs_sorted() {
    const uint64_t tokens = token_lengths_.size();
    std::vector<uint64_t> records = pair_records(tokens);
    const int key_bits = tokens > 1 ? 64 - __builtin_clzll(tokens * tokens - 1) : 1;
    {
      std::vector<uint64_t> scratch;
      radix_sort_by_bits(records, scratch, 32, 32 + key_bits, options_.threads);
    }
    size_t distinct = 0;  // an upper bound of the pairs kept
    for (size_t i = 0; i < records.size(); ++i) distinct += i == 0 || (records[i] >> 32) != (records[i - 1] >> 32);
    table_.reserve(distinct);
    std::vector<HeapEntry> entries;
    entries.reserve(distinct);
    auto pair_of = [tokens](uint64_t record) {
      const uint64_t compact = record >> 32;
      return pair_key(static_cast<int32_t>(compact / tokens), static_cast<int32_t>(compact % tokens));
    };
    constexpr size_t kAhead = 32;  // records: the table slot and word record are fetched this far ahead
    for (size_t i = 0; i < records.size();) {
      const uint64_t key = pair_of(records[i]);
      size_t end = i + 1;
      while (end < records.size() && (records[end] >> 32) == (records[i] >> 32)) ++end;
      if (end + kAhead < records.size()) table_.prefetch(pair_of(records[end + kAhead]));
      const int32_t a = static_cast<int32_t>(key >> 32), b = static_cast<int32_t>(key & 0xFFFFFFFFu);
      uint64_t count = 0;
      for (size_t r = i; r < end; ++r) {
        if (r + kAhead < records.size()) __builtin_prefetch(&words_[static_cast<uint32_t>(records[r + kAhead])]);
        count += words_[static_cast<uint32_t>(records[r])].count;
      }
      if (allowed(a, b) && count >= options_.min_pair_count) {
        PairTable::Slot* slot = table_.find_or_insert(key);
        for (size_t r = i; r < end; ++r) lists_.append(slot->words, static_cast<uint32_t>(records[r]));
        slot->count = count;
        slot->stamp = step_;
        if (count > 0) entries.push_back({count, key});
      }
      i = end;
    }
    heap_ = std::priority_queue<HeapEntry>(std::less<HeapEntry>(), std::move(entries));
  }

  // (a * tokens + b) << 32 | w for every adjacent pair (a, b) of every word w, in word order;
  // threads fill disjoint word ranges.
  std::vector<uint64_t> pair_records(uint64_t tokens) const {
    const size_t parts = words_.size() >= kParallelWords ? std::max(1, options_.threads) : 1;
    std::vector<size_t> first_word(parts + 1), first_record(parts + 1);
    size_t total = 0;
    for (size_t part = 0, w = 0; part <= parts; ++part) {
      const size_t until = words_.size() * part / parts;
      for (; w < until; ++w) total += words_[w].length > 1 ? words_[w].length - 1 : 0;
      first_word[part] = until;
      first_record[part] = total;
    }
    std::vector<uint64_t> records(total);
    run_parts(parts, [&](size_t part) {
      uint64_t* out = records.data() + first_record[part];
      for (size_t w = first_word[part]; w < first_word[part + 1]; ++w) {
        const int32_t* s = symbols_.data() + words_[w].start;
        for (uint32_t k = 0; k + 1 < words_[w].length; ++k)
          *out++ = ((uint64_t(uint32_t(s[k])) * tokens + uint32_t(s[k + 1])) << 32) | w;
      }
    });
    return records;
  }

  void push_touched() {
    for (uint64_t key : touched_) {
      const PairTable::Slot* slot = table_.find(key);
      if (!slot->blocked && slot->count > 0) heap_.push({slot->count, key});
    }
    touched_.clear();
  }

  // The best pair still allowed, or null when none is left or it is below min_pair_count.
  PairTable::Slot* pop_best() {
    while (!heap_.empty()) {
      const HeapEntry top = heap_.top();
      heap_.pop();
      PairTable::Slot* slot = table_.find(top.key);
      if (slot->blocked) continue;
      if (slot->count != top.count) {
        if (slot->count > 0) heap_.push({slot->count, top.key});
        continue;
      }
      if (slot->count < options_.min_pair_count) return nullptr;
      if (vetoes_active_ && !passes_vetoes(options_.vetoes, merged_bytes(top.key))) {
        slot->blocked = 1;
        continue;
      }
      return slot;
    }
    return nullptr;
  }

  std::string merged_bytes(uint64_t key) const {
    return token_bytes_[key >> 32] + token_bytes_[key & 0xFFFFFFFFu];
  }

  void apply_merge(uint64_t merged_pair, int32_t a, int32_t b) {
    const int32_t fresh = static_cast<int32_t>(token_lengths_.size());
    token_lengths_.push_back(token_lengths_[a] + token_lengths_[b]);
    if (vetoes_active_) token_bytes_.push_back(token_bytes_[a] + token_bytes_[b]);
    ++step_;
    std::vector<uint32_t>& words = visit_;
    lists_.take(table_.find(merged_pair)->words, &words);
    // Visiting words in index order makes memory access sequential, and puts repeats side by side.
    if (!std::is_sorted(words.begin(), words.end())) std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    const Merge merge{a, b, fresh};
    if (options_.threads > 1 && words.size() >= kParallelWords) {
      merge_in_parallel(merge, words);
    } else {
      merge_words(merge, words.data(), words.data() + words.size(), direct_updates());
    }
    table_.find(merged_pair)->count = 0;
    push_touched();
  }

  struct Merge {
    int32_t left, right, fresh;
  };
  // A count change found by a worker thread, applied later by the main thread in word order.
  // 16 bytes; the count is the word's, read back at replay.
  struct PairEvent {
    uint64_t key;
    uint32_t word;
    uint32_t added;
  };

  struct DirectUpdates {
    MergeLoop* loop;
    void removed(int32_t x, int32_t y, uint64_t count, uint32_t) { loop->remove_pair(x, y, count); }
    void added(int32_t x, int32_t y, uint64_t count, uint32_t word) { loop->add_pair(x, y, count, word); }
  };
  struct RecordedUpdates {
    std::vector<PairEvent>* events;
    void removed(int32_t x, int32_t y, uint64_t, uint32_t word) { events->push_back({pair_key(x, y), word, 0}); }
    void added(int32_t x, int32_t y, uint64_t, uint32_t word) { events->push_back({pair_key(x, y), word, 1}); }
  };
  DirectUpdates direct_updates() { return DirectUpdates{this}; }

  // Big steps: worker threads rewrite disjoint ranges of words and record their count changes;
  // the main thread rewrites the first range itself, then replays the others' changes in range
  // order. That is the exact sequence of updates a single thread makes, so the result (lists,
  // counts, heap) is the same for any thread count.
  void merge_in_parallel(const Merge& merge, const std::vector<uint32_t>& words) {
    const size_t parts = std::min<size_t>(options_.threads, words.size() / (kParallelWords / 2));
    if (events_.size() < parts) events_.resize(parts);
    auto range = [&](size_t part) { return words.data() + words.size() * part / parts; };
    std::vector<std::thread> workers;
    for (size_t part = 1; part < parts; ++part) {
      workers.emplace_back([this, &merge, &range, part] {
        events_[part].clear();
        merge_words(merge, range(part), range(part + 1), RecordedUpdates{&events_[part]});
      });
    }
    merge_words(merge, range(0), range(1), direct_updates());
    for (size_t part = 1; part < parts; ++part) {
      workers[part - 1].join();
      for (const PairEvent& e : events_[part]) {
        const int32_t x = static_cast<int32_t>(e.key >> 32), y = static_cast<int32_t>(e.key & 0xFFFFFFFFu);
        const uint64_t count = words_[e.word].count;
        if (e.added) add_pair(x, y, count, e.word);
        else remove_pair(x, y, count);
      }
    }
  }

  template <class Updates>
  void merge_words(const Merge& merge, const uint32_t* begin, const uint32_t* end, Updates updates) {
    const size_t n = static_cast<size_t>(end - begin);
    for (size_t i = 0; i < n; ++i) {
      // Word records and symbols are scattered: fetch a few words ahead.
      if (i + 8 < n) __builtin_prefetch(&words_[begin[i + 8]]);
      if (i + 4 < n) __builtin_prefetch(symbols_.data() + words_[begin[i + 4]].start);
      merge_word(begin[i], merge, updates);
    }
  }

  // Replaces (left, right) by `fresh` left to right in word w and reports the count changes:
  // pairs that overlapped a replaced position disappear, pairs that contain `fresh` appear.
  template <class Updates>
  void merge_word(uint32_t w, const Merge& merge, Updates& updates) {
    Word& word = words_[w];
    const uint64_t count = word.count;
    const uint64_t merged = pair_key(merge.left, merge.right);
    word.length = replace_pair(
        symbols_.data() + word.start, word.length, merge.left, merge.right, merge.fresh,
        // The merged pair itself is skipped: its count is set to zero once the step is done.
        [&](int32_t x, int32_t y) {
          if (pair_key(x, y) != merged) updates.removed(x, y, count, w);
        },
        [&](int32_t x, int32_t y) { updates.added(x, y, count, w); });
  }

  // Up to this many tokens a pair fits in 32 bits and the first count sorts (see above).
  static constexpr uint64_t kMaxSortedTokens = 65536;
  // Steps visiting fewer words than this run on one thread: starting threads would cost more.
  static constexpr size_t kParallelWords = 2048;

  const MergeTrainingOptions& options_;
  struct Word {
    uint64_t start;  // in symbols_
    uint64_t count;
    uint32_t length;
  };
  std::vector<int32_t> token_lengths_;
  const bool vetoes_active_;
  std::vector<std::string> token_bytes_;           // by token id, only with vetoes
  HugePageVector<int32_t> symbols_;
  HugePageVector<Word> words_;

  PairTable table_;
  WordListPool lists_;
  std::vector<uint32_t> visit_;
  std::vector<uint64_t> touched_;                  // pairs whose count changed in this step
  std::priority_queue<HeapEntry> heap_;
  uint32_t step_ = 0;

  std::vector<std::vector<PairEvent>> events_;  // by worker thread, recorded in big steps
};

}  // namespace

MergeTrainingResult train_merges(const MergeTrainingInput& input, const MergeTrainingOptions& options) {
  validate(input);
  if (options.vetoes.active() && options.vetoes.token_bytes.size() != input.token_count)
    throw std::invalid_argument("token_bytes has " + std::to_string(options.vetoes.token_bytes.size()) +
                                " entries but token_lengths has " + std::to_string(input.token_count) +
                                ": vetoes need the bytes of every token id");
  if (options.progress_every == 0) throw std::invalid_argument("progress_every must be at least 1");
  MergeLoop loop(input, options);
  return loop.run();
}

}  // namespace tokensmith
