// models_decoder.cpp - plugin entry: model adapters for dense decoder families.
// SPDX-License-Identifier: Apache-2.0
#include "llama.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_models_decoder, "0.1.0") {
    reg.add(std::make_unique<vram::plugins::LlamaAdapter>());
}
