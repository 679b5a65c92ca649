// CatalogDb: the full-text search index over datasets. SQLite keeps it in an FTS5 table ranked
// by bm25; PostgreSQL in a weighted tsvector column with a GIN index ranked by ts_rank. Both
// stem English words, so "flights" finds "flight", and the last word of a query matches as a
// prefix, so "fli" does too.

#include <fmt/format.h>

#include "catalog/catalog_db.h"
#include "catalog/catalog_transaction.h"

namespace sluice::catalog {
namespace {

/// Is what the index holds for one dataset, field by field.
struct SearchDocument {
  std::string name;
  std::string kind;
  std::string description;
  std::string tags;
  std::string columns;
  std::string semantics;
};

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of(" \t\r\n\f\v", start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) words.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

// Returns an FTS5 query that finds every word of `words`, each quoted as an FTS5 string (so no
// character is an operator), the last one as a prefix.
std::string Fts5Query(const std::vector<std::string>& words) {
  std::string query;
  for (const std::string& word : words) {
    if (!query.empty()) query += ' ';
    query += '"';
    for (char c : word) query += c == '"' ? std::string("\"\"") : std::string(1, c);
    query += '"';
  }
  return query + '*';
}

bool IsWordByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Returns a tsquery that finds every word of `words`: the letters and digits of a word as a
// phrase (so "e-mail" finds "e mail" as FTS5 does), the last as a prefix. Only letters, digits
// and non-ASCII bytes reach the quoted lexemes, so no user text is tsquery syntax. Empty when
// no word has a letter or digit.
std::string TsQuery(const std::vector<std::string>& words) {
  std::vector<std::string> phrases;
  for (const std::string& word : words) {
    std::string phrase;
    for (size_t i = 0; i < word.size();) {
      if (!IsWordByte(word[i])) {
        ++i;
        continue;
      }
      size_t end = i;
      while (end < word.size() && IsWordByte(word[end])) ++end;
      phrase += (phrase.empty() ? "'" : " <-> '") + word.substr(i, end - i) + "'";
      i = end;
    }
    if (!phrase.empty()) phrases.push_back(std::move(phrase));
  }
  if (phrases.empty()) return {};
  phrases.back() += ":*";
  return fmt::format("{}", fmt::join(phrases, " & "));
}

std::string Join(const std::vector<MetaRow>& rows) {
  std::string text;
  for (const MetaRow& row : rows) {
    if (!text.empty()) text += ' ';
    text += row.Text(0);
  }
  return text;
}

void WriteSqliteDocument(MetaDb& db, std::string_view dataset, const SearchDocument& document) {
  db.Execute("DELETE FROM dataset_search WHERE dataset = ?", {dataset});
  db.Execute(
      "INSERT INTO dataset_search (dataset, name, kind, description, tags, columns, semantics) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {dataset, document.name, document.kind, document.description, document.tags, document.columns,
       document.semantics});
}

void WritePostgresDocument(MetaDb& db, std::string_view dataset, const SearchDocument& document) {
  std::string body = document.name;
  for (const std::string* part : {&document.description, &document.tags, &document.columns,
                                  &document.semantics, &document.kind}) {
    if (!part->empty()) body += " | " + *part;
  }
  // Weights rank a match in the name (A) above tags and description (B), column names (C),
  // and semantic types and kind (D).
  db.Execute(
      "INSERT INTO dataset_search (dataset, kind, body, document) VALUES (?, ?, ?, "
      "setweight(to_tsvector('english', ?), 'A') || setweight(to_tsvector('english', ?), 'B') "
      "|| setweight(to_tsvector('english', ?), 'B') || setweight(to_tsvector('english', ?), "
      "'C') || setweight(to_tsvector('english', ?), 'D') || "
      "setweight(to_tsvector('english', ?), 'D')) "
      "ON CONFLICT (dataset) DO UPDATE SET kind = excluded.kind, body = excluded.body, "
      "document = excluded.document",
      {dataset, document.kind, body, document.name, document.tags, document.description,
       document.columns, document.semantics, document.kind});
}

}  // namespace

void CatalogDb::RefreshSearchText(std::string_view name) {
  std::vector<MetaRow> rows =
      db_->Query("SELECT name, kind, description, version FROM datasets WHERE name = ?", {name});
  if (rows.empty()) return;
  SearchDocument document{rows[0].Text(0), rows[0].Text(1), rows[0].Text(2), {}, {}, {}};
  int64_t version = rows[0].Int(3);
  document.tags = Join(db_->Query("SELECT tag FROM tags WHERE dataset = ? ORDER BY tag", {name}));
  document.columns =
      Join(db_->Query("SELECT name FROM dataset_columns WHERE dataset = ? AND version = ? "
                      "ORDER BY ordinal",
                      {name, version}));
  document.semantics =
      Join(db_->Query("SELECT DISTINCT semantic FROM dataset_columns WHERE dataset = ? AND "
                      "version = ? AND semantic <> 'unknown' ORDER BY semantic",
                      {name, version}));
  if (backend() == MetaBackend::kSqlite) {
    WriteSqliteDocument(*db_, name, document);
  } else {
    WritePostgresDocument(*db_, name, document);
  }
}

std::vector<SearchHit> CatalogDb::Search(std::string_view text, size_t limit) {
  std::vector<std::string> words = Words(ValidUtf8(text));
  if (words.empty() || limit == 0) return {};
  std::lock_guard lock(mutex_);
  std::vector<MetaRow> rows;
  if (backend() == MetaBackend::kSqlite) {
    // bm25 weights per column: dataset (not indexed), name, kind, description, tags, columns,
    // semantics; smaller is better.
    rows = db_->Query(
        "SELECT dataset, kind, snippet(dataset_search, -1, '[', ']', '…', 12), "
        "-bm25(dataset_search, 0.0, 10.0, 1.0, 4.0, 6.0, 3.0, 2.0) AS score "
        "FROM dataset_search WHERE dataset_search MATCH ? ORDER BY score DESC, dataset LIMIT ?",
        {Fts5Query(words), static_cast<int64_t>(limit)});
  } else {
    std::string query = TsQuery(words);
    if (query.empty()) return {};
    rows = db_->Query(
        "SELECT dataset, kind, ts_headline('english', body, query, "
        "'StartSel=[, StopSel=], MinWords=4, MaxWords=16'), ts_rank(document, query) AS score "
        "FROM dataset_search, to_tsquery('english', ?) AS query WHERE document @@ query "
        "ORDER BY score DESC, dataset LIMIT ?",
        {query, static_cast<int64_t>(limit)});
  }
  std::vector<SearchHit> hits;
  for (const MetaRow& row : rows) {
    hits.push_back({row.Text(0), row.Text(1), row.Text(2), row.Double(3)});
  }
  return hits;
}

}  // namespace sluice::catalog
