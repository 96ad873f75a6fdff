// attention_extra.cpp - plugin entry: MLA latent cache, SSM state, cross-attention.
// SPDX-License-Identifier: Apache-2.0
#include "extra_attention.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_attention_extra, "0.1.0") {
    using namespace vram::plugins;
    reg.add(std::make_unique<LatentAttention>());
    reg.add(std::make_unique<StateSpaceLayers>());
    reg.add(std::make_unique<CrossAttention>());
}
