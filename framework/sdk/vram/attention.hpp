// vram/attention.hpp - attention variants: how each kind of layer caches tokens
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

#include "vram/context.hpp"
#include "vram/export.hpp"
#include "vram/model.hpp"

namespace vram {

/// Attention variant plugin kind. For each layer kind present in the model the host asks every
/// variant for a score and lets the best one describe the cache of those layers.
class VRAM_API AttentionVariant {
public:
    virtual ~AttentionVariant();
    /// Dotted name, "core.attention.gqa".
    virtual std::string_view name() const = 0;
    /// Short label reported as model.attention ("mha", "gqa", "mqa", "mla", "sliding", "ssm").
    virtual std::string_view label() const = 0;
    /// 0 = cannot describe layers of `kind` in this model; higher wins.
    virtual int score(const ModelSpec& model, LayerAttention kind) const = 0;
    /// Describes the cache of `layers` layers of `kind` (window: the layers' sliding window).
    virtual KvGroup describe(const ModelSpec& model, LayerAttention kind, std::int64_t layers,
                             std::int64_t window) const = 0;
};

}  // namespace vram
