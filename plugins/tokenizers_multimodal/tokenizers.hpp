// tokenizers.hpp - the modality tokenizers of this plugin, one class per processor family.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "mm_common.hpp"
#include "vram/bytes.hpp"

namespace vram::plugins::mm {

/// Declares one tokenizer class: name, key, modality and source are fixed strings.
#define VRAM_MM_TOKENIZER(CLASS, NAME, KEY, MODALITY)                                          \
    class CLASS final : public MmTokenizer {                                                   \
    public:                                                                                    \
        std::string_view name() const override { return NAME; }                               \
        std::string_view key() const override { return KEY; }                                  \
        std::string_view modality() const override { return MODALITY; }                       \
        int score(const ModelSpec& model) const override;                                      \
        Plan plan(const ModelSpec& model, const InputSpec& input) const override;              \
        std::string_view source() const override;                                              \
        static std::vector<ParamSpec> specs();                                                 \
    }

VRAM_MM_TOKENIZER(LlavaImage, "mm.tokenizer.llava_image", "llava", "image");
VRAM_MM_TOKENIZER(LlavaNextImage, "mm.tokenizer.llava_next_image", "llava-next", "image");
VRAM_MM_TOKENIZER(QwenVlImage, "mm.tokenizer.qwen2_vl_image", "qwen2-vl", "image");
VRAM_MM_TOKENIZER(InternVlImage, "mm.tokenizer.internvl_image", "internvl", "image");
VRAM_MM_TOKENIZER(Idefics2Image, "mm.tokenizer.idefics2_image", "idefics2", "image");
VRAM_MM_TOKENIZER(Gemma3Image, "mm.tokenizer.gemma3_image", "gemma3", "image");
VRAM_MM_TOKENIZER(QwenVlVideo, "mm.tokenizer.qwen2_vl_video", "qwen2-vl-video", "video");
VRAM_MM_TOKENIZER(WhisperAudio, "mm.tokenizer.whisper_audio", "whisper", "audio");
VRAM_MM_TOKENIZER(Qwen2Audio, "mm.tokenizer.qwen2_audio", "qwen2-audio", "audio");

#undef VRAM_MM_TOKENIZER

}  // namespace vram::plugins::mm
