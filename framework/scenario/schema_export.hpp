// scenario/schema_export.hpp - the schema table plus the loaded plugins' options, written as a
// JSON Schema (draft 2020-12) or as the Markdown key reference of docs/scenario-format.md.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "vram/export.hpp"
#include "vram/params.hpp"

namespace vram {

class Registry;
struct LoadedPlugin;

/// The options one registered item declares: training.<item>, or runtime / precision options
/// that apply when runtime.engine / precision.weights names the item.
struct OptionBlock {
    std::string owner;               ///< registered plugin name ("vram_training_peft")
    std::string item;                ///< what users type ("lora")
    std::vector<std::string> names;  ///< item and its aliases
    std::vector<ParamSpec> params;
};

/// What the registry adds to the core table.
struct SchemaPlugins {
    std::vector<std::string> weight_formats, methods, objectives, optimizers, runtimes;  ///< allowed values
    std::vector<OptionBlock> method_blocks, objective_blocks, optimizer_blocks, runtime_options, format_options;
};

/// Collects values and option blocks; owners are the names the plugins registered under.
VRAM_API SchemaPlugins schema_plugins(const Registry& registry, const std::vector<LoadedPlugin>& loaded);

/// JSON Schema of scenarios: core keys (x-owner "core") and plugin options (x-owner the plugin).
VRAM_API std::string scenario_json_schema(const SchemaPlugins& plugins);

/// Markdown table of every key: the key reference in docs/scenario-format.md.
VRAM_API std::string scenario_schema_markdown(const SchemaPlugins& plugins);

}  // namespace vram
