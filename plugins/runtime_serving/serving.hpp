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
void declare_sglang_symbols(Registrar& reg);
void declare_llama_cpp_symbols(Registrar& reg);

/// Whether the tensor-parallel ranks talk over an NVLink-class fabric (`runtime.p2p`: auto, true,
/// false), which decides NCCL's per-peer memory (nccl_fabric.cpp). auto = yes for SXM / HGX / OAM
/// boards; no for consumer GPUs (GeForce drivers offer no P2P: NCCL through host shared memory,
/// the engines' custom all-reduce off) and PCIe-only boards (few NCCL channels; docs/allocator.md).
bool peer_to_peer(const Context& ctx, const std::string& option) noexcept;

/// Bytes of the rotary cos/sin tables vLLM and SGLang build at start-up on every GPU:
/// rope_tables · rope_positions · rotary_dim · bytes_act (0 without rotary positions).
double rope_table_bytes(const Context& ctx);

/// What loading the model leaves on the GPU for a serving engine: the weights on this rank and
/// the rotary tables (the engines' "Model loading took" / "Load weight end ... mem usage").
double engine_model_bytes(const Context& ctx);

/// Tokens of one sequence in a paged KV pool: s rounded up to whole pages of `page` tokens (vLLM
/// blocks, SGLang pages, TensorRT-LLM tokens_per_block).
std::int64_t paged_tokens(const Context& ctx, std::int64_t page);
/// The batch's KV in such a pool: b sequences of paged_tokens, this rank's layers and KV heads.
Bytes paged_kv_bytes(const Context& ctx, std::int64_t page);
/// Bytes per token on this rank that DeepSeek sparse attention's fp8 latent layout adds to
/// (kv_lora_rank + qk_rope_head_dim) bytes in every MLA layer of the stage: FlashMLA's 656-byte
/// record keeps an fp32 scale per 128 values and the rope part in bf16 (0 without an indexer or
/// an fp8 cache). vLLM and SGLang both store it.
double dsa_fp8_latent_extra_per_token(const Context& ctx);

/// Bytes vLLM's Marlin MXFP4 MoE kernel adds to the expert tensors on Ampere and Ada GPUs by
/// padding the per-rank intermediate size to 128 and the hidden size to 256 (0 elsewhere).
double mxfp4_marlin_padding(const Context& ctx);

// vLLM's LoRA slots and multimodal encoder outputs (vllm_model_extras.cpp): the symbols the
// runtime sets from its options and the KV pool reads back.
inline constexpr const char* kVllmEncoderOutputs = "vllm_mm_encoder_outputs";
inline constexpr const char* kVllmLoraRank = "vllm_lora_rank";
inline constexpr const char* kVllmMaxLoras = "vllm_max_loras";
inline constexpr const char* kVllmConnectorBuffer = "vllm_kv_connector_buffer";
inline constexpr const char* kVllmConnectorInBudget = "vllm_kv_connector_in_budget";
void declare_vllm_adapter_symbols(Registrar& reg);
/// V1 (not v0): one batch of the largest dummy images through the encoder, outputs kept.
void set_vllm_encoder_outputs(Context& ctx, std::int64_t tokens, std::int64_t seqs, std::int64_t max_len, bool v0);
/// rank 0: LoRA off.
void set_vllm_lora(Context& ctx, std::int64_t rank, std::int64_t max_loras);
double vllm_encoder_output_bytes(const Context& ctx);
/// Bytes of the LoRA slots vLLM allocates at load time with --enable-lora (0 without).
double vllm_lora_slot_bytes(const Context& ctx);

