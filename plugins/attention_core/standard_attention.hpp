// standard_attention.hpp - softmax attention that caches K and V per KV head: MHA, GQA, MQA,
// and the same layers with a sliding window.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/attention.hpp"

namespace vram::plugins {

/// Which head layout a StandardAttention instance claims.
enum class HeadLayout { mha, gqa, mqa };

/// Full attention: 2 · n_kv · head_dim elements per token per layer (K and V).
class StandardAttention final : public AttentionVariant {
public:
    explicit StandardAttention(HeadLayout layout) : layout_(layout) {}
    std::string_view name() const override;
    std::string_view label() const override;
    int score(const ModelSpec& model, LayerAttention kind) const override;
    KvGroup describe(const ModelSpec& model, LayerAttention kind, std::int64_t layers,
                     std::int64_t window) const override;

private:
    HeadLayout layout_;
};

/// Sliding-window layers: the same elements per token, at most `window` tokens kept.
class SlidingWindowAttention final : public AttentionVariant {
public:
    std::string_view name() const override { return "core.attention.sliding"; }
    std::string_view label() const override { return "sliding"; }
    int score(const ModelSpec& model, LayerAttention kind) const override;
    KvGroup describe(const ModelSpec& model, LayerAttention kind, std::int64_t layers,
                     std::int64_t window) const override;
};

}  // namespace vram::plugins
