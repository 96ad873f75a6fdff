// generate_allocator.cpp - what the caching allocator holds beyond the live tensors while
// transformers' generate() grows a DynamicCache: every decode step replaces each layer's K and V
// by a copy one token longer (cache_utils.py DynamicLayer.update: torch.cat), allocated before
// the shorter one is freed. The replay runs that sequence through the allocator model
// (vram/caching_allocator.hpp); the shorter copies' segments stay cached when the longer
// request no longer fits them (docs/allocator.md "Generate with a growing cache").
// SPDX-License-Identifier: Apache-2.0
#include "generate_allocator.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "vram/caching_allocator.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins {
namespace {

double read(const Context& ctx, const char* name) { return ctx.get(name, 0.0); }

// Allocator events the replay runs at most; longer generations are replayed a few tokens per
// step (the stride), which keeps every change of segment size (2 MiB) in the sequence.
constexpr double kEventBudget = 100000.0;

struct CacheLayer {
    double bytes_per_token = 0;  ///< one of K or V, the whole batch, on this rank
    std::int64_t window = 0;     ///< sliding-window layers keep at most this many tokens
};

std::vector<CacheLayer> cache_layers(const Context& ctx) {
    std::vector<CacheLayer> out;
    const auto t = static_cast<std::int64_t>(ctx[Sym::t]);
    const auto p = static_cast<std::int64_t>(std::max(1.0, ctx[Sym::p]));
    for (const KvGroup& g : ctx.kv_groups) {
        if (g.fixed_tokens > 0 || g.elements_per_token <= 0) continue;
        KvGroup one = g;
        one.layers = 1;
        one.window = 0;
        one.state_bytes = 0;
        const double per_token =
            static_cast<double>(kv_bytes_per_sequence({one}, 1, ctx[Sym::bytes_kv], t, 1) -
                                kv_bytes_per_sequence({one}, 0, ctx[Sym::bytes_kv], t, 1));
        const std::int64_t layers = (g.layers + p - 1) / p;
        for (std::int64_t i = 0; i < layers; ++i) out.push_back({ctx[Sym::b] * per_token / 2.0, g.window});
    }
    return out;
}

Bytes tensor_size(const CacheLayer& l, std::int64_t tokens) {
    const std::int64_t kept = l.window > 0 ? std::min(tokens, l.window) : tokens;
    return static_cast<Bytes>(std::ceil(l.bytes_per_token * static_cast<double>(kept)));
}

}  // namespace

