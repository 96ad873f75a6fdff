// qwen2_audio_adapter.hpp - model adapter for Qwen2-Audio (model_type qwen2_audio).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "vram/model_adapter.hpp"

namespace vram::plugins::mm {

class Qwen2AudioAdapter final : public ModelAdapter {
public:
    std::string_view name() const override { return "mm.model.qwen2_audio"; }
    std::vector<std::string> model_types() const override { return {"qwen2_audio"}; }
    ModelSpec build(const ConfigNode& config, const std::string& where) const override;
};

}  // namespace vram::plugins::mm
