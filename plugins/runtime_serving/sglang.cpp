// sglang.cpp - SGLang memory semantics: the KV pool is what mem_fraction_static of the memory
// free before the weights leaves once they are loaded (model_runner_kv_cache_mixin.py
// profile_max_num_token); activations of a chunked prefill and the decode CUDA graphs live in
// the other 1 − mem_fraction_static. Default settings follow server_args.py
// _handle_gpu_memory_settings (GPU-memory buckets, sglang PR #10975).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <array>
#include <cmath>

#include "serving.hpp"
#include "vram/caching_allocator.hpp"
#include "vram/error.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {
namespace {

// Symbols the profile declares and sets; its own components read them back by name.
constexpr const char* kFraction = "sglang_mem_fraction";
constexpr const char* kChunk = "sglang_chunk";
constexpr const char* kPage = "sglang_page";
constexpr const char* kDistInit = "sglang_dist_init";
constexpr const char* kGraphs = "sglang_cuda_graphs";
constexpr const char* kSwaRatio = "sglang_swa_full_tokens_ratio";
constexpr const char* kMambaRatio = "sglang_mamba_full_memory_ratio";
constexpr const char* kMambaSsmBytes = "sglang_mamba_ssm_bytes";

double read(const Context& ctx, const char* name) { return ctx.get(name, 0.0); }

struct Defaults {
    std::int64_t chunk = 0, graph_bs = 0;
};

// server_args.py _handle_gpu_memory_settings: chunked_prefill_size and cuda_graph_max_bs by the
// GPU's total memory in MiB (T4/4080 < 20 GiB; A10/4090/5090 < 35; A100-40G/L40 < 60; H100/A100
// < 90; H20/H200 < 160; B200/MI300 above).
Defaults bucket_defaults(double gpu_mib, double tp) {
    const bool small_tp = tp < 4;
    if (gpu_mib < 20 * 1024.0) return {2048, 8};
    if (gpu_mib < 35 * 1024.0) return {2048, small_tp ? 24 : 80};
    if (gpu_mib < 60 * 1024.0) return {4096, small_tp ? 32 : 160};
    if (gpu_mib < 160 * 1024.0) return {8192, small_tp ? 256 : 512};
    return {16384, 512};
}

// The same function's default mem_fraction_static: 512 MB of metadata, 1.5 MB per prefill token
// of the chunk (at least 2048), 2 MB per CUDA-graph batch size, 1 GB per 8 ranks of TP·PP; at
// least 10 GB on GPUs above 60 GB; rounded to three decimals.
double default_fraction(double gpu_mib, double chunk, double graph_bs, double tp, double pp) {
    double reserved = 512.0 + std::max(chunk, 2048.0) * 1.5 + graph_bs * 2.0 + tp * pp / 8.0 * 1024.0;
    if (gpu_mib > 60 * 1024.0) reserved = std::max(reserved, 10.0 * 1024.0);
    return std::round((gpu_mib - reserved) / gpu_mib * 1000.0) / 1000.0;
}

// Releases before PR #10975's buckets (the 0.3 and 0.4 lines of 2024 - mid-2025, server_args.py
// __post_init__): mem_fraction_static by TP size alone (0.88 at TP 1, 0.87 from 2, 0.85 from 4,
// 0.81 from 8, 0.79 from 16); chunked_prefill_size and cuda_graph_max_bs 2048 / 8 below
// 25,000 MB of GPU memory, 8192 / 160 above.
Defaults legacy_defaults(double gpu_mib) {
    if (gpu_mib < 25000.0) return {2048, 8};
    return {8192, 160};
}
double legacy_fraction(double tp) {
    if (tp >= 16) return 0.79;
    if (tp >= 8) return 0.81;
    if (tp >= 4) return 0.85;
    if (tp >= 2) return 0.87;
    return 0.88;
}

std::int64_t rounded_tokens(const Context& ctx) { return paged_tokens(ctx, static_cast<std::int64_t>(read(ctx, kPage))); }

double chunk_tokens(const Context& ctx) { return std::min(read(ctx, kChunk), ctx[Sym::b] * ctx[Sym::s]); }

double logits_rows(const Context& ctx) {
    if (ctx[Sym::stage] < ctx[Sym::p] - 1) return 0;
    return std::min(ctx[Sym::b], read(ctx, kChunk));
}

double prefill_peak(const Context& ctx) {
    return layer_forward_peak(ctx, chunk_tokens(ctx)) + logits_rows(ctx) * ctx[Sym::V] * (ctx[Sym::bytes_act] + 4.0);
}

// Memory free when the weights start loading: SGLang's total_gpu_memory in profile_max_num_token.
double free_before_weights(const Context& ctx) {
    return ctx[Sym::gpu_mem] - ctx[Sym::cuda_context] - read(ctx, kDistInit);
}

}  // namespace

