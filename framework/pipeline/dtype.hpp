// pipeline/dtype.hpp - bytes per element of the dtype names scenarios use for KV caches and
// activations (internal; the host and tests include it through pipeline/estimate.hpp).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "vram/export.hpp"
#include "vram/scenario.hpp"

namespace vram {

/// Bytes per KV element of a dtype name (bf16 2, fp8 1, q8_0 34/32 ...); throws ScenarioError
/// naming `where` and the allowed names.
VRAM_API double kv_dtype_bytes(const std::string& dtype, const std::string& where);
/// The same; the key's position (`scenario.where(key)`) is looked up only for an error, since
/// fit and sweep prepare millions of times.
VRAM_API double kv_dtype_bytes(const std::string& dtype, const Scenario& scenario, const char* key);

}  // namespace vram
