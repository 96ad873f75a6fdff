// classic.cpp - BERT-style encoders (bert, roberta). The GPT-style decoders that lived here
// (gpt2, gpt_bigcode, gpt_neox, gptj, bloom, opt, falcon) are family files now
// (presets/families/*.yaml, issue 17). BERT stays C++ until its golden numbers are compared
// against a family file (xlm-roberta already moved).
// Shapes follow the HF modeling files; position_ids buffers are not parameters.
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

void plain_mlp(ModelBuilder& b, const std::string& up, const std::string& up_module, const std::string& down,
               const std::string& down_module, std::int32_t i, std::int64_t h, std::int64_t f, bool bias) {
    b.linear(up, up_module, "mlp", i, f, h, bias);
    b.linear(down, down_module, "mlp", i, h, f, bias);
}

}  // namespace

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
