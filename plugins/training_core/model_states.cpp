// model_states.cpp - gradients, optimizer states, master weights, the autocast weight copy and
// the buffers that scale with the parameters (formulas.md §5.1-5.2).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>

#include "model_states.hpp"
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

std::string_view GradientsTerm::formula() const {
    return "P_trainable(rank) × bytes(grad) / (dp under ZeRO-2/3 or FSDP)";
}
std::string_view GradientsTerm::source() const {
    return "one gradient per trainable parameter in the dtype autograd writes: the parameter dtype (torch), 16-bit "
           "(DeepSpeed), fp32 main_grad (Megatron bf16); partitioned by ZeRO-2/3 and FSDP (ZeRO paper "
           "arXiv 1910.02054 §5; DeepSpeed estimate_zero2/3_model_states_mem_needs; torch FSDP ShardingStrategy); "
           "0 on the GPU when ZeRO-2/3 offloads the optimizer (DeepSpeed estimator: GPU = 2Ψ). formulas.md §5.1-5.2";
}
bool GradientsTerm::applies(const Context& ctx) const { return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0; }
Bytes GradientsTerm::evaluate(const Context& ctx) const {
    const StateDtypes d = state_dtypes(ctx);
    if (zero2_offloaded(ctx)) return 0;
    const double div = d.grad_sharded_by_zero ? zero_divisor(ctx, 2) : 1.0;
    return to_bytes(trainable_on_rank(ctx) * d.grad / div, "training.gradients");
}
std::string GradientsTerm::substitute(const Context& ctx) const {
    const StateDtypes d = state_dtypes(ctx);
    if (zero2_offloaded(ctx)) return "offloaded to CPU with the optimizer (ZeRO-" + format_number(ctx[Sym::zero]) + ") = 0 B";
    std::string s = params_text(ctx) + " × " + format_number(d.grad) + " B";
    if (d.grad_sharded_by_zero) s += zero_suffix(ctx, 2);
    else if (ctx[Sym::zero] >= 1) s += " (Megatron's grad buffer is not sharded by the distributed optimizer)";
    return s + conv_text(d) + " = " + format_count(evaluate(ctx)) + " B";
}

std::string_view Fp32GradientsTerm::formula() const {
    return "P_trainable(rank) × 4 / (dp under ZeRO-1+ / distributed optimizer)";
}
std::string_view Fp32GradientsTerm::source() const {
    return "fp32 copy of the gradients the optimizer steps with: DeepSpeed '4_grads_32bit' (estimate_zero2/3_"
           "model_states_mem_needs), Megatron fp16 '4 + 16/d' (docs/user-guide/features/dist_optimizer.md); "
           "formulas.md §5.1";
}
bool Fp32GradientsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0 && state_dtypes(ctx).grad32 > 0;
}
Bytes Fp32GradientsTerm::evaluate(const Context& ctx) const {
    const StateDtypes d = state_dtypes(ctx);
    if (offload_optimizer(ctx)) return 0;
    const double div = d.grad32_sharded ? zero_divisor(ctx, 1) : 1.0;
    return to_bytes(trainable_on_rank(ctx) * d.grad32 / div, "training.gradients.fp32");
}
std::string Fp32GradientsTerm::substitute(const Context& ctx) const {
    const StateDtypes d = state_dtypes(ctx);
    if (offload_optimizer(ctx)) return "on the CPU with the offloaded optimizer = 0 B";
    return params_text(ctx) + " × " + format_number(d.grad32) + " B" + zero_suffix(ctx, 1) + conv_text(d) + " = " +
           format_count(evaluate(ctx)) + " B";
}

// ---- optimizer states ------------------------------------------------------------------------

std::string_view OptimizerStatesTerm::formula() const {
    return "optimizer.state_bytes(trainable tensors on this rank) / (dp under ZeRO-1+ or FSDP)";
}
std::string_view OptimizerStatesTerm::source() const {
    return "state layout of the scenario's optimizer (torch.optim AdamW/SGD/Adafactor, bitsandbytes 8-bit and paged "
           "optimizers, lion-pytorch), fp32 under mixed precision; partitioned by ZeRO-1/2/3 (ZeRO paper §5) and FSDP; "
           "on the CPU with parallelism.offload. formulas.md §5.1-5.2";
}
bool OptimizerStatesTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0 && ctx.optimizer != nullptr;
}
Bytes OptimizerStatesTerm::evaluate(const Context& ctx) const {
    if (offload_optimizer(ctx) || !ctx.optimizer) return 0;
    double bytes;
    if (ctx[Sym::t] <= 1 && ctx[Sym::p] <= 1 && ctx[Sym::ep] <= 1) {
        bytes = ctx.optimizer->state_bytes(ctx);
    } else {
        // The optimizer only sees this rank's shards (which matters for per-tensor layouts: 8-bit
        // blocks and the fp32 fallback of small tensors, Adafactor's row/column factors).
        Context local = ctx;
        local.trainable_tensors = rank_local_tensors(ctx);
        bytes = ctx.optimizer->state_bytes(local);
    }
    return to_bytes(bytes / zero_divisor(ctx, 1), "training.optimizer_states");
}
std::string OptimizerStatesTerm::substitute(const Context& ctx) const {
    if (!ctx.optimizer) return "no optimizer = 0 B";
    const std::string name(ctx.optimizer->key());
    if (offload_optimizer(ctx)) return name + " states on the CPU (parallelism.offload) = 0 B";
    return name + " (" + std::string(ctx.optimizer->describe()) + ") over " + params_text(ctx) + zero_suffix(ctx, 1) +
           " = " + format_count(evaluate(ctx)) + " B";
}

