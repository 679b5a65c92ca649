#include "io/parquet/parquet_schema.h"

#include <memory>

#include "base/error.h"

namespace sluice::io::parquet {
namespace {

using core::TypeId;
using format::ConvertedType;
using format::FieldRepetitionType;
using format::SchemaElement;
using format::Type;

/// Is one node of the schema tree that the footer stores flattened, depth first.
struct SchemaNode {
  const SchemaElement* element = nullptr;
  std::vector<SchemaNode> children;
  size_t first_leaf = 0;
  size_t num_leaves = 0;
};

class TreeBuilder {
 public:
  TreeBuilder(const std::vector<SchemaElement>& elements, const std::string& path)
      : elements_(elements), path_(path) {}

  SchemaNode Build(int depth) {
    if (next_ >= elements_.size()) Throw<DataError>("'{}': truncated schema in footer", path_);
    if (depth > 64) Throw<DataError>("'{}': schema nested too deeply", path_);
    SchemaNode node;
    node.element = &elements_[next_++];
    node.first_leaf = leaves_;
    bool group = node.element->__isset.num_children && node.element->num_children > 0;
    if (!group && depth > 0 && !node.element->__isset.type) {
      Throw<DataError>("'{}': schema field '{}' has neither a type nor children", path_,
                       node.element->name);
    }
    if (!group && depth > 0) ++leaves_;
    int32_t children = group ? node.element->num_children : 0;
    if (static_cast<size_t>(children) > elements_.size()) {
      Throw<DataError>("'{}': schema field '{}' claims {} children", path_, node.element->name,
                       children);
    }
    for (int32_t i = 0; i < children; ++i) node.children.push_back(Build(depth + 1));
    node.num_leaves = leaves_ - node.first_leaf;
    return node;
  }

