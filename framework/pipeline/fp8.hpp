// fp8.hpp - which GPUs can run a scenario's FP8 / FP4 training recipe (fp8.cpp), for the commands
// that try a scenario on many GPUs (recommend) without naming each one to the estimator.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "vram/export.hpp"
#include "vram/gpu_catalog.hpp"

namespace vram {

/// False when `gpu` is known to lack the tensor cores `recipe` needs: FP8 below compute capability
/// 8.9 (Transformer Engine's check_fp8_support), MXFP8 / NVFP4 before Blackwell, or a vendor whose
/// training stacks vram models no FP8 for (Apple). "none" runs anywhere; an unknown NVIDIA name is
/// given the benefit of the doubt, as the fp8 stage takes it for Hopper.
VRAM_API bool gpu_runs_fp8_recipe(const GpuSpec& gpu, const std::string& recipe);

}  // namespace vram
