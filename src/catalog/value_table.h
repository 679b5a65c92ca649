#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/string_ref.h"

namespace sluice::catalog {

/// Counts the distinct values of a column exactly while they are few: a flat table from a
/// 128-bit key (a number's bits and 0; a short string's 16 bytes of StringRef; a long string's
/// length, prefix and hash) to its count, holding up to kLimit values. Integer keys in a range
/// of at most kDirectRange are counted in an array at `key - base` (no hashing, no probing);
/// others in open-addressing slots. Each value also keeps its text hash, and for strings its
/// bytes, character count and type-fit bits, filled in by the caller when the value is first
/// seen. Internal to the column profiler. Not thread-safe.
class ValueTable {
 public:
  static constexpr size_t kLimit = 2048;
  static constexpr size_t kDirectRange = 8192;
  static constexpr size_t kTextLimit = 1 << 20;  // bytes of string values kept at most

  /// Is one distinct value.
  struct Entry {
    uint64_t key = 0;
    uint64_t key2 = 0;
    uint64_t hash = 0;  // the hash of the value's text form (or of its bits, by type)
    uint32_t slot = 0;
    uint32_t text_offset = 0;  // strings: bytes in text()
    uint32_t text_size = 0;
    uint32_t length = 0;  // strings: UTF-8 code points
    uint8_t fits = 0;     // strings: io::csv::FitBits of the types the text parses as
  };

  /// Makes an empty table; `integers` when every key will be an integer (and key2 0).
  explicit ValueTable(bool integers);

  /// Counts `count` more of `key`. Returns the new entry's index when `key` is new (the caller
  /// fills in the entry), -1 when it was known, and -2 when the table is full and `key` new.
  int64_t Add(uint64_t key, uint64_t key2, int64_t count) {
    if (direct_) return AddInteger(static_cast<int64_t>(key), count);
    for (size_t slot = SlotOf(key, key2);; slot = (slot + 1) & mask_) {
      Slot& at = slots_[slot];
      if (at.count == 0) return Insert(slot, key, key2, count);
      if (at.key == key && at.key2 == key2) {
        at.count += count;
        return -1;
      }
    }
  }
  /// Is Add() for an integer key. REQUIRES: made for integers.
  int64_t AddInteger(int64_t key, int64_t count) {
    if (direct_) {
      uint64_t offset = static_cast<uint64_t>(key) - base_;
      if (offset < counts_.size() && counts_[offset] != 0) {
        counts_[offset] += count;
        return -1;
      }
      if (offset < counts_.size() || Widen(key)) return Insert(offset_of(key), key, 0, count);
    }
    return Add(static_cast<uint64_t>(key), 0, count);
  }
  /// Counts keys[from], keys[from + 1]... once each while they are known; returns the index of
  /// the first that is not (keys.size() when none), for AddInteger(). A tight loop: several
  /// times faster than AddInteger() per key. REQUIRES: made for integers.
  size_t CountKnownIntegers(std::span<const int64_t> keys, size_t from) {
    if (!direct_) {
      Slot* slots = slots_.data();
      size_t mask = mask_;
      int shift = shift_;
      for (size_t i = from; i < keys.size(); ++i) {
        auto key = static_cast<uint64_t>(keys[i]);
        size_t slot = HashSlot(key, 0, shift);
        while (slots[slot].count != 0 && slots[slot].key != key) slot = (slot + 1) & mask;
        if (slots[slot].count == 0) return i;
        ++slots[slot].count;
      }
      return keys.size();
    }
    int64_t* counts = counts_.data();
    uint64_t base = base_;
    size_t size = counts_.size();
    for (size_t i = from; i < keys.size(); ++i) {
      __builtin_prefetch(&keys[i] + 32);  // four lines ahead, as for strings below
      uint64_t offset = static_cast<uint64_t>(keys[i]) - base;
      if (offset >= size || counts[offset] == 0) return i;
      ++counts[offset];
    }
    return keys.size();
  }
  /// Counts refs[from], refs[from + 1]... once each while they are known short strings (keyed
  /// by their 16 bytes); returns the index of the first that is not (refs.size() when none),
  /// for Add(). REQUIRES: not made for integers.
  size_t CountKnownStrings(std::span<const core::StringRef> refs, size_t from) {
    // Locals: the stores to counts could alias the members, which would then be reloaded.
    Slot* slots = slots_.data();
    size_t mask = mask_;
    int shift = shift_;
    for (size_t i = from; i < refs.size(); ++i) {
      if (!refs[i].is_inlined()) return i;
      // The vectors come from memory (readers decode ahead): fetch four lines ahead.
      __builtin_prefetch(&refs[i] + 16);
      uint64_t words[2];
      std::memcpy(words, &refs[i], sizeof words);
      size_t slot = HashSlot(words[0], words[1], shift);
      while (slots[slot].count != 0 &&
             (slots[slot].key != words[0] || slots[slot].key2 != words[1])) {
        slot = (slot + 1) & mask;
      }
      if (slots[slot].count == 0) return i;
      ++slots[slot].count;
    }
    return refs.size();
  }
  /// Returns the slot that counts `key`, or -1 when it is not held. Slots stay valid until
  /// layout() changes.
  int64_t Find(uint64_t key, uint64_t key2) const {
    if (direct_) {
      uint64_t offset = key - base_;
      return offset < counts_.size() && counts_[offset] != 0 ? static_cast<int64_t>(offset) : -1;
    }
    for (size_t slot = SlotOf(key, key2);; slot = (slot + 1) & mask_) {
      const Slot& at = slots_[slot];
      if (at.count == 0) return -1;
      if (at.key == key && at.key2 == key2) return static_cast<int64_t>(slot);
    }
  }
  /// Counts `count` more of the value in `slot`. REQUIRES: `slot` from Find() at this layout().
  void AddAt(size_t slot, int64_t count) {
    if (direct_) {
      counts_[slot] += count;
    } else {
      slots_[slot].count += count;
    }
  }
  /// Returns a number that changes whenever the values move to other slots.
  uint64_t layout() const { return layout_; }
  /// Stores `text` for entry `index`.
  void SetText(size_t index, std::string_view text);
  /// Returns true when the entries hold more than kTextLimit bytes of text.
  bool text_full() const { return text_.size() > kTextLimit; }

