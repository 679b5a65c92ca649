// ToSql for table references, queries and statements.

#include "base/strings.h"
#include "sql/to_sql.h"

#include <cctype>

namespace sluice::sql {
namespace {

std::string NameList(const std::vector<std::string>& names) {
  std::string text = "(";
  for (size_t i = 0; i < names.size(); ++i) {
    text += (i > 0 ? ", " : "") + QuoteIdentifier(names[i]);
  }
  return text + ")";
}

std::string JoinExprs(const std::vector<ExprPtr>& exprs) {
  std::string text;
  for (const ExprPtr& expr : exprs) text += (text.empty() ? "" : ", ") + ToSql(*expr);
  return text;
}

std::string OrderByToSql(const std::vector<OrderByItem>& items) {
  std::string text;
  for (const OrderByItem& item : items) text += (text.empty() ? "" : ", ") + ToSql(item);
  return text;
}

std::string AliasToSql(const TableRef& ref) {
  if (ref.alias.empty()) return "";
  std::string text = " AS " + QuoteIdentifier(ref.alias);
  if (!ref.column_aliases.empty()) text += NameList(ref.column_aliases);
  return text;
}

std::string JoinToSql(const JoinRef& join) {
  static constexpr std::string_view kTypes[] = {"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN",
                                                "CROSS JOIN"};
  std::string right = ToSql(*join.right);
  if (join.right->kind == TableRefKind::kJoin) right = "(" + right + ")";
  std::string text = ToSql(*join.left) + (join.natural ? " NATURAL " : " ") +
                     std::string(kTypes[static_cast<int>(join.type)]) + " " + right;
  if (join.condition) text += " ON " + ToSql(*join.condition);
  if (!join.using_columns.empty()) text += " USING " + NameList(join.using_columns);
  return text;
}

// A set-operation operand needs parentheses unless it is a bare SELECT or VALUES.
std::string OperandToSql(const QueryNode& query) {
  bool bare = query.kind != QueryKind::kSetOperation && query.ctes.empty() &&
              query.order_by.empty() && !query.limit && !query.offset;
  return bare ? ToSql(query) : "(" + ToSql(query) + ")";
}

std::string SelectToSql(const SelectNode& select) {
  std::string text = "SELECT ";
  if (select.distinct == DistinctKind::kDistinct) text += "DISTINCT ";
  if (select.distinct == DistinctKind::kDistinctOn) {
    text += "DISTINCT ON (" + JoinExprs(select.distinct_on) + ") ";
  }
  for (size_t i = 0; i < select.select_list.size(); ++i) {
    const SelectItem& item = select.select_list[i];
    text += (i > 0 ? ", " : "") + ToSql(*item.expr);
    if (!item.alias.empty()) text += " AS " + QuoteIdentifier(item.alias);
  }
  if (select.from) text += " FROM " + ToSql(*select.from);
  if (select.where) text += " WHERE " + ToSql(*select.where);
  if (select.group_by_all) text += " GROUP BY ALL";
  if (!select.group_by.empty()) text += " GROUP BY " + JoinExprs(select.group_by);
  if (select.having) text += " HAVING " + ToSql(*select.having);
  for (size_t i = 0; i < select.windows.size(); ++i) {
    text += (i == 0 ? " WINDOW " : ", ") + QuoteIdentifier(select.windows[i].name) + " AS " +
            ToSql(*select.windows[i].spec);
  }
  if (select.qualify) text += " QUALIFY " + ToSql(*select.qualify);
  return text;
}

std::string BodyToSql(const QueryNode& query) {
  switch (query.kind) {
    case QueryKind::kSelect:
      return SelectToSql(query.As<SelectNode>());
    case QueryKind::kSetOperation: {
      static constexpr std::string_view kOps[] = {" UNION ", " INTERSECT ", " EXCEPT "};
      const auto& set = query.As<SetOperationNode>();
      return OperandToSql(*set.left) + std::string(kOps[static_cast<int>(set.op)]) +
             (set.all ? "ALL " : "") + OperandToSql(*set.right);
    }
    case QueryKind::kValues: {
      std::string text = "VALUES ";
      const auto& values = query.As<ValuesNode>();
      for (size_t i = 0; i < values.rows.size(); ++i) {
        text += (i > 0 ? ", (" : "(") + JoinExprs(values.rows[i]) + ")";
      }
      return text;
    }
  }
  return "?";
}

std::string WithToSql(const QueryNode& query) {
  if (query.ctes.empty()) return "";
  std::string text = query.recursive ? "WITH RECURSIVE " : "WITH ";
  for (size_t i = 0; i < query.ctes.size(); ++i) {
    const CommonTableExpr& cte = query.ctes[i];
    text += (i > 0 ? ", " : "") + QuoteIdentifier(cte.name);
    if (!cte.column_names.empty()) text += NameList(cte.column_names);
    text += " AS (" + ToSql(*cte.query) + ")";
  }
  return text + " ";
}

std::string OptionsToSql(const std::vector<OptionItem>& options) {
  std::string text = " (";
  for (size_t i = 0; i < options.size(); ++i) {
    text += (i > 0 ? ", " : "") + QuoteIdentifier(options[i].name);
    if (options[i].value) text += " " + ToSql(*options[i].value);
  }
  return text + ")";
}

std::string ExpectationsToSql(const std::vector<Expectation>& expectations) {
  static constexpr std::string_view kActions[] = {"WARN", "DROP ROW", "FAIL"};
  std::string text = " (";
  for (size_t i = 0; i < expectations.size(); ++i) {
    const Expectation& expectation = expectations[i];
    text += (i > 0 ? ", CONSTRAINT " : "CONSTRAINT ") + QuoteIdentifier(expectation.name) +
            " EXPECT (" + ToSql(*expectation.condition) + ") ON VIOLATION " +
            std::string(kActions[static_cast<int>(expectation.action)]);
  }
  return text + ")";
}

std::string TableOptionsToSql(const std::vector<TableOption>& options) {
  if (options.empty()) return "";
  std::string text = " WITH (";
  for (size_t i = 0; i < options.size(); ++i) {
    // Option names are known words (the parser refuses others), so they need no quotes.
    text += (i > 0 ? ", " : "") + options[i].name + " = " + QuoteString(options[i].value);
  }
  return text + ")";
}

std::string CreateTableToSql(const CreateTableStatement& create) {
  std::string text = std::string("CREATE ") + (create.or_replace ? "OR REPLACE " : "") +
                     (create.temporary ? "TEMPORARY " : "") + "TABLE " +
                     (create.if_not_exists ? "IF NOT EXISTS " : "") + ToSql(create.name);
  if (!create.expectations.empty()) text += ExpectationsToSql(create.expectations);
  if (create.query) {
    return text + TableOptionsToSql(create.options) + " AS " + ToSql(*create.query);
  }
  text += " (";
  for (size_t i = 0; i < create.columns.size(); ++i) {
    const ColumnDefinition& column = create.columns[i];
    text += (i > 0 ? ", " : "") + QuoteIdentifier(column.name) + " " + ToSql(column.type);
    if (column.not_null) text += " NOT NULL";
    if (column.primary_key) text += " PRIMARY KEY";
    if (column.unique) text += " UNIQUE";
  }
  return text + ")" + TableOptionsToSql(create.options);
}

std::string CreateViewToSql(const CreateViewStatement& create) {
  std::string text = std::string("CREATE ") + (create.or_replace ? "OR REPLACE " : "") +
                     (create.temporary ? "TEMPORARY " : "") + "VIEW " + ToSql(create.name);
  if (!create.column_names.empty()) text += " " + NameList(create.column_names);
  return text + " AS " + ToSql(*create.query);
}

std::string CreateIndexToSql(const CreateIndexStatement& create) {
  return std::string("CREATE ") + (create.unique ? "UNIQUE " : "") + "INDEX " +
         (create.if_not_exists ? "IF NOT EXISTS " : "") + QuoteIdentifier(create.name) + " ON " +
         ToSql(create.table) + " " + NameList(create.columns);
}

std::string InsertToSql(const InsertStatement& insert) {
  std::string text = "INSERT INTO " + ToSql(insert.table);
  if (!insert.columns.empty()) text += " " + NameList(insert.columns);
  return text + " " + ToSql(*insert.source);
}

std::string VersionToSql(const BaseTableRef& table) {
  return table.version ? " FOR VERSION AS OF " + std::to_string(*table.version) : "";
}

std::string CopyToSql(const CopyStatement& copy) {
  std::string text = "COPY ";
  text += copy.query ? "(" + ToSql(*copy.query) + ")" : ToSql(copy.table);
  text += (copy.to ? " TO " : " FROM ") + QuoteString(copy.path);
  if (!copy.options.empty()) text += OptionsToSql(copy.options);
  return text;
}

// Options of sources and sinks read `WITH (table = 'x', mode = 'upsert')`.
std::string WithOptionsToSql(const std::vector<OptionItem>& options) {
  if (options.empty()) return "";
  std::string text = " WITH (";
  for (size_t i = 0; i < options.size(); ++i) {
    text += (i > 0 ? ", " : "") + QuoteIdentifier(options[i].name);
    if (options[i].value) text += " = " + ToSql(*options[i].value);
  }
  return text + ")";
}

std::string CreateSourceToSql(const CreateSourceStatement& create) {
  return std::string("CREATE ") + (create.or_replace ? "OR REPLACE " : "") + "SOURCE " +
         (create.if_not_exists ? "IF NOT EXISTS " : "") + QuoteIdentifier(create.name) + " FROM " +
         QuoteString(create.uri) + WithOptionsToSql(create.options);
}

std::string CreateSinkToSql(const CreateSinkStatement& create) {
  std::string text = std::string("CREATE ") + (create.or_replace ? "OR REPLACE " : "") + "SINK " +
                     QuoteIdentifier(create.name) + " FROM ";
  text += create.query ? "(" + ToSql(*create.query) + ")" : ToSql(create.table);
  return text + " INTO " + QuoteString(create.uri) + WithOptionsToSql(create.options);
}

// BigQuery ML writes options as `OPTIONS (model_type = 'kmeans')`.
std::string NamedOptionsToSql(std::string_view keyword, const std::vector<OptionItem>& options) {
  std::string text = " " + std::string(keyword) + " (";
  for (size_t i = 0; i < options.size(); ++i) {
    text +=
        (i > 0 ? ", " : "") + QuoteIdentifier(options[i].name) + " = " + ToSql(*options[i].value);
  }
  return text + ")";
}

std::string CreateModelToSql(const CreateModelStatement& create) {
  std::string text = std::string("CREATE ") + (create.or_replace ? "OR REPLACE " : "") + "MODEL " +
                     (create.if_not_exists ? "IF NOT EXISTS " : "") + ToSql(create.name);
  if (!create.transform.empty()) {
    text += " TRANSFORM (";
    for (size_t i = 0; i < create.transform.size(); ++i) {
      const SelectItem& item = create.transform[i];
      text += (i > 0 ? ", " : "") + ToSql(*item.expr);
      if (!item.alias.empty()) text += " AS " + QuoteIdentifier(item.alias);
    }
    text += ")";
  }
  if (!create.options.empty()) text += NamedOptionsToSql("OPTIONS", create.options);
  return text + " AS " + ToSql(*create.query);
}

std::string ModelFunctionToSql(const ModelFunctionRef& ref) {
  std::string function = ref.function;
  function = AsciiUpper(std::move(function));
  std::string text = "ML." + function + "(MODEL " + ToSql(ref.model);
  if (!ref.table.empty()) text += ", TABLE " + ToSql(ref.table);
  if (ref.query) text += ", (" + ToSql(*ref.query) + ")";
  if (!ref.settings.empty()) {
    text += ", STRUCT(";
    for (size_t i = 0; i < ref.settings.size(); ++i) {
      text += (i > 0 ? ", " : "") + ToSql(*ref.settings[i].value) + " AS " +
              QuoteIdentifier(ref.settings[i].name);
    }
    text += ")";
  }
  return text + ")" + AliasToSql(ref);
}

std::string DropToSql(const DropStatement& drop) {
  static constexpr std::string_view kObjects[] = {"TABLE", "VIEW", "SOURCE", "SINK", "MODEL"};
  return "DROP " + std::string(kObjects[static_cast<int>(drop.object_type)]) + " " +
         (drop.if_exists ? "IF EXISTS " : "") + ToSql(drop.name);
}

}  // namespace

std::string ToSql(const TableRef& ref) {
  switch (ref.kind) {
    case TableRefKind::kBaseTable:
      return ToSql(ref.As<BaseTableRef>().name) + VersionToSql(ref.As<BaseTableRef>()) +
             AliasToSql(ref);
    case TableRefKind::kFile:
      return QuoteString(ref.As<FileRef>().path) + AliasToSql(ref);
    case TableRefKind::kTableFunction:
      return ToSql(*ref.As<TableFunctionRef>().call) + AliasToSql(ref);
    case TableRefKind::kSubquery:
      return "(" + ToSql(*ref.As<SubqueryRef>().query) + ")" + AliasToSql(ref);
    case TableRefKind::kJoin:
      return JoinToSql(ref.As<JoinRef>());
    case TableRefKind::kModelFunction:
      return ModelFunctionToSql(ref.As<ModelFunctionRef>());
  }
  return "?";
}

std::string ToSql(const QueryNode& query) {
  std::string text = WithToSql(query) + BodyToSql(query);
  if (!query.order_by.empty()) text += " ORDER BY " + OrderByToSql(query.order_by);
  if (query.limit) text += " LIMIT " + ToSql(*query.limit);
  if (query.offset) text += " OFFSET " + ToSql(*query.offset);
  return text;
}

std::string ToSql(const Statement& statement) {
  switch (statement.kind) {
    case StatementKind::kSelect:
      return ToSql(*statement.As<SelectStatement>().query);
    case StatementKind::kCreateTable:
      return CreateTableToSql(statement.As<CreateTableStatement>());
    case StatementKind::kCreateView:
      return CreateViewToSql(statement.As<CreateViewStatement>());
    case StatementKind::kCreateIndex:
      return CreateIndexToSql(statement.As<CreateIndexStatement>());
    case StatementKind::kInsert:
      return InsertToSql(statement.As<InsertStatement>());
    case StatementKind::kDrop:
      return DropToSql(statement.As<DropStatement>());
    case StatementKind::kExplain: {
      const auto& explain = statement.As<ExplainStatement>();
      return std::string(explain.analyze ? "EXPLAIN ANALYZE " : "EXPLAIN ") +
             ToSql(*explain.statement);
    }
    case StatementKind::kSet: {
      const auto& set = statement.As<SetStatement>();
      return "SET " + QuoteIdentifier(set.name) + " = " + ToSql(*set.value);
    }
    case StatementKind::kShow:
      return "SHOW " + QuoteIdentifier(statement.As<ShowStatement>().name);
    case StatementKind::kDescribe:
      return "DESCRIBE " + ToSql(statement.As<DescribeStatement>().name);
    case StatementKind::kCopy:
      return CopyToSql(statement.As<CopyStatement>());
    case StatementKind::kCreateSource:
      return CreateSourceToSql(statement.As<CreateSourceStatement>());
    case StatementKind::kCreateSink:
      return CreateSinkToSql(statement.As<CreateSinkStatement>());
    case StatementKind::kCreateModel:
      return CreateModelToSql(statement.As<CreateModelStatement>());
  }
  return "?";
}

}  // namespace sluice::sql
