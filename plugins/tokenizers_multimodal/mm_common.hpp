// mm_common.hpp - modality tokenizers that also describe the encoder work behind their tokens.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vram/error.hpp"
#include "vram/params.hpp"
#include "vram/tokenizer.hpp"

namespace vram::plugins::mm {

/// What one input (all its `count` items) asks of the model: the decoder tokens and the work of
/// the encoder tower and projector that produce them. The encoder components read it.
struct Plan {
    std::int64_t tokens = 0;        ///< tokens added to the decoder sequence
    std::string tower;              ///< "vision" or "audio": which TowerSpec runs
    std::int64_t units = 0;         ///< independent attention sequences in the tower (images, tiles, frame groups, 30-s windows)
    std::int64_t positions = 0;     ///< tower positions per unit (patches, + CLS where the ViT has one, encoder frames)
    std::int64_t batched_units = 0; ///< units that go through one tower forward together (whisper long-form: one window)
    bool chunked_attention = false; ///< non-flash attention runs unit by unit (Qwen2-VL vision loop over cu_seqlens)
    bool keeps_hidden_states = false;  ///< the model asks the tower for every layer's hidden state (LLaVA layer -2)
    std::int64_t projector_positions = 0;  ///< positions the projector runs on (all units)
    std::string arithmetic;         ///< the count, step by step, for --explain

    std::int64_t encoder_positions() const { return units * positions; }
};

/// Base of this plugin's tokenizers: count() is derived from plan(), so the tokens the decoder
/// sees and the encoder work the components charge can never disagree.
class MmTokenizer : public ModalityTokenizer {
public:
    virtual Plan plan(const ModelSpec& model, const InputSpec& input) const = 0;
    TokenCount count(const ModelSpec& model, const InputSpec& input) const final;
};

/// One instance of every tokenizer of this plugin (the plugin entry registers a second set).
std::vector<std::unique_ptr<MmTokenizer>> make_tokenizers();

/// The tokenizer of this plugin the host picks for `input` (the `tokenizer:` override, else the
/// highest score for the modality); nullptr when the input goes to another plugin's tokenizer.
const MmTokenizer* select(const ModelSpec& model, const InputSpec& input);

// --- helpers shared by the tokenizers -------------------------------------------------------

/// Validates `options:` of an input against the tokenizer's keys ("options.max_pixels" paths).
Params read_options(const InputSpec& input, const std::vector<ParamSpec>& specs);
/// Throws unless the input is of `modality` (a `tokenizer:` override may name another kind).
void require_modality(const ModalityTokenizer& t, const InputSpec& input);
/// Width and height of an image or video input; throws with the key path when missing.
void require_size(const InputSpec& input);
/// Seconds of an audio or video input; throws when missing.
void require_seconds(const InputSpec& input);
/// `value` when positive, else the family's published default.
std::int64_t or_default(std::int64_t value, std::int64_t fallback);
/// Python's round(n / f) for integers: ties go to the even quotient (banker's rounding).
std::int64_t round_half_even_div(std::int64_t n, std::int64_t f);
/// "1,234" for arithmetic strings.
std::string num(std::int64_t v);

}  // namespace vram::plugins::mm

namespace vram::plugins::mm {

/// Height and width after a processor's resize.
struct Size {
    std::int64_t height = 0;
    std::int64_t width = 0;
};

/// Qwen2-VL smart_resize: both sides to multiples of `factor` (Python round, ties to even), then
/// scaled by sqrt(area ratio) into [min_pixels, max_pixels] (floor when shrinking, ceil when
/// growing). transformers image_processing_qwen2_vl.py and qwen-vl-utils vision_process.py.
/// Throws for an aspect ratio above 200 (both sources reject it).
Size qwen_smart_resize(std::int64_t height, std::int64_t width, std::int64_t factor, double min_pixels,
                       double max_pixels);

}  // namespace vram::plugins::mm
