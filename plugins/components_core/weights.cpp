// weights.cpp - stored weights per GPU (formulas.md §1-2, §5.2 for the sharding rules).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include "terms.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {
namespace {

// ZeRO-3 and FSDP full_shard partition the parameters over the data-parallel group.
double zero3_divisor(const Context& ctx) {
    // FSDP and ZeRO-3 shard over the data-parallel group including context parallelism
    // (torchtitan's dp_shard × cp mesh; DeepSpeed's sequence-data-parallel group).
    return ctx[Sym::training] > 0 && ctx[Sym::zero] >= 3 ? ctx[Sym::dp] * std::max(1.0, ctx[Sym::cp]) : 1.0;
}

// ZeRO-3 / FSDP with parameter offload keep the partitions in CPU memory; only the gathered live
// module is on the GPU (training.buffers.zero3_gathered; DeepSpeed estimator: GPU = largest layer).
bool params_offloaded(const Context& ctx) {
    return ctx[Sym::training] > 0 && ctx[Sym::zero] >= 3 && ctx.scenario().parallelism.offload == "optimizer+parameters";
}

}  // namespace

Bytes WeightsTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes =
        params_offloaded(ctx) ? 0 : to_bytes(weight_bytes_on_rank(ctx) / zero3_divisor(ctx), kId.data());
    if (!explain) return bytes;
    std::string s = format_count(static_cast<std::uint64_t>(ctx[Sym::P_total])) + " params in " + ctx.weight_format +
                    " = " + format_count(static_cast<std::uint64_t>(ctx[Sym::W])) + " B (" +
                    format_number(ctx[Sym::bytes_w]) + " B/param)";
    if (ctx[Sym::t] > 1 || ctx[Sym::p] > 1 || ctx[Sym::ep] > 1)
        s += "; on this rank with t=" + format_number(ctx[Sym::t]) + ", p=" + format_number(ctx[Sym::p]) + " (stage " +
             format_number(ctx[Sym::stage]) + "), ep=" + format_number(ctx[Sym::ep]);
    if (zero3_divisor(ctx) > 1)
        s += "; / " + std::string(ctx[Sym::cp] > 1 ? "dp·cp=" : "dp=") + format_number(zero3_divisor(ctx)) +
             " (ZeRO-3 / FSDP full_shard)";
    if (params_offloaded(ctx)) s += "; partitions offloaded to CPU (parallelism.offload: optimizer+parameters)";
    if (const double host = offloaded_weight_bytes_on_rank(ctx); host > 0)
        s += "; − " + format_count(static_cast<std::uint64_t>(std::llround(host))) +
             " B of decoder layers the engine keeps in host memory (runtime.cpu_offload_gb)";
    *explain = s + " → " + format_count(bytes) + " B";
    return bytes;
}

Bytes WeightsTerm::host_bytes(const Context& ctx) const {
    return to_bytes(offloaded_weight_bytes_on_rank(ctx), kId.data());
}

}  // namespace vram::plugins
