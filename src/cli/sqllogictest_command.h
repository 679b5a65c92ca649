#pragma once

#include <CLI/CLI.hpp>

namespace sluice::cli {

/// Adds `sluice sqllogictest PATH...`: runs sqllogictest files (directories are searched for
/// *.test and *.slt files) and ends with exit code 1 if any record failed.
void AddSqlLogicTestCommand(CLI::App& app);

}  // namespace sluice::cli