void declare_sglang_symbols(Registrar& reg) {
    reg.declare(kFraction, "fraction", "SGLang mem_fraction_static (weights + KV pool share of the free memory)");
    reg.declare(kChunk, "tokens", "SGLang chunked_prefill_size");
    reg.declare(kPage, "tokens", "SGLang page_size");
    reg.declare(kDistInit, "B", "SGLang distributed-init memory per GPU (NCCL, custom all-reduce)");
    reg.declare(kGraphs, "B", "SGLang CUDA graph memory");
    reg.declare(kSwaRatio, "ratio", "SGLang swa_full_tokens_ratio: sliding-window pool tokens per full-attention pool token");
    reg.declare(kMambaRatio, "ratio", "SGLang mamba_full_memory_ratio: recurrent-state pool memory per KV pool memory");
    reg.declare(kMambaSsmBytes, "B", "SGLang bytes per element of the recurrent (SSM) state (SGLANG_MAMBA_SSM_DTYPE)");
}

bool sglang_engine(const Context& ctx) noexcept { return ctx.scenario().runtime.engine == "sglang"; }

std::vector<ParamSpec> SglangRuntime::params() const {
    return {
        {"version", ParamType::string, "latest",
         "SGLang release line, for its defaults: 0.4 = the TP-size table of the 0.3 / 0.4 releases (0.88 at TP 1 "
         "down to 0.79 at TP 16; chunk and CUDA-graph batch by 25,000 MB of GPU memory), latest = the GPU-memory "
         "buckets of PR #10975", 0, 0, {"0.4", "latest"}},
        {"mem_fraction_static", ParamType::number, "0",
         "share of the memory free before the weights that weights + KV pool may take (--mem-fraction-static); 0 = "
         "SGLang's default from the GPU memory, chunked_prefill_size, cuda_graph_max_bs and TP·PP (server_args.py)",
         0, 1.0, {}},
        {"chunked_prefill_size", ParamType::integer, "0",
         "tokens per prefill forward; 0 = SGLang's default by GPU memory: 2048 below 35 GiB, 4096 below 60, 8192 "
         "below 160, 16384 above", 0, 1 << 24, {}},
        {"cuda_graph_max_bs", ParamType::integer, "0",
         "largest decode batch captured as a CUDA graph; 0 = SGLang's default by GPU memory and TP (8 to 512)", 0,
         1 << 20, {}},
        {"page_size", ParamType::integer, "1", "tokens per KV page (--page-size; 1 = token-granular pool)", 1, 4096, {}},
        {"swa_full_tokens_ratio", ParamType::number, "0.8",
         "hybrid sliding-window models (Gemma 4): tokens of the sliding-window pool per token of the full-attention "
         "pool (--swa-full-tokens-ratio; server_args.py default 0.8)", 0.01, 100.0, {}},
        {"mamba_full_memory_ratio", ParamType::number, "0.9",
         "hybrid linear-attention models (Qwen3-Next, Granite 4.0-H, Bamba): memory of the recurrent-state pool per "
         "memory of the KV pool when SGLang splits what mem_fraction_static leaves (--mamba-full-memory-ratio; "
         "server_args.py default 0.9)", 0.01, 100.0, {}},
        {"mamba_ssm_dtype", ParamType::string, "float32",
         "dtype of the recurrent state in SGLang's state pool (SGLANG_MAMBA_SSM_DTYPE, or the config's "
         "mamba_ssm_dtype; default float32, configs/mamba_utils.py); the convolution state is bf16", 0, 0,
         {"float32", "bfloat16"}},
        {"cuda_context_mib", ParamType::number, "604",
         "memory SGLang's process holds before the weights at TP 1 (CUDA context, PyTorch and library start-up), "
         "MiB: 79.18 GiB total − `Load weight begin. avail mem=78.59 GB` = 0.59 GiB on an H100 (sglang PR #4760)",
         0, 65536, {}},
        {"nccl_mib", ParamType::number, "294",
         "distributed-init memory per additional tensor-parallel rank with GPU peer-to-peer, MiB: SGLang logs "
         "`Init torch distributed ends. mem usage=2.01 GB` at TP 8 on H200 (sglang PR #11716): 2.01 GiB / 7 peers",
         0, 1 << 20, {}},
        {"nccl_shm_mib", ParamType::number, "44",
         "distributed-init memory per additional tensor-parallel rank over PCIe (host shared memory, or PCIe P2P "
         "with few NCCL channels), MiB: `Init torch distributed ends. mem usage=0.13 GB` at TP 4 on L4s "
         "(llms-in-clouds log): 0.13 GiB / 3 peers",
         0, 1 << 20, {}},
        {"p2p", ParamType::string, "auto",
         "GPU peer-to-peer over an NVLink-class fabric between the tensor-parallel ranks (nccl_mib per peer); auto "
         "= yes for SXM / HGX / OAM data-center boards, no for PCIe-only boards (consumer: no P2P and no custom "
         "all-reduce; workstation and PCIe data-center cards: few NCCL channels, nccl_shm_mib per peer)", 0, 0,
         {"auto", "true", "false"}},
        {"cuda_graph_mib", ParamType::number, "0",
         "memory of the captured decode CUDA graphs, MiB; 0 = SGLang's own budget of 2 MB per captured batch size "
         "up to cuda_graph_max_bs", 0, 1 << 20, {}},
        {"disable_cuda_graph", ParamType::boolean, "false", "no CUDA graphs (--disable-cuda-graph)", 0, 0, {}},
        cpu_offload_param(),
    };
}

