// attention.cpp - the attention stage: which attention plugin describes each run of layers,
// and how many KV elements a token costs across them.
// SPDX-License-Identifier: Apache-2.0
#include "pipeline/attention.hpp"

#include <algorithm>
#include <cmath>

#include "pipeline/dtype.hpp"
#include "plugin/registry.hpp"
#include "vram/error.hpp"

namespace vram {

// Runs the attention stage: one KV group per (layer kind, window) run, described by the
// best-scoring attention variant.
void attention_stage(const Registry& reg, const ModelSpec& m, std::vector<KvGroup>& groups, std::string& label) {
    groups.clear();
    // A run: layers of one kind, window and KV shape. Layers that read another layer's cache
    // (LayerSpec::kv_shared) keep none and join no run.
    struct Run {
        LayerAttention kind;
        std::int64_t window, kv_heads, head_dim, layers;
    };
    std::vector<Run> runs;
    for (const auto& l : m.layer_specs) {
        if (l.kv_shared) continue;
        const Run key{l.attention, l.attention == LayerAttention::sliding ? l.window : 0,
                      l.kv_heads > 0 ? l.kv_heads : m.kv_heads, l.head_dim > 0 ? l.head_dim : m.head_dim, 1};
        auto it = std::find_if(runs.begin(), runs.end(), [&](const Run& r) {
            return r.kind == key.kind && r.window == key.window && r.kv_heads == key.kv_heads && r.head_dim == key.head_dim;
        });
        if (it == runs.end()) runs.push_back(key);
        else ++it->layers;
    }
    std::vector<std::string> labels;
    for (const Run& run : runs) {
        // The variants read the KV shape from the model: layers of their own shape are scored and
        // described with a model that carries it.
        ModelSpec shape;
        const bool own_shape = run.kv_heads != m.kv_heads || run.head_dim != m.head_dim;
        if (own_shape) {
            shape.model_type = m.model_type;
            shape.source = m.source;
            shape.hidden = m.hidden;
            shape.heads = m.heads;
            shape.kv_heads = run.kv_heads;
            shape.head_dim = run.head_dim;
            shape.v_head_dim = run.head_dim;
            shape.layers = run.layers;
        }
        const ModelSpec& view = own_shape ? shape : m;
        const AttentionVariant* best = nullptr;
        int best_score = 0;
        for (const auto& e : reg.attention.entries()) {
            const int sc = e.item->score(view, run.kind);
            if (sc > best_score) {
                best_score = sc;
                best = e.item.get();
            }
        }
        if (!best)
            throw ScenarioError(m.source, std::string("no attention plugin describes ") + to_string(run.kind) +
                                              " layers of model_type '" + m.model_type + "'");
        groups.push_back(best->describe(view, run.kind, run.layers, run.window));
        const std::string l(best->label());
        if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
    }
    // Cross-attention (encoder-decoder): decoder layers that also attend to the encoder's outputs
    // keep a second cache of the encoder's frames, fixed per sequence (formulas.md §3.7).
    const auto cross_layers = std::count_if(m.layer_specs.begin(), m.layer_specs.end(),
                                            [](const LayerSpec& l) { return l.cross_attention; });
    if (cross_layers > 0) {
        const AttentionVariant* best = nullptr;
        int best_score = 0;
        for (const auto& e : reg.attention.entries()) {
            const int sc = e.item->score(m, LayerAttention::cross);
            if (sc > best_score) best_score = sc, best = e.item.get();
        }
        if (!best)
            throw ScenarioError(m.source, "no attention plugin describes the cross-attention layers of model_type '" +
                                              m.model_type + "'");
        groups.push_back(best->describe(m, LayerAttention::cross, cross_layers, 0));
        const std::string l(best->label());
        if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
    }
    label.clear();
    for (std::size_t i = 0; i < labels.size(); ++i) label += (i ? "+" : "") + labels[i];
}

double kv_bytes_per_token(const std::vector<KvGroup>& groups, double bytes_per_element) {
    double n = 0;
    for (const auto& g : groups)
        if (g.fixed_tokens == 0)
            n += static_cast<double>(g.layers) * (static_cast<double>(g.elements_per_token) * bytes_per_element +
                                                  static_cast<double>(g.own_dtype_bytes_per_token));
    return n;
}

AttentionSummary describe_attention(const Registry& registry, const ModelSpec& model, const std::string& kv_dtype) {
    AttentionSummary s;
    attention_stage(registry, model, s.groups, s.label);
    const double bytes = kv_dtype_bytes(kv_dtype, model.source);
    s.kv_bytes_per_token = static_cast<std::int64_t>(std::ceil(kv_bytes_per_token(s.groups, bytes)));
    return s;
}

}  // namespace vram
