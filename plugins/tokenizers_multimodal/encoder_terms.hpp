// encoder_terms.hpp - memory of the encoder towers and projectors behind the modality tokens.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <vector>

#include "vram/component.hpp"

namespace vram::plugins::mm {

/// Components of this plugin: per tower (vision, audio) the inference transient and the saved
/// training activations, plus the projector's saved activations. Category `encoder`.
std::vector<std::unique_ptr<Component>> make_encoder_terms();

}  // namespace vram::plugins::mm
