// weights.cpp - stored weights per GPU (formulas.md §1-2, §5.2 for the sharding rules).
// SPDX-License-Identifier: Apache-2.0
#include "terms.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {
namespace {

// ZeRO-3 and FSDP full_shard partition the parameters over the data-parallel group.
double zero3_divisor(const Context& ctx) {
    return ctx[Sym::training] > 0 && ctx[Sym::zero] >= 3 ? ctx[Sym::dp] : 1.0;
}

// ZeRO-3 / FSDP with parameter offload keep the partitions in CPU memory; only the gathered live
// module is on the GPU (training.buffers.zero3_gathered; DeepSpeed estimator: GPU = largest layer).
bool params_offloaded(const Context& ctx) {
    return ctx[Sym::training] > 0 && ctx[Sym::zero] >= 3 && ctx.scenario().parallelism.offload == "optimizer+parameters";
}

}  // namespace

std::string_view WeightsTerm::formula() const {
    return "Σ_tensors on this rank numel · bytes(format) / (t for Linear and embedding tensors, ep for experts) / (dp under ZeRO-3)";
}

std::string_view WeightsTerm::source() const {
    return "exact tensor list of the model adapter × the weight format's bytes per tensor (formulas.md §1-2); "
           "Megatron TP/PP/EP placement and ZeRO-3 partitioning (formulas.md §5.2)";
}

Bytes WeightsTerm::evaluate(const Context& ctx) const {
    if (params_offloaded(ctx)) return 0;
    return to_bytes(weight_bytes_on_rank(ctx) / zero3_divisor(ctx), "core.weights");
}

std::string WeightsTerm::substitute(const Context& ctx) const {
    std::string s = format_count(static_cast<std::uint64_t>(ctx[Sym::P_total])) + " params in " + ctx.weight_format +
                    " = " + format_count(static_cast<std::uint64_t>(ctx[Sym::W])) + " B (" +
                    format_number(ctx[Sym::bytes_w]) + " B/param)";
    if (ctx[Sym::t] > 1 || ctx[Sym::p] > 1 || ctx[Sym::ep] > 1)
        s += "; on this rank with t=" + format_number(ctx[Sym::t]) + ", p=" + format_number(ctx[Sym::p]) + " (stage " +
             format_number(ctx[Sym::stage]) + "), ep=" + format_number(ctx[Sym::ep]);
    if (zero3_divisor(ctx) > 1) s += "; / dp=" + format_number(ctx[Sym::dp]) + " (ZeRO-3 / FSDP full_shard)";
    if (params_offloaded(ctx)) s += "; partitions offloaded to CPU (parallelism.offload: optimizer+parameters)";
    return s + " → " + format_count(evaluate(ctx)) + " B";
}

}  // namespace vram::plugins
