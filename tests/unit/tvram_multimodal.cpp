// tvram_multimodal.cpp - the "Done when" lines of issue 7 (modality tokenizers and encoder towers),
// with the arithmetic shown. Models are built by hand from the published configs so the tokenizer
// rules are tested independently of the model adapters.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "test_support.hpp"
#include "vram/component.hpp"
#include "vram/context.hpp"
#include "vram/error.hpp"
#include "vram/tokenizer.hpp"

using namespace vram;
using namespace vram::test;

namespace {

// CLIP ViT-L/14-336 (llava-hf/llava-1.5-7b-hf vision_config).
TowerSpec clip_l_336() {
    TowerSpec t;
    t.kind = "vision";
    t.model_type = "clip_vision_model";
    t.hidden = 1024;
    t.layers = 24;
    t.heads = 16;
    t.intermediate = 4096;
    t.image_size = 336;
    t.patch_size = 14;
    return t;
}

// Qwen2-VL-7B-Instruct vision_config: embed_dim 1280, depth 32, 16 heads, mlp_ratio 4,
// patch 14, spatial_merge 2, temporal_patch 2.
TowerSpec qwen2_vl_vit() {
    TowerSpec t;
    t.kind = "vision";
    t.model_type = "qwen2_vl";
    t.hidden = 1280;
    t.layers = 32;
    t.heads = 16;
    t.intermediate = 5120;
    t.patch_size = 14;
    t.spatial_merge_size = 2;
    t.temporal_patch_size = 2;
    return t;
}

// Whisper-large-v3 encoder (also Qwen2-Audio's audio_config): d_model 1280, 32 layers, 20 heads,
// ffn 5120, 128 mel bins, max_source_positions 1500.
TowerSpec whisper_large_encoder() {
    TowerSpec t;
    t.kind = "audio";
    t.model_type = "whisper";
    t.hidden = 1280;
    t.layers = 32;
    t.heads = 20;
    t.intermediate = 5120;
    t.num_mel_bins = 128;
    t.max_source_positions = 1500;
    return t;
}

ModelSpec with_vision(const std::string& type, const TowerSpec& tower) {
    ModelSpec m;
    m.name = type;
    m.model_type = type;
    m.vision = tower;
    return m;
}

ModelSpec with_audio(const std::string& type, const TowerSpec& tower) {
    ModelSpec m;
    m.name = type;
    m.model_type = type;
    m.audio = tower;
    return m;
}

InputSpec image(std::int64_t w, std::int64_t h, std::int64_t count = 1) {
    InputSpec in;
    in.modality = "image";
    in.width = w;
    in.height = h;
    in.count = count;
    return in;
}

InputSpec audio(double seconds) {
    InputSpec in;
    in.modality = "audio";
    in.seconds = seconds;
    return in;
}

InputSpec video(std::int64_t w, std::int64_t h, double seconds, double fps) {
    InputSpec in;
    in.modality = "video";
    in.width = w;
    in.height = h;
    in.seconds = seconds;
    in.fps = fps;
    return in;
}

// The tokenizer the host would choose: highest score for the modality.
const ModalityTokenizer& chosen(const ModelSpec& m, const std::string& modality) {
    const ModalityTokenizer* best = nullptr;
    int best_score = 0;
    for (const auto& e : core_registry().tokenizers.entries()) {
        if (e.item->modality() != modality) continue;
        const int sc = e.item->score(m);
        if (sc > best_score) best_score = sc, best = e.item.get();
    }
    BOOST_REQUIRE_MESSAGE(best, "no " << modality << " tokenizer for " << m.model_type);
    return *best;
}

TokenCount count(const ModelSpec& m, const InputSpec& in) { return chosen(m, in.modality).count(m, in); }

std::string param_error(const ModelSpec& m, const InputSpec& in) {
    try {
        count(m, in);
    } catch (const ParamError& e) {
        return e.what();
    }
    return "(no error)";
}

// A Context for the encoder components: batch b, tensor parallel 1, bf16, one pipeline stage.
Context context(const ModelSpec& m, const Scenario& s, double b, bool training, bool flash) {
    Context ctx(m, s);
    ctx.set(Sym::b, b);
    ctx.set(Sym::t, 1);
    ctx.set(Sym::p, 1);
    ctx.set(Sym::stage, 0);
    ctx.set(Sym::bytes_act, 2);
    ctx.set(Sym::training, training ? 1 : 0);
    ctx.set(Sym::flash, flash ? 1 : 0);
    return ctx;
}

const Component& component(const std::string& id) { return core_registry().components.get(id); }

// Estimates a scenario preset file through the same path as `vram run`.
Result preset_scenario(const std::string& name) {
    std::ifstream in(source_path("presets/scenarios/" + name + ".yaml"));
    std::stringstream text;
    text << in.rdbuf();
    BOOST_REQUIRE_MESSAGE(!text.str().empty(), "missing preset " << name);
    return estimate_yaml(text.str());
}

std::int64_t modality(const Result& r, const std::string& name) {
    for (const auto& [k, v] : r.estimate.modality_tokens)
        if (k == name) return v;
    return -1;
}

Tensor tensor(const std::string& name, const std::string& module, const std::string& group, std::int64_t rows,
              std::int64_t cols) {
    Tensor t;
    t.name = name;
    t.module = module;
    t.group = group;
    t.rows = rows;
    t.cols = cols;
    t.linear = cols > 1;
    return t;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(multimodal)

// LLaVA-1.5: CLIPImageProcessor resizes the short side to 336 and center-crops 336×336, so every
// image is (336/14)² = 24² = 576 patches; vision_feature_select_strategy "default" drops the
// CLS token (577 → 576). CLIP itself still runs on 577 positions.
BOOST_AUTO_TEST_CASE(issue7_llava15_576_tokens_per_image_whatever_its_size) {
    const ModelSpec m = with_vision("llava", clip_l_336());
    BOOST_TEST(chosen(m, "image").key() == "llava");
    for (auto [w, h] : {std::pair{1024, 768}, {336, 336}, {4000, 100}, {20, 20}}) {
        const TokenCount c = count(m, image(w, h));
        BOOST_TEST_INFO(w << "x" << h);
        BOOST_TEST(c.tokens == 576);
        BOOST_TEST(c.encoder_patches == 577);
    }
    // 3 images: 3 × 576 = 1,728 tokens, 3 × 577 = 1,731 CLIP positions.
    const TokenCount three = count(m, image(640, 480, 3));
    BOOST_TEST(three.tokens == 1728);
    BOOST_TEST(three.encoder_patches == 1731);
    // strategy "full" keeps CLS: 577.
    InputSpec full = image(640, 480);
    full.options = ConfigNode::make_map();
    full.options.set("vision_feature_select_strategy", ConfigNode::make_string("full"));
    BOOST_TEST(count(m, full).tokens == 577);
}

// Qwen2-VL-7B, 1024×768: factor 14·2 = 28; round(1024/28) = round(36.57) = 37 → 1036,
// round(768/28) = round(27.43) = 27 → 756; 1036·756 = 783,216 px within [3,136, 1,003,520] →
// 37 × 27 = 999 tokens; the ViT sees 74 × 54 = 3,996 patches (4 × 999).
BOOST_AUTO_TEST_CASE(issue7_qwen2vl_1024x768_image_is_999_tokens) {
    for (const char* type : {"qwen2_vl", "qwen2_5_vl"}) {
        const ModelSpec m = with_vision(type, qwen2_vl_vit());
        BOOST_TEST(chosen(m, "image").key() == "qwen2-vl");
        const TokenCount c = count(m, image(1024, 768));
        BOOST_TEST(c.tokens == 999);
        BOOST_TEST(c.encoder_patches == 3996);
        BOOST_TEST(c.arithmetic.find("1,036×756") != std::string::npos, c.arithmetic);
    }
    const ModelSpec m = with_vision("qwen2_vl", qwen2_vl_vit());
    // Above max_pixels: 4000×3000 = 12 Mpx; beta = sqrt(12e6 / 1,003,520) = 3.458;
    // floor(3000/3.458/28)·28 = 30·28 = 840, floor(4000/3.458/28)·28 = 41·28 = 1148 →
    // 41 × 30 = 1,230 tokens (≤ 1280).
    BOOST_TEST(count(m, image(4000, 3000)).tokens == 1230);
    // Below min_pixels: 20×20 → round(20/28 = 0.71) = 1 → 28×28 = 784 < 3,136;
    // beta = sqrt(3136/400) = 2.8; ceil(20·2.8/28)·28 = 2·28 = 56 → 2 × 2 = 4 tokens.
    BOOST_TEST(count(m, image(20, 20)).tokens == 4);
    // Banker's rounding as in Python: 70/28 = 2.5 → 2 (even), 98/28 = 3.5 → 4 → 56×112:
    // 6,272 px ≥ 3,136 → 2 × 4 = 8 tokens.
    BOOST_TEST(count(m, image(98, 70)).tokens == 8);
    // options.max_pixels (qwen-vl-utils / checkpoint preprocessor_config: 16384·28·28 = 12,845,056):
    // 4000×3000 then only rounds: round(142.86) = 143, round(107.14) = 107 → 15,301 tokens.
    InputSpec big = image(4000, 3000);
    big.options = ConfigNode::make_map();
    big.options.set("max_pixels", ConfigNode::make_number(12845056));
    BOOST_TEST(count(m, big).tokens == 15301);
}

// Qwen2-VL video, qwen-vl-utils defaults: 10 s at 2 fps = 20 frames (within [4, 768]); per-frame cap
// max(min(602,112, 90,316,800/20·2), 105,369) = 602,112; 448×448 = 200,704 px stays →
// 16×16 = 256 tokens per 2-frame group × 10 groups = 2,560 tokens; ViT: 10 × 32·32 = 10,240 patches.
// formulas.md §8: 60 s ⇒ 120 frames ⇒ 60 × 256 = 15,360.
BOOST_AUTO_TEST_CASE(issue7_qwen2vl_video_frames_temporal_patch_and_caps) {
    const ModelSpec m = with_vision("qwen2_5_vl", qwen2_vl_vit());
    BOOST_TEST(chosen(m, "video").key() == "qwen2-vl-video");
    const TokenCount ten = count(m, video(448, 448, 10, 2));
    BOOST_TEST(ten.tokens == 2560);
    BOOST_TEST(ten.encoder_patches == 10240);
    BOOST_TEST(count(m, video(448, 448, 60, 2)).tokens == 15360);
    // 1 s at 2 fps = 2 frames → raised to FPS_MIN_FRAMES 4 → 2 groups × 256 = 512.
    BOOST_TEST(count(m, video(448, 448, 1, 2)).tokens == 512);
    // 1280×720, 600 s at 2 fps = 1200 frames → capped at 768; per-frame cap
    // max(min(602,112, 90,316,800/768·2 = 235,200), 105,369) = 235,200 px;
    // 1280×720 → round to 1288×728 = 937,664 > cap → beta = sqrt(921,600/235,200) = 1.9795;
    // floor(720/1.9795/28)·28 = 12·28 = 336, floor(1280/1.9795/28)·28 = 23·28 = 644 →
    // 23 × 12 = 276 tokens per group × 384 groups = 105,984 tokens.
    BOOST_TEST(count(m, video(1280, 720, 600, 2)).tokens == 105984);
}

// Whisper large-v3: the feature extractor pads every clip to 30 s = 3000 mel frames (hop 10 ms);
// conv2 has stride 2 → 1500 encoder frames. They reach the decoder through cross-attention, so
// the decoder sequence gains no tokens: tokens = 0, encoder_patches = 1500.
BOOST_AUTO_TEST_CASE(issue7_whisper_large_v3_30s_is_1500_encoder_frames) {
    const ModelSpec m = with_audio("whisper", whisper_large_encoder());
    BOOST_TEST(chosen(m, "audio").key() == "whisper");
    const TokenCount c = count(m, audio(30));
    BOOST_TEST(c.encoder_patches == 1500);
    BOOST_TEST(c.tokens == 0);
    // 5 s is padded to the same 30-s window: still 1500.
    BOOST_TEST(count(m, audio(5)).encoder_patches == 1500);
    // 45 s: ceil(45/30) = 2 windows (long-form) → 3000 frames over the clip.
    BOOST_TEST(count(m, audio(45)).encoder_patches == 3000);
}

// Qwen2-Audio: T_mel = 30 s · 100 = 3000; L1 = (3000−1)//2+1 = 1500; L2 = (1500−2)//2+1 = 750.
BOOST_AUTO_TEST_CASE(issue7_qwen2_audio_30s_is_750_tokens) {
    const ModelSpec m = with_audio("qwen2_audio", whisper_large_encoder());
    BOOST_TEST(chosen(m, "audio").key() == "qwen2-audio");
    const TokenCount c = count(m, audio(30));
    BOOST_TEST(c.tokens == 750);
    BOOST_TEST(c.encoder_patches == 1500);  // encoder runs on the padded 30 s
    // 10 s: T = 1000; L1 = 999//2+1 = 500; L2 = 498//2+1 = 250 (25 tokens per second).
    BOOST_TEST(count(m, audio(10)).tokens == 250);
    // 1.5 s: T = 150; L1 = 149//2+1 = 75; L2 = 73//2+1 = 37.
    BOOST_TEST(count(m, audio(1.5)).tokens == 37);
    // The processor truncates to 30 s: 60 s still gives 750.
    BOOST_TEST(count(m, audio(60)).tokens == 750);
}

// Tiling and fixed-count families.
BOOST_AUTO_TEST_CASE(issue7_tiles_anyres_and_resampler_counts) {
    // LLaVA-NeXT 672×672: pinpoint 672x672 (2×2 crops); 24·2 = 48 per side, no padding →
    // 48·48 + 48 newlines + 576 base = 2,928 (formulas.md §8).
    const ModelSpec next = with_vision("llava_next", clip_l_336());
    BOOST_TEST(count(next, image(672, 672)).tokens == 2928);
    BOOST_TEST(count(next, image(672, 672)).encoder_patches == 5 * 577);  // 4 crops + base image
    // 1024×768 (w×h): the pinpoints (h×w) keep 336x672 → 448·336 = 150,528 px, 672x336 → 84,672,
    // 672x672 → 672·504 = 338,688 (best), 1008x336 → 84,672, 336x1008 → 150,528 → 2×2 crops,
    // grid 48×48; aspect 1024/768 = 1.333 > 1 → new_h = round(768·48/1024) = 36, padding
    // (48−36)//2 = 6 → 36 rows: 36·48 + 36 newlines + 576 = 2,340.
    BOOST_TEST(count(next, image(1024, 768)).tokens == 2340);

    // InternVL2 448-px tiles, 256 tokens each: 448×448 → 1×1, no thumbnail → 256.
    TowerSpec ivit = clip_l_336();
    ivit.model_type = "intern_vit_6b";
    ivit.image_size = 448;
    const ModelSpec ivl = with_vision("internvl_chat", ivit);
    BOOST_TEST(count(ivl, image(448, 448)).tokens == 256);
    // 896×448 (2:1) → 2×1 tiles (the 4×2 tie needs more than half of 8 tiles' pixels) +
    // thumbnail = 3 × 256 = 768; each tile 1024 patches + CLS = 1025 positions.
    BOOST_TEST(count(ivl, image(896, 448)).tokens == 768);
    BOOST_TEST(count(ivl, image(896, 448)).encoder_patches == 3 * 1025);
    // 1920×1080 (aspect 1.778): among cols·rows ≤ 12 the closest ratio is 2:1 (diff 0.222; 3:2 is
    // 0.278); 4:2 ties it later and 1920·1080 = 2,073,600 > 0.5·448²·8 = 802,816, so 4×2 = 8
    // tiles win; + thumbnail = 9 × 256 = 2,304.
    BOOST_TEST(count(ivl, image(1920, 1080)).tokens == 2304);

    // Idefics2: 64 perceiver latents per image; with image splitting 4 crops + image = 320.
    TowerSpec siglip = clip_l_336();
    siglip.model_type = "idefics2_vision";
    siglip.image_size = 980;
    const ModelSpec idf = with_vision("idefics2", siglip);
    BOOST_TEST(count(idf, image(1024, 768)).tokens == 64);
    // 1024×768 → longest edge 980: h = int(980 / (1024/768)) = 735 → 70 × 52 = 3,640 patches.
    BOOST_TEST(count(idf, image(1024, 768)).encoder_patches == 3640);
    InputSpec split = image(1024, 768);
    split.options = ConfigNode::make_map();
    split.options.set("image_splitting", ConfigNode::make_bool(true));
    BOOST_TEST(count(idf, split).tokens == 320);

    // Gemma 3: 256 per image (SigLIP 896 px → 64² = 4096 patches, pooled 4×4).
    TowerSpec g = clip_l_336();
    g.model_type = "siglip_vision_model";
    g.image_size = 896;
    g.tokens_per_image = 256;
    const ModelSpec gemma = with_vision("gemma3", g);
    BOOST_TEST(count(gemma, image(1024, 768, 2)).tokens == 512);
    BOOST_TEST(count(gemma, image(1024, 768)).encoder_patches == 4096);
}

// Errors name the key inside the input and what is allowed (the host prefixes "inputs[i].").
BOOST_AUTO_TEST_CASE(issue7_bad_inputs_are_one_line_errors_with_key_path) {
    const ModelSpec m = with_vision("qwen2_vl", qwen2_vl_vit());
    BOOST_TEST(param_error(m, image(0, 768)).find("width: missing") != std::string::npos);
    BOOST_TEST(param_error(m, image(10000, 20)).find("at most 200:1") != std::string::npos);
    InputSpec bad = image(100, 100);
    bad.options = ConfigNode::make_map();
    bad.options.set("max_pixel", ConfigNode::make_number(5));
    const std::string e = param_error(m, bad);
    BOOST_TEST(e.find("options.max_pixel") != std::string::npos, e);
    BOOST_TEST(e.find("max_pixels") != std::string::npos, e);
    // An override naming a tokenizer of another modality.
    InputSpec wrong = image(100, 100);
    wrong.tokenizer = "whisper";
    try {
        core_registry().tokenizers.get("whisper").count(m, wrong);
        BOOST_FAIL("expected an error");
    } catch (const ParamError& err) {
        BOOST_TEST(err.key_path() == "tokenizer");
    }
    // Audio without a duration.
    const ModelSpec w = with_audio("whisper", whisper_large_encoder());
    BOOST_TEST(param_error(w, audio(0)).find("seconds") != std::string::npos);
}

// Inference transient of the Qwen2-VL tower for one 1024×768 image, b = 1, bf16, SDPA/flash:
// 3,996 patches · (2·1280 + 2·5120) · 2 B = 3,996 · 12,800 · 2 = 102,297,600 B.
// Eager attention adds one image's scores at a time: 16 heads · 3,996² · (2 + 4) B
// = 16 · 15,968,016 · 6 = 1,532,929,536 B.
BOOST_AUTO_TEST_CASE(issue7_vision_tower_inference_transient_flash_vs_eager) {
    const ModelSpec m = with_vision("qwen2_vl", qwen2_vl_vit());
    Scenario s;
    s.inputs.push_back(image(1024, 768));
    const Component& c = component("mm.encoder.vision.prefill");
    BOOST_TEST(std::string(to_string(c.category())) == "encoder");
    const Context flash = context(m, s, 1, false, true);
    BOOST_REQUIRE(c.applies(flash));
    BOOST_TEST(c.evaluate(flash) == 102297600ULL);
    const Context eager = context(m, s, 1, false, false);
    BOOST_TEST(c.evaluate(eager) == 102297600ULL + 1532929536ULL);
    // Training never uses the inference transient.
    BOOST_TEST(!c.applies(context(m, s, 1, true, true)));
}

// Saved training activations of the LLaVA-1.5 CLIP tower (b = 1, one image, flash):
// per layer 577 positions · (8·1024 + 2·4096) elements · 2 B = 577 · 16,384 · 2 = 18,907,136 B;
// 24 layers → 453,771,264 B. Counted only when a tower parameter trains (here: a LoRA adapter on
// a CLIP q_proj); the projector (linear 1024→4096, 4096→4096) then saves per token
// 1024 + 4096 + 4096 = 9,216 elements · 576 tokens · 2 B = 10,616,832 B.
BOOST_AUTO_TEST_CASE(issue7_trainable_tower_saves_activations_reported_as_encoder) {
    ModelSpec m = with_vision("llava", clip_l_336());
    m.tensors.push_back(tensor("vision_tower.layers.0.self_attn.q_proj.weight", "q_proj", "vision_tower", 1024, 1024));
    m.tensors.push_back(tensor("self_attn.q_proj.weight", "q_proj", "attention", 4096, 4096));
    m.tensors.back().layer = 0;
    m.tensors.push_back(tensor("multi_modal_projector.linear_1.weight", "linear_1", "projector", 4096, 1024));
    m.tensors.push_back(tensor("multi_modal_projector.linear_2.weight", "linear_2", "projector", 4096, 4096));
    Scenario s;
    s.workload.type = "training";
    s.inputs.push_back(image(1024, 768));
    const Component& tower = component("mm.encoder.vision.activations");
    const Component& proj = component("mm.projector.activations");

    // LoRA on the decoder's q_proj only: the frozen tower and projector save nothing.
    Context decoder_only = context(m, s, 1, true, true);
    Tensor a = m.tensors[1];
    a.name = "self_attn.q_proj.lora_A.weight";
    a.group = "adapters";
    decoder_only.trainable_tensors = {a};
    BOOST_TEST(!tower.applies(decoder_only));
    BOOST_TEST(!proj.applies(decoder_only));

    // LoRA that also hits the CLIP q_proj (PEFT matches every module named q_proj).
    Context both = decoder_only;
    Tensor v = m.tensors[0];
    v.name = "vision_tower.layers.0.self_attn.q_proj.lora_A.weight";
    v.group = "adapters";
    both.trainable_tensors.push_back(v);
    BOOST_REQUIRE(tower.applies(both));
    BOOST_TEST(std::string(to_string(tower.category())) == "encoder");
    BOOST_TEST(tower.evaluate(both) == 453771264ULL);
    BOOST_REQUIRE(proj.applies(both));
    BOOST_TEST(proj.evaluate(both) == 10616832ULL);
}

// VLM serving preset: Qwen2.5-VL-7B, batch 8, 2048 text tokens + 2 images of 1024×768.
//   tokens per sequence = 2,048 + 2 × 999 = 4,046 (workload.tokens_per_sequence), image: 1,998
//   KV = 8 × 4,046 × 57,344 B (2 · 28 layers · 4 KV heads · 128 · 2 B) = 1,856,110,592 B
//   ViT transient: 8 × 2 × 3,996 patches = 63,936 · (2·1280 + 3·3420 SwiGLU) · 2 B
//                = 63,936 · 12,820 · 2 = 1,639,319,040 B (category encoder)
BOOST_AUTO_TEST_CASE(issue7_vlm_serving_preset_tokens_feed_the_decoder) {
    const Result r = preset_scenario("qwen2.5-vl-7b-images-serving-h100");
    BOOST_TEST(r.estimate.tokens_per_sequence == 4046);
    BOOST_TEST(modality(r, "image") == 1998);
    BOOST_TEST(r.bytes("core.kv_cache") == 1856110592ULL);
    BOOST_TEST(r.bytes("mm.encoder.vision.prefill") == 1639319040ULL);
    BOOST_TEST(r.category(Category::encoder) == 1639319040ULL);
    // The JSON contract carries the same numbers.
    const CliResult cli = run_cli({"run", "presets/scenarios/qwen2.5-vl-7b-images-serving-h100.yaml", "--format", "json"});
    BOOST_REQUIRE_MESSAGE(cli.rc == 0, cli.err);
    BOOST_TEST(cli.out.find("\"tokens_per_sequence\": 4046") != std::string::npos);
    BOOST_TEST(cli.out.find("\"image\": 1998") != std::string::npos);
    // The table's header names the modality tokens.
    const CliResult table = run_cli({"run", "presets/scenarios/qwen2.5-vl-7b-images-serving-h100.yaml", "--format", "table"});
    BOOST_TEST(table.out.find("1,998 image tokens") != std::string::npos, table.out);
}

// Video preset: 60 s at 2 fps, 448×448 → 15,360 tokens; 1,024 + 15,360 = 16,384 per sequence.
//   ViT transient: 60 temporal slices × 1,024 patches = 61,440 · 12,820 · 2 B = 1,575,321,600 B.
BOOST_AUTO_TEST_CASE(issue7_video_preset_counts_15360_tokens) {
    const Result r = preset_scenario("qwen2.5-vl-7b-video-h100");
    BOOST_TEST(modality(r, "video") == 15360);
    BOOST_TEST(r.estimate.tokens_per_sequence == 16384);
    BOOST_TEST(r.bytes("mm.encoder.vision.prefill") == 1575321600ULL);
}

// Whisper transcription preset: batch 16, 448 decoder tokens, 30-s clips.
//   audio adds 0 decoder tokens: tokens_per_sequence stays 448; modality_tokens reports the
//   1,500 encoder frames the decoder reads through cross-attention (issue 21);
//   KV = 16 × (448 self + 1,500 cross) × 2 · 32 layers · 1280 · 2 B = 16 × 1,948 × 163,840
//      = 5,106,565,120 B (cross-attention: 234 MiB per sequence, formulas.md §3.7);
//   encoder transient = 16 × 1,500 frames · (2·1280 + 2·5120) · 2 B = 614,400,000 B.
BOOST_AUTO_TEST_CASE(issue7_whisper_transcription_preset_encoder_not_decoder_tokens) {
    const Result r = preset_scenario("whisper-large-v3-transcription-l4");
    BOOST_TEST(r.estimate.tokens_per_sequence == 448);
    BOOST_TEST(modality(r, "audio") == 1500);
    BOOST_TEST(r.bytes("core.kv_cache") == 5106565120ULL);
    BOOST_TEST(r.bytes("mm.encoder.audio.prefill") == 614400000ULL);
}

// Multimodal LoRA preset: LLaVA-1.5-7B, LoRA r=16 on q_proj/v_proj (PEFT matches the CLIP tower's
// q_proj/v_proj too), batch 4, 1,024 text + 576 image tokens = 1,600 per sample.
//   tower (encoder):  4 × 577 positions · (8·1024 + 2·4096) · 2 B × 24 layers = 1,815,085,056 B
//   projector:        4 × 576 tokens · (1024 + 4096 + 4096) · 2 B = 42,467,328 B
//   decoder activations are the training components' (category activations), over s = 1,600.
BOOST_AUTO_TEST_CASE(issue7_multimodal_lora_reports_tower_and_decoder_activations_apart) {
    const Result r = preset_scenario("llava-1.5-7b-lora-images-h100");
    BOOST_TEST(r.estimate.tokens_per_sequence == 1600);
    BOOST_TEST(r.bytes("mm.encoder.vision.activations") == 1815085056ULL);
    BOOST_TEST(r.bytes("mm.projector.activations") == 42467328ULL);
    BOOST_TEST(r.category(Category::encoder) == 1815085056ULL + 42467328ULL);
    // The decoder's saved activations are a separate term and category.
    BOOST_TEST(r.category(Category::activations) > 0ULL);
    BOOST_TEST(!r.has("mm.encoder.vision.prefill"));
    // Decoder-only LoRA targets (the LLaMA layers' gate_proj): the frozen tower saves nothing.
    std::ifstream in(source_path("presets/scenarios/llava-1.5-7b-lora-images-h100.yaml"));
    std::stringstream text;
    text << in.rdbuf();
    const Result dec = estimate_yaml(text.str(), {"training.lora.targets=gate_proj"});
    BOOST_TEST(!dec.has("mm.encoder.vision.activations"));
    BOOST_TEST(!dec.has("mm.projector.activations"));
    BOOST_TEST(dec.category(Category::activations) > 0ULL);
}

// Scenario errors name the input and the key.
BOOST_AUTO_TEST_CASE(issue7_scenario_input_errors_name_the_key_path) {
    try {
        estimate_yaml(R"(
model: {preset: qwen2.5-vl-7b}
workload: {type: inference, batch_size: 1, sequence_length: 512}
inputs:
  - {modality: image, width: 1024, height: 768}
  - {modality: image, height: 768}
hardware: {gpu: h100 sxm}
)");
        BOOST_FAIL("expected an error");
    } catch (const ScenarioError& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("inputs[1].width: missing") != std::string::npos, what);
    }
    try {
        estimate_yaml(R"(
model: {preset: qwen2.5-vl-7b}
workload: {type: inference, batch_size: 1, sequence_length: 512}
inputs:
  - {modality: image, width: 1024, height: 768, tokenizer: whisper}
hardware: {gpu: h100 sxm}
)");
        BOOST_FAIL("expected an error");
    } catch (const ScenarioError& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("inputs[0].tokenizer: 'whisper' counts audio inputs, not image") != std::string::npos,
                   what);
    }
    // An override by key picks another family's rule: InternVL tiles for a 448×448 image = 256.
    const Result r = estimate_yaml(R"(
model: {preset: qwen2.5-vl-7b}
workload: {type: inference, batch_size: 1, sequence_length: 512}
inputs:
  - {modality: image, width: 448, height: 448, tokenizer: internvl}
hardware: {gpu: h100 sxm}
)");
    BOOST_TEST(modality(r, "image") == 256);
}

