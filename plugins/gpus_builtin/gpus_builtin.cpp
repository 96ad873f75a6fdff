// gpus_builtin.cpp - plugin entry: the built-in GPU catalog (docs/gpus.md lists sources and licences).
// SPDX-License-Identifier: Apache-2.0
#include <mutex>

#include "catalog_data.hpp"
#include "vram/gpu_catalog.hpp"
#include "vram/plugin_api.hpp"

namespace vram::plugins {
namespace {

// The GpuSpecs are made from the compiled-in table on first use: commands that never look at
// GPUs (vram --version, vram schema ...) do not build them.
class BuiltinCatalog final : public GpuCatalog {
public:
    std::string_view name() const override { return "core.gpus.builtin"; }
    const std::vector<GpuSpec>& gpus() const override {
        std::call_once(once_, [this] { gpus_ = builtin_gpus(); });
        return gpus_;
    }

private:
    mutable std::once_flag once_;
    mutable std::vector<GpuSpec> gpus_;
};

}  // namespace
}  // namespace vram::plugins

VRAM_PLUGIN(vram_gpus_builtin, "0.1.0") {
    reg.add(std::make_unique<vram::plugins::BuiltinCatalog>());
}
