// inference_transients.cpp - the transient peak of one eager forward step (formulas.md §4.3).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "terms.hpp"

namespace vram::plugins {
namespace {

// Width of the MLP intermediates one token produces: F for dense layers; for MoE the routed
// top-k experts plus the shared expert block.
double mlp_width(const ModelSpec& m) {
    const double dense = static_cast<double>(m.intermediate);
    if (m.experts == 0) return dense;
    const double moe = static_cast<double>(m.experts_per_token * m.moe_intermediate + m.shared_intermediate);
    return std::max(dense, moe);
}

}  // namespace

bool hf_engine(const Context& ctx) noexcept { return ctx.scenario().runtime.engine == "hf"; }

std::string_view InferenceActivationsTerm::formula() const {
    return "b · s · (2·h + 3·F_eff) · bytes_act / t  [+ b · n_q · s² · (bytes_act + 4) / t without flash/SDPA]";
}

std::string_view InferenceActivationsTerm::source() const {
    return "largest live set inside one decoder layer during prefill: residual and normed hidden states (2h), "
           "gate, up and act(gate)·up (3F; MoE: top-k·F_moe + shared); eager attention adds the bf16 scores and "
           "their fp32 softmax (transformers eager_attention_forward). Derived from the HF modeling code, "
           "formulas.md §4.3";
}

bool InferenceActivationsTerm::applies(const Context& ctx) const { return ctx[Sym::training] == 0 && hf_engine(ctx); }

Bytes InferenceActivationsTerm::evaluate(const Context& ctx) const {
    const ModelSpec& m = ctx.model();
    const double b = ctx[Sym::b], s = ctx[Sym::s], t = ctx[Sym::t], bytes = ctx[Sym::bytes_act];
    double v = b * s * (2.0 * static_cast<double>(m.hidden) + 3.0 * mlp_width(m)) * bytes / t;
    if (ctx[Sym::flash] == 0) v += b * static_cast<double>(m.heads) * s * s * (bytes + 4.0) / t;
    return to_bytes(v, "core.activations.prefill");
}

std::string InferenceActivationsTerm::substitute(const Context& ctx) const {
    const ModelSpec& m = ctx.model();
    std::string s = format_number(ctx[Sym::b]) + " · " + format_number(ctx[Sym::s]) + " · (2·" +
                    std::to_string(m.hidden) + " + 3·" + format_number(mlp_width(m)) + ") · " +
                    format_number(ctx[Sym::bytes_act]) + " / " + format_number(ctx[Sym::t]);
    if (ctx[Sym::flash] == 0)
        s += " + " + format_number(ctx[Sym::b]) + " · " + std::to_string(m.heads) + " · " + format_number(ctx[Sym::s]) +
             "² · " + format_number(ctx[Sym::bytes_act] + 4) + " / " + format_number(ctx[Sym::t]);
    return s + " = " + format_count(evaluate(ctx)) + " B";
}

std::string_view InferenceLogitsTerm::formula() const { return "b · V · (bytes_act + 4) / t"; }

std::string_view InferenceLogitsTerm::source() const {
    return "generate() computes logits for the last position only (logits_to_keep = 1) and upcasts them to fp32 "
           "(transformers generation/utils.py); formulas.md §4.3";
}

bool InferenceLogitsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && hf_engine(ctx) && !ctx.model().encoder_only;
}

Bytes InferenceLogitsTerm::evaluate(const Context& ctx) const {
    return to_bytes(ctx[Sym::b] * ctx[Sym::V] * (ctx[Sym::bytes_act] + 4.0) / ctx[Sym::t], "core.logits.generate");
}

std::string InferenceLogitsTerm::substitute(const Context& ctx) const {
    return format_number(ctx[Sym::b]) + " · " + format_number(ctx[Sym::V]) + " · (" + format_number(ctx[Sym::bytes_act]) +
           " + 4) / " + format_number(ctx[Sym::t]) + " = " + format_count(evaluate(ctx)) + " B";
}

}  // namespace vram::plugins
