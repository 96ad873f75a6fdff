// model_states.cpp - gradients, optimizer states, master weights, the autocast weight copy and
// the buffers that scale with the parameters (formulas.md §5.1-5.2).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "adapters.hpp"
#include "model_states.hpp"
#include "optimizers.hpp"
#include "vram/sharding.hpp"
#include "vram/training.hpp"

namespace vram::plugins::training {
namespace {

std::string params_text(const Context& ctx) {
    std::string s = format_count(static_cast<std::uint64_t>(trainable_on_rank(ctx) + 0.5)) + " trainable params";
    if (ctx[Sym::t] > 1 || ctx[Sym::p] > 1 || ctx[Sym::ep] > 1)
        s += " on this rank (t=" + format_number(ctx[Sym::t]) + ", p=" + format_number(ctx[Sym::p]) + " stage " +
             format_number(ctx[Sym::stage]) + ", ep=" + format_number(ctx[Sym::ep]) + ")";
    return s;
}

std::string conv_text(const StateDtypes& d) { return std::string(" [") + convention_name(d.conv) + " convention]"; }

bool zero2_offloaded(const Context& ctx) { return offload_optimizer(ctx) && ctx[Sym::zero] >= 2; }

}  // namespace

// ---- gradients -------------------------------------------------------------------------------

bool GradientsTerm::applies(const Context& ctx) const { return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0; }
Bytes GradientsTerm::compute(const Context& ctx, std::string* explain) const {
    const StateDtypes d = state_dtypes(ctx);
    if (zero2_offloaded(ctx)) {
        if (explain)
            *explain = "offloaded to CPU with the optimizer (ZeRO-" + format_number(ctx[Sym::zero]) + ") = 0 B";
        return 0;
    }
    if (ctx.optimizer_facts.steps_per_parameter) {
        // Layer-wise stepping: each gradient is stepped and freed in its own hook, so only the
        // largest one is alive (GaLore torchrun_main.py L355-367 optimizer_hook).
        double largest = 0;
        for (const Tensor& t : rank_local_tensors(ctx)) largest = std::max(largest, static_cast<double>(t.numel()));
        const Bytes bytes = to_bytes(largest * d.grad, kId.data());
        if (explain)
            *explain = "one gradient alive at a time (each parameter steps in its post-accumulate-grad hook): the "
                       "largest, " + format_count(static_cast<std::uint64_t>(largest)) + " × " + format_number(d.grad) +
                       " B = " + format_count(bytes) + " B";
        return bytes;
    }
    const double params = d.grad_sharded_by_zero ? sharded_trainable_on_rank(ctx, 2) : trainable_on_rank(ctx);
    const Bytes bytes = to_bytes(params * d.grad, kId.data());
    if (!explain) return bytes;
    std::string s = params_text(ctx) + " × " + format_number(d.grad) + " B";
    if (d.grad_sharded_by_zero) s += zero_suffix(ctx, 2);
    else if (ctx[Sym::zero] >= 1) s += " (Megatron's grad buffer is not sharded by the distributed optimizer)";
    *explain = s + conv_text(d) + " = " + format_count(bytes) + " B";
    return bytes;
}

bool Fp32GradientsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0 && state_dtypes(ctx).grad32 > 0;
}
Bytes Fp32GradientsTerm::compute(const Context& ctx, std::string* explain) const {
    const StateDtypes d = state_dtypes(ctx);
    if (offload_optimizer(ctx)) {
        if (explain) *explain = "on the CPU with the offloaded optimizer = 0 B";
        return 0;
    }
    const double params = d.grad32_sharded ? sharded_trainable_on_rank(ctx, 1) : trainable_on_rank(ctx);
    const Bytes bytes = to_bytes(params * d.grad32, kId.data());
    if (explain)
        *explain = params_text(ctx) + " × " + format_number(d.grad32) + " B" + zero_suffix(ctx, 1) + conv_text(d) +
                   " = " + format_count(bytes) + " B";
    return bytes;
}

