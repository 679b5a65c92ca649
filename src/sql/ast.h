#pragma once

// The syntax tree the parser produces and the binder consumes. Nodes are plain structs: a base
// per family (Expr, TableRef, QueryNode, Statement) carries a kind tag and the location of the
// node's first token; one derived struct per kind holds the fields. Walk a tree by switching on
// `kind` and calling `As<T>()`, which checks the tag in debug builds.
//
// Names: unquoted identifiers are folded to lower case, quoted ones are kept as written
// (PostgreSQL rule), so name comparison in the binder is plain string equality.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/expression.h"

namespace sluice::sql {

// Table references (FROM)

/// Tags the FROM-clause items.
enum class TableRefKind : uint8_t {
  kBaseTable,      // BaseTableRef: t, schema.t
  kFile,           // FileRef: 'data/x.csv'
  kTableFunction,  // TableFunctionRef: read_csv('f', delim => ';')
  kSubquery,       // SubqueryRef: (SELECT ...) AS s(a, b)
  kJoin,           // JoinRef: a JOIN b ON ..., a, b (comma is a cross join)
  kModelFunction,  // ModelFunctionRef: ML.PREDICT(MODEL m, (query))
};

/// Is the base of every FROM-clause item; `alias` and `column_aliases` are empty when absent.
struct TableRef : TaggedNode<TableRefKind> {
  using TaggedNode::TaggedNode;
  std::string alias;
  std::vector<std::string> column_aliases;
};

using TableRefPtr = std::unique_ptr<TableRef>;

/// Is a named table or view, optionally at a stored version (`t FOR VERSION AS OF 3`).
struct BaseTableRef : TableRef {
  static constexpr TableRefKind kKind = TableRefKind::kBaseTable;
  BaseTableRef() : TableRef(kKind) {}
  QualifiedName name;
  std::optional<int64_t> version;
};

/// Is a file path used as a table; the binder picks the reader by extension.
struct FileRef : TableRef {
  static constexpr TableRefKind kKind = TableRefKind::kFile;
  FileRef() : TableRef(kKind) {}
  std::string path;
};

/// Is a table-valued function call; `call` has no FILTER/OVER.
struct TableFunctionRef : TableRef {
  static constexpr TableRefKind kKind = TableRefKind::kTableFunction;
  TableFunctionRef() : TableRef(kKind) {}
  std::unique_ptr<FunctionExpr> call;
};

/// Is a derived table `(query) [AS] alias [(columns)]`.
struct SubqueryRef : TableRef {
  static constexpr TableRefKind kKind = TableRefKind::kSubquery;
  SubqueryRef() : TableRef(kKind) {}
  std::unique_ptr<QueryNode> query;
};

/// Is one `name = value` of an option list such as COPY's `(FORMAT parquet, HEADER)` or
/// CREATE MODEL's `OPTIONS (model_type = 'kmeans')`. A bare word value is a ColumnRefExpr;
/// `value` is null when only the name was written.
struct OptionItem {
  std::string name;
  ExprPtr value;
  SourceLocation location;  // of the name
};

/// Is a BigQuery ML table function: `ML.PREDICT(MODEL m, TABLE t | (query) [, STRUCT(0.6 AS
/// threshold)])`, `ML.EVALUATE(MODEL m [, ...])`, `ML.WEIGHTS(MODEL m)`, ... At most one of
/// `table` (non-empty) and `query` is set; `settings` holds the STRUCT's fields.
struct ModelFunctionRef : TableRef {
  static constexpr TableRefKind kKind = TableRefKind::kModelFunction;
  ModelFunctionRef() : TableRef(kKind) {}
  std::string function;  // lower case, without `ml.`: predict, evaluate, weights, ...
  QualifiedName model;
  QualifiedName table;
  std::unique_ptr<QueryNode> query;
  std::vector<OptionItem> settings;
};

/// Names the join types; comma joins are kCross.
enum class JoinType : uint8_t { kInner, kLeft, kRight, kFull, kCross };

/// Is a join of two FROM items. At most one of `condition` and `using_columns` is set; a
/// NATURAL join has neither and `natural` true.
struct JoinRef : TableRef {
  static constexpr TableRefKind kKind = TableRefKind::kJoin;
  JoinRef() : TableRef(kKind) {}
  JoinType type = JoinType::kInner;
  bool natural = false;
  TableRefPtr left;
  TableRefPtr right;
  ExprPtr condition;  // ON ...; may be null.
  std::vector<std::string> using_columns;
};

// Queries

/// Tags the query bodies.
enum class QueryKind : uint8_t {
  kSelect,        // SelectNode
  kSetOperation,  // SetOperationNode: UNION, INTERSECT, EXCEPT
  kValues,        // ValuesNode: VALUES (...), (...)
};

/// Is one `name [(columns)] AS (query)` of a WITH clause.
struct CommonTableExpr {
  std::string name;
  std::vector<std::string> column_names;
  std::unique_ptr<QueryNode> query;
  SourceLocation location;
};

/// Is the base of every query. The WITH clause and the ORDER BY / LIMIT / OFFSET that follow a
/// query body live here, so a parenthesized operand of a set operation can carry its own.
struct QueryNode : TaggedNode<QueryKind> {
  using TaggedNode::TaggedNode;
  bool recursive = false;  // WITH RECURSIVE
  std::vector<CommonTableExpr> ctes;
  std::vector<OrderByItem> order_by;
  ExprPtr limit;   // May be null (none, or LIMIT ALL); FETCH FIRST n ROWS ONLY sets it too.
  ExprPtr offset;  // May be null.
};

using QueryPtr = std::unique_ptr<QueryNode>;

/// Is one select-list item; `alias` is empty when none was written.
struct SelectItem {
  ExprPtr expr;
  std::string alias;
};

/// Names the SELECT quantifier.
enum class DistinctKind : uint8_t { kAll, kDistinct, kDistinctOn };

/// Is a named window of the WINDOW clause.
struct NamedWindow {
  std::string name;
  std::unique_ptr<WindowSpec> spec;
};

/// Is `SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ... WINDOW ... QUALIFY ...`.
/// GROUP BY items are left as written (ordinals and aliases are resolved by the binder).
struct SelectNode : QueryNode {
  static constexpr QueryKind kKind = QueryKind::kSelect;
  SelectNode() : QueryNode(kKind) {}
  DistinctKind distinct = DistinctKind::kAll;
  std::vector<ExprPtr> distinct_on;
  std::vector<SelectItem> select_list;
  TableRefPtr from;  // May be null (SELECT 1).
  ExprPtr where;
  std::vector<ExprPtr> group_by;
  bool group_by_all = false;
  ExprPtr having;
  std::vector<NamedWindow> windows;
  ExprPtr qualify;
};

/// Names the set operations.
enum class SetOperationKind : uint8_t { kUnion, kIntersect, kExcept };

/// Is `left UNION|INTERSECT|EXCEPT [ALL] right`; DISTINCT is the default (all == false).
struct SetOperationNode : QueryNode {
  static constexpr QueryKind kKind = QueryKind::kSetOperation;
  SetOperationNode() : QueryNode(kKind) {}
  SetOperationKind op = SetOperationKind::kUnion;
  bool all = false;
  QueryPtr left;
  QueryPtr right;
};

/// Is `VALUES (a, b), (c, d)`; every row has the same number of expressions.
struct ValuesNode : QueryNode {
  static constexpr QueryKind kKind = QueryKind::kValues;
  ValuesNode() : QueryNode(kKind) {}
  std::vector<std::vector<ExprPtr>> rows;
};

// Statements

/// Tags the statement kinds.
enum class StatementKind : uint8_t {
  kSelect,        // SelectStatement: any query (SELECT, VALUES, set operations, WITH)
  kCreateTable,   // CreateTableStatement
  kCreateView,    // CreateViewStatement
  kCreateIndex,   // CreateIndexStatement
  kInsert,        // InsertStatement
  kDrop,          // DropStatement
  kExplain,       // ExplainStatement
  kSet,           // SetStatement
  kShow,          // ShowStatement: SHOW TABLES, SHOW name
  kDescribe,      // DescribeStatement: DESCRIBE name
  kCopy,          // CopyStatement: COPY name|(query) TO 'path' (options)
  kCreateSource,  // CreateSourceStatement: CREATE SOURCE name FROM 'uri' WITH (...)
  kCreateSink,    // CreateSinkStatement: CREATE SINK name FROM result INTO 'uri' WITH (...)
  kCreateModel,   // CreateModelStatement: CREATE MODEL name OPTIONS (...) AS query
};

/// Is the base of every statement.
struct Statement : TaggedNode<StatementKind> {
  using TaggedNode::TaggedNode;
};

using StatementPtr = std::unique_ptr<Statement>;

/// Is a query run for its rows.
struct SelectStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kSelect;
  SelectStatement() : Statement(kKind) {}
  QueryPtr query;
};