// Full fine-tuning of Qwen2-VL-7B (tower trainable), b = 1, one 1024×768 image, bf16, flash:
//   ViT: 3,996 patches · (8·1280 + 2·5120) · 2 B × 32 layers = 3,996 · 20,480 · 2 · 32 = 5,237,637,120 B
//   PatchMerger: per token LN input 4·1280 + mlp.0 input 5120 + GELU input 5120 + mlp.2 input 5120
//              = 20,480 elements · 999 tokens · 2 B = 40,919,040 B
//   full checkpointing: 32 · 3,996 · 1280 · 2 (layer inputs) + one layer 3,996 · 20,480 · 2
//              = 327,352,320 + 163,676,160 = 491,028,480 B
BOOST_AUTO_TEST_CASE(issue7_full_finetune_charges_the_vit_over_raw_patches) {
    const std::string yaml = R"(
model: {preset: qwen2-vl-7b}
precision: {weights: bf16}
workload: {type: training, batch_size: 1, sequence_length: 512}
inputs:
  - {modality: image, width: 1024, height: 768}
training: {method: full, optimizer: adamw, mixed_precision: none, flash_attention: true}
hardware: {gpu: h100 sxm}
)";
    const Result r = estimate_yaml(yaml);
    BOOST_TEST(r.estimate.tokens_per_sequence == 512 + 999);
    BOOST_TEST(r.bytes("mm.encoder.vision.activations") == 5237637120ULL);
    BOOST_TEST(r.bytes("mm.projector.activations") == 40919040ULL);
    const Result ckpt = estimate_yaml(yaml, {"training.gradient_checkpointing=true"});
    BOOST_TEST(ckpt.bytes("mm.encoder.vision.activations") == 491028480ULL);
}

