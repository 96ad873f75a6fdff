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

/// PEFT modules_to_save and the like (MethodFacts::trained_copies): the trained copy of each
/// module beside its frozen original, its gradient, and the optimizer's states for it, all in the
/// original's stored dtype. Three terms, one per category.
/// Optimizer-state bytes of the trained copies on this rank (with the convention's master copy).
double trained_copy_state_bytes(const Context& ctx, bool with_master);

class TrainedCopyWeightsTerm final : public TermInfo<TrainedCopyWeightsTerm> {
public:
    static constexpr std::string_view kId = "training.trained_copies.weights";
    static constexpr Category kCategory = Category::adapters;
    static constexpr std::string_view kFormula =
        "Σ copies on this rank numel × bytes of the original (/ dp under ZeRO-3)";
    static constexpr std::string_view kSource =
        "peft src/peft/utils/other.py ModulesToSaveWrapper.update (@ 5d602fd L653: deepcopy of the module, L661: "
        "the original frozen); cast_adapter_dtype upcasts only BaseTunerLayer modules (tuners_utils.py L2657-2700), "
        "so the copy keeps the original's dtype. docs/methods.md";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
};
class TrainedCopyGradientsTerm final : public TermInfo<TrainedCopyGradientsTerm> {
public:
    static constexpr std::string_view kId = "training.trained_copies.gradients";
    static constexpr Category kCategory = Category::gradients;
    static constexpr std::string_view kFormula =
        "Σ copies on this rank numel × bytes(grad) of their dtype (/ dp under ZeRO-2/3)";
    static constexpr std::string_view kSource =
        "the copies are ordinary parameters: autograd writes a gradient like the parameter (torch), or the "
        "convention's gradient dtypes (DeepSpeed, Megatron). docs/methods.md";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
};
class TrainedCopyStatesTerm final : public TermInfo<TrainedCopyStatesTerm> {
public:
    static constexpr std::string_view kId = "training.trained_copies.optimizer_states";
    static constexpr Category kCategory = Category::optimizer_states;
    static constexpr std::string_view kFormula =
        "optimizer.state_bytes(the copies, in their dtype) (+ a master copy where the convention keeps one) / dp "
        "under ZeRO-1+";
    static constexpr std::string_view kSource =
        "the scenario's optimizer over the copies (torch AdamW: zeros_like(param), so bf16 states for a bf16 copy); "
        "docs/methods.md";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// AutoAWQ's backward of a frozen quantized Linear: the weight dequantized to fp16, cast to the
/// gradient's dtype and repeated per batch row for a bmm, for the largest quantized Linear.
class AwqBackwardDequantTerm final : public TermInfo<AwqBackwardDequantTerm> {
public:
    static constexpr std::string_view kId = "training.quantized_base.awq_backward";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula =
        "(1 + [compute dtype ≠ fp16] + b) × numel(largest quantized Linear on this rank) × 2 B";
    static constexpr std::string_view kSource =
        "casper-hansen/AutoAWQ @ d9dc8e5 awq/modules/linear/gemm.py WQLinearMMFunction.backward: weights = "
        "awq_ext.dequantize_weights_cuda(...).to(grad_output.dtype); grad_output.bmm(weights.transpose(0, "
        "1).unsqueeze(0).repeat(batch_size, 1, 1)). docs/methods.md";
    bool applies(const Context& ctx) const override;
    std::string_view phase() const override { return "training"; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

}  // namespace vram::plugins::training
