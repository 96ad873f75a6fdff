// catalog_rows.cpp - the generated table as GpuSpecs: what parse_gpu_csv makes of the same rows.
// SPDX-License-Identifier: Apache-2.0
#include <cmath>
#include <string_view>

#include "catalog_data.hpp"
#include "vram/bytes.hpp"

namespace vram::plugins {

std::vector<GpuSpec> builtin_gpus() {
    std::vector<GpuSpec> out(kBuiltinCatalogSize);
    for (std::size_t i = 0; i < kBuiltinCatalogSize; ++i) {
        const CatalogRow& r = kBuiltinCatalog[i];
        GpuSpec& g = out[i];
        g.name = text(r.name);
        g.vendor = text(r.vendor);
        g.kind = text(r.kind);
        g.memory_bytes = static_cast<std::uint64_t>(std::llround(r.memory_gib * kGiB));
        g.usable_bytes = r.usable_gib > 0 ? static_cast<std::uint64_t>(std::llround(r.usable_gib * kGiB)) : g.memory_bytes;
        g.bandwidth_gbs = r.bandwidth_gbs;
        g.bf16_tflops = r.bf16_tflops;
        g.fp8_tflops = r.fp8_tflops;
        g.tdp_w = r.tdp_w;
        g.price_usd = r.price_usd;
        g.price_kind = text(r.price_kind);
        g.source = text(r.source);
        g.licence = text(r.licence);
        g.notes = text(r.notes);
        g.devices = r.devices;
        for (std::string_view a = text(r.aliases); !a.empty();) {  // empty entries skipped, as parse_gpu_csv
            const auto semi = a.find(';');
            if (semi != 0) g.aliases.emplace_back(a.substr(0, semi));
            if (semi == std::string_view::npos) break;
            a.remove_prefix(semi + 1);
        }
    }
    return out;
}

}  // namespace vram::plugins
