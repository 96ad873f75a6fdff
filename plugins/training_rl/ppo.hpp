// ppo.hpp - PPO as TRL's PPOTrainer runs it (policy and value model trained in one engine, a
// frozen reference and reward model, a rollout with generate()) and its terms (docs/methods.md
// "PPO").
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/component.hpp"
#include "vram/training.hpp"

namespace vram::plugins {

// Symbols the PPO objective declares and sets (docs/methods.md); formulas may read them.
inline constexpr const char* kPpoPrompt = "ppo_prompt";          ///< prompt tokens per sequence
inline constexpr const char* kPpoResponse = "ppo_response";      ///< response_length
inline constexpr const char* kPpoRollout = "ppo_rollout";        ///< sequences one rollout generates per GPU
inline constexpr const char* kPpoValueParams = "ppo_value_params";  ///< value model parameters (LM head -> score)
inline constexpr const char* kPpoReward = "ppo_reward_model";    ///< 1: a frozen reward model is loaded
inline constexpr const char* kPpoGather = "ppo_ds3_gather";      ///< 1: ZeRO-3 gathers the engine to generate
inline constexpr const char* kPpoVerl = "ppo_verl";              ///< 1: verl's colocated FSDP layout
inline constexpr const char* kPpoOpenRlhf = "ppo_openrlhf";      ///< 1: OpenRLHF's Ray layout (one GPU group per role)
inline constexpr const char* kPpoCritic = "ppo_critic";          ///< 1: the estimate is OpenRLHF's critic group
inline constexpr const char* kPpoMicroRollout = "ppo_micro_rollout";  ///< sequences per experience forward

/// A value model's [1, h] head in place of the LM head: TRL's AutoModelForSequenceClassification
/// `score` and OpenRLHF's get_llm_for_sequence_regression `value_head` (nn.Linear(h, 1, bias=False)).
Tensor value_head_tensor(const char* module, double h);

/// Sets ppo_value_params: the policy's parameters with the LM head replaced by the [1, h] head.
void set_value_model_params(Context& ctx);

/// PPO (TRL PPOTrainer): workload.batch_size is per_device_train_batch_size; sequences are the
/// prompt plus response_length generated tokens.
class PpoObjective final : public TrainingObjective {
public:
    std::string_view name() const override { return "core.objective.ppo"; }
    std::string_view key() const override { return "ppo"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;

private:
    /// OpenRLHF's layout (ppo_openrlhf.cpp): one role's GPU group.
    void prepare_openrlhf(Context& ctx, const Params& options) const;
};

/// The value model's weights: the policy's architecture with a 1-output score head in place of
/// the LM head (AutoModelForSequenceClassification); under PEFT its adapters are trainable tensors.
class PpoValueWeightsTerm final : public TermInfo<PpoValueWeightsTerm> {
public:
    static constexpr std::string_view kId = "rl.ppo.value_model.weights";
    static constexpr Category kCategory = Category::weights;
    static constexpr std::string_view kFormula =
        "(W(rank) − W(lm_head) + h · bytes_w) / (dp under ZeRO-3); its adapters count with training.adapters.weights";
    static constexpr std::string_view kSource =
        "TRL ppo_trainer.py: PolicyAndValueWrapper(policy, value_model) is the one model the Trainer prepares, so "
        "DeepSpeed shards and trains both; ms-swift loads the value model from the reward model path "
        "(AutoModelForSequenceClassification, num_labels 1) and puts the same LoRA on it (swift/llm/train/rlhf.py)";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kPpoValueParams, kPpoOpenRlhf, kPpoCritic}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// The frozen reward model (a sequence classifier of the policy's architecture).
class PpoRewardWeightsTerm final : public TermInfo<PpoRewardWeightsTerm> {
public:
    static constexpr std::string_view kId = "rl.ppo.reward_model.weights";
    static constexpr Category kCategory = Category::reference_model;
    static constexpr std::string_view kFormula = "(W(rank) − W(lm_head) + h · bytes_w) / (dp under ZeRO-3)";
    static constexpr std::string_view kSource =
        "TRL ppo_trainer.py: reward_model = prepare_deepspeed(reward_model, ...) (trl/models/utils.py: ZeRO-3 keeps "
        "it sharded; other stages get a stage-0 engine, a full 16-bit copy per GPU), forward under no_grad";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kPpoReward, kPpoValueParams}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// OpenRLHF's actor group while it makes experience: the no-grad forward that scores the rollout's
/// old log-probs holds the bf16 logits and their fp32 copy.
class PpoExperienceLogitsTerm final : public TermInfo<PpoExperienceLogitsTerm> {
public:
    static constexpr std::string_view kId = "rl.ppo.experience_logits";
    static constexpr Category kCategory = Category::logits;
    static constexpr std::string_view kFormula = "micro_rollout_batch_size × (P + R) × V × (bytes_act + 4) / t";
    static constexpr std::string_view kSource =
        "OpenRLHF experience_maker.py: the actor group's forward (no grad) over each micro-batch of "
        "rollout.micro_batch_size sequences; models/actor.py forward: output['logits'].to(torch.float32) while the "
        "16-bit logits are still referenced";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kPpoOpenRlhf, kPpoCritic, kPpoMicroRollout}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::string_view phase() const override { return "scoring"; }
};

/// ZeRO-3: the rollout gathers every parameter of the policy-and-value engine.
class PpoRolloutGatherTerm final : public TermInfo<PpoRolloutGatherTerm> {
public:
    static constexpr std::string_view kId = "rl.ppo.rollout_gathered_params";
    static constexpr Category kCategory = Category::generation;
    static constexpr std::string_view kFormula = "(W_policy + W_value) × (1 − 1/dp)";
    static constexpr std::string_view kSource =
        "TRL trl/models/utils.py unwrap_model_for_generation: under ZeRO-3 with ds3_gather_for_generation (default "
        "true) deepspeed.zero.GatheredParameters(model.parameters()) materialises the whole PolicyAndValueWrapper "
        "(policy and value model) on every GPU while generate() runs";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override { return {kPpoGather, kPpoValueParams, kPpoVerl, kPpoOpenRlhf}; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::string_view phase() const override { return "generation"; }
};

/// The rollout: generate()'s KV cache and the fp32 scores TRL keeps for every generated token.
class PpoRolloutTerm final : public TermInfo<PpoRolloutTerm> {
public:
    static constexpr std::string_view kId = "rl.ppo.rollout";
    static constexpr Category kCategory = Category::generation;
    static constexpr std::string_view kFormula =
        "n × kv_bytes_per_sequence(P + R) + 2 × n × R × V × 4, n = batch_size × gradient_accumulation_steps × "
        "num_mini_batches";
    static constexpr std::string_view kSource =
        "TRL ppo_trainer.py: one rollout of local_batch_size = per_device_train_batch_size × "
        "gradient_accumulation_steps × num_mini_batches queries; trl/trainer/utils.py batch_generation: generate("
        "output_scores=True) keeps one fp32 [n, V] score per step (transformers upcasts next-token logits to fp32) "
        "and torch.stack makes the [n, R, V] copy while the list lives; DynamicCache holds P + R tokens";
    bool applies(const Context& ctx) const override;
    std::vector<std::string> reads() const override {
        return {kPpoRollout, kPpoPrompt, kPpoResponse, kPpoVerl, kPpoOpenRlhf};
    }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::string_view phase() const override { return "generation"; }
};

}  // namespace vram::plugins
