// methods.hpp - the `full` training method and the `sft` / `pretrain` objectives.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>

#include "vram/training.hpp"

namespace vram::plugins::training {

/// Full fine-tuning / pretraining: every parameter of the model is trainable.
class FullMethod final : public TrainingMethod {
public:
    std::string_view name() const override { return "core.method.full"; }
    std::string_view key() const override { return "full"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
};

/// What `full` sets up beyond the trainable set (the convention, its dtypes, DeepSpeed and
/// Megatron options) for every tensor of the model; `what` opens its --explain note. Methods that
/// train a subset with full fine-tuning's bookkeeping (LISA) call it, then narrow the set.
void prepare_full_bookkeeping(Context& ctx, const Params& options, const std::string& what);

/// LISA (Pan et al. 2024, arXiv 2403.17919): full fine-tuning in which only `activated_layers`
/// decoder layers, plus everything outside the decoder stack, are trainable at a time.
class LisaMethod final : public TrainingMethod {
public:
    std::string_view name() const override { return "core.method.lisa"; }
    std::string_view key() const override { return "lisa"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
};

/// LLaMA-Pro (Wu et al. 2024, arXiv 2401.02415): copies of decoder layers inserted into a frozen
/// model; only the copies train.
class LlamaProMethod final : public TrainingMethod {
public:
    std::string_view name() const override { return "core.method.llama-pro"; }
    std::string_view key() const override { return "llama-pro"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
};

/// Elements per token one decoder layer saves for backward when all of its weights train (the
/// activations term's own per-layer count, compute dtype, unsplit).
double trainable_layer_elements(const Context& ctx, std::size_t layer);

/// Supervised fine-tuning (transformers Trainer / TRL SFTTrainer): one sequence per sample, loss
/// over the labelled tokens but logits over every position.
class SftObjective final : public TrainingObjective {
public:
    std::string_view name() const override { return "core.objective.sft"; }
    std::string_view key() const override { return "sft"; }
    void prepare(Context& ctx, const Params& options) const override;
};

/// Causal-LM pretraining: next-token loss over every position of packed sequences.
class PretrainObjective final : public TrainingObjective {
public:
    std::string_view name() const override { return "core.objective.pretrain"; }
    std::string_view key() const override { return "pretrain"; }
    void prepare(Context& ctx, const Params& options) const override;
};

}  // namespace vram::plugins::training
