// model_states.hpp - gradients, optimizer states, master weights and the buffers that scale with
// the parameters (formulas.md §5.1-5.2).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common.hpp"

namespace vram::plugins::training {

#define VRAM_TRAINING_TERM(Class, Id, Cat)                                          \
    class Class final : public TrainingTerm {                                      \
    public:                                                                        \
        std::string_view id() const override { return Id; }                        \
        Category category() const override { return Category::Cat; }               \
        std::string_view formula() const override;                                 \
        std::string_view source() const override;                                  \
        bool applies(const Context& ctx) const override;                           \
        Bytes evaluate(const Context& ctx) const override;                         \
        std::string substitute(const Context& ctx) const override;                 \
    };

VRAM_TRAINING_TERM(GradientsTerm, "training.gradients", gradients)
VRAM_TRAINING_TERM(Fp32GradientsTerm, "training.gradients.fp32", gradients)
VRAM_TRAINING_TERM(OptimizerStatesTerm, "training.optimizer_states", optimizer_states)
VRAM_TRAINING_TERM(MasterWeightsTerm, "training.master_weights", master_weights)
VRAM_TRAINING_TERM(AutocastCopyTerm, "training.weights.autocast_copy", weights)
VRAM_TRAINING_TERM(GatheredParamsTerm, "training.buffers.zero3_gathered", buffers)
VRAM_TRAINING_TERM(DdpBucketsTerm, "training.buffers.ddp_buckets", buffers)
VRAM_TRAINING_TERM(DeepSpeedBucketTerm, "training.buffers.deepspeed_bucket", buffers)

// The dynamic terms of the optimisation step live in phase "training": objectives with another
// phase (GRPO generation) take the larger of the two, not the sum (formulas.md §9).
#define VRAM_TRAINING_STEP_TERM(Class, Id, Cat)                                     \
    class Class final : public TrainingTerm {                                      \
    public:                                                                        \
        std::string_view id() const override { return Id; }                        \
        Category category() const override { return Category::Cat; }               \
        std::string_view formula() const override;                                 \
        std::string_view source() const override;                                  \
        bool applies(const Context& ctx) const override;                           \
        Bytes evaluate(const Context& ctx) const override;                         \
        std::string substitute(const Context& ctx) const override;                 \
        std::string_view phase() const override { return "training"; }             \
    };

VRAM_TRAINING_STEP_TERM(ActivationsTerm, "training.activations", activations)
VRAM_TRAINING_STEP_TERM(LogitsTerm, "training.logits", logits)

#undef VRAM_TRAINING_STEP_TERM

#undef VRAM_TRAINING_TERM

}  // namespace vram::plugins::training
