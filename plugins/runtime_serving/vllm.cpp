// vllm.cpp - vLLM memory semantics (formulas.md §3.6, §4.2): the engine preallocates
// gpu_memory_utilization × total memory; what the weights, the profiled activation peak and the
// non-torch allocations leave of it becomes the paged KV cache. CUDA graphs are captured after
// the KV cache is allocated, outside that fraction.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "serving.hpp"
#include "vram/error.hpp"
#include "vram/gpu_catalog.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {
namespace {

// Symbols the profile declares and sets; its own components read them back by name.
constexpr const char* kUtil = "vllm_util";
constexpr const char* kTokens = "vllm_batched_tokens";
constexpr const char* kSeqs = "vllm_max_seqs";
constexpr const char* kBlock = "vllm_block";
constexpr const char* kNonTorch = "vllm_non_torch";
constexpr const char* kGraphs = "vllm_cuda_graphs";
constexpr const char* kSampler = "vllm_sampler_bpl";
constexpr const char* kMaxLen = "vllm_max_model_len";
constexpr const char* kOutside = "vllm_nccl_outside";
constexpr const char* kSeparateMoeCaches = "vllm_moe_separate_caches";
constexpr const char* kHybridAllocator = "vllm_hybrid_allocator";
constexpr const char* kOffloadCopies = "vllm_offload_copies";
constexpr const char* kGraphsInBudget = "vllm_graphs_in_budget";

double read(const Context& ctx, const char* name) { return ctx.get(name, 0.0); }

bool last_stage(const Context& ctx) { return ctx[Sym::stage] >= ctx[Sym::p] - 1; }

// vLLM V1's hybrid KV-cache allocator (v1/core/kv_cache_utils.py): layers of one attention type
// (full, each sliding window, each chunk size) form a bucket. Pages of every bucket are first made
// one size (unify_kv_cache_spec_page_size: a smaller page gets a block_size larger by the ratio,
// which must be whole: Gemma-4-26B's full layers, 2 KV heads × 512, take 32-token blocks beside the
// sliding layers' 16-token blocks of 8 × 256); then every bucket is cut into groups of group_size
// layers - the smallest bucket's count, or the largest's when that is under 1.5 times it - the
// last group of a bucket padded with empty layers (_get_kv_cache_groups_uniform_page_size).
// Gemma-3-27B's 52 sliding + 10 full layers become 7 groups of 10: 70 layer slots for 62 layers.
// Not for mamba states or cross-attention; on one pipeline stage's layers.
struct HybridKvGroups {
    std::int64_t layers = 0, group_size = 0, groups = 0;
    double page_layer_bytes = 0;  ///< the largest layer's bytes per token on this rank: the unified page / block_size
};
HybridKvGroups hybrid_kv_groups(const Context& ctx) {
    const auto p = std::max<std::int64_t>(1, static_cast<std::int64_t>(ctx[Sym::p]));
    const auto t = std::max<std::int64_t>(1, static_cast<std::int64_t>(ctx[Sym::t]));
    std::map<std::int64_t, std::int64_t> buckets;  // window (0: full) -> layers on this stage
    std::map<std::int64_t, double> layer_bytes;     // window -> one layer's bytes per token on this rank
    for (const KvGroup& g : ctx.kv_groups) {
        if (g.state_bytes > 0 || g.fixed_tokens > 0) return {};
        const double local = g.replicated || t <= 1 ? static_cast<double>(g.heads)
                                                    : static_cast<double>(std::max<std::int64_t>(1, g.heads / t));
        const double bytes = (static_cast<double>(g.elements_per_token) * ctx[Sym::bytes_kv] +
                              static_cast<double>(g.own_dtype_bytes_per_token)) *
                             (g.heads > 0 ? local / static_cast<double>(g.heads) : 1.0);
        if (layer_bytes.count(g.window) && layer_bytes[g.window] != bytes) return {};
        layer_bytes[g.window] = bytes;
        buckets[g.window] += (g.layers + p - 1) / p;
    }
    if (buckets.size() < 2) return {};
    double largest = 0;
    for (const auto& [window, bytes] : layer_bytes) largest = std::max(largest, bytes);
    for (const auto& [window, bytes] : layer_bytes) {
        const double ratio = bytes > 0 ? largest / bytes : 0;
        if (ratio <= 0 || ratio != std::floor(ratio)) return {};  // vLLM refuses pages that do not divide
    }
    std::int64_t least = std::numeric_limits<std::int64_t>::max(), most = 0, layers = 0;
    for (const auto& [window, n] : buckets) least = std::min(least, n), most = std::max(most, n), layers += n;
    if (least <= 0) return {};
    const std::int64_t size = static_cast<double>(most) < 1.5 * static_cast<double>(least) ? most : least;
    std::int64_t groups = 0;
    for (const auto& [window, n] : buckets) groups += (n + size - 1) / size;
    return {layers, size, groups, largest};
}

// fused_moe's cache3 shares cache1's memory from vLLM 0.7.3 (PR #13625); the "0.6" and "0.7"
// lines are taken with separate caches, as the 0.7.1 log was.
bool moe_caches_shared(const Context& ctx) { return read(ctx, kSeparateMoeCaches) <= 0; }
// V0 runs a CPU-offloaded layer on a GPU copy of its parameters (functional_call), alive while
// the layer's activations are (cpu_offload.cpp); V1 reads the host copy in place.
double offloaded_layer_copy(const Context& ctx) {
    return read(ctx, kOffloadCopies) > 0 ? largest_offloaded_layer_bytes(ctx) : 0.0;
}
double forward_peak(const Context& ctx) {
    return layer_forward_peak(ctx, read(ctx, kTokens), moe_caches_shared(ctx)) + offloaded_layer_copy(ctx);
}

double sampler_rows(const Context& ctx) { return std::min(read(ctx, kSeqs), read(ctx, kTokens)); }

// The dummy sampler runs after the forward pass, on one row per request; the final hidden
// states of every dummy token are still referenced then (gpu_model_runner.py profile_run). Only
// the last pipeline stage samples.
double hidden_states(const Context& ctx) {
    return read(ctx, kTokens) * static_cast<double>(ctx.model().hidden) * ctx[Sym::bytes_act];
}
double sampler_peak(const Context& ctx) {
    if (!last_stage(ctx)) return 0;
    return hidden_states(ctx) + sampler_rows(ctx) * ctx[Sym::V] * read(ctx, kSampler);
}

std::int64_t rounded_tokens(const Context& ctx) { return paged_tokens(ctx, static_cast<std::int64_t>(read(ctx, kBlock))); }

// vLLM 0.11 and later, as vLLM 0.19.0 logged it on H100s (llm-d-planner PR #205, commit d3121e05,
// accuracy/results/v0.19.0/logs, the Llama-3.1-8B-Instruct runs at 8192 tokens; DEBUG lines
// "worker init memory snapshot ... cuda_memory" and "non-torch forward increase memory"). These are
// measurements, not derived: what the worker holds before its baseline snapshot beyond the CUDA
// context (NCCL communicators, custom and symmetric-memory all-reduce buffers: 1.53 GiB used at
// TP 2 against 0.51 at TP 1), and the non-torch growth inside the profile. With TP > 1 on SM 9.0
// and 10.x that growth includes the all-reduce + RMSNorm fusion pass (compilation pass_config
// fuse_allreduce_rms, on by default there and off with pipeline parallelism in 0.19: vLLM issue
// #35426, re-enabled by PR #41458), which creates FlashInfer's trtllm all-reduce workspace and
// its first NCCL connections while torch.compile runs inside the profile: 2.07 GiB at TP 2 against
// 0.25 at TP 1 and 0.07 with pipeline stages.
struct LatestNonTorch {
    double inside_gib;   // charged to the pool by the profile
    double before_gib;   // held before the baseline snapshot beyond the CUDA context; < 0: not measured
    std::string what;
};
LatestNonTorch latest_non_torch(const Context& ctx, int t, int p, bool p2p) {
    const double gen = nvidia_generation(ctx.gpu);
    // The logs are H100 runs with NVLink: their figures hold where the same communicators and
    // kernels run (SM 9.0 / 10.x with peer-to-peer: torch symmetric-memory all-reduce and the
    // fused all-reduce are enabled there only). Elsewhere TP 1's charge and NCCL per peer.
    const bool measured = p2p && (gen == 9 || gen == 10);
    if (t == 1 && p == 1) return {0.25, 0.0, "0.25 GiB in the profile at TP 1 (vLLM 0.19.0 on H100)"};
    if (!measured)
        return {0.25, -1.0, "TP 1's 0.25 GiB in the profile; the multi-GPU figures were logged on NVLink H100s only, "
                            "so NCCL per peer (" + std::string(p2p ? "nccl_mib" : "nccl_shm_mib") + ") outside it"};
    if (p > 1) {
        // PP 2 / PP 4 logged 0.07 GiB inside and 1.43 / 1.48 GiB used before the snapshot (0.92 /
        // 0.97 beyond the context); with TP as well, TP's communicator figure (no log combines them).
        const double before = t >= 4 ? 1.04 : t >= 2 ? 1.02 : p >= 4 ? 0.97 : 0.92;
        return {0.07, before, "pipeline stages: 0.07 GiB in the profile, " + format_number(before) +
                                  " GiB of communicators before it (vLLM 0.19.0 PP 2/4 logs on H100)"};
    }
    const double inside = t >= 4 ? 2.13 : 2.07, before = t >= 4 ? 1.04 : 1.02;
    return {inside, before, "TP " + std::to_string(t) + " with the all-reduce fusion pass: " + format_number(inside) +
                                " GiB in the profile, " + format_number(before) + " GiB of communicators before it (vLLM 0.19.0 " +
                                (t > 4 ? "TP 4 log; none at TP " + std::to_string(t) : "TP " + std::to_string(t) + " log") +
                                " on H100)"};
}

}  // namespace

namespace {
bool has_dense_mlp(const ModelSpec& m) {
    if (m.experts == 0) return true;
    return std::any_of(m.layer_specs.begin(), m.layer_specs.end(), [](const LayerSpec& l) { return !l.moe; });
}

// Elements per token of a fused-MoE layer beyond the 3h of hidden states: the shared experts'
// output (computed first, alive while the routed experts run), the router logits, and the Triton
// fused_experts workspaces per routed copy: gate/up output 2F (cache1), act·up F (cache2) and the
// down output h (cache3), F = moe_intermediate / t (experts split over TP unless EP holds them
// whole). vLLM PR #13625 (0.7.3) and SGLang PR #3692 let cache3 reuse cache1's memory
// (max(2F, h)); before, all three were separate (fused_moe.py fused_experts_impl).
double moe_elements_per_token(const Context& ctx, bool caches_shared) {
    const ModelSpec& m = ctx.model();
    const double h = static_cast<double>(m.hidden);
    const double f = static_cast<double>(m.moe_intermediate) / (ctx[Sym::ep] > 1 ? 1.0 : ctx[Sym::t]);
    const double cache13 = caches_shared ? std::max(2.0 * f, h) : 2.0 * f + h;
    const double shared_out = m.shared_intermediate > 0 ? h : 0.0;
    return shared_out + static_cast<double>(m.experts) + static_cast<double>(m.experts_per_token) * (cache13 + f);
}
}  // namespace

