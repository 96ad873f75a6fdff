// model/model_loader.hpp - host side: presets, config.json files and inline architectures
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vram/config_node.hpp"
#include "hub/hub.hpp"
#include "vram/export.hpp"
#include "vram/model.hpp"
#include "vram/scenario.hpp"

namespace vram {

class Registry;

/// A model preset file: presets/models/NAME.yaml.
struct ModelPreset {
    std::string name;        ///< as users type it: "llama-3.1-8b"
    std::string display;     ///< "meta-llama/Llama-3.1-8B"
    std::string source;      ///< where the config facts come from
    std::string path;        ///< the preset file
    std::vector<std::string> tags;  ///< "multimodal", "moe", "vision", "audio" ...
    ConfigNode config;       ///< HF config.json keys
};

/// Lists the model presets in `preset_dir`/models, sorted by name.
VRAM_API std::vector<ModelPreset> list_model_presets(const std::string& preset_dir);
/// The preset file's name for `name` in any case ("Llama-3-8B" -> "llama-3-8b"); empty when
/// there is no such preset. Preset names are unique ignoring case (a test checks).
VRAM_API std::string find_model_preset_name(const std::string& preset_dir, const std::string& name);
/// Scenario presets: presets/scenarios/NAME.yaml, found the same way; empty path when none.
VRAM_API std::string find_scenario_preset(const std::string& preset_dir, const std::string& name);
/// Names of the scenario presets, sorted.
VRAM_API std::vector<std::string> list_scenario_presets(const std::string& preset_dir);
/// Loads one preset by name (any case); throws ScenarioError listing close names.
VRAM_API ModelPreset load_model_preset(const std::string& preset_dir, const std::string& name);

/// Builds a ModelSpec from a config tree through the adapter for its model_type.
VRAM_API ModelSpec model_from_config(const Registry& registry, const ConfigNode& config,
                                     const std::string& name, const std::string& where);
/// Same, built by the family `family` names (model.family, Registry::adapter_named) whatever the
/// config's model_type; an empty `family` selects by model_type.
VRAM_API ModelSpec model_from_config(const Registry& registry, const ConfigNode& config, const std::string& name,
                                     const std::string& where, const std::string& family);
/// Resolves a scenario's model source (preset | config | architecture | hub). For hub models
/// with safetensors headers, `checkpoint` (when given) receives the real tensor sizes.
VRAM_API ModelSpec load_model(const Registry& registry, const Scenario& scenario,
                              const std::string& preset_dir, std::optional<CheckpointInfo>* checkpoint = nullptr);
/// `vram inspect ARG`: a preset name, a path to a config.json (or its folder), or a hub id or URL
/// (hf:org/name, ms:org/name, org/name with an optional @revision; the URL forms of parse_hub_reference).
VRAM_API ModelSpec load_model_argument(const Registry& registry, const std::string& argument,
                                       const std::string& preset_dir,
                                       std::optional<CheckpointInfo>* checkpoint = nullptr);

}  // namespace vram