// ---- optimizer states ------------------------------------------------------------------------

bool OptimizerStatesTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0 && ctx.optimizer != nullptr;
}
// Optimizer state bytes on this rank (0 without an optimizer or with the states offloaded).
double optimizer_state_on_rank(const Context& ctx) {
    if (!ctx.optimizer || offload_optimizer(ctx)) return 0;
    double state;
    if (ctx[Sym::t] <= 1 && ctx[Sym::p] <= 1 && ctx[Sym::ep] <= 1) {
        state = ctx.optimizer->state_bytes(ctx) / zero_divisor(ctx, 1);
    } else {
        // The optimizer only sees this rank's shards (which matters for per-tensor layouts: 8-bit
        // blocks and the fp32 fallback of small tensors, Adafactor's row/column factors).
        Context local = ctx;
        local.trainable_tensors = rank_local_tensors(ctx);
        if (expert_zero_divisor(ctx, 1) == zero_divisor(ctx, 1)) {
            state = ctx.optimizer->state_bytes(local) / zero_divisor(ctx, 1);
        } else {
            // Dense and expert states are sharded over different groups (expert_zero_divisor).
            std::vector<Tensor> all = std::move(local.trainable_tensors), experts;
            local.trainable_tensors.clear();
            for (Tensor& t : all) (t.group.rfind("experts", 0) == 0 ? experts : local.trainable_tensors).push_back(t);
            state = ctx.optimizer->state_bytes(local) / zero_divisor(ctx, 1);
            local.trainable_tensors = std::move(experts);
            state += ctx.optimizer->state_bytes(local) / expert_zero_divisor(ctx, 1);
        }
    }
    return state;
}

Bytes OptimizerStatesTerm::compute(const Context& ctx, std::string* explain) const {
    if (!ctx.optimizer) {
        if (explain) *explain = "no optimizer = 0 B";
        return 0;
    }
    if (offload_optimizer(ctx)) {
        if (explain) *explain = std::string(ctx.optimizer->key()) + " states on the CPU (parallelism.offload) = 0 B";
        return 0;
    }
    const Bytes bytes = to_bytes(optimizer_state_on_rank(ctx), kId.data());
    if (explain)
        *explain = std::string(ctx.optimizer->key()) + " (" + std::string(ctx.optimizer->describe()) + ")" +
                   (ctx.get(kExpAvgBytes) > 0 ? " in " + format_number(ctx.get(kExpAvgBytes)) + " + " +
                                                    format_number(ctx.get(kExpAvgSqBytes)) +
                                                    " B per parameter (Megatron precision-aware optimizer)"
                                              : std::string()) +
                   " over " + params_text(ctx) + zero_suffix(ctx, 1) + " = " + format_count(bytes) + " B";
    return bytes;
}

// ---- the optimizer step's temporaries ---------------------------------------------------------

bool GaloreSvdTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx.optimizer_facts.projection_rank > 0;
}
Bytes GaloreSvdTerm::compute(const Context& ctx, std::string* explain) const {
    const bool fp32_grad = state_dtypes(ctx).grad >= 4;
    double peak = 0;
    const std::vector<Tensor> local = rank_local_tensors(ctx);  // outlives `top`
    const Tensor* top = nullptr;
    for (const Tensor& t : local) {
        if (!galore_projects(ctx, t)) continue;
        const GaloreShape g = galore_shape(t.rows, t.cols, ctx.optimizer_facts.projection_rank);
        const double v = 4 * ((fp32_grad ? 0.0 : static_cast<double>(t.numel())) + g.svd_fp32_elements);
        if (v > peak) peak = v, top = &t;
    }
    const Bytes bytes = to_bytes(peak, kId.data());
    if (explain)
        *explain = top ? "SVD of " + top->name + " (" + std::to_string(top->rows) + " × " + std::to_string(top->cols) +
                             (fp32_grad ? "" : ", its fp32 copy") + " + U + Vh in fp32) = " + format_count(bytes) + " B"
                       : std::string("no projected matrix on this rank = 0 B");
    return bytes;
}

