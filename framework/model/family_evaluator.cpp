// family_evaluator.cpp - evaluating a parsed family file over one config.json into the exact
// tensor list of its ModelSpec (docs/models.md "Family files").
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "model/family_definition.hpp"
#include "vram/error.hpp"
#include "vram/model_builder.hpp"

namespace vram {
namespace {

using namespace family_detail;

// ---------------------------------------------------------------------------------------------
// Evaluating a family for one config

// The same bounds as ConfigReader (model_builder.cpp): sizes beyond these are typos or hostile
// input, and bounding them keeps every product inside 64 bits.
constexpr std::int64_t kMaxDimension = std::int64_t{1} << 24;
constexpr std::int64_t kMaxLayers = 16384;
constexpr std::int64_t kMaxTensorSide = std::int64_t{1} << 31;
constexpr std::size_t kMaxTensors = std::size_t{1} << 22;

/// `config` with each default filled where the key is absent or null (maps merge recursively:
/// `text_config:` defaults fill an existing text_config).
ConfigNode with_family_defaults(const ConfigNode& config, const ConfigNode& defaults) {
    ConfigNode out = config;
    for (const auto& [k, v] : defaults.entries()) {
        const ConfigNode* have = out.find(k);
        if (v.is_map() && have && have->is_map()) out.set(k, with_family_defaults(*have, v));
        else if (!have || have->is_null()) out.set(k, v);
    }
    return out;
}

class Evaluator {
public:
    Evaluator(const FamilyDefinition& d, const std::string& where) : d_(d), where_(where) {}

    [[noreturn]] void error(int line, const std::string& field, const std::string& message) const {
        throw ScenarioError(where_, "family " + d_.name + " (" + d_.path + ":" + std::to_string(line) + ") " + field +
                                        ": " + message);
    }
    Value value(const Formula& f, const Scope& s, const std::string& field) const {
        try {
            return eval(*f.root, s);
        } catch (const FamilyProblem& p) {
            error(f.line, field, p.message + " (in '" + f.text + "')");
        }
    }
    std::int64_t integer(const Formula& f, const Scope& s, const std::string& field, std::int64_t lo,
                         std::int64_t hi) const {
        const Value v = value(f, s, field);
        std::int64_t x = 0;
        try {
            x = as_int(v);
        } catch (const FamilyProblem& p) {
            error(f.line, field, p.message + " (in '" + f.text + "')");
        }
        if (x > hi)
            error(f.line, field, "'" + f.text + "' is " + std::to_string(x) + ", beyond any real model; allowed: at most " +
                                     std::to_string(hi));
        if (x < lo)
            error(f.line, field, "'" + f.text + "' is " + std::to_string(x) + "; allowed: at least " + std::to_string(lo));
        return x;
    }
    bool boolean(const Formula& f, const Scope& s, const std::string& field) const {
        return truthy(value(f, s, field));
    }
    std::string text(const Template& t, const Scope& s, int line, const std::string& field) const {
        try {
            return t.render(s);
        } catch (const FamilyProblem& p) {
            error(line, field, p.message);
        }
    }

    void items(const std::vector<FamilyItem>& list, Scope& s, ModelSpec& m, const std::string& group,
               bool forced, std::int32_t layer) const {
        for (const auto& it : list) item(it, s, m, group, forced, layer);
    }

