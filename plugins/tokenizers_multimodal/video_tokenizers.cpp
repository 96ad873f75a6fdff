// video_tokenizers.cpp - Qwen2-VL / Qwen2.5-VL video tokens (qwen-vl-utils fetch_video rules).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>

#include "tokenizers.hpp"

namespace vram::plugins::mm {

namespace {

// qwen-vl-utils vision_process.py constants (Qwen2.5-VL repository version).
constexpr std::int64_t kVideoMinPixels = 128 * 28 * 28;   // VIDEO_MIN_PIXELS = 100,352
constexpr std::int64_t kVideoMaxPixels = 768 * 28 * 28;   // VIDEO_MAX_PIXELS = 602,112 per frame
constexpr std::int64_t kVideoTotalPixels = 90316800;      // int(128000·28·28·0.9): VIDEO_TOTAL_PIXELS
constexpr double kDefaultFps = 2.0;                       // FPS

std::int64_t ceil_by(double x, std::int64_t f) { return static_cast<std::int64_t>(std::ceil(x / static_cast<double>(f))) * f; }
std::int64_t floor_by(double x, std::int64_t f) {
    return static_cast<std::int64_t>(std::floor(x / static_cast<double>(f))) * f;
}

}  // namespace

int QwenVlVideo::score(const ModelSpec& m) const {
    if (m.vision.kind.empty()) return 0;
    return m.model_type == "qwen2_vl" || m.model_type == "qwen2_5_vl" || m.vision.model_type == "qwen2_vl" ||
                   m.vision.model_type == "qwen2_5_vl"
               ? 100
               : 0;
}

std::vector<ParamSpec> QwenVlVideo::specs() {
    return {{"source_fps", ParamType::number, "30", "frame rate of the source file (caps the sampled frames)", 1e-3,
             1000, {}},
            {"min_frames", ParamType::integer, "4", "FPS_MIN_FRAMES", 1, 1e6, {}},
            {"max_frames", ParamType::integer, "768", "FPS_MAX_FRAMES", 2, 1e6, {}},
            {"min_pixels", ParamType::integer, std::to_string(kVideoMinPixels), "VIDEO_MIN_PIXELS = 128·28·28 per frame", 1, 1e12, {}},
            {"max_pixels", ParamType::integer, "", "per-frame cap; never above VIDEO_MAX_PIXELS = 768·28·28 or the "
                                                   "total_pixels share", 1, 1e12, {}},
            {"total_pixels", ParamType::integer, std::to_string(kVideoTotalPixels), "VIDEO_TOTAL_PIXELS = 128000·28·28·0.9 over all frames",
             1, 1e15, {}}};
}

Plan QwenVlVideo::plan(const ModelSpec& m, const InputSpec& in) const {
    require_modality(*this, in);
    require_size(in);
    require_seconds(in);
    const Params o = read_options(in, specs());
    if (m.vision.kind.empty())
        throw ParamError("tokenizer", "model '" + m.name + "' has no vision tower; allowed: a Qwen2-VL family model");
    const TowerSpec& v = m.vision;
    // Qwen2VLVisionConfig defaults: patch 14, spatial merge 2, temporal patch 2 (= FRAME_FACTOR).
    const std::int64_t patch = or_default(v.patch_size, 14), merge = or_default(v.spatial_merge_size, 2);
    const std::int64_t tp = v.temporal_patch_size > 1 ? v.temporal_patch_size : 2;
    const std::int64_t factor = patch * merge;

    // smart_nframes: fps sampling clamped to [min_frames, max_frames] and to the file's frames,
    // then floored to a multiple of the temporal patch.
    const double src_fps = o.number("source_fps");
    const double fps = in.fps > 0 ? in.fps : kDefaultFps;
    const auto total_frames = static_cast<std::int64_t>(std::llround(in.seconds * src_fps));
    const std::int64_t min_frames = ceil_by(static_cast<double>(o.integer("min_frames")), tp);
    const std::int64_t max_frames = floor_by(static_cast<double>(std::min(o.integer("max_frames"), total_frames)), tp);
    const double sampled = static_cast<double>(total_frames) / src_fps * fps;
    const double clamped = std::min(std::min(std::max(sampled, static_cast<double>(min_frames)),
                                             static_cast<double>(max_frames)),
                                    static_cast<double>(total_frames));
    const std::int64_t nframes = floor_by(clamped, tp);
    if (nframes < tp || nframes > total_frames)
        throw ParamError("seconds", num(total_frames) + " source frames give " + num(nframes) +
                                        " sampled frames; allowed: a clip with at least " + num(tp) + " frames");

    // fetch_video: per-frame pixel cap from the total budget, never below 1.05·min_pixels.
    const auto min_px = static_cast<double>(o.integer("min_pixels"));
    const double share = static_cast<double>(o.integer("total_pixels")) / static_cast<double>(nframes) *
                         static_cast<double>(tp);
    double max_px = std::max(std::min(static_cast<double>(kVideoMaxPixels), share),
                             static_cast<double>(static_cast<std::int64_t>(min_px * 1.05)));
    if (o.has("max_pixels")) max_px = std::min(max_px, static_cast<double>(o.integer("max_pixels")));
    const Size r = qwen_smart_resize(in.height, in.width, factor, min_px, max_px);
    const std::int64_t grid_t = nframes / tp, gh = r.height / patch, gw = r.width / patch;
    const std::int64_t per_group = (r.height / factor) * (r.width / factor);
    const std::int64_t per_video = grid_t * per_group;

    Plan p;
    p.tower = "vision";
    p.tokens = per_video * in.count;
    // Qwen2-VL's vision attention runs per temporal slice (cu_seqlens repeats h·w grid_t times).
    p.units = p.batched_units = grid_t * in.count;
    p.positions = gh * gw;
    p.chunked_attention = true;
    p.projector_positions = p.tokens;
    std::string cap = format_number(max_px);
    p.arithmetic = "qwen2-vl video: " + format_number(in.seconds) + " s at " + format_number(fps) + " fps → " +
                   num(nframes) + " frames (clamped to [" + num(min_frames) + ", " + num(max_frames) +
                   "], multiple of " + num(tp) + "); per-frame cap max(min(" + num(kVideoMaxPixels) + ", " +
                   format_number(static_cast<double>(o.integer("total_pixels"))) + "/" + num(nframes) + "·" + num(tp) +
                   "), 1.05·" + format_number(min_px) + ") = " + cap + " px; " + num(in.width) + "×" + num(in.height) +
                   " → " + num(r.width) + "×" + num(r.height) + " → " + num(nframes) + "/" + num(tp) + " × " +
                   num(r.width / factor) + "×" + num(r.height / factor) + " = " + num(grid_t) + " × " + num(per_group) +
                   " = " + num(per_video) + " tokens" + (in.count > 1 ? " × " + num(in.count) + " videos" : "") +
                   " = " + num(p.tokens) + "; ViT sees " + num(p.units) + " × " + num(p.positions) + " patches";
    return p;
}

std::string_view QwenVlVideo::source() const {
    return "qwen-vl-utils vision_process.py smart_nframes / fetch_video (FPS 2, FPS_MIN_FRAMES 4, FPS_MAX_FRAMES "
           "768, VIDEO_MIN_PIXELS 128·28·28, VIDEO_MAX_PIXELS 768·28·28, VIDEO_TOTAL_PIXELS 128000·28·28·0.9); "
           "temporal_patch_size 2 (Qwen2VLVisionConfig); formulas.md §8";
}

}  // namespace vram::plugins::mm
