// objectives.cpp - DPO and GRPO as TRL runs them (formulas.md §7.1, §7.3, §9).
// SPDX-License-Identifier: Apache-2.0
#include "objectives.hpp"
#include "rl_common.hpp"

#include <algorithm>

#include "vram/error.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {
namespace {

using rl::is;
using rl::n;
using rl::set_sym;
using rl::sym;
using rl::zero3;

// A method that freezes the base (PEFT; MethodFacts::frozen_base): TRL then gets reference
// log-probs from the same model with the adapters disabled, and loads no second copy.
bool peft(const Context& ctx) noexcept { return ctx.method.frozen_base; }

}  // namespace

// ---- DPO -----------------------------------------------------------------------------------

std::vector<ParamSpec> DpoObjective::params() const {
    return {
        {"reference_model", ParamType::string, "auto",
         "auto: none with a PEFT method (adapters disabled give the reference), else a frozen copy; separate; none",
         0, 0, {"auto", "separate", "none"}},
        {"precompute_ref_log_probs", ParamType::boolean, "false",
         "DPOConfig.precompute_ref_log_probs: reference log-probs computed once before training (no reference "
         "model or forward during the steps)", 0, 0, {}},
        {"beta", ParamType::number, "0.1", "DPOConfig.beta (no memory effect)", 0, 1e9, {}},
    };
}

void DpoObjective::prepare(Context& ctx, const Params& options) const {
    // TRL DataCollatorForPreference / concatenated_forward: the chosen and rejected completions of
    // each pair are concatenated into one batch of 2B sequences, one forward and backward.
    const double pairs = ctx[Sym::b];
    ctx.set(Sym::b, 2 * pairs);
    const bool pre = options.flag("precompute_ref_log_probs");
    const std::string& ref = options.string("reference_model");
    const bool separate = !pre && (ref == "separate" || (ref == "auto" && !peft(ctx)));
    ctx.objective.separate_reference = separate;
    set_sym(ctx, kRefWeights, separate ? 1 : 0);
    set_sym(ctx, kRefForward, pre ? 0 : 1);
    std::string note = "objective dpo (TRL): workload.batch_size = " + n(pairs) + " preference pairs → b = " +
                       n(2 * pairs) + " sequences (chosen + rejected concatenated): activations and logits are those "
                       "of 2B sequences; reference model: ";
    if (pre) note += "none (precompute_ref_log_probs)";
    else if (separate) note += "a frozen copy of the weights (no gradients, no optimizer states), its forward after the "
                               "policy's adds transient logits";
    else note += "none: the PEFT model with adapters disabled gives the reference log-probs (one more forward)";
    ctx.notes.push_back(note);
}

// ---- GRPO ----------------------------------------------------------------------------------

std::vector<ParamSpec> GrpoObjective::params() const {
    // GRPOConfig defaults (huggingface/trl trl/trainer/grpo_config.py, formulas.md §7.3).
    return {
        {"num_generations", ParamType::integer, "8", "completions per prompt (G)", 2, 1 << 20, {}},
        {"prompt_length", ParamType::integer, "512", "prompt tokens P (max_prompt_length)", 1, 1 << 24, {}},
        {"completion_length", ParamType::integer, "512", "completion tokens C (max_completion_length)", 1, 1 << 24, {}},
        {"steps_per_generation", ParamType::integer, "1",
         "micro-steps served by one generation round (TRL default: gradient_accumulation_steps)", 1, 1 << 20, {}},
        {"beta", ParamType::number, "0", "KL coefficient; 0 (TRL's default) loads no reference model", 0, 1e9, {}},
        {"reference_model", ParamType::boolean, "",
         "override: whether a reference is used (default: beta > 0); with PEFT it is the adapter-disabled policy", 0, 0,
         {}},
        {"use_vllm", ParamType::boolean, "false", "generate with a colocated vLLM engine (vllm_mode colocate)", 0, 0, {}},
        {"vllm_gpu_memory_utilization", ParamType::number, "0.3",
         "fraction of the GPU the colocated vLLM engine reserves (weights copy + its KV pool)", 0.01, 1, {}},
        {"vllm_enable_sleep_mode", ParamType::boolean, "false",
         "vLLM sleeps (offloads weights, drops KV) outside generation", 0, 0, {}},
    };
}

