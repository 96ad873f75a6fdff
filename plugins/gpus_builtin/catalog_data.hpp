// catalog_data.hpp - the built-in GPU table, generated from presets/gpus/builtin.csv at build time
// (make_catalog_table.py): the plugin serves it without parsing CSV at start-up.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "vram/gpu_catalog.hpp"

namespace vram::plugins {

/// A cell's text: kBuiltinCatalogText[offset, offset + size). The table holds no pointers, so
/// loading the plugin relocates nothing in it.
struct CatalogText {
    std::uint32_t offset;
    std::uint32_t size;
};

/// One row of presets/gpus/builtin.csv (columns documented in docs/gpus.md), as parse_gpu_csv
/// reads it: numbers as written (0 = empty), aliases ';'-separated.
struct CatalogRow {
    CatalogText name;
    CatalogText vendor;
    CatalogText kind;
    double memory_gib;
    double usable_gib;
    double bandwidth_gbs;
    double bf16_tflops;
    double fp8_tflops;
    double tdp_w;
    double price_usd;
    CatalogText price_kind;
    CatalogText source;
    CatalogText licence;
    CatalogText aliases;
    std::int64_t devices;
    CatalogText notes;
};

/// The cells' text, all rows.
extern const char kBuiltinCatalogText[];
/// The rows with a name and memory, in CSV order.
extern const CatalogRow kBuiltinCatalog[];
extern const std::size_t kBuiltinCatalogSize;

/// The table as GpuSpecs, exactly what parse_gpu_csv makes of the CSV (catalog_rows.cpp).
std::vector<GpuSpec> builtin_gpus();

inline std::string_view text(CatalogText t) { return {kBuiltinCatalogText + t.offset, t.size}; }

}  // namespace vram::plugins
