// moe.cpp - mixture-of-experts decoders: deepseek_v2, deepseek_v3 (MLA attention, shared experts,
// dense first layers, optional multi-token-prediction layer), and mixtral's builder, kept only as a
// possible text model of the multimodal adapters (mixtral, qwen2_moe / qwen3_moe and gpt_oss are
// family files now: presets/families, issue 17).
// SPDX-License-Identifier: Apache-2.0
#include "decoder_common.hpp"
#include "families.hpp"
#include "vram/error.hpp"

#include <algorithm>

namespace vram::plugins {
namespace {

// An optional integer key that may be JSON null (DeepSeek-V2-Lite's q_lora_rank): 0 then.
std::int64_t int_or_zero(const ConfigReader& r, std::string_view key) {
    const ConfigNode* n = r.config().find(key);
    if (!n || n->is_null()) return 0;
    if (!n->is_integer() || n->as_integer() < 0)
        throw ScenarioError(r.where(), std::string(key) + ": expected a non-negative integer or null");
    return n->as_integer();
}

void note_moe(ModelSpec& m) {
    m.notes.push_back("routed experts: " + std::to_string(m.experts) + " per MoE layer, " +
                      std::to_string(m.experts_per_token) + " active per token (active_parameters counts top-k)");
}

}  // namespace

ModelSpec build_mixtral(const ConfigReader& r) {
    ModelSpec m;
    m.model_type = "mixtral";
    read_decoder_basics(r, m, false);
    read_layer_kinds(r, m);
    m.experts = r.require_int({"num_local_experts"});
    m.experts_per_token = r.require_int({"num_experts_per_tok"});
    m.moe_intermediate = m.intermediate;
    for (auto& l : m.layer_specs) l.moe = true;
    ModelBuilder b(m);
    const std::int64_t h = m.hidden, f = m.intermediate, e = m.experts, k = m.experts_per_token;
    b.embedding("model.embed_tokens", "embedding", m.vocab, h);
    for (std::int32_t i = 0; i < m.layers; ++i) {
        b.norm("input_layernorm", "norms", i, h, false);
        add_attention(b, m, i, DecoderLayerShape{});
        b.norm("post_attention_layernorm", "norms", i, h, false);
        b.linear("block_sparse_moe.gate", "gate", "router", i, e, h, false);
        // Each expert is a SwiGLU MLP: w1 (gate), w3 (up), w2 (down) (MixtralBlockSparseTop2MLP).
        b.linear("block_sparse_moe.experts.w1", "w1", "experts", i, f, h, false, e, k);
        b.linear("block_sparse_moe.experts.w2", "w2", "experts", i, h, f, false, e, k);
        b.linear("block_sparse_moe.experts.w3", "w3", "experts", i, f, h, false, e, k);
    }
    b.norm("model.norm", "norms", -1, h, false);
    if (!m.tied_embeddings) b.lm_head(m.vocab, h);
    note_moe(m);
    return m;
}

namespace {

// DeepseekV2/V3Attention (HF): low-rank q (or a direct q_proj when q_lora_rank is null),
// a compressed KV latent plus a shared rope key, and the up-projection kv_b_proj.
void add_mla(ModelBuilder& b, const ModelSpec& m, std::int32_t i, bool bias, const std::string& group) {
    const std::int64_t h = m.hidden, qk = m.qk_nope_head_dim + m.qk_rope_head_dim;
    if (m.q_lora_rank == 0) {
        b.linear("self_attn.q_proj", "q_proj", group, i, m.heads * qk, h, false);
    } else {
        b.linear("self_attn.q_a_proj", "q_a_proj", group, i, m.q_lora_rank, h, bias);
        b.norm("self_attn.q_a_layernorm", group, i, m.q_lora_rank, false);
        b.linear("self_attn.q_b_proj", "q_b_proj", group, i, m.heads * qk, m.q_lora_rank, false);
    }
    b.linear("self_attn.kv_a_proj_with_mqa", "kv_a_proj_with_mqa", group, i, m.kv_lora_rank + m.qk_rope_head_dim,
             h, bias);
    b.norm("self_attn.kv_a_layernorm", group, i, m.kv_lora_rank, false);
    b.linear("self_attn.kv_b_proj", "kv_b_proj", group, i, m.heads * (m.qk_nope_head_dim + m.v_head_dim),
             m.kv_lora_rank, false);
    b.linear("self_attn.o_proj", "o_proj", group, i, h, m.heads * m.v_head_dim, bias);
}

struct DeepseekLayer {
    bool moe = false;
    bool score_bias = false;  // V3 router's e_score_correction_bias (noaux_tc routing)
    bool attn_bias = false;
};

void add_deepseek_layer(ModelBuilder& b, const ModelSpec& m, std::int32_t i, const DeepseekLayer& d,
                        const std::string& prefix_group) {
    const std::int64_t h = m.hidden;
    const auto g = [&](const char* group) { return prefix_group.empty() ? std::string(group) : prefix_group; };
    b.norm("input_layernorm", g("norms"), i, h, false);
    add_mla(b, m, i, d.attn_bias, g("attention"));
    b.norm("post_attention_layernorm", g("norms"), i, h, false);
    if (!d.moe) {
        add_gated_mlp(b, "mlp", g("mlp"), i, h, m.intermediate, false);
        return;
    }
    b.linear("mlp.gate", "gate", g("router"), i, m.experts, h, false);
    if (d.score_bias) b.vector("mlp.gate.e_score_correction_bias", g("router"), i, m.experts);
    add_gated_mlp(b, "mlp.experts", g("experts"), i, h, m.moe_intermediate, false, m.experts, m.experts_per_token);
    if (m.shared_experts > 0) add_gated_mlp(b, "mlp.shared_experts", g("shared_experts"), i, h, m.shared_intermediate, false);
}

}  // namespace

ModelSpec build_deepseek(const ConfigReader& r) {
    ModelSpec m;
    m.model_type = r.get_string({"model_type"}, "deepseek_v3");
    m.hidden = r.require_int({"hidden_size"});
    m.layers = r.require_int({"num_hidden_layers"});
    m.heads = r.require_int({"num_attention_heads"});
    m.kv_heads = r.get_int({"num_key_value_heads"}, m.heads);
    m.intermediate = r.require_int({"intermediate_size"});
    m.vocab = r.require_int({"vocab_size"});
    m.max_positions = r.get_int({"max_position_embeddings"}, 0);
    m.tied_embeddings = r.get_bool({"tie_word_embeddings"}, false);
    m.torch_dtype = r.get_string({"torch_dtype", "dtype"}, "");
    m.q_lora_rank = int_or_zero(r, "q_lora_rank");
    m.kv_lora_rank = r.require_int({"kv_lora_rank"});
    m.qk_nope_head_dim = r.require_int({"qk_nope_head_dim"});
    m.qk_rope_head_dim = r.require_int({"qk_rope_head_dim"});
    m.v_head_dim = r.require_int({"v_head_dim"});
    m.head_dim = m.qk_nope_head_dim + m.qk_rope_head_dim;
    m.experts = int_or_zero(r, "n_routed_experts");
    m.experts_per_token = m.experts > 0 ? r.require_int({"num_experts_per_tok"}) : 0;
    m.shared_experts = int_or_zero(r, "n_shared_experts");
    m.moe_intermediate = m.experts > 0 ? r.require_int({"moe_intermediate_size"}) : 0;
    // DeepseekV2MoE builds its shared experts as one MLP of moe_intermediate · n_shared width.
    m.shared_intermediate = m.moe_intermediate * m.shared_experts;
    m.mtp_layers = int_or_zero(r, "num_nextn_predict_layers");
    const std::int64_t first_dense = r.get_int({"first_k_dense_replace"}, 0);
    const std::int64_t freq = r.get_int({"moe_layer_freq"}, 1);
    DeepseekLayer d;
    d.attn_bias = r.get_bool({"attention_bias"}, false);
    d.score_bias = m.model_type == "deepseek_v3";
    all_layers(m, LayerAttention::mla);
    ModelBuilder b(m);
    const std::int64_t h = m.hidden;
    b.embedding("model.embed_tokens", "embedding", m.vocab, h);
    for (std::int32_t i = 0; i < m.layers; ++i) {
        d.moe = m.experts > 0 && i >= first_dense && freq > 0 && i % freq == 0;
        m.layer_specs[static_cast<std::size_t>(i)].moe = d.moe;
        add_deepseek_layer(b, m, i, d, "");
    }
    b.norm("model.norm", "norms", -1, h, false);
    if (!m.tied_embeddings) b.lm_head(m.vocab, h);
    // Multi-token prediction (DeepSeek-V3 §2.2): each module is one more decoder layer fed by
    // eh_proj([enorm(h); hnorm(emb)]) and a final shared_head.norm. Its embedding and output
    // head are the main model's (shared), so they are not counted again, although the
    // published safetensors store a copy of each.
    for (std::int64_t j = 0; j < m.mtp_layers; ++j) {
        const auto i = static_cast<std::int32_t>(m.layers + j);
        d.moe = m.experts > 0 && i >= first_dense && freq > 0 && i % freq == 0;
        b.norm("enorm", "mtp", i, h, false);
        b.norm("hnorm", "mtp", i, h, false);
        b.linear("eh_proj", "eh_proj", "mtp", i, h, 2 * h, false);
        add_deepseek_layer(b, m, i, d, "mtp");
        b.norm("shared_head.norm", "mtp", i, h, false);
    }
    if (m.mtp_layers > 0)
        m.notes.push_back("multi-token-prediction layer(s) counted in group 'mtp' (not loaded by HF transformers); "
                          "their embedding and head copies in the checkpoint are shared weights, counted once");
    if (m.experts > 0) note_moe(m);
    m.notes.push_back("MLA: KV cache holds one latent of kv_lora_rank + qk_rope_head_dim per token and layer");
    return m;
}

}  // namespace vram::plugins

namespace vram::plugins {

}  // namespace vram::plugins
