// adapters.hpp - the terms of trainable parameters that live outside the model's weights
// (LoRA/DoRA adapters, prefixes), for every method that publishes them in MethodFacts.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/component.hpp"

namespace vram::plugins::training {

/// Stored adapter tensors on this rank: MethodFacts::adapter_params placed like their base.
class AdapterWeightsTerm final : public TermInfo<AdapterWeightsTerm> {
public:
    static constexpr std::string_view kId = "training.adapters.weights";
    static constexpr Category kCategory = Category::adapters;
    static constexpr std::string_view kFormula = "adapter params on this rank × bytes_trainable";
    static constexpr std::string_view kSource =
        "exact adapter tensors of the method (peft tuners/lora/layer.py update_layer; prefix_tuning/model.py "
        "PrefixEncoder); dtype as the method declares it (PEFT autocast_adapter_dtype=True: fp32)";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// What the adapters themselves keep for backward (MethodFacts::adapter_activations).
class AdapterActivationsTerm final : public TermInfo<AdapterActivationsTerm> {
public:
    static constexpr std::string_view kId = "training.adapters.activations";
    static constexpr Category kCategory = Category::activations;
    static constexpr std::string_view kFormula =
        "b × s / cp × Σ_adapted Linears on this rank (elements × bytes_act + mask bytes); full checkpointing: the "
        "largest recompute group only (training.recompute_method); activation_offload all: one layer on the GPU, "
        "the rest on the host";
    static constexpr std::string_view kSource =
        "peft tuners/lora/layer.py Linear.forward: lora_B(lora_A(dropout(x))) saves lora_A's output for lora_B's "
        "weight gradient and, with dropout, the dropped input and its bool mask [DER]; a method adds its own saved "
        "tensors per adapted Linear (DoRA: the base output and the LoRA output, peft tuners/lora/dora.py)";
    std::string_view phase() const override { return "training"; }
    bool applies(const Context& ctx) const override;
    Bytes host_bytes(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

}  // namespace vram::plugins::training
