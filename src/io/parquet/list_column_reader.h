#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "io/parquet/column_reader.h"

namespace sluice::io::parquet {

/// Makes the reader of a LIST of primitives (Shape::kList), which returns each row's list as
/// VARCHAR JSON text (`[1,2,null]`; strings, dates and timestamps quoted; NULL for a NULL list).
/// It decodes its whole column chunk on the first read.
std::unique_ptr<ColumnReader> MakeListColumnReader(const ColumnDescriptor& column,
                                                   ChunkSource source);

}  // namespace sluice::io::parquet
