#include "session/catalog_queries.h"

#include <algorithm>
#include <tuple>

#include "base/error.h"
#include "catalog/catalog_db.h"
#include "store/result_store.h"

namespace sluice::session {
namespace {

using core::TypeId;
using core::Value;

catalog::CatalogDb& CatalogOf(Database& database) {
  if (database.store() == nullptr) {
    Throw<UserError>("the catalog lives in a workspace: run sluice init or pass --workspace DIR");
  }
  return database.store()->catalog();
}

// Returns true for columns whose values may be keys another dataset refers to: not measures,
// coordinates, free text or flags, and with more than a couple of distinct values.
bool KeyLike(const catalog::DatasetColumn& column) {
  using catalog::SemanticType;
  switch (column.semantics.type) {
    case SemanticType::kMeasure:
    case SemanticType::kMoney:
    case SemanticType::kLatitude:
    case SemanticType::kLongitude:
    case SemanticType::kFreeText:
    case SemanticType::kBooleanLike:
    case SemanticType::kDateTimeText:
    case SemanticType::kBirthDate:
      return false;
    default:
      return !column.profile.signature.hashes.empty() && column.profile.distinct >= 3;
  }
}

struct Match {
  std::string column;
  std::string other_dataset;
  std::string other_column;
  double containment;
  double reverse;
  std::string other_semantic;
};

}  // namespace

QueryResult RelatedColumns(Database& database, std::string_view name, double min_containment) {
  catalog::CatalogDb& catalog = CatalogOf(database);
  std::string dataset(name);
  std::string only;
  if (auto dot = dataset.find('.'); dot != std::string::npos && !catalog.FindDataset(dataset)) {
    only = dataset.substr(dot + 1);
    dataset.resize(dot);
  }
  if (!catalog.FindDataset(dataset)) {
    Throw<UserError>("dataset \"{}\" is not in the catalog (sluice catalog list shows them)",
                     dataset);
  }
  std::vector<catalog::DatasetColumn> mine = catalog.DatasetColumns(dataset);
  if (!only.empty() && std::none_of(mine.begin(), mine.end(), [&](const auto& column) {
        return column.profile.name == only;
      })) {
    Throw<UserError>("dataset \"{}\" has no column \"{}\"", dataset, only);
  }
  std::vector<Match> matches;
  for (const auto& other : catalog.Datasets()) {
    if (other.name == dataset) continue;
    std::vector<catalog::DatasetColumn> theirs = catalog.DatasetColumns(other.name);
    for (const auto& a : mine) {
      if ((!only.empty() && a.profile.name != only) || (only.empty() && !KeyLike(a))) continue;
      for (const auto& b : theirs) {
        if (!KeyLike(b)) continue;
        double contained = catalog::EstimateContainment(a.profile.signature, a.profile.distinct,
                                                        b.profile.signature, b.profile.distinct);
        double reverse = catalog::EstimateContainment(b.profile.signature, b.profile.distinct,
                                                      a.profile.signature, a.profile.distinct);
        if (std::max(contained, reverse) < min_containment) continue;
        matches.push_back({a.profile.name, other.name, b.profile.name, contained, reverse,
                           std::string(catalog::SemanticTypeName(b.semantics.type))});
      }
    }
  }
  std::sort(matches.begin(), matches.end(), [](const Match& x, const Match& y) {
    return std::tie(y.containment, y.reverse) < std::tie(x.containment, x.reverse);
  });
  std::vector<std::vector<Value>> rows;
  for (const auto& m : matches) {
    rows.push_back({Value::Varchar(m.column), Value::Varchar(m.other_dataset),
                    Value::Varchar(m.other_column), Value::Double(m.containment),
                    Value::Double(m.reverse), Value::Varchar(m.other_semantic)});
  }
  return Listing({{"column", TypeId::kVarchar},
                  {"other_dataset", TypeId::kVarchar},
                  {"other_column", TypeId::kVarchar},
                  {"containment", TypeId::kDouble},
                  {"reverse_containment", TypeId::kDouble},
                  {"other_semantic", TypeId::kVarchar}},
                 rows);
}

QueryResult SearchCatalog(Database& database, std::string_view text, size_t limit) {
  std::vector<std::vector<Value>> rows;
  for (const auto& hit : CatalogOf(database).Search(text, limit)) {
    rows.push_back({Value::Varchar(hit.dataset), Value::Varchar(hit.kind),
                    Value::Varchar(hit.snippet), Value::Double(hit.rank)});
  }
  return Listing({{"dataset", TypeId::kVarchar},
                  {"kind", TypeId::kVarchar},
                  {"snippet", TypeId::kVarchar},
                  {"rank", TypeId::kDouble}},
                 rows);
}

}  // namespace sluice::session
