// dense.cpp - dense decoders: gemma 1-3 (text); and the builders of llama / mistral / qwen2 / qwen3
// and phi3, which are family files now (presets/families, issue 17) and stay here only as text
// models of the C++ multimodal adapters (chatglm and glm moved to family files too).
// Shapes follow the HF modeling files of each family (parameters only; buffers excluded).
// SPDX-License-Identifier: Apache-2.0
#include "decoder_common.hpp"
#include "families.hpp"
#include "vram/error.hpp"

namespace vram::plugins {

ConfigNode with_defaults(const ConfigNode& config, std::initializer_list<KeyDefault> defaults) {
    ConfigNode out = config;
    for (const auto& d : defaults) {
        const ConfigNode* n = out.find(d.key);
        if (!n || n->is_null()) {
            ConfigNode v = (d.key == std::string("tie_word_embeddings")) ? ConfigNode::make_bool(d.value != 0)
                                                                          : ConfigNode::make_number(d.value);
            out.set(d.key, v);
        }
    }
    return out;
}

void all_layers(ModelSpec& m, LayerAttention kind) {
    LayerSpec l;
    l.attention = kind;
    m.layer_specs.assign(static_cast<std::size_t>(m.layers), l);
}

void add_attention(ModelBuilder& b, const ModelSpec& m, std::int32_t layer, const DecoderLayerShape& s) {
    const std::int64_t h = m.hidden, q = m.heads * m.head_dim, kv = m.kv_heads * m.head_dim;
    b.linear("self_attn.q_proj", "q_proj", "attention", layer, q, h, s.qkv_bias);
    b.linear("self_attn.k_proj", "k_proj", "attention", layer, kv, h, s.qkv_bias);
    b.linear("self_attn.v_proj", "v_proj", "attention", layer, kv, h, s.qkv_bias);
    b.linear("self_attn.o_proj", "o_proj", "attention", layer, h, q, s.o_bias);
    if (s.qk_norm) {
        b.norm("self_attn.q_norm", "attention", layer, m.head_dim, false);
        b.norm("self_attn.k_norm", "attention", layer, m.head_dim, false);
    }
}

void add_gated_mlp(ModelBuilder& b, const std::string& prefix, const std::string& group, std::int32_t layer,
                   std::int64_t hidden, std::int64_t inner, bool bias, std::int64_t copies, std::int64_t active) {
    b.linear(prefix + ".gate_proj", "gate_proj", group, layer, inner, hidden, bias, copies, active);
    b.linear(prefix + ".up_proj", "up_proj", group, layer, inner, hidden, bias, copies, active);
    b.linear(prefix + ".down_proj", "down_proj", group, layer, hidden, inner, bias, copies, active);
}

void read_decoder_basics(const ConfigReader& r, ModelSpec& m, bool tie_default) {
    m.hidden = r.require_int({"hidden_size", "n_embd", "d_model"});
    m.layers = r.require_int({"num_hidden_layers", "n_layer", "num_layers"});
    m.heads = r.require_int({"num_attention_heads", "n_head"});
    m.kv_heads = r.get_int({"num_key_value_heads", "num_kv_heads"}, m.heads);
    if (m.kv_heads == 0) m.kv_heads = m.heads;
    // head_dim is an independent field (Gemma, Qwen3): only fall back to h / n_q when absent.
    const ConfigNode* hd = r.config().first_of({"head_dim"});
    const bool has_head_dim = hd && !hd->is_null();
    if (m.hidden % m.heads != 0 && !has_head_dim)
        throw ScenarioError(r.where(), "num_attention_heads: " + std::to_string(m.heads) +
                                           " does not divide hidden_size " + std::to_string(m.hidden) +
                                           " and no head_dim is given");
    m.head_dim = has_head_dim ? r.get_int({"head_dim"}, 0) : m.hidden / m.heads;
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
    // Phi-3 configs carry sliding_window >= their context (262144) without using it as a
    // cap that binds; a window is only a window when it is shorter than the context.
    if (window > 0 && (m.max_positions == 0 || window < m.max_positions))
        for (auto& l : m.layer_specs) l.attention = LayerAttention::sliding, l.window = window;
}

void build_standard_decoder(ModelSpec& m, const DecoderLayerShape& shape, bool final_norm_bias) {
    ModelBuilder b(m);
    b.embedding("model.embed_tokens", "embedding", m.vocab, m.hidden);
    for (std::int32_t i = 0; i < m.layers; ++i) add_decoder_layer(b, m, i, shape);
    b.norm("model.norm", "norms", -1, m.hidden, final_norm_bias);
    if (!m.tied_embeddings) b.lm_head(m.vocab, m.hidden);
}

namespace {

void note_tied(ModelSpec& m) {
    if (m.tied_embeddings) m.notes.push_back("tied embeddings: lm_head shares embed_tokens and is counted once");
}

// Layer `i` of Gemma 2 / 3 is global every `period`-th layer and local (sliding) otherwise
// (HF Gemma2Config / Gemma3TextConfig layer_types defaults).
void periodic_sliding(ModelSpec& m, std::int64_t period, std::int64_t window) {
    m.layer_specs.assign(static_cast<std::size_t>(m.layers), LayerSpec{});
    for (std::int64_t i = 0; i < m.layers; ++i)
        if ((i + 1) % period != 0) {
            m.layer_specs[static_cast<std::size_t>(i)].attention = LayerAttention::sliding;
            m.layer_specs[static_cast<std::size_t>(i)].window = window;
        }
}

}  // namespace

// llama / mistral / qwen2 / qwen3 are served by presets/families/llama.yaml (issue 17); this
// builder stays only as the text model of the C++ multimodal adapters (LLaVA's text_config,
// Qwen2-VL's text part), which cannot call a family file from inside the plugin.
ModelSpec build_llama(const ConfigReader& r) {
    ModelSpec m;
    m.model_type = r.get_string({"model_type"}, "llama");
    read_decoder_basics(r, m, false);
    read_layer_kinds(r, m);
    DecoderLayerShape shape;
    if (m.model_type == "qwen2" || m.model_type == "qwen2_vl" || m.model_type == "qwen2_5_vl" ||
        m.model_type == "qwen2_vl_text" || m.model_type == "qwen2_5_vl_text") {
        shape.qkv_bias = true;  // Qwen2 q/k/v projections carry biases, o_proj does not
    } else if (m.model_type == "qwen3") {
        shape.qk_norm = true;   // per-head RMSNorm on q and k
        shape.qkv_bias = shape.o_bias = r.get_bool({"attention_bias"}, false);
    } else {
        shape.qkv_bias = shape.o_bias = r.get_bool({"attention_bias"}, false);
        shape.mlp_bias = r.get_bool({"mlp_bias"}, false);
    }
    build_standard_decoder(m, shape);
    note_tied(m);
    return m;
}

ModelSpec build_gemma(const ConfigReader& in) {
    const std::string type = in.get_string({"model_type"}, "gemma");
    // Gemma3TextConfig fills these when a config omits them (gemma-3-4b-it's text_config does).
    const ConfigNode filled =
        type == "gemma3_text" || type == "gemma3"
            ? with_defaults(in.config(), {{"vocab_size", 262208}, {"hidden_size", 2304}, {"intermediate_size", 9216},
                                          {"num_hidden_layers", 26}, {"num_attention_heads", 8},
                                          {"num_key_value_heads", 4}, {"head_dim", 256},
                                          {"max_position_embeddings", 131072}, {"sliding_window", 4096},
                                          {"tie_word_embeddings", 1}})
            : in.config();
    const ConfigReader r(filled, in.where());
    ModelSpec m;
    m.model_type = type;
    read_decoder_basics(r, m, true);  // Gemma ties lm_head to the embedding by default
    DecoderLayerShape shape;
    shape.qkv_bias = shape.o_bias = r.get_bool({"attention_bias"}, false);
    if (type == "gemma") {
        all_layers(m, LayerAttention::full);
    } else {
        shape.norms_per_layer = 4;  // pre/post norms around attention and MLP
        shape.qk_norm = type != "gemma2";
        const ConfigNode* types = r.config().find("layer_types");
        if (types && types->is_list())
            read_layer_kinds(r, m);
        else if (type == "gemma2")
            periodic_sliding(m, 2, r.get_int({"sliding_window"}, 4096));
        else
            periodic_sliding(m, r.get_int({"sliding_window_pattern"}, 6), r.get_int({"sliding_window"}, 4096));
    }
    m.notes.push_back("embedding output is scaled by sqrt(hidden_size) (no parameter); RMSNorm weights stored as 1+w");
    build_standard_decoder(m, shape);
    note_tied(m);
    return m;
}

ModelSpec build_phi3(const ConfigReader& r) {
    ModelSpec m;
    m.model_type = r.get_string({"model_type"}, "phi3");
    read_decoder_basics(r, m, false);
    read_layer_kinds(r, m);
    ModelBuilder b(m);
    const std::int64_t h = m.hidden, q = m.heads * m.head_dim, kv = m.kv_heads * m.head_dim, f = m.intermediate;
    b.embedding("model.embed_tokens", "embedding", m.vocab, h);
    for (std::int32_t i = 0; i < m.layers; ++i) {
        // Fused projections: qkv_proj = [q; k; v], gate_up_proj = [gate; up] (Phi3Attention / Phi3MLP).
        b.norm("input_layernorm", "norms", i, h, false);
        b.linear("self_attn.qkv_proj", "qkv_proj", "attention", i, q + 2 * kv, h, false);
        b.linear("self_attn.o_proj", "o_proj", "attention", i, h, q, false);
        b.norm("post_attention_layernorm", "norms", i, h, false);
        b.linear("mlp.gate_up_proj", "gate_up_proj", "mlp", i, 2 * f, h, false);
        b.linear("mlp.down_proj", "down_proj", "mlp", i, h, f, false);
    }
    b.norm("model.norm", "norms", -1, h, false);
    if (!m.tied_embeddings) b.lm_head(m.vocab, h);
    note_tied(m);
    return m;
}

}  // namespace vram::plugins
