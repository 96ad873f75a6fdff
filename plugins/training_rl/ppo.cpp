// ppo.cpp - PPO with TRL's layout (docs/methods.md "PPO"): the value model trains beside the
// policy in one engine, the reference and reward models are frozen copies, and each step starts
// with a rollout whose generate() runs on the gathered engine under ZeRO-3.
// SPDX-License-Identifier: Apache-2.0
#include "ppo.hpp"

#include <algorithm>

#include "objectives.hpp"
#include "rl_common.hpp"
#include "vram/error.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {
namespace {

using rl::n;
using rl::set_sym;
using rl::sym;
using rl::zero3;
bool is_ppo(const Context& ctx) { return ctx[Sym::training] > 0 && rl::is(ctx, "ppo"); }
bool openrlhf(const Context& ctx) { return sym(ctx, kPpoOpenRlhf) > 0; }
// TRL generates on the training GPUs; verl and OpenRLHF generate in vLLM.
bool generates_here(const Context& ctx) { return sym(ctx, kPpoVerl) <= 0 && !openrlhf(ctx); }

// Bytes of the LM head as stored (0 with tied embeddings: the head is the embedding, which the
// sequence classifier keeps).
double lm_head_bytes(const Context& ctx) {
    const auto& tensors = ctx.model().tensors;
    double bytes = 0;
    for (std::size_t i = 0; i < tensors.size() && i < ctx.tensor_bytes.size(); ++i)
        if (tensors[i].group == "lm_head") bytes += static_cast<double>(ctx.tensor_bytes[i]);
    return bytes;
}

// One sequence classifier of the policy's architecture: the LM head replaced by a [1, h] score
// head in the model dtype.
double classifier_bytes(const Context& ctx) {
    return weight_bytes_on_rank(ctx) - lm_head_bytes(ctx) + ctx[Sym::h] * std::max(2.0, ctx[Sym::bytes_act]);
}

// Adapters of the policy and the value model (PEFT): part of the engine ZeRO-3 gathers. Their
// resident bytes are training.adapters.weights (the trainable tensors hold both models').
double adapter_bytes(const Context& ctx) {
    return ctx.method.frozen_base ? parameters_on_rank(ctx, ctx.trainable_tensors) * ctx.method.trainable_bytes : 0;
}

}  // namespace

Tensor value_head_tensor(const char* module, double h) {
    Tensor head;
    head.name = std::string(module) + ".weight";
    head.module = module;
    head.group = "value_head";
    head.rows = 1;
    head.cols = static_cast<std::int64_t>(h);
    head.linear = true;
    return head;
}

void set_value_model_params(Context& ctx) {
    double lm_head = 0;
    for (const Tensor& t : ctx.model().tensors)
        if (t.group == "lm_head") lm_head += static_cast<double>(t.numel());
    set_sym(ctx, kPpoValueParams, ctx[Sym::P_total] - lm_head + ctx[Sym::h]);
}