// ---- master weights --------------------------------------------------------------------------

std::string_view MasterWeightsTerm::formula() const { return "P_trainable(rank) × 4 / (dp under ZeRO-1+)"; }
std::string_view MasterWeightsTerm::source() const {
    return "fp32 master copy of 16-bit trainable weights kept by the optimizer: ZeRO paper K=12 = 4 (master) + 8 "
           "(Adam); DeepSpeed '4_params_32bit'; Megatron dist_optimizer.md. torch.autocast keeps none (the fp32 "
           "weights are the master). formulas.md §5.1";
}
bool MasterWeightsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0 && state_dtypes(ctx).master > 0;
}
Bytes MasterWeightsTerm::evaluate(const Context& ctx) const {
    if (offload_optimizer(ctx)) return 0;
    return to_bytes(trainable_on_rank(ctx) * state_dtypes(ctx).master / zero_divisor(ctx, 1), "training.master_weights");
}
std::string MasterWeightsTerm::substitute(const Context& ctx) const {
    const StateDtypes d = state_dtypes(ctx);
    if (offload_optimizer(ctx)) return "on the CPU with the offloaded optimizer = 0 B";
    return params_text(ctx) + " × " + format_number(d.master) + " B" + zero_suffix(ctx, 1) + conv_text(d) + " = " +
           format_count(evaluate(ctx)) + " B";
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

std::string_view AutocastCopyTerm::formula() const {
    return "Σ fp32 Linear weights on this rank × 2 (half-precision copies autocast keeps for backward)";
}
std::string_view AutocastCopyTerm::source() const {
    return "torch.autocast casts fp32 Linear weights to fp16/bf16 per matmul (weight casts cached inside the autocast "
           "region; autograd saves them for backward): the '+2 bytes' of transformers model_memory_anatomy.md "
           "('mixed precision training: 6 bytes per parameter'). Embeddings and norms are not cast. formulas.md §5.1";
}
bool AutocastCopyTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && state_dtypes(ctx).autocast > 0 && ctx[Sym::zero] < 3 &&
           fp32_linear_params_on_rank(ctx) > 0;  // e.g. a 16-bit LoRA base has nothing to cast
}
Bytes AutocastCopyTerm::evaluate(const Context& ctx) const {
    return to_bytes(fp32_linear_params_on_rank(ctx) * state_dtypes(ctx).autocast, "training.weights.autocast_copy");
}
std::string AutocastCopyTerm::substitute(const Context& ctx) const {
    return format_count(static_cast<std::uint64_t>(fp32_linear_params_on_rank(ctx) + 0.5)) + " fp32 Linear params × " +
           format_number(state_dtypes(ctx).autocast) + " B (" + ctx.scenario().training.mixed_precision +
           " autocast copy) = " + format_count(evaluate(ctx)) + " B";
}

// ---- ZeRO-3 / FSDP gathered parameters -------------------------------------------------------

namespace {
struct Gathered {
    double largest_tensor = 0;  // elements of the largest single tensor on the rank
    double largest_layer = 0;   // elements of the largest decoder layer on the rank
    double root = 0;            // elements outside the decoder layers (embedding, head, final norm)
};
Gathered gathered(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]);
    const auto t = static_cast<std::int64_t>(ctx[Sym::t]);
    const auto ep = static_cast<std::int64_t>(ctx[Sym::ep]);
    Gathered g;
    std::vector<double> layer(static_cast<std::size_t>(std::max<std::int64_t>(m.layers, 0)), 0.0);
    for (const Tensor& x : m.tensors) {
        if (!on_pipeline_stage(x, m, stage, p)) continue;
        const double div = tensor_parallel_divisor(x, t, ep);
        const double one = static_cast<double>(x.numel()) / tensor_parallel_divisor(x, t, 1);  // one copy
        g.largest_tensor = std::max(g.largest_tensor, one);
        const double all = static_cast<double>(x.numel()) * static_cast<double>(x.copies) / div;
        if (x.layer >= 0 && static_cast<std::size_t>(x.layer) < layer.size()) layer[static_cast<std::size_t>(x.layer)] += all;
        else g.root += all;
    }
    for (double v : layer) g.largest_layer = std::max(g.largest_layer, v);
    return g;
}
}  // namespace

