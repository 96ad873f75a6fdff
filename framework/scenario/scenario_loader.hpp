// scenario/scenario_loader.hpp - host side: YAML scenario files into validated Scenarios
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>
#include <vector>

#include "vram/config_node.hpp"
#include "vram/export.hpp"
#include "vram/scenario.hpp"

namespace vram {

class Registry;

/// Parses a YAML file into a ConfigNode tree with line/column marks. Rejects duplicate keys,
/// tabs, binary data, excessive depth or size, and alias bombs. Throws ScenarioError.
/// The whole file as text; throws ScenarioError naming the path for a directory or an unreadable file.
VRAM_API std::string read_scenario_file(const std::string& path);
VRAM_API ConfigNode parse_yaml_file(const std::string& path);
VRAM_API ConfigNode parse_yaml_text(const std::string& text, const std::string& name);
/// Parses a JSON file (config.json) into a ConfigNode. Throws ScenarioError.
VRAM_API ConfigNode parse_json_file(const std::string& path);
VRAM_API ConfigNode parse_json_text(const std::string& text, const std::string& name);

/// One `key.path=value` override and the command-line argument it came from ("--set a.b=c",
/// "--batch 8"), which messages about the value name instead of the scenario file.
struct Override {
    std::string assignment;  ///< key.path=value
    std::string origin;      ///< empty: "--set " + assignment
};

/// Key path -> the argument that set it (Scenario::origins).
using OverrideOrigins = std::map<std::string, std::string>;

/// Applies `key.path=value` overrides. The path must be a key of the schema table or lie in a
/// plugin-owned block; the value is typed by typed_override() (schema.hpp). Throws UsageError
/// for malformed overrides and unknown keys (naming the closest key and the argument). Returns
/// where each overridden path came from, for build_scenario.
VRAM_API OverrideOrigins apply_overrides(ConfigNode& root, const std::vector<Override>& overrides);
VRAM_API OverrideOrigins apply_overrides(ConfigNode& root, const std::vector<std::string>& overrides);

/// Builds a validated Scenario from a tree: unknown keys, wrong types, non-finite or
/// out-of-range numbers are ScenarioErrors naming file:line:col and the key path.
/// Plugin-owned blocks (training.<method>, runtime options, precision options) are checked
/// against the plugins' ParamSpecs later, when the estimate is prepared.
/// `origins` (from apply_overrides) make messages about overridden values name their argument.
VRAM_API Scenario build_scenario(const ConfigNode& root, const std::string& file,
                                 const OverrideOrigins& origins = {});

/// parse_yaml_file + apply_overrides + build_scenario.
VRAM_API Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides);

}  // namespace vram