GenerateReplay replay_generate(const Context& ctx) {
    GenerateReplay r;
    const ModelSpec& m = ctx.model();
    const auto s = static_cast<std::int64_t>(ctx[Sym::s]);
    const std::int64_t prompt = ctx.scenario().workload.prompt_length;
    const std::vector<CacheLayer> layers = cache_layers(ctx);
    const double b = ctx[Sym::b], t = ctx[Sym::t], act = ctx[Sym::bytes_act];

    CachingAllocatorConfig config;
    config.expandable_segments = read(ctx, kAllocExpandable) > 0;
    config.max_split_size = static_cast<Bytes>(read(ctx, kAllocMaxSplit));
    // The allocator may use what the GPU has beyond the CUDA context; when a new segment would
    // exceed it, PyTorch empties its cache and retries.
    if (ctx[Sym::gpu_mem] > ctx[Sym::cuda_context])
        config.capacity = static_cast<Bytes>(ctx[Sym::gpu_mem] - ctx[Sym::cuda_context]);
    CachingAllocatorModel alloc(config);

    // Weights, tensor by tensor as loaded (this rank's share of each).
    double total = 0;
    for (Bytes v : ctx.tensor_bytes) total += static_cast<double>(v);
    const double share = total > 0 ? weight_bytes_on_rank(ctx) / total : 0.0;
    for (Bytes v : ctx.tensor_bytes)
        if (v > 0) alloc.allocate(static_cast<Bytes>(std::ceil(static_cast<double>(v) * share)));

    // Prefill of the prompt: per layer the attention output (the next residual), the MLP's
    // gate/up and act(gate)·up (freed at the end of the layer), and the layer's K and V.
    const auto P = static_cast<double>(prompt);
    const auto hidden = static_cast<Bytes>(b * P * static_cast<double>(m.hidden) * act);
    const auto gate_up = static_cast<Bytes>(b * P * 2.0 * static_cast<double>(m.intermediate) / t * act);
    const auto mlp_act = static_cast<Bytes>(b * P * static_cast<double>(m.intermediate) / t * act);
    std::vector<CachingAllocatorModel::Handle> k(layers.size()), v(layers.size());
    CachingAllocatorModel::Handle residual = alloc.allocate(hidden);
    for (std::size_t i = 0; i < layers.size(); ++i) {
        k[i] = alloc.allocate(tensor_size(layers[i], prompt));
        v[i] = alloc.allocate(tensor_size(layers[i], prompt));
        const auto attn_out = alloc.allocate(hidden);
        const auto g = alloc.allocate(gate_up);
        const auto a = alloc.allocate(mlp_act);
        alloc.release(g);
        alloc.release(a);
        alloc.release(residual);
        residual = attn_out;
    }
    // Last-position logits and their fp32 copy (logits_to_keep = 1).
    const auto V = ctx[Sym::V];
    const auto logits = static_cast<Bytes>(b * V * act), logits32 = static_cast<Bytes>(b * V * 4.0);
    auto step_logits = [&] {
        const auto l = alloc.allocate(logits);
        const auto f = alloc.allocate(logits32);
        alloc.release(l);
        alloc.release(f);
    };
    alloc.release(residual);
    step_logits();
    r.events = alloc.stats().allocations;

    // Decode: each step replaces every layer's K and V by a copy `stride` tokens longer.
    const std::int64_t steps = s - prompt;
    const double events = static_cast<double>(steps) * 2.0 * static_cast<double>(layers.size());
    r.stride = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(events / kEventBudget)));
    for (std::int64_t n = prompt; n < s;) {
        const std::int64_t next = std::min(s, n + r.stride);
        for (std::size_t i = 0; i < layers.size(); ++i) {
            const auto nk = alloc.allocate(tensor_size(layers[i], next));
            alloc.release(k[i]);
            k[i] = nk;
            const auto nv = alloc.allocate(tensor_size(layers[i], next));
            alloc.release(v[i]);
            v[i] = nv;
        }
        step_logits();
        n = next;
    }
    const CachingAllocatorStats& st = alloc.stats();
    r.events = st.allocations;
    r.peak_allocated = st.peak_allocated;
    r.peak_reserved = st.peak_reserved;
    r.out_of_memory = st.out_of_memory;
    return r;
}

bool HfCacheGrowthTerm::applies(const Context& ctx) const {
    if (ctx[Sym::training] != 0 || ctx.scenario().runtime.engine != "hf" || read(ctx, kStaticCache) > 0) return false;
    const std::int64_t prompt = ctx.scenario().workload.prompt_length;
    return prompt > 0 && static_cast<double>(prompt) < ctx[Sym::s] && !ctx.model().encoder_only;
}

std::vector<std::string> HfCacheGrowthTerm::reads() const { return {kStaticCache, kAllocExpandable, kAllocMaxSplit}; }

Bytes HfCacheGrowthTerm::compute(const Context& ctx, std::string* explain) const {
    const GenerateReplay r = replay_generate(ctx);
    const Bytes bytes = r.peak_reserved > r.peak_allocated ? r.peak_reserved - r.peak_allocated : 0;
    if (explain)
        *explain = "replay of " + format_count(static_cast<std::uint64_t>(r.events)) + " allocations (prompt " +
                   std::to_string(ctx.scenario().workload.prompt_length) + " tokens, then " +
                   format_number(ctx[Sym::s] - static_cast<double>(ctx.scenario().workload.prompt_length)) +
                   " decode steps" + (r.stride > 1 ? ", replayed " + std::to_string(r.stride) + " tokens at a time" : "") +
                   "): peak reserved " + format_count(r.peak_reserved) + " − peak allocated " +
                   format_count(r.peak_allocated) + " = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins
