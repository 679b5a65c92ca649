#include "fixture.h"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include <gtest/gtest.h>

namespace sluice::testing {
namespace {

PostgresServer* running_server = nullptr;

}  // namespace

PostgresServer& SharedPostgres() {
  if (running_server == nullptr) throw std::runtime_error("no PostgreSQL server is running");
  return *running_server;
}

int RunWithPostgres(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  std::string why_not;
  std::unique_ptr<PostgresServer> server;
  try {
    server = PostgresServer::Start(&why_not);
  } catch (const std::exception& error) {
    std::cerr << "PostgreSQL did not start: " << error.what() << "\n";
    return 1;
  }
  if (server == nullptr) {
    const char* ci = std::getenv("CI");
    bool in_ci = ci != nullptr && std::strcmp(ci, "true") == 0;
    std::cerr << (in_ci ? "FAILED (CI=true): " : "SKIPPED: ") << why_not << "\n";
    return in_ci ? 1 : 77;
  }
  running_server = server.get();
  int result = RUN_ALL_TESTS();
  running_server = nullptr;
  return result;
}

}  // namespace sluice::testing
