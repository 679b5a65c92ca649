// A writer process for the store's crash and concurrency tests:
//   store_test_writer WORKSPACE replace|append ROWS COMMITS PART_ROWS [FIRST_ID]
// commits COMMITS versions of result "t" (ROWS rows each, ids from FIRST_ID, then onward for
// appends), printing "committed N" after each. The crash test kills it at random moments.

#include <cstdlib>
#include <iostream>
#include <string>

#include "base/error.h"
#include "store/result_store.h"
#include "store/test_rows.h"

int main(int argc, char** argv) {
  using namespace sluice::store;
  if (argc < 6) {
    std::cerr << "usage: store_test_writer WORKSPACE replace|append ROWS COMMITS PART_ROWS "
                 "[FIRST_ID]\n";
    return 2;
  }
  std::string mode = argv[2];
  int64_t rows = std::atoll(argv[3]);
  int commits = std::atoi(argv[4]);
  StoreOptions options;
  options.part_rows = static_cast<size_t>(std::atoll(argv[5]));
  int64_t first = argc > 6 ? std::atoll(argv[6]) : 0;
  try {
    auto store = ResultStore::Open(argv[1], options);
    for (int i = 0; i < commits; ++i) {
      CommitRequest request;
      request.name = "t";
      request.mode = mode == "append" ? CommitMode::kAppend : CommitMode::kReplace;
      request.schema = TestSchema();
      request.batches = TestRows(mode == "append" ? first + i * rows : first, rows);
      sluice::catalog::VersionInfo info = store->Commit(std::move(request));
      std::cout << "committed " << info.version << std::endl;
    }
  } catch (const sluice::Error& error) {
    std::cerr << "Error: " << error.what() << '\n';
    return 1;
  }
  return 0;
}
