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

bool InferenceActivationsTerm::applies(const Context& ctx) const { return ctx[Sym::training] == 0 && hf_engine(ctx); }

Bytes InferenceActivationsTerm::compute(const Context& ctx, std::string* explain) const {
    const ModelSpec& m = ctx.model();
    // The peak is the prefill's: generate() runs the prompt at once, then one token per step.
    const std::int64_t prompt = ctx.scenario().workload.prompt_length;
    const double s = prompt > 0 && static_cast<double>(prompt) < ctx[Sym::s] ? static_cast<double>(prompt) : ctx[Sym::s];
    const double b = ctx[Sym::b], t = ctx[Sym::t], bytes_act = ctx[Sym::bytes_act];
    const bool eager = ctx[Sym::flash] == 0;
    double v = b * s * (2.0 * static_cast<double>(m.hidden) + 3.0 * mlp_width(m)) * bytes_act / t;
    if (eager) v += b * static_cast<double>(m.heads) * s * s * (bytes_act + 4.0) / t;
    const Bytes bytes = to_bytes(v, kId.data());
    if (!explain) return bytes;
    std::string text = format_number(b) + " · " + format_number(s) + " · (2·" + std::to_string(m.hidden) + " + 3·" +
                       format_number(mlp_width(m)) + ") · " + format_number(bytes_act) + " / " + format_number(t);
    if (eager)
        text += " + " + format_number(b) + " · " + std::to_string(m.heads) + " · " + format_number(s) + "² · " +
                format_number(bytes_act + 4) + " / " + format_number(t);
    *explain = text + " = " + format_count(bytes) + " B";
    return bytes;
}

bool InferenceLogitsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && hf_engine(ctx) && !ctx.model().encoder_only;
}

Bytes InferenceLogitsTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(ctx[Sym::b] * ctx[Sym::V] * (ctx[Sym::bytes_act] + 4.0) / ctx[Sym::t], kId.data());
    if (explain)
        *explain = format_number(ctx[Sym::b]) + " · " + format_number(ctx[Sym::V]) + " · (" +
                   format_number(ctx[Sym::bytes_act]) + " + 4) / " + format_number(ctx[Sym::t]) + " = " +
                   format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins
