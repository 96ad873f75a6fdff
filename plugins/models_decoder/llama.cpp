// llama.cpp - adapters for Llama-style dense decoders: llama (1, 2, 3, 3.x), mistral, qwen2, qwen3.
// SPDX-License-Identifier: Apache-2.0
#include "llama.hpp"

#include "decoder_common.hpp"
#include "vram/error.hpp"

namespace vram::plugins {

void read_decoder_basics(const ConfigReader& r, ModelSpec& m, bool tie_default) {
    m.hidden = r.require_int({"hidden_size", "n_embd", "d_model"});
    m.layers = r.require_int({"num_hidden_layers", "n_layer", "num_layers"});
    m.heads = r.require_int({"num_attention_heads", "n_head"});
    m.kv_heads = r.get_int({"num_key_value_heads", "num_kv_heads"}, m.heads);
    if (m.kv_heads == 0) m.kv_heads = m.heads;
    // head_dim is an independent field (Gemma, Qwen3): only fall back to h / n_q when absent.
    if (m.hidden % m.heads != 0 && !r.config().first_of({"head_dim"}))
        throw ScenarioError(r.where(), "num_attention_heads: " + std::to_string(m.heads) +
                                           " does not divide hidden_size " + std::to_string(m.hidden) +
                                           " and no head_dim is given");
    m.head_dim = r.get_int({"head_dim"}, m.hidden / m.heads);
    m.intermediate = r.require_int({"intermediate_size", "ffn_hidden_size", "n_inner"});
    m.vocab = r.require_int({"vocab_size", "padded_vocab_size"});
    m.tied_embeddings = r.get_bool({"tie_word_embeddings"}, tie_default);
    m.max_positions = r.get_int({"max_position_embeddings", "n_positions", "seq_length"}, 0);
    m.torch_dtype = r.get_string({"torch_dtype", "dtype"}, "");
    m.attention_dropout = r.get_number({"attention_dropout", "attn_pdrop"}, 0.0);
    m.hidden_dropout = r.get_number({"hidden_dropout", "resid_pdrop"}, 0.0);
}

void read_layer_kinds(const ConfigReader& r, ModelSpec& m) {
    m.layer_specs.assign(static_cast<std::size_t>(m.layers), LayerSpec{});
    const std::int64_t window = r.get_int({"sliding_window"}, 0);
    const ConfigNode* types = r.config().find("layer_types");
    if (types && types->is_list()) {
        if (static_cast<std::int64_t>(types->items().size()) != m.layers)
            throw ScenarioError(r.where(), "layer_types: " + std::to_string(types->items().size()) + " entries for " +
                                               std::to_string(m.layers) + " layers");
        for (std::size_t i = 0; i < types->items().size(); ++i) {
            const std::string& t = types->items()[i].text();
            if (t == "sliding_attention") {
                m.layer_specs[i].attention = LayerAttention::sliding;
                m.layer_specs[i].window = window;
            } else if (t != "full_attention") {
                throw ScenarioError(r.where(), "layer_types[" + std::to_string(i) + "]: '" + t +
                                                   "' is not known; allowed: full_attention, sliding_attention");
            }
        }
        return;
    }
    // Qwen2 semantics: use_sliding_window switches SWA on for layers >= max_window_layers.
    const ConfigNode* use = r.config().find("use_sliding_window");
    if (use && use->is_bool()) {
        if (!use->as_bool() || window <= 0) return;
        const std::int64_t first = r.get_int({"max_window_layers"}, 0);
        for (std::int64_t i = first; i < m.layers; ++i) {
            m.layer_specs[static_cast<std::size_t>(i)].attention = LayerAttention::sliding;
            m.layer_specs[static_cast<std::size_t>(i)].window = window;
        }
        return;
    }
    if (window > 0)
        for (auto& l : m.layer_specs) l.attention = LayerAttention::sliding, l.window = window;
}

void build_standard_decoder(ModelSpec& m, const DecoderLayerShape& shape, bool final_norm_bias) {
    ModelBuilder b(m);
    b.embedding("model.embed_tokens", "embedding", m.vocab, m.hidden);
    for (std::int32_t i = 0; i < m.layers; ++i) add_decoder_layer(b, m, i, shape);
    b.norm("model.norm", "norms", -1, m.hidden, final_norm_bias);
    if (!m.tied_embeddings) b.lm_head(m.vocab, m.hidden);
}

std::vector<std::string> LlamaAdapter::model_types() const { return {"llama", "mistral", "qwen2", "qwen3"}; }

ModelSpec LlamaAdapter::build(const ConfigNode& config, const std::string& where) const {
    ConfigReader r(config, where);
    ModelSpec m;
    m.model_type = r.get_string({"model_type"}, "llama");
    read_decoder_basics(r, m, false);
    read_layer_kinds(r, m);
    DecoderLayerShape shape;
    if (m.model_type == "qwen2") {
        shape.qkv_bias = true;  // Qwen2 q/k/v projections carry biases, o_proj does not
    } else if (m.model_type == "qwen3") {
        shape.qk_norm = true;   // per-head RMSNorm on q and k
        shape.qkv_bias = shape.o_bias = r.get_bool({"attention_bias"}, false);
    } else {
        shape.qkv_bias = shape.o_bias = r.get_bool({"attention_bias"}, false);
        shape.mlp_bias = r.get_bool({"mlp_bias"}, false);
    }
    build_standard_decoder(m, shape);
    if (m.tied_embeddings) m.notes.push_back("tied embeddings: lm_head shares embed_tokens and is counted once");
    return m;
}

}  // namespace vram::plugins