// torch.optim.AdamW's default multi-tensor path (foreach=True on CUDA, PyTorch PR #95241)
// computes the denominator out of place: _multi_tensor_adam's
// exp_avg_sq_sqrt = torch._foreach_sqrt(device_exp_avg_sqs) allocates one tensor per parameter
// of the (device, dtype) group at once, freed after _foreach_addcdiv_. exp_avg and exp_avg_sq
// are equal halves of the AdamW state, so the temporary is half of it. The fused kernel
// (fused=True; transformers' default optim adamw_torch_fused from PyTorch 2.8, PR #37358),
// DeepSpeed's FusedAdam and Megatron's Apex/TE FusedAdam update in place.
bool AdamStepTemporariesTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0 && ctx.optimizer != nullptr &&
           ctx.optimizer->key() == "adamw" && convention(ctx) == Convention::hf && !offload_optimizer(ctx) &&
           ctx.get(kAdamwForeach, 0.0) > 0;
}
Bytes AdamStepTemporariesTerm::compute(const Context& ctx, std::string* explain) const {
    // _multi_tensor_adam groups the tensors by (device, dtype) and runs _foreach_sqrt per group:
    // trained copies in the base dtype (modules_to_save) are their own group beside fp32 adapters.
    const double copies = trained_copy_state_bytes(ctx, false) / 2.0, own = optimizer_state_on_rank(ctx) / 2.0;
    bool same_dtype = true;
    for (const TrainedCopy& c : ctx.method.trained_copies)
        same_dtype = same_dtype && c.bytes_per_element == ctx.method.trainable_bytes;
    const Bytes bytes = to_bytes(same_dtype ? own + copies : std::max(own, copies), kId.data());
    if (explain)
        *explain = "exp_avg_sq of " + params_text(ctx) + zero_suffix(ctx, 1) +
                   " (half of the AdamW state): torch._foreach_sqrt's output = " + format_count(bytes) + " B";
    return bytes;
}

// ---- master weights --------------------------------------------------------------------------

bool MasterWeightsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0 && state_dtypes(ctx).master > 0;
}
Bytes MasterWeightsTerm::compute(const Context& ctx, std::string* explain) const {
    if (offload_optimizer(ctx)) {
        if (explain) *explain = "on the CPU with the offloaded optimizer = 0 B";
        return 0;
    }
    const StateDtypes d = state_dtypes(ctx);
    const Bytes bytes = to_bytes(sharded_trainable_on_rank(ctx, 1) * d.master, kId.data());
    if (explain)
        *explain = params_text(ctx) + " × " + format_number(d.master) + " B" + zero_suffix(ctx, 1) + conv_text(d) +
                   " = " + format_count(bytes) + " B";
    return bytes;
}

// ---- Megatron's param-buffer remap at DDP wrap -------------------------------------------------

namespace {
struct Remap {
    double old_params = 0, later = 0;
};
Remap remap(const Context& ctx) {
    const StateDtypes d = state_dtypes(ctx);
    Remap r;
    r.old_params = trainable_on_rank(ctx) * d.param;
    // The static terms already hold the master copy and the optimizer states, which do not exist
    // yet at this point; the set-up phase adds only what the old parameters exceed them by.
    r.later = offload_optimizer(ctx) ? 0.0 : sharded_trainable_on_rank(ctx, 1) * d.master + optimizer_state_on_rank(ctx);
    return r;
}
}  // namespace

