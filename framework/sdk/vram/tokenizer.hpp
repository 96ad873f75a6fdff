// vram/tokenizer.hpp - modality tokenizers: tokens an image, video or audio clip adds
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "vram/export.hpp"
#include "vram/model.hpp"
#include "vram/scenario.hpp"

namespace vram {

/// Tokens one input adds to the decoder and patches/frames its encoder processes.
struct TokenCount {
    std::int64_t tokens = 0;          ///< tokens the decoder sees (after merging/pooling)
    std::int64_t encoder_patches = 0; ///< positions the encoder tower processes
    std::string arithmetic;           ///< how the count was reached, for --explain
};

/// Modality tokenizer plugin kind.
class VRAM_API ModalityTokenizer {
public:
    virtual ~ModalityTokenizer();
    virtual std::string_view name() const = 0;      ///< "core.tokenizer.qwen2_vl_image"
    virtual std::string_view key() const = 0;       ///< "qwen2-vl" (the scenario override)
    virtual std::string_view modality() const = 0;  ///< "image" | "video" | "audio"
    /// 0 = not for this model; the highest score is chosen unless the input names a tokenizer.
    virtual int score(const ModelSpec& model) const = 0;
    /// Counts one input (all its `count` items). Throws vram::ParamError for bad sizes.
    virtual TokenCount count(const ModelSpec& model, const InputSpec& input) const = 0;
    /// Citation of the counting rule (processor code, paper).
    virtual std::string_view source() const = 0;
};

}  // namespace vram