std::string_view GatheredParamsTerm::formula() const {
    return "deepspeed: 4 × largest module params; FSDP: (root unit + 2 × largest layer) × bytes_act + largest "
           "layer × bytes_act (its unsharded gradient)";
}
std::string_view GatheredParamsTerm::source() const {
    return "DeepSpeed estimate_zero3_model_states_mem_needs: largest_layer_memory = 4 × largest_layer_params (16-bit "
           "params + grads of the live module); FSDP FULL_SHARD all-gathers one wrapped unit (a decoder layer under "
           "transformer_auto_wrap_policy) plus the prefetched next one, the root unit (embedding, head) stays "
           "gathered, and a unit's unsharded gradient lives until its reduce-scatter [DER from torch FSDP "
           "ShardingStrategy / BackwardPrefetch docs]. formulas.md §5.2";
}
bool GatheredParamsTerm::applies(const Context& ctx) const { return ctx[Sym::training] > 0 && ctx[Sym::zero] >= 3; }
Bytes GatheredParamsTerm::evaluate(const Context& ctx) const {
    const Gathered g = gathered(ctx);
    if (convention(ctx) == Convention::deepspeed) return to_bytes(4 * g.largest_tensor, "training.buffers.zero3_gathered");
    const double b = ctx[Sym::bytes_act];
    return to_bytes((g.root + 2 * g.largest_layer) * b + g.largest_layer * b, "training.buffers.zero3_gathered");
}
std::string GatheredParamsTerm::substitute(const Context& ctx) const {
    const Gathered g = gathered(ctx);
    if (convention(ctx) == Convention::deepspeed)
        return "4 × " + format_count(static_cast<std::uint64_t>(g.largest_tensor + 0.5)) +
               " params of the largest module [deepspeed convention] = " + format_count(evaluate(ctx)) + " B";
    return "(" + format_count(static_cast<std::uint64_t>(g.root + 0.5)) + " root + 2 × " +
           format_count(static_cast<std::uint64_t>(g.largest_layer + 0.5)) + " layer) × " +
           format_number(ctx[Sym::bytes_act]) + " B + " + format_count(static_cast<std::uint64_t>(g.largest_layer + 0.5)) +
           " × " + format_number(ctx[Sym::bytes_act]) + " B [FSDP, hf convention] = " + format_count(evaluate(ctx)) + " B";
}

// ---- DDP buckets -----------------------------------------------------------------------------

std::string_view DdpBucketsTerm::formula() const { return "P_trainable(rank) × bytes(grad)  (dp > 1, no ZeRO)"; }
std::string_view DdpBucketsTerm::source() const {
    return "torch DistributedDataParallel copies gradients into its all-reduce buckets unless "
           "gradient_as_bucket_view=True, which 'can reduce peak memory usage, where the saved memory size will be "
           "equal to the total gradients size' (torch.nn.parallel.DistributedDataParallel docs)";
}
bool DdpBucketsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0 && ctx[Sym::dp] > 1 && ctx[Sym::zero] == 0 &&
           convention(ctx) == Convention::hf && symbol_or(ctx, kBucketView, 0) == 0;
}
Bytes DdpBucketsTerm::evaluate(const Context& ctx) const {
    return to_bytes(trainable_on_rank(ctx) * state_dtypes(ctx).grad, "training.buffers.ddp_buckets");
}
std::string DdpBucketsTerm::substitute(const Context& ctx) const {
    return params_text(ctx) + " × " + format_number(state_dtypes(ctx).grad) +
           " B (DDP buckets, gradient_as_bucket_view false) = " + format_count(evaluate(ctx)) + " B";
}

}  // namespace vram::plugins::training

namespace vram::plugins::training {

// ---- DeepSpeed contiguous gradient bucket ----------------------------------------------------

std::string_view DeepSpeedBucketTerm::formula() const { return "reduce_bucket_size × bytes(grad)  (deepspeed, ZeRO ≥ 1)"; }
std::string_view DeepSpeedBucketTerm::source() const {
    return "DeepSpeed ZeRO with contiguous_gradients (default true) allocates an ipg bucket of reduce_bucket_size "
           "16-bit elements (stage_1_and_2.py / stage3.py; default 5e8, runtime/zero/config.py). overlap_comm "
           "multiplies bucket use further (transformers deepspeed.md: 4.5×), not modelled. formulas.md §5.2";
}
bool DeepSpeedBucketTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] > 0 && ctx[Sym::P_trainable] > 0 && ctx[Sym::zero] >= 1 &&
           convention(ctx) == Convention::deepspeed;
}
Bytes DeepSpeedBucketTerm::evaluate(const Context& ctx) const {
    // Allocated at its configured size whatever the model size (torch.empty(reduce_bucket_size)).
    const double elements = symbol_or(ctx, kReduceBucket, 5e8);
    return to_bytes(elements * state_dtypes(ctx).grad, "training.buffers.deepspeed_bucket");
}
std::string DeepSpeedBucketTerm::substitute(const Context& ctx) const {
    return format_number(symbol_or(ctx, kReduceBucket, 5e8)) + " elements × " + format_number(state_dtypes(ctx).grad) +
           " B = " + format_count(evaluate(ctx)) + " B";
}

}  // namespace vram::plugins::training
