// sharding.cpp - placement of parameters on pipeline stages and tensor/expert-parallel ranks.
// SPDX-License-Identifier: Apache-2.0
#include "vram/sharding.hpp"

#include <algorithm>

namespace vram {

std::int64_t pipeline_stage_of(std::int64_t layer, std::int64_t layers, std::int64_t p) noexcept {
    if (p <= 1 || layers <= 0) return 0;
    const std::int64_t per = (layers + p - 1) / p;
    const std::int64_t s = layer / per;
    return s < p ? s : p - 1;
}

bool on_pipeline_stage(const Tensor& t, const ModelSpec& m, std::int64_t stage, std::int64_t p) noexcept {
    if (p <= 1) return true;
    if (t.layer >= 0) return pipeline_stage_of(t.layer, m.layers, p) == stage;
    const bool head = t.group == "lm_head" || t.name == "model.norm.weight" || t.name == "model.norm.bias";
    if (head) return stage == p - 1;
    if (t.embedding && t.group == "embedding" && m.tied_embeddings) return stage == 0 || stage == p - 1;
    return stage == 0;
}

// Linears every tensor-parallel rank keeps whole: the MoE router (vLLM and SGLang build it as a
// ReplicatedLinear, Megatron-Core's TopKRouter weight is not split) and MLA's down-projections
// q_a_proj / kv_a_proj_with_mqa (vLLM deepseek_v2.py DeepseekV2MLAAttention: ReplicatedLinear;
// Megatron-Core multi_latent_attention.py: linear_q_down_proj / linear_kv_down_proj built with
// parallel_mode "duplicated"). Their outputs feed column-parallel up-projections, so each rank
// needs all of them. So does DeepSeek sparse attention's lightning indexer (wq_b, wk,
// weights_proj: "no tensor parallel, just replicated", vLLM deepseek_v2.py Indexer; SGLang
// nsa_indexer.py builds them as ReplicatedLinear too).
bool replicated_over_tensor_parallel(const Tensor& t) noexcept {
    return t.group == "router" || t.module == "q_a_proj" || t.module == "kv_a_proj_with_mqa" ||
           t.name.find("indexer.") != std::string::npos;
}

double tensor_parallel_divisor(const Tensor& t, std::int64_t t_size, std::int64_t ep) noexcept {
    double d = 1;
    if ((t.linear || t.embedding) && t.cols > 1 && !replicated_over_tensor_parallel(t)) d *= static_cast<double>(t_size);
    if (t.copies > 1 && t.group.rfind("experts", 0) == 0) d *= static_cast<double>(ep);
    return d;
}

namespace {

// This rank's share of tensor i's stored bytes.
double share_on_rank(const Context& ctx, std::size_t i) {
    const auto t = static_cast<std::int64_t>(ctx[Sym::t]);
    const auto ep = static_cast<std::int64_t>(ctx[Sym::ep]);
    return static_cast<double>(ctx.tensor_bytes[i]) / tensor_parallel_divisor(ctx.model().tensors[i], t, ep);
}

// A tensor of the decoder stack the engines build with make_layers (vLLM models/utils.py,
// SGLang utils make_layers): the layers the offloader wraps. MTP layers are a separate module.
bool decoder_layer_tensor(const Tensor& t, const ModelSpec& m) {
    return t.layer >= 0 && t.layer < m.layers && t.group != "mtp";
}

}  // namespace

std::vector<bool> offloaded_tensors(const Context& ctx) {
    const double budget = ctx.engine.weight_offload_budget;
    if (budget <= 0) return {};
    const ModelSpec& m = ctx.model();
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]);
    const std::size_t n = std::min(m.tensors.size(), ctx.tensor_bytes.size());
    std::vector<bool> moved(n, false);
    // maybe_offload_to_cpu checks the running total before each parameter (`if bytes >= max:
    // break`), so the last one moved may overshoot the budget.
    double so_far = 0;
    for (std::size_t i = 0; i < n && so_far < budget; ++i) {
        const Tensor& tensor = m.tensors[i];
        if (!decoder_layer_tensor(tensor, m) || !on_pipeline_stage(tensor, m, stage, p) || ctx.tensor_bytes[i] == 0)
            continue;
        moved[i] = true;
        so_far += share_on_rank(ctx, i);
    }
    return moved;
}

double offloaded_weight_bytes_on_rank(const Context& ctx) {
    const std::vector<bool> moved = offloaded_tensors(ctx);
    double total = 0;
    for (std::size_t i = 0; i < moved.size(); ++i)
        if (moved[i]) total += share_on_rank(ctx, i);
    return total;
}

double largest_offloaded_layer_bytes(const Context& ctx) {
    const std::vector<bool> moved = offloaded_tensors(ctx);
    std::vector<double> per_layer(static_cast<std::size_t>(std::max<std::int64_t>(ctx.model().layers, 0)), 0.0);
    for (std::size_t i = 0; i < moved.size(); ++i)
        if (moved[i]) per_layer[static_cast<std::size_t>(ctx.model().tensors[i].layer)] += share_on_rank(ctx, i);
    return per_layer.empty() ? 0.0 : *std::max_element(per_layer.begin(), per_layer.end());
}

double weight_bytes_on_rank(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]);
    for (const auto& [s, bytes] : ctx.weight_bytes_by_stage)
        if (s == stage) return bytes;  // filled by the host after the stages (hot path)
    double total = 0;
    const std::size_t n = std::min(m.tensors.size(), ctx.tensor_bytes.size());
    for (std::size_t i = 0; i < n; ++i)
        if (on_pipeline_stage(m.tensors[i], m, stage, p)) total += share_on_rank(ctx, i);
    return total - offloaded_weight_bytes_on_rank(ctx);
}

double parameters_on_rank(const Context& ctx, const std::vector<Tensor>& tensors) {
    const ModelSpec& m = ctx.model();
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]);
    const auto t = static_cast<std::int64_t>(ctx[Sym::t]);
    const auto ep = static_cast<std::int64_t>(ctx[Sym::ep]);
    double total = 0;
    for (const auto& tensor : tensors) {
        if (!on_pipeline_stage(tensor, m, stage, p)) continue;
        total += static_cast<double>(tensor.numel()) * static_cast<double>(tensor.copies) /
                 tensor_parallel_divisor(tensor, t, ep);
    }
    return total;
}

}  // namespace vram