double layer_forward_peak(const Context& ctx, double tokens, bool moe_caches_shared) {
    const ModelSpec& m = ctx.model();
    const double h3 = 3.0 * static_cast<double>(m.hidden);
    double per_token = 0;
    if (has_dense_mlp(m)) per_token = h3 + 3.0 * static_cast<double>(m.intermediate) / ctx[Sym::t];
    if (m.experts > 0) per_token = std::max(per_token, h3 + moe_elements_per_token(ctx, moe_caches_shared));
    return tokens * per_token * ctx[Sym::bytes_act];
}

std::string layer_forward_peak_text(const Context& ctx, double tokens, bool moe_caches_shared) {
    const ModelSpec& m = ctx.model();
    const std::string T = format_number(tokens), b = format_number(ctx[Sym::bytes_act]);
    const std::string dense = T + " · (3·" + std::to_string(m.hidden) + " + 3·" + std::to_string(m.intermediate) +
                              " / " + format_number(ctx[Sym::t]) + ") · " + b;
    if (m.experts == 0) return dense;
    const std::string moe = T + " · (3·" + std::to_string(m.hidden) + " + " +
                            format_number(moe_elements_per_token(ctx, moe_caches_shared)) + " fused-MoE: " +
                            (m.shared_intermediate > 0 ? "shared output h + " : "") + "router " +
                            std::to_string(m.experts) + " + top-" + std::to_string(m.experts_per_token) + " · (" +
                            (moe_caches_shared ? "max(2F, h)" : "2F + h") + " + F), F = " +
                            format_number(static_cast<double>(m.moe_intermediate) / (ctx[Sym::ep] > 1 ? 1.0 : ctx[Sym::t])) +
                            ") · " + b;
    return has_dense_mlp(m) ? "max(" + dense + ", " + moe + ")" : moe;
}

void declare_vllm_symbols(Registrar& reg) {
    reg.declare(kUtil, "fraction", "vLLM gpu_memory_utilization");
    reg.declare(kTokens, "tokens", "vLLM max_num_batched_tokens (profile run)");
    reg.declare(kSeqs, "sequences", "vLLM max_num_seqs");
    reg.declare(kBlock, "tokens", "vLLM block_size (KV page)");
    reg.declare(kNonTorch, "B", "vLLM non-torch memory per GPU");
    reg.declare(kGraphs, "B", "vLLM CUDA graph pool");
    reg.declare(kSampler, "B", "bytes per logit live in the profile run's sampler");
    reg.declare(kMaxLen, "tokens", "vLLM max_model_len (one such request must fit the KV pool)");
    reg.declare(kOutside, "B", "vLLM NCCL memory set up before the profile's baseline (not charged to the pool)");
    reg.declare(kHybridAllocator, "flag",
                "1 where vLLM groups layers of different attention types into equal KV-cache groups (V1 0.10, latest)");
    declare_vllm_adapter_symbols(reg);
    reg.declare(kSeparateMoeCaches, "flag",
                "1 where vLLM's fused_moe gives cache3 its own memory (before 0.7.3: version 0.6, 0.7)");
    reg.declare(kGraphsInBudget, "flag",
                "1 where vLLM profiles its CUDA graphs before sizing the KV cache and takes their estimate from the "
                "budget (0.21 and later: VLLM_MEMORY_PROFILER_ESTIMATE_CUDAGRAPHS on by default)");
    reg.declare(kOffloadCopies, "flag",
                "1 where vLLM copies a CPU-offloaded layer to the GPU for its forward (V0: functional_call); 0 where "
                "V1 reads the pinned host copy in place (UVA)");
}

bool vllm_engine(const Context& ctx) noexcept { return ctx.scenario().runtime.engine == "vllm"; }

VllmSettings vllm_settings(const Context& ctx) {
    return {read(ctx, kUtil), read(ctx, kTokens), read(ctx, kSeqs), read(ctx, kBlock),
            read(ctx, kNonTorch), read(ctx, kGraphs), read(ctx, kSampler)};
}

