// The only file that knows about Python: converts types and errors, releases the GIL.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "binding_common.h"
#include "bpe_train.h"
#include "pretoken_counter.h"
#include "pretokenize.h"
#include "unicode_tables.h"

namespace tokensmith {
namespace {

nb::list split(const std::string& preset_name, nb::bytes text, const std::string& digits) {
  Scanner scanner(preset_from(preset_name), digits_from(digits));
  const auto* s = reinterpret_cast<const uint8_t*>(text.c_str());
  const size_t n = text.size();
  std::vector<size_t> ends;
  {
    nb::gil_scoped_release release;
    scanner.for_each_piece(s, n, 0, n, [&](size_t, size_t e) { ends.push_back(e); });
  }
  nb::list pieces;
  size_t begin = 0;
  for (size_t e : ends) {
    pieces.append(nb::bytes(reinterpret_cast<const char*>(s + begin), e - begin));
    begin = e;
  }
  return pieces;
}

class PyPretokenCounter {
 public:
  PyPretokenCounter(const std::string& preset, const std::string& digits, int threads, size_t slice_bytes)
      : counter_(preset_from(preset), digits_from(digits), threads, slice_bytes) {
    if (threads < 1) raise_error("TrainingError", "threads = " + std::to_string(threads) + ": use 1 or more");
  }

  // `blocks` holds references to the bytes objects while the GIL is released.
  void add_blocks(const std::vector<nb::bytes>& blocks) {
    std::vector<TextView> views = views_of(blocks);
    nb::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    counter_.add_texts(views);
  }

  void add_pieces(const std::vector<nb::bytes>& pieces, std::optional<Vector<uint64_t>> counts) {
    if (counts && counts->shape(0) != pieces.size())
      raise_error("TrainingError", "add_pieces: counts has " + std::to_string(counts->shape(0)) +
                                       " entries for " + std::to_string(pieces.size()) + " pieces");
    std::vector<TextView> views = views_of(pieces);
    const uint64_t* raw = counts ? counts->data() : nullptr;
    nb::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    counter_.add_pieces(views, raw);
  }

  size_t distinct() {
    nb::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    return counter_.distinct();
  }
  uint64_t total() {
    nb::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    return counter_.total();
  }

  nb::tuple flat_items(uint64_t min_count) {
    FlatPieces flat;
    {
      nb::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      flat = counter_.flat_items(min_count);
    }
    nb::bytes joined(reinterpret_cast<const char*>(flat.bytes.data()), flat.bytes.size());
    std::vector<uint8_t>().swap(flat.bytes);
    return nb::make_tuple(joined, to_numpy(std::move(flat.lengths)), to_numpy(std::move(flat.counts)));
  }

 private:
  // Calls from several Python threads take turns: the GIL is released while counting.
  std::mutex mutex_;
  PretokenCounter counter_;
};

nb::object py_train_merges(
    Vector<int32_t> units, Vector<int64_t> offsets, Vector<uint64_t> counts, Vector<int32_t> token_lengths,
    size_t n_merges, int64_t max_token_length, uint64_t min_pair_count, int threads,
    std::optional<nb::callable> progress, size_t progress_every, bool with_counts) {
  MergeTrainingOptions options;
  options.merges = n_merges;
  options.max_token_length = max_token_length;
  options.min_pair_count = min_pair_count;
  options.threads = threads;
  options.progress_every = progress_every;
  nb::object callback = progress ? nb::object(*progress) : nb::none();
  MergeTrainingResult result = train_merges_from_python("train_merges", units, offsets, counts, token_lengths,
                                                         std::move(options), callback);
  auto pairs = merges_to_numpy(result);
  if (!with_counts) return nb::cast(pairs);
  return nb::make_tuple(pairs, to_numpy(std::move(result.counts)));
}

nb::bytes char_class_table() {
  std::string table(unicode::kCodePointLimit, '\0');
  for (uint32_t cp = 0; cp < unicode::kCodePointLimit; ++cp) table[cp] = static_cast<char>(unicode::classes_of(cp));
  return nb::bytes(table.data(), table.size());
}

}  // namespace

MergeTrainingResult train_merges_from_python(const char* caller, Vector<int32_t> units, Vector<int64_t> offsets,
                                             Vector<uint64_t> counts, Vector<int32_t> token_lengths,
                                             MergeTrainingOptions options, nb::object progress) {
  const std::string name = caller;
  if (offsets.shape(0) == 0)
    raise_error("TrainingError", name + ": offsets is empty: it needs n_words + 1 entries, starting with 0");
  const size_t word_count = offsets.shape(0) - 1;
  if (counts.shape(0) != word_count)
    raise_error("TrainingError", name + ": counts has " + std::to_string(counts.shape(0)) +
                                     " entries but offsets describes " + std::to_string(word_count) + " words");
  if (options.progress_every == 0) raise_error("TrainingError", name + ": progress_every = 0: use 1 or more");
  MergeTrainingInput input{units.data(), units.shape(0), offsets.data(), word_count, counts.data(),
                           token_lengths.data(), token_lengths.shape(0)};
  // Even without a progress callback, take the GIL every progress_every merges so that
  // Ctrl-C stops training.
  std::optional<nb::python_error> raised;
  options.progress = [&](size_t done) {
    nb::gil_scoped_acquire acquire;
    try {
      if (PyErr_CheckSignals() != 0) throw nb::python_error();
      if (!progress.is_none()) progress(done);
    } catch (nb::python_error& error) {
      raised.emplace(std::move(error));
      return false;
    }
    return true;
  };
  MergeTrainingResult result;
  std::string invalid;
  {
    nb::gil_scoped_release release;
    try {
      result = train_merges(input, options);
    } catch (const std::invalid_argument& error) {
      invalid = error.what();
    }
  }
  if (raised) {
    raised->restore();
    throw nb::python_error();
  }
  if (!invalid.empty()) raise_error("TrainingError", name + ": " + invalid);
  return result;
}

nb::ndarray<nb::numpy, int32_t, nb::shape<-1, 2>> merges_to_numpy(const MergeTrainingResult& result) {
  const size_t n = result.merges.size();
  auto* rows = new std::vector<int32_t>(n * 2);
  for (size_t i = 0; i < n; ++i) {
    (*rows)[2 * i] = result.merges[i].first;
    (*rows)[2 * i + 1] = result.merges[i].second;
  }
  nb::capsule owner(rows, [](void* p) noexcept { delete static_cast<std::vector<int32_t>*>(p); });
  return nb::ndarray<nb::numpy, int32_t, nb::shape<-1, 2>>(rows->data(), {n, 2}, owner);
}

}  // namespace tokensmith

