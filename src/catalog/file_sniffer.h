#pragma once

#include <string>

namespace sluice::catalog {

/// Is what a file holds, as far as its first bytes and its name tell: the format Sluice would
/// read it with, or why it is passed over.
struct SniffedFile {
  std::string format;  // "csv", "json", "parquet", "sqlite"; empty when passed over
  std::string reason;  // why it is passed over ("PNG image: not a format Sluice reads")
};

/// Returns what the file at `path` holds. Magic bytes decide first: SQLite ("SQLite format 3"),
/// Parquet ("PAR1" at both ends), and known binary formats (PNG, JPEG, GIF, PDF, ZIP, Arrow,
/// bare gzip/zstd, ELF), which are passed over, as is other binary content. Text named .csv or
/// .tsv is CSV; text named .json, .jsonl, .ndjson, .txt, .dat, .data, .tab, .psv, .log or
/// without extension is JSON when it starts with `{` or `[`, else CSV when at least two records
/// have the same non-zero count of one of , \t ; | (outside quotes); other text (.md, .js) is
/// passed over. .gz and .zst files are looked at decompressed. Reads at most 64 KiB. Never
/// throws: a file that cannot be read is passed over with the system's reason.
SniffedFile SniffFile(const std::string& path);

}  // namespace sluice::catalog