std::vector<ParamSpec> VllmRuntime::params() const {
    return {
        {"gpu_memory_utilization", ParamType::number, "0.9",
         "fraction of the GPU's TOTAL memory this vLLM instance preallocates (vLLM default 0.9)", 0.01, 1.0, {}},
        {"max_num_batched_tokens", ParamType::integer, "0",
         "tokens of the profiling forward pass; 0 = vLLM's API-server default: 8192 on GPUs with >= 70 GiB "
         "(not A100), 2048 otherwise (arg_utils.py get_batch_defaults)", 0, 1 << 24, {}},
        {"max_num_seqs", ParamType::integer, "0",
         "sequences per step (sampler rows of the profile run); 0 = 1024 on GPUs with >= 70 GiB (not A100), 256 "
         "otherwise", 0, 1 << 20, {}},
        {"block_size", ParamType::integer, "16", "tokens per KV page (vLLM default 16 on CUDA)", 1, 4096, {}},
        {"max_model_len", ParamType::integer, "0",
         "longest sequence the engine accepts; 0 = the model's max_position_embeddings", 0, 1LL << 31, {}},
        {"version", ParamType::string, "latest",
         "vLLM release line, for what its start-up profile charges and its batch defaults (docs/serving.md "
         "\"Versions\"): 0.6 = V0 up to 0.6.4, 0.7 = V0 0.7.x, 0.8 = V1 0.8-0.9.0, "
         "0.10 = V1 0.9.1-0.10, 0.11 = V1 0.11-0.20, latest = V1 0.21 and later (the CUDA graphs' estimated memory "
         "comes out of the KV budget); 0.8-v0 = the V0 engine of 0.8.x (VLLM_USE_V1=0 or the logged 'Falling back "
         "to V0')", 0, 0, {"0.6", "0.7", "0.8", "0.8-v0", "0.10", "0.11", "latest"}},
        {"non_torch_mib", ParamType::number, "0",
         "non-torch memory vLLM's profile charges to the pool, MiB; 0 = by version: 358 where the profile counts "
         "the CUDA context in it (0.6, 0.8: 0.35 GiB logged on an RTX 3090, vLLM issue #10517), 164 (0.16 GiB on an "
         "H100, vLLM PR #12126) for 0.7 and 0.10 plus NCCL per peer, and for latest the vLLM 0.19.0 H100 figures by "
         "layout: 0.25 GiB at TP 1, 2.07 / 2.13 GiB at TP 2 / 4 with the all-reduce fusion pass (SM 9.0/10.x), "
         "0.07 GiB with pipeline stages (llm-d-planner PR #205 logs; docs/serving.md \"Non-torch memory\")", 0,
         1 << 20, {}},
        {"nccl_mib", ParamType::number, "284",
         "NCCL and custom all-reduce memory per additional tensor-parallel rank with GPU peer-to-peer, MiB: "
         "(2.10 - 0.16) / 7 GiB from vLLM 0.7.1 at TP 8 on A100-40GB (tests/data/engine-logs); versions 0.8-v0 "
         "and latest on SM 9.0/10.x use their logs' figures instead", 0, 1 << 20, {}},
        {"nccl_shm_mib", ParamType::number, "44",
         "NCCL memory per additional tensor-parallel rank over PCIe (host shared memory, or PCIe P2P with few "
         "channels), MiB: 0.13 GiB at TP 4 on L4s (SGLang's distributed-init log, llms-in-clouds)", 0, 1 << 20, {}},
        {"cuda_context_mib", ParamType::number, "500",
         "CUDA context of the worker process, MiB, outside gpu_memory_utilization where the profile's baseline "
         "snapshot excludes it (versions 0.7, 0.8-v0, 0.10, latest; pytorch PR #86509 for its size)", 0, 65536, {}},
        {"p2p", ParamType::string, "auto",
         "GPU peer-to-peer over an NVLink-class fabric between the tensor-parallel ranks (NCCL's many channels, "
         "nccl_mib per peer); auto = yes for SXM / HGX / OAM data-center boards, no for PCIe-only boards: consumer "
         "GPUs (GeForce: no P2P, NCCL through host shared memory, no custom all-reduce: 0.25 GiB per rank at TP 2 "
         "on RTX 4090s, vLLM issue #13061), workstation and PCIe data-center cards (few NCCL channels over PCIe: "
         "nccl_shm_mib per peer)", 0, 0, {"auto", "true", "false"}},
        {"cuda_graph_mib", ParamType::number, "1055",
         "CUDA graph capture pool, allocated after the KV cache (outside gpu_memory_utilization), MiB; up to "
         "1.03 GiB measured on H100 (llm-d empirical-vllm-memory-results)", 0, 1 << 20, {}},
        {"enforce_eager", ParamType::boolean, "false", "no CUDA graphs (vLLM --enforce-eager)", 0, 0, {}},
        {"enable_lora", ParamType::boolean, "false",
         "--enable-lora: vLLM allocates max_loras LoRA slots of max_lora_rank on every LoRA-capable Linear of the "
         "language model at load time", 0, 0, {}},
        {"max_lora_rank", ParamType::integer, "16", "--max-lora-rank (vLLM default 16)", 1, 1024, {}},
        {"max_loras", ParamType::integer, "1", "--max-loras: adapters held on the GPU at once (vLLM default 1)", 1,
         1024, {}},
        {"speculative_mtp", ParamType::boolean, "false",
         "MTP speculative decoding (--speculative-config method deepseek_mtp / mtp): loads the model's "
         "multi-token-prediction layers, which vLLM skips otherwise", 0, 0, {}},
        cpu_offload_param(),
        {"kv_connector", ParamType::string, "none",
         "KV connector of --kv-transfer-config: lmcache = LMCacheConnectorV1 (its default GPU connector keeps a "
         "staging buffer of lmcache_chunk_size tokens of KV on every GPU; its CPU tier is pinned host memory)", 0, 0,
         {"none", "lmcache"}},
        {"lmcache_chunk_size", ParamType::integer, "256", "LMCache chunk_size (tokens; LMCache's default 256)", 1,
         1 << 20, {}},
        {"sampler_bytes_per_logit", ParamType::number, "0",
         "bytes per vocabulary entry per sampled row live at the profile run's sampler peak; 0 = by the sampling "
         "path of the version: 38 on PyTorch's top-k/top-p sort (0.6 - 0.8: bf16 logits 2 + fp32 copy 4 + sorted "
         "fp32 values 4 + int64 indices 8 + the sort's temporaries 20, an int64 reverse index in SortStable.cu "
         "segmented_sort_pairs and cub's alternate key and value buffers 4 + 8), 14 on FlashInfer's (0.10, latest: "
         "bf16 logits 2 + fp32 copy 4 + top_k_mask_logits 4 + softmax probs 4, flashinfer sampling.py "
         "top_k_top_p_sampling_from_logits)", 0, 1024, {}},
    };
}

