// vram/model_adapter.hpp - turns a Hugging Face config.json into a ModelSpec
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vram/config_node.hpp"
#include "vram/export.hpp"
#include "vram/model.hpp"

namespace vram {

/// Model adapter plugin kind: one family of `model_type` values.
class VRAM_API ModelAdapter {
public:
    virtual ~ModelAdapter();
    /// Dotted name, "core.model.llama".
    virtual std::string_view name() const = 0;
    /// The HF `model_type` values this adapter understands ("llama", "mistral" ...).
    virtual std::vector<std::string> model_types() const = 0;
    /// Builds the canonical spec with every parameter tensor. `where` names the config for
    /// messages. Throws vram::ScenarioError for missing or inconsistent keys.
    virtual ModelSpec build(const ConfigNode& config, const std::string& where) const = 0;
};

}  // namespace vram
