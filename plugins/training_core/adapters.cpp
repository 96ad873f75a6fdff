// adapters.cpp - adapter weights and adapter activations from the method's typed facts: a
// third-party method that fills MethodFacts gets exactly what LoRA gets.
// SPDX-License-Identifier: Apache-2.0
#include "adapters.hpp"

#include <algorithm>

#include "model_states.hpp"
#include "vram/error.hpp"
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
    void add(const Saved& o) { elements += o.elements, mask += o.mask; }
    void keep_larger(const Saved& o) {
        elements = std::max(elements, o.elements);
        mask = std::max(mask, o.mask);
    }
};

struct AdapterSaved {
    Saved resident;  // on the GPU at the step's peak, per token
    Saved host;      // moved to the host (training.activation_offload: all), per token
};

// Saved per token on this rank, for the adapted Linears of this pipeline stage. A layer that full
// checkpointing covers keeps nothing of its adapters: they are rebuilt with its recompute group,
// so only the largest group is live at once. activation_offload: all moves what the other
// layers keep to the host and copies one layer's back for its backward.
AdapterSaved adapter_saved(const Context& ctx) {
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]);
    const TrainingSpec& t = ctx.scenario().training;
    if (t.gradient_checkpointing == "op")
        throw ParamError("training.gradient_checkpointing",
                         "training.gradient_checkpointing: op (torchtitan's op-level selective AC) is modelled for "
                         "the full method; with adapters use full or selective");
    const std::int64_t layers = ctx.model().layers;
    // Runs of consecutive entries of one layer, in order: the decoder layers of this stage and the
    // adapters outside them (layer -1: vision-tower layers, which transformers checkpoints layer
    // by layer too, and heads), each run one unit as the layers run.
    struct Unit {
        std::int32_t layer;
        Saved saved;
    };
    std::vector<Unit> units;
    std::int64_t stage_layers = 0;
    for (const AdapterActivation& a : ctx.method.adapter_activations) {
        if (a.layer >= 0 && p > 1 && pipeline_stage_of(a.layer, layers, p) != stage) continue;
        if (units.empty() || units.back().layer != a.layer) {
            units.push_back({a.layer, {}});
            if (a.layer >= 0) ++stage_layers;
        }
        const auto copies = static_cast<double>(a.token_copies);
        units.back().saved.add({a.elements * copies, a.mask_bytes * copies});
    }
    const bool full = t.gradient_checkpointing == "full";
    const std::vector<std::int64_t> group = recompute_groups(ctx, stage_layers);
    AdapterSaved out;
    Saved kept, kept_max, group_sum, group_max;
    std::int64_t current = -1, j = -1;
    for (const Unit& u : units) {
        const std::int64_t g = u.layer >= 0 ? group[static_cast<std::size_t>(++j)] : -2;
        if (full && g == -2) {
            group_max.keep_larger(u.saved);  // a unit outside the layers: recomputed on its own
        } else if (full && g >= 0) {
            if (g != current) group_sum = {}, current = g;
            group_sum.add(u.saved);
            group_max.keep_larger(group_sum);
        } else {
            kept.add(u.saved);
            kept_max.keep_larger(u.saved);
        }
    }
    if (t.activation_offload == "all") {
        out.host = kept;
        kept = kept_max;
    }
    out.resident.add(kept);
    out.resident.add(group_max);
    return out;
}

}  // namespace

bool AdapterActivationsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && !ctx.method.adapter_activations.empty();
}

Bytes AdapterActivationsTerm::host_bytes(const Context& ctx) const {
    if (ctx.scenario().training.activation_offload != "all") return 0;
    const Saved k = adapter_saved(ctx).host;
    const double tokens = ctx[Sym::b] * ctx[Sym::s] / std::max(1.0, ctx[Sym::cp]);
    const double models = std::max(1.0, ctx.objective.trained_models);
    return to_bytes(models * tokens * (k.elements * ctx[Sym::bytes_act] + k.mask), kId.data());
}

Bytes AdapterActivationsTerm::compute(const Context& ctx, std::string* explain) const {
    const Saved k = adapter_saved(ctx).resident;
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