void SglangRuntime::prepare(Context& ctx, const Params& o) const {
    const double t = ctx[Sym::t], p = ctx[Sym::p];
    const double gpu_mib = ctx[Sym::gpu_mem] / kMiB;
    const bool legacy = o.string("version") == "0.4";
    const Defaults d = legacy ? legacy_defaults(gpu_mib) : bucket_defaults(gpu_mib, t);
    std::int64_t chunk = o.integer("chunked_prefill_size");
    if (chunk == 0) chunk = d.chunk;
    std::int64_t graph_bs = o.integer("cuda_graph_max_bs");
    if (graph_bs == 0) graph_bs = d.graph_bs;
    double fraction = o.number("mem_fraction_static");
    const bool default_fraction_used = fraction <= 0;
    if (default_fraction_used && gpu_mib > 0)
        fraction = legacy ? legacy_fraction(t)
                          : default_fraction(gpu_mib, static_cast<double>(chunk), static_cast<double>(graph_bs), t, p);
    const bool p2p = peer_to_peer(ctx, o.string("p2p"));
    const double peers = t > 1 ? t - 1 : 0.0;
    const bool graphs = !o.flag("disable_cuda_graph");
    double graph_mib = o.number("cuda_graph_mib");
    if (graph_mib <= 0) graph_mib = 2.0 * static_cast<double>(graph_bs);
    ctx.set(ctx.symbol(kFraction), fraction);
    ctx.set(ctx.symbol(kChunk), static_cast<double>(chunk));
    ctx.set(ctx.symbol(kPage), static_cast<double>(o.integer("page_size")));
    ctx.set(ctx.symbol(kSwaRatio), o.number("swa_full_tokens_ratio"));
    ctx.set(ctx.symbol(kMambaRatio), o.number("mamba_full_memory_ratio"));
    ctx.set(ctx.symbol(kMambaSsmBytes), o.string("mamba_ssm_dtype") == "float32" ? 4.0 : 2.0);
    ctx.set(ctx.symbol(kDistInit), peers * o.number(p2p ? "nccl_mib" : "nccl_shm_mib") * kMiB);
    ctx.set(ctx.symbol(kGraphs), graphs ? graph_mib * kMiB : 0.0);
    ctx.set(Sym::cuda_context, o.number("cuda_context_mib") * kMiB);
    set_cpu_offload(ctx, o.number("cpu_offload_gb"), "sglang");
    ctx.notes.push_back("runtime sglang: KV pool = mem_fraction_static " + format_number(fraction) +
                        (default_fraction_used ? std::string(legacy ? " (the 0.4 line's default for this TP size)"
                                                                    : " (SGLang's default for this GPU)")
                                               : std::string()) +
                        " × memory free before the weights − weights; chunked prefill of " + std::to_string(chunk) +
                        " tokens; CUDA graphs up to batch " + std::to_string(graph_bs) +
                        (graphs ? std::string() : std::string(" (disabled)")) +
                        (t > 1 ? std::string(p2p ? "; NCCL peer-to-peer buffers on the GPU"
                                                 : "; PCIe between the GPUs: few NCCL channels")
                               : std::string()));
}

