// audio_tokenizers.cpp - Whisper encoder frames and Qwen2-Audio tokens.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>

#include "tokenizers.hpp"

namespace vram::plugins::mm {

namespace {

// WhisperFeatureExtractor: 16 kHz, hop 160 → 100 mel frames per second; chunk_length 30 s.
constexpr std::int64_t kMelPerSecond = 100;
constexpr double kWindowSeconds = 30.0;

const TowerSpec& audio_tower(const ModelSpec& m, const ModalityTokenizer& t) {
    if (m.audio.kind.empty())
        throw ParamError("tokenizer", "model '" + m.name + "' (model_type " + m.model_type +
                                          ") has no audio encoder, so '" + std::string(t.key()) +
                                          "' cannot count its audio; allowed: an audio model");
    return m.audio;
}

}  // namespace

// ---- Whisper: encoder-decoder; audio goes to the encoder, never into the decoder sequence ------

int WhisperAudio::score(const ModelSpec& m) const {
    return !m.audio.kind.empty() && m.model_type == "whisper" ? 100 : 0;
}

std::vector<ParamSpec> WhisperAudio::specs() { return {}; }

Plan WhisperAudio::plan(const ModelSpec& m, const InputSpec& in) const {
    require_modality(*this, in);
    require_seconds(in);
    (void)read_options(in, specs());
    const TowerSpec& a = audio_tower(m, *this);
    // max_source_positions = 1500: 3000 mel frames (30 s, always padded) through conv2 stride 2.
    const std::int64_t frames = or_default(a.max_source_positions, 1500);
    const auto windows = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(in.seconds / kWindowSeconds)));
    Plan p;
    p.tower = "audio";
    // The decoder's self-attention sequence does not grow: the frames reach it through
    // cross-attention, whose cache the attention stage sizes from the encoder length.
    p.tokens = 0;
    p.units = windows * in.count;
    p.positions = frames;
    // Long-form transcription (generate() on > 30 s) encodes one 30-s window per clip at a time.
    p.batched_units = in.count;
    p.arithmetic = "whisper: " + format_number(in.seconds) + " s → " + num(windows) + " window(s) of 30 s, each padded to " +
                   num(frames * 2) + " mel frames → conv stride 2 → " + num(frames) + " encoder frames" +
                   (in.count > 1 ? " × " + num(in.count) + " clips" : "") + " = " + num(p.encoder_positions()) +
                   " encoder frames; 0 decoder tokens (they reach the decoder through cross-attention)";
    return p;
}

std::string_view WhisperAudio::source() const {
    return "transformers WhisperFeatureExtractor (chunk_length 30 s, hop 160 at 16 kHz, padding to 3000 frames) and "
           "WhisperEncoder (conv2 stride 2, max_source_positions 1500: input must be 3000 frames); formulas.md §3.7, §8";
}

// ---- Qwen2-Audio: Whisper-style encoder, stride-2 pooling, tokens in the decoder sequence ------

int Qwen2Audio::score(const ModelSpec& m) const {
    return !m.audio.kind.empty() && m.model_type == "qwen2_audio" ? 100 : 0;
}

std::vector<ParamSpec> Qwen2Audio::specs() { return {}; }

Plan Qwen2Audio::plan(const ModelSpec& m, const InputSpec& in) const {
    require_modality(*this, in);
    require_seconds(in);
    (void)read_options(in, specs());
    const TowerSpec& a = audio_tower(m, *this);
    const std::int64_t frames = or_default(a.max_source_positions, 1500);
    // Qwen2AudioProcessor pads (and truncates) every clip to 30 s; the attention mask keeps
    // ceil(seconds·100) mel frames, and _get_feat_extract_output_lengths turns them into tokens.
    const double kept = std::min(in.seconds, kWindowSeconds);
    const auto t_mel = static_cast<std::int64_t>(std::ceil(kept * static_cast<double>(kMelPerSecond) - 1e-9));
    const std::int64_t l1 = (t_mel - 1) / 2 + 1;
    const std::int64_t l2 = (l1 - 2) / 2 + 1;
    Plan p;
    p.tower = "audio";
    p.tokens = l2 * in.count;
    p.units = p.batched_units = in.count;
    p.positions = frames;  // the encoder runs on the padded 3000 frames → 1500 positions
    p.projector_positions = (frames / 2) * in.count;  // after the stride-2 average pool, padding included
    p.arithmetic = "qwen2-audio: " + format_number(in.seconds) + " s" +
                   (in.seconds > kWindowSeconds ? " (truncated to 30 s by the processor)" : "") + " → T_mel = " +
                   num(t_mel) + "; L1 = (" + num(t_mel) + "−1)//2+1 = " + num(l1) + "; L2 = (" + num(l1) +
                   "−2)//2+1 = " + num(l2) + " tokens" + (in.count > 1 ? " × " + num(in.count) + " clips" : "") +
                   " = " + num(p.tokens) + "; encoder sees " + num(frames) + " positions per clip (padded to 30 s)";
    return p;
}

std::string_view Qwen2Audio::source() const {
    return "transformers Qwen2AudioProcessor (WhisperFeatureExtractor padding='max_length', 30 s) and "
           "Qwen2AudioEncoder._get_feat_extract_output_lengths: (T−1)//2+1 then (L−2)//2+1, 25 tokens/s; "
           "formulas.md §8";
}

}  // namespace vram::plugins::mm