void VllmRuntime::prepare(Context& ctx, const Params& o) const {
    const Scenario& s = ctx.scenario();
    const std::string& version = o.string("version");
    const bool v0 = version == "0.6" || version == "0.7" || version == "0.8-v0";
    std::int64_t max_len = o.integer("max_model_len");
    if (max_len == 0) max_len = ctx.model().max_positions > 0 ? ctx.model().max_positions : static_cast<std::int64_t>(ctx[Sym::s]);
    if (ctx[Sym::s] > static_cast<double>(max_len))
        throw ParamError("runtime.max_model_len", "sequences of " + format_number(ctx[Sym::s]) +
                                                      " tokens exceed max_model_len " + std::to_string(max_len) +
                                                      "; allowed: max_model_len >= workload.sequence_length");
    // Batch defaults (arg_utils.py / config.py). V0: 256 sequences; the profile runs
    // max(max_model_len, 2048) tokens, or with chunked prefill (on by default above 32K) 512
    // (0.6.4) or 2048 (#10544). V1: GPUs with >= 70 GiB get 8192 tokens and 1024 sequences (from
    // 0.9.0 not the A100), others 2048 and 256 (#17073, #17885).
    const bool a100 = s.hardware.gpu.find("A100") != std::string::npos || s.hardware.gpu.find("a100") != std::string::npos;
    const bool big_gpu = ctx[Sym::gpu_mem] >= 70.0 * kGiB && (version == "0.8" || !a100);
    std::int64_t tokens = o.integer("max_num_batched_tokens");
    std::int64_t seqs = o.integer("max_num_seqs");
    if (v0) {
        const bool chunked = max_len > 32768;
        if (tokens == 0) tokens = chunked ? (version == "0.6" ? 512 : 2048) : std::max<std::int64_t>(max_len, 2048);
        if (seqs == 0) seqs = 256;
    } else {
        if (tokens == 0) tokens = big_gpu ? 8192 : 2048;
        if (seqs == 0) seqs = big_gpu ? 1024 : 256;
    }
    const double t = ctx[Sym::t];
    const bool p2p = peer_to_peer(ctx, o.string("p2p"));
    const double peers = t > 1 ? t - 1 : 0.0;
    const double nccl = peers * o.number(p2p ? "nccl_mib" : "nccl_shm_mib") * kMiB;
    // What the profile charges as non-torch memory (docs/serving.md "Versions"): 0.6 and V1 up
    // to 0.9.0 take used − torch-allocated with no baseline, so the CUDA context is in it; the
    // others diff against a snapshot taken after the context (0.7, 0.10) and, from 0.11, after
    // NCCL's set-up too, so what the snapshot holds is device memory the pool does not pay for.
    const bool context_charged = version == "0.6" || version == "0.8";
    // 0.11 and later share the profile; 0.21 (latest) adds the CUDA-graph estimate to it.
    const bool from_011 = version == "0.11" || version == "latest";
    const bool nccl_charged = !from_011;
    double base = o.number("non_torch_mib");
    if (base <= 0) base = context_charged ? 358.0 : 164.0;
    double inside = base * kMiB + (nccl_charged ? nccl : 0.0);
    double outside = nccl_charged ? 0.0 : nccl;
    if (version == "0.8-v0" && o.number("non_torch_mib") <= 0) {
        // The V0 engine of 0.8.x, as its logs print `non_torch_memory takes X GiB`: 0.04 - 0.09 GiB at
        // TP 1 (T4 0.05 and A100 0.09 at 0.8.2, RTX 2060 0.04 at 0.8.4, RTX 3090 0.06 and RTX 4090 D
        // 0.07 at 0.8.5: 0.06 the median), and about 0.9 GiB on the driver rank at TP 4 and at TP 8
        // alike with peer-to-peer (0.8.3 on A100-40GB: 0.89 / 0.93 at TP 4, surajssd/llm-k8s) where
        // 0.7.1 logged 2.10 GiB at TP 8: not per peer. Without peer-to-peer no 0.8 log: NCCL per peer.
        inside = 0.06 * kGiB;
        if (t > 1) inside = p2p ? 0.91 * kGiB : inside + nccl;
        ctx.notes.push_back("runtime vllm 0.8-v0 non-torch memory: " +
                            std::string(t == 1 ? "0.06 GiB at TP 1 (median of five 0.8.x V0 logs)"
                                        : p2p ? "0.91 GiB at TP > 1 (0.8.3 logs at TP 4; TP 8 logged the same)"
                                              : "0.06 GiB and NCCL per peer (no 0.8 log without peer-to-peer)"));
    }
    if (from_011) {
        const LatestNonTorch m = latest_non_torch(ctx, static_cast<int>(t), static_cast<int>(ctx[Sym::p]), p2p);
        if (o.number("non_torch_mib") <= 0) inside = m.inside_gib * kGiB;
        if (m.before_gib >= 0) outside = m.before_gib * kGiB;
        ctx.notes.push_back("runtime vllm " + version + " non-torch memory: " + m.what);
    }
    ctx.set(ctx.symbol(kNonTorch), inside);
    ctx.set(ctx.symbol(kOutside), outside);
    ctx.set(Sym::cuda_context, context_charged ? 0.0 : o.number("cuda_context_mib") * kMiB);
    ctx.set(ctx.symbol(kUtil), o.number("gpu_memory_utilization"));
    ctx.set(ctx.symbol(kTokens), static_cast<double>(tokens));
    ctx.set(ctx.symbol(kSeqs), static_cast<double>(seqs));
    ctx.set(ctx.symbol(kBlock), static_cast<double>(o.integer("block_size")));
    ctx.set(ctx.symbol(kGraphs),
            o.flag("enforce_eager") ? 0.0 : o.number("cuda_graph_mib") * kMiB);
    // V0 and V1 up to 0.9 sample with PyTorch's full-vocabulary sort; the 0.10 and later lines
    // with FlashInfer (bundled with their CUDA builds; the profile peaks logged by 0.10.1.1 on an
    // A100 and 0.19.0 on H100s fit it, docs/serving.md).
    double sampler = o.number("sampler_bytes_per_logit");
    if (sampler <= 0) sampler = version == "0.10" || from_011 ? 14.0 : 38.0;
    ctx.set(ctx.symbol(kSampler), sampler);
    ctx.set(ctx.symbol(kMaxLen), static_cast<double>(max_len));
    ctx.set(ctx.symbol(kHybridAllocator), version == "0.10" || from_011 ? 1.0 : 0.0);
    // From 0.21 the profile captures sample CUDA graphs and the KV budget leaves room for all of
    // them ("CUDA graph memory profiling is enabled (default since v0.21.0). The current
    // --gpu-memory-utilization=0.9764 is equivalent to --gpu-memory-utilization=0.9543 without",
    // gpu_worker.py): vram takes its own graph figure for that estimate.
    ctx.set(ctx.symbol(kGraphsInBudget), version == "latest" ? 1.0 : 0.0);
    ctx.set(ctx.symbol(kSeparateMoeCaches), version == "0.6" || version == "0.7" ? 1.0 : 0.0);
    set_vllm_encoder_outputs(ctx, tokens, seqs, max_len, v0);
    set_vllm_lora(ctx, o.flag("enable_lora") ? o.integer("max_lora_rank") : 0, o.integer("max_loras"));
    ctx.engine.loads_mtp_layers = o.flag("speculative_mtp");
    set_cpu_offload(ctx, o.number("cpu_offload_gb"), "vllm");
    set_vllm_kv_connector(ctx, o.string("kv_connector"), o.integer("lmcache_chunk_size"), v0, version);
    ctx.set(ctx.symbol(kOffloadCopies), v0 ? 1.0 : 0.0);
    ctx.notes.push_back("runtime vllm " + version + ": preallocates " + format_number(o.number("gpu_memory_utilization")) +
                        " × total GPU memory; KV pool = that − weights − profiled peak (" + std::to_string(tokens) +
                        " batched tokens, " + std::to_string(seqs) + " sampler rows) − non-torch; pages of " +
                        std::to_string(o.integer("block_size")) + " tokens; max_model_len " + std::to_string(max_len) +
                        (t > 1 ? std::string(p2p ? "; NCCL peer-to-peer buffers on the GPU"
                                                 : "; PCIe between the GPUs: few NCCL channels")
                               : std::string()));
}

