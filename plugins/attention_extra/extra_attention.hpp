// extra_attention.hpp - caches that are not a K/V pair per head: MLA latent, SSM state,
// encoder-decoder cross-attention (formulas.md §3.2, §3.4, §3.7).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/attention.hpp"

namespace vram::plugins {

/// DeepSeek-V2/V3 multi-head latent attention: one compressed latent (kv_lora_rank) plus the
/// decoupled RoPE key (qk_rope_head_dim) per token per layer, a single "head" that every
/// tensor-parallel rank keeps whole.
class LatentAttention final : public AttentionVariant {
public:
    std::string_view name() const override { return "core.attention.mla"; }
    std::string_view label() const override { return "mla"; }
    int score(const ModelSpec& m, LayerAttention kind) const override;
    KvGroup describe(const ModelSpec& m, LayerAttention kind, std::int64_t layers, std::int64_t window) const override;
};

/// Mamba-1 / Mamba-2 (and other linear-attention) layers: a constant conv + SSM state per
/// sequence, no per-token cache.
class StateSpaceLayers final : public AttentionVariant {
public:
    std::string_view name() const override { return "core.attention.ssm"; }
    std::string_view label() const override { return "ssm"; }
    int score(const ModelSpec& m, LayerAttention kind) const override;
    KvGroup describe(const ModelSpec& m, LayerAttention kind, std::int64_t layers, std::int64_t window) const override;
};

/// Encoder-decoder cross-attention (Whisper): K and V of the encoder's outputs, computed once per
/// sequence and cached for every decoder layer that cross-attends.
class CrossAttention final : public AttentionVariant {
public:
    std::string_view name() const override { return "core.attention.cross"; }
    std::string_view label() const override { return "cross"; }
    int score(const ModelSpec& m, LayerAttention kind) const override;
    KvGroup describe(const ModelSpec& m, LayerAttention kind, std::int64_t layers, std::int64_t window) const override;
};

/// Bytes of one Mamba layer's recurrent state for one sequence (conv state + SSM state), in
/// elements; exposed for tests and docs.
std::int64_t mamba_state_elements(const ModelSpec& m);

}  // namespace vram::plugins
