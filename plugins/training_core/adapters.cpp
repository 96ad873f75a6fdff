// adapters.cpp - adapter weights and adapter activations from the method's typed facts, and the
// trained copies of base modules (modules_to_save): a third-party method that fills MethodFacts
// gets exactly what LoRA gets.
// SPDX-License-Identifier: Apache-2.0
#include "adapters.hpp"

#include <algorithm>

#include "model_states.hpp"
#include "vram/error.hpp"
#include "vram/sharding.hpp"
#include "vram/training.hpp"

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
                         "op (torchtitan's op-level selective AC) is modelled for "
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

// ---- trained copies (PEFT modules_to_save) ------------------------------------------------------

namespace {
// The copies on this rank as a method with them as its trainable tensors would see them.
Context copy_context(const Context& ctx, const TrainedCopy& c) {
    Context local = ctx;
    local.trainable_tensors = {c.tensor};
    local.method.trainable_bytes = c.bytes_per_element;
    local.method.trained_copies.clear();
    return local;
}
}  // namespace

bool TrainedCopyWeightsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && !ctx.method.trained_copies.empty();
}
Bytes TrainedCopyWeightsTerm::compute(const Context& ctx, std::string* explain) const {
    double bytes = 0;
    std::string names;
    for (const TrainedCopy& c : ctx.method.trained_copies) {
        bytes += parameters_on_rank(ctx, {c.tensor}) * c.bytes_per_element;
        names += (names.empty() ? "" : ", ") + c.tensor.name + " (" + format_number(c.bytes_per_element) + " B)";
    }
    bytes /= ctx[Sym::zero] >= 3 ? zero_divisor(ctx, 3) : 1.0;
    const Bytes out = to_bytes(bytes, kId.data());
    if (explain) *explain = "trained copies of " + names + zero_suffix(ctx, 3) + " = " + format_count(out) + " B";
    return out;
}

bool TrainedCopyGradientsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && !ctx.method.trained_copies.empty();
}
Bytes TrainedCopyGradientsTerm::compute(const Context& ctx, std::string* explain) const {
    double bytes = 0;
    for (const TrainedCopy& c : ctx.method.trained_copies) {
        const Context local = copy_context(ctx, c);
        const StateDtypes d = state_dtypes(local);
        const double n = parameters_on_rank(ctx, {c.tensor});
        bytes += n * d.grad / (d.grad_sharded_by_zero ? zero_divisor(ctx, 2) : 1.0) + n * d.grad32 / zero_divisor(ctx, 1);
    }
    const Bytes out = to_bytes(bytes, kId.data());
    if (explain) *explain = "gradients of the trained copies in their dtype" + zero_suffix(ctx, 2) + " = " + format_count(out) + " B";
    return out;
}

bool TrainedCopyStatesTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && !ctx.method.trained_copies.empty() && ctx.optimizer != nullptr;
}
double trained_copy_state_bytes(const Context& ctx, bool with_master) {
    if (!ctx.optimizer || offload_optimizer(ctx)) return 0;
    double bytes = 0;
    for (const TrainedCopy& c : ctx.method.trained_copies) {
        Context local = copy_context(ctx, c);
        local.trainable_tensors = rank_local_tensors(local);
        const StateDtypes d = state_dtypes(local);
        bytes += (ctx.optimizer->state_bytes(local) +
                  (with_master ? parameters_on_rank(ctx, {c.tensor}) * d.master : 0.0)) /
                 zero_divisor(ctx, 1);
    }
    return bytes;
}

Bytes TrainedCopyStatesTerm::compute(const Context& ctx, std::string* explain) const {
    const double bytes = trained_copy_state_bytes(ctx, true);
    const Bytes out = to_bytes(bytes, kId.data());
    if (explain)
        *explain = std::string(ctx.optimizer->key()) + " states of the trained copies in their dtype" +
                   (offload_optimizer(ctx) ? " (on the CPU with parallelism.offload)" : zero_suffix(ctx, 1)) + " = " +
                   format_count(out) + " B";
    return out;
}

// ---- AWQ base: the backward's dequantized weight ------------------------------------------------

bool AwqBackwardDequantTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx.method.frozen_base && ctx.weight_format.rfind("awq", 0) == 0;
}
Bytes AwqBackwardDequantTerm::compute(const Context& ctx, std::string* explain) const {
    const ModelSpec& m = ctx.model();
    const auto t_size = static_cast<std::int64_t>(std::max(1.0, ctx[Sym::t]));
    double largest = 0;
    for (std::size_t j = 0; j < m.tensors.size(); ++j) {
        const Tensor& t = m.tensors[j];
        if (!quantized_linear(ctx, j)) continue;
        if (!on_pipeline_stage(t, m, static_cast<std::int64_t>(ctx[Sym::stage]), static_cast<std::int64_t>(ctx[Sym::p])))
            continue;
        largest = std::max(largest, static_cast<double>(t.numel()) / tensor_parallel_divisor(t, t_size, 1));
    }
    const double copies = 1 + (ctx.compute_dtype == "fp16" ? 0 : 1) + ctx[Sym::b];
    const Bytes bytes = to_bytes(copies * largest * 2, kId.data());
    if (explain)
        *explain = "(1 dequantized + " + std::string(ctx.compute_dtype == "fp16" ? "0" : "1") + " cast + " +
                   format_number(ctx[Sym::b]) + " repeated) × " + format_count(static_cast<std::uint64_t>(largest)) +
                   " × 2 B = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins::training
