#pragma once

#include "postgres_server.h"

namespace sluice::testing {

/// Returns the server a RunWithPostgres program started. REQUIRES: called from a test of such
/// a program.
PostgresServer& SharedPostgres();

/// Is the main of a test program that needs PostgreSQL: starts one server, runs every test
/// against it, stops it. Without server binaries it prints why and returns 77 (ctest's skip
/// code), or 1 when the environment variable CI is true: in CI a missing server is a failure.
int RunWithPostgres(int argc, char** argv);

}  // namespace sluice::testing