/// Is one column of CREATE TABLE.
struct ColumnDefinition {
  std::string name;
  TypeName type;
  bool not_null = false;
  bool primary_key = false;  // PRIMARY KEY: unique and not null
  bool unique = false;
  SourceLocation location;
};

/// Names what a violated expectation does: log a warning, drop the row, or fail the statement.
enum class ViolationAction : uint8_t { kWarn, kDropRow, kFail };

/// Is one data quality expectation of CREATE TABLE ... AS (Databricks DLT syntax):
/// `CONSTRAINT name EXPECT (condition) [ON VIOLATION WARN | DROP ROW | FAIL]`. A row violates
/// it when `condition` is false or NULL.
struct Expectation {
  std::string name;
  ExprPtr condition;
  ViolationAction action = ViolationAction::kWarn;
  SourceLocation location;  // of CONSTRAINT
};

/// Is one `name = 'value'` of CREATE TABLE's `WITH (...)` (PostgreSQL's storage parameters).
/// The only name is `key`: the table's key columns, `'a'` or `'a, b'`.
struct TableOption {
  std::string name;  // lower case
  std::string value;
  SourceLocation location;  // of the name
};

/// Is CREATE [OR REPLACE] [TEMP] TABLE [IF NOT EXISTS] name (columns) [WITH (options)] |
/// [(expectations)] [WITH (options)] AS query. Exactly one of `columns` (non-empty) and `query`
/// is set; `expectations` only with `query`, with distinct names; `options` with distinct
/// names.
struct CreateTableStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateTable;
  CreateTableStatement() : Statement(kKind) {}
  QualifiedName name;
  bool or_replace = false;
  bool temporary = false;
  bool if_not_exists = false;
  std::vector<ColumnDefinition> columns;
  std::vector<Expectation> expectations;
  std::vector<TableOption> options;
  QueryPtr query;
};

