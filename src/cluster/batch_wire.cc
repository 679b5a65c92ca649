#include "cluster/batch_wire.h"

#include <bit>
#include <cstring>
#include <limits>

#include "base/error.h"

namespace sluice::cluster {
namespace {

static_assert(std::endian::native == std::endian::little, "values are copied as they are");

constexpr std::string_view kMagic("SLW\x01", 4);
constexpr uint8_t kHasValidity = 1;
constexpr auto kLastType = core::TypeId::kTimestamp;

void PutVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

template <typename T>
void PutFixed(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

// Appends `count` bits, bit i set when `bit(i)`, least significant bit first.
template <typename Bit>
void PutBits(std::string& out, size_t count, Bit bit) {
  size_t at = out.size();
  out.append((count + 7) / 8, '\0');
  for (size_t i = 0; i < count; ++i) {
    if (bit(i)) out[at + i / 8] = static_cast<char>(out[at + i / 8] | (1 << (i % 8)));
  }
}

bool GetBit(std::string_view bits, size_t i) { return (bits[i / 8] >> (i % 8)) & 1; }

// Writes one column's rows, in the batch's logical order.
class ColumnEncoder {
 public:
  ColumnEncoder(const core::Batch& batch, const core::Vector& column)
      : batch_(batch), column_(column), rows_(batch.num_rows()) {}

  void Encode(std::string& out) {
    bool has_nulls = HasNulls();
    out.push_back(static_cast<char>(has_nulls ? kHasValidity : 0));
    if (has_nulls) PutBits(out, rows_, [&](size_t row) { return IsValid(row); });
    switch (column_.type()) {
      case core::TypeId::kBoolean:
        EncodeBooleans(out);
        return;
      case core::TypeId::kInteger:
      case core::TypeId::kDate:
        EncodeFixed<int32_t>(out, has_nulls);
        return;
      case core::TypeId::kBigint:
      case core::TypeId::kTimestamp:
        EncodeFixed<int64_t>(out, has_nulls);
        return;
      case core::TypeId::kDouble:
        EncodeFixed<double>(out, has_nulls);
        return;
      case core::TypeId::kVarchar:
        EncodeStrings(out);
        return;
    }
  }

 private:
  size_t Physical(size_t row) const { return batch_.PhysicalRow(row); }
  bool IsValid(size_t row) const { return !column_.IsNull(Physical(row)); }

  bool HasNulls() const {
    if (column_.validity().all_valid()) return false;
    for (size_t row = 0; row < rows_; ++row) {
      if (!IsValid(row)) return true;
    }
    return false;
  }

  template <typename T>
  void EncodeFixed(std::string& out, bool has_nulls) {
    const T* values = column_.data<T>();
    if (!has_nulls && !batch_.selection()) {
      out.append(reinterpret_cast<const char*>(values), rows_ * sizeof(T));
      return;
    }
    for (size_t row = 0; row < rows_; ++row) {
      if (IsValid(row)) PutFixed(out, values[Physical(row)]);
    }
  }

  void EncodeBooleans(std::string& out) {
    const uint8_t* values = column_.data<uint8_t>();
    std::vector<bool> bits;
    for (size_t row = 0; row < rows_; ++row) {
      if (IsValid(row)) bits.push_back(values[Physical(row)] != 0);
    }
    PutBits(out, bits.size(), [&](size_t i) { return bits[i]; });
  }

  void EncodeStrings(std::string& out) {
    for (size_t row = 0; row < rows_; ++row) {
      if (IsValid(row)) PutVarint(out, column_.GetString(Physical(row)).size());
    }
    for (size_t row = 0; row < rows_; ++row) {
      if (IsValid(row)) out.append(column_.GetString(Physical(row)));
    }
  }

  const core::Batch& batch_;
  const core::Vector& column_;
  const size_t rows_;
};

// Reads a byte range front to back; running out of bytes is a DataError.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  size_t remaining() const { return bytes_.size(); }

  std::string_view Bytes(uint64_t count, const char* what) {
    if (count > bytes_.size()) {
      Throw<DataError>("batch wire: truncated {}: {} bytes needed, {} left", what, count,
                       bytes_.size());
    }
    std::string_view taken = bytes_.substr(0, count);
    bytes_.remove_prefix(count);
    return taken;
  }

  uint8_t Byte(const char* what) { return static_cast<uint8_t>(Bytes(1, what)[0]); }

  template <typename T>
  T Fixed(const char* what) {
    T value;
    std::memcpy(&value, Bytes(sizeof(T), what).data(), sizeof(T));
    return value;
  }

  uint64_t Varint(const char* what) {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t byte = Byte(what);
      if (shift == 63 && byte > 1) break;
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    Throw<DataError>("batch wire: {} is not a valid varint", what);
  }

 private:
  std::string_view bytes_;
};

// Returns how many of the first `count` bits are set.
size_t CountBits(std::string_view bits, size_t count) {
  size_t set = 0;
  for (size_t i = 0; i < count / 8; ++i) set += std::popcount(static_cast<uint8_t>(bits[i]));
  for (size_t i = count / 8 * 8; i < count; ++i) set += GetBit(bits, i);
  return set;
}

// Reads one column of `rows` values into a vector of that capacity.
class ColumnDecoder {
 public:
  ColumnDecoder(Reader& body, core::TypeId type, size_t rows)
      : body_(body), type_(type), rows_(rows) {}