// SGLang's linear layers fuse the checkpoint's q/k/v (QKVParallelLinear) and gate/up
// (MergedColumnParallelLinear) into one parameter each, and FusedMoE stacks every expert's
// gate/up and down; everything else is one parameter per checkpoint tensor. Allocated in module
// order, each as this rank's share.
static double replay_weight_segments(const Context& ctx);

// The replay walks every tensor; the pool, the verdict and the terms ask for it several times per
// estimate and fit/sweep/recommend estimate many times, so the last results are kept per thread,
// keyed by what the replay reads.
double sglang_weight_segment_rounding(const Context& ctx) {
    struct Entry {
        std::string model;
        std::vector<Bytes> tensor_bytes;
        std::array<double, 5> placement;  // t, p, ep, stage, offload budget
        double value;
    };
    thread_local std::vector<Entry> recent;
    const std::array<double, 5> placement{ctx[Sym::t], ctx[Sym::p], ctx[Sym::ep], ctx[Sym::stage],
                                          ctx.engine.weight_offload_budget};
    for (const Entry& e : recent)
        if (e.placement == placement && e.model == ctx.model().name && e.tensor_bytes == ctx.tensor_bytes) return e.value;
    const double value = replay_weight_segments(ctx);
    if (recent.size() >= 4) recent.erase(recent.begin());
    recent.push_back({ctx.model().name, ctx.tensor_bytes, placement, value});
    return value;
}

static double replay_weight_segments(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    const std::size_t n = std::min(m.tensors.size(), ctx.tensor_bytes.size());
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]), t = static_cast<std::int64_t>(ctx[Sym::t]);
    const auto ep = static_cast<std::int64_t>(ctx[Sym::ep]);
    auto fused_with = [](const std::string& module) -> std::string {
        if (module == "q_proj" || module == "k_proj" || module == "v_proj") return "qkv";
        if (module == "gate_proj" || module == "up_proj") return "gate_up";
        return module;
    };
    // Offloaded parameters are copied to the host as each layer is built and freed on the GPU;
    // torch.cuda.empty_cache() before SGLang's measurement returns their segments.
    const std::vector<bool> offloaded = offloaded_tensors(ctx);
    CachingAllocatorModel alloc;
    // One layer's parameters at a time, merged by fused key in the order first met.
    std::vector<std::pair<std::string, double>> pending;
    std::int32_t pending_layer = -2;
    auto flush = [&] {
        for (const auto& [key, bytes] : pending)
            if (bytes > 0) alloc.allocate(static_cast<Bytes>(std::ceil(bytes)));
        pending.clear();
    };
    for (std::size_t i = 0; i < n; ++i) {
        const Tensor& tensor = m.tensors[i];
        if (!on_pipeline_stage(tensor, m, stage, p) || ctx.tensor_bytes[i] == 0) continue;
        if (i < offloaded.size() && offloaded[i]) continue;
        // Plain 16/32-bit weights only: a quantized format's scales and zero points are separate
        // allocations that its byte count does not itemise.
        const auto numel = static_cast<Bytes>(tensor.numel()) * static_cast<Bytes>(tensor.copies);
        if (ctx.tensor_bytes[i] != 2 * numel && ctx.tensor_bytes[i] != 4 * numel) return 0;
        const bool bias = tensor.name.size() >= 5 && tensor.name.compare(tensor.name.size() - 5, 5, ".bias") == 0;
        // A column-parallel layer's bias is split with its output features (QKVParallelLinear,
        // MergedColumnParallelLinear); a row-parallel one's is added after the all-reduce, whole.
        const std::string fused = fused_with(tensor.module);
        const bool column_bias = bias && (fused == "qkv" || fused == "gate_up" || tensor.module == "fc1");
        const double divisor = column_bias ? static_cast<double>(std::max<std::int64_t>(1, t))
                                           : tensor_parallel_divisor(tensor, t, ep);
        const double bytes = static_cast<double>(ctx.tensor_bytes[i]) / divisor;
        const std::string key = tensor.linear || (bias && !tensor.module.empty())
                                    ? tensor.group + "/" + fused + (bias ? "/bias" : "/weight")
                                    : tensor.name;
        if (tensor.layer != pending_layer) flush();
        pending_layer = tensor.layer;
        auto it = std::find_if(pending.begin(), pending.end(), [&](const auto& e) { return e.first == key; });
        if (it == pending.end()) pending.emplace_back(key, bytes);
        else it->second += bytes;
    }
    flush();
    const CachingAllocatorStats& st = alloc.stats();
    return static_cast<double>(st.reserved) - static_cast<double>(st.requested);
}

