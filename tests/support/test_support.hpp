// test_support.hpp - shared helpers for the test suites: the loaded core plugins, running the
// CLI, estimating inline scenarios, test data paths.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pipeline/estimate.hpp"
#include "plugin/plugin_loader.hpp"
#include "plugin/registry.hpp"

namespace vram::test {

/// A registry with every first-party plugin of the build tree loaded (shared by all tests).
const Registry& core_registry();

/// Build-tree preset directory.
std::string preset_dir();
/// tests/data/<relative>.
std::string data_path(const std::string& relative);
/// ../shared/<relative> (the project's shared reference data).
std::string shared_path(const std::string& relative);
/// Source tree path.
std::string source_path(const std::string& relative);

/// Result of running the vram binary.
struct CliResult {
    int rc = -1;
    std::string out;
    std::string err;
};
/// Runs `vram ARGS...` (arguments are shell-quoted); `env` adds environment variables;
/// `cwd` is the working directory (default: the source tree).
CliResult run_cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                  const std::string& cwd = {});

/// Writes `yaml` to a temporary scenario file (relative paths resolve against tests/data) and
/// returns its path.
std::string write_scenario(const std::string& yaml, const std::string& name = "scenario");
/// `vram run` on `yaml` written as a scenario file named `name` (for tests of error lines).
CliResult run_scenario(const std::string& yaml, const std::string& name = "scenario");

/// Estimates an inline YAML scenario with the core plugins.
struct Result {
    Estimate estimate;
    double total_gib() const;
    /// Bytes of a component id on the most loaded rank. An id that is not there fails the test
    /// (BOOST_FAIL naming the id and the ids present): never 0 for a misspelt or renamed id.
    Bytes bytes(const std::string& id) const;
    /// Whether the most loaded rank has a term with this id (use for absence: `!r.has(id)`). An
    /// absent id that no loaded plugin registers fails the test (a misspelt id is never "absent").
    bool has(const std::string& id) const;
    /// Sum of a category on the most loaded rank.
    Bytes category(Category c) const;
};
Result estimate_yaml(const std::string& yaml, const std::vector<std::string>& overrides = {});

/// Loads a model from tests/data/configs/<name>.json or a preset name through the core adapters.
ModelSpec load_model(const std::string& argument);

}  // namespace vram::test