  core::Vector Decode() {
    uint8_t flags = body_.Byte("column flags");
    if ((flags & ~kHasValidity) != 0)
      Throw<DataError>("batch wire: unknown column flags {}", flags);
    size_t valid = rows_;
    if (flags & kHasValidity) {
      validity_ = body_.Bytes((rows_ + 7) / 8, "validity bitmap");
      valid = CountBits(validity_, rows_);
    }
    // Every valid value takes at least one bit (BOOLEAN) or byte: checking before the vector is
    // allocated bounds its size by a multiple of the input's.
    uint64_t least_bytes = type_ == core::TypeId::kBoolean ? (valid + 7) / 8 : valid;
    if (least_bytes > body_.remaining()) {
      Throw<DataError>("batch wire: truncated values: {} rows need at least {} bytes, {} left",
                       valid, least_bytes, body_.remaining());
    }
    core::Vector vector(type_, rows_);
    switch (type_) {
      case core::TypeId::kBoolean:
        DecodeBooleans(vector, valid);
        break;
      case core::TypeId::kInteger:
      case core::TypeId::kDate:
        DecodeFixed<int32_t>(vector, valid);
        break;
      case core::TypeId::kBigint:
      case core::TypeId::kTimestamp:
        DecodeFixed<int64_t>(vector, valid);
        break;
      case core::TypeId::kDouble:
        DecodeFixed<double>(vector, valid);
        break;
      case core::TypeId::kVarchar:
        DecodeStrings(vector, valid);
        break;
    }
    for (size_t row = 0; row < rows_ && !validity_.empty(); ++row) {
      if (!GetBit(validity_, row)) vector.SetNull(row);
    }
    vector.set_size(rows_);
    return vector;
  }

 private:
  bool IsValid(size_t row) const { return validity_.empty() || GetBit(validity_, row); }

  template <typename T>
  void DecodeFixed(core::Vector& vector, size_t valid) {
    std::string_view bytes = body_.Bytes(uint64_t{valid} * sizeof(T), "values");
    T* values = vector.data<T>();
    if (validity_.empty()) {
      std::memcpy(values, bytes.data(), bytes.size());
      return;
    }
    // NULL slots hold zeros, so nothing that reads them by mistake sees stale memory.
    std::memset(values, 0, rows_ * sizeof(T));
    const char* next = bytes.data();
    for (size_t row = 0; row < rows_; ++row) {
      if (!IsValid(row)) continue;
      std::memcpy(&values[row], next, sizeof(T));
      next += sizeof(T);
    }
  }

  void DecodeBooleans(core::Vector& vector, size_t valid) {
    std::string_view bits = body_.Bytes((valid + 7) / 8, "boolean values");
    uint8_t* values = vector.data<uint8_t>();
    size_t next = 0;
    for (size_t row = 0; row < rows_; ++row) {
      values[row] = 0;
      if (IsValid(row)) values[row] = GetBit(bits, next++);
    }
  }

  void DecodeStrings(core::Vector& vector, size_t valid) {
    std::vector<uint32_t> lengths(valid);
    uint64_t total = 0;
    uint64_t long_total = 0;
    for (uint32_t& length : lengths) {
      uint64_t value = body_.Varint("string length");
      if (value > std::numeric_limits<uint32_t>::max()) {
        Throw<DataError>("batch wire: string of {} bytes is too long", value);
      }
      length = static_cast<uint32_t>(value);
      total += length;
      if (length > core::StringRef::kInlineSize) long_total += length;
    }
    const char* next = body_.Bytes(total, "string bytes").data();
    char* heap = long_total > 0 ? vector.heap().Allocate(long_total) : nullptr;
    core::StringRef* values = vector.data<core::StringRef>();
    size_t k = 0;
    for (size_t row = 0; row < rows_; ++row) {
      if (!IsValid(row)) continue;
      uint32_t length = lengths[k++];
      if (length <= core::StringRef::kInlineSize) {
        values[row] = core::StringRef(next, length);
      } else {
        std::memcpy(heap, next, length);
        values[row] = core::StringRef(heap, length);
        heap += length;
      }
      next += length;
    }
  }

