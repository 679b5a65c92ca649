#pragma once

// The parts of the OpenAPI document (openapi.h) that describe data: JSON Schemas of rows and
// of the fixed bodies, the query parameters of rows requests, the shared error responses.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "catalog/dataset_record.h"
#include "catalog/version_info.h"
#include "core/schema.h"
#include "ml/model.h"

namespace sluice::serve::openapi {

/// Returns `{"$ref": "#/components/<kind>/<name>"}`.
boost::json::object Ref(std::string_view kind, std::string_view name);
/// Returns a content map with `schema` as application/json.
boost::json::object JsonContent(boost::json::value schema);
/// Returns a response object; no `content` when `content` is empty.
boost::json::object Response(std::string_view description, boost::json::object content = {});

/// Returns the JSON Schema of a SQL type: BIGINT/INTEGER integer (int64/int32), DOUBLE number,
/// BOOLEAN boolean, VARCHAR string, DATE string/date, TIMESTAMP string/date-time; with
/// "null" among the types when `nullable` (JSON Schema 2020-12, as OpenAPI 3.1 has it).
boost::json::object TypeSchema(core::TypeId type, bool nullable);

/// Returns the `<Name>Row` schema of `result` at `info`'s version: a property per column
/// (nullable unless NOT NULL) with its SQL type (`x-sql-type`) and, when `columns` has it
/// (matched by name), its semantic type (`x-semantic`), whether it is PII (`x-pii`) and a
/// description of both.
boost::json::object RowSchema(const std::string& result, const std::string& description,
                              const catalog::VersionInfo& info,
                              const std::vector<catalog::DatasetColumn>& columns);

/// Returns the query parameter filtering on `field` (`field=op.value`), documenting the
/// PostgREST operators.
boost::json::object FilterParameter(const core::Field& field);

/// Returns the 200 response of a rows request whose rows are schema `row_schema`: JSON,
/// NDJSON, CSV and Parquet, with the X-Result-Version and X-Next-Cursor headers.
boost::json::object RowsResponse(std::string_view row_schema);

/// Returns components.parameters: select, order, limit (at most `max_rows`), offset, cursor,
/// version, format.
boost::json::object RowsParameters(int64_t max_rows);

/// Returns the schema of one instance of a predict request to `model`: without `transform`
/// an object with a nullable property per input column typed as trained (categorical columns
/// list their training categories in `x-categories`), no other properties; with it, an object
/// of numbers, strings and booleans (the TRANSFORM's inputs, typed by their values).
boost::json::object InstanceSchema(const ml::Model& model, const std::string& transform);

/// Returns the body of a predict request whose instances are schema `instance_schema`, with
/// `threshold` when `model` is a binary classifier.
boost::json::object PredictRequestSchema(const ml::Model& model, std::string_view instance_schema);

/// Returns the schema of one prediction of `model`: predicted_<label> typed as the label and,
/// for a classifier, predicted_<label>_probs (a probability per class); centroid_id and
/// nearest_centroids_distance for k-means.
boost::json::object PredictionSchema(const ml::Model& model);

/// Returns the 200 body of predict requests to model `name`, predictions being schema
/// `prediction_schema`.
boost::json::object PredictResponseSchema(const std::string& name,
                                          std::string_view prediction_schema);

/// Returns components.responses: BadRequest, Unauthorized, Forbidden, NotFound (Error bodies).
boost::json::object ErrorResponses();

/// Returns the schemas every document has: Error, Status, ResultList, ResultSchema, ModelList,
/// Model, and the untyped PredictRequest and PredictResponse (of models whose artifact cannot
/// be read).
boost::json::object FixedSchemas();

}  // namespace sluice::serve::openapi
