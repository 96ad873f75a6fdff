// vram/gpu_catalog.hpp - GPU catalogs: what a board offers and what it costs
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vram/export.hpp"

namespace vram {

/// One GPU board.
struct GpuSpec {
    std::string name;              ///< "NVIDIA H100 SXM5 80GB"
    std::string vendor;            ///< NVIDIA | AMD | Intel | Apple | ...
    std::string kind;              ///< datacenter | workstation | consumer | apple
    std::uint64_t memory_bytes = 0;   ///< marketed memory
    std::uint64_t usable_bytes = 0;   ///< what one process can allocate (see docs/gpus.md)
    double bandwidth_gbs = 0;      ///< memory bandwidth, GB/s
    double bf16_tflops = 0;        ///< dense tensor BF16/FP16, TFLOP/s (0 = unknown)
    double fp8_tflops = 0;         ///< dense FP8, TFLOP/s (0 = unknown)
    double tdp_w = 0;
    double price_usd = 0;          ///< 0 = unknown
    std::string price_kind;        ///< msrp | street | estimate | cloud ...
    std::string source;            ///< where the specs come from
    std::string licence;           ///< attribution of the data row
    std::vector<std::string> aliases;  ///< extra search terms ("h100sxm", "h100 80gb")
    /// GPUs software sees per board (MI250X: 2 GCDs of 64 GB); usable_bytes is per device,
    /// memory_bytes and price_usd per board, hardware.count counts devices.
    std::int64_t devices = 1;
    std::string notes;             ///< caveats of the row (unified memory, per-device figures ...)
};

/// Tensor-core generation of an NVIDIA board, read from its catalog name: 10 Blackwell, 9 Hopper,
/// 8.9 Ada, 0 for earlier NVIDIA boards (Ampere and older: no FP8), -1 for other vendors or a
/// name it does not know. What FP8 training and the engines' kernel choices depend on.
VRAM_API double nvidia_generation(const GpuSpec* gpu);

/// GPU catalog plugin kind: a data provider.
class VRAM_API GpuCatalog {
public:
    virtual ~GpuCatalog();
    virtual std::string_view name() const = 0;   ///< "core.gpus.builtin"
    virtual const std::vector<GpuSpec>& gpus() const = 0;
};

}  // namespace vram