// Listed only when the set-up moment can be the peak (the old parameters outweigh the optimizer's
// later allocations: an offloaded optimizer, or bf16 states sharded over many ranks).
bool MegatronBufferRemapTerm::applies(const Context& ctx) const {
    if (!(ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0 && convention(ctx) == Convention::megatron &&
          ctx[Sym::zero] >= 1 && state_dtypes(ctx).amp))
        return false;
    const Remap r = remap(ctx);
    return r.old_params > r.later;
}
Bytes MegatronBufferRemapTerm::compute(const Context& ctx, std::string* explain) const {
    const StateDtypes d = state_dtypes(ctx);
    const auto [old_params, later] = remap(ctx);
    const Bytes bytes = to_bytes(std::max(0.0, old_params - later), kId.data());
    if (explain)
        *explain = "max(0, old parameters " + params_text(ctx) + " × " + format_number(d.param) + " B = " +
                   format_count(static_cast<std::uint64_t>(old_params + 0.5)) + " B − master weights and optimizer "
                   "states not yet created " + format_count(static_cast<std::uint64_t>(later + 0.5)) + " B) = " +
                   format_count(bytes) + " B";
    return bytes;
}

// ---- autocast copy ---------------------------------------------------------------------------

namespace {
// Linear weights stored in fp32 on this rank: torch.autocast casts each to the half dtype for
// its matmul, caches the cast for requires_grad leaves, and autograd saves it for backward.
double fp32_linear_params_on_rank(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]);
    const auto t = static_cast<std::int64_t>(ctx[Sym::t]);
    const auto ep = static_cast<std::int64_t>(ctx[Sym::ep]);
    double n = 0;
    const std::size_t count = std::min(m.tensors.size(), ctx.tensor_bytes.size());
    for (std::size_t i = 0; i < count; ++i) {
        const Tensor& x = m.tensors[i];
        if (!x.linear || !on_pipeline_stage(x, m, stage, p)) continue;
        const double elems = static_cast<double>(x.numel()) * static_cast<double>(x.copies);
        if (elems <= 0 || static_cast<double>(ctx.tensor_bytes[i]) != 4 * elems) continue;
        n += elems / tensor_parallel_divisor(x, t, ep);
    }
    return n;
}
}  // namespace

bool AutocastCopyTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && state_dtypes(ctx).autocast > 0 && ctx[Sym::zero] < 3 &&
           fp32_linear_params_on_rank(ctx) > 0;  // e.g. a 16-bit LoRA base has nothing to cast
}
Bytes AutocastCopyTerm::compute(const Context& ctx, std::string* explain) const {
    const double params = fp32_linear_params_on_rank(ctx), copy = state_dtypes(ctx).autocast;
    const Bytes bytes = to_bytes(params * copy, kId.data());
    if (explain)
        *explain = format_count(static_cast<std::uint64_t>(params + 0.5)) + " fp32 Linear params × " +
                   format_number(copy) + " B (" + ctx.scenario().training.mixed_precision + " autocast copy) = " +
                   format_count(bytes) + " B";
    return bytes;
}

// ---- FP8 training: Transformer Engine's quantized weight copies ------------------------------

bool Fp8WeightCopyTerm::applies(const Context& ctx) const {
    const Fp8Facts& f = ctx.fp8;
    return ctx[Sym::training] > 0 && f.backend == "transformer_engine" && !f.param_gather &&
           ctx.scenario().parallelism.fsdp == "none";
}
Bytes Fp8WeightCopyTerm::compute(const Context& ctx, std::string* explain) const {
    const ModelSpec& m = ctx.model();
    const Fp8Facts& f = ctx.fp8;
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]), t = static_cast<std::int64_t>(ctx[Sym::t]),
               ep = static_cast<std::int64_t>(ctx[Sym::ep]);
    double bytes = 0, elements = 0;
    for (std::size_t i = 0; i < m.tensors.size() && i < f.weight_copy.size(); ++i) {
        const Tensor& x = m.tensors[i];
        if (f.weight_copy[i] == 0 || !on_pipeline_stage(x, m, stage, p)) continue;
        const double div = tensor_parallel_divisor(x, t, ep);
        bytes += static_cast<double>(f.weight_copy[i]) / div;
        elements += static_cast<double>(x.numel()) * static_cast<double>(x.copies) / div;
    }
    const Bytes out = to_bytes(bytes, kId.data());
    if (explain)
        *explain = format_count(static_cast<std::uint64_t>(elements + 0.5)) + " decoder Linear weights on this rank in " +
                   f.recipe + " FP8, " + f.layouts + " = " + format_count(out) + " B (" +
                   format_number(elements > 0 ? bytes / elements : 0) + " B per weight)";
    return out;
}