std::vector<ParamSpec> PpoObjective::params() const {
    // TRL PPOConfig defaults (trl/trainer/ppo_config.py); ms-swift's examples set response_length 512.
    return {
        {"prompt_length", ParamType::integer, "512", "prompt tokens P per query (the longest prompt of the batch)", 1,
         1 << 24, {}},
        {"response_length", ParamType::integer, "53", "PPOConfig.response_length: tokens generated per query (R)", 1,
         1 << 24, {}},
        {"gradient_accumulation_steps", ParamType::integer, "1",
         "TrainingArguments.gradient_accumulation_steps: with num_mini_batches, how many queries one rollout "
         "generates per GPU (local_batch_size)", 1, 1 << 20, {}},
        {"num_mini_batches", ParamType::integer, "1", "PPOConfig.num_mini_batches", 1, 1 << 20, {}},
        {"reference_model", ParamType::string, "auto",
         "auto: the adapter-disabled policy with PEFT, else a frozen copy; separate; none", 0, 0,
         {"auto", "separate", "none"}},
        {"reward_model", ParamType::boolean, "true",
         "a frozen reward model (a sequence classifier of the policy's architecture) scores the rollouts", 0, 0, {}},
        {"ds3_gather_for_generation", ParamType::boolean, "true",
         "PPOConfig.ds3_gather_for_generation: under ZeRO-3 the rollout gathers the whole policy-and-value engine",
         0, 0, {}},
        {"layout", ParamType::string, "trl",
         "trl: TRL's PPOTrainer (policy and value model one engine, generate() on it); verl: verl's colocated "
         "hybrid engine (FSDP actor, critic and reference workers on every GPU, rollout in a colocated vLLM, the "
         "actor and the critic updated one after the other); openrlhf: OpenRLHF's Ray layout (DeepSpeed actor and "
         "critic groups on GPUs of their own, rollout in separate vLLM engines; the estimate is one group's GPU, "
         "see role)", 0, 0, {"trl", "verl", "openrlhf"}},
        {"role", ParamType::string, "actor",
         "openrlhf: the GPU group the estimate describes: actor (the policy, trained) or critic (the value model, "
         "trained)", 0, 0, {"actor", "critic"}},
        {"colocate_actor_ref", ParamType::boolean, "false",
         "openrlhf --train.colocate_actor_ref: the reference model shares the actor's GPUs", 0, 0, {}},
        {"colocate_critic_reward", ParamType::boolean, "false",
         "openrlhf --train.colocate_critic_reward: the reward model shares the critic's GPUs", 0, 0, {}},
        {"micro_rollout_batch_size", ParamType::integer, "1",
         "openrlhf --rollout.micro_batch_size: sequences per no-grad forward while making experience", 1, 1 << 20, {}},
        {"rollout_gpu_memory_utilization", ParamType::number, "0.5",
         "verl actor_rollout_ref.rollout.gpu_memory_utilization: the colocated vLLM's share of the GPU", 0.01, 1, {}},
        {"free_cache_engine", ParamType::boolean, "true",
         "verl rollout.free_cache_engine: vLLM sleeps (frees its weights and KV cache) outside the rollout", 0, 0, {}},
    };
}

namespace {
// An option of one layout set away from its default under another means the scenario expects a
// layout it did not choose: one line naming both.
void check_layout_options(const Params& o) {
    const std::string& layout = o.string("layout");
    const auto refuse = [&](const char* key, const char* owner) {
        throw ParamError(std::string("training.ppo.") + key,
                         std::string("training.ppo.") + key + ": an option of layout " + owner + " (got layout " +
                             layout + "); set training.ppo.layout: " + owner + " or leave it out");
    };
    if (layout != "openrlhf") {
        if (o.string("role") != "actor") refuse("role", "openrlhf");
        if (o.flag("colocate_actor_ref")) refuse("colocate_actor_ref", "openrlhf");
        if (o.flag("colocate_critic_reward")) refuse("colocate_critic_reward", "openrlhf");
        if (o.integer("micro_rollout_batch_size") != 1) refuse("micro_rollout_batch_size", "openrlhf");
    }
    if (layout != "verl") {
        if (o.number("rollout_gpu_memory_utilization") != 0.5) refuse("rollout_gpu_memory_utilization", "verl");
        if (!o.flag("free_cache_engine")) refuse("free_cache_engine", "verl");
    }
}
}  // namespace

