// common.cpp - conventions, ZeRO divisors and rank-local tensors shared by the training terms.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include "common.hpp"

#include "vram/error.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins::training {

double symbol_or(const Context& ctx, const char* name, double fallback) { return ctx.get(name, fallback); }

Convention auto_convention(const Scenario& s) noexcept {
    const ParallelismSpec& q = s.parallelism;
    if (q.fsdp != "none") return Convention::hf;
    if (q.zero > 0) return Convention::deepspeed;
    if (q.tensor > 1 || q.pipeline > 1) return Convention::megatron;
    return Convention::hf;
}

Convention convention(const Context& ctx) {
    const double v = symbol_or(ctx, kConvention, -1);
    if (v == 1) return Convention::deepspeed;
    if (v == 2) return Convention::megatron;
    if (v == 0) return Convention::hf;
    return auto_convention(ctx.scenario());
}

const char* convention_name(Convention c) noexcept {
    switch (c) {
        case Convention::deepspeed: return "deepspeed";
        case Convention::megatron: return "megatron";
        case Convention::hf: break;
    }
    return "hf";
}

StateDtypes state_dtypes(const Context& ctx) {
    StateDtypes d;
    d.conv = convention(ctx);
    d.amp = ctx.scenario().training.mixed_precision != "none";
    // The method states the dtype of what it trains (MethodFacts); the pipeline refuses a method
    // that trains tensors without saying it.
    d.param = ctx.method.trainable_bytes > 0 ? ctx.method.trainable_bytes : (ctx[Sym::bytes_w] > 0 ? ctx[Sym::bytes_w] : 2);
    // Without mixed precision every framework keeps grads and optimizer states in the parameter
    // dtype (torch optimizers allocate state with zeros_like(param)); no master copy.
    d.grad = d.param;
    d.state = d.param;
    if (!d.amp) return d;
    switch (d.conv) {
        case Convention::hf:
            // torch.autocast: parameters stay as stored (fp32 for AMP), so do grads and AdamW state;
            // the fp32 parameters are the master weights. Autocast caches a half-precision copy of
            // each fp32 weight it feeds to a matmul, and autograd keeps it until that layer's
            // backward: the "+2 bytes" of the HF docs' 18 bytes per parameter.
            if (d.param >= 4) d.autocast = 2;
            break;
        case Convention::deepspeed:
            // DeepSpeed's fp16/bf16 engine: 16-bit params and grads, fp32 grad partition at step,
            // fp32 master params, fp32 Adam states (estimate_zero2_model_states_mem_needs:
            // "18 = 2_grads_16bit + 4_grads_32bit + 4_params_32bit + 8_optimizer_states_32bit").
            // ZeRO-3 keeps the 16-bit gradient partition in grad_partitions_flat_buffer (stage3.py),
            // so this counts 20/N where the estimator's comment says 18/N.
            d.grad = 2;
            d.grad32 = 4;
            d.master = 4;
            d.state = 4;
            break;
        case Convention::megatron:
            d.master = 4;
            d.state = 4;
            if (ctx.scenario().training.mixed_precision == "bf16") {
                // bf16 params, fp32 main_grad buffer (grads accumulate there directly), not sharded
                // by the distributed optimizer: 18 or 6 + 12/d bytes (dist_optimizer.md table).
                d.grad = 4;
                d.grad_sharded_by_zero = false;
                if (symbol_or(ctx, kExpAvgBytes, 0) > 0) {
                    // Precision-aware optimizer (FullMethod::prepare validated the choice): TE's
                    // FusedAdam holds the master copy and both moments in the configured dtypes
                    // (megatron/core/optimizer/__init__.py: master_weights, exp_avg_dtype,
                    // exp_avg_sq_dtype); the grad buffer is main_grads_dtype. A per-element state
                    // size is the mean of the two moments (AdamW keeps one of each per parameter).
                    d.state = (symbol_or(ctx, kExpAvgBytes, 4) + symbol_or(ctx, kExpAvgSqBytes, 4)) / 2;
                    d.master = symbol_or(ctx, kMainParamBytes, 4);
                    d.grad = symbol_or(ctx, kMainGradBytes, 4);
                }
            } else {
                // fp16 params and grads, fp32 grad copy inside the optimizer: 20 or 4 + 16/d.
                d.grad = 2;
                d.grad_sharded_by_zero = false;
                d.grad32 = 4;
            }
            break;
    }
    return d;
}

double zero_divisor(const Context& ctx, int stage) noexcept {
    const double group = ctx[Sym::dp] * std::max(1.0, ctx[Sym::cp]);
    return ctx[Sym::zero] >= stage && group > 1 ? group : 1.0;
}

double expert_zero_divisor(const Context& ctx, int stage) noexcept {
    return std::max(1.0, zero_divisor(ctx, stage) / std::max(1.0, ctx[Sym::ep]));
}

bool routed_expert(const Tensor& t) noexcept { return t.copies > 1 && t.group.rfind("experts", 0) == 0; }

bool quantized_linear(const Context& ctx, std::size_t j) noexcept {
    const auto& tensors = ctx.model().tensors;
    if (j >= tensors.size() || j >= ctx.tensor_bytes.size()) return false;
    const Tensor& t = tensors[j];
    const double n = static_cast<double>(t.numel()) * static_cast<double>(t.copies);
    return t.linear && !t.embedding && static_cast<double>(ctx.tensor_bytes[j]) < 2 * n;
}

