// rope_tables.cpp - what the engines hold for the model beyond its checkpoint tensors: the rotary
// cos/sin tables vLLM and SGLang precompute once per model setup (framework/model/rotary.cpp
// derives their shape from the config) and the padding vLLM's Marlin MXFP4 MoE kernel needs.
// Both are part of what the engines log as the model's memory, and so of what their KV pools
// are sized after.
// SPDX-License-Identifier: Apache-2.0
#include "serving.hpp"
#include "vram/bytes.hpp"
#include "vram/gpu_catalog.hpp"
#include "vram/sharding.hpp"

#include <cmath>

namespace vram::plugins {

double rope_table_bytes(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    return static_cast<double>(m.rope_tables) * static_cast<double>(m.rope_positions) *
           static_cast<double>(m.rotary_dim) * ctx[Sym::bytes_act];
}

double engine_model_bytes(const Context& ctx) {
    return weight_bytes_on_rank(ctx) + rope_table_bytes(ctx) +
           (vllm_engine(ctx) ? mxfp4_marlin_padding(ctx) + vllm_lora_slot_bytes(ctx) : 0.0);
}

template <class Self>
Bytes RopeTableTermBase<Self>::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(rope_table_bytes(ctx), Self::kId.data());
    if (explain) {
        const ModelSpec& m = ctx.model();
        *explain = std::to_string(m.rope_tables) + " table" + (m.rope_tables == 1 ? "" : "s") + " · " +
                   format_count(static_cast<std::uint64_t>(m.rope_positions)) + " positions · " +
                   std::to_string(m.rotary_dim) + " rotary dims · " + format_number(ctx[Sym::bytes_act]) +
                   " B = " + format_count(bytes) + " B";
    }
    return bytes;
}

template class RopeTableTermBase<VllmRopeTableTerm>;
template class RopeTableTermBase<SglangRopeTableTerm>;

bool VllmRopeTableTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && vllm_engine(ctx) && rope_table_bytes(ctx) > 0;
}
bool SglangRopeTableTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && sglang_engine(ctx) && rope_table_bytes(ctx) > 0;
}

// vLLM runs MXFP4 MoE layers on Ampere and Ada GPUs with the Marlin kernel, which needs each
// GEMM's n % 256 == 0 and k % 128 == 0: Mxfp4MoEMethod.create_weights (quantization/mxfp4.py,
// Mxfp4Backend.MARLIN) pads the per-rank intermediate size to a multiple of 128 and the hidden
// size to 256, and allocates every expert tensor (weights, scales, biases) at the padded shape.
// Hopper and Blackwell take other backends (Triton kernels, FlashInfer) whose layouts are not
// modelled. gpt-oss: 2880 → 2944 and 3072 at TP 1 (×1.090), 720 → 768 at TP 4 (×1.138).
double mxfp4_marlin_padding(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    if (ctx.weight_format != "mxfp4" || m.experts == 0 || m.moe_intermediate <= 0 || !ctx.gpu) return 0;
    const double generation = nvidia_generation(ctx.gpu);
    if (generation < 0 || generation >= 9) return 0;
    const auto t = static_cast<std::int64_t>(ctx[Sym::t]), ep = static_cast<std::int64_t>(ctx[Sym::ep]);
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]), p = static_cast<std::int64_t>(ctx[Sym::p]);
    const double split = ep > 1 ? 1.0 : static_cast<double>(t);  // experts split over TP unless EP holds them
    const double f = static_cast<double>(m.moe_intermediate) / split;
    const double f_padded = std::ceil(f / 128) * 128, h = static_cast<double>(m.hidden);
    const double h_padded = std::ceil(h / 256) * 256;
    double extra = 0;
    const std::size_t n = std::min(m.tensors.size(), ctx.tensor_bytes.size());
    for (std::size_t i = 0; i < n; ++i) {
        const Tensor& x = m.tensors[i];
        if (x.group != "experts" || !on_pipeline_stage(x, m, stage, p)) continue;
        // down_proj: [hidden, intermediate]; gate_up / gate / up: [k · intermediate, hidden].
        const bool down = x.name.find("down") != std::string::npos || x.name.find("w2") != std::string::npos;
        const double k = down ? 1.0 : static_cast<double>(x.rows) / static_cast<double>(m.moe_intermediate);
        const double rows = down ? h : k * f, rows_padded = down ? h_padded : k * f_padded;
        const double cols = x.cols <= 1 ? 1.0 : down ? f : h;
        const double cols_padded = x.cols <= 1 ? 1.0 : down ? f_padded : h_padded;
        const double on_rank = static_cast<double>(ctx.tensor_bytes[i]) / tensor_parallel_divisor(x, t, ep);
        // Bytes per element times the added elements (exact for the format's per-element sizes).
        extra += on_rank / (rows * cols) * (rows_padded * cols_padded - rows * cols);
    }
    return extra;
}

bool VllmMxfp4PaddingTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && vllm_engine(ctx) && mxfp4_marlin_padding(ctx) > 0;
}
Bytes VllmMxfp4PaddingTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(mxfp4_marlin_padding(ctx), kId.data());
    if (explain) {
        const ModelSpec& m = ctx.model();
        const double split = ctx[Sym::ep] > 1 ? 1.0 : ctx[Sym::t];
        const double f = static_cast<double>(m.moe_intermediate) / split;
        *explain = "expert tensors at intermediate " + format_number(f) + " → " + format_number(std::ceil(f / 128) * 128) +
                   ", hidden " + std::to_string(m.hidden) + " → " +
                   format_number(std::ceil(static_cast<double>(m.hidden) / 256) * 256) + " (Marlin on " +
                   (ctx.gpu ? ctx.gpu->name : std::string("this GPU")) + ") = +" + format_count(bytes) + " B";
    }
    return bytes;
}

}  // namespace vram::plugins
