// image_tokenizers.cpp - tokens per image for each VLM family (docs/multimodal.md, formulas.md §8).
// Every rule follows the family's Hugging Face processor; no generic (resolution / patch)² rule:
// the patch grid is only the ENCODER's work, the decoder sees what the family's merger,
// resampler or pooling leaves.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "tokenizers.hpp"

namespace vram::plugins::mm {

Size qwen_smart_resize(std::int64_t height, std::int64_t width, std::int64_t factor, double min_pixels,
                       double max_pixels) {
    const double h = static_cast<double>(height), w = static_cast<double>(width), f = static_cast<double>(factor);
    if (std::max(h, w) / std::min(h, w) > 200.0)
        throw ParamError("width", "aspect ratio " + num(width) + ":" + num(height) +
                                      " is above 200:1, which the Qwen2-VL processor rejects; allowed: at most 200:1");
    Size s{std::max(factor, round_half_even_div(height, factor) * factor),
           std::max(factor, round_half_even_div(width, factor) * factor)};
    // The same double operations as the Python code, so the floors and ceils land identically.
    if (static_cast<double>(s.height * s.width) > max_pixels) {
        const double beta = std::sqrt(h * w / max_pixels);
        s.height = std::max(factor, static_cast<std::int64_t>(std::floor(h / beta / f)) * factor);
        s.width = std::max(factor, static_cast<std::int64_t>(std::floor(w / beta / f)) * factor);
    } else if (static_cast<double>(s.height * s.width) < min_pixels) {
        const double beta = std::sqrt(min_pixels / (h * w));
        s.height = static_cast<std::int64_t>(std::ceil(h * beta / f)) * factor;
        s.width = static_cast<std::int64_t>(std::ceil(w * beta / f)) * factor;
    }
    return s;
}

namespace {

bool is_type(const ModelSpec& m, std::initializer_list<std::string_view> types) {
    for (auto t : types)
        if (m.model_type == t) return true;
    return false;
}

const TowerSpec& vision_tower(const ModelSpec& m, const ModalityTokenizer& t) {
    if (m.vision.kind.empty())
        throw ParamError("tokenizer", "model '" + m.name + "' (model_type " + m.model_type +
                                          ") has no vision tower, so '" + std::string(t.key()) +
                                          "' cannot count its images; allowed: a vision-language model");
    return m.vision;
}

std::string times(std::int64_t count) { return count > 1 ? " × " + num(count) + " images" : ""; }

}  // namespace

// ---- LLaVA-1.5: fixed CLIP grid ----------------------------------------------------------------

int LlavaImage::score(const ModelSpec& m) const {
    if (m.vision.kind.empty()) return 0;
    if (is_type(m, {"llava", "vipllava"})) return 100;
    // Other CLIP-tower models resized to the tower's square input behave the same way.
    return m.vision.model_type == "clip_vision_model" ? 10 : 0;
}

std::vector<ParamSpec> LlavaImage::specs() {
    return {{"vision_feature_select_strategy", ParamType::string, "default",
             "default drops the CLIP class token (576 per 336-px image), full keeps it (577)", 0, 0,
             {"default", "full"}}};
}

Plan LlavaImage::plan(const ModelSpec& m, const InputSpec& in) const {
    require_modality(*this, in);
    const Params o = read_options(in, specs());
    const TowerSpec& v = vision_tower(m, *this);
    // CLIPImageProcessor resizes the shortest side to 336 and center-crops 336×336: the grid never
    // depends on the input size. transformers llava config: image_size 336, patch_size 14.
    const std::int64_t size = or_default(v.image_size, 336), patch = or_default(v.patch_size, 14);
    const std::int64_t grid = size / patch;
    const bool full = o.string("vision_feature_select_strategy") == "full";
    const std::int64_t per_image = grid * grid + (full ? 1 : 0);
    Plan p;
    p.tower = "vision";
    p.tokens = per_image * in.count;
    p.units = p.batched_units = in.count;
    p.positions = grid * grid + 1;  // CLIP prepends a class token
    p.keeps_hidden_states = true;   // LLaVA reads layer -2: vision_tower(..., output_hidden_states=True)
    p.projector_positions = p.tokens;
    p.arithmetic = "llava: any " + num(in.width) + "×" + num(in.height) + " image is resized and cropped to " +
                   num(size) + "×" + num(size) + " → (" + num(size) + "/" + num(patch) + ")² = " + num(grid * grid) +
                   " patches" + (full ? " + CLS = " : ", CLS dropped = ") + num(per_image) + " tokens" + times(in.count) +
                   " = " + num(p.tokens) + "; CLIP sees " + num(p.positions) + " positions per image";
    return p;
}

// ---- LLaVA-NeXT: anyres grid -------------------------------------------------------------------

int LlavaNextImage::score(const ModelSpec& m) const {
    return !m.vision.kind.empty() && is_type(m, {"llava_next"}) ? 100 : 0;
}

std::vector<ParamSpec> LlavaNextImage::specs() {
    return {{"grid_pinpoints", ParamType::string, "336x672,672x336,672x672,1008x336,336x1008",
             "image_grid_pinpoints of the checkpoint as HxW,HxW,... (llava-v1.6 default)", 0, 0, {}},
            {"vision_feature_select_strategy", ParamType::string, "default",
             "default drops the CLIP class token, full keeps it", 0, 0, {"default", "full"}}};
}

namespace {

std::vector<Size> parse_pinpoints(const std::string& text) {
    std::vector<Size> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        const auto x = item.find('x');
        Size s;
        try {
            if (x == std::string::npos) throw std::invalid_argument("no x");
            std::size_t used = 0;
            s.height = std::stoll(item.substr(0, x), &used);
            if (used != x) throw std::invalid_argument("junk");
            s.width = std::stoll(item.substr(x + 1), &used);
            if (used != item.size() - x - 1) throw std::invalid_argument("junk");
        } catch (const std::exception&) {
            throw ParamError("options.grid_pinpoints", "'" + item + "' is not HxW; allowed: e.g. 336x672,672x672");
        }
        if (s.height <= 0 || s.width <= 0)
            throw ParamError("options.grid_pinpoints", "'" + item + "' has a zero side; allowed: positive HxW");
        out.push_back(s);
    }
    if (out.empty()) throw ParamError("options.grid_pinpoints", "empty; allowed: e.g. 336x672,672x672");
    return out;
}

}  // namespace

