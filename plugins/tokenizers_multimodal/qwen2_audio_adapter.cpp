// qwen2_audio_adapter.cpp - model adapter for model_type "qwen2_audio" (Qwen2-Audio): a Whisper-style
// audio encoder (group audio_encoder), a one-Linear projector (group projector) and a Qwen2 decoder.
// It lives here because the model adapters plugin does not register qwen2_audio; if it ever does,
// whichever adapter loads first serves the type.
// SPDX-License-Identifier: Apache-2.0
#include "qwen2_audio_adapter.hpp"

#include "vram/error.hpp"
#include "vram/model_builder.hpp"

namespace vram::plugins::mm {
namespace {

ConfigNode child_or_empty(const ConfigReader& r, std::string_view key) {
    const ConfigNode* c = r.child(key);
    return c && c->is_map() ? *c : ConfigNode::make_map();
}

}  // namespace

ModelSpec Qwen2AudioAdapter::build(const ConfigNode& config, const std::string& where) const {
    const ConfigReader top(config, where);
    // text_config lists only what differs from Qwen2Config's defaults (transformers
    // configuration_qwen2.py: vocab 151936, hidden 4096, intermediate 22016, 32 layers, 32 heads,
    // 32 KV heads, 32768 positions, untied).
    const ConfigNode text = child_or_empty(top, "text_config");
    const ConfigReader t(text, where + ": text_config");
    ModelSpec m;
    m.model_type = "qwen2_audio";
    m.family = "qwen2_audio";
    m.torch_dtype = top.get_string({"torch_dtype", "dtype"}, t.get_string({"torch_dtype", "dtype"}, ""));
    m.hidden = t.get_int({"hidden_size"}, 4096);
    m.layers = t.get_int({"num_hidden_layers"}, 32);
    m.heads = t.get_int({"num_attention_heads"}, 32);
    m.kv_heads = t.get_int({"num_key_value_heads"}, m.heads);
    if (m.heads <= 0 || m.hidden % m.heads != 0)
        throw ScenarioError(where, "text_config.num_attention_heads: " + std::to_string(m.heads) +
                                       " does not divide hidden_size " + std::to_string(m.hidden));
    m.head_dim = m.hidden / m.heads;
    m.v_head_dim = m.head_dim;
    m.intermediate = t.get_int({"intermediate_size"}, 22016);
    m.vocab = t.get_int({"vocab_size"}, 151936);
    m.max_positions = t.get_int({"max_position_embeddings"}, 32768);
    m.tied_embeddings = t.get_bool({"tie_word_embeddings"}, false);
    m.gated_mlp = true;
    m.layer_specs.assign(static_cast<std::size_t>(m.layers), LayerSpec{});

    // Qwen2AudioEncoderConfig defaults: 128 mel bins, 32 layers, 20 heads, ffn 5120, d_model 1280,
    // max_source_positions 1500.
    const ConfigNode audio = child_or_empty(top, "audio_config");
    const ConfigReader a(audio, where + ": audio_config");
    const std::int64_t d = a.get_int({"d_model"}, 1280), enc_layers = a.get_int({"encoder_layers"}, 32);
    const std::int64_t enc_f = a.get_int({"encoder_ffn_dim"}, 5120), mels = a.get_int({"num_mel_bins"}, 128);
    const std::int64_t positions = a.get_int({"max_source_positions"}, 1500);
    m.audio.kind = "audio";
    m.audio.model_type = a.get_string({"model_type"}, "qwen2_audio_encoder");
    m.audio.hidden = d;
    m.audio.layers = enc_layers;
    m.audio.heads = a.get_int({"encoder_attention_heads"}, 20);
    m.audio.intermediate = enc_f;
    m.audio.num_mel_bins = mels;
    m.audio.max_source_positions = positions;

    ModelBuilder b(m);
    // Qwen2AudioEncoder (modeling_qwen2_audio.py): WhisperEncoder layout; k_proj has no bias; the
    // position table is an nn.Embedding parameter (frozen); the average pool has no parameters.
    const std::string ae = "audio_encoder";
    b.other("audio_tower.conv1.weight", ae, -1, d, mels * 3);
    b.vector("audio_tower.conv1.bias", ae, -1, d);
    b.other("audio_tower.conv2.weight", ae, -1, d, d * 3);
    b.vector("audio_tower.conv2.bias", ae, -1, d);
    b.other("audio_tower.embed_positions.weight", ae, -1, positions, d);
    for (std::int64_t i = 0; i < enc_layers; ++i) {
        const std::string p = "audio_tower.layers." + std::to_string(i) + ".";
        b.linear(p + "self_attn.q_proj", "q_proj", ae, -1, d, d, true);
        b.linear(p + "self_attn.k_proj", "k_proj", ae, -1, d, d, false);
        b.linear(p + "self_attn.v_proj", "v_proj", ae, -1, d, d, true);
        b.linear(p + "self_attn.out_proj", "out_proj", ae, -1, d, d, true);
        b.norm(p + "self_attn_layer_norm", ae, -1, d, true);
        b.linear(p + "fc1", "fc1", ae, -1, enc_f, d, true);
        b.linear(p + "fc2", "fc2", ae, -1, d, enc_f, true);
        b.norm(p + "final_layer_norm", ae, -1, d, true);
    }
    b.norm("audio_tower.layer_norm", ae, -1, d, true);
    // Qwen2AudioMultiModalProjector: one Linear(d_model -> text hidden) with bias.
    b.linear("multi_modal_projector.linear", "linear", "projector", -1, m.hidden, d, true);

    // Qwen2 decoder: q/k/v biases, SwiGLU MLP, RMSNorm.
    b.embedding("model.embed_tokens", "embedding", m.vocab, m.hidden);
    DecoderLayerShape shape;
    shape.qkv_bias = true;
    for (std::int32_t i = 0; i < static_cast<std::int32_t>(m.layers); ++i) add_decoder_layer(b, m, i, shape);
    b.norm("model.norm", "norms", -1, m.hidden, false);
    if (!m.tied_embeddings) b.lm_head(m.vocab, m.hidden);
    m.notes.push_back("audio: 25 tokens per second of audio (at most 750 per clip, padded to 30 s); the encoder runs on " +
                      std::to_string(positions) + " positions per clip");
    return m;
}

}  // namespace vram::plugins::mm
