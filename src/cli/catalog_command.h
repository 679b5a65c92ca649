#pragma once

#include <CLI/CLI.hpp>

namespace sluice::cli {

/// Adds `sluice scan PATH|GLOB|URL…`: registers and profiles datasets in the catalog.
void AddScanCommand(CLI::App& app);

/// Adds `sluice catalog list|show|search|related|tag|describe|lineage`.
void AddCatalogCommand(CLI::App& app);

}  // namespace sluice::cli
