// trtllm.hpp - TensorRT-LLM's C++ runtime serving a trtllm-build engine: the engine's weights and
// TensorRT activation memory, the runtime and decoder buffers sized by the build limits, then a
// paged KV pool of kv_cache_free_gpu_mem_fraction of what is still free (docs/serving.md §2b).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/component.hpp"
#include "vram/registrar.hpp"
#include "vram/runtime.hpp"

namespace vram::plugins {

void declare_trtllm_symbols(Registrar& reg);
bool trtllm_engine(const Context& ctx) noexcept;

class TrtllmRuntime final : public RuntimeProfile {
public:
    std::string_view name() const override { return "core.runtime.trtllm"; }
    std::string_view key() const override { return "trtllm"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
    /// "Allocated X GiB for max tokens in paged KV cache (M)": whole blocks of the pool.
    double max_kv_tokens(const Context& ctx, double other_bytes, double kv_bytes_per_token) const override;
    /// A KV pool is left, the batch is within max_batch_size and its blocks fit the pool.
    bool admits(const Context& ctx, std::string* reason) const override;
};

/// A tied checkpoint's embedding copied into the engine's own lm_head.
class TrtllmLmHeadCopyTerm final : public TermInfo<TrtllmLmHeadCopyTerm> {
public:
    static constexpr std::string_view kId = "trtllm.weights.lm_head_copy";
    static constexpr Category kCategory = Category::weights;
    static constexpr std::string_view kFormula = "V · h · bytes_act / t  [tied embeddings]";
    static constexpr std::string_view kSource =
        "TensorRT-LLM models: lm_head is a ColumnLinear of its own; checkpoint conversion copies a tied "
        "embedding into it (sharing needs trtllm-build --use_embedding_sharing), so the engine stores both";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override { return {}; }
};

class TrtllmExecutionContextTerm final : public TermInfo<TrtllmExecutionContextTerm> {
public:
    static constexpr std::string_view kId = "trtllm.activations.execution_context";
    static constexpr Category kCategory = Category::activations;
    static constexpr std::string_view kFormula =
        "execution_context_mib, else an estimate: T · (3·h + 3·F / t) · bytes_act + N · V_p · bytes_act  "
        "(T = max_num_tokens, N = max_batch_size)";
    static constexpr std::string_view kSource =
        "tllmRuntime.cpp: one buffer of ICudaEngine::getDeviceMemorySizeV2() bytes (TensorRT's activation memory "
        "for the build's max_num_tokens, shared by every profile), logged 'Allocated X MiB for execution context "
        "memory'. TensorRT decides it at build time; docs/source/reference/memory.md: close to max_num_tokens x a "
        "model constant. The estimate (one decoder layer's live set plus the fp16 lm_head output of every "
        "sequence) is within 12 % and 46 % of two logged engines: set execution_context_mib from the build log";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class TrtllmRuntimeBuffersTerm final : public TermInfo<TrtllmRuntimeBuffersTerm> {
public:
    static constexpr std::string_view kId = "trtllm.buffers.runtime";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula = "N · V_p · 4 + 6 · N · L · 4 + T · 4";
    static constexpr std::string_view kSource =
        "batch_manager runtimeBuffers.cpp (fp32 logits [N, V_p], input ids [T]), transformerBuffers.cpp (cache "
        "indirection [N, 1, L] int32), decoderBuffers.cpp (cache indirection in and out, log probs [N, L]) and the "
        "slot decoder buffers (output ids and log probs [N, L]), created by trtGptModelInflightBatching.cpp "
        "createBuffers and logged 'Allocated X GB GPU memory for runtime buffers' (beam 1, no PP, no draft tokens; "
        "V_p = V padded to a multiple of the world size)";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class TrtllmDecoderTerm final : public TermInfo<TrtllmDecoderTerm> {
public:
    static constexpr std::string_view kId = "trtllm.buffers.decoder";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula = "16 · N · L + k · 4 · N · V_p + 65,536 · N,  k = 5 (version 0.12), 4";
    static constexpr std::string_view kSource =
        "runtime/gptDecoderBatched.cpp setup: ids, parent ids, log probs and tiled log probs [N, L] (4 B each), the "
        "embedding bias [N, V_p]; decodingLayerWorkspace.cpp runtime logits [N, V_p]; samplingTopKKernels.h "
        "getTopKWorkspaceSizes N · V_p · 4 + N · 1024 · 8 · 8; penaltyLayer.cpp N · V int32; 0.12 also allocates "
        "draft logits [N, V_p] fp32 (external-draft-token mode only later). Logged 'Allocated X GB GPU memory for "
        "decoder'";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class TrtllmKvCacheTerm final : public TermInfo<TrtllmKvCacheTerm> {
public:
    static constexpr std::string_view kId = "trtllm.kv_cache";
    static constexpr Category kCategory = Category::kv_cache;
    static constexpr std::string_view kFormula = "b · ceil(s / tokens_per_block) · tokens_per_block · KV per token";
    static constexpr std::string_view kSource =
        "kvCacheManager.cpp: pools of blocks of tokens_per_block tokens, [blocks, layers, 2, kv_heads · "
        "tokens_per_block · head_dim] per pool; a sequence holds whole blocks";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class TrtllmKvReserveTerm final : public TermInfo<TrtllmKvReserveTerm> {
public:
    static constexpr std::string_view kId = "trtllm.kv_cache.unused_pool";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula =
        "ceil(floor(fraction · free / KV per token) / tokens_per_block) · tokens_per_block · KV per token − "
        "trtllm.kv_cache,  free = GPU memory − weights − execution context − runtime buffers − decoder − context";
    static constexpr std::string_view kSource =
        "kvCacheManager.cpp calculateMaxNumBlocks: free memory from cudaMemGetInfo after the engine and the buffers "
        "(plus the CUDA pool's free bytes), maxTokens = fraction · free / bytes per token, blocks = "
        "ceilDiv(maxTokens, tokens_per_block); freeGpuMemoryFraction defaults to 0.9; no cap at max_batch_size x "
        "max_seq_len";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

}  // namespace vram::plugins