/// Is CREATE [OR REPLACE] [TEMP] VIEW name [(columns)] AS query.
struct CreateViewStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateView;
  CreateViewStatement() : Statement(kKind) {}
  QualifiedName name;
  bool or_replace = false;
  bool temporary = false;
  std::vector<std::string> column_names;
  QueryPtr query;
};

/// Is CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table (columns).
struct CreateIndexStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateIndex;
  CreateIndexStatement() : Statement(kKind) {}
  std::string name;
  QualifiedName table;
  std::vector<std::string> columns;
  bool unique = false;
  bool if_not_exists = false;
};

/// Is INSERT INTO name [(columns)] query; VALUES rows arrive as a ValuesNode.
struct InsertStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kInsert;
  InsertStatement() : Statement(kKind) {}
  QualifiedName table;
  std::vector<std::string> columns;
  QueryPtr source;
};

/// Names what DROP drops.
enum class ObjectType : uint8_t { kTable, kView, kSource, kSink, kModel };

/// Is DROP TABLE|VIEW|SOURCE|SINK|MODEL [IF EXISTS] name.
struct DropStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kDrop;
  DropStatement() : Statement(kKind) {}
  ObjectType object_type = ObjectType::kTable;
  QualifiedName name;
  bool if_exists = false;
};

/// Is EXPLAIN [ANALYZE] statement.
struct ExplainStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kExplain;
  ExplainStatement() : Statement(kKind) {}
  bool analyze = false;
  StatementPtr statement;
};

/// Is SET name = value | SET name TO value. A bare word value (SET x = on) is a ColumnRefExpr.
struct SetStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kSet;
  SetStatement() : Statement(kKind) {}
  std::string name;
  ExprPtr value;
};

/// Is SHOW TABLES (name == "tables") or SHOW name (a setting).
struct ShowStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kShow;
  ShowStatement() : Statement(kKind) {}
  std::string name;
};

/// Is DESCRIBE name.
struct DescribeStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kDescribe;
  DescribeStatement() : Statement(kKind) {}
  QualifiedName name;
};

/// Is COPY table|(query) TO|FROM 'path' [(options)]. Exactly one of `table` (non-empty) and
/// `query` is set.
struct CopyStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCopy;
  CopyStatement() : Statement(kKind) {}
  QualifiedName table;
  QueryPtr query;
  bool to = true;  // COPY ... TO; false for COPY ... FROM.
  std::string path;
  std::vector<OptionItem> options;
};

/// Is CREATE [OR REPLACE] SOURCE [IF NOT EXISTS] name FROM 'uri' [WITH (options)]: a
/// database table (`table = '…'`) or a data file registered as a named table.
struct CreateSourceStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateSource;
  CreateSourceStatement() : Statement(kKind) {}
  std::string name;
  bool or_replace = false;
  bool if_not_exists = false;
  std::string uri;  // postgresql://…, sqlite:path, or a file path
  std::vector<OptionItem> options;
};

/// Is CREATE [OR REPLACE] SINK name FROM table|(query) INTO 'uri' [WITH (options)]: an
/// export of a result into a database table (`table`, `mode`, `key`). Exactly one of `table`
/// (non-empty) and `query` is set.
struct CreateSinkStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateSink;
  CreateSinkStatement() : Statement(kKind) {}
  std::string name;
  bool or_replace = false;
  QualifiedName table;
  QueryPtr query;
  std::string uri;  // postgresql://…, sqlite:path, or a file path
  std::vector<OptionItem> options;
};

/// Is CREATE [OR REPLACE] MODEL [IF NOT EXISTS] name [TRANSFORM (items)] [OPTIONS (name =
/// value, ...)] AS query (BigQuery ML). `transform` is empty when absent; option values are
/// expressions (literals, lists, HPARAM_RANGE(a, b), HPARAM_CANDIDATES([...])).
struct CreateModelStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateModel;
  CreateModelStatement() : Statement(kKind) {}
  QualifiedName name;
  bool or_replace = false;
  bool if_not_exists = false;
  std::vector<SelectItem> transform;
  std::vector<OptionItem> options;
  QueryPtr query;
};

}  // namespace sluice::sql
