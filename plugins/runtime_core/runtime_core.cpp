// runtime_core.cpp - plugin entry: engine memory semantics.
// SPDX-License-Identifier: Apache-2.0
#include "generate_allocator.hpp"
#include "hf_runtime.hpp"
#include "vram/plugin_api.hpp"

VRAM_PLUGIN(vram_runtime_core, "0.1.0") {
    using namespace vram::plugins;
    reg.declare(kMeanSavesInput, "flag", "1 when torch.mean saves its input for backward (PyTorch < 2.2)");
    reg.declare(kBnbSavesInput, "flag", "1 when bitsandbytes MatMul4Bit saves its input A (bitsandbytes < 0.43.2)");
    reg.declare(kRmsNorm, "flag", "1 when the decoder's norms are RMSNorm written in PyTorch ops (no norm bias)");
    reg.declare(kRmsNormUpcast, "flag", "1 when RMSNorm upcasts its input to fp32 and saves the copy");
    reg.declare(kAdamwForeach, "flag", "1 when torch.optim.AdamW runs its foreach path (runtime.adamw_implementation)");
    reg.declare(kStaticCache, "flag", "1 when generate() uses a static (preallocated) KV cache");
    reg.declare(kAllocExpandable, "flag", "1 with PYTORCH_CUDA_ALLOC_CONF expandable_segments:True");
    reg.declare(kAllocMaxSplit, "B", "PYTORCH_CUDA_ALLOC_CONF max_split_size (0 = unlimited)");
    reg.add(std::make_unique<HfRuntime>());
    reg.add(std::make_unique<HfCacheGrowthTerm>());
}
