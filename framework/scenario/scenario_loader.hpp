// scenario/scenario_loader.hpp - host side: YAML scenario files into validated Scenarios
// SPDX-License-Identifier: Apache-2.0
#pragma once

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

/// Applies `key.path=value` overrides. The path must be a key of the schema table or lie in a
/// plugin-owned block; the value is typed by typed_override() (schema.hpp). Throws UsageError
/// for malformed overrides and unknown keys (naming the closest key).
VRAM_API void apply_overrides(ConfigNode& root, const std::vector<std::string>& overrides);

/// Builds a validated Scenario from a tree: unknown keys, wrong types, non-finite or
/// out-of-range numbers are ScenarioErrors naming file:line:col and the key path.
/// Plugin-owned blocks (training.<method>, runtime options, precision options) are checked
/// against the plugins' ParamSpecs later, when the estimate is prepared.
VRAM_API Scenario build_scenario(const ConfigNode& root, const std::string& file);

/// parse_yaml_file + apply_overrides + build_scenario.
VRAM_API Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides);

}  // namespace vram
