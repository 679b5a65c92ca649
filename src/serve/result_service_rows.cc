// The rows route of ResultService: `GET /v1/results/{name}` answered from the version's key
// index, its rows or groups held in memory, the version's kept answers, or its Parquet parts.

#include <algorithm>

#include <fmt/format.h>

#include "base/error.h"
#include "serve/pii_mask.h"
#include "serve/result_service.h"
#include "serve/row_formats.h"
#include "serve/rows_query.h"

namespace sluice::serve {
namespace {

// Bodies up to this size are sent whole; larger ones are streamed.
constexpr size_t kWholeBodyBytes = 64 << 10;

// Throws 403 when `rows` filters or orders by a column `pii` marks: masking hides the values,
// but a filter or an order on them would still reveal them.
void RefusePiiConditions(const RowsQuery& rows, const core::Schema& schema,
                         const std::vector<bool>& pii) {
  auto refuse = [&](const std::string& column) {
    std::optional<size_t> index = schema.FindField(column);
    if (!index || *index >= pii.size() || !pii[*index]) return;
    throw HttpError(403,
                    fmt::format("column \"{}\" holds personal data: filtering or ordering "
                                "by it needs the pii scope",
                                column),
                    column);
  };
  for (const RowFilter& filter : rows.filters) refuse(filter.column);
  for (const RowOrder& order : rows.order) refuse(order.column);
}
// Resolves names in the database, except the served version of one result, which is read
// from `rows` (all of its rows held in memory, or the groups holding every row that may match)
// when there are such rows.
class VersionOverlay final : public planner::Catalog {
 public:
  VersionOverlay(const session::Database& database, const std::string& name,
                 const ServedVersion& served, std::shared_ptr<const std::vector<core::Batch>> rows)
      : database_(database), name_(name), served_(served), rows_(std::move(rows)) {}

  std::shared_ptr<const planner::TableEntry> FindTable(std::string_view name) const override {
    return database_.FindTable(name);
  }
  std::shared_ptr<const planner::ViewEntry> FindView(std::string_view name) const override {
    return database_.FindView(name);
  }
  std::vector<std::string> TableNames() const override { return database_.TableNames(); }
  std::shared_ptr<const planner::TableEntry> FindTableVersion(std::string_view name,
                                                              int64_t version) const override {
    const catalog::VersionInfo& info = served_.info();
    if (name != name_ || version != info.version || rows_ == nullptr) {
      return database_.FindTableVersion(name, version);
    }
    auto entry = std::make_shared<planner::TableEntry>();
    entry->schema = info.schema;
    entry->batches = rows_;
    entry->estimated_rows = static_cast<size_t>(info.num_rows);
    entry->version = info.version;
    entry->unique_keys = info.unique_keys;
    for (const catalog::ColumnInfo& column : info.columns) {
      entry->not_null.push_back(column.not_null);
    }
    return entry;
  }

