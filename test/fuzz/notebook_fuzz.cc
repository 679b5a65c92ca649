// Fuzzes the notebook format and the cell graph: any text must read as a notebook (or fail with
// a sluice::UserError), write back byte for byte, and build a graph or fail with a UserError.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/error.h"
#include "notebook/cell_graph.h"
#include "notebook/notebook.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    sluice::notebook::Notebook notebook = sluice::notebook::ParseNotebook(text, "fuzz.sql");
    if (sluice::notebook::WriteNotebook(notebook) != text) __builtin_trap();
    sluice::notebook::CellGraph::Make(notebook);
  } catch (const sluice::UserError&) {
  }
  return 0;
}
