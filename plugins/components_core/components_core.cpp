// components_core.cpp - plugin entry: weights, KV cache, inference transients, CUDA context.
// SPDX-License-Identifier: Apache-2.0
#include "terms.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_components_core, "0.1.0") {
    using namespace vram::plugins;
    reg.add(std::make_unique<WeightsTerm>());
    reg.add(std::make_unique<KvCacheTerm>());
    reg.add(std::make_unique<InferenceActivationsTerm>());
    reg.add(std::make_unique<InferenceLogitsTerm>());
    reg.add(std::make_unique<CudaContextTerm>());
}