Plan LlavaNextImage::plan(const ModelSpec& m, const InputSpec& in) const {
    require_modality(*this, in);
    require_size(in);
    const Params o = read_options(in, specs());
    const TowerSpec& v = vision_tower(m, *this);
    const std::int64_t size = or_default(v.image_size, 336), patch = or_default(v.patch_size, 14);
    const std::vector<Size> pins = parse_pinpoints(o.string("grid_pinpoints"));
    const std::int64_t oh = in.height, ow = in.width;
    // select_best_resolution (transformers image_processing_utils): the pinpoint that keeps the
    // most of the image's pixels after an aspect-preserving downscale, then the least waste.
    Size best{};
    std::int64_t max_effective = 0, min_wasted = std::numeric_limits<std::int64_t>::max();
    for (const Size& r : pins) {
        const double scale = std::min(static_cast<double>(r.width) / static_cast<double>(ow),
                                      static_cast<double>(r.height) / static_cast<double>(oh));
        const auto dw = static_cast<std::int64_t>(static_cast<double>(ow) * scale);
        const auto dh = static_cast<std::int64_t>(static_cast<double>(oh) * scale);
        const std::int64_t effective = std::min(dw * dh, ow * oh);
        const std::int64_t wasted = r.width * r.height - effective;
        if (effective > max_effective || (effective == max_effective && wasted < min_wasted)) {
            max_effective = effective;
            min_wasted = wasted;
            best = r;
        }
    }
    // LlavaNextProcessor._get_number_of_features / _get_unpadded_features.
    const std::int64_t grid = size / patch;
    const std::int64_t scale_h = best.height / size, scale_w = best.width / size;
    std::int64_t cur_h = grid * scale_h, cur_w = grid * scale_w;
    const double original_ratio = static_cast<double>(ow) / static_cast<double>(oh);
    const double current_ratio = static_cast<double>(cur_w) / static_cast<double>(cur_h);
    auto round7 = [](double x) { return std::nearbyint(x * 1e7) / 1e7; };
    if (original_ratio > current_ratio) {
        const auto new_h = static_cast<std::int64_t>(
            round7(static_cast<double>(oh) * (static_cast<double>(cur_w) / static_cast<double>(ow))));
        cur_h -= (cur_h - new_h) / 2 * 2;
    } else {
        const auto new_w = static_cast<std::int64_t>(
            round7(static_cast<double>(ow) * (static_cast<double>(cur_h) / static_cast<double>(oh))));
        cur_w -= (cur_w - new_w) / 2 * 2;
    }
    const bool full = o.string("vision_feature_select_strategy") == "full";
    const std::int64_t base = grid * grid + (full ? 1 : 0);
    const std::int64_t per_image = cur_h * cur_w + cur_h + base;
    const std::int64_t crops = scale_h * scale_w + 1;  // the grid's crops plus the resized base image
    Plan p;
    p.tower = "vision";
    p.tokens = per_image * in.count;
    p.units = p.batched_units = crops * in.count;
    p.positions = grid * grid + 1;
    p.keeps_hidden_states = true;
    p.projector_positions = p.units * grid * grid;  // the projector runs on every crop's features before unpadding
    p.arithmetic = "llava-next: " + num(ow) + "×" + num(oh) + " → best pinpoint " + num(best.height) + "x" +
                   num(best.width) + " (" + num(scale_h) + "×" + num(scale_w) + " crops of " + num(size) +
                   " px); unpadded " + num(cur_h) + "×" + num(cur_w) + " = " + num(cur_h * cur_w) + " + " +
                   num(cur_h) + " newlines + base " + num(base) + " = " + num(per_image) + " tokens" + times(in.count) +
                   " = " + num(p.tokens) + "; CLIP sees " + num(crops) + " crops × " + num(p.positions) + " positions";
    return p;
}

