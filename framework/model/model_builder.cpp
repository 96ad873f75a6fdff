// model_builder.cpp - shared helpers for model adapters.
// SPDX-License-Identifier: Apache-2.0
#include <cmath>

#include "vram/error.hpp"
#include "vram/model_builder.hpp"

namespace vram {
namespace {

std::string key_list(std::initializer_list<std::string_view> keys) {
    std::string out;
    for (auto k : keys) out += (out.empty() ? "" : " or ") + std::string(k);
    return out;
}

}  // namespace

namespace {

// Architecture sizes beyond these are not models but typos or hostile input; bounding them keeps
// tensor lists allocatable and every parameter product inside 64 bits (found by fuzz_config:
// num_hidden_layers 403,333,333,333 asked for a 9 TB allocation).
constexpr std::int64_t kMaxDimension = 1 << 24;  // hidden, intermediate, vocab, heads, experts ...
constexpr std::int64_t kMaxLayers = 16384;

std::int64_t bounded(const ConfigNode& n, std::initializer_list<std::string_view> keys, const std::string& where) {
    const std::int64_t v = n.as_integer();
    bool layers = false;
    // Layer counts (num_hidden_layers, n_layer ...), not sizes per layer (Gemma 4's
    // vocab_size_per_layer_input).
    for (auto k : keys)
        layers = layers || (k.find("layer") != std::string_view::npos && k.find("per_layer") == std::string_view::npos);
    const std::int64_t limit = layers ? kMaxLayers : kMaxDimension;
    if (v > limit)
        throw ScenarioError(where, key_list(keys) + ": " + n.text() + " is beyond any real model; allowed: at most " +
                                       std::to_string(limit));
    return v;
}

}  // namespace

std::int64_t ConfigReader::require_int(std::initializer_list<std::string_view> keys) const {
    const ConfigNode* n = config_.first_of(keys);
    if (!n) throw ScenarioError(where_, key_list(keys) + ": missing; the config must give it");
    if (!n->is_integer() || n->as_number() <= 0)
        throw ScenarioError(where_, key_list(keys) + ": expected a positive integer, got " +
                                        (n->is_number() ? n->text() : std::string(describe(n->kind()))));
    return bounded(*n, keys, where_);
}

std::int64_t ConfigReader::get_int(std::initializer_list<std::string_view> keys, std::int64_t fallback) const {
    const ConfigNode* n = config_.first_of(keys);
    if (!n) return fallback;
    if (!n->is_integer() || n->as_number() < 0)
        throw ScenarioError(where_, key_list(keys) + ": expected a non-negative integer, got " +
                                        (n->is_number() ? n->text() : std::string(describe(n->kind()))));
    return bounded(*n, keys, where_);
}

double ConfigReader::get_number(std::initializer_list<std::string_view> keys, double fallback) const {
    const ConfigNode* n = config_.first_of(keys);
    if (!n) return fallback;
    if (!n->is_number() || !std::isfinite(n->as_number()))
        throw ScenarioError(where_, key_list(keys) + ": expected a finite number");
    return n->as_number();
}

bool ConfigReader::get_bool(std::initializer_list<std::string_view> keys, bool fallback) const {
    const ConfigNode* n = config_.first_of(keys);
    if (!n) return fallback;
    if (!n->is_bool()) throw ScenarioError(where_, key_list(keys) + ": expected true or false");
    return n->as_bool();
}

std::string ConfigReader::get_string(std::initializer_list<std::string_view> keys, const std::string& fallback) const {
    const ConfigNode* n = config_.first_of(keys);
    if (!n) return fallback;
    if (!n->is_string()) throw ScenarioError(where_, key_list(keys) + ": expected a string");
    return n->as_string();
}

const ConfigNode* ConfigReader::child(std::string_view key) const noexcept {
    const ConfigNode* n = config_.find(key);
    return n && n->is_map() ? n : nullptr;
}

void ModelBuilder::linear(const std::string& name, const std::string& module, const std::string& group,
                          std::int32_t layer, std::int64_t out, std::int64_t in, bool bias, std::int64_t copies,
                          std::int64_t active_copies) {
    Tensor t;
    t.name = name + ".weight";
    t.module = module;
    t.group = group;
    t.layer = layer;
    t.rows = out;
    t.cols = in;
    t.copies = copies;
    t.active_copies = active_copies < 0 ? copies : active_copies;
    t.linear = true;
    spec_.tensors.push_back(t);
    if (bias) {
        Tensor b = t;
        b.name = name + ".bias";
        b.cols = 1;
        b.linear = false;
        spec_.tensors.push_back(b);
    }
}

void ModelBuilder::vector(const std::string& name, const std::string& group, std::int32_t layer, std::int64_t size,
                          std::int64_t copies) {
    Tensor t;
    t.name = name;
    t.group = group;
    t.layer = layer;
    t.rows = size;
    t.cols = 1;
    t.copies = t.active_copies = copies;
    spec_.tensors.push_back(t);
}

void ModelBuilder::norm(const std::string& name, const std::string& group, std::int32_t layer, std::int64_t size,
                        bool bias) {
    vector(name + ".weight", group, layer, size);
    if (bias) vector(name + ".bias", group, layer, size);
}

void ModelBuilder::embedding(const std::string& name, const std::string& group, std::int64_t rows, std::int64_t width) {
    Tensor t;
    t.name = name + ".weight";
    t.group = group;
    t.rows = rows;
    t.cols = width;
    t.embedding = true;
    spec_.tensors.push_back(t);
}

void ModelBuilder::lm_head(std::int64_t vocab, std::int64_t hidden, bool bias) {
    Tensor t;
    t.name = "lm_head.weight";
    t.module = "lm_head";
    t.group = "lm_head";
    t.rows = vocab;
    t.cols = hidden;
    t.linear = true;
    t.embedding = true;
    spec_.tensors.push_back(t);
    if (bias) vector("lm_head.bias", "lm_head", -1, vocab);
}

void ModelBuilder::other(const std::string& name, const std::string& group, std::int32_t layer, std::int64_t rows,
                         std::int64_t cols, std::int64_t copies) {
    Tensor t;
    t.name = name;
    t.group = group;
    t.layer = layer;
    t.rows = rows;
    t.cols = cols;
    t.copies = t.active_copies = copies;
    spec_.tensors.push_back(t);
}

void add_decoder_layer(ModelBuilder& b, const ModelSpec& m, std::int32_t layer, const DecoderLayerShape& s) {
    const std::int64_t h = m.hidden, q = m.heads * m.head_dim, kv = m.kv_heads * m.head_dim, f = m.intermediate;
    b.norm("input_layernorm", "norms", layer, h, s.layernorm_bias);
    b.linear("self_attn.q_proj", "q_proj", "attention", layer, q, h, s.qkv_bias);
    b.linear("self_attn.k_proj", "k_proj", "attention", layer, kv, h, s.qkv_bias);
    b.linear("self_attn.v_proj", "v_proj", "attention", layer, kv, h, s.qkv_bias);
    b.linear("self_attn.o_proj", "o_proj", "attention", layer, h, q, s.o_bias);
    if (s.qk_norm) {
        b.norm("self_attn.q_norm", "attention", layer, m.head_dim, false);
        b.norm("self_attn.k_norm", "attention", layer, m.head_dim, false);
    }
    b.norm("post_attention_layernorm", "norms", layer, h, s.layernorm_bias);
    if (s.norms_per_layer >= 4) {
        b.norm("pre_feedforward_layernorm", "norms", layer, h, s.layernorm_bias);
        b.norm("post_feedforward_layernorm", "norms", layer, h, s.layernorm_bias);
    }
    if (m.gated_mlp) {
        b.linear("mlp.gate_proj", "gate_proj", "mlp", layer, f, h, s.mlp_bias);
        b.linear("mlp.up_proj", "up_proj", "mlp", layer, f, h, s.mlp_bias);
        b.linear("mlp.down_proj", "down_proj", "mlp", layer, h, f, s.mlp_bias);
    } else {
        b.linear("mlp.fc1", "fc1", "mlp", layer, f, h, s.mlp_bias);
        b.linear("mlp.fc2", "fc2", "mlp", layer, h, f, s.mlp_bias);
    }
}

}  // namespace vram