// vLLM's start-up checks and its scheduler decide the verdict as much as the bytes do: with no
// KV pool left after the profile run, or a pool that cannot hold one max_model_len request, the
// engine refuses to start (gpu_worker.py determine_available_memory; v1/core/kv_cache_utils.py
// check_enough_kv_cache_memory); a batch beyond the pool's sequences is not held at once: the
// scheduler admits requests only while free blocks remain (v1/core/sched/scheduler.py
// schedule → kv_cache_manager.allocate_slots returns None), so the rest wait or are preempted.
bool VllmRuntime::admits(const Context& ctx, std::string* reason) const {
    if (ctx[Sym::training] != 0 || ctx[Sym::gpu_mem] <= 0) return true;
    const double pool = vllm_kv_pool(ctx);
    if (pool <= 0) {
        if (reason)
            *reason = "vLLM does not start: no memory left for the KV cache (" + format_gib(static_cast<Bytes>(-pool)) +
                      " short after weights, the profiled peak and non-torch memory within gpu_memory_utilization); "
                      "raise gpu_memory_utilization or lower max_num_batched_tokens";
        return false;
    }
    const auto t = static_cast<std::int64_t>(ctx[Sym::t]), p = static_cast<std::int64_t>(ctx[Sym::p]);
    const auto block = static_cast<std::int64_t>(read(ctx, kBlock));
    const auto max_len = static_cast<std::int64_t>(read(ctx, kMaxLen));
    const std::int64_t max_len_blocks = (max_len + block - 1) / block * block;
    const Bytes one = add_bytes(kv_bytes_per_sequence(ctx.kv_groups, max_len_blocks, ctx[Sym::bytes_kv], t, p),
                                static_cast<Bytes>(dsa_fp8_latent_extra_per_token(ctx) * static_cast<double>(max_len_blocks)));
    if (static_cast<double>(one) > pool) {
        if (reason)
            *reason = "vLLM does not start: one request of max_model_len " + format_count(max_len) + " tokens needs " +
                      format_gib(one) + " of KV cache but the pool holds " + format_gib(static_cast<Bytes>(pool)) +
                      "; lower runtime.max_model_len";
        return false;
    }
    const Bytes needed = vllm_kv_needed(ctx);
    if (static_cast<double>(needed) > pool) {
        if (reason) {
            const Bytes per_seq = needed / std::max<Bytes>(1, static_cast<Bytes>(ctx[Sym::b]));
            const double held = per_seq > 0 ? std::floor(pool / static_cast<double>(per_seq)) : 0;
            *reason = "the KV pool (" + format_gib(static_cast<Bytes>(pool)) + ") holds " + format_number(held) +
                      " sequences of " + format_number(ctx[Sym::s]) + " tokens; vLLM's scheduler holds no more at "
                      "once, so a batch of " + format_number(ctx[Sym::b]) + " waits or is preempted";
        }
        return false;
    }
    return true;
}