// ---- Qwen2-VL / Qwen2.5-VL: dynamic resolution -------------------------------------------------

int QwenVlImage::score(const ModelSpec& m) const {
    if (m.vision.kind.empty()) return 0;
    return is_type(m, {"qwen2_vl", "qwen2_5_vl"}) || m.vision.model_type == "qwen2_vl" ||
                   m.vision.model_type == "qwen2_5_vl"
               ? 100
               : 0;
}

std::vector<ParamSpec> QwenVlImage::specs() {
    // Qwen2VLImageProcessor defaults: min_pixels 56·56, max_pixels 14·14·4·1280 (≤ 1280 tokens).
    // Checkpoints' preprocessor_config.json may raise max_pixels (12845056 = 16384·28·28).
    return {{"min_pixels", ParamType::integer, "3136", "smart_resize lower bound on H'·W' (HF default 56·56)", 1, 1e12, {}},
            {"max_pixels", ParamType::integer, "1003520", "smart_resize upper bound on H'·W' (HF default 14·14·4·1280)",
             1, 1e12, {}}};
}

Plan QwenVlImage::plan(const ModelSpec& m, const InputSpec& in) const {
    require_modality(*this, in);
    require_size(in);
    const Params o = read_options(in, specs());
    const TowerSpec& v = vision_tower(m, *this);
    // Qwen2VLVisionConfig defaults: patch_size 14, spatial_merge_size 2.
    const std::int64_t patch = or_default(v.patch_size, 14), merge = or_default(v.spatial_merge_size, 2);
    const std::int64_t factor = patch * merge;
    const std::int64_t min_px = o.integer("min_pixels"), max_px = o.integer("max_pixels");
    if (min_px > max_px)
        throw ParamError("options.min_pixels", num(min_px) + " is above max_pixels " + num(max_px) +
                                                   "; allowed: min_pixels ≤ max_pixels");
    const Size r = qwen_smart_resize(in.height, in.width, factor, static_cast<double>(min_px),
                                     static_cast<double>(max_px));
    const std::int64_t gh = r.height / patch, gw = r.width / patch;
    const std::int64_t per_image = (r.height / factor) * (r.width / factor);
    Plan p;
    p.tower = "vision";
    p.tokens = per_image * in.count;
    p.units = p.batched_units = in.count;
    p.positions = gh * gw;  // one image = one temporal patch (the frame is repeated to temporal_patch_size)
    p.chunked_attention = true;
    p.projector_positions = p.tokens;
    p.arithmetic = "qwen2-vl: " + num(in.width) + "×" + num(in.height) + " → smart_resize to multiples of " +
                   num(factor) + " within [" + num(min_px) + ", " + num(max_px) + "] px = " + num(r.width) + "×" +
                   num(r.height) + " → " + num(r.width / factor) + "×" + num(r.height / factor) + " = " +
                   num(per_image) + " tokens" + times(in.count) + " = " + num(p.tokens) + "; ViT sees " + num(gw) + "×" +
                   num(gh) + " = " + num(p.positions) + " patches per image (" + num(merge * merge) + "× the tokens)";
    return p;
}

