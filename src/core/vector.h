#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "core/string_heap.h"
#include "core/string_ref.h"
#include "core/types.h"
#include "core/validity.h"

namespace sluice::core {

class Value;

/// Is one column of a batch: up to `capacity()` values of one type in a typed buffer, plus a
/// validity bitmap. VARCHAR values are StringRefs whose long bytes live in the vector's heap
/// (or in heaps the vector keeps alive). A vector is movable, not copyable.
class Vector {
 public:
  explicit Vector(TypeId type, size_t capacity = kVectorSize);
  /// Marks a vector whose caller writes each of its `capacity` values before any is read, so
  /// that even VARCHAR values are left uninitialized instead of zeroed.
  struct ForOverwrite {};
  Vector(TypeId type, size_t capacity, ForOverwrite);
  Vector(Vector&&) = default;
  Vector& operator=(Vector&&) = default;
  Vector(const Vector&) = delete;
  Vector& operator=(const Vector&) = delete;

  TypeId type() const { return type_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  /// Sets how many values are in use. REQUIRES: size <= capacity().
  void set_size(size_t size);

  /// Returns the value buffer as an array of `T`, the type's storage type.
  template <typename T>
  T* data() {
    return reinterpret_cast<T*>(data_.get());
  }
  template <typename T>
  const T* data() const {
    return reinterpret_cast<const T*>(data_.get());
  }

  ValidityMask& validity() { return validity_; }
  const ValidityMask& validity() const { return validity_; }
  bool IsNull(size_t i) const { return !validity_.IsValid(i); }
  void SetNull(size_t i) { validity_.SetInvalid(i, capacity_); }

  /// Returns the heap for this vector's long strings, created on first use.
  StringHeap& heap();
  /// Returns the heap as a shared pointer (null when no long string was added).
  const std::shared_ptr<StringHeap>& heap_ptr() const { return heap_; }
  /// Stores a copy of `text` as value i. REQUIRES: type() == VARCHAR.
  void SetString(size_t i, std::string_view text);
  /// Returns value i as a string view. REQUIRES: type() == VARCHAR.
  std::string_view GetString(size_t i) const { return data<StringRef>()[i].view(); }

  /// Returns value i as a Value (slow path: tests, printing, constants).
  Value GetValue(size_t i) const;
  /// Stores `value` as value i, casting it to the vector's type. REQUIRES: i < capacity().
  void SetValue(size_t i, const Value& value);
  /// Stores `value` as values [0, count), casting it once. REQUIRES: count <= capacity().
  void Fill(size_t count, const Value& value);

  /// Makes this vector show `source`'s values without copying them: the buffer, validity and
  /// heap are shared. Neither vector may be written afterwards.
  void Reference(const Vector& source);
  /// Grows the capacity to at least `capacity`, keeping the values.
  void Reserve(size_t capacity);
  /// Copies `count` values starting at `from` in `source` to this vector, starting at `to`.
  /// Strings are shared: this vector keeps the source heap alive.
  void CopyFrom(const Vector& source, size_t from, size_t to, size_t count);

 private:
  TypeId type_;
  size_t size_ = 0;
  size_t capacity_;
  std::shared_ptr<std::byte[]> data_;
  ValidityMask validity_;
  std::shared_ptr<StringHeap> heap_;
};

}  // namespace sluice::core