double VllmRuntime::max_kv_tokens(const Context& ctx, double, double kv_bytes_per_token) const {
    const double block = read(ctx, kBlock);
    const double pool = vllm_kv_pool(ctx);
    if (kv_bytes_per_token <= 0 || pool <= 0 || block <= 0) return 0;
    const HybridKvGroups h = read(ctx, kHybridAllocator) > 0 ? hybrid_kv_groups(ctx) : HybridKvGroups{};
    if (h.groups > 1) {
        // KV tensors = group_size columns of num_blocks pages each, so num_blocks = pool //
        // (group_size · page); "GPU KV cache size" = num_blocks // groups · the smallest block_size,
        // the one of the largest layers (v1/core/kv_cache_utils.py: get_kv_cache_config).
        const double blocks = std::floor(pool / (static_cast<double>(h.group_size) * block * h.page_layer_bytes));
        return std::floor(blocks / static_cast<double>(h.groups)) * block;
    }
    // num_gpu_blocks = pool // (page bytes of all layers); "GPU KV cache size" = blocks × block_size.
    const double per_token = kv_bytes_per_token + dsa_fp8_latent_extra_per_token(ctx);
    return std::floor(pool / (per_token * block)) * block;
}

// The forward pass and the sampler do not overlap: the profile's torch peak is the larger of
// the two (vLLM PR #10511: 1.26 GiB logged for Llama-3-8B at 8192 tokens / 256 rows, the
// sampler's phase; issue #10517: 2.07 GiB at 20,000 tokens, the forward's).
double vllm_profile_peak(const Context& ctx) { return std::max(forward_peak(ctx), sampler_peak(ctx)); }

// With DeepSeek sparse attention and an fp8 cache vLLM switches to the "fp8_ds_mla" layout
// (656 bytes a token and layer, dsa_fp8_latent_extra_per_token) and sizes blocks by it.
Bytes vllm_kv_needed(const Context& ctx) {
    const double extra = dsa_fp8_latent_extra_per_token(ctx) * ctx[Sym::b] * static_cast<double>(rounded_tokens(ctx));
    return add_bytes(paged_kv_bytes(ctx, static_cast<std::int64_t>(read(ctx, kBlock))), static_cast<Bytes>(extra));
}

double graphs_in_budget(const Context& ctx) { return read(ctx, kGraphsInBudget) > 0 ? read(ctx, kGraphs) : 0.0; }

double vllm_kv_pool(const Context& ctx) {
    return read(ctx, kUtil) * ctx[Sym::gpu_mem] - engine_model_bytes(ctx) - vllm_profile_peak(ctx) -
           vllm_encoder_output_bytes(ctx) - read(ctx, kNonTorch) - graphs_in_budget(ctx) -
           vllm_kv_connector_in_budget(ctx);
}

// ---------------------------------------------------------------- components

std::vector<std::string> VllmKvCacheTerm::reads() const { return {kBlock}; }
std::vector<std::string> VllmProfilePeakTerm::reads() const { return {kTokens, kSeqs, kSampler, kSeparateMoeCaches, kOffloadCopies}; }
std::vector<std::string> VllmNonTorchTerm::reads() const { return {kNonTorch}; }
std::vector<std::string> VllmKvReserveTerm::reads() const {
    return {kUtil, kTokens, kSeqs, kBlock, kNonTorch, kSampler, kSeparateMoeCaches, kVllmEncoderOutputs, kVllmLoraRank,
            kVllmMaxLoras, kGraphs, kGraphsInBudget, kVllmConnectorBuffer, kVllmConnectorInBudget, kOffloadCopies};
}
std::vector<std::string> VllmCudaGraphTerm::reads() const { return {kGraphs}; }