void PpoObjective::prepare(Context& ctx, const Params& options) const {
    const Scenario& s = ctx.scenario();
    check_layout_options(options);
    if (options.string("layout") == "openrlhf") return prepare_openrlhf(ctx, options);
    const bool verl = options.string("layout") == "verl";
    if (verl && s.parallelism.fsdp != "full_shard")
        throw ParamError("training.ppo.layout", "verl's workers are modelled with its FSDP backend: set "
                                                "parallelism.fsdp: full_shard (verl's Megatron backend is not modelled)");
    if (s.parallelism.tensor > 1 || s.parallelism.pipeline > 1)
        throw ParamError(s.parallelism.tensor > 1 ? "parallelism.tensor" : "parallelism.pipeline",
                         "TRL's PPOTrainer runs data parallel (DDP or DeepSpeed ZeRO) only; allowed: 1");
    const std::int64_t P = options.integer("prompt_length");
    const std::int64_t R = options.integer("response_length");
    const auto B = static_cast<std::int64_t>(ctx[Sym::b]);
    const std::int64_t rollout = B * options.integer("gradient_accumulation_steps") * options.integer("num_mini_batches");

    // The value model trains what the policy trains, with the score head for the LM head: all its
    // tensors in full fine-tuning, the same adapters (and the new head) under PEFT.
    const double h = ctx[Sym::h];
    std::vector<Tensor> value;
    for (const Tensor& t : ctx.trainable_tensors)
        if (t.group != "lm_head") value.push_back(t);
    value.push_back(value_head_tensor("score", h));
    double value_trainable = 0;
    for (const Tensor& t : value) value_trainable += static_cast<double>(t.numel()) * static_cast<double>(t.copies);
    ctx.trainable_tensors.insert(ctx.trainable_tensors.end(), value.begin(), value.end());
    ctx.set(Sym::P_trainable, ctx[Sym::P_trainable] + value_trainable);
    set_value_model_params(ctx);

    const std::string& ref = options.string("reference_model");
    const bool separate = ref == "separate" || (ref == "auto" && !ctx.method.frozen_base);
    ctx.objective.separate_reference = separate;
    // TRL trains both in one forward/backward (PolicyAndValueWrapper); verl's update_critic and
    // update_actor run one after the other (verl/trainer/ppo/ray_trainer.py fit), so one model's
    // activations are alive at a time.
    ctx.objective.trained_models = verl ? 1 : 2;
    // TRL slices the response positions of the logits (logits[:, context_length - 1 : -1]) for
    // selective_log_softmax, like GRPO's logits_to_keep.
    ctx.objective.logits_tokens = static_cast<double>(R + 1);
    set_sym(ctx, kLogitsTokens, static_cast<double>(R + 1));
    ctx.set(Sym::s, static_cast<double>(P + R) + static_cast<double>(ctx.modality_tokens));
    set_sym(ctx, kRefWeights, separate ? 1 : 0);
    set_sym(ctx, kRefForward, ref == "none" ? 0 : 1);
    set_sym(ctx, kPpoPrompt, static_cast<double>(P));
    set_sym(ctx, kPpoResponse, static_cast<double>(R));
    set_sym(ctx, kPpoRollout, static_cast<double>(rollout));
    set_sym(ctx, kPpoReward, options.flag("reward_model") ? 1 : 0);
    set_sym(ctx, kPpoGather, options.flag("ds3_gather_for_generation") ? 1 : 0);
    set_sym(ctx, kPpoVerl, verl ? 1 : 0);
    set_sym(ctx, kRef16bit, verl ? 1 : 0);
    // verl generates in a colocated vLLM (the GRPO pool terms): gpu_memory_utilization of the
    // GPU, released outside the rollout with free_cache_engine (vLLM sleep mode).
    set_sym(ctx, kVllmUtil, verl ? options.number("rollout_gpu_memory_utilization") : 0.0);
    set_sym(ctx, kVllmSleep, verl && options.flag("free_cache_engine") ? 1 : 0);
    if (verl)
        ctx.notes.push_back("ppo layout verl: actor, critic and reference as FSDP workers on every GPU (sharded "
                            "over the data-parallel group), the rollout in a colocated vLLM holding " +
                            n(options.number("rollout_gpu_memory_utilization")) + " of the GPU" +
                            (options.flag("free_cache_engine") ? " during the rollout only (free_cache_engine)"
                                                               : ", resident") +
                            "; the critic and the actor update one after the other");

    ctx.notes.push_back(
        "objective ppo (TRL PPOTrainer): the policy and a value model (the policy's architecture with a score head, "
        "trained " + std::string(ctx.method.frozen_base ? "with the same adapters" : "in full") +
        ") are one engine: gradients, master weights and optimizer states of both; reference: " +
        (separate ? "a frozen copy" : ref == "none" ? "none" : "the adapter-disabled policy") + "; reward model: " +
        (options.flag("reward_model") ? "a frozen sequence classifier" : "none") + "; sequences P + R = " +
        std::to_string(P) + " + " + std::to_string(R) + " tokens; one rollout generates " + std::to_string(rollout) +
        " responses per GPU (batch_size × gradient_accumulation_steps × num_mini_batches)");
    ctx.notes.push_back("ppo phases: rollout (generation: generate() with its KV cache and fp32 scores, under ZeRO-3 "
                        "on the gathered engine), scoring (no-grad forwards of reference, value and reward models), "
                        "training (policy and value model forward and backward on the same sequences)");
}

// ---- value and reward models ---------------------------------------------------------------