  size_t size() const { return entries_.size(); }
  const Entry& entry(size_t index) const { return entries_[index]; }
  Entry& entry(size_t index) { return entries_[index]; }
  int64_t count(size_t index) const {
    uint32_t slot = entries_[index].slot;
    return direct_ ? counts_[slot] : slots_[slot].count;
  }
  std::string_view text(size_t index) const {
    const Entry& e = entries_[index];
    return {text_.data() + e.text_offset, e.text_size};
  }
  /// Forgets every value and frees the memory.
  void Clear();

 private:
  struct Slot {
    uint64_t key = 0;
    uint64_t key2 = 0;
    int64_t count = 0;  // 0 marks an empty slot
  };

  // Mixes the two words (the second rotated, so that its bytes meet other bytes of the first)
  // before the one multiplication whose top bits pick the slot: keys that differ in one byte
  // of either word (codes such as "id001", "id002") spread evenly, and the lookup of a known
  // string takes one multiplication, not two.
  static size_t HashSlot(uint64_t key, uint64_t key2, int shift) {
    return ((key ^ std::rotl(key2, 23)) * 0x9e3779b97f4a7c15ULL) >> shift;
  }
  size_t SlotOf(uint64_t key, uint64_t key2) const { return HashSlot(key, key2, shift_); }
  // Returns the hashed slots for `entries` values: at most an eighth full up to 2048 slots (a
  // probe then nearly always ends at the first slot), half full beyond.
  static size_t SlotsFor(size_t entries);
  size_t offset_of(int64_t key) const { return static_cast<uint64_t>(key) - base_; }
  int64_t Insert(size_t slot, uint64_t key, uint64_t key2, int64_t count);
  // Moves the direct slots' range to cover `key` too; returns false, having switched to
  // hashed slots, when the range would pass kDirectRange.
  bool Widen(int64_t key);
  // Places every entry again in `slots` slots, hashed or direct, from `counts` (direct) or
  // `slots` (hashed), the layout they were in.
  void Rebuild(size_t slots, bool was_direct);

  bool integers_;
  bool direct_;
  uint64_t layout_ = 0;  // layout()
  uint64_t base_ = 0;    // direct: the key of slot 0
  int64_t min_key_ = 0;  // integers: the range of the keys held
  int64_t max_key_ = 0;
  std::vector<int64_t> counts_;  // direct: the count of key base_ + i, 0 when absent
  std::vector<Slot> slots_;      // hashed
  size_t mask_ = 0;
  int shift_ = 0;
  std::vector<Entry> entries_;
  std::string text_;
};

}  // namespace sluice::catalog