bool VllmKvCacheTerm::applies(const Context& ctx) const { return ctx[Sym::training] == 0 && vllm_engine(ctx); }
Bytes VllmKvCacheTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = vllm_kv_needed(ctx);
    if (!explain) return bytes;
    std::string s = format_number(ctx[Sym::b]) + " × [";
    bool first = true;
    for (const auto& g : ctx.kv_groups) {
        s += (first ? "" : " + ") + std::to_string(g.layers) + " layers · " + std::to_string(g.elements_per_token) + " · " +
             format_number(ctx[Sym::bytes_kv]) + " B";
        if (g.own_dtype_bytes_per_token > 0) s += " (+ " + std::to_string(g.own_dtype_bytes_per_token) + " B)";
        if (g.fixed_tokens > 0) s += " · " + std::to_string(g.fixed_tokens) + " (fixed)";
        else if (g.window > 0) s += " · min(" + std::to_string(rounded_tokens(ctx)) + ", " + std::to_string(g.window) + ")";
        else s += " · " + std::to_string(rounded_tokens(ctx));
        if (g.state_bytes > 0) s += " + state " + std::to_string(g.state_bytes) + " B";
        first = false;
    }
    s += "] (s = " + format_number(ctx[Sym::s]) + " rounded up to blocks of " + format_number(read(ctx, kBlock)) + ")";
    if (const double extra = dsa_fp8_latent_extra_per_token(ctx); extra > 0)
        s += " + " + format_number(extra) + " B per token (fp8_ds_mla: scales and a bf16 rope in the latent)";
    if (ctx[Sym::t] > 1) s += " with t=" + format_number(ctx[Sym::t]);
    *explain = s + " = " + format_count(bytes) + " B";
    return bytes;
}

bool VllmProfilePeakTerm::applies(const Context& ctx) const { return ctx[Sym::training] == 0 && vllm_engine(ctx); }
Bytes VllmProfilePeakTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(vllm_profile_peak(ctx), kId.data());
    if (!explain) return bytes;
    const ModelSpec& m = ctx.model();
    const std::string rows = last_stage(ctx) ? format_number(sampler_rows(ctx)) : std::string("0");
    const double copy = offloaded_layer_copy(ctx);
    *explain = "max(" + layer_forward_peak_text(ctx, read(ctx, kTokens), moe_caches_shared(ctx)) +
               (copy > 0 ? " + " + format_count(static_cast<Bytes>(copy)) + " (offloaded layer copied back)" : std::string()) +
               ", " +
               (last_stage(ctx) ? format_number(read(ctx, kTokens)) + " · " + std::to_string(m.hidden) + " · " +
                                      format_number(ctx[Sym::bytes_act]) + " + " + rows + " · " +
                                      format_number(ctx[Sym::V]) + " · " + format_number(read(ctx, kSampler))
                                : std::string("0 (not the last stage)")) +
               ") = " + format_count(bytes) + " B";
    return bytes;
}

bool VllmNonTorchTerm::applies(const Context& ctx) const { return ctx[Sym::training] == 0 && vllm_engine(ctx); }
Bytes VllmNonTorchTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(read(ctx, kNonTorch), kId.data());
    if (explain)
        *explain = format_number(read(ctx, kNonTorch) / kMiB) + " MiB with t=" + format_number(ctx[Sym::t]) + " = " +
                   format_count(bytes) + " B";
    return bytes;
}

bool VllmKvReserveTerm::applies(const Context& ctx) const { return ctx[Sym::training] == 0 && vllm_engine(ctx); }
Bytes VllmKvReserveTerm::compute(const Context& ctx, std::string* explain) const {
    const double rest = vllm_kv_pool(ctx) - static_cast<double>(vllm_kv_needed(ctx));
    const Bytes bytes = rest > 0 ? static_cast<Bytes>(std::floor(rest)) : 0;
    if (explain)
        *explain = format_number(read(ctx, kUtil)) + " · " + format_count(static_cast<Bytes>(ctx[Sym::gpu_mem])) +
                   " − " + format_count(static_cast<Bytes>(engine_model_bytes(ctx))) + " − " +
                   format_count(static_cast<Bytes>(vllm_profile_peak(ctx))) + " − " +
                   (vllm_encoder_output_bytes(ctx) > 0
                        ? format_count(static_cast<Bytes>(vllm_encoder_output_bytes(ctx))) + " (encoder outputs) − "
                        : std::string()) +
                   format_count(static_cast<Bytes>(read(ctx, kNonTorch))) + " − " +
                   (graphs_in_budget(ctx) > 0 ? format_count(static_cast<Bytes>(graphs_in_budget(ctx))) + " (CUDA graphs) − "
                                              : std::string()) +
                   (vllm_kv_connector_in_budget(ctx) > 0
                        ? format_count(static_cast<Bytes>(vllm_kv_connector_in_budget(ctx))) + " (KV connector) − "
                        : std::string()) +
                   format_count(vllm_kv_needed(ctx)) + " = " + format_count(bytes) + " B";
    return bytes;
}

std::vector<std::string> VllmNcclTerm::reads() const { return {kOutside}; }
bool VllmNcclTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && vllm_engine(ctx) && read(ctx, kOutside) > 0;
}
Bytes VllmNcclTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(read(ctx, kOutside), kId.data());
    if (explain)
        *explain = format_number(read(ctx, kOutside) / kMiB) + " MiB with t=" + format_number(ctx[Sym::t]) + " = " +
                   format_count(bytes) + " B";
    return bytes;
}

bool VllmCudaGraphTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && vllm_engine(ctx) && read(ctx, kGraphs) > 0;
}
Bytes VllmCudaGraphTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(read(ctx, kGraphs), kId.data());
    if (explain)
        *explain = format_number(read(ctx, kGraphs) / kMiB) + " MiB = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins
