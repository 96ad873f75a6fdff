// serving.hpp - serving engines' memory semantics: vLLM (preallocation of a fraction of the GPU,
// profiled activation peak, paged KV) and llama.cpp (KV sized by n_ctx, compute buffer by n_ubatch).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/component.hpp"
#include "vram/registrar.hpp"
#include "vram/runtime.hpp"

namespace vram::plugins {

/// The symbols each engine profile sets, declared at registration.
void declare_vllm_symbols(Registrar& reg);
void declare_llama_cpp_symbols(Registrar& reg);

// ------------------------------------------------------------------------------------- vLLM

/// `engine: vllm`. Options: gpu_memory_utilization, max_num_batched_tokens, max_num_seqs,
/// block_size, max_model_len, non_torch_mib, nccl_mib, cuda_graph_mib, enforce_eager,
/// sampler_bytes_per_logit (docs/serving.md).
class VllmRuntime final : public RuntimeProfile {
public:
    std::string_view name() const override { return "core.runtime.vllm"; }
    std::string_view key() const override { return "vllm"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
    /// vLLM's "GPU KV cache size": whole blocks of the KV pool util·total − non-KV.
    double max_kv_tokens(const Context& ctx, double other_bytes, double kv_bytes_per_token) const override;
};

/// Values of the vLLM symbols a context holds (set by VllmRuntime::prepare).
struct VllmSettings {
    double util = 0, batched_tokens = 0, max_seqs = 0, block = 0, non_torch = 0, cuda_graphs = 0, sampler_bpl = 0;
};
VllmSettings vllm_settings(const Context& ctx);
bool vllm_engine(const Context& ctx) noexcept;
/// Profiled activation peak of vLLM's dummy run (bytes per GPU).
double vllm_profile_peak(const Context& ctx);
/// KV bytes the scenario's batch needs on this GPU, rounded up to whole blocks per sequence.
Bytes vllm_kv_needed(const Context& ctx);
/// util·total − weights − profile peak − non-torch (may be negative: vLLM refuses to start).
double vllm_kv_pool(const Context& ctx);

class VllmKvCacheTerm final : public Component {
public:
    std::string_view id() const override { return "vllm.kv_cache"; }
    Category category() const override { return Category::kv_cache; }
    std::string_view formula() const override;
    std::string_view source() const override;
    bool applies(const Context& ctx) const override;
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

class VllmProfilePeakTerm final : public Component {
public:
    std::string_view id() const override { return "vllm.activations.profile_peak"; }
    Category category() const override { return Category::activations; }
    std::string_view formula() const override;
    std::string_view source() const override;
    bool applies(const Context& ctx) const override;
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

class VllmNonTorchTerm final : public Component {
public:
    std::string_view id() const override { return "vllm.overhead.non_torch"; }
    Category category() const override { return Category::overhead; }
    std::string_view formula() const override;
    std::string_view source() const override;
    bool applies(const Context& ctx) const override;
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

/// The part of the preallocated KV pool the batch does not use: vLLM reserves util·total.
class VllmKvReserveTerm final : public Component {
public:
    std::string_view id() const override { return "vllm.kv_cache.unused_pool"; }
    Category category() const override { return Category::buffers; }
    std::string_view formula() const override;
    std::string_view source() const override;
    bool applies(const Context& ctx) const override;
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

class VllmCudaGraphTerm final : public Component {
public:
    std::string_view id() const override { return "vllm.overhead.cuda_graphs"; }
    Category category() const override { return Category::overhead; }
    std::string_view formula() const override { return "cuda_graph_mib (outside gpu_memory_utilization)"; }
    std::string_view source() const override;
    bool applies(const Context& ctx) const override;
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

// -------------------------------------------------------------------------------- llama.cpp

/// `engine: llama.cpp`. Options: n_ctx, n_batch, n_ubatch, n_seq_max, n_gpu_layers, flash_attn,
/// cuda_context_mib.
class LlamaCppRuntime final : public RuntimeProfile {
public:
    std::string_view name() const override { return "core.runtime.llama.cpp"; }
    std::string_view key() const override { return "llama.cpp"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
    /// llama.cpp allocates the KV cache for exactly n_ctx tokens (shared by n_seq_max sequences).
    double max_kv_tokens(const Context& ctx, double other_bytes, double kv_bytes_per_token) const override;
};

struct LlamaCppSettings {
    double n_ctx = 0, n_ubatch = 0, n_seq = 0, gpu_layers = 0, flash = 0;
};
LlamaCppSettings llamacpp_settings(const Context& ctx);
bool llamacpp_engine(const Context& ctx) noexcept;

class LlamaCppWeightsTerm final : public Component {
public:
    std::string_view id() const override { return "llama.cpp.weights"; }
    Category category() const override { return Category::weights; }
    std::string_view formula() const override;
    std::string_view source() const override;
    bool applies(const Context& ctx) const override { return llamacpp_engine(ctx); }
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

class LlamaCppKvCacheTerm final : public Component {
public:
    std::string_view id() const override { return "llama.cpp.kv_cache"; }
    Category category() const override { return Category::kv_cache; }
    std::string_view formula() const override;
    std::string_view source() const override;
    bool applies(const Context& ctx) const override { return llamacpp_engine(ctx); }
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

class LlamaCppComputeTerm final : public Component {
public:
    std::string_view id() const override { return "llama.cpp.compute_buffer"; }
    Category category() const override { return Category::activations; }
    std::string_view formula() const override;
    std::string_view source() const override;
    bool applies(const Context& ctx) const override { return llamacpp_engine(ctx); }
    Bytes evaluate(const Context& ctx) const override;
    std::string substitute(const Context& ctx) const override;
};

}  // namespace vram::plugins