double sharded_trainable_on_rank(const Context& ctx, int stage) {
    const double dense_div = zero_divisor(ctx, stage), expert_div = expert_zero_divisor(ctx, stage);
    if (dense_div == expert_div) return trainable_on_rank(ctx) / dense_div;
    std::vector<Tensor> dense, experts;
    for (const Tensor& t : ctx.trainable_tensors) (routed_expert(t) ? experts : dense).push_back(t);
    return parameters_on_rank(ctx, dense) / dense_div + parameters_on_rank(ctx, experts) / expert_div;
}

bool offload_optimizer(const Context& ctx) noexcept { return ctx.scenario().parallelism.offload != "none"; }

bool offload_parameters(const Context& ctx) noexcept {
    return ctx.scenario().parallelism.offload == "optimizer+parameters";
}

double trainable_on_rank(const Context& ctx) { return parameters_on_rank(ctx, ctx.trainable_tensors); }

std::vector<Tensor> rank_local_tensors(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]);
    const auto t = static_cast<std::int64_t>(ctx[Sym::t]);
    const auto ep = static_cast<std::int64_t>(ctx[Sym::ep]);
    std::vector<Tensor> out;
    out.reserve(ctx.trainable_tensors.size());
    for (const Tensor& x : ctx.trainable_tensors) {
        if (!on_pipeline_stage(x, m, stage, p)) continue;
        Tensor local = x;
        // Megatron pads the vocabulary and requires the other dimensions to divide by t, so the
        // shard is rows / t rounded up (column- and row-parallel shards have the same numel).
        if ((x.linear || x.embedding) && x.cols > 1 && t > 1) local.rows = (x.rows + t - 1) / t;
        if (x.copies > 1 && x.group.rfind("experts", 0) == 0 && ep > 1) local.copies = (x.copies + ep - 1) / ep;
        out.push_back(std::move(local));
    }
    return out;
}

std::string zero_suffix(const Context& ctx, int stage) {
    if (zero_divisor(ctx, stage) <= 1) return {};
    const bool fsdp = ctx.scenario().parallelism.fsdp != "none";
    std::string what = fsdp ? "FSDP " + ctx.scenario().parallelism.fsdp : "ZeRO-" + format_number(ctx[Sym::zero]);
    std::string group = ctx[Sym::cp] > 1 ? "dp·cp=" + format_number(zero_divisor(ctx, stage))
                                         : "dp=" + format_number(ctx[Sym::dp]);
    std::string out = " / " + group + " (" + what + " shards it over the data-parallel group";
    if (ctx[Sym::ep] > 1 && expert_zero_divisor(ctx, stage) != zero_divisor(ctx, stage))
        out += "; routed experts over the expert-data-parallel group, " + format_number(expert_zero_divisor(ctx, stage)) +
               " ranks = dp·cp/ep";
    return out + ")";
}

// The key combinations the libraries refuse or that mean nothing, one line each.
void check_checkpoint_keys(const Context& ctx) {
    const TrainingSpec& t = ctx.scenario().training;
    if (t.gradient_checkpointing != "full" && (t.recompute_method != "uniform" || t.recompute_num_layers != 1)) {
        const std::string key = t.recompute_method != "uniform" ? "training.recompute_method" : "training.recompute_num_layers";
        throw ParamError(key, key + ": chooses the layers full checkpointing recomputes; it needs "
                              "training.gradient_checkpointing: full (got '" + t.gradient_checkpointing + "')");
    }
    if (t.activation_offload == "checkpoints" && t.gradient_checkpointing != "full" && t.gradient_checkpointing != "op")
        throw ParamError("training.activation_offload",
                         "training.activation_offload: checkpoints moves what checkpointing keeps to the host; it "
                         "needs training.gradient_checkpointing: full or op (got '" + t.gradient_checkpointing +
                             "'); all offloads every saved tensor");
}

// torch.compile's saved set is stated for dense decoder layers (q, k, v attention, a dense MLP) of
// a transformers model. HF MoE blocks loop over experts with data-dependent indexing (graph
// breaks), MLA and SSM layers have no statement here, and Megatron builds its layers from
// Transformer Engine modules instead of compiling them.
void check_compile_keys(const Context& ctx) {
    if (ctx.scenario().training.torch_compile == "none") return;
    if (convention(ctx) == Convention::megatron)
        throw ParamError("training.torch_compile", "training.torch_compile: stated for transformers models (conventions "
                                                   "hf and deepspeed); Megatron builds its layers from Transformer "
                                                   "Engine modules");
    for (const LayerSpec& l : ctx.model().layer_specs) {
        const char* what = l.moe ? "routed experts (HF MoE blocks loop over experts with data-dependent indexing, "
                                   "which breaks the graph)"
                           : l.attention == LayerAttention::mla ? "MLA attention"
                           : l.attention == LayerAttention::ssm ? "state-space layers"
                                                                : nullptr;
        if (what)
            throw ParamError("training.torch_compile", std::string("training.torch_compile: stated for dense decoder "
                                                               "layers (q, k, v attention and a dense MLP); this "
                                                               "model has ") + what);
    }
}

}  // namespace vram::plugins::training
