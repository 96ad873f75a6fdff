// ppo_openrlhf.cpp - PPO in OpenRLHF's Ray layout (docs/methods.md "PPO", layout openrlhf): the
// actor, critic, reference and reward models are DeepSpeed workers on GPU groups of their own
// (unless colocated in pairs) and vLLM engines generate elsewhere, so one estimate describes one
// group: the actor's (policy trained, reference beside it with colocate_actor_ref) or the
// critic's (value model trained, reward model beside it with colocate_critic_reward).
// Facts from OpenRLHF v0.11.0 (openrlhf/cli/train_ppo_ray.py, models/actor.py, models/model.py,
// trainer/ray/ppo_actor.py, trainer/ppo_utils/experience_maker.py).
// SPDX-License-Identifier: Apache-2.0
#include "objectives.hpp"
#include "ppo.hpp"
#include "rl_common.hpp"
#include "vram/error.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {

using rl::n;
using rl::set_sym;
using rl::sym;

void PpoObjective::prepare_openrlhf(Context& ctx, const Params& options) const {
    const Scenario& s = ctx.scenario();
    if (s.parallelism.tensor > 1 || s.parallelism.pipeline > 1 || s.parallelism.fsdp != "none")
        throw ParamError(s.parallelism.fsdp != "none" ? "parallelism.fsdp"
                         : s.parallelism.tensor > 1   ? "parallelism.tensor"
                                                      : "parallelism.pipeline",
                         "OpenRLHF's actor and critic are DeepSpeed ZeRO workers (--ds.zero_stage, default 2): "
                         "data parallel only; allowed: parallelism.data and parallelism.zero");
    const bool critic = options.string("role") == "critic";
    const std::int64_t P = options.integer("prompt_length");
    const std::int64_t R = options.integer("response_length");
    const double h = ctx[Sym::h];
    ctx.set(Sym::s, static_cast<double>(P + R) + static_cast<double>(ctx.modality_tokens));
    ctx.objective.trained_models = 1;
    // Actor.forward computes the logits of every position and casts them to fp32
    // (output["logits"].to(torch.float32)); log_probs_from_logits runs flash-attn's Triton
    // cross_entropy_loss on them (it saves the fp32 logits, no other [tokens, V] tensor), and
    // training_step keeps `output` alive across strategy.backward: at the start of backward the
    // fp32 logits (4), the loss's fp32 gradient (4) and its cast to the 16-bit LM head's dtype
    // (bytes_act) are held together.
    ctx.objective.logits_tokens = 0;
    ctx.objective.logits_element_bytes = critic ? 0 : 8 + ctx[Sym::bytes_act];
    set_sym(ctx, kLogitsTokens, static_cast<double>(P + R));
    if (critic) {
        // get_llm_for_sequence_regression: the base model's backbone and value_head =
        // nn.Linear(hidden_size, 1, bias=False); the framework drops the LM head (value_head fact).
        ctx.objective.value_head = true;
        ctx.trainable_tensors.push_back(value_head_tensor("value_head", h));
        ctx.set(Sym::P_trainable, ctx[Sym::P_trainable] + h);
    }
    set_value_model_params(ctx);

    // The reference (algo.kl.init_coef > 0) and the reward model (no remote_url) are eval engines
    // (get_ds_eval_config: ZeRO-3 only when --ds.zero_stage is 3, else a full copy) in
    // --ds.param_dtype bf16; they sit on this group's GPUs only when colocated with it.
    const std::string& ref = options.string("reference_model");
    const bool ref_here = !critic && options.flag("colocate_actor_ref") && ref != "none";
    const bool reward_here = critic && options.flag("colocate_critic_reward") && options.flag("reward_model");
    ctx.objective.separate_reference = ref_here;
    set_sym(ctx, kRefWeights, ref_here ? 1 : 0);
    set_sym(ctx, kRefForward, 0);
    set_sym(ctx, kRef16bit, 1);
    set_sym(ctx, kPpoReward, reward_here ? 1 : 0);
    set_sym(ctx, kPpoPrompt, static_cast<double>(P));
    set_sym(ctx, kPpoResponse, static_cast<double>(R));
    set_sym(ctx, kPpoRollout, 0);
    set_sym(ctx, kPpoGather, 0);
    set_sym(ctx, kPpoVerl, 0);
    set_sym(ctx, kPpoOpenRlhf, 1);
    set_sym(ctx, kPpoCritic, critic ? 1 : 0);
    set_sym(ctx, kPpoMicroRollout, static_cast<double>(options.integer("micro_rollout_batch_size")));
    set_sym(ctx, kVllmUtil, 0);
    set_sym(ctx, kVllmSleep, 0);
    ctx.notes.push_back(
        std::string("objective ppo, layout openrlhf: this estimate is one GPU of the ") +
        (critic ? "critic group: the value model (the policy's backbone with a [1, " + n(h) +
                      "] value head instead of the LM head, no vocabulary logits) trained with its gradients and "
                      "optimizer states" + (reward_here ? "; the reward model colocated (colocate_critic_reward)"
                                                        : "; the reward model on GPUs of its own")
                : "actor group: the policy trained on P + R = " + std::to_string(P) + " + " + std::to_string(R) +
                      " tokens with fp32 logits of every position" +
                      (ref_here ? "; the reference model colocated (colocate_actor_ref)"
                                : "; the reference model on GPUs of its own")) +
        "; the rollout runs in separate vLLM engines (estimate them as a vLLM serving scenario at "
        "gpu_memory_utilization 0.95, OpenRLHF's default)");
}

bool PpoExperienceLogitsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && rl::is(ctx, "ppo") && sym(ctx, kPpoOpenRlhf) > 0 && sym(ctx, kPpoCritic) <= 0 &&
           ctx[Sym::V] > 0;
}
Bytes PpoExperienceLogitsTerm::compute(const Context& ctx, std::string* explain) const {
    const double mb = sym(ctx, kPpoMicroRollout), s = ctx[Sym::s], V = ctx[Sym::V], ba = ctx[Sym::bytes_act];
    const double t = std::max(1.0, ctx[Sym::t]);
    const Bytes bytes = to_bytes(mb * s * V * (ba + 4) / t, kId.data());
    if (explain)
        *explain = n(mb) + " sequences × " + n(s) + " tokens × " + n(V) + " × (" + n(ba) + " + 4) B (the logits and "
                   "their fp32 copy) / " + n(t) + " = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins
