// encoder_terms.cpp - the encoder towers' and projectors' activations (formulas.md §8, §5.3).
// The towers' weights are ordinary model tensors (groups vision_tower / audio_encoder /
// projector) and core.weights already counts them; these terms charge the work over the raw
// patches or frames, which is often several times the tokens the decoder sees (Qwen2-VL: 4×).
// The tokens themselves reach the decoder's KV cache, activations and logits through Sym::s.
// SPDX-License-Identifier: Apache-2.0
#include "encoder_terms.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "mm_common.hpp"
#include "vram/bytes.hpp"
#include "vram/error.hpp"

namespace vram::plugins::mm {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

const TowerSpec& tower_of(const ModelSpec& m, std::string_view which) { return which == "audio" ? m.audio : m.vision; }
std::string_view group_of(std::string_view which) { return which == "audio" ? "audio_encoder" : "vision_tower"; }

bool tower_ready(const TowerSpec& t) {
    return !t.kind.empty() && t.hidden > 0 && t.layers > 0 && t.heads > 0 && t.intermediate > 0;
}

// Inputs of this scenario whose plan runs `which` tower, grouped by modality: each modality is
// its own tower forward (Qwen2-VL encodes images and videos in separate calls).
struct Work {
    std::string modality;
    Plan plan;
};

std::vector<Work> work(const Context& ctx, std::string_view which) {
    std::vector<Work> out;
    for (const InputSpec& in : ctx.scenario().inputs) {
        // Inputs counted by another plugin's tokenizer carry no plan: their encoder is that plugin's.
        const MmTokenizer* t = select(ctx.model(), in);
        if (!t) continue;
        Plan p = t->plan(ctx.model(), in);
        if (p.tower == which) out.push_back({in.modality, std::move(p)});
    }
    return out;
}

// SwiGLU MLP in the tower (Qwen2.5-VL's vision blocks) instead of fc1-GELU-fc2.
bool gated_mlp(const ModelSpec& m, std::string_view group) {
    return std::any_of(m.tensors.begin(), m.tensors.end(),
                       [&](const Tensor& t) { return starts_with(t.group, group) && t.module == "gate_proj"; });
}

// Whether any parameter of `group` receives gradients: a trainable tensor of the group, or a
// LoRA adapter (group "adapters", named after its base Linear) on one of its Linears.
bool group_trainable(const Context& ctx, std::string_view group) {
    if (ctx[Sym::training] == 0) return false;
    const ModelSpec& m = ctx.model();
    if (ctx.trainable_tensors.empty())  // a method that only sets the count: full fine-tuning trains all
        return ctx[Sym::P_trainable] > 0 && ctx[Sym::P_trainable] >= ctx[Sym::P_total];
    for (const Tensor& t : ctx.trainable_tensors) {
        if (starts_with(t.group, group)) return true;
        const auto cut = t.name.find(".lora_");
        if (cut == std::string::npos) continue;
        const std::string_view base(t.name.data(), cut);
        for (const Tensor& b : m.tensors)
            if (b.layer == t.layer && starts_with(b.group, group) && b.name.size() == base.size() + 7 &&
                starts_with(b.name, base) && b.name.compare(base.size(), 7, ".weight") == 0)
                return true;
    }
    return false;
}

bool first_stage(const Context& ctx) { return ctx[Sym::stage] == 0; }

std::string n(double v) { return format_number(v); }

// The two towers: the one a term covers and the ids of its terms.
struct Vision {
    static constexpr std::string_view kWhich = "vision", kPrefill = "mm.encoder.vision.prefill",
                                      kSaved = "mm.encoder.vision.activations";
};
struct Audio {
    static constexpr std::string_view kWhich = "audio", kPrefill = "mm.encoder.audio.prefill",
                                      kSaved = "mm.encoder.audio.activations";
};

// ---- inference: one tower layer's live set -----------------------------------------------------

template <class Tower>
class TowerPrefill final : public TermInfo<TowerPrefill<Tower>> {
public:
    static constexpr std::string_view kId = Tower::kPrefill;
    static constexpr Category kCategory = Category::encoder;
    static constexpr std::string_view kFormula =
        "max over modalities of b · P · (2·h_v + k·F_v) · bytes_act / t, P = Σ patches per forward, k = 2 "
        "(GELU MLP) or 3 (SwiGLU); LLaVA keeps every layer's hidden state: (L_v+1)·h_v instead of 2·h_v; "
        "without flash/SDPA + b · Σ_units n_heads_v · N² · (bytes_act + 4) / t (Qwen2-VL: one unit at a time)";
    static constexpr std::string_view kSource =
        "peak inside one encoder layer over the patches (formulas.md §8): residual and normed states, MLP "
        "intermediates; eager attention's bf16 scores and fp32 softmax per image (CLIP/SigLIP/Whisper batch "
        "all images, transformers Qwen2-VL vision attention loops over cu_seqlens chunks without flash). "
        "Added to the decoder's prefill transient although the two run one after the other: an upper bound";
    bool applies(const Context& ctx) const override {
        return ctx[Sym::training] == 0 && ctx.scenario().runtime.engine == "hf" && first_stage(ctx) &&
               tower_ready(tower_of(ctx.model(), which_)) && !work(ctx, which_).empty();
    }
    Bytes compute(const Context& ctx, std::string* explain) const override {
        if (explain) explain->clear();
        const Bytes bytes = to_bytes(peak(ctx, explain), kId.data());
        if (explain) *explain += " = " + format_count(bytes) + " B";
        return bytes;
    }

private:
    static constexpr std::string_view which_ = Tower::kWhich;

