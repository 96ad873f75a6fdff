// pipeline/dtype.hpp - bytes per element of the dtype names scenarios use for KV caches and
// activations (internal; the host and tests include it through pipeline/estimate.hpp).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "vram/export.hpp"

namespace vram {

/// Bytes per KV element of a dtype name (bf16 2, fp8 1, q8_0 34/32 ...); throws ScenarioError
/// naming `where` and the allowed names.
VRAM_API double kv_dtype_bytes(const std::string& dtype, const std::string& where);

}  // namespace vram
