// ssm.cpp - the hybrid jamba (Mamba + attention layers, MoE every other layer); mamba and mamba2
// are a family file now (presets/families/mamba.yaml, issue 17). Parameters follow HF
// JambaMambaMixer: in_proj, conv1d, x_proj, dt_proj, A_log, D, dt/B/C norms, out_proj.
// SPDX-License-Identifier: Apache-2.0
#include <cmath>

#include "decoder_common.hpp"
#include "families.hpp"
#include "vram/error.hpp"

namespace vram::plugins {
namespace {

// time_step_rank / mamba_dt_rank: an integer or "auto" = ceil(hidden / 16).
std::int64_t dt_rank(const ConfigReader& r, std::initializer_list<std::string_view> keys, std::int64_t hidden) {
    const ConfigNode* n = r.config().first_of(keys);
    if (!n || (n->is_string() && n->as_string() == "auto")) return (hidden + 15) / 16;
    return r.require_int(keys);
}

struct MambaShape {
    std::int64_t hidden = 0, inner = 0, state = 0, conv = 0, dt_rank = 0;
    bool proj_bias = false, conv_bias = true;
    bool inner_norms = false;  // Jamba: RMSNorms on dt, B and C
    std::string group = "ssm";
};

void add_mamba1_mixer(ModelBuilder& b, std::int32_t i, const MambaShape& s) {
    const std::string& g = s.group;
    b.linear("mixer.in_proj", "in_proj", g, i, 2 * s.inner, s.hidden, s.proj_bias);  // x and gate z
    b.other("mixer.conv1d.weight", g, i, s.inner, s.conv);  // depthwise: (inner, 1, d_conv)
    if (s.conv_bias) b.vector("mixer.conv1d.bias", g, i, s.inner);
    b.linear("mixer.x_proj", "x_proj", g, i, s.dt_rank + 2 * s.state, s.inner, false);  // dt, B, C
    b.linear("mixer.dt_proj", "dt_proj", g, i, s.inner, s.dt_rank, true);
    b.other("mixer.A_log", g, i, s.inner, s.state);
    b.vector("mixer.D", g, i, s.inner);
    if (s.inner_norms) {
        b.norm("mixer.dt_layernorm", g, i, s.dt_rank, false);
        b.norm("mixer.b_layernorm", g, i, s.state, false);
        b.norm("mixer.c_layernorm", g, i, s.state, false);
    }
    b.linear("mixer.out_proj", "out_proj", g, i, s.hidden, s.inner, s.proj_bias);
}

}  // namespace

ModelSpec build_jamba(const ConfigReader& r) {
    ModelSpec m;
    m.model_type = "jamba";
    read_decoder_basics(r, m, false);
    m.layer_specs.assign(static_cast<std::size_t>(m.layers), LayerSpec{});
    m.experts = r.get_int({"num_experts"}, 16);
    m.experts_per_token = r.get_int({"num_experts_per_tok"}, 2);
    m.moe_intermediate = m.intermediate;
    m.ssm_state = r.get_int({"mamba_d_state"}, 16);
    m.ssm_conv = r.get_int({"mamba_d_conv"}, 4);
    m.ssm_inner = r.get_int({"mamba_expand"}, 2) * m.hidden;
    const std::int64_t attn_period = r.get_int({"attn_layer_period"}, 8), attn_offset = r.get_int({"attn_layer_offset"}, 4);
    const std::int64_t moe_period = r.get_int({"expert_layer_period"}, 2), moe_offset = r.get_int({"expert_layer_offset"}, 1);
    MambaShape s;
    s.hidden = m.hidden, s.inner = m.ssm_inner, s.state = m.ssm_state, s.conv = m.ssm_conv;
    s.dt_rank = dt_rank(r, {"mamba_dt_rank"}, m.hidden);
    s.proj_bias = r.get_bool({"mamba_proj_bias"}, false);
    s.conv_bias = r.get_bool({"mamba_conv_bias"}, true);
    s.inner_norms = true;
    ModelBuilder b(m);
    const std::int64_t h = m.hidden, e = m.experts, k = m.experts_per_token;
    b.embedding("model.embed_tokens", "embedding", m.vocab, h);
    for (std::int32_t i = 0; i < m.layers; ++i) {
        auto& spec = m.layer_specs[static_cast<std::size_t>(i)];
        // JambaConfig.layers_block_type / layers_num_experts.
        const bool attention = attn_period > 0 && i % attn_period == attn_offset;
        spec.moe = e > 1 && moe_period > 0 && i % moe_period == moe_offset;
        spec.attention = attention ? LayerAttention::full : LayerAttention::ssm;
        b.norm("input_layernorm", "norms", i, h, false);
        if (attention)
            add_attention(b, m, i, DecoderLayerShape{});
        else
            add_mamba1_mixer(b, i, s);
        b.norm("pre_ff_layernorm", "norms", i, h, false);
        if (spec.moe) {
            b.linear("feed_forward.router", "router", "router", i, e, h, false);
            add_gated_mlp(b, "feed_forward.experts", "experts", i, h, m.moe_intermediate, false, e, k);
        } else {
            add_gated_mlp(b, "feed_forward", "mlp", i, h, m.intermediate, false);
        }
    }
    b.norm("model.final_layernorm", "norms", -1, h, false);
    if (!m.tied_embeddings) b.lm_head(m.vocab, h);
    m.notes.push_back("hybrid: " + std::to_string(count_layers(m, LayerAttention::full)) + " attention layers, " +
                      std::to_string(count_layers(m, LayerAttention::ssm)) + " Mamba layers");
    return m;
}

}  // namespace vram::plugins