// ---- InternVL 2 / 2.5 / 3: 448-px tiles + thumbnail --------------------------------------------

int InternVlImage::score(const ModelSpec& m) const {
    return !m.vision.kind.empty() && is_type(m, {"internvl_chat", "internvl"}) ? 100 : 0;
}

std::vector<ParamSpec> InternVlImage::specs() {
    return {{"max_num", ParamType::integer, "12", "dynamic_preprocess max_num tiles (model card default 12)", 1, 4096, {}},
            {"min_num", ParamType::integer, "1", "dynamic_preprocess min_num tiles", 1, 4096, {}},
            {"use_thumbnail", ParamType::boolean, "true", "adds a 448-px thumbnail when there is more than one tile",
             0, 0, {}}};
}

Plan InternVlImage::plan(const ModelSpec& m, const InputSpec& in) const {
    require_modality(*this, in);
    require_size(in);
    const Params o = read_options(in, specs());
    const TowerSpec& v = vision_tower(m, *this);
    const std::int64_t size = or_default(v.image_size, 448), patch = or_default(v.patch_size, 14);
    const std::int64_t grid = size / patch;
    // num_image_token = (image_size / patch)² · downsample_ratio², downsample_ratio 0.5 (pixel shuffle).
    const std::int64_t per_tile = or_default(v.tokens_per_image, grid * grid / 4);
    const std::int64_t min_num = o.integer("min_num"), max_num = o.integer("max_num");
    if (min_num > max_num)
        throw ParamError("options.min_num", num(min_num) + " is above max_num " + num(max_num) +
                                                "; allowed: min_num ≤ max_num");
    // dynamic_preprocess / find_closest_aspect_ratio (InternVL model card): every (cols, rows) with
    // min_num ≤ cols·rows ≤ max_num, in increasing tile count; the closest aspect ratio wins, and on
    // a tie the later (larger) grid wins when the image has more than half its pixels.
    // Equal tile counts are visited column-major-first here (the model card iterates a set).
    struct Grid {
        std::int64_t cols, rows;
    };
    std::vector<Grid> grids;
    for (std::int64_t n = min_num; n <= max_num; ++n)
        for (std::int64_t i = 1; i <= n; ++i)
            if (n % i == 0) grids.push_back({i, n / i});
    const double aspect = static_cast<double>(in.width) / static_cast<double>(in.height);
    const double area = static_cast<double>(in.width) * static_cast<double>(in.height);
    Grid best{1, 1};
    double best_diff = std::numeric_limits<double>::infinity();
    for (const Grid& g : grids) {
        const double diff = std::fabs(aspect - static_cast<double>(g.cols) / static_cast<double>(g.rows));
        if (diff < best_diff) {
            best_diff = diff;
            best = g;
        } else if (diff == best_diff &&
                   area > 0.5 * static_cast<double>(size * size) * static_cast<double>(g.cols * g.rows)) {
            best = g;
        }
    }
    const std::int64_t blocks = best.cols * best.rows;
    const std::int64_t tiles = blocks + (o.flag("use_thumbnail") && blocks != 1 ? 1 : 0);
    Plan p;
    p.tower = "vision";
    p.tokens = tiles * per_tile * in.count;
    p.units = p.batched_units = tiles * in.count;
    p.positions = grid * grid + 1;  // InternViT prepends a class token
    p.projector_positions = p.tokens;
    p.arithmetic = "internvl: " + num(in.width) + "×" + num(in.height) + " → " + num(best.cols) + "×" +
                   num(best.rows) + " tiles of " + num(size) + " px" +
                   (tiles > blocks ? " + thumbnail" : std::string()) + " = " + num(tiles) + " × " + num(per_tile) +
                   " tokens = " + num(tiles * per_tile) + times(in.count) + " = " + num(p.tokens) + "; ViT sees " +
                   num(p.positions) + " positions per tile";
    return p;
}

