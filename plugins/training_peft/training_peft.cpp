// training_peft.cpp - plugin entry: LoRA, QLoRA and prefix tuning with their own terms.
// SPDX-License-Identifier: Apache-2.0
#include "methods.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_training_peft, "0.1.0") {
    using namespace vram::plugins;
    reg.add(std::make_unique<LoraMethod>());
    reg.add(std::make_unique<QloraMethod>());
    reg.add(std::make_unique<PrefixMethod>());
    reg.add(std::make_unique<AdapterWeightsTerm>());
    reg.add(std::make_unique<LoraActivationsTerm>());
    reg.add(std::make_unique<DequantTileTerm>());
    reg.add(std::make_unique<KbitUpcastTerm>());
    reg.add(std::make_unique<PrefixKvTerm>());
}
