// pipeline/attention.hpp - the attention stage: KV groups per run of layers, their label, and
// KV bytes per token (internal; `vram inspect` uses describe_attention()).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vram/context.hpp"
#include "vram/export.hpp"
#include "vram/model.hpp"

namespace vram {

class Registry;

/// How a model's layers cache tokens at a KV dtype.
struct AttentionSummary {
    std::string label;                 ///< "gqa", "mla", "gqa+sliding" ...
    std::vector<KvGroup> groups;
    std::int64_t kv_bytes_per_token = 0;  ///< all layers, unsharded, windows ignored
};

/// Runs the attention stage alone (for `vram inspect`).
VRAM_API AttentionSummary describe_attention(const Registry& registry, const ModelSpec& model,
                                             const std::string& kv_dtype);

/// One KV group per (layer kind, window) run, each described by the best-scoring attention
/// variant, plus the cross-attention cache of encoder-decoder models; `label` joins the
/// variants' labels ("gqa+sliding"). Throws ScenarioError when no plugin describes a layer kind.
void attention_stage(const Registry& registry, const ModelSpec& model, std::vector<KvGroup>& groups,
                     std::string& label);
/// KV bytes one token adds across the groups that grow with the sequence, elements at
/// `bytes_per_element` plus the bytes a group keeps in its own dtype (fixed-size caches such as
/// cross-attention's are left out).
double kv_bytes_per_token(const std::vector<KvGroup>& groups, double bytes_per_element);

}  // namespace vram
