// moe.cpp - mixtral's builder, kept only as a possible text model of the multimodal adapters
// (mixtral, qwen2_moe / qwen3_moe, gpt_oss and deepseek_v2 / v3 with MLA and MTP are family files
// now: presets/families, issue 17).
// SPDX-License-Identifier: Apache-2.0
#include "decoder_common.hpp"
#include "families.hpp"
#include "vram/error.hpp"

#include <algorithm>

namespace vram::plugins {
namespace {

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


}  // namespace vram::plugins

