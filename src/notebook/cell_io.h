#pragma once

// What the statements of one SQL cell read and write, found from the syntax tree alone (no
// catalog): the DAG of a notebook is built from it.

#include <string>
#include <vector>

#include "sql/ast.h"

namespace sluice::notebook {

/// Lists the tables and files a cell's statements read and write, each name once, in the order
/// first met. Table names are as the catalog keys them: the last part of a qualified name, except
/// `sluice.x` and `information_schema.x`. File paths are lexically normalized (`./a/../b.csv`
/// becomes `b.csv`).
struct CellIo {
  /// Names the cell creates: CREATE TABLE (also TEMP), CREATE VIEW, CREATE SOURCE, CREATE SINK,
  /// CREATE MODEL.
  std::vector<std::string> outputs;
  /// Outputs kept only by the process that made them: TEMP tables and views.
  std::vector<std::string> temporary;
  /// Names the cell reads that it has not created before: FROM/JOIN items at any depth (in
  /// subqueries, CTE bodies, expressions), not CTE names; INSERT and COPY FROM targets too.
  std::vector<std::string> inputs;
  /// Names the cell adds rows to without creating them: INSERT INTO and COPY ... FROM targets.
  std::vector<std::string> modified;
  /// Files read as tables (`FROM 'x.csv'`, `read_csv('x.csv')`), by COPY FROM or CREATE SOURCE.
  std::vector<std::string> input_files;
  /// Files written by COPY ... TO and by CREATE SINK into a file.
  std::vector<std::string> output_files;
};

/// Returns what `statements` (the statements of one cell, in order) read and write.
CellIo AnalyzeStatements(const std::vector<sql::StatementPtr>& statements);

}  // namespace sluice::notebook
