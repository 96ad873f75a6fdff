// gpus_builtin.cpp - plugin entry: the built-in GPU catalog (docs/gpus.md lists sources and licences).
// SPDX-License-Identifier: Apache-2.0
#include "catalog_data.hpp"
#include "vram/gpu_catalog.hpp"
#include "vram/gpu_csv.hpp"
#include "vram/plugin_api.hpp"

namespace vram::plugins {
namespace {

class BuiltinCatalog final : public GpuCatalog {
public:
    BuiltinCatalog() : gpus_(parse_gpu_csv(builtin_catalog_csv(), "presets/gpus/builtin.csv")) {}
    std::string_view name() const override { return "core.gpus.builtin"; }
    const std::vector<GpuSpec>& gpus() const override { return gpus_; }

private:
    std::vector<GpuSpec> gpus_;
};

}  // namespace
}  // namespace vram::plugins

VRAM_PLUGIN(vram_gpus_builtin, "0.1.0") {
    reg.add(std::make_unique<vram::plugins::BuiltinCatalog>());
}
