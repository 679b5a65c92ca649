#include "core/vector.h"

#include <algorithm>

#include <cstring>

#include "base/error.h"
#include "core/value.h"

namespace sluice::core {
namespace {

// Strings start zeroed so that a NULL slot is an empty string, never a stray pointer.
std::shared_ptr<std::byte[]> AllocateValues(TypeId type, size_t capacity, bool overwrite) {
  size_t bytes = capacity * TypeWidth(type);
  if (type == TypeId::kVarchar && !overwrite) return std::make_shared<std::byte[]>(bytes);
  return std::make_shared_for_overwrite<std::byte[]>(bytes);
}

}  // namespace

Vector::Vector(TypeId type, size_t capacity)
    : type_(type), capacity_(capacity), data_(AllocateValues(type, capacity, false)) {}

Vector::Vector(TypeId type, size_t capacity, ForOverwrite)
    : type_(type), capacity_(capacity), data_(AllocateValues(type, capacity, true)) {}

void Vector::Reference(const Vector& source) {
  type_ = source.type_;
  size_ = source.size_;
  capacity_ = source.capacity_;
  data_ = source.data_;
  validity_ = source.validity_;
  heap_ = source.heap_;
}

void Vector::set_size(size_t size) {
  SLUICE_DCHECK(size <= capacity_);
  size_ = size;
}

StringHeap& Vector::heap() {
  if (heap_ == nullptr) heap_ = std::make_shared<StringHeap>();
  return *heap_;
}

void Vector::SetString(size_t i, std::string_view text) {
  SLUICE_DCHECK(type_ == TypeId::kVarchar);
  data<StringRef>()[i] = text.size() <= StringRef::kInlineSize ? StringRef(text) : heap().Add(text);
  validity_.SetValid(i);
}

Value Vector::GetValue(size_t i) const {
  SLUICE_DCHECK(i < size_);
  if (IsNull(i)) return Value::Null(type_);
  switch (type_) {
    case TypeId::kBoolean:
      return Value::Boolean(data<uint8_t>()[i] != 0);
    case TypeId::kInteger:
      return Value::Integer(data<int32_t>()[i]);
    case TypeId::kBigint:
      return Value::Bigint(data<int64_t>()[i]);
    case TypeId::kDouble:
      return Value::Double(data<double>()[i]);
    case TypeId::kVarchar:
      return Value::Varchar(std::string(GetString(i)));
    case TypeId::kDate:
      return Value::Date(data<int32_t>()[i]);
    case TypeId::kTimestamp:
      return Value::Timestamp(data<int64_t>()[i]);
  }
  throw InternalError("unknown type id");
}

void Vector::SetValue(size_t i, const Value& value) {
  SLUICE_DCHECK(i < capacity_);
  if (value.is_null()) {
    SetNull(i);
    return;
  }
  Value cast = value.CastTo(type_);
  validity_.SetValid(i);
  switch (type_) {
    case TypeId::kBoolean:
      data<uint8_t>()[i] = cast.GetBoolean();
      break;
    case TypeId::kInteger:
    case TypeId::kDate:
      data<int32_t>()[i] = static_cast<int32_t>(cast.GetInt64());
      break;
    case TypeId::kBigint:
    case TypeId::kTimestamp:
      data<int64_t>()[i] = cast.GetInt64();
      break;
    case TypeId::kDouble:
      data<double>()[i] = cast.GetDouble();
      break;
    case TypeId::kVarchar:
      SetString(i, cast.GetString());
      break;
  }
}

void Vector::Fill(size_t count, const Value& value) {
  SLUICE_DCHECK(count <= capacity_);
  if (count == 0) return;
  if (value.is_null()) {
    for (size_t i = 0; i < count; ++i) SetNull(i);
    return;
  }
  SetValue(0, value);
  for (size_t i = 1; i < count && !validity_.all_valid(); ++i) validity_.SetValid(i);
  auto fill = [&]<typename T>(T*) { std::fill_n(data<T>() + 1, count - 1, data<T>()[0]); };
  switch (TypeWidth(type_)) {
    case 1:
      return fill(static_cast<uint8_t*>(nullptr));
    case 4:
      return fill(static_cast<uint32_t*>(nullptr));
    case 8:
      return fill(static_cast<uint64_t*>(nullptr));
    default:
      return fill(static_cast<StringRef*>(nullptr));
  }
}

void Vector::Reserve(size_t capacity) {
  if (capacity <= capacity_) return;
  auto grown = AllocateValues(type_, capacity, false);
  std::memcpy(grown.get(), data_.get(), size_ * TypeWidth(type_));
  data_ = std::move(grown);
  if (!validity_.all_valid()) {
    ValidityMask mask;
    for (size_t i = 0; i < size_; ++i) {
      if (!validity_.IsValid(i)) mask.SetInvalid(i, capacity);
    }
    validity_ = std::move(mask);
  }
  capacity_ = capacity;
}

void Vector::CopyFrom(const Vector& source, size_t from, size_t to, size_t count) {
  SLUICE_DCHECK(source.type_ == type_ && to + count <= capacity_);
  size_t width = TypeWidth(type_);
  std::memcpy(data_.get() + to * width, source.data_.get() + from * width, count * width);
  for (size_t k = 0; k < count; ++k) {
    if (source.IsNull(from + k)) {
      SetNull(to + k);
    } else {
      validity_.SetValid(to + k);
    }
  }
  if (type_ == TypeId::kVarchar && source.heap_ != nullptr) heap().KeepAlive(source.heap_);
}

}  // namespace sluice::core
