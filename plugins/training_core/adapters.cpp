// adapters.cpp - adapter weights and adapter activations from the method's typed facts: a
// third-party method that fills MethodFacts gets exactly what LoRA gets.
// SPDX-License-Identifier: Apache-2.0
#include "adapters.hpp"

#include <algorithm>

#include "vram/sharding.hpp"

namespace vram::plugins::training {

bool AdapterWeightsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx.method.adapter_params > 0;
}

Bytes AdapterWeightsTerm::compute(const Context& ctx, std::string* explain) const {
    // Only the adapters of the layers on this rank's pipeline stage; adapters of a Linear split by
    // tensor parallelism are split with it (parameters_on_rank applies the same placement rules).
    const double params = parameters_on_rank(ctx, ctx.trainable_tensors);
    const Bytes bytes = to_bytes(params * ctx.method.trainable_bytes, kId.data());
    if (explain)
        *explain = format_count(static_cast<std::uint64_t>(params)) + " adapter params on this rank × " +
                   format_number(ctx.method.trainable_bytes) + " B = " + format_count(bytes) + " B";
    return bytes;
}

namespace {

struct Saved {
    double elements = 0;  // compute dtype
    double mask = 0;      // bytes
};

// Saved per token on this rank: every adapted Linear of this pipeline stage, or with full
// gradient checkpointing only the layer being recomputed (the largest).
Saved adapter_saved(const Context& ctx) {
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]);
    const bool checkpointed = ctx.scenario().training.gradient_checkpointing == "full";
    const std::int64_t layers = ctx.model().layers;
    Saved total, layer_max, layer;
    std::int32_t current = -2;
    for (const AdapterActivation& a : ctx.method.adapter_activations) {
        const std::int64_t on = a.layer >= 0 ? pipeline_stage_of(a.layer, layers, p) : 0;
        if (p > 1 && on != stage) continue;
        if (a.layer != current) {
            layer_max.elements = std::max(layer_max.elements, layer.elements);
            layer_max.mask = std::max(layer_max.mask, layer.mask);
            layer = {};
            current = a.layer;
        }
        const auto copies = static_cast<double>(a.token_copies);
        layer.elements += a.elements * copies;
        layer.mask += a.mask_bytes * copies;
        total.elements += a.elements * copies;
        total.mask += a.mask_bytes * copies;
    }
    layer_max.elements = std::max(layer_max.elements, layer.elements);
    layer_max.mask = std::max(layer_max.mask, layer.mask);
    return checkpointed ? layer_max : total;
}

}  // namespace

bool AdapterActivationsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && !ctx.method.adapter_activations.empty();
}

Bytes AdapterActivationsTerm::compute(const Context& ctx, std::string* explain) const {
    const Saved k = adapter_saved(ctx);
    const double cp = std::max(1.0, ctx[Sym::cp]);
    const double tokens = ctx[Sym::b] * ctx[Sym::s] / cp;
    const double bytes_act = ctx[Sym::bytes_act];
    // PPO trains adapters on the value model too (ObjectiveFacts::trained_models).
    const double models = std::max(1.0, ctx.objective.trained_models);
    const Bytes bytes = to_bytes(models * tokens * (k.elements * bytes_act + k.mask), kId.data());
    if (explain)
        *explain = (models > 1 ? format_number(models) + " models × " : std::string()) + format_number(ctx[Sym::b]) +
                   " × " + format_number(ctx[Sym::s]) + " tokens × (" + format_number(k.elements) + " × " +
                   format_number(bytes_act) + " B + " + format_number(k.mask) + " B) = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins::training
