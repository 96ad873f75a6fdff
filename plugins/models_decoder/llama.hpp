// llama.hpp - Llama-style dense decoders.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/model_adapter.hpp"

namespace vram::plugins {

/// llama (1, 2, 3, 3.x), mistral, qwen2, qwen3: pre-norm RMSNorm decoders with SwiGLU.
class LlamaAdapter final : public ModelAdapter {
public:
    std::string_view name() const override { return "core.model.llama"; }
    std::vector<std::string> model_types() const override;
    ModelSpec build(const ConfigNode& config, const std::string& where) const override;
};

}  // namespace vram::plugins