 private:
  const std::vector<SchemaElement>& elements_;
  const std::string& path_;
  size_t next_ = 0;
  size_t leaves_ = 0;
};

bool Is(const SchemaElement& element, ConvertedType::type converted) {
  return element.__isset.converted_type && element.converted_type == converted;
}

FieldRepetitionType::type RepetitionOf(const SchemaElement& element) {
  return element.__isset.repetition_type ? element.repetition_type : FieldRepetitionType::REQUIRED;
}

int32_t DecimalScale(const SchemaElement& element) {
  if (element.__isset.logicalType && element.logicalType.__isset.DECIMAL) {
    return element.logicalType.DECIMAL.scale;
  }
  return element.__isset.scale ? element.scale : 0;
}

bool IsDecimal(const SchemaElement& element) {
  return (element.__isset.logicalType && element.logicalType.__isset.DECIMAL) ||
         Is(element, ConvertedType::DECIMAL);
}

// Returns 3, 6 or 9 for a time unit.
int32_t UnitDigits(const format::TimeUnit& unit) {
  if (unit.__isset.MILLIS) return 3;
  if (unit.__isset.NANOS) return 9;
  return 6;
}

void SetType(ColumnDescriptor& column, TypeId type, Conversion conversion = Conversion::kNone) {
  column.type = type;
  column.conversion = conversion;
}

void MapInt32(const SchemaElement& element, ColumnDescriptor& column) {
  const auto& logical = element.logicalType;
  bool has_logical = element.__isset.logicalType;
  if ((has_logical && logical.__isset.DATE) || Is(element, ConvertedType::DATE)) {
    return SetType(column, TypeId::kDate);
  }
  if ((has_logical && logical.__isset.INTEGER && !logical.INTEGER.isSigned &&
       logical.INTEGER.bitWidth == 32) ||
      Is(element, ConvertedType::UINT_32)) {
    return SetType(column, TypeId::kBigint, Conversion::kUint32);
  }
  if (has_logical && logical.__isset.TIME) {
    column.scale = UnitDigits(logical.TIME.unit);
    return SetType(column, TypeId::kVarchar, Conversion::kTime);
  }
  if (Is(element, ConvertedType::TIME_MILLIS)) {
    column.scale = 3;
    return SetType(column, TypeId::kVarchar, Conversion::kTime);
  }
  SetType(column, TypeId::kInteger);
}

void MapInt64(const SchemaElement& element, ColumnDescriptor& column) {
  const auto& logical = element.logicalType;
  bool has_logical = element.__isset.logicalType;
  if (has_logical && logical.__isset.TIMESTAMP) {
    int32_t digits = UnitDigits(logical.TIMESTAMP.unit);
    return SetType(column, TypeId::kTimestamp,
                   digits == 3   ? Conversion::kMillisToMicros
                   : digits == 9 ? Conversion::kNanosToMicros
                                 : Conversion::kNone);
  }
  if (Is(element, ConvertedType::TIMESTAMP_MILLIS)) {
    return SetType(column, TypeId::kTimestamp, Conversion::kMillisToMicros);
  }
  if (Is(element, ConvertedType::TIMESTAMP_MICROS)) return SetType(column, TypeId::kTimestamp);
  if ((has_logical && logical.__isset.INTEGER && !logical.INTEGER.isSigned) ||
      Is(element, ConvertedType::UINT_64)) {
    return SetType(column, TypeId::kBigint, Conversion::kUint64);
  }
  if ((has_logical && logical.__isset.TIME) || Is(element, ConvertedType::TIME_MICROS)) {
    column.scale = has_logical && logical.__isset.TIME ? UnitDigits(logical.TIME.unit) : 6;
    return SetType(column, TypeId::kVarchar, Conversion::kTime);
  }
  SetType(column, TypeId::kBigint);
}

void MapFixed(const SchemaElement& element, ColumnDescriptor& column) {
  const auto& logical = element.logicalType;
  bool has_logical = element.__isset.logicalType;
  if (has_logical && logical.__isset.UUID && column.type_length == 16) {
    return SetType(column, TypeId::kVarchar, Conversion::kUuid);
  }
  if (has_logical && logical.__isset.FLOAT16 && column.type_length == 2) {
    return SetType(column, TypeId::kDouble, Conversion::kFloat16);
  }
  column.is_text = true;
  SetType(column, TypeId::kVarchar);
}

// Sets the value type and conversion of a primitive (leaf) field.
void MapPrimitive(const SchemaElement& element, ColumnDescriptor& column) {
  column.physical = element.type;
  column.type_length = element.__isset.type_length ? element.type_length : 0;
  if (IsDecimal(element) && element.type != Type::BOOLEAN && element.type != Type::FLOAT &&
      element.type != Type::DOUBLE && element.type != Type::INT96) {
    column.scale = DecimalScale(element);
    return SetType(column, TypeId::kDouble, Conversion::kDecimal);
  }
  switch (element.type) {
    case Type::BOOLEAN:
      return SetType(column, TypeId::kBoolean);
    case Type::INT32:
      return MapInt32(element, column);
    case Type::INT64:
      return MapInt64(element, column);
    case Type::INT96:
      return SetType(column, TypeId::kTimestamp, Conversion::kInt96);
    case Type::FLOAT:
      return SetType(column, TypeId::kDouble, Conversion::kFloatToDouble);
    case Type::DOUBLE:
      return SetType(column, TypeId::kDouble);
    case Type::BYTE_ARRAY:
      column.is_text = true;
      return SetType(column, TypeId::kVarchar);
    case Type::FIXED_LEN_BYTE_ARRAY:
      return MapFixed(element, column);
  }
  column.shape = Shape::kUnsupported;
  column.unsupported = "it has an unknown physical type";
}

bool IsListGroup(const SchemaElement& element) {
  return (element.__isset.logicalType && element.logicalType.__isset.LIST) ||
         Is(element, ConvertedType::LIST);
}

void MarkUnsupported(ColumnDescriptor& column, std::string reason) {
  column.shape = Shape::kUnsupported;
  column.unsupported = std::move(reason);
}

// Describes a LIST-annotated group: list (optional) → repeated group → element primitive,
// or the two-level form where the repeated field is the element itself.
void DescribeList(const SchemaNode& node, ColumnDescriptor& column) {
  int16_t definition = RepetitionOf(*node.element) == FieldRepetitionType::OPTIONAL ? 1 : 0;
  column.list_defined = definition;
  if (node.children.size() != 1 ||
      RepetitionOf(*node.children[0].element) != FieldRepetitionType::REPEATED) {
    return MarkUnsupported(column, "it is a LIST group of an unexpected layout");
  }
  const SchemaNode& repeated = node.children[0];
  const SchemaNode* element = &repeated;
  definition += 1;
  if (!repeated.children.empty()) {
    if (repeated.children.size() != 1) {
      return MarkUnsupported(column, "it is a list of structs");
    }
    element = &repeated.children[0];
    if (RepetitionOf(*element->element) == FieldRepetitionType::OPTIONAL) definition += 1;
  }
  if (!element->children.empty() ||
      (element != &repeated && RepetitionOf(*element->element) == FieldRepetitionType::REPEATED)) {
    return MarkUnsupported(column, "it is a list of nested values");
  }
  column.shape = Shape::kList;
  column.max_definition = definition;
  column.max_repetition = 1;
  MapPrimitive(*element->element, column);
}

ColumnDescriptor Describe(const SchemaNode& node) {
  ColumnDescriptor column;
  const SchemaElement& element = *node.element;
  column.name = element.name;
  column.leaf = node.first_leaf;
  if (node.children.empty()) {
    MapPrimitive(element, column);
    FieldRepetitionType::type repetition = RepetitionOf(element);
    if (repetition == FieldRepetitionType::REPEATED) {
      column.shape = Shape::kList;
      column.max_definition = 1;
      column.max_repetition = 1;
    } else {
      column.max_definition = repetition == FieldRepetitionType::OPTIONAL ? 1 : 0;
    }
  } else if (IsListGroup(element)) {
    DescribeList(node, column);
  } else {
    MarkUnsupported(column, Is(element, ConvertedType::MAP) ||
                                    (element.__isset.logicalType && element.logicalType.__isset.MAP)
                                ? "it is a MAP"
                                : "it is a STRUCT");
  }
  if (column.shape == Shape::kUnsupported) column.type = TypeId::kVarchar;
  column.output_type = column.shape == Shape::kFlat ? column.type : TypeId::kVarchar;
  return column;
}

}  // namespace

std::vector<ColumnDescriptor> DescribeColumns(const format::FileMetaData& metadata,
                                              const std::string& path) {
  if (metadata.schema.empty()) Throw<DataError>("'{}': the footer has no schema", path);
  TreeBuilder builder(metadata.schema, path);
  SchemaNode root = builder.Build(0);
  std::vector<ColumnDescriptor> columns;
  for (const SchemaNode& child : root.children) columns.push_back(Describe(child));
  return columns;
}

core::SchemaPtr SchemaOf(const std::vector<ColumnDescriptor>& columns) {
  std::vector<core::Field> fields;
  for (const ColumnDescriptor& column : columns) {
    fields.push_back({column.name, column.output_type});
  }
  return std::make_shared<core::Schema>(std::move(fields));
}

}  // namespace sluice::io::parquet