double sglang_kv_pool(const Context& ctx) {
    return read(ctx, kFraction) * free_before_weights(ctx) - engine_model_bytes(ctx) - sglang_weight_segment_rounding(ctx);
}

Bytes sglang_kv_needed(const Context& ctx) { return paged_kv_bytes(ctx, static_cast<std::int64_t>(read(ctx, kPage))); }

// SGLang's state pool for hybrid linear-attention models (Mamba-2 and Gated DeltaNet layers:
// Qwen3-Next, Granite 4.0-H, Bamba; its mambaish_config). One request keeps, in every such layer
// on this stage, the convolution state (conv_dim / t × (d_conv − 1) in bf16, conv_dim = d_inner +
// 2 · n_groups · d_state with the groups padded to a multiple of t) and the recurrent state
// (n_heads / t × head_dim × d_state in SGLANG_MAMBA_SSM_DTYPE): configs/mamba_utils.py
// Mamba2StateShape.create, Mamba2CacheParams.mamba_cache_per_req.
static double mamba_bytes_per_request(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    if (m.ssm_heads <= 0 || m.ssm_inner <= 0 || m.ssm_state <= 0 || m.ssm_conv <= 0) return 0;
    const auto t = std::max<std::int64_t>(1, static_cast<std::int64_t>(ctx[Sym::t]));
    const auto p = std::max<std::int64_t>(1, static_cast<std::int64_t>(ctx[Sym::p]));
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    std::int64_t layers = 0;
    for (std::size_t i = 0; i < m.layer_specs.size(); ++i)
        if (m.layer_specs[i].attention == LayerAttention::ssm &&
            pipeline_stage_of(static_cast<std::int64_t>(i), m.layers, p) == stage)
            ++layers;
    std::int64_t groups = m.ssm_groups;
    if (groups % t != 0) groups += t - groups;  // extra_groups_for_head_shards
    const double conv = static_cast<double>((m.ssm_inner + 2 * groups * m.ssm_state) / t * (m.ssm_conv - 1)) * 2.0;
    const double temporal = static_cast<double>(m.ssm_heads / t * (m.ssm_inner / m.ssm_heads) * m.ssm_state) *
                            read(ctx, kMambaSsmBytes);
    return static_cast<double>(layers) * (conv + temporal);
}

// model_runner_kv_cache_mixin.py handle_max_mamba_cache: of what mem_fraction_static leaves, the
// state pool takes ratio / (1 + ratio) in whole requests' states (max_mamba_cache_size), the KV
// pool of the full-attention layers the rest; max_running_requests is at most
// max_mamba_cache_size // 3 (MAMBA_CACHE_SIZE_MAX_RUNNING_REQUESTS_RATIO, radix cache on).
struct MambaSplit {
    double per_request = 0, requests = 0, kv_rest = 0;
};
static MambaSplit mamba_split(const Context& ctx) {
    const double per_request = mamba_bytes_per_request(ctx), rest = sglang_kv_pool(ctx);
    if (per_request <= 0 || rest <= 0) return {0, 0, rest};
    const double ratio = read(ctx, kMambaRatio);
    const double requests = std::floor(rest * ratio / (1.0 + ratio) / per_request);
    return {per_request, requests, rest - requests * per_request};
}

// This rank's KV bytes per token as the profile counts them (the cell size).
static double cell_bytes(const Context& ctx) {
    const auto t = static_cast<std::int64_t>(ctx[Sym::t]), p = static_cast<std::int64_t>(ctx[Sym::p]);
    return static_cast<double>(kv_bytes_per_sequence(ctx.kv_groups, 1, ctx[Sym::bytes_kv], t, p) -
                               kv_bytes_per_sequence(ctx.kv_groups, 0, ctx[Sym::bytes_kv], t, p));
}

// The batch's KV as the pool stores it, and the whole pool as allocated.
static Bytes sglang_kv_held(const Context& ctx) {
    if (const MambaSplit ms = mamba_split(ctx); ms.per_request > 0) {
        // The batch's KV in the full-attention layers and its requests' states as SGLang keeps them.
        const double kv = cell_bytes(ctx) * static_cast<double>(rounded_tokens(ctx));
        return static_cast<Bytes>(std::ceil(ctx[Sym::b] * (kv + ms.per_request)));
    }
    const double extra = dsa_fp8_latent_extra_per_token(ctx) * ctx[Sym::b] * static_cast<double>(rounded_tokens(ctx));
    return add_bytes(sglang_kv_needed(ctx), static_cast<Bytes>(extra));
}
// DeepSeek sparse attention (DeepSeek-V3.2, GLM-5) with an fp8 KV cache: SGLang sizes the pool
// with (kv_lora_rank + qk_rope_head_dim) bytes per layer and token plus the indexer key
// (get_cell_size_per_token), but NSATokenToKVPool then stores FlashMLA's 656-byte record
// (dsa_fp8_latent_extra_per_token): the difference is allocated beyond mem_fraction_static.
static double sglang_pool_allocated(const Context& ctx) {
    const double pool = sglang_kv_pool(ctx), extra = dsa_fp8_latent_extra_per_token(ctx), cell = cell_bytes(ctx);
    if (extra <= 0 || cell <= 0 || pool <= 0) return pool;
    return pool + std::floor(pool / cell) * extra;
}

// SGLang's hybrid sliding-window pool (SWAKVPool) for the architectures model_config.py lists as
// hybrid SWA, Gemma 4 among them: a full-attention pool and a sliding-window pool of
// swa_full_tokens_ratio times its tokens share the memory, full_tokens = rest // (F + ratio · S)
// with F and S one token's bytes over the full and the sliding layers
// (model_runner_kv_cache_mixin.py set_num_tokens_hybrid_swa). Its layer lists take every entry of
// layer_types, KV-shared layers too (get_hybrid_layer_ids); each layer's KV shape is its own
// (hf_transformers_utils.py: swa_head_dim / swa_num_key_value_heads beside the global ones).
struct SwaCells {
    double full = 0, sliding = 0;  ///< bytes per token on this rank
};
SwaCells swa_cells(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    if (m.model_type.rfind("gemma4", 0) != 0) return {};
    const auto t = std::max<std::int64_t>(1, static_cast<std::int64_t>(ctx[Sym::t]));
    SwaCells c;
    for (const LayerSpec& l : m.layer_specs) {
        const std::int64_t kv = l.kv_heads > 0 ? l.kv_heads : m.kv_heads, d = l.head_dim > 0 ? l.head_dim : m.head_dim;
        // Heads split over TP, replicated when TP exceeds them (get_num_kv_heads).
        const double bytes = 2.0 * static_cast<double>(std::max<std::int64_t>(1, kv / t) * d) * ctx[Sym::bytes_kv];
        (l.attention == LayerAttention::sliding ? c.sliding : c.full) += bytes;
    }
    if (c.sliding <= 0 || c.full <= 0) return {};
    return c;
}

double SglangRuntime::max_kv_tokens(const Context& ctx, double, double kv_bytes_per_token) const {
    const double page = read(ctx, kPage), pool = sglang_kv_pool(ctx);
    if (kv_bytes_per_token <= 0 || pool <= 0 || page <= 0) return 0;
    if (const SwaCells c = swa_cells(ctx); c.full > 0) {
        // The full-attention pool's tokens: what SGLang logs as "full size" (the sliding pool holds
        // ratio times as many, reused as the window moves).
        const double full = std::floor(pool / (c.full + read(ctx, kSwaRatio) * c.sliding));
        return std::floor(full / page) * page;
    }
    if (const MambaSplit ms = mamba_split(ctx); ms.per_request > 0)
        return std::floor(std::floor(ms.kv_rest / kv_bytes_per_token) / page) * page;
    // max_total_num_tokens = rest_memory // cell_size, then aligned down to whole pages.
    return std::floor(std::floor(pool / kv_bytes_per_token) / page) * page;
}

