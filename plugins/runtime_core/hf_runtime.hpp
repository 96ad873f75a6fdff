// hf_runtime.hpp - Hugging Face transformers (eager PyTorch) memory semantics.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/runtime.hpp"

namespace vram::plugins {

// Symbols the hf profile declares (mirrors of its EngineFacts, for formulas).
inline constexpr const char* kMeanSavesInput = "torch_mean_saves_input";
inline constexpr const char* kBnbSavesInput = "bnb_4bit_saves_input";
inline constexpr const char* kRmsNorm = "rmsnorm";
inline constexpr const char* kRmsNormUpcast = "rmsnorm_upcast";
inline constexpr const char* kAdamwForeach = "adamw_foreach";

/// `engine: hf`: weights, a DynamicCache that holds every token, one layer's transient
/// activations and last-position logits; the CUDA context per process.
class HfRuntime final : public RuntimeProfile {
public:
    std::string_view name() const override { return "core.runtime.hf"; }
    std::string_view key() const override { return "hf"; }
    std::vector<ParamSpec> params() const override;
    void prepare(Context& ctx, const Params& options) const override;
};

}  // namespace vram::plugins