    void item(const FamilyItem& it, Scope& s, ModelSpec& m, const std::string& outer_group, bool forced,
              std::int32_t layer) const {
        if (!it.when.empty() && !boolean(it.when, s, "when")) return;
        std::string group = forced ? outer_group : (it.group.empty() ? outer_group : it.group);
        const bool force = forced || it.force_group;
        if (it.kind == FamilyItem::Kind::buffer) return;  // documented, never counted
        if (it.kind == FamilyItem::Kind::use) {
            items(d_.blocks.at(it.block), s, m, group, force, layer);
            return;
        }
        if (it.kind == FamilyItem::Kind::each_layer || it.kind == FamilyItem::Kind::repeat) {
            const bool each = it.kind == FamilyItem::Kind::each_layer;
            const std::int64_t n = each ? m.layers : integer(it.count, s, "repeat", 0, kMaxLayers);
            // repeat's variable runs from `from` (default 0): MTP layers continue the layer index.
            const std::int64_t first = each || it.from.empty() ? 0 : integer(it.from, s, "from", 0, kMaxLayers);
            for (std::int64_t k = 0; k < n; ++k) {
                const std::size_t mark = s.vars.size();
                std::int32_t l = layer;
                if (each) {
                    const LayerSpec& spec = m.layer_specs[static_cast<std::size_t>(k)];
                    s.set("i", Value::integer(k));
                    s.set("layer_moe", Value::boolean(spec.moe));
                    s.set("layer_attention", Value::string(to_string(spec.attention)));
                    s.set("layer_window", Value::integer(spec.window));
                    s.set("layer_cross_attention", Value::boolean(spec.cross_attention));
                    l = static_cast<std::int32_t>(k);
                } else {
                    s.set(it.var, Value::integer(first + k));
                }
                if (!it.layer.empty()) l = static_cast<std::int32_t>(integer(it.layer, s, "layer", -1, kMaxLayers * 2));
                items(it.children, s, m, group, force, l);
                s.vars.resize(mark);
            }
            return;
        }
        const char* kind_name = family_item_key(it.kind);
        const std::string name = text(it.name, s, it.line, kind_name);
        const std::string field = std::string(kind_name) + " " + name;
        if (group.empty()) {
            if (it.kind == FamilyItem::Kind::embedding) group = "embedding";
            else if (it.kind == FamilyItem::Kind::lm_head) group = "lm_head";
            else if (it.kind == FamilyItem::Kind::norm) group = "norms";
            else error(it.line, field, "group: missing (no enclosing group either)");
        }
        if (!it.layer.empty()) layer = static_cast<std::int32_t>(integer(it.layer, s, field + " layer", -1, kMaxLayers * 2));
        const auto side = [&](const Formula& f, const char* what) {
            return integer(f, s, field + " " + what, 1, kMaxTensorSide);
        };
        const std::int64_t copies = it.copies.empty() ? 1 : integer(it.copies, s, field + " copies", 1, kMaxDimension);
        const std::int64_t active = it.active.empty() ? copies : integer(it.active, s, field + " active", 0, copies);
        const bool bias = !it.bias.empty() && boolean(it.bias, s, field + " bias");
        ModelBuilder b(m);
        const std::size_t before = m.tensors.size();
        switch (it.kind) {
            case FamilyItem::Kind::linear: {
                std::string module = it.module;
                if (module.empty()) module = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
                b.linear(name, module, group, layer, side(it.rows, "out"), side(it.cols, "in"), bias, copies, active);
                break;
            }
            case FamilyItem::Kind::norm:
                b.norm(name, group, layer, side(it.rows, "size"), bias);
                if (copies != 1)
                    for (std::size_t k = before; k < m.tensors.size(); ++k)
                        m.tensors[k].copies = m.tensors[k].active_copies = copies;
                break;
            case FamilyItem::Kind::vector:
                b.vector(name, group, layer, side(it.rows, "size"), copies);
                m.tensors.back().active_copies = active;
                break;
            case FamilyItem::Kind::embedding:
                b.embedding(name, group, side(it.rows, "rows"), side(it.cols, "cols"));
                m.tensors.back().layer = layer;
                break;
            case FamilyItem::Kind::lm_head: {
                const std::int64_t rows = it.rows.empty() ? m.vocab : side(it.rows, "rows");
                const std::int64_t cols = it.cols.empty() ? m.hidden : side(it.cols, "cols");
                b.lm_head(rows, cols, bias);
                Tensor& t = m.tensors[before];
                if (name != "lm_head") {
                    t.name = name + ".weight";
                    t.module = it.module.empty() ? name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1)
                                                 : it.module;
                    if (bias) m.tensors.back().name = name + ".bias";
                }
                t.group = m.tensors.back().group = group;
                break;
            }
            default: {
                b.other(name, group, layer, side(it.rows, "rows"), it.cols.empty() ? 1 : side(it.cols, "cols"), copies);
                Tensor& t = m.tensors.back();
                t.active_copies = active;
                t.linear = it.linear_flag;
                t.embedding = it.embedding_flag;
                if (!it.module.empty() || it.linear_flag)
                    t.module = it.module.empty() ? name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1)
                                                 : it.module;
                break;
            }
        }
        if (m.tensors.size() > kMaxTensors) error(it.line, field, "more than " + std::to_string(kMaxTensors) + " tensors");
    }