// SGLang raises "Not enough memory. Please try to increase --mem-fraction-static" when the
// weights leave no pool (init_memory_pool, max_total_num_tokens <= 0); a batch beyond the pool
// is not held at once: the scheduler admits requests while the token pool has room and the rest
// wait (managers/schedule_policy.py PrefillAdder).
bool SglangRuntime::admits(const Context& ctx, std::string* reason) const {
    if (ctx[Sym::training] != 0 || ctx[Sym::gpu_mem] <= 0) return true;
    const double pool = sglang_kv_pool(ctx);
    if (pool <= 0) {
        if (reason)
            *reason = "SGLang does not start: the weights leave no KV pool within mem_fraction_static " +
                      format_number(read(ctx, kFraction)) + " (" + format_gib(static_cast<Bytes>(-pool)) +
                      " short); raise runtime.mem_fraction_static or use more GPUs";
        return false;
    }
    if (const SwaCells c = swa_cells(ctx); c.full > 0) {
        // A hybrid SWA pool admits a batch while its full-attention pool has the tokens of every
        // sequence (each full layer keeps them all); the sliding pool, ratio times as large, keeps
        // only the window's.
        const double full = max_kv_tokens(ctx, 0, 1.0);
        const double tokens = ctx[Sym::b] * static_cast<double>(rounded_tokens(ctx));
        if (tokens > full) {
            if (reason)
                *reason = "SGLang's full-attention pool holds " + format_number(full) + " tokens (SWAKVPool with "
                          "swa_full_tokens_ratio " + format_number(read(ctx, kSwaRatio)) + "): " +
                          format_number(std::floor(full / static_cast<double>(rounded_tokens(ctx)))) +
                          " sequences of " + format_number(ctx[Sym::s]) + " tokens at once, so a batch of " +
                          format_number(ctx[Sym::b]) + " waits";
            return false;
        }
        return true;
    }
    if (const MambaSplit ms = mamba_split(ctx); ms.per_request > 0) {
        const double running = std::floor(ms.requests / 3.0);
        const double tokens = max_kv_tokens(ctx, 0, cell_bytes(ctx));
        const double wanted = ctx[Sym::b] * static_cast<double>(rounded_tokens(ctx));
        if (ctx[Sym::b] > running || wanted > tokens) {
            if (reason)
                *reason = "SGLang's state pool holds " + format_number(ms.requests) + " requests' states (" +
                          format_gib(static_cast<Bytes>(ms.per_request)) + " each, mamba_full_memory_ratio " +
                          format_number(read(ctx, kMambaRatio)) + "), so at most " + format_number(running) +
                          " run at once, and its KV pool " + format_number(tokens) + " tokens: a batch of " +
                          format_number(ctx[Sym::b]) + " × " + format_number(ctx[Sym::s]) + " waits";
            return false;
        }
        return true;
    }
    const Bytes needed = sglang_kv_needed(ctx);
    if (static_cast<double>(needed) > pool) {
        if (reason) {
            const Bytes per_seq = needed / std::max<Bytes>(1, static_cast<Bytes>(ctx[Sym::b]));
            const double held = per_seq > 0 ? std::floor(pool / static_cast<double>(per_seq)) : 0;
            *reason = "the KV pool (" + format_gib(static_cast<Bytes>(pool)) + ") holds " + format_number(held) +
                      " sequences of " + format_number(ctx[Sym::s]) + " tokens; SGLang's scheduler admits no more at "
                      "once, so a batch of " + format_number(ctx[Sym::b]) + " waits";
        }
        return false;
    }
    return true;
}

// ---------------------------------------------------------------- components

