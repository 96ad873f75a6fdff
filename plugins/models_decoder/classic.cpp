// classic.cpp - GPT-style decoders with LayerNorm and plain GELU MLPs (gpt2, gpt_bigcode,
// gpt_neox, gptj, bloom, opt, falcon) and BERT-style encoders (bert, roberta).
// Shapes follow the HF modeling files; causal-mask and rotary buffers are not parameters.
// SPDX-License-Identifier: Apache-2.0
#include "decoder_common.hpp"
#include "families.hpp"
#include "vram/error.hpp"

namespace vram::plugins {
namespace {

void basics(const ConfigReader& r, ModelSpec& m, const char* type, bool tie_default) {
    m.model_type = r.get_string({"model_type"}, type);
    m.hidden = r.require_int({"n_embd", "hidden_size", "d_model", "n_embed"});
    m.layers = r.require_int({"n_layer", "num_hidden_layers", "num_layers"});
    m.heads = r.require_int({"n_head", "num_attention_heads"});
    if (m.hidden % m.heads != 0)
        throw ScenarioError(r.where(), "n_head: " + std::to_string(m.heads) + " does not divide the hidden size " +
                                           std::to_string(m.hidden));
    m.head_dim = m.hidden / m.heads;
    m.kv_heads = m.heads;
    m.vocab = r.require_int({"vocab_size"});
    m.max_positions = r.get_int({"n_positions", "max_position_embeddings", "seq_length"}, 0);
    m.tied_embeddings = r.get_bool({"tie_word_embeddings"}, tie_default);
    m.torch_dtype = r.get_string({"torch_dtype", "dtype"}, "");
    m.gated_mlp = false;
    m.attention_dropout = r.get_number({"attn_pdrop", "attention_dropout", "attention_probs_dropout_prob"}, 0.0);
    m.hidden_dropout = r.get_number({"resid_pdrop", "hidden_dropout", "hidden_dropout_prob"}, 0.0);
    all_layers(m, LayerAttention::full);
}

// An inner size that may be JSON null, meaning "4 x hidden" (GPT-2 n_inner, GPT-J n_inner).
std::int64_t inner_or_4h(const ConfigReader& r, std::initializer_list<std::string_view> keys, std::int64_t h) {
    const ConfigNode* n = r.config().first_of(keys);
    if (!n || n->is_null()) return 4 * h;
    return r.require_int(keys);
}

void plain_mlp(ModelBuilder& b, const std::string& up, const std::string& up_module, const std::string& down,
               const std::string& down_module, std::int32_t i, std::int64_t h, std::int64_t f, bool bias) {
    b.linear(up, up_module, "mlp", i, f, h, bias);
    b.linear(down, down_module, "mlp", i, h, f, bias);
}

}  // namespace

ModelSpec build_gpt2(const ConfigReader& r) {
    ModelSpec m;
    basics(r, m, "gpt2", true);
    const bool bigcode = m.model_type == "gpt_bigcode";
    // GPTBigCode multi_query: one shared K/V head (c_attn = h + 2 · head_dim).
    if (bigcode && r.get_bool({"multi_query"}, true)) m.kv_heads = 1;
    m.intermediate = inner_or_4h(r, {"n_inner"}, m.hidden);
    ModelBuilder b(m);
    const std::int64_t h = m.hidden, f = m.intermediate, kv = m.kv_heads * m.head_dim;
    b.embedding("transformer.wte", "embedding", m.vocab, h);
    b.other("transformer.wpe.weight", "position_embedding", -1, m.max_positions, h);
    for (std::int32_t i = 0; i < m.layers; ++i) {
        b.norm("ln_1", "norms", i, h, true);
        b.linear("attn.c_attn", "c_attn", "attention", i, h + 2 * kv, h, true);  // Conv1D [q; k; v]
        b.linear("attn.c_proj", "c_proj", "attention", i, h, h, true);
        b.norm("ln_2", "norms", i, h, true);
        plain_mlp(b, "mlp.c_fc", "c_fc", "mlp.c_proj", "c_proj", i, h, f, true);
    }
    b.norm("transformer.ln_f", "norms", -1, h, true);
    if (!m.tied_embeddings) b.lm_head(m.vocab, h);
    m.notes.push_back("learned position embeddings: n_positions x hidden; attn.bias causal masks are buffers");
    return m;
}

ModelSpec build_gpt_neox(const ConfigReader& r) {
    ModelSpec m;
    basics(r, m, "gpt_neox", false);
    m.intermediate = r.require_int({"intermediate_size"});
    const bool bias = r.get_bool({"attention_bias"}, true);
    ModelBuilder b(m);
    const std::int64_t h = m.hidden, f = m.intermediate;
    b.embedding("gpt_neox.embed_in", "embedding", m.vocab, h);
    for (std::int32_t i = 0; i < m.layers; ++i) {
        b.norm("input_layernorm", "norms", i, h, true);
        b.norm("post_attention_layernorm", "norms", i, h, true);
        b.linear("attention.query_key_value", "query_key_value", "attention", i, 3 * h, h, bias);
        b.linear("attention.dense", "dense", "attention", i, h, h, bias);
        plain_mlp(b, "mlp.dense_h_to_4h", "dense_h_to_4h", "mlp.dense_4h_to_h", "dense_4h_to_h", i, h, f, true);
    }
    b.norm("gpt_neox.final_layer_norm", "norms", -1, h, true);
    if (!m.tied_embeddings) {
        b.lm_head(m.vocab, h);
        m.tensors.back().name = "embed_out.weight";
        m.tensors.back().module = "embed_out";
    }
    return m;
}

ModelSpec build_gptj(const ConfigReader& r) {
    ModelSpec m;
    basics(r, m, "gptj", false);
    m.intermediate = inner_or_4h(r, {"n_inner"}, m.hidden);
    ModelBuilder b(m);
    const std::int64_t h = m.hidden, f = m.intermediate;
    b.embedding("transformer.wte", "embedding", m.vocab, h);
    for (std::int32_t i = 0; i < m.layers; ++i) {
        b.norm("ln_1", "norms", i, h, true);  // parallel attention + MLP share one LayerNorm
        b.linear("attn.q_proj", "q_proj", "attention", i, h, h, false);
        b.linear("attn.k_proj", "k_proj", "attention", i, h, h, false);
        b.linear("attn.v_proj", "v_proj", "attention", i, h, h, false);
        b.linear("attn.out_proj", "out_proj", "attention", i, h, h, false);
        plain_mlp(b, "mlp.fc_in", "fc_in", "mlp.fc_out", "fc_out", i, h, f, true);
    }
    b.norm("transformer.ln_f", "norms", -1, h, true);
    b.lm_head(m.vocab, h, true);  // GPT-J's lm_head carries a bias
    m.notes.push_back("lm_head has a bias; causal-mask buffers (28 x 2048^2 bool) are not parameters");
    return m;
}

ModelSpec build_bloom(const ConfigReader& r) {
    ModelSpec m;
    basics(r, m, "bloom", true);
    m.intermediate = 4 * m.hidden;
    ModelBuilder b(m);
    const std::int64_t h = m.hidden, f = m.intermediate;
    b.embedding("transformer.word_embeddings", "embedding", m.vocab, h);
    b.norm("transformer.word_embeddings_layernorm", "norms", -1, h, true);
    for (std::int32_t i = 0; i < m.layers; ++i) {
        b.norm("input_layernorm", "norms", i, h, true);
        b.linear("self_attention.query_key_value", "query_key_value", "attention", i, 3 * h, h, true);
        b.linear("self_attention.dense", "dense", "attention", i, h, h, true);
        b.norm("post_attention_layernorm", "norms", i, h, true);
        plain_mlp(b, "mlp.dense_h_to_4h", "dense_h_to_4h", "mlp.dense_4h_to_h", "dense_4h_to_h", i, h, f, true);
    }
    b.norm("transformer.ln_f", "norms", -1, h, true);
    if (!m.tied_embeddings) b.lm_head(m.vocab, h);
    m.notes.push_back("ALiBi positions: no position parameters");
    return m;
}

ModelSpec build_opt(const ConfigReader& r) {
    ModelSpec m;
    basics(r, m, "opt", true);
    m.intermediate = r.require_int({"ffn_dim"});
    const std::int64_t h = m.hidden, f = m.intermediate;
    const std::int64_t proj = r.get_int({"word_embed_proj_dim"}, h);
    const bool bias = r.get_bool({"enable_bias"}, true);
    const bool affine = r.get_bool({"layer_norm_elementwise_affine"}, true);
    ModelBuilder b(m);
    b.embedding("model.decoder.embed_tokens", "embedding", m.vocab, proj);
    // OPTLearnedPositionalEmbedding keeps 2 extra rows (offset 2).
    b.other("model.decoder.embed_positions.weight", "position_embedding", -1, m.max_positions + 2, h);
    if (proj != h) {
        b.linear("model.decoder.project_out", "project_out", "embedding", -1, proj, h, false);
        b.linear("model.decoder.project_in", "project_in", "embedding", -1, h, proj, false);
    }
    const auto ln = [&](const std::string& name, std::int32_t i) {
        if (affine) b.norm(name, "norms", i, h, true);
    };
    for (std::int32_t i = 0; i < m.layers; ++i) {
        b.linear("self_attn.q_proj", "q_proj", "attention", i, h, h, bias);
        b.linear("self_attn.k_proj", "k_proj", "attention", i, h, h, bias);
        b.linear("self_attn.v_proj", "v_proj", "attention", i, h, h, bias);
        b.linear("self_attn.out_proj", "out_proj", "attention", i, h, h, bias);
        ln("self_attn_layer_norm", i);
        plain_mlp(b, "fc1", "fc1", "fc2", "fc2", i, h, f, bias);
        ln("final_layer_norm", i);
    }
    if (r.get_bool({"do_layer_norm_before"}, true) && !r.get_bool({"_remove_final_layer_norm"}, false))
        ln("model.decoder.final_layer_norm", -1);
    if (!m.tied_embeddings) b.lm_head(m.vocab, proj);
    return m;
}

ModelSpec build_falcon(const ConfigReader& r) {
    ModelSpec m;
    basics(r, m, "falcon", true);
    const bool new_arch = r.get_bool({"new_decoder_architecture"}, false);
    const bool parallel = r.get_bool({"parallel_attn"}, true);
    const bool bias = r.get_bool({"bias"}, false);
    if (new_arch)
        m.kv_heads = r.require_int({"num_kv_heads", "n_head_kv"});
    else if (r.get_bool({"multi_query"}, true))
        m.kv_heads = 1;
    m.intermediate = r.get_int({"ffn_hidden_size"}, 4 * m.hidden);
    ModelBuilder b(m);
    const std::int64_t h = m.hidden, f = m.intermediate, d = m.head_dim;
    // FalconAttention.query_key_value: (n_head + 2 · n_kv) · head_dim outputs.
    const std::int64_t qkv = (m.heads + 2 * m.kv_heads) * d;
    // Falcon-40B style: separate ln_attn and ln_mlp unless num_ln_in_parallel_attn == 1 (Falcon2-11B).
    const std::int64_t new_arch_norms = r.get_int({"num_ln_in_parallel_attn"}, 2);
    b.embedding("transformer.word_embeddings", "embedding", m.vocab, h);
    for (std::int32_t i = 0; i < m.layers; ++i) {
        if (new_arch && new_arch_norms == 2) {
            b.norm("ln_attn", "norms", i, h, true);
            b.norm("ln_mlp", "norms", i, h, true);
        } else {
            b.norm("input_layernorm", "norms", i, h, true);
            if (!parallel) b.norm("post_attention_layernorm", "norms", i, h, true);
        }
        b.linear("self_attention.query_key_value", "query_key_value", "attention", i, qkv, h, bias);
        b.linear("self_attention.dense", "dense", "attention", i, h, m.heads * d, bias);
        plain_mlp(b, "mlp.dense_h_to_4h", "dense_h_to_4h", "mlp.dense_4h_to_h", "dense_4h_to_h", i, h, f, bias);
    }
    b.norm("transformer.ln_f", "norms", -1, h, true);
    if (!m.tied_embeddings) b.lm_head(m.vocab, h);
    return m;
}

ModelSpec build_bert(const ConfigReader& r) {
    ModelSpec m;
    basics(r, m, "bert", false);
    m.intermediate = r.require_int({"intermediate_size"});
    // Bidirectional full attention; encoder_only tells the serving terms that nothing is cached.
    m.encoder_only = true;
    const std::int64_t h = m.hidden, f = m.intermediate;
    const std::int64_t types = r.get_int({"type_vocab_size"}, 2);
    ModelBuilder b(m);
    b.embedding("embeddings.word_embeddings", "embedding", m.vocab, h);
    b.other("embeddings.position_embeddings.weight", "position_embedding", -1, m.max_positions, h);
    b.other("embeddings.token_type_embeddings.weight", "position_embedding", -1, types, h);
    b.norm("embeddings.LayerNorm", "norms", -1, h, true);
    for (std::int32_t i = 0; i < m.layers; ++i) {
        b.linear("attention.self.query", "query", "attention", i, h, h, true);
        b.linear("attention.self.key", "key", "attention", i, h, h, true);
        b.linear("attention.self.value", "value", "attention", i, h, h, true);
        b.linear("attention.output.dense", "dense", "attention", i, h, h, true);
        b.norm("attention.output.LayerNorm", "norms", i, h, true);
        plain_mlp(b, "intermediate.dense", "dense", "output.dense", "dense", i, h, f, true);
        b.norm("output.LayerNorm", "norms", i, h, true);
    }
    // The architectures list says which head class the checkpoint was saved with.
    bool classifier = false;
    if (const ConfigNode* a = r.config().find("architectures"); a && a->is_list())
        for (const auto& v : a->items())
            if (v.is_string() && v.as_string().find("ForSequenceClassification") != std::string::npos) classifier = true;
    // BertModel/RobertaModel keep the pooler (dense h x h + tanh); RoBERTa's classification
    // head replaces it with its own dense layer.
    const bool roberta = m.model_type == "roberta" || m.model_type == "xlm-roberta";
    if (!(roberta && classifier)) b.linear("pooler.dense", "dense", "pooler", -1, h, h, true);
    if (classifier) {
        // num_labels: id2label's size when present (PretrainedConfig), else num_labels, else 2.
        std::int64_t labels = r.get_int({"num_labels"}, 2);
        if (const ConfigNode* id2 = r.config().find("id2label"); id2 && id2->is_map())
            labels = static_cast<std::int64_t>(id2->entries().size());
        if (roberta) b.linear("classifier.dense", "dense", "classifier", -1, h, h, true);
        b.linear(roberta ? "classifier.out_proj" : "classifier", roberta ? "out_proj" : "classifier", "classifier", -1,
                 labels, h, true);
        m.notes.push_back("sequence-classification head with " + std::to_string(labels) + " labels");
    }
    m.tied_embeddings = true;  // no LM head: nothing untied to count
    m.notes.push_back("encoder-only: bidirectional attention, no KV cache when served");
    return m;
}

}  // namespace vram::plugins
