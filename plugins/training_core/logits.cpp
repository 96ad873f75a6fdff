// logits.cpp - the LM head's inputs, logits and loss buffers of one training step (formulas.md
// §5.4): transformers' cross-entropy, Megatron's vocab-parallel one, Liger's fused linear
// cross-entropy, Apple's Cut Cross-Entropy, a value head, torch.compile's fused loss.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>

#include "activation_shape.hpp"
#include "methods.hpp"
#include "model_states.hpp"

namespace vram::plugins::training {

namespace {
// The output layer and the loss run under torch.compile (training.torch_compile: model); torchtitan's
// per-block compile leaves them eager.
bool compiled_loss(const Context& ctx) { return ctx.scenario().training.torch_compile == "model"; }

// Positions of this rank's sequence slice the LM head computes (context parallel splits them).
double logits_positions(const Context& ctx, const Shape& x) {
    return std::min(x.s_local, logits_tokens(ctx, x.s) / std::max(1.0, ctx[Sym::cp]));
}

// Liger's fused linear cross-entropy (liger_kernel/ops/fused_linear_cross_entropy.py,
// fused_linear_cross_entropy_forward): the LM head and the loss run chunk by chunk over the BT
// tokens, chunk = next_power_of_2(cdiv(BT, cdiv(V, H))) capped at BT, so one chunk of logits is
// about BT·H elements in the input dtype; the forward also computes and keeps for backward
// grad_input (BT × H, input dtype) and a fp32 loss per token. grad_weight (V × H) is the LM
// head's gradient itself, counted with the gradients.
struct LigerChunk {
    double tokens, chunk;
};
LigerChunk liger_chunk(double bt, double V, double h) {
    const double inc = std::ceil(V / h);
    const double per = std::ceil(bt / inc);
    double chunk = 1;
    while (chunk < per) chunk *= 2;
    return {bt, std::min(chunk, bt)};
}

double liger_bytes(const Context& ctx, const Shape& x, double h, double V) {
    const double bt = x.b * logits_positions(ctx, x);
    const LigerChunk c = liger_chunk(bt, V, h);
    return x.b * x.s_local * 2 * h * x.ba + c.chunk * V * x.ba + bt * h * x.ba + bt * 4;
}

// Apple's Cut Cross-Entropy (apple/ml-cross-entropy, arXiv 2411.09009; Unsloth's default loss):
// the forward computes each token's log-sum-exp blockwise in on-chip memory and saves it (fp32,
// cce_lse_forward.py) beside the LM head input; backward recomputes the logit blocks and writes
// only dE (the hidden-state gradient) and dC (the head's own gradient, in the head's dtype unless
// accum_c_fp32), so no tokens × V tensor ever exists.
double cce_bytes(const Context& ctx, const Shape& x, double h) {
    const double bt = x.b * logits_positions(ctx, x);
    return x.b * x.s_local * 2 * h * x.ba + bt * 4;
}

// Bytes per logits element at the transformers loss's peak, or the objective's own
// (ObjectiveFacts::logits_element_bytes: OpenRLHF's actor, plugins/training_rl).
double hf_logits_element_bytes(const Context& ctx, const Shape& x) {
    if (ctx.objective.logits_element_bytes > 0) return ctx.objective.logits_element_bytes;
    // Compiled, Inductor fuses the fp32 upcast, log-softmax and NLL into reductions over the 16-bit
    // logits (saved: the matmul's output) and one backward kernel writing the 16-bit gradient.
    if (compiled_loss(ctx)) return 2 * x.ba;
    return std::max(x.ba + 8, 12.0);
}

}  // namespace

double logits_bytes(const Context& ctx) {
    const Shape x = shape(ctx);
    const auto h = static_cast<double>(ctx.model().hidden);
    const double V = ctx[Sym::V];
    // A value head (PPO critic) emits one number per position from the final norm's output: the
    // norm's and the head's inputs are saved, no vocabulary logits exist.
    if (ctx.objective.value_head) return x.b * x.s_local * 2 * h * x.ba;
    if (ctx.scenario().training.loss == "liger_flce") return liger_bytes(ctx, x, h, V);
    if (ctx.scenario().training.loss == "cce") return cce_bytes(ctx, x, h);
    if (convention(ctx) == Convention::megatron) {
        // The final norm's input and the output layer's input are saved (bytes_act each; split by t
        // only with sequence parallel, whose output layer saves its input before the all-gather).
        // Every rank computes logits [s, b, V/t]. VocabParallelCrossEntropy (megatron/core/
        // tensor_parallel/cross_entropy.py, calculate_logits_max) makes an fp32 copy with .float()
        // inside its autograd Function while the caller still holds the 16-bit logits: bytes_act + 4
        // per element in forward; backward turns the saved fp32 softmax into the gradient in place
        // and autograd casts it to the 16-bit input's dtype: again 4 + bytes_act. Megatron's own
        // estimate (theoretical_memory_usage.py) counts 4 (with SP) or 2 (without) per element.
        const double hidden = x.sp ? 2 * x.ba * h / x.t : 2 * x.ba * h;
        return x.s_local * x.b * (hidden + (x.ba + 4) * V / x.t);
    }
    // transformers: the final norm's input and the LM head's input (bytes_act each), then the
    // logits. ForCausalLMLoss upcasts them to fp32 and cross_entropy (log_softmax + nll_loss) saves
    // the fp32 log-probabilities. Forward peak: logits + fp32 copy + log-probs = bytes_act + 8 per
    // element; the start of backward holds the saved log-probs, the gradient nll_loss writes and
    // log_softmax's input gradient: 12 per element, the larger of the two [DER].
    // Objectives that ask the LM head for only some positions (TRL GRPO's logits_to_keep = C + 1)
    // publish `logits_tokens` (plugins/training_rl); the hidden-state terms still cover s.
    // Compiled, the final norm keeps its input and an fp32 statistic; the head's input (the norm's
    // output) is recomputed.
    const double kept = logits_positions(ctx, x);
    const double hidden = compiled_loss(ctx) ? h * x.ba + 4 : 2 * h * x.ba;
    return x.b * (x.s_local * hidden + kept * hf_logits_element_bytes(ctx, x) * V / x.t);
}

bool logits_on_stage(const Context& ctx) {
    if (ctx[Sym::training] == 0 || ctx.model().encoder_only || ctx[Sym::V] <= 0) return false;
    return ctx[Sym::stage] == std::max(1.0, ctx[Sym::p]) - 1;
}

bool LogitsTerm::applies(const Context& ctx) const { return logits_on_stage(ctx); }
Bytes LogitsTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(logits_bytes(ctx), kId.data());
    if (!explain) return bytes;
    const Shape x = shape(ctx);
    const std::string b = format_number(x.b), s = format_number(x.s_local), V = format_number(ctx[Sym::V]);
    const std::string h = std::to_string(ctx.model().hidden), t = format_number(x.t);
    std::string out;
    if (ctx.objective.value_head) {
        *explain = b + " · " + s + " · 2 · " + h + " · " + format_number(x.ba) + " (final norm and value head inputs; "
                   "one number per position, no vocabulary logits) = " + format_count(bytes) + " B";
        return bytes;
    }
    if (ctx.scenario().training.loss == "liger_flce") {
        const double bt = x.b * logits_positions(ctx, x);
        const LigerChunk c = liger_chunk(bt, ctx[Sym::V], static_cast<double>(ctx.model().hidden));
        *explain = b + " · " + s + " · 2 · " + h + " · " + format_number(x.ba) + " (final norm and LM head inputs) + " +
                   format_number(c.chunk) + "-token logits chunk · " + V + " · " + format_number(x.ba) + " + grad_input " +
                   format_number(bt) + " · " + h + " · " + format_number(x.ba) + " + fp32 loss " + format_number(bt) +
                   " · 4 [Liger fused linear cross-entropy] = " + format_count(bytes) + " B";
        return bytes;
    }
    if (ctx.scenario().training.loss == "cce") {
        const double bt = x.b * logits_positions(ctx, x);
        *explain = b + " · " + s + " · 2 · " + h + " · " + format_number(x.ba) +
                   " (final norm and LM head inputs) + fp32 log-sum-exp " + format_number(bt) +
                   " · 4 [Cut Cross-Entropy: no logits in memory] = " + format_count(bytes) + " B";
        return bytes;
    }
    if (convention(ctx) == Convention::megatron)
        out = b + " · " + s + " · (2 · " + format_number(x.ba) + " · " + h + (x.sp ? " / " + t : std::string()) +
              " + (" + format_number(x.ba) + " + 4) · " + V + " / " + t + ")";
    else
        out = b + " · (" + s + (compiled_loss(ctx) ? " · (" + h + " · " + format_number(x.ba) + " + 4)"
                                                                       : " · 2 · " + h + " · " + format_number(x.ba)) +
              " + " + format_number(logits_positions(ctx, x)) + " · " + format_number(hf_logits_element_bytes(ctx, x)) +
              " · " + V + " / " + t + ")";
    *explain = out + " [" + convention_name(convention(ctx)) + " loss" +
               (compiled_loss(ctx) ? ", torch.compile: fused" : "") + "] = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins::training