// Qwen2-Audio-7B end to end (adapter mm.model.qwen2_audio, preset qwen2-audio-7b):
//   parameters: decoder 156,032·4096·2 (embedding + lm_head) + 32 · (4·4096² + 3·4096 + 3·4096·11008
//   + 2·4096) + 4096 = 7,754,878,976; encoder 492,800 (conv1) + 4,916,480 (conv2) + 1,920,000
//   (positions) + 32 · 19,676,160 + 2,560 = 636,968,960; projector 1280·4096 + 4096 = 5,246,976
//   → 8,397,094,912.
//   One 30-s clip → 750 tokens: s = 256 + 750 = 1,006; KV = 1,006 × 2·32·32·128·2 = 527,433,728 B;
//   encoder transient = 1,500 · (2·1280 + 2·5120) · 2 = 38,400,000 B.
BOOST_AUTO_TEST_CASE(issue7_qwen2_audio_scenario_end_to_end) {
    const ModelSpec m = load_model("qwen2-audio-7b");
    BOOST_TEST(parameter_count(m) == 8397094912LL);
    BOOST_TEST(parameters_in_group(m, "audio_encoder") == 636968960LL);
    const Result r = estimate_yaml(R"(
model: {preset: qwen2-audio-7b}
precision: {weights: bf16}
workload: {type: inference, batch_size: 1, sequence_length: 256}
inputs:
  - {modality: audio, seconds: 30}
hardware: {gpu: h100 sxm}
)");
    BOOST_TEST(modality(r, "audio") == 750);
    BOOST_TEST(r.estimate.tokens_per_sequence == 1006);
    BOOST_TEST(r.bytes("core.kv_cache") == 527433728ULL);
    BOOST_TEST(r.bytes("mm.encoder.audio.prefill") == 38400000ULL);
}

BOOST_AUTO_TEST_SUITE_END()
