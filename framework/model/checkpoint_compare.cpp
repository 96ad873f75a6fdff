// checkpoint_compare.cpp - a hub checkpoint's safetensors headers against the family's tensors
// (issue 17): per decoder layer and outside the stack, elements and names.
// SPDX-License-Identifier: Apache-2.0
#include "model/checkpoint_compare.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

namespace vram {
namespace {

using Shape = std::vector<std::int64_t>;

std::vector<std::string> parts_of(const std::string& name) {
    std::vector<std::string> out;
    std::size_t begin = 0;
    for (std::size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', begin)) {
        out.push_back(name.substr(begin, dot - begin));
        begin = dot + 1;
    }
    out.push_back(name.substr(begin));
    return out;
}

std::string join(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t i = from; i < to; ++i) out += (i == from ? "" : ".") + parts[i];
    return out;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool ends_with(std::string_view s, std::string_view tail) {
    return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

/// `name` is `tail`, or ends with "." + tail: a suffix on a name-part boundary.
bool ends_with_part(std::string_view name, std::string_view tail) {
    if (!ends_with(name, tail)) return false;
    return name.size() == tail.size() || name[name.size() - tail.size() - 1] == '.';
}

std::string last_part(const std::string& name) {
    const auto dot = name.rfind('.');
    return dot == std::string::npos ? name : name.substr(dot + 1);
}

Shape shape_of(const Tensor& t) { return t.cols == 1 ? Shape{t.rows} : Shape{t.rows, t.cols}; }

/// The decoder stack's place in a name: the first "<stack>.<digits>." where <stack> is one of
/// the names HF models give their layer list (model.layers, transformer.h, backbone.layers,
/// rwkv.blocks, transformer.blocks, decoder.block, encoder.layer ...).
struct StackPosition {
    std::string prefix;   ///< "model.layers."
    std::int32_t index = -1;
    std::string suffix;   ///< "self_attn.q_proj.weight"
};

std::optional<StackPosition> stack_position(const std::string& name) {
    static const std::set<std::string, std::less<>> stacks{"layers", "h", "blocks", "block", "layer"};
    const auto parts = parts_of(name);
    for (std::size_t i = 1; i + 1 < parts.size(); ++i)
        if (stacks.count(parts[i - 1]) && all_digits(parts[i]) && parts[i].size() <= 6)
            return StackPosition{join(parts, 0, i) + ".", static_cast<std::int32_t>(std::stoi(parts[i])),
                                 join(parts, i + 1, parts.size())};
    return std::nullopt;
}

/// "mlp.experts.5.gate_proj.weight" -> "mlp.experts.gate_proj.weight": one routed expert of the
/// family's entry with `copies` (block_sparse_moe.experts.E.w1, mlp.experts.E.down_proj ...).
std::string without_expert_index(const std::string& suffix) {
    const auto parts = parts_of(suffix);
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < parts.size(); ++i)
        if (!(i > 0 && all_digits(parts[i]) && ends_with(parts[i - 1], "experts"))) kept.push_back(parts[i]);
    return join(kept, 0, kept.size());
}

/// dtypes a quantizer packs several parameters into (GPTQ/AWQ int32 qweight, bitsandbytes and
/// NVFP4 uint8, MXFP4 uint8 blocks): their elements are not parameters.
bool packed_dtype(const std::string& d) { return d == "I32" || d == "U32" || d == "I16" || d == "U16" || d == "U8"; }

/// Tensors a quantizer stores beside each weight: GPTQ/AWQ qzeros, scales, g_idx; bitsandbytes
/// absmax, quant_map, quant_state, SCB; compressed-tensors and FP8 weight_scale(_inv), input_scale,
/// zero points; MXFP4 *_scales. No family lists them: they are quantization data, not parameters.
bool quantizer_tensor(const std::string& name, bool quantized) {
    static const std::set<std::string, std::less<>> exact{
        "qzeros", "scales", "g_idx", "absmax", "quant_map", "nested_absmax", "nested_quant_map", "SCB",
        "weight_format", "weight_shape", "weight_g_idx", "weight_zero_point", "input_zero_point", "k_scale",
        "v_scale", "q_scale", "output_scale", "weight_global_scale", "input_global_scale"};
    const std::string last = last_part(name);
    if (exact.count(last) || name.find(".quant_state.") != std::string::npos) return true;
    if (last.rfind("weight_scale", 0) == 0 || last.rfind("input_scale", 0) == 0) return true;
    return quantized && last.size() > 7 && ends_with(last, "_scales");
}

/// The family's buffers (its `buffers:` list, kept in the note family files write) and the
/// buffers older checkpoints saved (rotary inv_freq, position ids): state, not parameters.
std::vector<std::string> buffer_names(const ModelSpec& model) {
    std::vector<std::string> out{"inv_freq", "position_ids", "token_type_ids", "masked_bias"};
    const std::string lead = "buffers, not parameters: ";
    for (const auto& note : model.notes) {
        if (note.rfind(lead, 0) != 0) continue;
        std::string rest = note.substr(lead.size());
        for (std::size_t at = 0; at <= rest.size();) {
            const auto comma = rest.find(", ", at);
            out.push_back(rest.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
            if (comma == std::string::npos) break;
            at = comma + 2;
        }
    }
    return out;
}

struct FamilyEntry {
    const Tensor* t;
    std::int64_t claimed = 0;  ///< copies the checkpoint holds
};

enum class Role { open, claimed, quantizer, buffer, set_aside, not_attributed };

struct CheckEntry {
    const CheckpointTensor* t = nullptr;
    std::string base;          ///< name after the quantizers' renames (qweight -> weight)
    bool packed = false;
    Role role = Role::open;
    std::int32_t layer = -1;   ///< decoder layer; -1 outside the stack
    std::string key;           ///< name within the layer, expert index dropped: what is matched
    std::string shown;         ///< as reported: the stored name within the layer, or the full name
};

class Comparer {
public:
    static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

    Comparer(const ModelSpec& model, const CheckpointInfo& info) : model_(model), info_(info) {}

    CheckpointComparison run() {
        collect_family();
        classify_checkpoint();
        // Outside names first, so that a stack the family names in full (a vision tower's
        // encoder.layers.N, T5's encoder.block.N) is never taken for the decoder stack.
        for (std::size_t c = 0; c < checks_.size(); ++c)
            if (checks_[c].role == Role::open)
                if (auto it = exact_.find(key_of(-1, checks_[c].base)); it != exact_.end()) claim(c, it->second);
        place_in_stack();
        match_outside();
        set_aside();
        attribute();
        return result();
    }

private:
    static std::string key_of(std::int32_t layer, const std::string& name) { return std::to_string(layer) + ":" + name; }

    void collect_family() {
        for (const Tensor& t : model_.tensors) {
            exact_.emplace(key_of(t.layer, t.name), family_.size());
            by_layer_[t.layer].push_back(family_.size());
            family_.push_back({&t});
            if (t.embedding) embedding_sizes_.insert(t.numel());
        }
    }

    void classify_checkpoint() {
        std::set<std::string, std::less<>> names;
        for (const auto& t : info_.entries) names.insert(t.name);
        quantized_ = !info_.quantization.empty();
        for (const auto& t : info_.entries)
            if (packed_dtype(t.dtype) || quantizer_tensor(t.name, false)) quantized_ = true;
        const auto buffers = buffer_names(model_);
        for (const auto& t : info_.entries) {
            CheckEntry c;
            c.t = &t;
            c.base = t.name;
            c.packed = quantized_ && packed_dtype(t.dtype);
            const std::string last = last_part(t.name);
            const std::string parent = t.name.substr(0, t.name.size() - last.size());
            if (quantized_ && (last == "qweight" || last == "weight_packed")) {
                c.base = parent + "weight";
                c.packed = true;
            } else if (quantized_ && ends_with(last, "_blocks")) {  // MXFP4: gate_up_proj_blocks
                c.base = parent + last.substr(0, last.size() - 7) + ".weight";
                c.packed = true;
            } else if (quantized_ && ends_with(last, "_bias") &&
                       names.count(parent + last.substr(0, last.size() - 5) + "_blocks")) {
                c.base = parent + last.substr(0, last.size() - 5) + ".bias";
            }
            if (quantizer_tensor(t.name, quantized_)) {
                c.role = Role::quantizer;
            } else if (t.dtype == "I64" || t.dtype == "BOOL" ||
                       std::any_of(buffers.begin(), buffers.end(), [&](const std::string& b) { return ends_with_part(c.base, b); })) {
                c.role = Role::buffer;
            }
            checks_.push_back(std::move(c));
        }
    }

    /// The family tensor a checkpoint tensor of layer `layer` named `key` stands for: the same
    /// name, the name with ".weight" (fused expert parameters are stored bare), or, when exactly
    /// one family name qualifies, one name ending the other.
    std::optional<std::size_t> match_in_layer(std::int32_t layer, const std::string& key) const {
        if (auto it = exact_.find(key_of(layer, key)); it != exact_.end()) return it->second;
        if (auto it = exact_.find(key_of(layer, key + ".weight")); it != exact_.end()) return it->second;
        const auto list = by_layer_.find(layer);
        if (list == by_layer_.end()) return std::nullopt;
        std::optional<std::size_t> found;
        for (std::size_t f : list->second) {
            const std::string& n = family_[f].t->name;
            if (!ends_with_part(key, n) && !ends_with_part(n, key)) continue;
            if (found) return std::nullopt;  // ambiguous: claim nothing rather than the wrong one
            found = f;
        }
        return found;
    }

    void claim(std::size_t c, std::size_t f) {
        CheckEntry& ck = checks_[c];
        FamilyEntry& fe = family_[f];
        ck.role = Role::claimed;
        const std::int64_t numel = fe.t->numel(), copies = fe.t->copies;
        const auto n = static_cast<std::int64_t>(ck.t->elements());
        // A tensor of rank 3 (or holding exactly all copies) stores every routed expert at once
        // (Llama 4, gpt-oss: experts.gate_up_proj [E, h, 2F]); one of rank 2 is one expert.
        const bool fused = copies > 1 && (ck.t->shape.size() >= 3 || n == numel * copies);
        fe.claimed += fused ? copies : 1;
        if (!ck.packed && n != (fused ? numel * copies : numel)) shape_differs_.emplace_back(c, f);
    }

    void place_in_stack() {
        // Candidate stacks, each scored by how many of its tensors name a family tensor of their
        // layer less how many do not: a vision encoder's layers, named like the decoder's in part,
        // lose to the decoder stack itself.
        std::map<std::string, std::vector<std::size_t>> candidates;
        for (std::size_t c = 0; c < checks_.size(); ++c) {
            if (checks_[c].role != Role::open) continue;
            if (auto pos = stack_position(checks_[c].base)) {
                checks_[c].key = without_expert_index(pos->suffix);
                checks_[c].layer = pos->index;
                candidates[pos->prefix].push_back(c);
            }
        }
        long best = 0;
        for (const auto& [prefix, list] : candidates) {
            long score = 0;
            for (std::size_t c : list) score += match_in_layer(checks_[c].layer, checks_[c].key) ? 1 : -1;
            if (score > best) best = score, stack_ = prefix;
        }
        for (auto& [prefix, list] : candidates) {
            if (prefix == stack_) continue;
            for (std::size_t c : list) checks_[c].layer = -1, checks_[c].key.clear();
        }
        const auto stack_list = candidates.find(stack_);
        if (stack_.empty() || stack_list == candidates.end()) return;
        for (std::size_t c : stack_list->second) {
            CheckEntry& ck = checks_[c];
            const auto stored = stack_position(ck.t->name);
            ck.shown = stored ? stored->suffix : ck.key;
            if (by_layer_.count(ck.layer)) {
                if (auto f = match_in_layer(ck.layer, ck.key)) claim(c, *f);
            } else if (ck.layer >= model_.layers) {
                // Multi-token-prediction layers the family does not count (config.json's
                // num_hidden_layers ends the stack the model runs).
                not_attributed(stack_ + std::to_string(model_.layers) + " and above",
                               "beyond num_hidden_layers = " + std::to_string(model_.layers) +
                                   " (multi-token prediction, which the family does not count)",
                               c);
            }
        }
    }

    void not_attributed(const std::string& what, const std::string& why, std::size_t c) {
        checks_[c].role = Role::not_attributed;
        auto it = std::find_if(unattributed_.begin(), unattributed_.end(), [&](const NotAttributed& n) { return n.what == what; });
        if (it == unattributed_.end()) it = unattributed_.insert(unattributed_.end(), NotAttributed{what, why});
        ++it->tensors;
        it->elements += static_cast<std::int64_t>(checks_[c].t->elements());
    }

    static std::string without_wrappers(const std::string& name) {
        // "language_model.model.embed_tokens.weight" and "model.language_model.embed_tokens.weight"
        // are the same tensor saved by two transformers versions.
        auto parts = parts_of(name);
        parts.erase(std::remove_if(parts.begin(), parts.end(),
                                   [](const std::string& p) { return p == "model" || p == "language_model"; }),
                    parts.end());
        return join(parts, 0, parts.size());
    }

    /// The unclaimed outside family tensor `name` stands for, when exactly one qualifies.
    template <class Same>
    std::size_t unique_outside(const std::vector<std::size_t>& outside, Same same) const {
        std::size_t found = kNone;
        for (std::size_t f : outside) {
            if (family_[f].claimed > 0 || !same(family_[f].t->name)) continue;
            if (found != kNone) return kNone;
            found = f;
        }
        return found;
    }

    void match_outside() {
        for (auto& ck : checks_)
            if (ck.layer < 0) ck.shown = ck.t->name;
        const auto outside = by_layer_.find(-1);
        if (outside == by_layer_.end()) return;
        for (std::size_t c = 0; c < checks_.size(); ++c) {
            CheckEntry& ck = checks_[c];
            if (ck.role != Role::open || ck.layer >= 0) continue;
            std::size_t f = unique_outside(outside->second, [&](const std::string& n) {
                return ends_with_part(ck.base, n) || ends_with_part(n, ck.base);
            });
            if (f == kNone) {
                const std::string bare = without_wrappers(ck.base);
                f = unique_outside(outside->second, [&](const std::string& n) { return without_wrappers(n) == bare; });
            }
            if (f != kNone) claim(c, f);
        }
    }

    void set_aside() {
        for (std::size_t c = 0; c < checks_.size(); ++c) {
            CheckEntry& ck = checks_[c];
            if (ck.role != Role::open) continue;
            const auto n = static_cast<std::int64_t>(ck.t->elements());
            if (ck.layer < 0 && model_.tied_embeddings && ends_with_part(ck.base, "lm_head.weight") &&
                embedding_sizes_.count(n)) {
                // save_pretrained drops a tied head, but some uploads keep it: the same weights.
                ck.role = Role::set_aside;
                notes_.push_back(ck.t->name + " is stored although the embeddings are tied: the family counts it once");
            } else if (ck.layer >= model_.layers &&
                       (ends_with_part(ck.key, "embed_tokens.weight") || ends_with_part(ck.key, "shared_head.head.weight") ||
                        embedding_sizes_.count(n))) {
                // DeepSeek-V3 / GLM-4.5 MTP layers carry copies of the embedding and the head.
                ck.role = Role::set_aside;
                ++mtp_copies_;
            } else if (quantized_ && ends_with(ck.key.empty() ? ck.base : ck.key, ".bias")) {
                // GPTQ exports store a bias on every quantized Linear, zeros where the model has none.
                const std::string stem = (ck.key.empty() ? ck.base : ck.key);
                const std::string weight = stem.substr(0, stem.size() - 5) + ".weight";
                const auto f = ck.layer >= 0 ? match_in_layer(ck.layer, weight) : std::nullopt;
                if (f && family_[*f].t->linear && family_[*f].claimed > 0) ck.role = Role::set_aside, ++quantizer_biases_;
            }
        }
    }

    static std::string root_of(const std::string& name) {
        const auto parts = parts_of(name);
        return parts.size() >= 3 && parts[0] == "model" ? parts[0] + "." + parts[1] : parts[0];
    }

    void attribute() {
        // What sits outside the language model (a vision tower, a projector, an MTP module the
        // family does not count) is reported as not attributed, not as an error: it belongs to the
        // language model when it is under the stack's parent ("model." of "model.layers."), under a
        // root some compared tensor has, or directly on the model ("lm_head.weight", "score.weight").
        const std::string lm_root = stack_.empty() ? "" : stack_.substr(0, stack_.rfind('.', stack_.size() - 2) + 1);
        std::set<std::string> roots;
        for (const auto& ck : checks_)
            if (ck.role == Role::claimed) roots.insert(root_of(ck.t->name));
        for (std::size_t c = 0; c < checks_.size(); ++c) {
            const CheckEntry& ck = checks_[c];
            if (ck.role != Role::open || ck.layer >= 0) continue;
            const bool belongs = stack_.empty() || (!lm_root.empty() && ck.t->name.rfind(lm_root, 0) == 0) ||
                                 roots.count(root_of(ck.t->name)) || parts_of(ck.t->name).size() <= 2;
            if (!belongs)
                not_attributed(root_of(ck.t->name) + ".",
                               "outside the language model the family counts (a vision or audio tower, a projector, "
                               "an MTP module)",
                               c);
        }
    }

    CheckpointComparison result() {
        CheckpointComparison r;
        r.source = info_.source;
        r.files = info_.files;
        r.tensors = info_.tensors;
        r.bytes = info_.bytes;
        r.elements = info_.elements;
        r.quantization = info_.quantization;
        r.family_tensors = family_.size();
        std::size_t packed = 0, quantizer = 0, buffers = 0;
        std::string packed_dtypes;
        for (const auto& ck : checks_) {
            if (ck.role == Role::quantizer) ++quantizer;
            if (ck.role == Role::buffer) ++buffers;
            if (ck.role != Role::open && ck.role != Role::claimed) continue;
            ++r.checkpoint_tensors;
            r.checkpoint_elements += static_cast<std::int64_t>(ck.t->elements());
            if (ck.packed) {
                ++packed;
                if (packed_dtypes.find(ck.t->dtype) == std::string::npos)
                    packed_dtypes += (packed_dtypes.empty() ? "" : ", ") + ck.t->dtype;
            }
        }
        const std::string method = info_.quantization.empty() ? "no quantization_config"
                                                              : "quantization_config.quant_method: " + info_.quantization;
        if (packed > 0) {
            r.by_elements = false;
            r.reason = "quantized checkpoint (" + method + "; " + std::to_string(packed) + " packed " + packed_dtypes +
                       " tensors hold several parameters per stored element): tensors are compared by presence, "
                       "and by shape where stored unpacked";
        } else if (quantized_) {
            r.notes.push_back("quantized checkpoint (" + method + ") storing one element per parameter: compared by "
                              "elements, the quantizer's scale tensors set aside");
        }
        if (quantizer > 0)
            r.notes.push_back(std::to_string(quantizer) + " quantization tensors (scales, zero points, indices) "
                                                         "are not parameters: not compared");
        if (buffers > 0) r.notes.push_back(std::to_string(buffers) + " buffers (rotary inv_freq, position ids, integer "
                                                                    "tensors) are not parameters: not compared");
        if (mtp_copies_ > 0)
            r.notes.push_back(std::to_string(mtp_copies_) + " copies of the embedding or head in the multi-token-prediction "
                                                            "layers: shared weights, counted once by the family");
        if (quantizer_biases_ > 0)
            r.notes.push_back(std::to_string(quantizer_biases_) + " biases the quantizer stored on Linears the family "
                                                                  "gives none: not compared");
        r.notes.insert(r.notes.end(), notes_.begin(), notes_.end());
        r.not_attributed = unattributed_;

        // Places: outside the stack (-1) first, then each layer either side has.
        std::map<std::int32_t, CheckpointDifference> places;
        for (const auto& fe : family_) {
            auto& d = places[fe.t->layer];
            d.family_elements += fe.t->numel() * fe.t->copies;
            r.family_elements += fe.t->numel() * fe.t->copies;
            if (fe.claimed < fe.t->copies)
                d.missing_in_checkpoint.push_back({fe.t->name, shape_of(*fe.t), fe.t->copies - fe.claimed, fe.t->copies});
            else if (fe.claimed > fe.t->copies)  // more routed experts than the family counts
                d.missing_in_family.push_back({fe.t->name, shape_of(*fe.t), fe.claimed - fe.t->copies, fe.t->copies});
        }
        for (const auto& ck : checks_) {
            if (ck.role != Role::open && ck.role != Role::claimed) continue;
            auto& d = places[ck.layer];
            d.checkpoint_elements = std::max<std::int64_t>(d.checkpoint_elements, 0) + static_cast<std::int64_t>(ck.t->elements());
            if (ck.role == Role::open) d.missing_in_family.push_back({ck.shown, ck.t->shape, 1, 1});
        }
        for (const auto& [c, f] : shape_differs_) {
            const Tensor& t = *family_[f].t;
            places[t.layer].different_shape.push_back({t.name, shape_of(t), t.copies, checks_[c].t->shape});
        }
        for (auto& [layer, d] : places) {
            if (d.checkpoint_elements < 0) d.checkpoint_elements = 0;
            if (!r.by_elements) d.checkpoint_elements = -1;
            const bool differs = !d.missing_in_family.empty() || !d.missing_in_checkpoint.empty() ||
                                 !d.different_shape.empty() || (r.by_elements && d.family_elements != d.checkpoint_elements);
            if (!differs) continue;
            d.layer = layer;
            d.where = layer < 0 ? "outside the layers" : "layer " + std::to_string(layer);
            r.differences.push_back(std::move(d));
        }
        return r;
    }

    const ModelSpec& model_;
    const CheckpointInfo& info_;
    std::vector<FamilyEntry> family_;
    std::unordered_map<std::string, std::size_t> exact_;   ///< "layer:name" -> family entry
    std::map<std::int32_t, std::vector<std::size_t>> by_layer_;
    std::set<std::int64_t> embedding_sizes_;
    std::vector<CheckEntry> checks_;
    std::vector<std::pair<std::size_t, std::size_t>> shape_differs_;
    std::vector<NotAttributed> unattributed_;
    std::vector<std::string> notes_;
    std::string stack_;
    bool quantized_ = false;
    std::size_t mtp_copies_ = 0;
    std::size_t quantizer_biases_ = 0;
};

}  // namespace

CheckpointComparison compare_checkpoint(const ModelSpec& model, const CheckpointInfo& checkpoint) {
    return Comparer(model, checkpoint).run();
}

}  // namespace vram