  Reader& body_;
  const core::TypeId type_;
  const size_t rows_;
  std::string_view validity_;
};

core::SchemaPtr DecodeSchema(Reader& body, const core::SchemaPtr& expected) {
  uint64_t count = body.Varint("column count");
  // A column takes at least two bytes (name length and type).
  if (count > body.remaining() / 2) {
    Throw<DataError>("batch wire: {} columns cannot fit in {} bytes", count, body.remaining());
  }
  std::vector<core::Field> fields;
  fields.reserve(count);
  for (uint64_t c = 0; c < count; ++c) {
    uint64_t name_size = body.Varint("column name length");
    std::string name(body.Bytes(name_size, "column name"));
    uint8_t type = body.Byte("column type");
    if (type > static_cast<uint8_t>(kLastType)) {
      Throw<DataError>("batch wire: column {} has unknown type id {}", c, type);
    }
    fields.push_back({std::move(name), static_cast<core::TypeId>(type)});
  }
  if (expected == nullptr) return std::make_shared<const core::Schema>(std::move(fields));
  if (expected->fields() != fields) {
    Throw<DataError>("batch wire: batch has columns ({}) where ({}) were expected",
                     core::Schema(std::move(fields)).ToString(), expected->ToString());
  }
  return expected;
}

// Decodes the encoding at the front of `input`. `schema` is the expected schema (may be null)
// and becomes the decoded one, so that the next batch can share it.
core::Batch DecodeOne(Reader& input, core::SchemaPtr& schema, bool schema_required) {
  std::string_view magic = input.Bytes(kMagic.size(), "header");
  if (magic.substr(0, 3) != kMagic.substr(0, 3)) {
    Throw<DataError>("batch wire: not a batch encoding (bad magic bytes)");
  }
  if (magic != kMagic) {
    Throw<DataError>("batch wire: unsupported format version {}", static_cast<uint8_t>(magic[3]));
  }
  auto body_size = input.Fixed<uint64_t>("body length");
  Reader body(input.Bytes(body_size, "body"));
  core::SchemaPtr decoded = DecodeSchema(body, schema_required ? schema : nullptr);
  if (schema != nullptr && *schema == *decoded) decoded = schema;
  uint64_t rows = body.Varint("row count");
  if (rows > std::numeric_limits<uint32_t>::max()) {
    Throw<DataError>("batch wire: {} rows are more than a batch holds", rows);
  }
  core::Batch batch(decoded, 0);
  for (size_t c = 0; c < decoded->num_fields(); ++c) {
    batch.column(c) = ColumnDecoder(body, decoded->field(c).type, rows).Decode();
  }
  batch.SetNumRows(rows);
  if (body.remaining() != 0) {
    Throw<DataError>("batch wire: {} bytes left over after the batch", body.remaining());
  }
  schema = std::move(decoded);
  return batch;
}

}  // namespace

void EncodeBatch(const core::Batch& batch, std::string& out) {
  const core::Schema& schema = batch.schema();
  out.append(kMagic);
  size_t length_at = out.size();
  PutFixed<uint64_t>(out, 0);
  size_t body_at = out.size();
  PutVarint(out, schema.num_fields());
  for (const core::Field& field : schema.fields()) {
    PutVarint(out, field.name.size());
    out.append(field.name);
    out.push_back(static_cast<char>(field.type));
  }
  PutVarint(out, batch.num_rows());
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    ColumnEncoder(batch, batch.column(c)).Encode(out);
  }
  uint64_t body_size = out.size() - body_at;
  std::memcpy(out.data() + length_at, &body_size, sizeof(body_size));
}

core::Batch DecodeBatch(std::string_view bytes, const core::SchemaPtr& schema) {
  Reader input(bytes);
  core::SchemaPtr shared = schema;
  core::Batch batch = DecodeOne(input, shared, schema != nullptr);
  if (input.remaining() != 0) {
    Throw<DataError>("batch wire: {} bytes follow the batch", input.remaining());
  }
  return batch;
}

std::vector<core::Batch> DecodeBatches(std::string_view bytes, const core::SchemaPtr& schema) {
  Reader input(bytes);
  core::SchemaPtr shared = schema;
  std::vector<core::Batch> batches;
  while (input.remaining() > 0) batches.push_back(DecodeOne(input, shared, schema != nullptr));
  return batches;
}

}  // namespace sluice::cluster