std::vector<std::string> SglangKvCacheTerm::reads() const { return {kPage}; }
std::vector<std::string> SglangKvReserveTerm::reads() const { return {kFraction, kDistInit, kPage}; }
std::vector<std::string> SglangPrefillPeakTerm::reads() const { return {kChunk}; }
std::vector<std::string> SglangDistInitTerm::reads() const { return {kDistInit}; }
std::vector<std::string> SglangCudaGraphTerm::reads() const { return {kGraphs}; }

bool SglangKvCacheTerm::applies(const Context& ctx) const { return ctx[Sym::training] == 0 && sglang_engine(ctx); }
Bytes SglangKvCacheTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = sglang_kv_held(ctx);
    if (explain) {
        *explain = format_number(ctx[Sym::b]) + " sequences × " + std::to_string(rounded_tokens(ctx)) +
                   " tokens (pages of " + format_number(read(ctx, kPage)) + ") × KV per token with t=" +
                   format_number(ctx[Sym::t]);
        if (const double extra = dsa_fp8_latent_extra_per_token(ctx); extra > 0)
            *explain += " (+ " + format_number(extra) + " B per token: NSA's fp8 latent keeps scales and a bf16 rope)";
        *explain += " = " + format_count(bytes) + " B";
    }
    return bytes;
}

bool SglangKvReserveTerm::applies(const Context& ctx) const { return ctx[Sym::training] == 0 && sglang_engine(ctx); }
Bytes SglangKvReserveTerm::compute(const Context& ctx, std::string* explain) const {
    const double rest = sglang_pool_allocated(ctx) - static_cast<double>(sglang_kv_held(ctx));
    const Bytes bytes = rest > 0 ? static_cast<Bytes>(std::floor(rest)) : 0;
    if (explain)
        *explain = format_number(read(ctx, kFraction)) + " · (" + format_count(static_cast<Bytes>(ctx[Sym::gpu_mem])) +
                   " − " + format_count(static_cast<Bytes>(ctx[Sym::cuda_context])) + " − " +
                   format_count(static_cast<Bytes>(read(ctx, kDistInit))) + ") − " +
                   format_count(static_cast<Bytes>(engine_model_bytes(ctx))) +
                   (dsa_fp8_latent_extra_per_token(ctx) > 0
                        ? " + pool tokens × " + format_number(dsa_fp8_latent_extra_per_token(ctx)) +
                              " B (NSA's fp8 layout beyond the profiled cell)"
                        : std::string()) +
                   " − " + format_count(sglang_kv_held(ctx)) + " = " + format_count(bytes) + " B";
    return bytes;
}

bool SglangPrefillPeakTerm::applies(const Context& ctx) const { return ctx[Sym::training] == 0 && sglang_engine(ctx); }
Bytes SglangPrefillPeakTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(prefill_peak(ctx), kId.data());
    if (explain) {
        *explain = layer_forward_peak_text(ctx, chunk_tokens(ctx)) + " + " + format_number(logits_rows(ctx)) + " · " +
                   format_number(ctx[Sym::V]) + " · " + format_number(ctx[Sym::bytes_act] + 4.0) + " = " +
                   format_count(bytes) + " B";
    }
    return bytes;
}

bool SglangWeightSegmentsTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && sglang_engine(ctx) && sglang_weight_segment_rounding(ctx) > 0;
}
Bytes SglangWeightSegmentsTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(sglang_weight_segment_rounding(ctx), kId.data());
    if (explain)
        *explain = "segments reserved for this rank's weights − their tensors' bytes = " + format_count(bytes) + " B";
    return bytes;
}

bool SglangDistInitTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && sglang_engine(ctx) && read(ctx, kDistInit) > 0;
}
Bytes SglangDistInitTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(read(ctx, kDistInit), kId.data());
    if (explain)
        *explain = format_number(read(ctx, kDistInit) / kMiB) + " MiB with t=" + format_number(ctx[Sym::t]) + " = " +
                   format_count(bytes) + " B";
    return bytes;
}

bool SglangCudaGraphTerm::applies(const Context& ctx) const {
    return ctx[Sym::training] == 0 && sglang_engine(ctx) && read(ctx, kGraphs) > 0;
}
Bytes SglangCudaGraphTerm::compute(const Context& ctx, std::string* explain) const {
    const Bytes bytes = to_bytes(read(ctx, kGraphs), kId.data());
    if (explain) *explain = format_number(read(ctx, kGraphs) / kMiB) + " MiB = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins
