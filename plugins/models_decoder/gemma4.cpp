// gemma4.cpp - Gemma 4 (`gemma4`, `gemma4_text`; transformers models/gemma4/modeling_gemma4.py,
// configuration_gemma4.py): sliding and full-attention layers of different KV shapes (full layers
// use global_head_dim and num_global_key_value_heads; with attention_k_eq_v they have no v_proj
// and V is the normed K projection), the last num_kv_shared_layers layers reading an earlier
// layer's cache (no k_proj / v_proj / k_norm of their own), per-layer input embeddings (E2B/E4B),
// a MoE block of routed experts beside the dense MLP (26B-A4B), a ViT of its own (gemma4_vision)
// and, for the small models, a conformer audio tower (gemma4_audio).
// SPDX-License-Identifier: Apache-2.0
#include "decoder_common.hpp"
#include "families.hpp"
#include "vram/error.hpp"

namespace vram::plugins {
namespace {

TowerSpec tower(const char* kind, const std::string& type, std::int64_t hidden, std::int64_t layers, std::int64_t heads,
                std::int64_t intermediate) {
    TowerSpec t;
    t.kind = kind;
    t.model_type = type;
    t.hidden = hidden;
    t.layers = layers;
    t.heads = heads;
    t.intermediate = intermediate;
    return t;
}

// Gemma4VisionModel: a linear patch embedder, a 2-D learned position table [2, positions, Hv],
// pre/post-normed layers with q/k norms and a gated MLP; the pooler and the standardize buffers
// hold no parameters. Gemma4MultimodalEmbedder projects Hv to the text width (its pre-norm has
// no scale).
void add_vision(ModelBuilder& b, ModelSpec& m, const ConfigReader& v) {
    const std::string g = "vision_tower";
    const std::int64_t hv = v.require_int({"hidden_size"}), iv = v.require_int({"intermediate_size"});
    const std::int64_t layers = v.require_int({"num_hidden_layers"}), heads = v.require_int({"num_attention_heads"});
    const std::int64_t kv = v.get_int({"num_key_value_heads"}, heads), d = v.get_int({"head_dim"}, hv / heads);
    const std::int64_t patch = v.require_int({"patch_size"}), positions = v.require_int({"position_embedding_size"});
    b.linear("vision_tower.patch_embedder.input_proj", "input_proj", g, -1, hv, 3 * patch * patch, false);
    b.other("vision_tower.patch_embedder.position_embedding_table", g, -1, 2 * positions, hv);
    for (std::int64_t i = 0; i < layers; ++i) {
        const std::string p = "vision_tower.encoder.layers." + std::to_string(i) + ".";
        b.norm(p + "input_layernorm", g, -1, hv, false);
        b.linear(p + "self_attn.q_proj", "q_proj", g, -1, heads * d, hv, false);
        b.linear(p + "self_attn.k_proj", "k_proj", g, -1, kv * d, hv, false);
        b.linear(p + "self_attn.v_proj", "v_proj", g, -1, kv * d, hv, false);
        b.linear(p + "self_attn.o_proj", "o_proj", g, -1, hv, heads * d, false);
        b.norm(p + "self_attn.q_norm", g, -1, d, false);
        b.norm(p + "self_attn.k_norm", g, -1, d, false);
        b.norm(p + "post_attention_layernorm", g, -1, hv, false);
        b.norm(p + "pre_feedforward_layernorm", g, -1, hv, false);
        add_gated_mlp(b, p + "mlp", g, -1, hv, iv, false);
        b.norm(p + "post_feedforward_layernorm", g, -1, hv, false);
    }
    b.linear("embed_vision.embedding_projection", "embedding_projection", "projector", -1, m.hidden, hv, false);
    m.vision = tower("vision", v.get_string({"model_type"}, "gemma4_vision"), hv, layers, heads, iv);
    m.vision.patch_size = patch;
    m.vision.spatial_merge_size = v.get_int({"pooling_kernel_size"}, 1);
    // Soft tokens per image after pooling (default_output_length; the processor's
    // vision_soft_tokens_per_image).
    m.vision.tokens_per_image = v.get_int({"default_output_length"}, 280);
}

// Gemma4AudioModel: two 3 × 3 subsampling convolutions with LayerNorms (no bias), a linear input
// projection, conformer layers (two macaron feed-forwards, relative-position self-attention, a
// light depthwise convolution module) and a biased output projection; Gemma4MultimodalEmbedder
// maps output_proj_dims to the text width.
void add_audio(ModelBuilder& b, ModelSpec& m, const ConfigReader& a) {
    const std::string g = "audio_encoder";
    const std::int64_t h = a.require_int({"hidden_size"}), layers = a.require_int({"num_hidden_layers"});
    const std::int64_t heads = a.require_int({"num_attention_heads"}), kernel = a.get_int({"conv_kernel_size"}, 5);
    const std::int64_t out = a.require_int({"output_proj_dims"});
    std::int64_t c0 = 128, c1 = 32;
    if (const ConfigNode* ch = a.config().find("subsampling_conv_channels"); ch && ch->is_list() && ch->items().size() == 2)
        c0 = ch->items()[0].as_integer(), c1 = ch->items()[1].as_integer();
    b.other("audio_tower.subsample_conv_projection.layer0.conv.weight", g, -1, c0, 9);
    b.norm("audio_tower.subsample_conv_projection.layer0.norm", g, -1, c0, false);
    b.other("audio_tower.subsample_conv_projection.layer1.conv.weight", g, -1, c1, c0 * 9);
    b.norm("audio_tower.subsample_conv_projection.layer1.norm", g, -1, c1, false);
    // Two stride-2 convolutions quarter the mel bins: (128 / 4) · c1 inputs per frame.
    b.linear("audio_tower.subsample_conv_projection.input_proj_linear", "input_proj_linear", g, -1, h,
             a.get_int({"input_feat_size"}, 128) / 4 * c1, false);
    for (std::int64_t i = 0; i < layers; ++i) {
        const std::string p = "audio_tower.layers." + std::to_string(i) + ".";
        for (const char* ff : {"feed_forward1", "feed_forward2"}) {
            b.norm(p + ff + ".pre_layer_norm", g, -1, h, false);
            b.linear(p + ff + ".ffw_layer_1", "ffw_layer_1", g, -1, 4 * h, h, false);
            b.linear(p + ff + ".ffw_layer_2", "ffw_layer_2", g, -1, h, 4 * h, false);
            b.norm(p + ff + ".post_layer_norm", g, -1, h, false);
        }
        for (const char* proj : {"q_proj", "k_proj", "v_proj", "post", "relative_k_proj"})
            b.linear(p + "self_attn." + proj, proj, g, -1, h, h, false);
        b.vector(p + "self_attn.per_dim_scale", g, -1, h / heads);
        b.norm(p + "lconv1d.pre_layer_norm", g, -1, h, false);
        b.linear(p + "lconv1d.linear_start", "linear_start", g, -1, 2 * h, h, false);
        b.other(p + "lconv1d.depthwise_conv1d.weight", g, -1, h, kernel);
        b.norm(p + "lconv1d.conv_norm", g, -1, h, false);
        b.linear(p + "lconv1d.linear_end", "linear_end", g, -1, h, h, false);
        for (const char* n : {"norm_pre_attn", "norm_post_attn", "norm_out"}) b.norm(p + n, g, -1, h, false);
    }
    b.linear("audio_tower.output_proj", "output_proj", g, -1, out, h, true);
    b.linear("embed_audio.embedding_projection", "embedding_projection", "projector", -1, m.hidden, out, false);
    m.audio = tower("audio", a.get_string({"model_type"}, "gemma4_audio"), h, layers, heads, 4 * h);
}

}  // namespace

// The text model (Gemma4TextModel / Gemma4TextDecoderLayer).
ModelSpec build_gemma4_text(const ConfigReader& r) {
    ModelSpec m;
    m.model_type = r.get_string({"model_type"}, "gemma4_text");
    m.hidden = r.require_int({"hidden_size"});
    m.layers = r.require_int({"num_hidden_layers"});
    m.heads = r.require_int({"num_attention_heads"});
    m.kv_heads = r.require_int({"num_key_value_heads"});
    m.head_dim = r.require_int({"head_dim"});
    m.intermediate = r.require_int({"intermediate_size"});
    m.vocab = r.require_int({"vocab_size"});
    m.tied_embeddings = r.get_bool({"tie_word_embeddings"}, true);
    m.max_positions = r.get_int({"max_position_embeddings"}, 0);
    m.torch_dtype = r.get_string({"torch_dtype", "dtype"}, "");
    const std::int64_t global_d = r.get_int({"global_head_dim"}, m.head_dim);
    const std::int64_t global_kv = r.get_int({"num_global_key_value_heads"}, m.kv_heads);
    const bool k_eq_v = r.get_bool({"attention_k_eq_v"}, false);
    const std::int64_t shared = r.get_int({"num_kv_shared_layers"}, 0);
    const bool double_wide = r.get_bool({"use_double_wide_mlp"}, false);
    const std::int64_t ple = r.get_int({"hidden_size_per_layer_input"}, 0);
    const bool moe = r.get_bool({"enable_moe_block"}, false);
    if (shared < 0 || shared >= m.layers)
        throw ScenarioError(r.where(), "num_kv_shared_layers: " + std::to_string(shared) + " must be below num_hidden_layers " +
                                           std::to_string(m.layers));
    if (moe) {
        m.experts = r.require_int({"num_experts"});
        m.experts_per_token = r.require_int({"top_k_experts", "num_experts_per_tok"});
        m.moe_intermediate = r.require_int({"moe_intermediate_size"});
        // The dense MLP runs beside the routed experts on every layer and is added to their output.
        m.shared_experts = 1;
        m.shared_intermediate = m.intermediate;
    }
    read_layer_kinds(r, m);
    const std::int64_t first_shared = m.layers - shared;
    for (std::int64_t i = 0; i < m.layers; ++i) {
        LayerSpec& l = m.layer_specs[static_cast<std::size_t>(i)];
        l.moe = moe;
        l.kv_shared = i >= first_shared;
        if (l.attention == LayerAttention::full) l.kv_heads = global_kv, l.head_dim = global_d;
    }

    ModelBuilder b(m);
    const std::int64_t h = m.hidden;
    b.embedding("model.embed_tokens", "embedding", m.vocab, h);
    for (std::int32_t i = 0; i < static_cast<std::int32_t>(m.layers); ++i) {
        const LayerSpec& l = m.layer_specs[static_cast<std::size_t>(i)];
        const bool full = l.attention == LayerAttention::full;
        const std::int64_t d = full ? global_d : m.head_dim, kv = full ? global_kv : m.kv_heads;
        b.norm("input_layernorm", "norms", i, h, false);
        b.linear("self_attn.q_proj", "q_proj", "attention", i, m.heads * d, h, false);
        b.norm("self_attn.q_norm", "attention", i, d, false);
        if (!l.kv_shared) {
            b.linear("self_attn.k_proj", "k_proj", "attention", i, kv * d, h, false);
            b.norm("self_attn.k_norm", "attention", i, d, false);
            if (!(k_eq_v && full)) b.linear("self_attn.v_proj", "v_proj", "attention", i, kv * d, h, false);
        }
        b.linear("self_attn.o_proj", "o_proj", "attention", i, h, m.heads * d, false);
        b.norm("post_attention_layernorm", "norms", i, h, false);
        b.norm("pre_feedforward_layernorm", "norms", i, h, false);
        add_gated_mlp(b, "mlp", "mlp", i, h, double_wide && l.kv_shared ? 2 * m.intermediate : m.intermediate, false);
        b.norm("post_feedforward_layernorm", "norms", i, h, false);
        if (moe) {
            b.other("router.proj.weight", "router", i, m.experts, h);
            b.vector("router.scale", "router", i, h);
            b.vector("router.per_expert_scale", "router", i, m.experts);
            b.linear("experts.gate_up_proj", "gate_up_proj", "experts", i, 2 * m.moe_intermediate, h, false, m.experts,
                     m.experts_per_token);
            b.linear("experts.down_proj", "down_proj", "experts", i, h, m.moe_intermediate, false, m.experts,
                     m.experts_per_token);
            for (const char* n : {"post_feedforward_layernorm_1", "pre_feedforward_layernorm_2", "post_feedforward_layernorm_2"})
                b.norm(n, "norms", i, h, false);
        }
        if (ple > 0) {
            b.linear("per_layer_input_gate", "per_layer_input_gate", "per_layer_input", i, ple, h, false);
            b.linear("per_layer_projection", "per_layer_projection", "per_layer_input", i, h, ple, false);
            b.norm("post_per_layer_input_norm", "norms", i, h, false);
        }
    }
    if (ple > 0) {
        // Per-layer input embeddings: one [vocab_per_layer, L · P] table, projected from the
        // hidden state as well (per_layer_model_projection) and normed per layer.
        b.embedding("model.embed_tokens_per_layer", "embedding", r.get_int({"vocab_size_per_layer_input"}, m.vocab),
                    m.layers * ple);
        b.linear("model.per_layer_model_projection", "per_layer_model_projection", "per_layer_input", -1, m.layers * ple,
                 h, false);
        b.norm("model.per_layer_projection_norm", "norms", -1, ple, false);
    }
    b.norm("model.norm", "norms", -1, h, false);
    if (!m.tied_embeddings) b.lm_head(m.vocab, h);
    // Two rotary setups (engines precompute both): sliding layers rotate all head_dim dims,
    // full layers partial_rotary_factor of global_head_dim ("proportional" RoPE, 0.25). The
    // tables hold (head_dim + global_head_dim / 4) dims in all; rotary_dim carries their mean.
    m.rope_tables = 2;
    m.rotary_dim = (m.head_dim + global_d / 4) / 2;
    m.rope_positions = m.max_positions;
    m.notes.push_back("layers 0.." + std::to_string(m.layers - 1) + ": sliding layers " + std::to_string(m.kv_heads) +
                      " KV heads × " + std::to_string(m.head_dim) + ", full layers " + std::to_string(global_kv) + " × " +
                      std::to_string(global_d) + (k_eq_v ? " (attention_k_eq_v: no v_proj; V is the normed K)" : ""));
    if (shared > 0)
        m.notes.push_back("the last " + std::to_string(shared) + " layers read the cache of an earlier layer of their kind "
                          "(num_kv_shared_layers): no k_proj / v_proj / k_norm, no KV of their own (Google's checkpoints "
                          "still ship those unused tensors; transformers >= 5.5.2 skips them)");
    m.notes.push_back("embedding output scaled by sqrt(hidden_size); layer_scalar buffers are not parameters");
    return m;
}

ModelSpec build_gemma4(const ConfigReader& r) {
    const ConfigNode* text = r.child("text_config");
    if (!text) return build_gemma4_text(r);
    ModelSpec m = build_gemma4_text(ConfigReader(*text, r.where() + ": text_config"));
    m.model_type = r.get_string({"model_type"}, "gemma4");
    ModelBuilder b(m);
    if (const ConfigNode* v = r.child("vision_config"); v && !v->is_null())
        add_vision(b, m, ConfigReader(*v, r.where() + ": vision_config"));
    if (const ConfigNode* a = r.child("audio_config"); a && !a->is_null())
        add_audio(b, m, ConfigReader(*a, r.where() + ": audio_config"));
    return m;
}

}  // namespace vram::plugins