// ---- Idefics2: perceiver resampler -------------------------------------------------------------

int Idefics2Image::score(const ModelSpec& m) const {
    return !m.vision.kind.empty() && is_type(m, {"idefics2"}) ? 100 : 0;
}

std::vector<ParamSpec> Idefics2Image::specs() {
    return {{"image_splitting", ParamType::boolean, "false",
             "do_image_splitting: 4 crops + the full image, each resampled to 64 tokens", 0, 0, {}},
            {"longest_edge", ParamType::integer, "980", "size.longest_edge of the image processor", 14, 1e6, {}},
            {"shortest_edge", ParamType::integer, "378", "size.shortest_edge of the image processor", 14, 1e6, {}}};
}

Plan Idefics2Image::plan(const ModelSpec& m, const InputSpec& in) const {
    require_modality(*this, in);
    require_size(in);
    const Params o = read_options(in, specs());
    const TowerSpec& v = vision_tower(m, *this);
    const std::int64_t patch = or_default(v.patch_size, 14);
    const std::int64_t latents = or_default(v.tokens_per_image, 64);  // perceiver_config.resampler_n_latents
    const std::int64_t longest = o.integer("longest_edge"), shortest = o.integer("shortest_edge");
    // Idefics2ImageProcessor.get_resize_output_image_size: the long side down to longest_edge
    // (aspect kept, truncated), then each side at least shortest_edge.
    auto resize = [&](std::int64_t h, std::int64_t w) {
        const double aspect = static_cast<double>(w) / static_cast<double>(h);
        if (w >= h && w > longest) {
            w = longest;
            h = static_cast<std::int64_t>(static_cast<double>(w) / aspect);
        } else if (h > w && h > longest) {
            h = longest;
            w = static_cast<std::int64_t>(static_cast<double>(h) * aspect);
        }
        return Size{std::max(h, shortest), std::max(w, shortest)};
    };
    std::vector<Size> items;
    if (o.flag("image_splitting")) {
        // split_image: four quarter crops (the right/bottom ones take the odd pixel) + the image.
        const std::int64_t mh = in.height / 2, mw = in.width / 2;
        items = {resize(mh, mw), resize(mh, in.width - mw), resize(in.height - mh, mw),
                 resize(in.height - mh, in.width - mw)};
    }
    items.push_back(resize(in.height, in.width));
    // Images of a batch are padded to the largest; SigLIP runs on every padded patch.
    Size pad{};
    for (const Size& s : items) pad = {std::max(pad.height, s.height), std::max(pad.width, s.width)};
    const auto n = static_cast<std::int64_t>(items.size());
    Plan p;
    p.tower = "vision";
    p.tokens = n * latents * in.count;
    p.units = p.batched_units = n * in.count;
    p.positions = (pad.height / patch) * (pad.width / patch);
    p.projector_positions = p.units * p.positions;  // the MLP connector runs on every patch before the resampler
    p.arithmetic = "idefics2: " + std::string(n > 1 ? "4 crops + full image = 5 images" : "1 image") + " × " +
                   num(latents) + " resampler latents = " + num(n * latents) + " tokens" + times(in.count) + " = " +
                   num(p.tokens) + "; SigLIP sees " + num(pad.width) + "×" + num(pad.height) + " px / " + num(patch) +
                   " = " + num(p.positions) + " patches per image";
    return p;
}

