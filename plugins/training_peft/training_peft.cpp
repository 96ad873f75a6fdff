// training_peft.cpp - plugin entry: LoRA, QLoRA and prefix tuning with their own terms.
// SPDX-License-Identifier: Apache-2.0
#include "methods.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_training_peft, "0.1.0") {
    using namespace vram::plugins;
    reg.declare(kLoraDropout, "probability", "lora_dropout of the adapters");
    reg.declare(kDequantTile, "elements", "largest 4-bit Linear dequantized per matmul (QLoRA)");
    reg.declare(kUpcastParams, "parameters", "16-bit parameters prepare_model_for_kbit_training casts to fp32");
    reg.declare(kPrefixTokens, "tokens", "prefix-tuning virtual tokens per layer");
    reg.declare(kPrefixTokenDim, "elements", "prefix width per layer for K or V: n_kv · head_dim");
    reg.add(std::make_unique<LoraMethod>());
    reg.add(std::make_unique<QloraMethod>());
    reg.add(std::make_unique<PrefixMethod>());
    reg.add(std::make_unique<DequantTileTerm>());
    reg.add(std::make_unique<KbitUpcastTerm>());
    reg.add(std::make_unique<PrefixKvTerm>());
}