 private:
  const session::Database& database_;
  const std::string& name_;
  const ServedVersion& served_;
  std::shared_ptr<const std::vector<core::Batch>> rows_;
};

// Returns whether `filter` is `column=eq.v` (one value, not negated).
bool IsEquality(const RowFilter& filter) {
  return filter.op == "eq" && !filter.negated && filter.values.size() == 1;
}

// Returns the text a value of `field`'s type given as `text` has in indexes and groups.
// REQUIRES: BuildRowsQuery has checked that `text` is a value of that type.
std::string CanonicalText(const std::string& text, const core::Field& field) {
  return core::Value::Varchar(text).CastTo(field.type).ToString();
}
}  // namespace

void ResultService::Rows(const HttpRequest& request, const Principal& principal,
                         const std::string& name, ResponseWriter& response) {
  Authorizer::Require(principal, "read:" + name);
  RowsQuery rows = ParseRowsQuery(request.query);
  RowFormat format = ChooseRowFormat(rows.format, request.Header("accept"));
  std::shared_ptr<const ServedVersion> served = Serve(name, rows.version);
  const catalog::VersionInfo& info = served->info();
  // The query names the version pinned here: one whole version, even if a new one commits.
  rows.version = info.version;
  metrics_.SetResultVersion(name, info.version);
  const core::Schema& schema = *info.schema;
  std::vector<bool> pii;  // per column of `schema`; empty when nothing is masked
  if (!Authorizer::Allows(principal, "pii")) {
    pii = served->pii();
    RefusePiiConditions(rows, schema, pii);
    if (std::find(pii.begin(), pii.end(), true) == pii.end()) pii.clear();
  }
  // The same query of the same version has the same answer: sent again as it was.
  std::string key = ResponseCache::Key(request.query, static_cast<int>(format), !pii.empty());
  if (auto cached = served->responses().Find(key)) {
    return response.Send(200, cached->headers, cached->body);
  }
  std::optional<CachedResponse> whole = Answer(rows, name, served, format, pii, response);
  if (whole) served->responses().Add(key, std::move(*whole));
}

std::optional<CachedResponse> ResultService::Answer(
    const RowsQuery& rows, const std::string& name,
    const std::shared_ptr<const ServedVersion>& served, RowFormat format,
    const std::vector<bool>& pii, ResponseWriter& response) {
  const core::Schema& schema = *served->info().schema;
  RowsPlan plan = BuildRowsQuery(rows, name, schema, config_.max_rows);
  Fields headers = {{"content-type", ContentType(format)},
                    {"x-result-version", std::to_string(served->info().version)}};
  std::vector<core::Batch> shown;
  if (std::optional<core::Batch> row = LookUp(rows, *served, schema)) {
    shown.push_back(std::move(*row));
  } else {
    // A version small enough is queried where it is held in memory, not read again.
    VersionOverlay overlay(database_, name, *served, RowsToQuery(rows, served, schema));
    session::QueryResult result = session::Connection(database_).Query(*plan.query, overlay);
    // A cursor holds the last row's values of every paging column: none while masking.
    std::string cursor = pii.empty() ? NextCursor(rows, schema, plan, result.batches) : "";
    if (!cursor.empty()) headers.emplace_back("x-next-cursor", cursor);
    std::vector<core::Field> fields(result.schema->fields().begin(),
                                    result.schema->fields().begin() + plan.num_columns);
    auto visible = std::make_shared<core::Schema>(std::move(fields));
    for (const core::Batch& batch : result.batches) shown.push_back(batch.Share(visible));
  }
  std::optional<std::string> body = SendRows(format, shown, schema, pii, headers, response);
  if (!body) return std::nullopt;
  return CachedResponse{std::move(headers), std::move(*body)};
}

std::optional<core::Batch> ResultService::LookUp(const RowsQuery& rows, const ServedVersion& served,
                                                 const core::Schema& schema) {
  if (rows.filters.size() != 1 || rows.cursor || rows.offset != 0) return std::nullopt;
  if (rows.limit && *rows.limit == 0) return std::nullopt;
  const RowFilter& filter = rows.filters[0];
  if (!IsEquality(filter)) return std::nullopt;
  size_t column = ResolveColumn(schema, filter.column, filter.column);
  const KeyIndex* index = served.index();
  if (index == nullptr || index->column != column) return std::nullopt;
  std::string key = CanonicalText(filter.values[0], schema.field(column));
  std::vector<size_t> columns;
  for (const std::string& name : rows.select) columns.push_back(ResolveColumn(schema, name, name));
  if (columns.empty()) {
    for (size_t c = 0; c < schema.num_fields(); ++c) columns.push_back(c);
  }
  std::vector<core::Field> fields;
  for (size_t c : columns) fields.push_back(schema.field(c));
  core::Batch batch(std::make_shared<core::Schema>(std::move(fields)), 1);
  auto found = index->rows.find(key);
  if (found == index->rows.end()) return batch;
  const core::Batch& source = (*served.rows())[found->second.first];
  std::vector<core::Value> values;
  for (size_t c : columns) values.push_back(source.GetValue(c, found->second.second));
  batch.AppendRow(values);
  return batch;
}

std::shared_ptr<const std::vector<core::Batch>> ResultService::RowsToQuery(
    const RowsQuery& rows, const std::shared_ptr<const ServedVersion>& served,
    const core::Schema& schema) {
  std::shared_ptr<const std::vector<core::Batch>> all = served->rows();
  if (all == nullptr) return nullptr;
  std::optional<ColumnGroups::Range> narrowest;
  std::shared_ptr<const ColumnGroups> source;
  for (const RowFilter& filter : rows.filters) {
    if (!IsEquality(filter)) continue;
    size_t column = ResolveColumn(schema, filter.column, filter.column);
    if (!HasCanonicalText(schema.field(column).type)) continue;
    std::shared_ptr<const ColumnGroups> groups = served->groups(column);
    if (groups == nullptr) {
      versions_.RequestGroups(served, column);
      continue;
    }
    auto found = groups->ranges.find(CanonicalText(filter.values[0], schema.field(column)));
    ColumnGroups::Range range =
        found == groups->ranges.end() ? ColumnGroups::Range{} : found->second;
    if (!narrowest || range.end - range.begin < narrowest->end - narrowest->begin) {
      narrowest = range;
      source = std::move(groups);
    }
  }
  if (!narrowest) return all;
  // The rows of the batches in range are a superset of those the query's WHERE keeps.
  auto batches = std::make_shared<std::vector<core::Batch>>();
  for (uint32_t b = narrowest->begin; b < narrowest->end; ++b) {
    batches->push_back(source->batches[b].Share());
  }
  return batches;
}

std::optional<std::string> ResultService::SendRows(
    RowFormat format, const std::vector<core::Batch>& batches, const core::Schema& schema,
    const std::vector<bool>& pii, const Fields& headers, ResponseWriter& response) {
  core::SchemaPtr visible =
      batches.empty() ? std::make_shared<core::Schema>() : batches[0].schema_ptr();
  std::vector<bool> masked(visible->num_fields(), false);
  for (size_t c = 0; c < masked.size() && !pii.empty(); ++c) {
    masked[c] = pii[*schema.FindField(visible->field(c).name)];
  }
  auto encoder = RowEncoder::Make(format, visible);
  // A small body goes out whole with a Content-Length (one write); a large one is streamed in
  // chunks once it outgrows the buffer.
  std::string buffer = encoder->Begin();
  for (const core::Batch& batch : batches) {
    buffer += pii.empty() ? encoder->Encode(batch) : encoder->Encode(MaskColumns(batch, masked));
    if (buffer.size() < kWholeBodyBytes) continue;
    if (!response.started()) response.Start(200, headers);
    response.Write(buffer);
    buffer.clear();
  }
  buffer += encoder->End();
  if (!response.started()) {
    response.Send(200, headers, buffer);
    return buffer;
  }
  response.Write(buffer);
  response.Finish();
  return std::nullopt;
}

std::shared_ptr<const ServedVersion> ResultService::Serve(const std::string& name,
                                                          std::optional<int64_t> version) {
  std::shared_ptr<const ServedVersion> served;
  try {
    served = versions_.Get(name, version);
  } catch (const UserError& error) {
    throw HttpError(404, error.what(), "version");
  }
  if (served == nullptr) throw HttpError(404, fmt::format("no result named \"{}\"", name));
  return served;
}
}  // namespace sluice::serve