// ---- Gemma 3: SigLIP + average pooling ---------------------------------------------------------

int Gemma3Image::score(const ModelSpec& m) const {
    return !m.vision.kind.empty() && is_type(m, {"gemma3"}) ? 100 : 0;
}

std::vector<ParamSpec> Gemma3Image::specs() { return {}; }

Plan Gemma3Image::plan(const ModelSpec& m, const InputSpec& in) const {
    require_modality(*this, in);
    (void)read_options(in, specs());
    const TowerSpec& v = vision_tower(m, *this);
    // Gemma3Config: mm_tokens_per_image 256; SigLIP vision_config image_size 896, patch_size 14.
    const std::int64_t per_image = or_default(v.tokens_per_image, 256);
    const std::int64_t size = or_default(v.image_size, 896), patch = or_default(v.patch_size, 14);
    const std::int64_t grid = size / patch;
    Plan p;
    p.tower = "vision";
    p.tokens = per_image * in.count;
    p.units = p.batched_units = in.count;
    p.positions = grid * grid;
    p.projector_positions = p.tokens;  // pooling happens before the projector
    p.arithmetic = "gemma3: any image is resized to " + num(size) + "×" + num(size) + " → " + num(grid * grid) +
                   " SigLIP patches, average-pooled to " + num(per_image) + " tokens" + times(in.count) + " = " +
                   num(p.tokens) + " (pan & scan off, the processor default)";
    return p;
}

// ---- sources -----------------------------------------------------------------------------------

std::string_view LlavaImage::source() const {
    return "transformers LlavaProcessor / CLIPImageProcessor (resize 336 + center crop) and LlavaConfig "
           "vision_feature_select_strategy='default' drops CLS: (336/14)² = 576; formulas.md §8";
}
std::string_view LlavaNextImage::source() const {
    return "transformers processing_llava_next.py _get_number_of_features / _get_unpadded_features and "
           "image_processing_utils.select_best_resolution; formulas.md §8";
}
std::string_view QwenVlImage::source() const {
    return "transformers image_processing_qwen2_vl.py smart_resize (min_pixels 56·56, max_pixels 14·14·4·1280), "
           "one token per 28×28 after the 2×2 PatchMerger; formulas.md §8";
}
std::string_view InternVlImage::source() const {
    return "InternVL model card dynamic_preprocess / find_closest_aspect_ratio (448-px tiles, max_num 12, "
           "thumbnail) and num_image_token = (448/14)²·0.5² = 256; formulas.md §8";
}
std::string_view Idefics2Image::source() const {
    return "transformers Idefics2 perceiver resampler_n_latents = 64 per image, image_processing_idefics2.py "
           "(longest_edge 980, shortest_edge 378, split_image 4 crops + image); formulas.md §8";
}
std::string_view Gemma3Image::source() const {
    return "transformers Gemma3Config mm_tokens_per_image = 256 (SigLIP 896 px / 14 = 4096 patches, "
           "4×4 average pooling); formulas.md §8";
}

}  // namespace vram::plugins::mm
