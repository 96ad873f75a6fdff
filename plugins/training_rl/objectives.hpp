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
inline constexpr const char* kRef16bit = "ref_16bit";            ///< 1: the reference is loaded in bf16 (verl)
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

/// Frozen reference copy of the policy (DPO, GRPO with beta > 0, not PEFT): weights only.
class ReferenceWeightsTerm final : public TermInfo<ReferenceWeightsTerm> {
public:
    static constexpr std::string_view kId = "rl.reference_model.weights";
    static constexpr Category kCategory = Category::reference_model;
    static constexpr std::string_view kFormula = "W(rank) / (dp under ZeRO-3)";
    static constexpr std::string_view kSource =
        "TRL dpo_trainer.py / grpo_trainer.py: ref_model = create_reference_model(model) (a frozen copy, forward "
        "under no_grad) unless PEFT (adapters disabled), precompute_ref_log_probs, or GRPO beta = 0; formulas.md §7";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kRefWeights, kRef16bit}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// DPO: the reference forward runs after the policy's, while the policy's activations are held.
class DpoReferenceLogitsTerm final : public TermInfo<DpoReferenceLogitsTerm> {
public:
    static constexpr std::string_view kId = "rl.dpo.reference_logits";
    static constexpr Category kCategory = Category::logits;
    static constexpr std::string_view kFormula = "b × s × V × bytes_act / t";
    static constexpr std::string_view kSource =
        "TRL DPOTrainer.get_batch_loss_metrics: concatenated_forward(policy) then compute_ref_log_probs under "
        "no_grad: the reference logits of the 2B sequences are live while the policy's activations are held; "
        "selective_log_softmax loops per row so only the logits count [DER]";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kRefForward}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::string_view phase() const override { return "training"; }
};

/// GRPO: KV cache of HF generate for B·S completions of P + C tokens.
class GrpoGenerationKvTerm final : public TermInfo<GrpoGenerationKvTerm> {
public:
    static constexpr std::string_view kId = "rl.grpo.generation_kv";
    static constexpr Category kCategory = Category::generation;
    static constexpr std::string_view kFormula =
        "B × S × kv_bytes_per_sequence(P + C) (this rank's layers and KV heads)";
    static constexpr std::string_view kSource =
        "TRL GRPOTrainer._generate_and_score_completions: one generate() for per_device_train_batch_size × "
        "steps_per_generation completions, buffered for the next S steps; DynamicCache holds P + C tokens per "
        "sequence (formulas.md §3.1, §7.3)";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kGrpoSteps, kVllmUtil, kGrpoPrompt, kGrpoCompletion}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::string_view phase() const override { return "generation"; }
};

/// GRPO: last-position fp32 logits of generate() for B·S sequences.
class GrpoGenerationLogitsTerm final : public TermInfo<GrpoGenerationLogitsTerm> {
public:
    static constexpr std::string_view kId = "rl.grpo.generation_logits";
    static constexpr Category kCategory = Category::generation;
    static constexpr std::string_view kFormula = "B × S × V × (bytes_act + 4) / t";
    static constexpr std::string_view kSource =
        "transformers generation/utils.py: logits_to_keep = 1 while generating, next-token logits upcast to fp32 "
        "(formulas.md §4.3)";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kGrpoSteps, kVllmUtil}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::string_view phase() const override { return "generation"; }
};

/// GRPO: no-grad forwards of the reference / old policy over the completions (scoring).
class GrpoScoringLogitsTerm final : public TermInfo<GrpoScoringLogitsTerm> {
public:
    static constexpr std::string_view kId = "rl.grpo.scoring_logits";
    static constexpr Category kCategory = Category::logits;
    static constexpr std::string_view kFormula = "2 × B × (C + 1) × V × bytes_act / t";
    static constexpr std::string_view kSource =
        "TRL GRPOTrainer._get_per_token_logps_and_entropies under no_grad (reference model, or old policy when "
        "steps_per_generation > 1), in chunks of per_device_train_batch_size: logits_to_keep + 1 positions, the "
        "logits / temperature copy, then selective_log_softmax row by row (trl/trainer/utils.py) [DER]";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kRefForward, kGrpoSteps, kLogitsTokens}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::string_view phase() const override { return "scoring"; }
};

/// GRPO with a colocated vLLM engine: its pool, always resident without sleep mode.
class VllmPoolTerm final : public TermInfo<VllmPoolTerm> {
public:
    static constexpr std::string_view kId = "rl.grpo.vllm_pool";
    static constexpr Category kCategory = Category::generation;
    static constexpr std::string_view kFormula = "vllm_gpu_memory_utilization × gpu_mem";
    static constexpr std::string_view kSource =
        "TRL GRPOConfig vllm_mode='colocate', vllm_gpu_memory_utilization=0.3: an in-process vLLM engine reserves "
        "that fraction of the GPU (its weight copy and KV pool) for the whole run (formulas.md §4.2, §7.3)";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kVllmUtil, kVllmSleep}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// GRPO with vLLM sleep mode: the pool is resident only while generating.
class VllmPoolSleepTerm final : public TermInfo<VllmPoolSleepTerm> {
public:
    static constexpr std::string_view kId = "rl.grpo.vllm_pool_awake";
    static constexpr Category kCategory = Category::generation;
    static constexpr std::string_view kFormula = "vllm_gpu_memory_utilization × gpu_mem (generation phase only)";
    static constexpr std::string_view kSource =
        "TRL vllm_enable_sleep_mode: the engine sleeps (weights offloaded, KV discarded) while the policy trains "
        "and wakes up to generate (docs reducing_memory_usage.md)";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kVllmUtil, kVllmSleep}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::string_view phase() const override { return "generation"; }
};

}  // namespace vram::plugins
