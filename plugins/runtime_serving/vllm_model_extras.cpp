// vllm_model_extras.cpp - what vLLM adds beside the weights for two kinds of deployment: the
// LoRA slots --enable-lora allocates with the model, and the multimodal encoder outputs V1's
// start-up profile keeps through the text pass (docs/serving.md §2). Both shrink the KV pool.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>

#include "serving.hpp"
#include "vram/error.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {
namespace {

double read(const Context& ctx, const char* name) { return ctx.get(name, 0.0); }

// Image embeddings of the largest image vLLM profiles the encoder with, where vram knows it:
// Pixtral (Mistral3) merges patch · spatial_merge pixels per side of a longest-edge image
// (mistral3.py get_patch_grid_size: (1540 − 1) // 28 + 1 = 55 per side); Kimi-VL's 1024-px dummy;
// LLaVA-1.5 and Gemma 3 give a fixed count per image. 0 where the maximum depends on processor
// settings vram does not model (dynamic resolution, tiling).
std::int64_t largest_image_embeddings(const ModelSpec& m) {
    if (m.vision.kind != "vision") return 0;
    if (m.model_type == "mistral3" && m.vision.patch_size > 0) {
        const std::int64_t cell = m.vision.patch_size * std::max<std::int64_t>(1, m.vision.spatial_merge_size);
        const std::int64_t side = (m.vision.image_size - 1) / cell + 1;
        return side * side;
    }
    if (m.model_type == "kimi_vl" && m.vision.patch_size > 0) {
        // vLLM kimi_vl.py profiles a 1024 x 1024 dummy (MaxImageTokenMeta); get_num_image_tokens
        // scales an image above in_token_limit (4096, the MoonViT processor's default) patches
        // down by sqrt(limit / patches), pads each side to patch · merge and merges 2 x 2:
        // 73^2 = 5,329 > 4,096 → int(1024 · 64/73) = 897 → 924 px → 33^2 = 1,089 embeddings.
        const double p = static_cast<double>(m.vision.patch_size);
        const double cell = p * static_cast<double>(std::max<std::int64_t>(1, m.vision.spatial_merge_size));
        double side = 1024.0;
        const double patches = std::floor(side / p) * std::floor(side / p);
        if (patches > 4096.0) side = std::floor(side * std::sqrt(4096.0 / patches));
        const auto merged = static_cast<std::int64_t>(std::ceil(side / cell));
        return merged * merged;
    }
    if (m.model_type == "llava" || m.model_type == "gemma3") return m.vision.tokens_per_image;
    return 0;
}

// LoRA slots (vllm/lora/layers.py): per Linear, lora_a [rank, in] per output slice and lora_b
// [out, rank]; a column-parallel layer keeps lora_a whole and splits lora_b's out over TP, a
// row-parallel one splits lora_a's in and keeps lora_b whole. Routers, routed experts and the
// towers are not wrapped.
bool row_parallel(const std::string& module) {
    for (const char* m : {"o_proj", "down_proj", "dense", "out_proj", "fc2", "w2", "wo", "c_proj", "dense_4h_to_h"})
        if (module == m) return true;
    return false;
}
std::int64_t lora_slices(const std::string& module) {
    if (module == "qkv_proj" || module == "query_key_value" || module == "c_attn" || module == "Wqkv") return 3;
    if (module == "gate_up_proj") return 2;
    return 1;
}

}  // namespace

double vllm_lora_slot_bytes(const Context& ctx) {
    const double rank = read(ctx, kVllmLoraRank);
    if (rank <= 0 || !vllm_engine(ctx)) return 0;
    const ModelSpec& m = ctx.model();
    const auto t = std::max<std::int64_t>(1, static_cast<std::int64_t>(ctx[Sym::t]));
    const auto p = std::max<std::int64_t>(1, static_cast<std::int64_t>(ctx[Sym::p]));
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    double elements = 0;
    for (const Tensor& x : m.tensors) {
        if (!x.linear || x.embedding || x.layer < 0 || x.group == "router" || x.group == "experts") continue;
        if (!on_pipeline_stage(x, m, stage, p)) continue;
        const double in = static_cast<double>(x.cols), out = static_cast<double>(x.rows);
        const double slices = static_cast<double>(lora_slices(x.module));
        elements += row_parallel(x.module) ? slices * in / static_cast<double>(t) + out
                                           : slices * in + out / static_cast<double>(t);
    }
    return read(ctx, kVllmMaxLoras) * rank * elements * ctx[Sym::bytes_act];
}

void declare_vllm_adapter_symbols(Registrar& reg) {
    reg.declare(kVllmEncoderOutputs, "B",
                "multimodal encoder outputs vLLM V1's profile keeps through the text forward pass and the sampler");
    reg.declare(kVllmLoraRank, "rank", "vLLM max_lora_rank with --enable-lora (0: LoRA off)");
    reg.declare(kVllmMaxLoras, "adapters", "vLLM max_loras: LoRA slots on the GPU");
    reg.declare(kVllmConnectorBuffer, "B", "GPU staging buffer of vLLM's KV connector (LMCache) on this rank");
    reg.declare(kVllmConnectorInBudget, "flag", "1 where the KV connector's buffer is taken from the KV budget (0.8)");
}

void set_vllm_kv_connector(Context& ctx, const std::string& connector, std::int64_t chunk_size, bool v0,
                           const std::string& version) {
    double bytes = 0;
    if (connector == "lmcache") {
        if (v0)
            throw ParamError("runtime.kv_connector", "LMCacheConnectorV1 runs on vLLM's V1 engine; allowed with "
                                                     "version 0.8, 0.10, 0.11 or latest");
        bytes = static_cast<double>(kv_bytes_per_sequence(ctx.kv_groups, chunk_size, ctx[Sym::bytes_kv],
                                                          static_cast<std::int64_t>(ctx[Sym::t]),
                                                          static_cast<std::int64_t>(ctx[Sym::p])));
        ctx.notes.push_back("runtime vllm kv_connector lmcache: a staging buffer of " + std::to_string(chunk_size) +
                            " tokens of KV on the GPU; LMCache's CPU tier is pinned host memory");
    }
    ctx.set(ctx.symbol(kVllmConnectorBuffer), bytes);
    ctx.set(ctx.symbol(kVllmConnectorInBudget), version == "0.8" ? 1.0 : 0.0);
}

double vllm_kv_connector_in_budget(const Context& ctx) {
    return read(ctx, kVllmConnectorInBudget) > 0 ? read(ctx, kVllmConnectorBuffer) : 0.0;
}

bool VllmKvConnectorTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && vllm_engine(ctx) && read(ctx, kVllmConnectorBuffer) > 0;
}
Bytes VllmKvConnectorTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(read(ctx, kVllmConnectorBuffer), kId.data());
    if (explain)
        *explain = "LMCache's staging buffer: one chunk of KV with t=" + format_number(ctx[Sym::t]) + " = " +
                   format_count(bytes) + " B" +
                   (read(ctx, kVllmConnectorInBudget) > 0 ? " (inside the KV budget)" : " (outside the KV budget)");
    return bytes;
}
std::vector<std::string> VllmKvConnectorTerm::reads() const { return {kVllmConnectorBuffer, kVllmConnectorInBudget}; }

void set_vllm_encoder_outputs(Context& ctx, std::int64_t tokens, std::int64_t seqs, std::int64_t max_len, bool v0) {
    // V1's profile runs the multimodal encoder on a batch of the largest dummy images and keeps
    // the outputs through the text pass (gpu_model_runner.py profile_run, multimodal/
    // encoder_budget.py); V0 profiled images inside its dummy sequences instead (not modelled).
    double encoder_outputs = 0;
    if (ctx.model().vision.kind == "vision" && !v0) {
        const std::int64_t per_item = largest_image_embeddings(ctx.model());
        if (per_item > 0) {
            const std::int64_t budget = std::max(tokens, per_item);
            const std::int64_t per_prompt = std::max<std::int64_t>(1, std::min<std::int64_t>(999, max_len / per_item));
            const std::int64_t items = std::max<std::int64_t>(1, std::min(budget / per_item, seqs * per_prompt));
            encoder_outputs = static_cast<double>(items * per_item) * static_cast<double>(ctx.model().hidden) *
                              ctx[Sym::bytes_act];
            ctx.notes.push_back("runtime vllm multimodal profile: " + std::to_string(items) + " dummy images of " +
                                std::to_string(per_item) + " embeddings through the encoder, their outputs kept "
                                "through the text pass");
        } else {
            ctx.notes.push_back("runtime vllm multimodal profile: the encoder's dummy batch is not modelled for "
                                "model_type " + ctx.model().model_type + " (its largest image depends on processor "
                                "settings); the KV pool leaves its outputs out");
        }
    }
    ctx.set(ctx.symbol(kVllmEncoderOutputs), encoder_outputs);
}

void set_vllm_lora(Context& ctx, std::int64_t rank, std::int64_t max_loras) {
    ctx.set(ctx.symbol(kVllmLoraRank), static_cast<double>(rank));
    ctx.set(ctx.symbol(kVllmMaxLoras), static_cast<double>(max_loras));
    if (rank > 0)
        ctx.notes.push_back("runtime vllm --enable-lora: " + std::to_string(max_loras) + " slot(s) of rank " +
                            std::to_string(rank) +
                            " on every decoder Linear, counted with the weights; the embedding / lm_head LoRA "
                            "tensors of models that declare them and the Punica index buffers (tens of MiB) are "
                            "not itemised");
}

double vllm_encoder_output_bytes(const Context& ctx) { return read(ctx, kVllmEncoderOutputs); }

std::vector<std::string> VllmLoraSlotsTerm::reads() const { return {kVllmLoraRank, kVllmMaxLoras}; }
bool VllmLoraSlotsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && vllm_engine(ctx) && read(ctx, kVllmLoraRank) > 0;
}
Bytes VllmLoraSlotsTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(vllm_lora_slot_bytes(ctx), kId.data());
    if (explain)
        *explain = format_number(read(ctx, kVllmMaxLoras)) + " slot(s) · rank " + format_number(read(ctx, kVllmLoraRank)) +
                   " · Σ (slices · in + out) over the decoder Linear layers on this rank · " +
                   format_number(ctx[Sym::bytes_act]) + " B = " + format_count(bytes) + " B";
    return bytes;
}

std::vector<std::string> VllmEncoderOutputsTerm::reads() const { return {kVllmEncoderOutputs}; }
bool VllmEncoderOutputsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && vllm_engine(ctx) && read(ctx, kVllmEncoderOutputs) > 0;
}
Bytes VllmEncoderOutputsTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(read(ctx, kVllmEncoderOutputs), kId.data());
    if (explain) {
        const std::int64_t per_item = largest_image_embeddings(ctx.model());
        const double items = read(ctx, kVllmEncoderOutputs) /
                             (static_cast<double>(per_item) * static_cast<double>(ctx.model().hidden) * ctx[Sym::bytes_act]);
        *explain = format_number(items) + " images · " + std::to_string(per_item) + " embeddings · " +
                   std::to_string(ctx.model().hidden) + " · " + format_number(ctx[Sym::bytes_act]) + " B = " +
                   format_count(bytes) + " B";
    }
    return bytes;
}

}  // namespace vram::plugins
