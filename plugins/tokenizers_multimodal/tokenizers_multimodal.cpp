// tokenizers_multimodal.cpp - plugin entry: image, video and audio tokenizers of the VLM and
// audio-LM families, the encoder-tower terms that charge the work behind their tokens, and the
// Qwen2-Audio model adapter (no other plugin registers qwen2_audio).
// SPDX-License-Identifier: Apache-2.0
#include "encoder_terms.hpp"
#include "qwen2_audio_adapter.hpp"
#include "tokenizers.hpp"
#include "vram/plugin_api.hpp"

namespace vram::plugins::mm {

std::vector<std::unique_ptr<MmTokenizer>> make_tokenizers() {
    std::vector<std::unique_ptr<MmTokenizer>> out;
    out.push_back(std::make_unique<LlavaImage>());
    out.push_back(std::make_unique<LlavaNextImage>());
    out.push_back(std::make_unique<QwenVlImage>());
    out.push_back(std::make_unique<InternVlImage>());
    out.push_back(std::make_unique<Idefics2Image>());
    out.push_back(std::make_unique<Gemma3Image>());
    out.push_back(std::make_unique<QwenVlVideo>());
    out.push_back(std::make_unique<WhisperAudio>());
    out.push_back(std::make_unique<Qwen2Audio>());
    return out;
}

}  // namespace vram::plugins::mm

VRAM_PLUGIN(vram_tokenizers_multimodal, "0.1.0") {
    using namespace vram::plugins::mm;
    for (auto& t : make_tokenizers()) reg.add(std::unique_ptr<vram::ModalityTokenizer>(std::move(t)));
    for (auto& c : make_encoder_terms()) reg.add(std::move(c));
    reg.add(std::make_unique<Qwen2AudioAdapter>());
}