    // The largest modality's live set; appends its substituted formula to `text` when not null.
    static double peak(const Context& ctx, std::string* text) {
        const ModelSpec& m = ctx.model();
        const TowerSpec& tw = tower_of(m, which_);
        const auto all = work(ctx, which_);
        const double b = ctx[Sym::b], t = ctx[Sym::t], bytes = ctx[Sym::bytes_act];
        const double h = static_cast<double>(tw.hidden), f = static_cast<double>(tw.intermediate);
        const double heads = static_cast<double>(tw.heads), layers = static_cast<double>(tw.layers);
        const double k = gated_mlp(m, group_of(which_)) ? 3.0 : 2.0;
        const bool flash = ctx[Sym::flash] != 0;
        double best = 0;
        std::vector<std::string> seen;
        for (const Work& w : all) {
            if (std::find(seen.begin(), seen.end(), w.modality) != seen.end()) continue;
            seen.push_back(w.modality);
            double positions = 0, scores = 0, max_n = 0;
            bool keeps = false, chunked = false;
            for (const Work& x : all) {
                if (x.modality != w.modality) continue;
                const auto units = static_cast<double>(x.plan.batched_units);
                const auto per = static_cast<double>(x.plan.positions);
                positions += units * per;
                scores += units * per * per;
                max_n = std::max(max_n, per);
                keeps = keeps || x.plan.keeps_hidden_states;
                chunked = chunked || x.plan.chunked_attention;
            }
            const double width = keeps ? (layers + 1) * h : 2 * h;
            double v = b * positions * (width + k * f) * bytes / t;
            double eager = 0;
            if (!flash) eager = (chunked ? heads * max_n * max_n : b * heads * scores) * (bytes + 4) / t;
            v += eager;
            if (text) {
                if (!text->empty()) *text += "; max with ";
                *text += w.modality + ": " + n(b) + " · " + n(positions) + " · (" +
                         (keeps ? "(" + n(layers) + "+1)·" + n(h) : "2·" + n(h)) + " + " + n(k) + "·" + n(f) + ") · " +
                         n(bytes) + " / " + n(t);
                if (!flash)
                    *text += chunked ? " + " + n(heads) + " · " + n(max_n) + "² · " + n(bytes + 4) + " / " + n(t)
                                     : " + " + n(b) + " · " + n(heads) + " · " + n(scores) + " (Σ N²) · " +
                                           n(bytes + 4) + " / " + n(t);
            }
            best = std::max(best, v);
        }
        return best;
    }
};

// ---- training: activations the tower saves for backward -----------------------------------------

template <class Tower>
class TowerSaved final : public TermInfo<TowerSaved<Tower>> {
public:
    static constexpr std::string_view kId = Tower::kSaved;
    static constexpr Category kCategory = Category::encoder;
    static constexpr std::string_view kFormula =
        "L_v · b · P · (8·h_v + k·F_v) · bytes_act / t, P = Σ patches per sample, k = 2 (GELU MLP) or 4 "
        "(SwiGLU); without flash + L_v · b · Σ_units n_heads_v · N² · (bytes_act + 4) / t; full "
        "checkpointing: L_v · b · P · h_v · bytes_act + one layer; selective: no N² term";
    static constexpr std::string_view kSource =
        "formulas.md §5.3 applied to the tower with s = N_patches (§8): per position the inputs of both "
        "norms, of the QKV and output projections, Q, K, V and the MLP (8·h_v), the MLP intermediates (2·F_v "
        "for fc1-GELU-fc2, 4·F_v gated); counted only when a tower parameter is trainable (full fine-tuning, "
        "or LoRA targets that match tower Linears); a frozen tower before every trainable module saves nothing";
    // Live during the training step only (not during a GRPO generation phase).
    std::string_view phase() const override { return "training"; }
    bool applies(const Context& ctx) const override {
        return ctx[Sym::training] > 0 && first_stage(ctx) && tower_ready(tower_of(ctx.model(), which_)) &&
               group_trainable(ctx, group_of(which_)) && !work(ctx, which_).empty();
    }
    Bytes compute(const Context& ctx, std::string* explain) const override {
        const Bytes bytes = to_bytes(saved(ctx, explain), kId.data());
        if (explain) *explain += " = " + format_count(bytes) + " B";
        return bytes;
    }

private:
    static constexpr std::string_view which_ = Tower::kWhich;

