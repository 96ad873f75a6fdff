// fuzz_config.cpp - libFuzzer target: config.json text -> ModelSpec through every model adapter.
// SPDX-License-Identifier: Apache-2.0
#include <cstddef>
#include <cstdint>
#include <string>

#include "vram/error.hpp"
#include "pipeline/estimate.hpp"
#include "model/family_file.hpp"
#include "model/model_loader.hpp"
#include "plugin/plugin_loader.hpp"
#include "scenario/scenario_loader.hpp"

namespace {

struct Plugins {
    vram::Registry registry;
    vram::PluginLoader loader{registry};
    Plugins() {
        loader.load_directory(VRAM_FUZZ_PLUGIN_DIR, true);
        vram::load_family_directory(registry, vram::family_directory(VRAM_FUZZ_PRESET_DIR));  // the family files
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Plugins* plugins = new Plugins();  // loaded once; never unloaded
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        vram::ConfigNode config = vram::parse_json_text(text, "config.json");
        vram::ModelSpec m = vram::model_from_config(plugins->registry, config, "fuzz", "config.json");
        (void)vram::parameter_count(m);
        (void)vram::describe_attention(plugins->registry, m, "bf16");
    } catch (const vram::Error&) {
    }
    return 0;
}