bool PpoValueWeightsTerm::applies(const Context& ctx) const {
    return is_ppo(ctx) && (!openrlhf(ctx) || sym(ctx, kPpoCritic) > 0);
}
Bytes PpoValueWeightsTerm::compute(const Context& ctx, std::string* explain) const {
    if (openrlhf(ctx)) {  // the critic group: the trained model is the backbone (LM head dropped); add the head
        const double head = ctx[Sym::h] * std::max(2.0, ctx[Sym::bytes_act]);
        const Bytes bytes = to_bytes(head / zero3(ctx), kId.data());
        if (explain)
            *explain = "the value head [1, " + n(ctx[Sym::h]) + "] in " + n(std::max(2.0, ctx[Sym::bytes_act])) +
                       "-byte elements" + (zero3(ctx) > 1 ? " / dp=" + n(ctx[Sym::dp]) + " (ZeRO-3)" : std::string()) +
                       " = " + format_count(bytes) + " B (the backbone is this group's trained model: core.weights)";
        return bytes;
    }
    const double base = classifier_bytes(ctx);
    const Bytes bytes = to_bytes(base / zero3(ctx), kId.data());
    if (explain)
        *explain = format_count(static_cast<std::uint64_t>(sym(ctx, kPpoValueParams))) + " params (the policy without its LM head, with a [1, " +
                   n(ctx[Sym::h]) + "] score head) = " + format_count(static_cast<std::uint64_t>(base + 0.5)) + " B" +
                   (ctx.method.frozen_base ? std::string(" (its adapters are in training.adapters.weights)")
                                           : std::string()) +
                   (zero3(ctx) > 1 ? " / dp=" + n(ctx[Sym::dp]) + " (ZeRO-3)" : std::string()) + " = " +
                   format_count(bytes) + " B";
    return bytes;
}

bool PpoRewardWeightsTerm::applies(const Context& ctx) const { return is_ppo(ctx) && sym(ctx, kPpoReward) > 0; }
Bytes PpoRewardWeightsTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(classifier_bytes(ctx) / zero3(ctx), kId.data());
    if (explain)
        *explain = "a frozen sequence classifier of " + format_count(static_cast<std::uint64_t>(sym(ctx, kPpoValueParams))) + " params in " +
                   ctx.weight_format +
                   (zero3(ctx) > 1 ? " / dp=" + n(ctx[Sym::dp]) + " (ZeRO-3)"
                                   : std::string(" (a full copy: not ZeRO-3)")) +
                   " = " + format_count(bytes) + " B";
    return bytes;
}

// ---- rollout -------------------------------------------------------------------------------

bool PpoRolloutGatherTerm::applies(const Context& ctx) const {
    return is_ppo(ctx) && zero3(ctx) > 1 && sym(ctx, kPpoGather) > 0 && generates_here(ctx);
}
Bytes PpoRolloutGatherTerm::compute(const Context& ctx, std::string* explain) const {
    const double full = weight_bytes_on_rank(ctx) + classifier_bytes(ctx) + adapter_bytes(ctx);
    const double dp = zero3(ctx);
    const Bytes bytes = to_bytes(full * (1 - 1 / dp), kId.data());
    if (explain)
        *explain = "policy and value model " + format_count(static_cast<std::uint64_t>(full + 0.5)) +
                   " B gathered, less this rank's shard: × (1 − 1/" + n(dp) + ") = " + format_count(bytes) + " B";
    return bytes;
}

bool PpoRolloutTerm::applies(const Context& ctx) const { return is_ppo(ctx) && generates_here(ctx); }
Bytes PpoRolloutTerm::compute(const Context& ctx, std::string* explain) const {
    const double rollout = sym(ctx, kPpoRollout), R = sym(ctx, kPpoResponse);
    const auto tokens = static_cast<std::int64_t>(sym(ctx, kPpoPrompt) + R);
    const Bytes per_seq = kv_bytes_per_sequence(ctx.kv_groups, tokens, ctx[Sym::bytes_kv], 1, 1);
    const double kv = static_cast<double>(per_seq) * rollout;
    const double scores = 2 * rollout * R * ctx[Sym::V] * 4;
    const Bytes bytes = to_bytes(kv + scores, kId.data());
    if (explain)
        *explain = n(rollout) + " sequences × " + std::to_string(tokens) + " tokens of KV cache (" +
                   format_count(static_cast<std::uint64_t>(kv + 0.5)) + " B) + 2 × " + n(rollout) + " × " + n(R) +
                   " × " + n(ctx[Sym::V]) + " × 4 B of fp32 scores (" +
                   format_count(static_cast<std::uint64_t>(scores + 0.5)) + " B) = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins
