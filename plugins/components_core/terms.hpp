// terms.hpp - the core formula components every scenario uses.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/component.hpp"

namespace vram::plugins {

/// Stored weights on the rank: Σ tensor bytes in the weight format, split by TP/PP/EP
/// (and by the data-parallel group under ZeRO-3 / FSDP full_shard).
class WeightsTerm final : public TermInfo<WeightsTerm> {
public:
    static constexpr std::string_view kId = "core.weights";
    static constexpr Category kCategory = Category::weights;
    static constexpr std::string_view kFormula =
        "Σ_tensors on this rank numel · bytes(format) / (t for Linear and embedding tensors, ep for experts) / (dp under ZeRO-3)";
    static constexpr std::string_view kSource =
        "exact tensor list of the model adapter × the weight format's bytes per tensor (formulas.md §1-2); "
        "Megatron TP/PP/EP placement and ZeRO-3 partitioning (formulas.md §5.2)";
    // llama.cpp keeps the token embedding in host memory: its own term (llama.cpp.weights) counts
    // what is offloaded.
    bool applies(const Context& ctx) const override { return ctx.scenario().runtime.engine != "llama.cpp"; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    /// The engine's host copy of offloaded decoder layers (EngineFacts::weight_offload_budget).
    Bytes host_bytes(const Context& ctx) const override;
};

/// KV cache (and recurrent state) of the batch while serving.
class KvCacheTerm final : public TermInfo<KvCacheTerm> {
public:
    static constexpr std::string_view kId = "core.kv_cache";
    static constexpr Category kCategory = Category::kv_cache;
    static constexpr std::string_view kFormula =
        "b × Σ_layer groups ceil(layers / p) · (elements_per_token · bytes_kv + own_dtype_bytes) · (n_kv_local / n_kv) · min(s, window)";
    static constexpr std::string_view kSource =
        "2 · n_kv · head_dim · bytes per token per attention layer, window-capped, heads split over t and "
        "replicated when t > n_kv (vLLM kv_cache_interface.py, ModelConfig.get_num_kv_heads; formulas.md §3)";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// Transient activations of one decoder layer during prefill (eager HF generate).
class InferenceActivationsTerm final : public TermInfo<InferenceActivationsTerm> {
public:
    static constexpr std::string_view kId = "core.activations.prefill";
    static constexpr Category kCategory = Category::activations;
    static constexpr std::string_view kFormula =
        "b · s_p · (2·h + 3·F_eff) · bytes_act / t  [+ b · n_q · s_p² · (bytes_act + 4) / t without flash/SDPA], "
        "s_p = prompt_length (0: s)";
    static constexpr std::string_view kSource =
        "largest live set inside one decoder layer during prefill: residual and normed hidden states (2h), "
        "gate, up and act(gate)·up (3F; MoE: top-k·F_moe + shared); eager attention adds the bf16 scores and "
        "their fp32 softmax (transformers eager_attention_forward). Derived from the HF modeling code, "
        "formulas.md §4.3";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// Logits of the last position per sequence, fp32 upcast (HF generate, logits_to_keep = 1).
class InferenceLogitsTerm final : public TermInfo<InferenceLogitsTerm> {
public:
    static constexpr std::string_view kId = "core.logits.generate";
    static constexpr Category kCategory = Category::logits;
    static constexpr std::string_view kFormula = "b · V · (bytes_act + 4) / t";
    static constexpr std::string_view kSource =
        "generate() computes logits for the last position only (logits_to_keep = 1) and upcasts them to fp32 "
        "(transformers generation/utils.py); formulas.md §4.3";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// CUDA context and kernels of the process on each GPU (fixed, never a share of the model).
class CudaContextTerm final : public TermInfo<CudaContextTerm> {
public:
    static constexpr std::string_view kId = "core.overhead.cuda_context";
    static constexpr Category kCategory = Category::overhead;
    static constexpr std::string_view kFormula = "cuda_context (per process per GPU)";
    static constexpr std::string_view kSource =
        "measured: 287 MB with CUDA_MODULE_LOADING=LAZY vs 667 MB eager (pytorch PR #86509); ~300-400 MB with "
        "lazy loading on CUDA >= 11.7 (pytorch issues 107667, 109888); 1343 MB on V100 / CUDA 11.2 (transformers "
        "model_memory_anatomy.md). Set by the runtime profile (runtime.cuda_context_mib)";
    bool applies(const Context& ctx) const override { return ctx[Sym::cuda_context] > 0; }
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// Whether the engine is the eager HF transformers runtime (its own transient terms apply).
bool hf_engine(const Context& ctx) noexcept;

}  // namespace vram::plugins
