// multimodal.cpp - vision-language and speech models: llava / llava_next (CLIP tower + MLP
// projector), qwen2_vl / qwen2_5_vl (native-resolution ViT + patch merger), gemma3 (SigLIP +
// projection), mistral3 (Pixtral + patch merger), whisper (audio encoder + cross-attending
// decoder). Tower tensors go to group "vision_tower" / "audio_encoder", projectors to
// "projector", so counts are reported apart.
// SPDX-License-Identifier: Apache-2.0
#include "decoder_common.hpp"
#include "families.hpp"
#include "vram/error.hpp"

namespace vram::plugins {
namespace {

// A ViT encoder in the CLIP / SigLIP layout (pre-LN layers, biases everywhere, GELU MLP).
struct VitShape {
    std::string prefix;
    std::int64_t hidden = 0, layers = 0, intermediate = 0, image = 0, patch = 0, channels = 3;
    bool cls = false;         // CLIP class token (+1 position)
    bool pre_norm = false;    // CLIP pre_layrnorm
    bool patch_bias = false;  // SigLIP patch conv has a bias, CLIP's does not
    bool head = false;        // SigLIP attention-pooling head
};

void add_vit_layer(ModelBuilder& b, const std::string& p, std::int64_t h, std::int64_t f, const std::string& g) {
    b.linear(p + "self_attn.q_proj", "q_proj", g, -1, h, h, true);
    b.linear(p + "self_attn.k_proj", "k_proj", g, -1, h, h, true);
    b.linear(p + "self_attn.v_proj", "v_proj", g, -1, h, h, true);
    b.linear(p + "self_attn.out_proj", "out_proj", g, -1, h, h, true);
    b.norm(p + "layer_norm1", g, -1, h, true);
    b.linear(p + "mlp.fc1", "fc1", g, -1, f, h, true);
    b.linear(p + "mlp.fc2", "fc2", g, -1, h, f, true);
    b.norm(p + "layer_norm2", g, -1, h, true);
}

void add_vit(ModelBuilder& b, const VitShape& v) {
    const std::string g = "vision_tower";
    const std::int64_t h = v.hidden, side = v.image / v.patch;
    b.other(v.prefix + "embeddings.patch_embedding.weight", g, -1, h, v.channels * v.patch * v.patch);
    if (v.patch_bias) b.vector(v.prefix + "embeddings.patch_embedding.bias", g, -1, h);
    if (v.cls) b.vector(v.prefix + "embeddings.class_embedding", g, -1, h);
    b.other(v.prefix + "embeddings.position_embedding.weight", g, -1, side * side + (v.cls ? 1 : 0), h);
    if (v.pre_norm) b.norm(v.prefix + "pre_layrnorm", g, -1, h, true);
    for (std::int64_t i = 0; i < v.layers; ++i)
        add_vit_layer(b, v.prefix + "encoder.layers." + std::to_string(i) + ".", h, v.intermediate, g);
    b.norm(v.prefix + "post_layernorm", g, -1, h, true);
    if (v.head) {
        // SiglipMultiheadAttentionPoolingHead: probe, nn.MultiheadAttention, LayerNorm, MLP.
        b.vector(v.prefix + "head.probe", g, -1, h);
        b.linear(v.prefix + "head.attention.in_proj", "in_proj", g, -1, 3 * h, h, true);
        b.linear(v.prefix + "head.attention.out_proj", "out_proj", g, -1, h, h, true);
        b.norm(v.prefix + "head.layernorm", g, -1, h, true);
        b.linear(v.prefix + "head.mlp.fc1", "fc1", g, -1, v.intermediate, h, true);
        b.linear(v.prefix + "head.mlp.fc2", "fc2", g, -1, h, v.intermediate, true);
    }
}

// Reads a ViT tower's shape from a vision_config (CLIPVisionConfig / SiglipVisionConfig keys).
VitShape read_vit(const ConfigReader& v, const std::string& prefix) {
    VitShape s;
    s.prefix = prefix;
    s.hidden = v.require_int({"hidden_size"});
    s.layers = v.require_int({"num_hidden_layers"});
    s.intermediate = v.require_int({"intermediate_size"});
    s.image = v.require_int({"image_size"});
    s.patch = v.require_int({"patch_size"});
    s.channels = v.get_int({"num_channels"}, 3);
    // The patch convolution (stride = kernel) keeps image // patch patches per side: SigLIP
    // so400m-patch14-384 has 27 (384 = 27 · 14 + 6).
    if (s.patch <= 0 || s.patch > s.image)
        throw ScenarioError(v.where(), "vision_config.patch_size: " + std::to_string(s.patch) +
                                           " must be between 1 and image_size " + std::to_string(s.image));
    return s;
}

TowerSpec vision_tower(const ConfigReader& v, const std::string& type, const VitShape& s) {
    TowerSpec t;
    t.kind = "vision";
    t.model_type = v.get_string({"model_type"}, type);
    t.hidden = s.hidden;
    t.layers = s.layers;
    t.heads = v.get_int({"num_attention_heads", "num_heads"}, 0);
    t.intermediate = s.intermediate;
    t.image_size = s.image;
    t.patch_size = s.patch;
    return t;
}

// The text config of a multimodal model as its HF config class fills it.
ConfigNode text_part(const ConfigNode* text, const std::string& fallback_type) {
    ConfigNode t = text ? *text : ConfigNode::make_map();
    if (!t.find("model_type")) t.set("model_type", ConfigNode::make_string(fallback_type));
    const ConfigNode* mt = t.find("model_type");
    const std::string type = mt->is_string() ? mt->as_string() : fallback_type;
    // LlamaConfig / MistralConfig class defaults (LLaVA's text_config only lists what differs).
    if (type == "llama")
        return with_defaults(t, {{"vocab_size", 32000}, {"hidden_size", 4096}, {"intermediate_size", 11008},
                                 {"num_hidden_layers", 32}, {"num_attention_heads", 32},
                                 {"max_position_embeddings", 2048}, {"tie_word_embeddings", 0}});
    if (type == "mistral")
        return with_defaults(t, {{"vocab_size", 32000}, {"hidden_size", 4096}, {"intermediate_size", 14336},
                                 {"num_hidden_layers", 32}, {"num_attention_heads", 32}, {"num_key_value_heads", 8},
                                 {"max_position_embeddings", 131072}, {"tie_word_embeddings", 0}});
    return t;
}

}  // namespace

ModelSpec build_text_model(const ConfigNode& text, const std::string& where, const std::string& fallback_type) {
    const ConfigNode* mt = text.find("model_type");
    const std::string type = mt && mt->is_string() ? mt->as_string() : fallback_type;
    for (const auto& f : families())
        for (const auto& t : f.types)
            if (t == type) return f.fn(ConfigReader(text, where + ": text_config"));
    throw ScenarioError(where, "text_config.model_type: '" + type + "' is not a supported language model here");
}

ModelSpec build_llava(const ConfigReader& r) {
    const std::string type = r.get_string({"model_type"}, "llava");
    ConfigNode text = text_part(r.child("text_config"), "llama");
    // Older LLaVA configs keep vocab_size and tie_word_embeddings at the top level.
    if (const ConfigNode* v = r.config().find("vocab_size"); v && v->is_integer() && !r.child("text_config"))
        text.set("vocab_size", *v);
    else if (v && v->is_integer() && !r.child("text_config")->find("vocab_size"))
        text.set("vocab_size", *v);
    if (const ConfigNode* t = r.config().find("tie_word_embeddings"); t && t->is_bool() && !text.find("tie_word_embeddings"))
        text.set("tie_word_embeddings", *t);
    // Granite 3.x text models (Granite Vision) have the Llama layout: their multipliers are
    // scalars, not parameters (presets/families/granite.yaml).
    if (const ConfigNode* tt = text.find("model_type"); tt && tt->is_string() && tt->as_string() == "granite")
        text.set("model_type", ConfigNode::make_string("llama"));
    ModelSpec m = build_text_model(text, r.where(), "llama");
    m.model_type = type;
    // LlavaConfig's default tower is CLIP ViT-L/14-336 (clip_vision_model); Granite Vision takes
    // SigLIP (siglip_vision_model: patch conv with a bias, no class token or pre-LN, and the
    // attention-pooling head SiglipVisionTransformer builds unless vision_use_head is false).
    const ConfigNode* vc = r.child("vision_config");
    const ConfigNode* vt = vc ? vc->find("model_type") : nullptr;
    const bool siglip = vt && vt->is_string() && vt->as_string() == "siglip_vision_model";
    const ConfigNode vdefault =
        siglip ? with_defaults(*vc, {{"hidden_size", 768}, {"intermediate_size", 3072}, {"patch_size", 16},
                                     {"image_size", 224}, {"num_hidden_layers", 12}, {"num_attention_heads", 12}})
               : with_defaults(vc ? *vc : ConfigNode::make_map(),
                               {{"hidden_size", 1024}, {"intermediate_size", 4096}, {"patch_size", 14},
                                {"image_size", 336}, {"num_hidden_layers", 24}, {"num_attention_heads", 16}});
    const ConfigReader v(vdefault, r.where() + ": vision_config");
    VitShape s = read_vit(v, "vision_tower.vision_model.");
    if (siglip) {
        s.patch_bias = true;
        s.head = v.get_bool({"vision_use_head"}, true);
    } else {
        s.cls = s.pre_norm = true;  // CLIPVisionModel; LLaVA loads it whole, post_layernorm included
    }
    ModelBuilder b(m);
    add_vit(b, s);
    m.vision = vision_tower(v, siglip ? "siglip_vision_model" : "clip_vision_model", s);
    const bool bias = r.get_bool({"multimodal_projector_bias"}, true);
    // A list of vision_feature_layer concatenates those layers' outputs: linear_1 takes
    // vision_hidden · len(list) (LlavaNextMultiModalProjector).
    std::int64_t feature_layers = 1;
    if (const ConfigNode* f = r.config().find("vision_feature_layer"); f && f->is_list())
        feature_layers = std::max<std::int64_t>(1, static_cast<std::int64_t>(f->items().size()));
    // LlavaMultiModalProjector: linear_1 (vision -> text), GELU, linear_2 (text -> text).
    b.linear("multi_modal_projector.linear_1", "linear_1", "projector", -1, m.hidden, s.hidden * feature_layers, bias);
    b.linear("multi_modal_projector.linear_2", "linear_2", "projector", -1, m.hidden, m.hidden, bias);
    const std::int64_t side = s.image / s.patch;
    if (type == "llava_next") {
        b.vector("image_newline", "projector", -1, m.hidden);
        m.vision.tokens_per_image = 0;  // anyres tiling: a base view plus the tiles of a grid pinpoint
        // LlavaNextConfig's default pinpoints reach 2 x 2 tiles of image_size.
        std::int64_t tiles = 4;
        if (const ConfigNode* pins = r.config().find("image_grid_pinpoints"); pins && pins->is_list()) {
            tiles = 1;
            for (const ConfigNode& pin : pins->items())
                if (pin.is_list() && pin.items().size() == 2 && pin.items()[0].is_integer() && pin.items()[1].is_integer())
                    tiles = std::max(tiles, (pin.items()[0].as_integer() / s.image) * (pin.items()[1].as_integer() / s.image));
        }
        m.notes.push_back("LLaVA-NeXT anyres: tokens per image depend on the resolution (a base view of " +
                          std::to_string(side * side) + " plus up to " + std::to_string(tiles) + " tiles of " +
                          std::to_string(side * side) + " and a newline per row)");
    } else {
        // vision_feature_select_strategy "default" drops the CLS token: (336/14)^2 = 576.
        m.vision.tokens_per_image = side * side;
    }
    if (const ConfigNode* f = r.config().find("vision_feature_layer"); f && f->is_number())
        m.notes.push_back("vision tower counted in full (post_layernorm included) although features are taken from "
                          "layer " + f->text());
    if (feature_layers > 1)
        m.notes.push_back("the projector concatenates " + std::to_string(feature_layers) +
                          " vision layers' features; the tower is counted in full as the checkpoint stores it");
    return m;
}

ModelSpec build_gemma3_mm(const ConfigReader& r) {
    ConfigNode text = text_part(r.child("text_config"), "gemma3_text");
    ModelSpec m = build_text_model(text, r.where(), "gemma3_text");
    m.model_type = "gemma3";
    // Gemma3Config falls back to SiglipVisionConfig() when vision_config is absent.
    const ConfigNode vnode = with_defaults(r.child("vision_config") ? *r.child("vision_config") : ConfigNode::make_map(),
                                           {{"hidden_size", 768}, {"intermediate_size", 3072}, {"num_hidden_layers", 12},
                                            {"num_attention_heads", 12}, {"image_size", 224}, {"patch_size", 16}});
    const ConfigReader v(vnode, r.where() + ": vision_config");
    VitShape s = read_vit(v, "vision_tower.vision_model.");
    s.patch_bias = true;
    s.head = v.get_bool({"vision_use_head"}, true);  // SiglipVisionTransformer's default
    ModelBuilder b(m);
    add_vit(b, s);
    m.vision = vision_tower(v, "siglip_vision_model", s);
    m.vision.tokens_per_image = r.get_int({"mm_tokens_per_image"}, 256);
    // Gemma3MultiModalProjector: RMSNorm on the vision width, then one vision x text matrix
    // (applied after 4x4 average pooling of the 64 x 64 patch grid).
    b.norm("multi_modal_projector.mm_soft_emb_norm", "projector", -1, s.hidden, false);
    b.other("multi_modal_projector.mm_input_projection_weight", "projector", -1, s.hidden, m.hidden);
    m.tensors.back().linear = true;
    m.tensors.back().module = "mm_input_projection";
    return m;
}

ModelSpec build_mistral3(const ConfigReader& r) {
    ConfigNode text = text_part(r.child("text_config"), "mistral");
    ModelSpec m = build_text_model(text, r.where(), "mistral");
    m.model_type = "mistral3";
    // PixtralVisionConfig defaults (transformers configuration_pixtral.py).
    const ConfigNode vnode = with_defaults(r.child("vision_config") ? *r.child("vision_config") : ConfigNode::make_map(),
                                           {{"hidden_size", 1024}, {"intermediate_size", 4096}, {"num_hidden_layers", 24},
                                            {"num_attention_heads", 16}, {"image_size", 1024}, {"patch_size", 16}});
    const ConfigReader v(vnode, r.where() + ": vision_config");
    const std::int64_t h = v.require_int({"hidden_size"}), f = v.require_int({"intermediate_size"});
    const std::int64_t layers = v.require_int({"num_hidden_layers"}), p = v.require_int({"patch_size"});
    const std::int64_t image = v.require_int({"image_size"}), ch = v.get_int({"num_channels"}, 3);
    const std::int64_t merge = r.get_int({"spatial_merge_size"}, 2);
    const std::string g = "vision_tower";
    ModelBuilder b(m);
    // PixtralVisionModel (modeling_pixtral.py): patch_conv without bias, ln_pre RMSNorm, pre-norm
    // layers of bias-free attention and a SiLU-gated MLP; 2-D RoPE positions hold no weights.
    b.other("vision_tower.patch_conv.weight", g, -1, h, ch * p * p);
    b.norm("vision_tower.ln_pre", g, -1, h, false);
    for (std::int64_t i = 0; i < layers; ++i) {
        const std::string pre = "vision_tower.transformer.layers." + std::to_string(i) + ".";
        b.norm(pre + "attention_norm", g, -1, h, false);
        for (const char* proj : {"q_proj", "k_proj", "v_proj", "o_proj"})
            b.linear(pre + "attention." + proj, proj, g, -1, h, h, false);
        b.norm(pre + "ffn_norm", g, -1, h, false);
        add_gated_mlp(b, pre + "feed_forward", g, -1, h, f, false);
    }
    // Mistral3MultiModalProjector (modeling_mistral3.py): RMSNorm on the vision width, the patch
    // merger (merge^2 neighbouring patches -> one vision-width vector), then linear_1, GELU, linear_2.
    const bool bias = r.get_bool({"multimodal_projector_bias"}, false);
    b.norm("multi_modal_projector.norm", "projector", -1, h, false);
    b.linear("multi_modal_projector.patch_merger.merging_layer", "merging_layer", "projector", -1, h, h * merge * merge,
             false);
    b.linear("multi_modal_projector.linear_1", "linear_1", "projector", -1, m.hidden, h, bias);
    b.linear("multi_modal_projector.linear_2", "linear_2", "projector", -1, m.hidden, m.hidden, bias);
    m.vision.kind = "vision";
    m.vision.model_type = v.get_string({"model_type"}, "pixtral");
    m.vision.hidden = h;
    m.vision.layers = layers;
    m.vision.heads = v.get_int({"num_attention_heads"}, 16);
    m.vision.intermediate = f;
    m.vision.image_size = image;
    m.vision.patch_size = p;
    m.vision.spatial_merge_size = merge;
    // Tokens depend on the resolution (tokens_per_image 0); the largest image (longest edge =
    // image_size) gives ceil(image / (patch · merge))^2 image embeddings (vLLM mistral3.py
    // get_patch_grid_size), one [IMG_BREAK] per row besides.
    m.vision.tokens_per_image = 0;
    const std::int64_t side = (image + p * merge - 1) / (p * merge);
    m.notes.push_back("Pixtral: tokens per image depend on the resolution, up to " + std::to_string(side) + " x " +
                      std::to_string(side) + " = " + std::to_string(side * side) + " image embeddings (" +
                      std::to_string(image) + " px longest edge) plus one break token per row");
    return m;
}

ModelSpec build_qwen2_vl(const ConfigReader& r) {
    const std::string type = r.get_string({"model_type"}, "qwen2_vl");
    const bool v25 = type == "qwen2_5_vl";
    // Text keys sit at the top level (transformers < 4.50 layout) or in text_config.
    ConfigNode text = r.child("text_config") ? *r.child("text_config") : r.config();
    text.erase("vision_config");
    text.set("model_type", ConfigNode::make_string("qwen2_vl"));
    if (!text.find("tie_word_embeddings"))
        if (const ConfigNode* t = r.config().find("tie_word_embeddings")) text.set("tie_word_embeddings", *t);
    ModelSpec m = build_llama(ConfigReader(text, r.where()));
    m.model_type = type;
    const ConfigNode* vc = r.child("vision_config");
    const ConfigNode vnode = with_defaults(vc ? *vc : ConfigNode::make_map(),
                                           {{"depth", 32}, {"num_heads", 16}, {"patch_size", 14},
                                            {"spatial_merge_size", 2}, {"temporal_patch_size", 2}, {"mlp_ratio", 4}});
    const ConfigReader v(vnode, r.where() + ": vision_config");
    // Qwen2-VL names the ViT width embed_dim (hidden_size is the LLM width it projects to);
    // Qwen2.5-VL names it hidden_size and the LLM width out_hidden_size.
    const std::int64_t ed = v25 ? v.get_int({"hidden_size"}, 1280) : v.get_int({"embed_dim"}, 1280);
    const std::int64_t out = v25 ? v.get_int({"out_hidden_size"}, m.hidden) : v.get_int({"hidden_size"}, m.hidden);
    const std::int64_t depth = v.require_int({"depth"}), p = v.require_int({"patch_size"});
    const std::int64_t tp = v.require_int({"temporal_patch_size"}), merge = v.require_int({"spatial_merge_size"});
    const std::int64_t ch = v.get_int({"in_chans", "in_channels"}, 3);
    const std::int64_t f = v25 ? v.get_int({"intermediate_size"}, 3420) : v.require_int({"mlp_ratio"}) * ed;
    const std::string g = "vision_tower";
    ModelBuilder b(m);
    b.other("visual.patch_embed.proj.weight", g, -1, ed, ch * tp * p * p);  // Conv3d, no bias
    for (std::int64_t i = 0; i < depth; ++i) {
        const std::string pre = "visual.blocks." + std::to_string(i) + ".";
        b.norm(pre + "norm1", g, -1, ed, !v25);  // LayerNorm in Qwen2-VL, RMSNorm in Qwen2.5-VL
        b.norm(pre + "norm2", g, -1, ed, !v25);
        b.linear(pre + "attn.qkv", "qkv", g, -1, 3 * ed, ed, true);
        b.linear(pre + "attn.proj", "proj", g, -1, ed, ed, true);
        if (v25) {
            add_gated_mlp(b, pre + "mlp", g, -1, ed, f, true);
        } else {
            b.linear(pre + "mlp.fc1", "fc1", g, -1, f, ed, true);
            b.linear(pre + "mlp.fc2", "fc2", g, -1, ed, f, true);
        }
    }
    // PatchMerger: norm over each patch, then MLP over merge^2 concatenated patches.
    const std::int64_t cat = ed * merge * merge;
    b.norm("visual.merger.ln_q", "projector", -1, ed, !v25);
    b.linear("visual.merger.mlp.0", "mlp.0", "projector", -1, cat, cat, true);
    b.linear("visual.merger.mlp.2", "mlp.2", "projector", -1, out, cat, true);
    m.vision.kind = "vision";
    m.vision.model_type = type;
    m.vision.hidden = ed;
    m.vision.layers = depth;
    m.vision.heads = v.require_int({"num_heads"});
    m.vision.intermediate = f;
    m.vision.patch_size = p;
    m.vision.temporal_patch_size = tp;
    m.vision.spatial_merge_size = merge;
    m.vision.tokens_per_image = 0;  // native resolution: (H/14 · W/14) / merge^2 tokens
    m.notes.push_back("dynamic resolution: tokens per image = patches / " + std::to_string(merge * merge) +
                      "; video frames are grouped " + std::to_string(tp) + " per temporal patch");
    return m;
}

ModelSpec build_whisper(const ConfigReader& r) {
    ModelSpec m;
    m.model_type = "whisper";
    m.hidden = r.require_int({"d_model"});
    m.layers = r.require_int({"decoder_layers"});
    m.heads = m.kv_heads = r.require_int({"decoder_attention_heads"});
    m.head_dim = m.hidden / m.heads;
    m.intermediate = r.require_int({"decoder_ffn_dim"});
    m.vocab = r.require_int({"vocab_size"});
    m.gated_mlp = false;
    m.tied_embeddings = r.get_bool({"tie_word_embeddings"}, true);  // proj_out shares embed_tokens
    m.torch_dtype = r.get_string({"torch_dtype", "dtype"}, "");
    m.max_target_positions = r.get_int({"max_target_positions"}, 448);
    m.max_positions = m.max_target_positions;
    m.encoder_tokens = r.get_int({"max_source_positions"}, 1500);
    m.layer_specs.assign(static_cast<std::size_t>(m.layers), LayerSpec{});
    for (auto& l : m.layer_specs) l.cross_attention = true;
    const std::int64_t enc_layers = r.require_int({"encoder_layers"}), enc_f = r.require_int({"encoder_ffn_dim"});
    const std::int64_t mels = r.get_int({"num_mel_bins"}, 80), d = m.hidden;
    m.audio.kind = "audio";
    m.audio.model_type = "whisper";
    m.audio.hidden = d;
    m.audio.layers = enc_layers;
    m.audio.heads = r.require_int({"encoder_attention_heads"});
    m.audio.intermediate = enc_f;
    m.audio.num_mel_bins = mels;
    m.audio.max_source_positions = m.encoder_tokens;
    ModelBuilder b(m);
    // WhisperAttention: k_proj has no bias; q, v and out_proj do.
    const auto attention = [&](const std::string& p, const std::string& g, std::int32_t i) {
        b.linear(p + ".q_proj", "q_proj", g, i, d, d, true);
        b.linear(p + ".k_proj", "k_proj", g, i, d, d, false);
        b.linear(p + ".v_proj", "v_proj", g, i, d, d, true);
        b.linear(p + ".out_proj", "out_proj", g, i, d, d, true);
    };
    const std::string ae = "audio_encoder";
    b.other("model.encoder.conv1.weight", ae, -1, d, mels * 3);
    b.vector("model.encoder.conv1.bias", ae, -1, d);
    b.other("model.encoder.conv2.weight", ae, -1, d, d * 3);
    b.vector("model.encoder.conv2.bias", ae, -1, d);
    // Sinusoidal table stored as an nn.Embedding parameter (frozen, but a parameter).
    b.other("model.encoder.embed_positions.weight", ae, -1, m.encoder_tokens, d);
    for (std::int64_t i = 0; i < enc_layers; ++i) {
        const std::string p = "model.encoder.layers." + std::to_string(i) + ".";
        attention(p + "self_attn", ae, -1);
        b.norm(p + "self_attn_layer_norm", ae, -1, d, true);
        b.linear(p + "fc1", "fc1", ae, -1, enc_f, d, true);
        b.linear(p + "fc2", "fc2", ae, -1, d, enc_f, true);
        b.norm(p + "final_layer_norm", ae, -1, d, true);
    }
    b.norm("model.encoder.layer_norm", ae, -1, d, true);
    b.embedding("model.decoder.embed_tokens", "embedding", m.vocab, d);
    b.other("model.decoder.embed_positions.weight", "position_embedding", -1, m.max_target_positions, d);
    for (std::int32_t i = 0; i < m.layers; ++i) {
        attention("self_attn", "attention", i);
        b.norm("self_attn_layer_norm", "norms", i, d, true);
        attention("encoder_attn", "attention", i);
        b.norm("encoder_attn_layer_norm", "norms", i, d, true);
        b.linear("fc1", "fc1", "mlp", i, m.intermediate, d, true);
        b.linear("fc2", "fc2", "mlp", i, d, m.intermediate, true);
        b.norm("final_layer_norm", "norms", i, d, true);
    }
    b.norm("model.decoder.layer_norm", "norms", -1, d, true);
    if (!m.tied_embeddings) b.lm_head(m.vocab, d);
    m.notes.push_back("encoder-decoder: decoder cross-attends to " + std::to_string(m.encoder_tokens) +
                      " encoder frames per 30-s window (fixed cross-attention KV per sequence)");
    return m;
}

}  // namespace vram::plugins