    LayerAttention attention_kind(const Formula& f, const Scope& s) const {
        const std::string text = f.text;
        std::string kind = text;
        // A bare word names the kind; anything else is an expression giving one (layer_types[i]).
        static const char* bare[] = {"full", "sliding", "mla", "ssm", "none"};
        if (std::find_if(std::begin(bare), std::end(bare), [&](const char* b) { return text == b; }) == std::end(bare)) {
            const Value v = value(f, s, "layers.attention");
            if (v.kind != Value::Kind::string)
                error(f.line, "layers.attention", "'" + text + "' gave " + show(v) + "; expected a layer kind");
            kind = v.s;
        }
        if (kind == "full" || kind == "full_attention" || kind == "attention" || kind == "global") return LayerAttention::full;
        if (kind == "sliding" || kind == "sliding_attention" || kind == "local") return LayerAttention::sliding;
        if (kind == "mla") return LayerAttention::mla;
        if (kind == "ssm" || kind == "linear_attention" || kind == "mamba") return LayerAttention::ssm;
        if (kind == "none") return LayerAttention::none;
        error(f.line, "layers.attention", "'" + kind + "' is not a layer kind; allowed: full, sliding, mla, ssm, none "
                                          "(or the HF layer_types words full_attention, sliding_attention, "
                                          "linear_attention, mamba)");
    }

