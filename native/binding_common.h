// Helpers shared by the binding files: array types, typed errors, handing vectors to numpy.
// Every binding_*.cpp adds its functions to the one module through a bind_* function.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pretoken_counter.h"
#include "pretokenize.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace tokensmith {

template <class T>
using Vector = nb::ndarray<const T, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

// Bad arguments surface as tokensmith's typed errors (both are ValueErrors).
[[noreturn]] inline void raise_error(const char* type_name, const std::string& message) {
  nb::object type = nb::module_::import_("tokensmith._errors").attr(type_name);
  PyErr_SetObject(type.ptr(), nb::str(message.c_str()).ptr());
  throw nb::python_error();
}

inline Preset preset_from(const std::string& name) {
  Preset preset;
  if (!parse_preset(name, &preset)) {
    std::string known;
    for (const std::string& preset_name : preset_names()) known += (known.empty() ? "" : ", ") + preset_name;
    raise_error("TrainingError", "unknown split preset '" + name + "': use one of " + known);
  }
  return preset;
}

inline DigitMode digits_from(const std::string& name) {
  DigitMode mode;
  if (!parse_digit_mode(name, &mode))
    raise_error("TrainingError", "unknown digits mode '" + name + "': use pattern, single, left3 or right3");
  return mode;
}

// Hands a vector to numpy without copying; the capsule frees it with the array.
template <class T>
nb::ndarray<nb::numpy, T, nb::ndim<1>> to_numpy(std::vector<T>&& values) {
  auto* owned = new std::vector<T>(std::move(values));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<std::vector<T>*>(p); });
  return nb::ndarray<nb::numpy, T, nb::ndim<1>>(owned->data(), {owned->size()}, owner);
}

inline std::vector<TextView> views_of(const std::vector<nb::bytes>& items) {
  std::vector<TextView> views;
  views.reserve(items.size());
  for (const nb::bytes& item : items)
    views.push_back({reinterpret_cast<const uint8_t*>(item.c_str()), item.size()});
  return views;
}

// Defined in binding.cpp, shared by train_merges and its variants: checks the arrays, runs the
// loop without the GIL (taking it every progress_every merges for `progress` and Ctrl-C), and
// raises bad input as a TrainingError that names `caller`.
struct MergeTrainingOptions;
struct MergeTrainingResult;
MergeTrainingResult train_merges_from_python(const char* caller, Vector<int32_t> units, Vector<int64_t> offsets,
                                             Vector<uint64_t> counts, Vector<int32_t> token_lengths,
                                             MergeTrainingOptions options, nb::object progress);
nb::ndarray<nb::numpy, int32_t, nb::shape<-1, 2>> merges_to_numpy(const MergeTrainingResult& result);

// Each defined in its own binding_<part>.cpp.
void bind_superbpe(nb::module_& m);
void bind_parity(nb::module_& m);
void bind_boundless(nb::module_& m);
void bind_augment(nb::module_& m);

}  // namespace tokensmith
