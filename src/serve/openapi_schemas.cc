#include "serve/openapi_schemas.h"

#include <fmt/format.h>

#include "catalog/semantics.h"
#include "serve/predict_request.h"

namespace sluice::serve::openapi {
namespace {

namespace json = boost::json;

json::object Typed(std::string_view type, std::string_view description = {}) {
  json::object schema{{"type", type}};
  if (!description.empty()) schema["description"] = description;
  return schema;
}

json::object ArrayOf(json::value items) { return {{"type", "array"}, {"items", std::move(items)}}; }

json::object ObjectOf(json::object properties, json::array required = {}) {
  json::object schema{{"type", "object"}};
  if (!required.empty()) schema["required"] = std::move(required);
  schema["properties"] = std::move(properties);
  return schema;
}

json::object QueryParameter(std::string_view name, std::string_view description,
                            json::object schema) {
  return {{"name", name},
          {"in", "query"},
          {"required", false},
          {"description", description},
          {"schema", std::move(schema)}};
}

const catalog::DatasetColumn* FindColumn(const std::vector<catalog::DatasetColumn>& columns,
                                         std::string_view name) {
  for (const catalog::DatasetColumn& column : columns) {
    if (column.profile.name == name) return &column;
  }
  return nullptr;
}

json::object ColumnSchema(const core::Field& field, bool nullable,
                          const catalog::DatasetColumn* column) {
  json::object schema = TypeSchema(field.type, nullable);
  schema["x-sql-type"] = core::TypeName(field.type);
  if (column == nullptr) return schema;
  const catalog::ColumnSemantics& semantics = column->semantics;
  std::string description;
  if (semantics.type != catalog::SemanticType::kUnknown) {
    description = fmt::format("Semantic type: {}.", catalog::SemanticTypeName(semantics.type));
    schema["x-semantic"] = catalog::SemanticTypeName(semantics.type);
  }
  if (semantics.pii) {
    description += fmt::format("{}Personal data ({}): masked unless the token has the pii scope.",
                               description.empty() ? "" : " ", semantics.pii_reason);
  }
  schema["x-pii"] = semantics.pii;
  if (!description.empty()) schema["description"] = description;
  return schema;
}

json::object ErrorResponse(std::string_view description) {
  return Response(description, JsonContent(Ref("schemas", "Error")));
}

json::object ResultSchemaSchema() {
  json::object column = ObjectOf({{"name", Typed("string")},
                                  {"type", Typed("string", "The SQL type")},
                                  {"semantic", Typed("string")},
                                  {"pii", Typed("boolean")},
                                  {"statistics", Typed("object")}});
  return ObjectOf({{"name", Typed("string")},
                   {"version", Typed("integer")},
                   {"rows", Typed("integer")},
                   {"updated", Typed("string")},
                   {"columns", ArrayOf(std::move(column))},
                   {"lineage", ArrayOf(Typed("object"))},
                   {"expectations", ArrayOf(Typed("object"))},
                   {"versions", ArrayOf(Typed("integer"))}},
                  {"name", "version", "columns"});
}

json::object ResultListSchema() {
  json::object links = ObjectOf({{"rows", Typed("string")}, {"schema", Typed("string")}});
  json::object summary = ObjectOf({{"name", Typed("string")},
                                   {"version", Typed("integer")},
                                   {"rows", Typed("integer")},
                                   {"updated", Typed("string")},
                                   {"links", std::move(links)}},
                                  {"name", "version"});
  return ObjectOf({{"results", ArrayOf(std::move(summary))}}, {"results"});
}

json::object ModelListSchema() {
  json::object links = ObjectOf({{"model", Typed("string")}, {"predict", Typed("string")}});
  json::object summary = ObjectOf({{"name", Typed("string")},
                                   {"version", Typed("integer")},
                                   {"model_type", Typed("string")},
                                   {"created", Typed("string")},
                                   {"metrics", Typed("object", "Evaluation metrics by name")},
                                   {"links", std::move(links)}},
                                  {"name", "version", "model_type"});
  return ObjectOf({{"models", ArrayOf(std::move(summary))}}, {"models"});
}

json::object ModelSchema() {
  json::object feature =
      ObjectOf({{"name", Typed("string")},
                {"type", Typed("string", "The SQL type")},
                {"kind", Typed("string", "numeric, categorical, date, timestamp")},
                {"categories", ArrayOf(Typed("string"))},
                {"other", Typed("boolean")}});
  json::object label = ObjectOf({{"name", Typed("string")},
                                 {"type", Typed("string")},
                                 {"classes", ArrayOf(Typed("string"))}});
  label["type"] = json::array{"object", "null"};
  return ObjectOf(
      {{"name", Typed("string")},
       {"version", Typed("integer")},
       {"model_type", Typed("string")},
       {"created", Typed("string")},
       {"options", Typed("object", "OPTIONS of CREATE MODEL as written")},
       {"metrics", Typed("object", "Evaluation metrics by name")},
       {"hyperparameters", Typed("object", "The parameters the model was trained with")},
       {"details", Typed("object", "Training query, inputs, rows, objective, timings")},
       {"transform", Typed("string", "The TRANSFORM items as SQL (empty without TRANSFORM)")},
       {"features", ArrayOf(std::move(feature))},
       {"label", std::move(label)},
       {"versions", ArrayOf(Typed("integer"))},
       {"links", ObjectOf({{"predict", Typed("string")}})}},
      {"name", "version", "model_type", "features"});
}

json::object ProbabilitySchema() { return {{"type", "number"}, {"minimum", 0}, {"maximum", 1}}; }

}  // namespace

json::object Ref(std::string_view kind, std::string_view name) {
  return {{"$ref", fmt::format("#/components/{}/{}", kind, name)}};
}

json::object JsonContent(json::value schema) {
  return {{"application/json", json::object{{"schema", std::move(schema)}}}};
}

json::object Response(std::string_view description, json::object content) {
  json::object response{{"description", description}};
  if (!content.empty()) response["content"] = std::move(content);
  return response;
}

json::object TypeSchema(core::TypeId type, bool nullable) {
  std::string_view json_type = "string";
  std::string_view format;
  switch (type) {
    case core::TypeId::kBoolean:
      json_type = "boolean";
      break;
    case core::TypeId::kInteger:
      json_type = "integer";
      format = "int32";
      break;
    case core::TypeId::kBigint:
      json_type = "integer";
      format = "int64";
      break;
    case core::TypeId::kDouble:
      json_type = "number";
      format = "double";
      break;
    case core::TypeId::kVarchar:
      break;
    case core::TypeId::kDate:
      format = "date";
      break;
    case core::TypeId::kTimestamp:
      format = "date-time";
      break;
  }
  json::object schema;
  schema["type"] = nullable ? json::value(json::array{json_type, "null"}) : json::value(json_type);
  if (!format.empty()) schema["format"] = format;
  return schema;
}

json::object RowSchema(const std::string& result, const std::string& description,
                       const catalog::VersionInfo& info,
                       const std::vector<catalog::DatasetColumn>& columns) {
  json::object properties;
  for (size_t i = 0; i < info.schema->num_fields(); ++i) {
    const core::Field& field = info.schema->field(i);
    bool not_null = i < info.columns.size() && info.columns[i].not_null;
    properties[field.name] = ColumnSchema(field, !not_null, FindColumn(columns, field.name));
  }
  json::object schema{
      {"type", "object"},
      {"title", result},
      {"description",
       description.empty() ? fmt::format("A row of result {}.", result) : description},
      {"properties", std::move(properties)},
      {"additionalProperties", false},
      {"x-result-version", info.version}};
  return schema;
}

json::object FilterParameter(const core::Field& field) {
  std::string description = fmt::format(
      "Filter on {} ({}): `{}=op.value` with op eq, neq, gt, gte, lt, lte, like or ilike (`*` "
      "matches any text), `in.(a,b)`, or `is.null`, `is.true`, `is.false`; `not.` before op "
      "negates. Several filters are combined with AND.",
      field.name, core::TypeName(field.type), field.name);
  return QueryParameter(field.name, description, Typed("string"));
}

json::object RowsResponse(std::string_view row_schema) {
  json::object headers{
      {"X-Result-Version", json::object{{"description", "The version the rows were read from"},
                                        {"schema", Typed("integer")}}},
      {"X-Next-Cursor",
       json::object{{"description", "Pass as `cursor` to read the rows after these"},
                    {"schema", Typed("string")}}}};
  json::object parquet{{"type", "string"}, {"contentMediaType", "application/vnd.apache.parquet"}};
  json::object content{
      {"application/json", json::object{{"schema", ArrayOf(Ref("schemas", row_schema))}}},
      {"application/x-ndjson",
       json::object{{"schema", Typed("string", fmt::format("One {} per line", row_schema))}}},
      {"text/csv", json::object{{"schema", Typed("string", "A header line, then RFC 4180 rows")}}},
      {"application/vnd.apache.parquet", json::object{{"schema", std::move(parquet)}}}};
  json::object response = Response("The rows, as `format` or Accept asks", std::move(content));
  response["headers"] = std::move(headers);
  return response;
}

json::object RowsParameters(int64_t max_rows) {
  json::object limit{{"type", "integer"}, {"minimum", 0}, {"maximum", max_rows}};
  json::object format{{"type", "string"},
                      {"enum", json::array{"json", "ndjson", "csv", "parquet"}}};
  return {{"select", QueryParameter("select", "Columns to return, comma-separated (default: all)",
                                    Typed("string"))},
          {"order", QueryParameter("order",
                                   "Sort keys, comma-separated: column[.asc|.desc]"
                                   "[.nullsfirst|.nullslast]",
                                   Typed("string"))},
          {"limit", QueryParameter("limit", "Rows to return at most", std::move(limit))},
          {"offset", QueryParameter("offset", "Rows to skip",
                                    json::object{{"type", "integer"}, {"minimum", 0}})},
          {"cursor", QueryParameter("cursor", "Continue after a previous page (its X-Next-Cursor)",
                                    Typed("string"))},
          {"version", QueryParameter("version", "Read this version instead of the latest",
                                     json::object{{"type", "integer"}, {"minimum", 1}})},
          {"format",
           QueryParameter("format", "Response format (overrides Accept)", std::move(format))}};
}

json::object InstanceSchema(const ml::Model& model, const std::string& transform) {
  if (!transform.empty()) {
    json::object value{{"type", json::array{"number", "string", "boolean", "null"}}};
    return {{"type", "object"},
            {"description",
             fmt::format("The columns the model's TRANSFORM ({}) reads, typed by their values: "
                         "number DOUBLE, string VARCHAR, boolean BOOLEAN; a missing key or null "
                         "is NULL. Keys the TRANSFORM does not name are refused.",
                         transform)},
            {"additionalProperties", std::move(value)}};
  }
  json::object properties;
  for (const ml::FeatureColumn& column : model.features().columns) {
    json::object schema = TypeSchema(column.type, true);
    schema["x-sql-type"] = core::TypeName(column.type);
    if (column.kind == ml::FeatureKind::kCategorical) {
      schema["description"] =
          column.other ? "A value not among x-categories counts as the `other` category."
                       : "A value not among x-categories sets no category (as NULL does).";
      schema["x-categories"] = json::array(column.categories.begin(), column.categories.end());
    }
    properties[column.name] = std::move(schema);
  }
  return {{"type", "object"},
          {"description",
           "The model's input columns; a missing key or null is imputed as at training (the "
           "training mean, or no category)."},
          {"properties", std::move(properties)},
          {"additionalProperties", false}};
}

json::object PredictRequestSchema(const ml::Model& model, std::string_view instance_schema) {
  json::object instances = ArrayOf(Ref("schemas", instance_schema));
  instances["maxItems"] = kMaxInstances;
  json::object properties{{"instances", std::move(instances)}};
  if (ml::TaskOf(model.type()) == ml::ModelTask::kClassification &&
      model.label().classes.size() == 2) {
    json::object threshold = ProbabilitySchema();
    threshold["default"] = 0.5;
    threshold["description"] =
        fmt::format("Predict {} when its probability is at least this", model.label().classes[1]);
    properties["threshold"] = std::move(threshold);
  }
  json::object schema = ObjectOf(std::move(properties), {"instances"});
  schema["additionalProperties"] = false;
  return schema;
}

json::object PredictionSchema(const ml::Model& model) {
  const ml::LabelSpec& label = model.label();
  std::string predicted = "predicted_" + label.name;
  switch (ml::TaskOf(model.type())) {
    case ml::ModelTask::kRegression:
      return ObjectOf({{predicted, TypeSchema(core::TypeId::kDouble, false)}}, {predicted});
    case ml::ModelTask::kClassification: {
      json::object value = TypeSchema(label.type, false);
      if (label.type == core::TypeId::kVarchar) {
        value["enum"] = json::array(label.classes.begin(), label.classes.end());
      }
      json::object probabilities;
      json::array classes;
      for (const std::string& name : label.classes) {
        probabilities[name] = ProbabilitySchema();
        classes.push_back(json::string(name));
      }
      json::object probs = ObjectOf(std::move(probabilities), std::move(classes));
      probs["additionalProperties"] = false;
      probs["description"] = "The probability of each class";
      return ObjectOf({{predicted, std::move(value)}, {predicted + "_probs", std::move(probs)}},
                      {json::string(predicted), json::string(predicted + "_probs")});
    }
    case ml::ModelTask::kClustering:
      break;
  }
  json::object centroid{{"type", "integer"}, {"format", "int64"}, {"minimum", 1}};
  json::object distances{{"type", "object"},
                         {"description", "The distance to each centroid, by centroid id"},
                         {"additionalProperties", json::object{{"type", "number"}}}};
  return ObjectOf(
      {{"centroid_id", std::move(centroid)}, {"nearest_centroids_distance", std::move(distances)}},
      {"centroid_id", "nearest_centroids_distance"});
}

json::object PredictResponseSchema(const std::string& name, std::string_view prediction_schema) {
  return ObjectOf({{"predictions", ArrayOf(Ref("schemas", prediction_schema))},
                   {"model", json::object{{"type", "string"}, {"const", name}}},
                   {"model_version", json::object{{"type", "integer"}, {"format", "int64"}}}},
                  {"predictions", "model", "model_version"});
}

json::object ErrorResponses() {
  json::object unauthorized = ErrorResponse("No token, or an unknown one");
  unauthorized["headers"] =
      json::object{{"WWW-Authenticate", json::object{{"schema", Typed("string")}}}};
  return {{"BadRequest", ErrorResponse("A bad request; `parameter` names the query parameter")},
          {"Unauthorized", std::move(unauthorized)},
          {"Forbidden", ErrorResponse("The token lacks the scope the operation needs")},
          {"NotFound", ErrorResponse("No such result, version or model")}};
}

json::object FixedSchemas() {
  json::object error = ObjectOf({{"error", Typed("string")},
                                 {"status", Typed("integer")},
                                 {"parameter", Typed("string", "The query parameter at fault")}},
                                {"error", "status"});
  json::object status =
      ObjectOf({{"status", Typed("string")}, {"error", Typed("string")}}, {"status"});
  json::object request =
      ObjectOf({{"instances", ArrayOf(Typed("object", "Feature values by column name"))},
                {"threshold", ProbabilitySchema()}},
               {"instances"});
  json::object response = ObjectOf(
      {{"predictions", ArrayOf(json::object{{"description", "The prediction of an instance"}})},
       {"model", Typed("string")},
       {"model_version", json::object{{"type", "integer"}, {"format", "int64"}}}},
      {"predictions", "model", "model_version"});
  return {{"Error", std::move(error)},
          {"Status", std::move(status)},
          {"ResultList", ResultListSchema()},
          {"ResultSchema", ResultSchemaSchema()},
          {"ModelList", ModelListSchema()},
          {"Model", ModelSchema()},
          {"PredictRequest", std::move(request)},
          {"PredictResponse", std::move(response)}};
}

}  // namespace sluice::serve::openapi
