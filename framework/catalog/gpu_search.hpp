// catalog/gpu_search.hpp - host side: fuzzy search over every GPU catalog
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "vram/export.hpp"
#include "vram/gpu_catalog.hpp"
#include "vram/gpu_csv.hpp"

namespace vram {

class Registry;

/// A catalog entry and how well it matched.
struct GpuMatch {
    GpuSpec gpu;
    double score = 0;        ///< higher is better; 0 = no match
    std::string catalog;     ///< catalog name
};

/// Every GPU of every registered catalog plus `extra` (user CSV catalogs).
VRAM_API std::vector<GpuMatch> all_gpus(const Registry& registry, const std::vector<GpuSpec>& extra);
/// Ranks GPUs against a free-text query that forgives case, spacing and small typos
/// ("rtx4090", "h100 sxm", "a100 80"). Best first; only matches (score > 0). Empty query = all.
VRAM_API std::vector<GpuMatch> search_gpus(const Registry& registry, const std::vector<GpuSpec>& extra,
                                           const std::string& query);
/// The best match for a scenario's hardware.gpu; throws ScenarioError naming close boards.
VRAM_API GpuSpec find_gpu(const Registry& registry, const std::vector<GpuSpec>& extra, const std::string& query,
                          const std::string& where);

/// For a device whose GPU shares the system's memory (Apple M-series, AMD Ryzen AI Max "Strix
/// Halo", AMD MI300A, NVIDIA Jetson and GB10): what share of that memory the catalog lets the GPU
/// use and where the figure comes from, in one sentence. Empty for a discrete GPU.
VRAM_API std::string shared_memory_note(const GpuSpec& gpu);
}  // namespace vram