// ---- ZeRO-3 / FSDP gathered parameters -------------------------------------------------------

namespace {
struct Gathered {
    double largest_tensor = 0;  // elements of the largest single tensor on the rank
    double largest_layer = 0;   // elements of the largest decoder layer on the rank
    double root = 0;            // elements outside the decoder layers (embedding, head, final norm)
    double layers = 0;          // elements of all decoder layers on the rank
    // The same as gathered bytes: the compute dtype, or the FP8 form of the Linear weights that
    // torchao's enable_fsdp_float8_all_gather gathers (Fp8Facts::weight_copy).
    double root_bytes = 0, layers_bytes = 0, largest_layer_bytes = 0;
};
Gathered gathered(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]);
    const auto t = static_cast<std::int64_t>(ctx[Sym::t]);
    const auto ep = static_cast<std::int64_t>(ctx[Sym::ep]);
    Gathered g;
    const std::size_t n = static_cast<std::size_t>(std::max<std::int64_t>(m.layers, 0));
    std::vector<double> layer(n, 0.0), layer_bytes(n, 0.0);
    const double b = ctx[Sym::bytes_act];
    const Fp8Facts& f8 = ctx.fp8;
    const bool fp8_gather = f8.backend == "torchao" && f8.param_gather;
    for (std::size_t i = 0; i < m.tensors.size(); ++i) {
        const Tensor& x = m.tensors[i];
        if (!on_pipeline_stage(x, m, stage, p)) continue;
        const double div = tensor_parallel_divisor(x, t, ep);
        const double one = static_cast<double>(x.numel()) / tensor_parallel_divisor(x, t, 1);  // one copy
        g.largest_tensor = std::max(g.largest_tensor, one);
        const double all = static_cast<double>(x.numel()) * static_cast<double>(x.copies) / div;
        const double bytes = fp8_gather && i < f8.weight_copy.size() && f8.weight_copy[i] > 0
                                 ? static_cast<double>(f8.weight_copy[i]) / div
                                 : all * b;
        if (x.layer >= 0 && static_cast<std::size_t>(x.layer) < n) {
            layer[static_cast<std::size_t>(x.layer)] += all;
            layer_bytes[static_cast<std::size_t>(x.layer)] += bytes;
        } else {
            g.root += all;
            g.root_bytes += bytes;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (layer[i] > g.largest_layer) g.largest_layer_bytes = layer_bytes[i];
        g.largest_layer = std::max(g.largest_layer, layer[i]);
        g.layers += layer[i];
        g.layers_bytes += layer_bytes[i];
    }
    return g;
}

// FSDP2 reshard_after_forward (parallelism.reshard_after_forward): false keeps every block's
// unsharded parameters from its forward to its backward (FSDPParamGroup.reshard returns early in
// the forward state, torch/distributed/fsdp/_fully_shard/_fsdp_param_group.py). torchtitan's
// "default" policy is `not pp_enabled` (torchtitan/models/llama3/infra/parallelize.py apply_fsdp,
// L319-331 at 238fa995; torchtitan/distributed/fsdp.py L132 later): auto follows it.
bool fsdp_keeps_unsharded(const Context& ctx) {
    const ParallelismSpec& q = ctx.scenario().parallelism;
    if (q.fsdp == "none") return false;
    return q.reshard_after_forward == "false" || (q.reshard_after_forward == "auto" && ctx[Sym::p] > 1);
}
}  // namespace

