// objectives.hpp - preference and RL objectives (DPO, GRPO with TRL's semantics) and their terms
// (formulas.md §7, §9).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/component.hpp"
#include "vram/training.hpp"

namespace vram::plugins {

// Symbols the objectives declare and set (docs/methods.md); formulas may read them.
inline constexpr const char* kRefWeights = "ref_model";           ///< 1: a separate frozen reference copy is loaded
inline constexpr const char* kRefForward = "ref_forward";         ///< 1: reference log-probs are computed each step
inline constexpr const char* kLogitsTokens = "logits_tokens";     ///< positions per sequence the LM head computes
inline constexpr const char* kGrpoPrompt = "P_prompt";            ///< GRPO prompt tokens
inline constexpr const char* kGrpoCompletion = "C_completion";    ///< GRPO completion tokens
inline constexpr const char* kGrpoSteps = "S_steps";              ///< GRPO steps_per_generation
inline constexpr const char* kVllmUtil = "grpo_vllm_util";        ///< colocated vLLM pool fraction (0: HF generate)
inline constexpr const char* kVllmSleep = "vllm_sleep";           ///< 1: vLLM sleep mode frees the pool for training

/// DPO (TRL DPOTrainer): chosen and rejected sequences of each pair in one batch, a reference
/// model unless PEFT or precomputed log-probs.
class DpoObjective final : public TrainingObjective {
public:
    std::string_view name() const override { return "core.objective.dpo"; }
    std::string_view key() const override { return "dpo"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
};

/// GRPO (TRL GRPOTrainer): batch counted in completions, a generation phase and a training phase.
class GrpoObjective final : public TrainingObjective {
public:
    std::string_view name() const override { return "core.objective.grpo"; }
    std::string_view key() const override { return "grpo"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
};

#define VRAM_RL_TERM(Class, Id, Cat, Phase)                                        \
    class Class final : public Component {                                         \
    public:                                                                        \
        std::string_view id() const override { return Id; }                        \
        Category category() const override { return Category::Cat; }               \
        std::string_view formula() const override;                                 \
        std::string_view source() const override;                                  \
        bool applies(const Context& ctx) const override;                           \
        Bytes evaluate(const Context& ctx) const override;                         \
        std::string substitute(const Context& ctx) const override;                 \
        std::string_view phase() const override { return Phase; }                  \
    };

/// Frozen reference copy of the policy (DPO, GRPO with beta > 0, not PEFT): weights only.
VRAM_RL_TERM(ReferenceWeightsTerm, "rl.reference_model.weights", reference_model, "")
/// DPO: the reference forward runs after the policy's, while the policy's activations are held.
VRAM_RL_TERM(DpoReferenceLogitsTerm, "rl.dpo.reference_logits", logits, "training")
/// GRPO: KV cache of HF generate for B·S completions of P + C tokens.
VRAM_RL_TERM(GrpoGenerationKvTerm, "rl.grpo.generation_kv", generation, "generation")
/// GRPO: last-position fp32 logits of generate() for B·S sequences.
VRAM_RL_TERM(GrpoGenerationLogitsTerm, "rl.grpo.generation_logits", generation, "generation")
/// GRPO: no-grad forwards of the reference / old policy over the completions (scoring).
VRAM_RL_TERM(GrpoScoringLogitsTerm, "rl.grpo.scoring_logits", logits, "scoring")
/// GRPO with a colocated vLLM engine: its pool, always resident without sleep mode.
VRAM_RL_TERM(VllmPoolTerm, "rl.grpo.vllm_pool", generation, "")
/// GRPO with vLLM sleep mode: the pool is resident only while generating.
VRAM_RL_TERM(VllmPoolSleepTerm, "rl.grpo.vllm_pool_awake", generation, "generation")

#undef VRAM_RL_TERM

}  // namespace vram::plugins