class VllmLoraSlotsTerm final : public TermInfo<VllmLoraSlotsTerm> {
public:
    static constexpr std::string_view kId = "vllm.weights.lora_slots";
    static constexpr Category kCategory = Category::weights;
    static constexpr std::string_view kFormula =
        "max_loras · max_lora_rank · Σ decoder Linear layers on this rank (slices · in_local + out_local) · "
        "bytes_act  [enable_lora]; slices 3 for a fused qkv_proj, 2 for gate_up_proj, else 1; a column-parallel "
        "layer splits out over TP, a row-parallel one (o_proj, down_proj ...) splits in";
    static constexpr std::string_view kSource =
        "vLLM lora/layers.py create_lora_weights: every LoRA-capable Linear of the language model gets "
        "lora_a_stacked [max_loras, 1, rank, in] and lora_b_stacked [max_loras, 1, out, rank] per output slice "
        "(MergedColumnParallelLinearWithLoRA: 2, MergedQKVParallelLinearWithLoRA: 3) in lora_dtype (the model "
        "dtype), allocated when the LoRA manager wraps the model - inside the profiled block whose growth vLLM "
        "logs as 'Model loading took' (worker/model_runner.py load_model); LoRAConfig defaults max_loras 1, "
        "max_lora_rank 16";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class VllmMxfp4PaddingTerm final : public TermInfo<VllmMxfp4PaddingTerm> {
public:
    static constexpr std::string_view kId = "vllm.weights.mxfp4_marlin_padding";
    static constexpr Category kCategory = Category::weights;
    static constexpr std::string_view kFormula =
        "Σ expert tensors on this rank · (padded shape / shape − 1), intermediate / t → multiple of 128, hidden → "
        "multiple of 256  [mxfp4 weights, GPU below Hopper]";
    static constexpr std::string_view kSource =
        "vllm/model_executor/layers/quantization/mxfp4.py Mxfp4MoEMethod.create_weights, Mxfp4Backend.MARLIN: 'The "
        "moe marlin kernel requires that for each linear n % 256 == 0 and k % 128 == 0' (round_up of the "
        "intermediate size to 128 and of the hidden size to 256); the backend is Marlin below compute capability 9 "
        "(get_mxfp4_backend). gpt-oss-20b / -120b logs on A100s: docs/serving.md";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

/// The rotary tables as a term of the engine's model memory (`vllm.weights.rope_cache`,
/// `sglang.weights.rope_cache`): the engines count them in what loading the model took.
template <class Self>
class RopeTableTermBase : public TermInfo<Self> {
public:
    static constexpr Category kCategory = Category::weights;
    static constexpr std::string_view kFormula = "rope_tables · rope_positions · rotary_dim · bytes_act";
    static constexpr std::string_view kSource =
        "vllm/model_executor/layers/rotary_embedding.py RotaryEmbedding.__init__: cos_sin_cache of "
        "[max positions, rotary_dim] in the model dtype (cache.to(dtype)), one per distinct setup (get_rope "
        "shares it among layers); YaRN tables original_max_position_embeddings · factor positions; "
        "sglang/srt/layers/rotary_embedding.py the same. Counted in 'Model loading took' (docs/serving.md)";
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

class VllmRopeTableTerm final : public RopeTableTermBase<VllmRopeTableTerm> {
public:
    static constexpr std::string_view kId = "vllm.weights.rope_cache";
    bool applies(const Context& ctx) const override;
};

class SglangRopeTableTerm final : public RopeTableTermBase<SglangRopeTableTerm> {
public:
    static constexpr std::string_view kId = "sglang.weights.rope_cache";
    bool applies(const Context& ctx) const override;
};

/// Largest live set inside one decoder layer while `tokens` tokens pass through it at once, per
/// GPU: input, residual and normed hidden states 3h (replicated over TP) plus, in a dense layer,
/// gate/up and act 3F split over TP; in a MoE layer the fused-experts workspaces of every routed
/// copy (top-k · (cache1 2F, cache2 F, cache3 h; cache3 in cache1's memory when
/// `moe_caches_shared`)), the router logits and the shared experts' output. What a serving
/// engine's forward pass over a batch of `tokens` peaks at.
double layer_forward_peak(const Context& ctx, double tokens, bool moe_caches_shared = true);
/// The same as arithmetic for --explain.
std::string layer_forward_peak_text(const Context& ctx, double tokens, bool moe_caches_shared = true);

// ------------------------------------------------------------------------------------- vLLM

/// `engine: vllm`. Options: version, gpu_memory_utilization, max_num_batched_tokens, max_num_seqs,
/// block_size, max_model_len, non_torch_mib, nccl_mib, nccl_shm_mib, cuda_context_mib, p2p,
/// cuda_graph_mib, enforce_eager, sampler_bytes_per_logit (docs/serving.md).
class VllmRuntime final : public RuntimeProfile {
public:
    std::string_view name() const override { return "core.runtime.vllm"; }
    std::string_view key() const override { return "vllm"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
    /// vLLM's "GPU KV cache size": whole blocks of the KV pool util·total − non-KV.
    double max_kv_tokens(const Context& ctx, double other_bytes, double kv_bytes_per_token) const override;
    /// Starts (a KV pool, one max_model_len request in it) and holds the whole batch in the pool.
    bool admits(const Context& ctx, std::string* reason) const override;
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

class VllmKvCacheTerm final : public TermInfo<VllmKvCacheTerm> {
public:
    static constexpr std::string_view kId = "vllm.kv_cache";
    static constexpr Category kCategory = Category::kv_cache;
    static constexpr std::string_view kFormula =
        "b × Σ_groups layers · (elements_per_token · bytes_kv + own_dtype_bytes) · (n_kv_local / n_kv) · ceil(s / block) · block";
    static constexpr std::string_view kSource =
        "paged KV: every sequence holds whole blocks of block_size tokens (vLLM kv_cache_interface.py "
        "AttentionSpec.page_size_bytes, block_size 16 on CUDA); heads split over TP, replicated when t > n_kv, "
        "MLA latent on every rank (ModelConfig.get_num_kv_heads); formulas.md §3.1-3.6";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class VllmProfilePeakTerm final : public TermInfo<VllmProfilePeakTerm> {
public:
    static constexpr std::string_view kId = "vllm.activations.profile_peak";
    static constexpr Category kCategory = Category::activations;
    static constexpr std::string_view kFormula =
        "max(T · (3·h + 3·F / t) · bytes_act [dense layer],  T · (3·h + h_shared + E + k · (max(2·F_e, h) + F_e)) "
        "· bytes_act [MoE layer; 2·F_e + h before vLLM 0.7.3],  T · h · bytes_act + min(max_num_seqs, T) · V · "
        "sampler_bytes_per_logit [last stage]),  T = max_num_batched_tokens, F_e = moe_intermediate / t";
    static constexpr std::string_view kSource =
        "vLLM profile_run: one forward pass over max_num_batched_tokens dummy tokens (largest live set in a "
        "decoder layer: input, residual and normed hidden states 3h, replicated over TP; gate/up and act 3F split "
        "over TP; a MoE layer holds fused_moe.py fused_experts' workspaces per routed copy: gate/up output 2F_e, "
        "act·up F_e and the down output h, the last in the first's memory from PR #13625, plus the router logits "
        "and the shared experts' output), then, with the final hidden states still referenced, the dummy sampler "
        "over one row per request "
        "(top-k/top-p: a full-vocabulary sort) (gpu_model_runner.py profile_run / _dummy_sampler_run; "
        "gpu_worker.py determine_available_memory takes the torch peak, the larger of the two phases). Checked "
        "for Llama-3-8B: 1.26 GiB (vLLM PR #10511; ours 1.22), 4.76 GiB (llm-d; ours 4.77), 2.07 GiB at 20,000 "
        "tokens (issue #10517; ours 2.06): docs/serving.md";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

/// vLLM V1 profiles a multimodal model's encoder first and keeps its outputs while the text
/// forward pass and the sampler run: they add to the torch peak the KV pool is sized after.
/// `runtime.kv_connector: lmcache` (LMCacheConnectorV1): the GPU staging buffer of LMCache's
/// default connector, allocated with the worker (vllm_model_extras.cpp).
void set_vllm_kv_connector(Context& ctx, const std::string& connector, std::int64_t chunk_size, bool v0,
                           const std::string& version);
double vllm_kv_connector_in_budget(const Context& ctx);

class VllmKvConnectorTerm final : public TermInfo<VllmKvConnectorTerm> {
public:
    static constexpr std::string_view kId = "vllm.buffers.kv_connector";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula =
        "lmcache_chunk_size · KV bytes per token on this rank (kv_size · layers · kv heads · head_dim · bytes_kv)  "
        "[kv_connector lmcache; inside the KV budget for version 0.8, outside it from 0.10]";
    static constexpr std::string_view kSource =
        "LMCache lmcache/v1/gpu_connector VLLMPagedMemGPUConnectorV2: gpu_buffer = torch.empty([kv_size (2, MLA 1), "
        "num_layers, chunk_size, num_kv_heads · head_size], kv dtype) when need_gpu_interm_buffer (not enable_pd); "
        "config.py chunk_size 256, the CPU tier pinned host memory. vLLM creates the connector in "
        "init_worker_distributed_environment, before the profile: live torch memory the early V1 profile (0.8 - "
        "0.9.1) counts, which the memory_profiling budget (PR #19312) does not, and from PR #25712 it is created "
        "after the budget";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class VllmEncoderOutputsTerm final : public TermInfo<VllmEncoderOutputsTerm> {
public:
    static constexpr std::string_view kId = "vllm.activations.mm_encoder_outputs";
    static constexpr Category kCategory = Category::activations;
    static constexpr std::string_view kFormula =
        "n · E · h · bytes_act,  E = image embeddings of the largest image,  n = max(1, min(max(T, E) // E, "
        "max_num_seqs · max(1, min(999, max_model_len // E))))  [V1: versions 0.8, 0.10, 0.11, latest]";
    static constexpr std::string_view kSource =
        "vLLM v1/worker/gpu_model_runner.py profile_run: with a multimodal encoder budget (multimodal/"
        "encoder_budget.py: max(max_num_batched_tokens, E) embeddings; items per batch = budget // E, capped by "
        "max_num_seqs · items per prompt), one batch of that many largest-size dummy images through "
        "embed_multimodal, the outputs kept in encoder_cache until after _dummy_run(max_num_tokens) and the "
        "sampler. E: Pixtral (Mistral3) ceil(image_size / (patch · spatial_merge))^2 = 3025 at 1540 px "
        "(model_executor/models/mistral3.py get_patch_grid_size); Kimi-VL 1,089 (kimi_vl.py: a 1024-px dummy scaled to "
        "in_token_limit 4096 patches, padded to 28 px, merged 2 x 2); LLaVA 576, Gemma 3 256 (fixed per image)";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class VllmNonTorchTerm final : public TermInfo<VllmNonTorchTerm> {
public:
    static constexpr std::string_view kId = "vllm.overhead.non_torch";
    static constexpr Category kCategory = Category::overhead;
    static constexpr std::string_view kFormula =
        "non_torch_mib + (t − 1) · (nccl_mib over an NVLink-class fabric, nccl_shm_mib over PCIe)  [NCCL part up to "
        "version 0.10]";
    static constexpr std::string_view kSource =
        "vLLM's non_torch_memory log line (worker.py determine_num_available_blocks; utils memory_profiling counts it "
        "in the non-KV memory): 0.35 GiB at TP 1 with the CUDA context in it (0.6.4, RTX 3090, vLLM #10517), "
        "0.16 GiB without (0.7, H100, PR #12126); per P2P peer (2.10 - 0.16) / 7 GiB (TP 8 A100-40GB, vLLM 0.7.1). "
        "tests/data/engine-logs, docs/serving.md \"Versions\"";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

/// The part of the preallocated KV pool the batch does not use: vLLM reserves util·total.
class VllmKvReserveTerm final : public TermInfo<VllmKvReserveTerm> {
public:
    static constexpr std::string_view kId = "vllm.kv_cache.unused_pool";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula =
        "max(0, gpu_memory_utilization · gpu_mem − weights − rope tables − profile_peak − non_torch [− cuda_graphs, "
        "0.21 and later] − kv_cache)";
    static constexpr std::string_view kSource =
        "vLLM allocates the whole KV pool at start-up: available_kv_cache_memory = requested_memory − "
        "non_kv_cache_memory (gpu_worker.py determine_available_memory); the part the batch does not fill is still "
        "held; formulas.md §4.2";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

/// vLLM 0.11+: NCCL's set-up happens before the profile's baseline snapshot, so the pool does not
/// pay for it, but the GPU holds it.
class VllmNcclTerm final : public TermInfo<VllmNcclTerm> {
public:
    static constexpr std::string_view kId = "vllm.overhead.nccl";
    static constexpr Category kCategory = Category::overhead;
    static constexpr std::string_view kFormula =
        "(t − 1) · (nccl_mib over an NVLink-class fabric, nccl_shm_mib over PCIe)  [versions 0.11, latest]";
    static constexpr std::string_view kSource =
        "vLLM PR #25359 (0.11): gpu_worker.py takes init_snapshot after init_worker_distributed_environment, so "
        "the NCCL communicators' memory is outside the non-torch charge; per-peer sizes from startup logs "
        "(tests/data/engine-logs)";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class VllmCudaGraphTerm final : public TermInfo<VllmCudaGraphTerm> {
public:
    static constexpr std::string_view kId = "vllm.overhead.cuda_graphs";
    static constexpr Category kCategory = Category::overhead;
    static constexpr std::string_view kFormula =
        "cuda_graph_mib (outside gpu_memory_utilization; from 0.21 inside it, taken from the KV budget)";
    static constexpr std::string_view kSource =
        "CUDA graphs are captured after the KV cache is allocated, so up to 0.20 they must fit in (1 − "
        "gpu_memory_utilization) · total; llm-d measured −0.45 to +1.03 GiB on H100 (formulas.md §4.2). From 0.21 "
        "the profile estimates them first and the KV cache leaves room for them (VLLM_MEMORY_PROFILER_ESTIMATE_"
        "CUDAGRAPHS on by default, logged 'CUDA graph memory profiling is enabled (default since v0.21.0)')";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

// ------------------------------------------------------------------------------------ SGLang

/// `engine: sglang`. Options: mem_fraction_static, chunked_prefill_size, cuda_graph_max_bs,
/// page_size, cuda_context_mib, nccl_mib, nccl_shm_mib, p2p, cuda_graph_mib, disable_cuda_graph
/// (docs/serving.md). The KV pool is what mem_fraction_static of the memory free before the
/// weights leaves after them (model_runner_kv_cache_mixin.py profile_max_num_token).
class SglangRuntime final : public RuntimeProfile {
public:
    std::string_view name() const override { return "core.runtime.sglang"; }
    std::string_view key() const override { return "sglang"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
    /// SGLang's max_total_num_tokens: the pool over the bytes of one token in every layer.
    double max_kv_tokens(const Context& ctx, double other_bytes, double kv_bytes_per_token) const override;
    /// Starts (a pool left after the weights) and holds the whole batch in the pool.
    bool admits(const Context& ctx, std::string* reason) const override;
};

bool sglang_engine(const Context& ctx) noexcept;
/// mem_fraction_static · (GPU memory − CUDA context − distributed init) − weights: the KV pool
/// (may be negative: SGLang refuses to start).
double sglang_kv_pool(const Context& ctx);
/// KV bytes the batch needs on this GPU, rounded up to whole pages per sequence.
Bytes sglang_kv_needed(const Context& ctx);

class SglangKvCacheTerm final : public TermInfo<SglangKvCacheTerm> {
public:
    static constexpr std::string_view kId = "sglang.kv_cache";
    static constexpr Category kCategory = Category::kv_cache;
    static constexpr std::string_view kFormula =
        "b × Σ_groups layers · (elements_per_token · bytes_kv + own_dtype_bytes) · (n_kv_local / n_kv) · ceil(s / page) · page";
    static constexpr std::string_view kSource =
        "token-granular pool (page_size 1 by default): MHATokenToKVPool holds K and V of n_kv / t heads per layer "
        "per token, MLATokenToKVPool the latent kv_lora_rank + rope dims (mem_cache/memory_pool.py; cell_size in "
        "model_runner_kv_cache_mixin.py)";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class SglangKvReserveTerm final : public TermInfo<SglangKvReserveTerm> {
public:
    static constexpr std::string_view kId = "sglang.kv_cache.unused_pool";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula =
        "max(0, mem_fraction_static · (gpu_mem − cuda_context − dist_init) − weights − rope tables − kv_cache)";
    static constexpr std::string_view kSource =
        "profile_max_num_token: rest_memory = available_gpu_memory (after the weights) − total_gpu_memory (free "
        "before them) · (1 − mem_fraction_static); the whole pool is allocated at start-up, the part the batch "
        "does not fill is still held (model_runner_kv_cache_mixin.py)";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class SglangPrefillPeakTerm final : public TermInfo<SglangPrefillPeakTerm> {
public:
    static constexpr std::string_view kId = "sglang.activations.prefill_chunk";
    static constexpr Category kCategory = Category::activations;
    static constexpr std::string_view kFormula =
        "min(chunked_prefill_size, b·s) · max(3·h + 3·F / t [dense layer], 3·h + h_shared + E + k · (max(2·F_e, h) "
        "+ F_e) [MoE layer]) · bytes_act + min(b, chunk) · V · (bytes_act + 4),  F_e = moe_intermediate / t";
    static constexpr std::string_view kSource =
        "chunked prefill runs at most chunked_prefill_size tokens per forward (scheduler / PrefillAdder); the "
        "logits processor keeps the last position of each request and the sampler works on fp32 copies "
        "(layers/logits_processor.py, layers/sampler.py); a MoE layer holds fused_moe_triton/fused_moe.py's "
        "workspaces per routed copy, cache3 reusing cache1's memory since SGLang PR #3692. Derived like vLLM's "
        "profile run (docs/serving.md)";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

/// The unused tails of the segments SGLang's weights occupy: SGLang measures the weights as device
/// memory (free before − after loading, after torch.cuda.empty_cache()), so its pool is sized after
/// the caching allocator rounded every large tensor up to 2 MiB.
double sglang_weight_segment_rounding(const Context& ctx);

/// `cpu_offload_gb` of vLLM and SGLang (the same option in both): the bytes each process moves to
/// host memory, read by the framework through EngineFacts::weight_offload_budget (cpu_offload.cpp).
ParamSpec cpu_offload_param();
void set_cpu_offload(Context& ctx, double gib, const char* engine);

/// SGLang's OffloaderV1 runs an offloaded decoder layer by copying its state to the GPU
/// (`v.to(device)` for every state_dict entry) and calling torch.func.functional_call: for the
/// length of that layer's forward one layer's offloaded parameters are on the GPU again.
class SglangOffloadedLayerCopyTerm final : public TermInfo<SglangOffloadedLayerCopyTerm> {
public:
    static constexpr std::string_view kId = "sglang.buffers.offloaded_layer_copy";
    static constexpr Category kCategory = Category::buffers;
    static constexpr std::string_view kFormula =
        "max over decoder layers of the offloaded parameters' bytes on this rank (runtime.cpu_offload_gb > 0)";
    static constexpr std::string_view kSource =
        "SGLang utils/offloader.py OffloaderV1.maybe_offload_to_cpu: the parameters moved to pinned CPU memory "
        "are copied back (`v.to(device, non_blocking=True)` for module.state_dict()) and the layer runs through "
        "torch.func.functional_call on every forward; the copies are freed when the layer returns";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

class SglangWeightSegmentsTerm final : public TermInfo<SglangWeightSegmentsTerm> {
public:
    static constexpr std::string_view kId = "sglang.weights.allocator_rounding";
    static constexpr Category kCategory = Category::allocator;
    static constexpr std::string_view kFormula =
        "reserved − requested after allocating this rank's weights tensor by tensor as SGLang builds them "
        "(q/k/v and gate/up fused, experts stacked) through the caching allocator model; 16- and 32-bit weights";
    static constexpr std::string_view kSource =
        "SGLang model_runner.py load_model (`Load weight end ... mem usage`: get_available_gpu_memory before − "
        "after, which empties the cache first); PyTorch c10/cuda/CUDACachingAllocator.cpp: requests above 10 MiB "
        "get a segment rounded up to 2 MiB, 1 - 10 MiB share 20 MiB segments, smaller ones 2 MiB segments "
        "(vram/caching_allocator.hpp, docs/allocator.md)";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
};

class SglangDistInitTerm final : public TermInfo<SglangDistInitTerm> {
public:
    static constexpr std::string_view kId = "sglang.overhead.dist_init";
    static constexpr Category kCategory = Category::overhead;
    static constexpr std::string_view kFormula =
        "(t − 1) · (nccl_mib over an NVLink-class fabric, nccl_shm_mib over PCIe)";
    static constexpr std::string_view kSource =
        "SGLang's log line `Init torch distributed ends. mem usage=X GB` (free memory before − after "
        "init_torch_distributed: NCCL communicators, custom all-reduce buffers): 1.77-2.01 GiB per rank at TP 8 on "
        "H200 (sglang PR #11716); 0.13 GiB at TP 4 on L4s without P2P (llms-in-clouds log), tests/data/engine-logs";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class SglangCudaGraphTerm final : public TermInfo<SglangCudaGraphTerm> {
public:
    static constexpr std::string_view kId = "sglang.overhead.cuda_graphs";
    static constexpr Category kCategory = Category::overhead;
    static constexpr std::string_view kFormula = "cuda_graph_mib (0 = cuda_graph_max_bs · 2 MiB)";
    static constexpr std::string_view kSource =
        "decode CUDA graphs for batch sizes up to cuda_graph_max_bs are captured after the KV pool, in the "
        "1 − mem_fraction_static share; SGLang budgets cuda_graph_max_bs · 2 MB for them (server_args.py "
        "_handle_gpu_memory_settings)";
    bool applies(const Context& ctx) const override;
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
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
    /// The batch runs at once: n_seq_max slots for its sequences, n_ctx / n_seq_max tokens each.
    bool admits(const Context& ctx, std::string* reason) const override;
};

struct LlamaCppSettings {
    double n_ctx = 0, n_ubatch = 0, n_seq = 0, gpu_layers = 0, flash = 0;
};
LlamaCppSettings llamacpp_settings(const Context& ctx);
bool llamacpp_engine(const Context& ctx) noexcept;

class LlamaCppWeightsTerm final : public TermInfo<LlamaCppWeightsTerm> {
public:
    static constexpr std::string_view kId = "llama.cpp.weights";
    static constexpr Category kCategory = Category::weights;
    static constexpr std::string_view kFormula =
        "Σ tensors of the offloaded layers (+ output layer when n_gpu_layers > L) in the GGUF types; token_embd on "
        "the host";
    static constexpr std::string_view kSource =
        "llama-model.cpp load_tensors: the input layer (token_embd) is always on the CPU, layers >= L − "
        "n_gpu_layers on the GPU, the output layer when n_gpu_layers > L; a tied head is a duplicate of token_embd "
        "placed with the output layer. Byte counts from the weight format (docs/formats.md)";
    bool applies(const Context& ctx) const override { return llamacpp_engine(ctx); }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class LlamaCppKvCacheTerm final : public TermInfo<LlamaCppKvCacheTerm> {
public:
    static constexpr std::string_view kId = "llama.cpp.kv_cache";
    static constexpr Category kCategory = Category::kv_cache;
    static constexpr std::string_view kFormula =
        "Σ_groups layers_on_gpu · (elements_per_token · bytes_kv + own_dtype_bytes) · min(n_ctx, window) + (n_seq_max − 1) · state";
    static constexpr std::string_view kSource =
        "llama_kv_cache: K and V tensors of n_ctx cells per offloaded layer, allocated at start-up whatever the "
        "requests (ollama log: n_ctx 8192 → KV 1024 MiB for Llama-3.1-8B, independent of n_seq_max); n_ctx padded to "
        "256 (llama-context.cpp); recurrent state one per sequence";
    bool applies(const Context& ctx) const override { return llamacpp_engine(ctx); }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

class LlamaCppComputeTerm final : public TermInfo<LlamaCppComputeTerm> {
public:
    static constexpr std::string_view kId = "llama.cpp.compute_buffer";
    static constexpr Category kCategory = Category::activations;
    static constexpr std::string_view kFormula =
        "max(n_ub · (n_ctx · (n_q + 1) · 4 + 4·h·4)  [flash_attn: n_ub · (n_ctx · 2 + 4·h·4)],  n_ub · (V + h) · 4)";
    static constexpr std::string_view kSource =
        "ggml-alloc reserves the worst-case graph of one n_ubatch micro-batch over the full cache: f32 KQ "
        "scores n_ctx × n_ub × n_head and the KQ mask without flash attention, or f32 logits of n_ub outputs "
        "(llama-context.cpp graph_reserve, llama-graph.cpp build_attn_mha). Derived; reproduces the 560.00 MiB "
        "compute buffer of the ollama Llama-3.1-8B log at n_ctx 8192 (docs/serving.md)";
    bool applies(const Context& ctx) const override { return llamacpp_engine(ctx); }
    Bytes compute(const Context& ctx, std::string* explain) const override;
    std::vector<std::string> reads() const override;
};

}  // namespace vram::plugins
