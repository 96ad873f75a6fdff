// runtime_core.cpp - plugin entry: engine memory semantics.
// SPDX-License-Identifier: Apache-2.0
#include "hf_runtime.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_runtime_core, "0.1.0") {
    reg.add(std::make_unique<vram::plugins::HfRuntime>());
}
