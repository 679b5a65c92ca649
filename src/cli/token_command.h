#pragma once

#include <CLI/CLI.hpp>

namespace sluice::cli {

/// Adds `sluice token hash [SECRET]`: prints the SHA-256 of a bearer token's secret (read from
/// standard input when not given) as `serve.tokens[].sha256` of sluice.yaml wants it.
void AddTokenCommand(CLI::App& app);

}  // namespace sluice::cli
