// rotary.hpp - the rotary position tables a config implies (ModelSpec::rotary_dim,
// rope_positions, rope_tables), read from config.json the same way for every adapter.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/config_node.hpp"
#include "vram/model.hpp"

namespace vram {

/// Fills the rotary fields of `m` from `config` (or its text_config): which dimensions rotate,
/// how many positions the engines' cos/sin table holds and how many distinct tables the model
/// builds. Leaves them 0 for learned, ALiBi or absent position encodings.
void derive_rotary(const ConfigNode& config, ModelSpec& m);

}  // namespace vram