NB_MODULE(_native, m) {
  using namespace tokensmith;
  nb::register_exception_translator([](const std::exception_ptr& raised, void*) {
    try {
      std::rethrow_exception(raised);
    } catch (const std::overflow_error& error) {
      nb::object type = nb::module_::import_("tokensmith._errors").attr("TrainingError");
      std::string message = std::string("pre-token counts: ") + error.what();
      PyErr_SetObject(type.ptr(), nb::str(message.c_str()).ptr());
    }
  });
  m.doc() = "tokensmith's native core: pre-tokenization, counting and the BPE merge loop.";
  m.def("core_version", [] { return "0.2.0"; });
  m.def("preset_names", &preset_names, "Names of the split presets the native scanner implements.");
  m.def("digit_modes", &digit_mode_names, "Names of the digit modes: pattern, single, left3, right3.");
  m.def("split", &split, "preset"_a, "text"_a, "digits"_a = "pattern",
        "Pre-tokenize UTF-8 `text` with a preset's pattern; equal to regex.findall on the same text.");
  m.def("regex_version", [] { return unicode::kRegexVersion; },
        "Version of the `regex` module the character tables were generated from.");
  m.def("char_class_table", &char_class_table,
        "One byte of class bits per code point (letter 1, number 2, space 4, upperish 8, lowerish 16, other 32).");

  nb::class_<PyPretokenCounter>(m, "PretokenCounter",
                                "Counts the pre-tokens of many texts; splitting and counting run without the GIL.")
      .def(nb::init<const std::string&, const std::string&, int, size_t>(), "preset"_a, nb::kw_only(),
           "digits"_a = "pattern", "threads"_a = 1, "slice_bytes"_a = PretokenCounter::kDefaultSliceBytes,
           "Blocks longer than 2 * slice_bytes are cut (where every preset starts a piece) for the threads.")
      .def("add_blocks", &PyPretokenCounter::add_blocks, "blocks"_a,
           "Split and count each block (valid UTF-8, independent of the others), over the threads.")
      .def("add_pieces", &PyPretokenCounter::add_pieces, "pieces"_a, "counts"_a = nb::none(),
           "Count given pre-tokens directly, each `counts[i]` times (once when counts is None).")
      .def_prop_ro("distinct", &PyPretokenCounter::distinct, "Number of distinct pre-tokens.")
      .def_prop_ro("total", &PyPretokenCounter::total, "Number of pre-tokens counted.")
      .def("flat_items", &PyPretokenCounter::flat_items, "min_count"_a = 1,
           "(bytes, lengths, counts) of pre-tokens seen at least min_count times, sorted by bytes.");

  m.def("train_merges", &py_train_merges, "units"_a, "offsets"_a, "counts"_a, "token_lengths"_a, "n_merges"_a,
        nb::kw_only(), "max_token_length"_a = 0, "min_pair_count"_a = 1, "threads"_a = 1,
        "progress"_a = nb::none(), "progress_every"_a = 1000, "with_counts"_a = false,
        "BPE merges over counted words: most frequent pair first, ties to the smallest (left, right). "
        "With with_counts, (merges, counts): counts[i] is how often merge i's pair occurred when chosen.");

  // Training variants register their own functions (one binding file each).
  bind_superbpe(m);
  bind_parity(m);
  bind_boundless(m);
  bind_augment(m);
}
