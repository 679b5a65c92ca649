#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/schema.h"

namespace sluice::cluster {

/// Appends the wire form of `batch`'s rows (the selected ones, in selection order) to `out`.
/// Encodings may be concatenated in one buffer; DecodeBatches() splits them again.
///
/// Layout (integers little-endian, "varint" is unsigned LEB128):
///   "SLW" 0x01 | u64 body bytes | body
///   body: varint columns, per column (varint name bytes, name, u8 TypeId), varint rows, then
///   per column: u8 flags (bit 0: a validity bitmap follows) | [bitmap, rows bits, 1 = valid]
///   | the valid values only: BOOLEAN as bits; INTEGER and DATE as 4 bytes; BIGINT, TIMESTAMP
///   and DOUBLE as 8 bytes; VARCHAR as varint lengths, then the bytes of all strings.
void EncodeBatch(const core::Batch& batch, std::string& out);

/// Returns the one batch `bytes` holds (without a selection, vectors as large as its rows).
/// When `schema` is not null the encoded schema must equal it, and the batch shares it.
/// Throws DataError for any input that is not exactly one well-formed encoding: it never reads
/// outside `bytes` and allocates at most a small multiple of its size.
core::Batch DecodeBatch(std::string_view bytes, const core::SchemaPtr& schema = nullptr);

/// Returns the batches of concatenated encodings, in order; batches with equal schemas share
/// one SchemaPtr. Throws DataError as DecodeBatch() does.
std::vector<core::Batch> DecodeBatches(std::string_view bytes,
                                       const core::SchemaPtr& schema = nullptr);

}  // namespace sluice::cluster