void GrpoObjective::prepare(Context& ctx, const Params& options) const {
    const std::int64_t G = options.integer("num_generations");
    const std::int64_t P = options.integer("prompt_length");
    const std::int64_t C = options.integer("completion_length");
    const std::int64_t S = options.integer("steps_per_generation");
    const auto B = static_cast<std::int64_t>(ctx[Sym::b]);
    const std::int64_t dp = std::max<std::int64_t>(1, ctx.scenario().parallelism.data);
    // GRPOConfig: generation_batch_size = per_device_train_batch_size · num_processes ·
    // steps_per_generation must be divisible by num_generations (whole groups per round).
    const std::int64_t gen_batch = B * dp * S;
    if (gen_batch % G != 0)
        throw ParamError("training.grpo.num_generations",
                         std::to_string(G) +
                             " does not divide the generation batch batch_size · data · steps_per_generation = " +
                             std::to_string(B) + " · " + std::to_string(dp) + " · " + std::to_string(S) + " = " +
                             std::to_string(gen_batch) + " completions (TRL requires whole groups); allowed: a divisor "
                             "of " + std::to_string(gen_batch) + ", or a larger workload.batch_size / steps_per_generation");
    const double beta = options.number("beta");
    const bool ref_used = options.has("reference_model") ? options.flag("reference_model") : beta > 0;
    const bool separate = ref_used && !peft(ctx);
    const bool vllm = options.flag("use_vllm");
    ctx.set(Sym::G, static_cast<double>(G));
    // Training sequences are prompt + completion; only the completion positions get logits
    // (logits_to_keep = C, computed as C + 1 then the last dropped).
    ctx.set(Sym::s, static_cast<double>(P + C) + static_cast<double>(ctx.modality_tokens));
    ctx.objective.logits_tokens = static_cast<double>(C + 1);  // the training terms read the typed fact
    set_sym(ctx, kLogitsTokens, static_cast<double>(C + 1));
    set_sym(ctx, kGrpoPrompt, static_cast<double>(P));
    set_sym(ctx, kGrpoCompletion, static_cast<double>(C));
    set_sym(ctx, kGrpoSteps, static_cast<double>(S));
    ctx.objective.separate_reference = separate;
    set_sym(ctx, kRefWeights, separate ? 1 : 0);
    set_sym(ctx, kRefForward, ref_used ? 1 : 0);
    set_sym(ctx, kVllmUtil, vllm ? options.number("vllm_gpu_memory_utilization") : 0.0);
    set_sym(ctx, kVllmSleep, vllm && options.flag("vllm_enable_sleep_mode") ? 1 : 0);

    const std::string b = std::to_string(B);
    ctx.notes.push_back(
        "objective grpo (TRL): workload.batch_size B = " + b + " counts completions (per_device_train_batch_size); "
        "each generation round makes B·S = " + std::to_string(B * S) + " completions per GPU, " +
        std::to_string(gen_batch / G) + " prompt(s) × G = " + std::to_string(G) + " across dp = " + std::to_string(dp) +
        "; training sequences are P + C = " + std::to_string(P) + " + " + std::to_string(C) + " = " +
        std::to_string(P + C) + " tokens");
    ctx.notes.push_back(
        "grpo scaling: nothing scales with num_generations G itself (G only groups completions by prompt); "
        "with B·S: generation KV cache and generate() logits (phase generation); with B·(P + C): activations "
        "(phase training); with B·(C + 1): logits of the policy (logits_to_keep) and of the scoring forwards; "
        "independent of B and G: weights, adapters, gradients, optimizer states, reference model, vLLM pool");
    ctx.notes.push_back(
        std::string("grpo phases: generation, scoring and training run one after another, so the peak takes the "
                    "largest phase on top of the static terms; reference model: ") +
        (separate ? "a frozen copy (beta > 0, no PEFT)"
                  : ref_used ? "the adapter-disabled policy (PEFT), no second copy"
                             : "not loaded (beta = 0, TRL's default)") +
        (vllm ? std::string("; colocated vLLM pool ") + n(options.number("vllm_gpu_memory_utilization")) +
                    " × GPU memory" +
                    (options.flag("vllm_enable_sleep_mode") ? " during generation only (sleep mode)" : ", resident")
              : std::string("; generation with HF generate() on the training model")));
}

// ---- reference weights ---------------------------------------------------------------------

bool ReferenceWeightsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && sym(ctx, kRefWeights) > 0;
}
Bytes ReferenceWeightsTerm::compute(const Context& ctx, std::string* explain) const {
    // verl loads every non-actor role in bf16 (fsdp_workers.py: model_dtype defaults to fp32 for
    // the actor, bf16 otherwise): half of an fp32 actor's bytes.
    const bool half = sym(ctx, kRef16bit) > 0 && ctx[Sym::bytes_w] >= 4;
    const Bytes bytes = to_bytes(weight_bytes_on_rank(ctx) * (half ? 0.5 : 1.0) / zero3(ctx), kId.data());
    if (explain)
        *explain = "a second " + (half ? std::string("bf16") : ctx.weight_format) + " copy of the weights on this rank" +
                   (zero3(ctx) > 1 ? " / dp=" + n(ctx[Sym::dp]) + " (ZeRO-3)" : std::string()) + " = " +
                   format_count(bytes) + " B";
    return bytes;
}

// ---- DPO reference logits ------------------------------------------------------------------

bool DpoReferenceLogitsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && is(ctx, "dpo") && sym(ctx, kRefForward) > 0;
}
Bytes DpoReferenceLogitsTerm::compute(const Context& ctx, std::string* explain) const {
    const double t = std::max(1.0, ctx[Sym::t]);
    const Bytes bytes = to_bytes(ctx[Sym::b] * ctx[Sym::s] * ctx[Sym::V] * ctx[Sym::bytes_act] / t, kId.data());
    if (explain)
        *explain = n(ctx[Sym::b]) + " × " + n(ctx[Sym::s]) + " × " + n(ctx[Sym::V]) + " × " + n(ctx[Sym::bytes_act]) +
                   " / " + n(t) + " = " + format_count(bytes) + " B";
    return bytes;
}