namespace {
// DeepSpeed ZeRO-3's PartitionedParameterCoordinator (deepspeed/runtime/zero/
// partitioned_param_coordinator.py at edaa7221), replayed over the module trace of one step:
// forward through the modules in order, then backward in reverse (with full checkpointing each
// layer's modules run forward again right before their backward, as the recorded trace has them).
//   fetch: the module in use is all-gathered in full (L363-382);
//   prefetch: then up to min(max_live - available, prefetch_bucket) elements of the modules that
//     follow in the trace, whole parameters, so the last may overshoot (L452-476);
//   release: after use, unless the module recurs within max_reuse_distance elements of the trace
//     that follows (__params_to_release L636-664);
//   persistent: tensors of at most param_persistence_threshold elements are never partitioned
//     (parameter_offload.py L311-323) and are not counted as available.
// In backward the module's unsharded gradient exists until the hook copies it to the reduce
// bucket (stage3.py __add_grad_to_ipg_bucket L1543-1567). Result: peak elements gathered (with
// that gradient) and the persistent elements.
struct Zero3Replay {
    double peak = 0;        // gathered parameters + the gradient in flight, elements
    double persistent = 0;  // elements of never-partitioned tensors on this rank
    double modules = 0;     // modules in the trace (for --explain)
};

Zero3Replay zero3_replay(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]);
    const auto t = static_cast<std::int64_t>(ctx[Sym::t]);
    const auto ep = static_cast<std::int64_t>(ctx[Sym::ep]);
    const double threshold = symbol_or(ctx, kPersistThreshold, 1e5);
    Zero3Replay out;
    // Modules in forward order: consecutive tensors of one layer and one module path form one
    // module; routed experts are one module per expert.
    struct Module {
        std::int32_t layer;
        std::string path;
        double numel;
    };
    std::vector<Module> modules;
    for (const Tensor& x : m.tensors) {
        if (!on_pipeline_stage(x, m, stage, p)) continue;
        const double one = static_cast<double>(x.numel()) / tensor_parallel_divisor(x, t, 1);
        if (one <= threshold) {
            out.persistent += one * static_cast<double>(x.copies) / (x.copies > 1 ? static_cast<double>(ep) : 1.0);
            continue;
        }
        const std::string path = x.name.substr(0, x.name.rfind('.'));
        const std::int64_t experts = x.copies > 1 ? std::max<std::int64_t>(1, x.copies / std::max<std::int64_t>(1, ep)) : 1;
        if (experts == 1 && !modules.empty() && modules.back().layer == x.layer && modules.back().path == path) {
            modules.back().numel += one;
            continue;
        }
        for (std::int64_t e = 0; e < experts; ++e) modules.push_back({x.layer, path, one});
    }
    // The trace: indices into `modules`, forward then backward.
    std::vector<std::size_t> trace;
    for (std::size_t i = 0; i < modules.size(); ++i) trace.push_back(i);
    const bool recompute = ctx.scenario().training.gradient_checkpointing == "full";
    const std::size_t forward_steps = trace.size();
    for (std::size_t end = modules.size(); end > 0;) {
        std::size_t begin = end - 1;
        if (recompute && modules[begin].layer >= 0) {
            while (begin > 0 && modules[begin - 1].layer == modules[end - 1].layer) --begin;
            for (std::size_t i = begin; i < end; ++i) trace.push_back(i);  // the recomputed forward
        }
        for (std::size_t i = end; i > begin; --i) trace.push_back(i - 1);
        end = begin;
    }
    out.modules = static_cast<double>(modules.size());
    const double prefetch = symbol_or(ctx, kPrefetchBucket, 5e7);
    const double max_live = symbol_or(ctx, kMaxLive, 1e9);
    const double reuse = symbol_or(ctx, kReuseDistance, 1e9);
    std::vector<char> available(modules.size(), 0);
    double n_available = 0;
    std::size_t queue = 0;
    for (std::size_t step = 0; step < trace.size(); ++step) {
        const std::size_t u = trace[step];
        if (!available[u]) available[u] = 1, n_available += modules[u].numel;
        queue = std::max(queue, step + 1);
        const double budget = std::min(max_live - n_available, prefetch);
        double fetching = 0;
        while (queue < trace.size() && fetching < budget) {
            const std::size_t v = trace[queue++];
            if (!available[v]) available[v] = 1, n_available += modules[v].numel, fetching += modules[v].numel;
        }
        const bool backward = step >= forward_steps;
        out.peak = std::max(out.peak, n_available + (backward ? modules[u].numel : 0.0));
        double traversed = 0;
        bool reused = false;
        for (std::size_t k = step + 1; k < trace.size() && traversed < reuse; ++k) {
            if (trace[k] == u) {
                reused = true;
                break;
            }
            traversed += modules[trace[k]].numel;
        }
        if (!reused) available[u] = 0, n_available -= modules[u].numel;
    }
    return out;
}
}  // namespace

