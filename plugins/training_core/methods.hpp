// methods.hpp - the `full` training method and the `sft` / `pretrain` objectives.
// SPDX-License-Identifier: Apache-2.0
#pragma once

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
