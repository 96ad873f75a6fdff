// attention_core.cpp - plugin entry: MHA, GQA, MQA and sliding-window attention.
// SPDX-License-Identifier: Apache-2.0
#include "standard_attention.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_attention_core, "0.1.0") {
    using namespace vram::plugins;
    reg.add(std::make_unique<StandardAttention>(HeadLayout::mha));
    reg.add(std::make_unique<StandardAttention>(HeadLayout::gqa));
    reg.add(std::make_unique<StandardAttention>(HeadLayout::mqa));
    reg.add(std::make_unique<SlidingWindowAttention>());
}
