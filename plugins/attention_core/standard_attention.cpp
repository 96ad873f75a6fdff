// standard_attention.cpp - KV layouts of softmax attention (formulas.md §3.1, §3.3).
// SPDX-License-Identifier: Apache-2.0
#include "standard_attention.hpp"

namespace vram::plugins {
namespace {

// K holds head_dim and V holds v_head_dim elements per KV head (equal outside MLA); vLLM's
// FullAttentionSpec page is block_size · n_kv · (d_k + d_v) · dtype.
std::int64_t elements(const ModelSpec& m) { return m.kv_heads * (m.head_dim + (m.v_head_dim ? m.v_head_dim : m.head_dim)); }

HeadLayout layout_of(const ModelSpec& m) {
    if (m.kv_heads == m.heads) return HeadLayout::mha;
    if (m.kv_heads == 1) return HeadLayout::mqa;
    return HeadLayout::gqa;
}

const char* kSource =
    "KV = 2 · n_kv · head_dim · bytes per token per layer; vLLM kv_cache_interface.py FullAttentionSpec; "
    "heads replicated when t > n_kv (vLLM ModelConfig.get_num_kv_heads); formulas.md §3.1";

}  // namespace

std::string_view StandardAttention::name() const {
    switch (layout_) {
        case HeadLayout::mha: return "core.attention.mha";
        case HeadLayout::gqa: return "core.attention.gqa";
        case HeadLayout::mqa: return "core.attention.mqa";
    }
    return "core.attention.gqa";
}

std::string_view StandardAttention::label() const {
    switch (layout_) {
        case HeadLayout::mha: return "mha";
        case HeadLayout::gqa: return "gqa";
        case HeadLayout::mqa: return "mqa";
    }
    return "gqa";
}

int StandardAttention::score(const ModelSpec& m, LayerAttention kind) const {
    return kind == LayerAttention::full && layout_of(m) == layout_ ? 10 : 0;
}

KvGroup StandardAttention::describe(const ModelSpec& m, LayerAttention, std::int64_t layers, std::int64_t) const {
    KvGroup g;
    g.label = std::string("full attention (") + std::string(label()) + ", " + std::to_string(m.kv_heads) + " KV heads × " +
              std::to_string(m.head_dim) + ")";
    g.layers = layers;
    g.elements_per_token = elements(m);
    g.heads = m.kv_heads;
    g.source = kSource;
    return g;
}

int SlidingWindowAttention::score(const ModelSpec&, LayerAttention kind) const {
    return kind == LayerAttention::sliding ? 10 : 0;
}

KvGroup SlidingWindowAttention::describe(const ModelSpec& m, LayerAttention, std::int64_t layers,
                                         std::int64_t window) const {
    KvGroup g;
    g.label = "sliding window " + std::to_string(window) + " (" + std::to_string(m.kv_heads) + " KV heads × " +
              std::to_string(m.head_dim) + ")";
    g.layers = layers;
    g.elements_per_token = elements(m);
    g.heads = m.kv_heads;
    g.window = window;
    g.source = "tokens cached per layer = min(s, window); HF DynamicSlidingWindowLayer, vLLM SlidingWindowSpec; "
               "formulas.md §3.3";
    return g;
}

}  // namespace vram::plugins
