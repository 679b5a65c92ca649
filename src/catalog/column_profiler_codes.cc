// Counting by dictionary codes: ColumnProfiler::State::AddCoded and the counts it holds per
// dictionary entry. A reader that decodes a dictionary (Parquet) can say which entry each value
// is; while a column is counted exactly, counting the entries in a small array and adding each
// entry's count to the table once per dictionary is several times cheaper than a table lookup
// per value.

#include <algorithm>

#include "base/error.h"
#include "catalog/column_profiler_state.h"

namespace sluice::catalog {

using namespace profiler;  // NOLINT: the profiler's internals

namespace {

// Returns value i of an integer-typed vector as an int64.
int64_t IntegerAt(const core::Vector& vector, size_t i) {
  switch (vector.type()) {
    case TypeId::kBoolean:
      return vector.data<uint8_t>()[i];
    case TypeId::kInteger:
    case TypeId::kDate:
      return vector.data<int32_t>()[i];
    default:
      return vector.data<int64_t>()[i];
  }
}

}  // namespace

bool ColumnProfiler::State::AddCoded(const core::Vector& vector, size_t count, const uint32_t* rows,
                                     const io::DictionaryCodes& dictionary) {
  if (!exact || dictionary.dictionary == 0) return false;
  const core::Vector& entries = *dictionary.entries;
  SLUICE_DCHECK(entries.type() == type);
  std::span<const uint32_t> kept = Gather(dictionary.codes, vector.validity(), count, rows, codes);
  bool counted = false;
  if (type == TypeId::kVarchar) {
    const auto* values = entries.data<core::StringRef>();
    counted = CountCodes(kept, dictionary, [&](size_t entry, int64_t weight) {
      auto key = StringKey(values[entry]);
      int64_t at = table.Add(key.first, key.second, weight);
      if (at >= 0) FillString(static_cast<size_t>(at), values[entry].view());
      return key;
    });
  } else if (type == TypeId::kDouble) {
    const auto* values = entries.data<double>();
    counted = CountCodes(kept, dictionary, [&](size_t entry, int64_t weight) {
      uint64_t key = DoubleKey(values[entry]);
      int64_t at = table.Add(key, 0, weight);
      if (at >= 0) table.entry(static_cast<size_t>(at)).hash = HashInteger(key);
      return std::pair<uint64_t, uint64_t>{key, 0};
    });
  } else {
    counted = CountCodes(kept, dictionary, [&](size_t entry, int64_t weight) {
      int64_t value = IntegerAt(entries, entry);
      int64_t at = table.AddInteger(value, weight);
      if (at >= 0) table.entry(static_cast<size_t>(at)).hash = IntegerHash(value);
      return std::pair<uint64_t, uint64_t>{static_cast<uint64_t>(value), 0};
    });
  }
  if (!counted) return false;
  non_null += static_cast<int64_t>(kept.size());
  // The samples take the values of a few codes.
  if (type == TypeId::kVarchar) {
    const auto* values = entries.data<core::StringRef>();
    text_sample.Offer(
        kept.size(), [&](size_t j) { return std::string(values[kept[j]].view()); }, random);
  } else if (type == TypeId::kDouble) {
    const auto* values = entries.data<double>();
    number_sample.Offer(
        kept.size(), [&](size_t j) { return DoubleKey(values[kept[j]]); }, random);
  } else {
    number_sample.Offer(
        kept.size(), [&](size_t j) { return static_cast<uint64_t>(IntegerAt(entries, kept[j])); },
        random);
  }
  return true;
}

bool ColumnProfiler::State::CountCodes(std::span<const uint32_t> codes,
                                       const io::DictionaryCodes& dictionary, const AddEntry& add) {
  size_t size = dictionary.entries->size();
  if (!exact || size > ValueTable::kLimit) return false;
  CodeCounts& held = CodesOf(dictionary);
  // Counts stay within 32 bits.
  if (held.held + static_cast<int64_t>(codes.size()) > INT32_MAX) FlushCodes(held);
  // Counts, and notes whether any entry is seen for the first time (a load from a small array
  // beside each increment, instead of a pass over the dictionary).
  uint32_t* counts = held.counts.data();
  const uint32_t* unknown = held.unknown.data();
  uint32_t any = 0;
  for (uint32_t code : codes) {
    ++counts[code];
    any |= unknown[code];
  }
  held.held += static_cast<int64_t>(codes.size());
  if (any == 0) return true;
  fresh_codes.clear();
  for (size_t e = 0; e < size; ++e) {
    if ((counts[e] & unknown[e]) != 0) fresh_codes.push_back(static_cast<uint32_t>(e));
  }
  if (table.size() + fresh_codes.size() > ValueTable::kLimit) {
    for (uint32_t code : codes) --counts[code];
    held.held -= static_cast<int64_t>(codes.size());
    return false;
  }
  for (uint32_t entry : fresh_codes) {
    held.keys[entry] = add(entry, counts[entry]);
    held.held -= counts[entry];
    counts[entry] = 0;
    held.unknown[entry] = 0;
  }
  FindCodeSlots(held, fresh_codes);
  if (table.text_full()) {
    FlushCodes();
    Spill();
  }
  return true;
}

ColumnProfiler::State::CodeCounts& ColumnProfiler::State::CodesOf(
    const io::DictionaryCodes& dictionary) {
  for (size_t i = coded.size(); i-- > 0;) {
    if (coded[i].dictionary != dictionary.dictionary) continue;
    std::rotate(coded.begin() + static_cast<std::ptrdiff_t>(i),
                coded.begin() + static_cast<std::ptrdiff_t>(i) + 1, coded.end());
    return coded.back();
  }
  if (coded.size() == kCodeDictionaries) {
    FlushCodes(coded.front());
    coded.erase(coded.begin());
  }
  size_t size = dictionary.entries->size();
  CodeCounts& held = coded.emplace_back();
  held.dictionary = dictionary.dictionary;
  held.counts.assign(size, 0);
  held.unknown.assign(size, ~uint32_t{0});
  held.slots.assign(size, -1);
  held.keys.assign(size, {});
  held.layout = table.layout();
  return held;
}

void ColumnProfiler::State::FindCodeSlots(CodeCounts& codes, std::span<const uint32_t> fresh) {
  auto find = [&](size_t e) {
    codes.slots[e] = table.Find(codes.keys[e].first, codes.keys[e].second);
    SLUICE_DCHECK(codes.slots[e] >= 0);
  };
  if (codes.layout == table.layout()) {
    for (uint32_t e : fresh) find(e);
    return;
  }
  for (size_t e = 0; e < codes.slots.size(); ++e) {
    if (codes.unknown[e] == 0) find(e);
  }
  codes.layout = table.layout();
}

void ColumnProfiler::State::FlushCodes(CodeCounts& codes) {
  if (codes.held == 0) return;
  SLUICE_DCHECK(exact);
  FindCodeSlots(codes, {});
  for (size_t e = 0; e < codes.counts.size(); ++e) {
    if (codes.counts[e] == 0) continue;
    table.AddAt(static_cast<size_t>(codes.slots[e]), codes.counts[e]);
    codes.counts[e] = 0;
  }
  codes.held = 0;
}

void ColumnProfiler::State::FlushCodes() {
  for (CodeCounts& codes : coded) FlushCodes(codes);
}

}  // namespace sluice::catalog
