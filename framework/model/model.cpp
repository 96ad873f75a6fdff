// model.cpp - parameter counts derived from a ModelSpec's tensor list.
// SPDX-License-Identifier: Apache-2.0
#include "vram/error.hpp"
#include "vram/model.hpp"

namespace vram {

std::int64_t parameter_count(const ModelSpec& model) {
    std::int64_t total = 0;
    for (const auto& t : model.tensors) total += t.numel() * t.copies;
    return total;
}

std::int64_t active_parameter_count(const ModelSpec& model) {
    std::int64_t total = 0;
    for (const auto& t : model.tensors) total += t.numel() * t.active_copies;
    return total;
}

std::vector<std::pair<std::string, std::int64_t>> parameters_by_group(const ModelSpec& model) {
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (const auto& t : model.tensors) {
        auto it = out.begin();
        for (; it != out.end(); ++it)
            if (it->first == t.group) break;
        if (it == out.end()) {
            out.emplace_back(t.group, 0);
            it = out.end() - 1;
        }
        it->second += t.numel() * t.copies;
    }
    return out;
}

std::int64_t parameters_in_group(const ModelSpec& model, const std::string& group) {
    std::int64_t total = 0;
    for (const auto& t : model.tensors)
        if (t.group.compare(0, group.size(), group) == 0) total += t.numel() * t.copies;
    return total;
}

std::int64_t count_layers(const ModelSpec& model, LayerAttention kind) {
    std::int64_t n = 0;
    for (const auto& l : model.layer_specs) n += l.attention == kind ? 1 : 0;
    return n;
}

const char* to_string(LayerAttention kind) noexcept {
    switch (kind) {
        case LayerAttention::full: return "full";
        case LayerAttention::sliding: return "sliding";
        case LayerAttention::mla: return "mla";
        case LayerAttention::ssm: return "ssm";
        case LayerAttention::none: return "none";
        case LayerAttention::cross: return "cross";
    }
    return "full";
}

void validate_model(const ModelSpec& m, const std::string& where) {
    auto fail = [&](const std::string& key, const std::string& what) { throw ScenarioError(where, key + ": " + what); };
    if (m.hidden <= 0) fail("hidden_size", "must be a positive integer");
    if (m.layers <= 0) fail("num_hidden_layers", "must be a positive integer");
    if (m.vocab <= 0) fail("vocab_size", "must be a positive integer");
    if (m.heads <= 0) fail("num_attention_heads", "must be a positive integer");
    if (m.kv_heads <= 0) fail("num_key_value_heads", "must be a positive integer");
    if (m.heads % m.kv_heads != 0)
        fail("num_key_value_heads", std::to_string(m.kv_heads) + " does not divide num_attention_heads " +
                                        std::to_string(m.heads) + "; allowed: a divisor of the query heads");
    if (m.head_dim <= 0) fail("head_dim", "must be a positive integer");
    if (static_cast<std::int64_t>(m.layer_specs.size()) != m.layers)
        fail("num_hidden_layers", "adapter produced " + std::to_string(m.layer_specs.size()) + " layer specs for " +
                                      std::to_string(m.layers) + " layers");
    if (m.experts_per_token > m.experts)
        fail("num_experts_per_tok", "larger than the number of experts");
    // Sum in floating point first (no overflow possible): parameter_count() and every byte formula
    // may then use int64 freely.
    long double total = 0;
    for (const auto& t : m.tensors) {
        if (t.rows <= 0 || t.cols <= 0 || t.copies <= 0)
            fail(t.name, "tensor with a non-positive dimension");
        total += static_cast<long double>(t.rows) * static_cast<long double>(t.cols) * static_cast<long double>(t.copies);
        if (total > 4503599627370496.0L)  // 2^52
            fail(t.name, "the parameter count exceeds 2^52; no real model is that large");
    }
}

}  // namespace vram