namespace {
std::string gathered_dtype(const Context& ctx) {
    if (ctx.fp8.backend == "torchao" && ctx.fp8.param_gather)
        return "in " + format_number(ctx[Sym::bytes_act]) +
               " B, the decoder Linear weights in FP8 (1 B + an fp32 scale per tensor: torchao "
               "enable_fsdp_float8_all_gather, fsdp_utils.py WeightWithDynamicFloat8CastTensor)";
    return "× " + format_number(ctx[Sym::bytes_act]) + " B";
}
}  // namespace

bool GatheredParamsTerm::applies(const Context& ctx) const { return ctx[Sym::training] > 0 && ctx[Sym::zero] >= 3; }
Bytes GatheredParamsTerm::compute(const Context& ctx, std::string* explain) const {
    const Gathered g = gathered(ctx);
    if (convention(ctx) == Convention::deepspeed) {
        // 16-bit gathered copies; the persistent tensors are whole on every rank, of which
        // core.weights already counts the 1/dp share.
        const Zero3Replay z = zero3_replay(ctx);
        const double b = ctx[Sym::bytes_act];
        const double dp = zero_divisor(ctx, 3);
        const double persistent_extra = z.persistent * (1.0 - 1.0 / std::max(1.0, dp));
        const Bytes bytes = to_bytes((z.peak + persistent_extra) * b, kId.data());
        if (explain)
            *explain = "(" + format_count(static_cast<std::uint64_t>(z.peak + 0.5)) +
                       " elements at the peak of ZeRO-3's fetch / prefetch / release replay over " +
                       format_count(static_cast<std::uint64_t>(z.modules)) + " modules, with the gradient in flight + " +
                       format_count(static_cast<std::uint64_t>(z.persistent + 0.5)) +
                       " persistent × (1 − 1/" + format_number(dp) + ")) × " + format_number(b) +
                       " B [deepspeed convention: prefetch " + format_number(symbol_or(ctx, kPrefetchBucket, 5e7)) +
                       ", max_live " + format_number(symbol_or(ctx, kMaxLive, 1e9)) + ", reuse distance " +
                       format_number(symbol_or(ctx, kReuseDistance, 1e9)) + ", persistence " +
                       format_number(symbol_or(ctx, kPersistThreshold, 1e5)) + "] = " + format_count(bytes) + " B";
        return bytes;
    }
    const double b = ctx[Sym::bytes_act];
    if (fsdp_keeps_unsharded(ctx)) {
        // Every block of the stage stays gathered from its forward to its backward: at the start
        // of the backward all of them are live, and the first block's gradient on top.
        const Bytes bytes = to_bytes(g.root_bytes + g.layers_bytes + g.largest_layer * b, kId.data());
        if (explain)
            *explain = "(" + format_count(static_cast<std::uint64_t>(g.root + 0.5)) + " root + " +
                       format_count(static_cast<std::uint64_t>(g.layers + 0.5)) + " in all blocks, kept unsharded "
                       "after forward) " + gathered_dtype(ctx) + " + " +
                       format_count(static_cast<std::uint64_t>(g.largest_layer + 0.5)) + " × " + format_number(b) +
                       " B [FSDP2 reshard_after_forward false" +
                       (ctx.scenario().parallelism.reshard_after_forward == "auto" ? " (auto: pipeline parallel)" : "") +
                       "] = " + format_count(bytes) + " B";
        return bytes;
    }
    const Bytes bytes = to_bytes(g.root_bytes + 2 * g.largest_layer_bytes + g.largest_layer * b, kId.data());
    if (explain)
        *explain = "(" + format_count(static_cast<std::uint64_t>(g.root + 0.5)) + " root + 2 × " +
                   format_count(static_cast<std::uint64_t>(g.largest_layer + 0.5)) + " layer) " + gathered_dtype(ctx) +
                   " + " + format_count(static_cast<std::uint64_t>(g.largest_layer + 0.5)) + " × " +
                   format_number(b) + " B [FSDP, hf convention] = " + format_count(bytes) + " B";
    return bytes;
}

// ---- FSDP + pipeline parallelism: unsharded gradients across micro-batches -------------------

// torch.distributed.pipelining stage.py backward_maybe_with_nosync: for an FSDP module every
// micro-batch's backward but the last runs with set_requires_gradient_sync(False) and
// set_reshard_after_backward(False), so each parameter's gradient stays unsharded and accumulates
// until the last micro-batch; with a reduce_dtype it is kept as unsharded_accumulated_grad in that
// dtype (FSDPParam.to_accumulated_grad_if_needed). torchtitan's reduce dtype is fp32
// (mixed_precision_reduce, job_config.py).
bool FsdpPipelineGradsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0 && ctx.scenario().parallelism.fsdp == "full_shard" &&
           ctx[Sym::p] > 1;
}
Bytes FsdpPipelineGradsTerm::compute(const Context& ctx, std::string* explain) const {
    const double params = trainable_on_rank(ctx);
    const double rd = ctx.scenario().training.mixed_precision != "none" ? 4.0 : state_dtypes(ctx).grad;
    const Bytes bytes = to_bytes(params * rd, kId.data());
    if (explain)
        *explain = params_text(ctx) + " (unsharded, this stage) × " + format_number(rd) +
                   " B (reduce dtype) [FSDP + pipeline: gradients accumulate unsharded until the last micro-batch] = " +
                   format_count(bytes) + " B";
    return bytes;
}

// ---- DDP buckets -----------------------------------------------------------------------------

bool DdpBucketsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0 && ctx[Sym::dp] > 1 && ctx[Sym::zero] == 0 &&
           convention(ctx) == Convention::hf && symbol_or(ctx, kBucketView, 0) == 0;
}
Bytes DdpBucketsTerm::compute(const Context& ctx, std::string* explain) const {
    const double grad = state_dtypes(ctx).grad;
    const Bytes bytes = to_bytes(trainable_on_rank(ctx) * grad, kId.data());
    if (explain)
        *explain = params_text(ctx) + " × " + format_number(grad) +
                   " B (DDP buckets, gradient_as_bucket_view false) = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins::training

namespace vram::plugins::training {

// ---- DeepSpeed contiguous gradient bucket ----------------------------------------------------

bool DeepSpeedBucketTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0 && ctx[Sym::zero] >= 1 &&
           convention(ctx) == Convention::deepspeed;
}
Bytes DeepSpeedBucketTerm::compute(const Context& ctx, std::string* explain) const {
    // Allocated at its configured size whatever the model size (torch.empty(reduce_bucket_size)).
    const double elements = symbol_or(ctx, kReduceBucket, 5e8);
    const double grad = state_dtypes(ctx).grad;
    const Bytes bytes = to_bytes(elements * grad, kId.data());
    if (explain)
        *explain = format_number(elements) + " elements × " + format_number(grad) + " B = " + format_count(bytes) +
                   " B";
    return bytes;
}

}  // namespace vram::plugins::training