// ---- GRPO generation -----------------------------------------------------------------------

namespace {
double generation_sequences(const Context& ctx) { return ctx[Sym::b] * sym(ctx, kGrpoSteps); }
bool hf_generation(const Context& ctx) {
    return ctx[Sym::training] > 0 && is(ctx, "grpo") && sym(ctx, kVllmUtil) <= 0;
}
}  // namespace

bool GrpoGenerationKvTerm::applies(const Context& ctx) const { return hf_generation(ctx); }
Bytes GrpoGenerationKvTerm::compute(const Context& ctx, std::string* explain) const {
    const auto tokens = static_cast<std::int64_t>(sym(ctx, kGrpoPrompt) + sym(ctx, kGrpoCompletion));
    const Bytes per_seq = kv_bytes_per_sequence(ctx.kv_groups, tokens, ctx[Sym::bytes_kv],
                                                static_cast<std::int64_t>(std::max(1.0, ctx[Sym::t])),
                                                static_cast<std::int64_t>(std::max(1.0, ctx[Sym::p])));
    const Bytes bytes = mul_bytes(per_seq, static_cast<Bytes>(generation_sequences(ctx)));
    if (explain)
        *explain = n(ctx[Sym::b]) + " × " + n(sym(ctx, kGrpoSteps)) + " sequences × (" + n(sym(ctx, kGrpoPrompt)) +
                   " + " + n(sym(ctx, kGrpoCompletion)) + ") tokens × " + n(ctx[Sym::kv_per_token]) +
                   " B/token (whole model, " + ctx.kv_dtype + ") = " + format_count(bytes) + " B";
    return bytes;
}

bool GrpoGenerationLogitsTerm::applies(const Context& ctx) const { return hf_generation(ctx); }
Bytes GrpoGenerationLogitsTerm::compute(const Context& ctx, std::string* explain) const {
    const double sequences = generation_sequences(ctx);
    const Bytes bytes =
        to_bytes(sequences * ctx[Sym::V] * (ctx[Sym::bytes_act] + 4) / std::max(1.0, ctx[Sym::t]), kId.data());
    if (explain)
        *explain = n(sequences) + " × " + n(ctx[Sym::V]) + " × (" + n(ctx[Sym::bytes_act]) + " + 4) = " +
                   format_count(bytes) + " B";
    return bytes;
}

// ---- GRPO scoring forwards -----------------------------------------------------------------

bool GrpoScoringLogitsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && is(ctx, "grpo") && (sym(ctx, kRefForward) > 0 || sym(ctx, kGrpoSteps) > 1);
}
Bytes GrpoScoringLogitsTerm::compute(const Context& ctx, std::string* explain) const {
    const double kept = sym(ctx, kLogitsTokens);
    const Bytes bytes =
        to_bytes(2 * ctx[Sym::b] * kept * ctx[Sym::V] * ctx[Sym::bytes_act] / std::max(1.0, ctx[Sym::t]), kId.data());
    if (explain)
        *explain = "2 × " + n(ctx[Sym::b]) + " × " + n(kept) + " × " + n(ctx[Sym::V]) + " × " +
                   n(ctx[Sym::bytes_act]) + " = " + format_count(bytes) + " B";
    return bytes;
}

// ---- colocated vLLM ------------------------------------------------------------------------

namespace {
// The colocated pool, util × the GPU's memory: one computation for both pool terms.
Bytes pool(const Context& ctx, const char* what, std::string* explain) {
    if (ctx[Sym::gpu_mem] <= 0)
        throw EstimateError(std::string(what) + ": a colocated vLLM (training.grpo.use_vllm, training.ppo.layout "
                                                "verl) needs hardware.gpu or hardware.memory_gib (the pool is a fraction "
                                                "of the GPU)");
    const double util = sym(ctx, kVllmUtil);
    const Bytes bytes = to_bytes(util * ctx[Sym::gpu_mem], what);
    if (explain)
        *explain = n(util) + " × " + format_count(static_cast<std::uint64_t>(ctx[Sym::gpu_mem])) + " B = " +
                   format_count(bytes) + " B";
    return bytes;
}
}  // namespace

// GRPO with use_vllm (TRL vllm_mode colocate) and PPO in verl's layout.
bool VllmPoolTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && (is(ctx, "grpo") || is(ctx, "ppo")) && sym(ctx, kVllmUtil) > 0 &&
           sym(ctx, kVllmSleep) <= 0;
}
Bytes VllmPoolTerm::compute(const Context& ctx, std::string* explain) const {
    return pool(ctx, kId.data(), explain);
}

bool VllmPoolSleepTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && (is(ctx, "grpo") || is(ctx, "ppo")) && sym(ctx, kVllmUtil) > 0 &&
           sym(ctx, kVllmSleep) > 0;
}
Bytes VllmPoolSleepTerm::compute(const Context& ctx, std::string* explain) const {
    return pool(ctx, kId.data(), explain);
}

}  // namespace vram::plugins
