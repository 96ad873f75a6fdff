// vram/gpu_csv.hpp - GPU catalogs as CSV text (plugin-facing: a catalog plugin parses its data with it)
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "vram/export.hpp"
#include "vram/gpu_catalog.hpp"

namespace vram {

/// Reads a user CSV catalog (columns name, vendor, memory_size_gb or memory_gib, optional
/// memory_bandwidth_gb_s, ...). Throws ScenarioError with the line of a bad row.
VRAM_API std::vector<GpuSpec> read_gpu_csv(const std::string& path);
/// Same, from CSV text (`name` for messages). Optional columns: kind, usable_gib, bf16_tflops,
/// fp8_tflops, price_kind, source, licence, aliases (';'-separated).
VRAM_API std::vector<GpuSpec> parse_gpu_csv(const std::string& text, const std::string& name);

}  // namespace vram
