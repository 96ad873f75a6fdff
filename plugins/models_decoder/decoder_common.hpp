// decoder_common.hpp - reading the keys every Llama-style decoder config shares.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/model_builder.hpp"

namespace vram::plugins {

/// Fills the dense-decoder fields of `m` (h, L, heads, KV heads, head_dim, F, V, tying,
/// max positions, dtype) from a config, with `tie_default` as the family's class default.
void read_decoder_basics(const ConfigReader& r, ModelSpec& m, bool tie_default);

/// One LayerSpec per layer: full attention, or sliding where the config says so
/// (sliding_window for Mistral v0.1; use_sliding_window + max_window_layers for Qwen2;
/// layer_types when present).
void read_layer_kinds(const ConfigReader& r, ModelSpec& m);

/// Embedding, `L` standard decoder layers, final norm and (untied) LM head.
void build_standard_decoder(ModelSpec& m, const DecoderLayerShape& shape, bool final_norm_bias = false);

}  // namespace vram::plugins