    // Saved bytes of the tower's layers; writes its substituted formula to `text` when not null.
    static double saved(const Context& ctx, std::string* text) {
        const ModelSpec& m = ctx.model();
        const TowerSpec& tw = tower_of(m, which_);
        const double b = ctx[Sym::b], t = ctx[Sym::t], bytes = ctx[Sym::bytes_act];
        const double h = static_cast<double>(tw.hidden), f = static_cast<double>(tw.intermediate);
        const double heads = static_cast<double>(tw.heads), layers = static_cast<double>(tw.layers);
        const double k = gated_mlp(m, group_of(which_)) ? 4.0 : 2.0;
        double positions = 0, scores = 0;
        for (const Work& w : work(ctx, which_)) {
            const auto units = static_cast<double>(w.plan.units);
            const auto per = static_cast<double>(w.plan.positions);
            positions += units * per;
            scores += units * per * per;
        }
        const double linear = b * positions * (8 * h + k * f) * bytes / t;
        const double quad = ctx[Sym::flash] != 0 ? 0 : b * heads * scores * (bytes + 4) / t;
        // The encoders' own setting (ms-swift vit_gradient_checkpointing), else the model's.
        const TrainingSpec& ts = ctx.scenario().training;
        const std::string& ckpt =
            ts.encoder_gradient_checkpointing == "auto" ? ts.gradient_checkpointing : ts.encoder_gradient_checkpointing;
        if (ckpt == "op")
            throw ParamError("training.encoder_gradient_checkpointing",
                             "training.encoder_gradient_checkpointing: op-level checkpointing is modelled for the "
                             "language model's layers; give the encoders full, selective or none");
        double v = 0;
        std::string how;
        if (ckpt == "full") {
            v = layers * b * positions * h * bytes / t + linear + quad;
            how = n(layers) + " · " + n(b) + " · " + n(positions) + " · " + n(h) + " · " + n(bytes) + " / " + n(t) +
                  " (layer inputs) + one layer recomputed: ";
        } else if (ckpt == "selective") {
            v = layers * linear;
            how = n(layers) + " layers × ";
        } else {
            v = layers * (linear + quad);
            how = n(layers) + " layers × ";
        }
        if (text) {
            *text = how + n(b) + " · " + n(positions) + " patches · (8·" + n(h) + " + " + n(k) + "·" + n(f) + ") · " +
                    n(bytes) + " / " + n(t);
            if (quad > 0 && ckpt != "selective")
                *text += " + " + n(b) + " · " + n(heads) + " · " + n(scores) + " (Σ N²) · " + n(bytes + 4) + " / " + n(t);
        }
        return v;
    }
};

// ---- training: activations the projector saves --------------------------------------------------

// Elements the projector saves per position it runs on: every Linear's input, every activation's
// input (the outputs of all but the last Linear) and, when it starts with a norm, the norm's input
// (as wide as the first Linear's input). LLaVA mlp2x_gelu: h_v + h + h; Qwen2-VL PatchMerger:
// 4h_v (LN over the 4 merged patches) + 4h_v + 4h_v + 4h_v = 16·h_v.
// Input and output width of a projector matrix. Gemma 3 stores mm_input_projection_weight as a
// bare [vision, text] parameter used as x @ W, the transpose of a Linear's [out, in].
std::pair<double, double> in_out(const Tensor& t) {
    const auto rows = static_cast<double>(t.rows), cols = static_cast<double>(t.cols);
    return t.module == "mm_input_projection" ? std::pair{rows, cols} : std::pair{cols, rows};
}

bool is_norm(const Tensor& t) {
    if (t.linear || t.cols != 1 || t.name.find("bias") != std::string::npos) return false;
    // LayerNorm/RMSNorm weights: "...norm..." (Gemma 3 mm_soft_emb_norm), "ln_q" (Qwen2-VL merger).
    return t.name.find("norm") != std::string::npos || t.name.find("ln_") != std::string::npos ||
           t.name.find(".ln.") != std::string::npos;
}

double projector_elements(const ModelSpec& m) {
    std::vector<const Tensor*> linears;
    bool norm = false;
    for (const Tensor& t : m.tensors) {
        if (!starts_with(t.group, "projector")) continue;
        if (t.linear) linears.push_back(&t);
        else if (is_norm(t) && linears.empty()) norm = true;  // a norm in front of the first matrix
    }
    if (linears.empty()) return 0;
    double e = norm ? in_out(*linears.front()).first : 0;
    for (std::size_t i = 0; i < linears.size(); ++i) {
        e += in_out(*linears[i]).first;
        if (i + 1 < linears.size()) e += in_out(*linears[i]).second;
    }
    return e;
}

class ProjectorSaved final : public TermInfo<ProjectorSaved> {
public:
    static constexpr std::string_view kId = "mm.projector.activations";
    static constexpr Category kCategory = Category::encoder;
    static constexpr std::string_view kFormula =
        "b · Σ projector positions · (Σ Linear inputs + Σ hidden activations + norm input) · bytes_act / t";
    static constexpr std::string_view kSource =
        "autograd saves each Linear's input for its weight gradient and each GELU's input (formulas.md §5.3 "
        "bookkeeping, §8 'only the projector input' when the tower is frozen); counted when the projector "
        "or a tower before it is trainable";
    std::string_view phase() const override { return "training"; }
    bool applies(const Context& ctx) const override {
        if (ctx[Sym::training] == 0 || !first_stage(ctx) || projector_elements(ctx.model()) == 0) return false;
        if (!group_trainable(ctx, "projector") && !group_trainable(ctx, "vision_tower") &&
            !group_trainable(ctx, "audio_encoder"))
            return false;
        return positions(ctx) > 0;
    }
    Bytes compute(const Context& ctx, std::string* explain) const override {
        const double p = positions(ctx), elements = projector_elements(ctx.model());
        const Bytes bytes = to_bytes(ctx[Sym::b] * p * elements * ctx[Sym::bytes_act] / ctx[Sym::t], kId.data());
        if (explain)
            *explain = n(ctx[Sym::b]) + " · " + n(p) + " · " + n(elements) + " · " + n(ctx[Sym::bytes_act]) + " / " +
                       n(ctx[Sym::t]) + " = " + format_count(bytes) + " B";
        return bytes;
    }

private:
    static double positions(const Context& ctx) {
        double p = 0;
        for (const InputSpec& in : ctx.scenario().inputs)
            if (const MmTokenizer* t = select(ctx.model(), in))
                p += static_cast<double>(t->plan(ctx.model(), in).projector_positions);
        return p;
    }
};

}  // namespace

std::vector<std::unique_ptr<Component>> make_encoder_terms() {
    std::vector<std::unique_ptr<Component>> out;
    out.push_back(std::make_unique<TowerPrefill<Vision>>());
    out.push_back(std::make_unique<TowerPrefill<Audio>>());
    out.push_back(std::make_unique<TowerSaved<Vision>>());
    out.push_back(std::make_unique<TowerSaved<Audio>>());
    out.push_back(std::make_unique<ProjectorSaved>());
    return out;
}

}  // namespace vram::plugins::mm