    ModelSpec build(const ConfigNode& raw) const {
        const ConfigNode config = with_family_defaults(raw, d_.defaults);
        Scope s;
        s.config = &config;
        for (const auto& [k, f] : d_.derived) s.set(k, value(f, s, "derived." + k));
        for (const auto& [when, message] : d_.refuse)
            if (boolean(when, s, "refuse")) error(when.line, "refuse", message);
        ModelSpec m;
        std::map<std::string, const Formula*> spec;
        for (const auto& [k, f] : d_.spec) spec[k] = &f;
        const auto has = [&](const char* k) { return spec.count(k) > 0; };
        // Spec fields are evaluated in this function's order (hidden, layers, heads, kv_heads,
        // head_dim ...); each is a name the later ones can read (head_dim: hidden / heads).
        const auto get_int = [&](const char* k, std::int64_t fallback, std::int64_t lo = 0) {
            const std::string key = k;
            const std::int64_t v =
                has(k) ? integer(*spec[k], s, "spec." + key, lo, key == "layers" ? kMaxLayers : kMaxDimension) : fallback;
            s.set(key, Value::integer(v));
            return v;
        };
        const auto get_bool = [&](const char* k, bool fallback) {
            const bool v = has(k) ? boolean(*spec[k], s, std::string("spec.") + k) : fallback;
            s.set(k, Value::boolean(v));
            return v;
        };
        const auto get_number = [&](const char* k) {
            if (!has(k)) return 0.0;
            const Value v = value(*spec[k], s, std::string("spec.") + k);
            return v.is_number() ? v.number() : 0.0;
        };
        const auto get_string = [&](const char* k, const std::string& fallback) {
            if (!has(k)) return fallback;
            const Value v = value(*spec[k], s, std::string("spec.") + k);
            return v.kind == Value::Kind::string ? v.s : fallback;
        };
        const ConfigNode* type = config.find("model_type");
        m.model_type = get_string("model_type", type && type->is_string() ? type->as_string() : d_.model_types.front());
        const ConfigNode* dtype = config.first_of({"torch_dtype", "dtype"});
        m.torch_dtype = get_string("torch_dtype", dtype && dtype->is_string() ? dtype->as_string() : "");
        m.hidden = get_int("hidden", 0, 1);
        m.layers = get_int("layers", 0, 1);
        m.heads = get_int("heads", 0, 1);
        m.kv_heads = get_int("kv_heads", m.heads, 1);
        if (!has("head_dim") && m.hidden % m.heads != 0)
            error(spec["heads"]->line, "spec.head_dim", "heads " + std::to_string(m.heads) + " do not divide hidden " +
                                                           std::to_string(m.hidden) + " and spec gives no head_dim");
        m.head_dim = get_int("head_dim", m.hidden / m.heads, 1);
        m.v_head_dim = get_int("v_head_dim", 0);
        m.intermediate = get_int("intermediate", 0);
        m.vocab = get_int("vocab", 0, 1);
        m.max_positions = get_int("max_positions", 0);
        m.tied_embeddings = get_bool("tied_embeddings", false);
        m.gated_mlp = get_bool("gated_mlp", true);
        m.encoder_only = get_bool("encoder_only", false);
        m.attention_dropout = get_number("attention_dropout");
        m.hidden_dropout = get_number("hidden_dropout");
        m.experts = get_int("experts", 0);
        m.experts_per_token = get_int("experts_per_token", 0);
        m.shared_experts = get_int("shared_experts", 0);
        m.moe_intermediate = get_int("moe_intermediate", 0);
        m.shared_intermediate = get_int("shared_intermediate", 0);
        m.q_lora_rank = get_int("q_lora_rank", 0);
        m.kv_lora_rank = get_int("kv_lora_rank", 0);
        m.qk_nope_head_dim = get_int("qk_nope_head_dim", 0);
        m.qk_rope_head_dim = get_int("qk_rope_head_dim", 0);
        m.mtp_layers = get_int("mtp_layers", 0);
        m.index_head_dim = get_int("index_head_dim", 0);
        m.ssm_state = get_int("ssm_state", 0);
        m.ssm_conv = get_int("ssm_conv", 0);
        m.ssm_inner = get_int("ssm_inner", 0);
        m.ssm_heads = get_int("ssm_heads", 0);
        m.ssm_groups = get_int("ssm_groups", 0);
        m.encoder_tokens = get_int("encoder_tokens", 0);
        m.max_target_positions = get_int("max_target_positions", 0);
        // The spec's values are names the layer facts and tensors can read (hidden, head_dim ...).
        const std::pair<const char*, std::int64_t> ints[] = {
            {"hidden", m.hidden}, {"layers", m.layers}, {"heads", m.heads}, {"kv_heads", m.kv_heads},
            {"head_dim", m.head_dim}, {"v_head_dim", m.v_head_dim ? m.v_head_dim : m.head_dim},
            {"intermediate", m.intermediate}, {"vocab", m.vocab}, {"max_positions", m.max_positions},
            {"experts", m.experts}, {"experts_per_token", m.experts_per_token}, {"shared_experts", m.shared_experts},
            {"moe_intermediate", m.moe_intermediate}, {"shared_intermediate", m.shared_intermediate},
            {"q_lora_rank", m.q_lora_rank}, {"kv_lora_rank", m.kv_lora_rank}, {"qk_nope_head_dim", m.qk_nope_head_dim},
            {"qk_rope_head_dim", m.qk_rope_head_dim}, {"mtp_layers", m.mtp_layers},
            {"index_head_dim", m.index_head_dim}, {"ssm_state", m.ssm_state},
            {"ssm_conv", m.ssm_conv}, {"ssm_inner", m.ssm_inner}, {"ssm_heads", m.ssm_heads},
            {"ssm_groups", m.ssm_groups}, {"encoder_tokens", m.encoder_tokens},
            {"max_target_positions", m.max_target_positions}};
        for (const auto& [k, v] : ints) s.set(k, Value::integer(v));
        s.set("tied_embeddings", Value::boolean(m.tied_embeddings));
        s.set("gated_mlp", Value::boolean(m.gated_mlp));
        s.set("model_type", Value::string(m.model_type));

        std::map<std::string, const Formula*> lf;
        for (const auto& [k, f] : d_.layers) lf[k] = &f;
        m.layer_specs.assign(static_cast<std::size_t>(m.layers), LayerSpec{});
        const ConfigNode* window_key = config.find("sliding_window");
        for (std::int64_t i = 0; i < m.layers; ++i) {
            const std::size_t mark = s.vars.size();
            s.set("i", Value::integer(i));
            LayerSpec& l = m.layer_specs[static_cast<std::size_t>(i)];
            if (lf.count("attention")) l.attention = attention_kind(*lf["attention"], s);
            if (lf.count("window"))
                l.window = l.attention == LayerAttention::sliding
                               ? integer(*lf["window"], s, "layers.window", 0, std::numeric_limits<std::int32_t>::max())
                               : 0;
            else if (l.attention == LayerAttention::sliding && window_key && window_key->is_integer())
                l.window = window_key->as_integer();
            if (lf.count("moe")) l.moe = boolean(*lf["moe"], s, "layers.moe");
            if (lf.count("cross_attention")) l.cross_attention = boolean(*lf["cross_attention"], s, "layers.cross_attention");
            s.vars.resize(mark);
        }
        items(d_.tensors, s, m, "", false, -1);

        const auto tower = [&](const std::vector<std::pair<std::string, Formula>>& fields, const char* kind) {
            TowerSpec t;
            if (fields.empty()) return t;
            t.kind = kind;
            for (const auto& [k, f] : fields) {
                const std::string field = std::string(kind) + "." + k;
                if (k == "model_type") {
                    const Value v = value(f, s, field);
                    t.model_type = v.kind == Value::Kind::string ? v.s : f.text;
                    continue;
                }
                const std::int64_t v = integer(f, s, field, 0, kMaxDimension);
                if (k == "hidden") t.hidden = v;
                else if (k == "layers") t.layers = v;
                else if (k == "heads") t.heads = v;
                else if (k == "intermediate") t.intermediate = v;
                else if (k == "image_size") t.image_size = v;
                else if (k == "patch_size") t.patch_size = v;
                else if (k == "temporal_patch_size") t.temporal_patch_size = v;
                else if (k == "spatial_merge_size") t.spatial_merge_size = v;
                else if (k == "tokens_per_image") t.tokens_per_image = v;
                else if (k == "num_mel_bins") t.num_mel_bins = v;
                else if (k == "max_source_positions") t.max_source_positions = v;
            }
            return t;
        };
        m.vision = tower(d_.vision, "vision");
        m.audio = tower(d_.audio, "audio");
        for (const auto& [t, when] : d_.notes)
            if (when.empty() || boolean(when, s, "notes.when")) m.notes.push_back(text(t, s, d_.notes_line, "notes"));
        if (!d_.buffers.empty()) {
            std::string list;
            for (const auto& b : d_.buffers) list += (list.empty() ? "" : ", ") + b;
            m.notes.push_back("buffers, not parameters: " + list);
        }
        m.family = "family." + d_.name;
        return m;
    }

private:
    const FamilyDefinition& d_;
    const std::string& where_;
};

}  // namespace

ModelSpec evaluate_family(const FamilyDefinition& family, const std::string& where, const ConfigNode& config) {
    return Evaluator(family, where).build(config);
}

}  // namespace vram
