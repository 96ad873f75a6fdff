// family_reader.cpp - reading a family file (docs/models.md "Family files") into a
// FamilyDefinition: every key checked, every expression parsed, errors with file:line.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/family_definition.hpp"
#include "model/family_file.hpp"
#include "scenario/scenario_loader.hpp"
#include "plugin/registry.hpp"
#include "vram/error.hpp"

namespace vram {
namespace {

using namespace family_detail;

// ---------------------------------------------------------------------------------------------
// Reading the file

struct FileReader {
    std::string path;

    [[noreturn]] void error(const ConfigNode& at, const std::string& message) const {
        throw ScenarioError(path + ":" + std::to_string(at.mark().line), message);
    }
    Formula formula(const ConfigNode& n, const std::string& key) const {
        Formula f;
        f.line = n.mark().line;
        if (n.is_null()) error(n, key + ": empty; expected an expression");
        if (n.is_list() || n.is_map()) error(n, key + ": expected an expression, got " + describe(n.kind()));
        f.text = n.is_string() ? n.as_string() : n.text();
        if (n.is_bool()) f.text = n.as_bool() ? "true" : "false";
        try {
            f.root = parse_expression(f.text);
        } catch (const FamilyProblem& p) {
            error(n, key + ": " + p.message + " in '" + f.text + "'");
        }
        return f;
    }
    Template name_template(const ConfigNode& n, const std::string& key) const {
        if (!n.is_string()) error(n, key + ": expected a tensor name");
        try {
            return parse_template(n.as_string());
        } catch (const FamilyProblem& p) {
            error(n, key + ": " + p.message);
        }
    }
    std::vector<std::string> strings(const ConfigNode& n, const std::string& key) const {
        std::vector<std::string> out;
        if (n.is_string()) return {n.as_string()};
        if (!n.is_list()) error(n, key + ": expected a list of names");
        for (const auto& item : n.items()) {
            if (!item.is_string()) error(item, key + ": expected a list of names");
            out.push_back(item.as_string());
        }
        return out;
    }
    std::vector<std::pair<std::string, Formula>> formulas(const ConfigNode& n, const std::string& key,
                                                          const std::vector<std::string>& allowed) const {
        if (!n.is_map()) error(n, key + ": expected a map of name: expression");
        std::vector<std::pair<std::string, Formula>> out;
        for (const auto& [k, v] : n.entries()) {
            if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
                const auto close = closest_names(k, allowed, 1);
                std::string msg = key + "." + k + ": unknown field";
                if (!close.empty()) msg += " (did you mean '" + close.front() + "'?)";
                std::string list;
                for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
                error(v.is_null() ? n : v, msg + "; allowed: " + list);
            }
            out.emplace_back(k, formula(v, key + "." + k));
        }
        return out;
    }

    FamilyItem item(const ConfigNode& n, const std::string& where) const {
        if (!n.is_map()) error(n, where + ": expected a map (linear:, norm:, vector:, embedding:, lm_head:, tensor:, "
                                          "buffer:, use:, repeat: or each_layer:)");
        static const std::pair<const char*, FamilyItem::Kind> kinds[] = {
            {"linear", FamilyItem::Kind::linear},       {"norm", FamilyItem::Kind::norm},
            {"vector", FamilyItem::Kind::vector},       {"embedding", FamilyItem::Kind::embedding},
            {"lm_head", FamilyItem::Kind::lm_head},     {"tensor", FamilyItem::Kind::tensor},
            {"buffer", FamilyItem::Kind::buffer},       {"use", FamilyItem::Kind::use},
            {"repeat", FamilyItem::Kind::repeat},       {"each_layer", FamilyItem::Kind::each_layer}};
        FamilyItem it;
        it.line = n.mark().line;
        int found = 0;
        for (const auto& [key, kind] : kinds)
            if (n.find(key)) {
                ++found;
                it.kind = kind;
            }
        if (found != 1)
            error(n, where + ": " + (found == 0 ? "names no kind" : "names several kinds") +
                         "; each entry has exactly one of linear, norm, vector, embedding, lm_head, tensor, buffer, "
                         "use, repeat, each_layer");
        static const char* fields[] = {"linear", "norm", "vector", "embedding", "lm_head", "tensor", "buffer", "use",
                                       "repeat", "each_layer", "group", "force_group", "module", "when", "rows",
                                       "cols", "out", "in", "size", "bias", "copies", "active", "layer", "var",
                                       "from", "tensors", "is_linear", "is_embedding"};
        for (const auto& [k, v] : n.entries())
            // std::find with a string comparison: a lambda capturing the structured binding `k`
            // is C++20 that Debian 12's clang 14 (the fuzz build) rejects.
            if (std::find(std::begin(fields), std::end(fields), std::string_view(k)) == std::end(fields)) {
                std::vector<std::string> all(std::begin(fields), std::end(fields));
                const auto close = closest_names(k, all, 1);
                error(v.is_null() ? n : v, where + "." + k + ": unknown field" +
                                               (close.empty() ? std::string() : " (did you mean '" + close.front() + "'?)"));
            }
        const auto opt = [&](const char* key, Formula& f) {
            if (const ConfigNode* v = n.find(key)) f = formula(*v, where + "." + key);
        };
        if (const ConfigNode* g = n.find("group")) {
            if (!g->is_string()) error(*g, where + ".group: expected a name");
            it.group = g->as_string();
        }
        if (const ConfigNode* g = n.find("force_group")) {
            if (!g->is_string()) error(*g, where + ".force_group: expected a name");
            it.group = g->as_string();
            it.force_group = true;
        }
        if (const ConfigNode* m = n.find("module")) it.module = m->text();
        if (const ConfigNode* v = n.find("is_linear")) it.linear_flag = v->is_bool() && v->as_bool();
        if (const ConfigNode* v = n.find("is_embedding")) it.embedding_flag = v->is_bool() && v->as_bool();
        opt("when", it.when);
        opt("bias", it.bias);
        opt("copies", it.copies);
        opt("active", it.active);
        opt("layer", it.layer);
        opt("rows", it.rows);
        opt("cols", it.cols);
        opt("out", it.rows);
        opt("in", it.cols);
        opt("size", it.rows);
        const auto children = [&](const ConfigNode& list, const std::string& key) {
            if (!list.is_list()) error(list, key + ": expected a list of tensor entries");
            for (std::size_t k = 0; k < list.items().size(); ++k)
                it.children.push_back(item(list.items()[k], key + "[" + std::to_string(k) + "]"));
        };
        switch (it.kind) {
            case FamilyItem::Kind::use: {
                const ConfigNode& b = *n.find("use");
                if (!b.is_string()) error(b, where + ".use: expected a block name");
                it.block = b.as_string();
                break;
            }
            case FamilyItem::Kind::each_layer: children(*n.find("each_layer"), where + ".each_layer"); break;
            case FamilyItem::Kind::repeat: {
                it.count = formula(*n.find("repeat"), where + ".repeat");
                it.var = "j";
                if (const ConfigNode* v = n.find("var")) it.var = v->text();
                if (const ConfigNode* v = n.find("from")) it.from = formula(*v, where + ".from");
                const ConfigNode* t = n.find("tensors");
                if (!t) error(n, where + ": repeat needs tensors: (the entries repeated)");
                children(*t, where + ".tensors");
                break;
            }
            case FamilyItem::Kind::lm_head: {
                const ConfigNode& v = *n.find("lm_head");
                it.name = v.is_string() ? name_template(v, where + ".lm_head") : parse_template("lm_head");
                break;
            }
            default: {
                const char* key = family_item_key(it.kind);
                it.name = name_template(*n.find(key), where + "." + key);
                const bool needs_rows = it.kind != FamilyItem::Kind::buffer;
                if (needs_rows && it.rows.empty())
                    error(n, where + ": " + key + " needs its size (" +
                                 (it.kind == FamilyItem::Kind::linear ? "out: and in:" :
                                  it.kind == FamilyItem::Kind::norm || it.kind == FamilyItem::Kind::vector ? "size:" :
                                  "rows: and cols:") + ")");
                if ((it.kind == FamilyItem::Kind::linear || it.kind == FamilyItem::Kind::embedding) && it.cols.empty())
                    error(n, where + ": " + key + " needs " + (it.kind == FamilyItem::Kind::linear ? "in:" : "cols:"));
            }
        }
        return it;
    }

    std::vector<FamilyItem> items(const ConfigNode& n, const std::string& key) const {
        if (!n.is_list()) error(n, key + ": expected a list of tensor entries");
        std::vector<FamilyItem> out;
        for (std::size_t k = 0; k < n.items().size(); ++k)
            out.push_back(item(n.items()[k], key + "[" + std::to_string(k) + "]"));
        return out;
    }
};

const std::vector<std::string>& spec_fields() {
    static const std::vector<std::string> f = {
        "model_type", "torch_dtype", "hidden", "layers", "heads", "kv_heads", "head_dim", "v_head_dim",
        "intermediate", "vocab", "max_positions", "tied_embeddings", "gated_mlp", "encoder_only",
        "attention_dropout", "hidden_dropout", "experts", "experts_per_token", "shared_experts", "moe_intermediate",
        "shared_intermediate", "q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "mtp_layers",
        "index_head_dim", "ssm_state", "ssm_conv", "ssm_inner", "ssm_heads", "ssm_groups", "encoder_tokens", "max_target_positions"};
    return f;
}

const std::vector<std::string>& tower_fields() {
    static const std::vector<std::string> f = {"model_type", "hidden", "layers", "heads", "intermediate",
                                               "image_size", "patch_size", "temporal_patch_size",
                                               "spatial_merge_size", "tokens_per_image", "num_mel_bins",
                                               "max_source_positions"};
    return f;
}

void check_blocks(const FileReader& r, const FamilyDefinition& d, const std::vector<FamilyItem>& items,
                  std::vector<std::string>& stack) {
    for (const auto& it : items) {
        if (it.kind == FamilyItem::Kind::use) {
            auto b = d.blocks.find(it.block);
            if (b == d.blocks.end()) {
                std::vector<std::string> names;
                for (const auto& [k, v] : d.blocks) names.push_back(k);
                std::string list;
                for (const auto& k : names) list += (list.empty() ? "" : ", ") + k;
                throw ScenarioError(r.path + ":" + std::to_string(it.line),
                                    "use: no block '" + it.block + "' in blocks:" + (list.empty() ? "" : " (has: " + list + ")"));
            }
            if (std::find(stack.begin(), stack.end(), it.block) != stack.end())
                throw ScenarioError(r.path + ":" + std::to_string(it.line), "use: block '" + it.block + "' uses itself");
            stack.push_back(it.block);
            check_blocks(r, d, b->second, stack);
            stack.pop_back();
        }
        check_blocks(r, d, it.children, stack);
    }
}

}  // namespace

std::shared_ptr<FamilyDefinition> parse_family(const std::string& path) {
    const FileReader r{path};
    // The YAML reader names file:line in its one-line errors. A shipped family comes from the
    // build's parsed-tree cache when that was made from this exact text (family_file.hpp).
    const std::string text = read_scenario_file(path);
    std::optional<ConfigNode> cached = read_family_cache(path, text);
    const ConfigNode root = cached ? std::move(*cached) : parse_yaml_text(text, path);
    if (!root.is_map()) throw ScenarioError(path + ":1", "a family file is a map (family:, model_types:, spec:, tensors: ...)");
    auto d = std::make_shared<FamilyDefinition>();
    d->path = path;
    static const std::vector<std::string> top = {"family", "model_types", "covers", "source", "description",
                                                 "defaults", "derived", "spec", "layers", "vision", "audio",
                                                 "blocks", "tensors", "buffers", "notes", "refuse"};
    for (const auto& [k, v] : root.entries())
        if (std::find(top.begin(), top.end(), k) == top.end()) {
            const auto close = closest_names(k, top, 1);
            r.error(v.is_null() ? root : v, k + ": unknown key of a family file" +
                                               (close.empty() ? std::string() : " (did you mean '" + close.front() + "'?)") +
                                               "; allowed: family, model_types, covers, source, description, defaults, "
                                               "derived, spec, layers, vision, audio, blocks, tensors, buffers, notes, refuse");
        }
    const ConfigNode* name = root.find("family");
    if (!name || !name->is_string() || name->as_string().empty())
        r.error(name ? *name : root, "family: missing; a family file names its family (family: olmo2)");
    d->name = name->as_string();
    for (char c : d->name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
            r.error(*name, "family: '" + d->name + "' may hold only letters, digits, '_', '-' and '.'");
    const ConfigNode* types = root.find("model_types");
    if (!types) r.error(root, "model_types: missing; the config.json model_type values this family serves");
    d->model_types = r.strings(*types, "model_types");
    if (d->model_types.empty()) r.error(*types, "model_types: empty");
    if (const ConfigNode* c = root.find("covers")) d->covers = r.strings(*c, "covers");
    if (const ConfigNode* s = root.find("source")) d->source = s->text();
    if (const ConfigNode* s = root.find("description")) d->description = s->text();
    if (const ConfigNode* b = root.find("buffers")) d->buffers = r.strings(*b, "buffers");
    if (const ConfigNode* def = root.find("defaults")) {
        if (!def->is_map()) r.error(*def, "defaults: expected a map of config key: value (the config class defaults)");
        d->defaults = *def;
    }
    if (const ConfigNode* v = root.find("derived")) d->derived = r.formulas(*v, "derived", {});
    const ConfigNode* spec = root.find("spec");
    if (!spec) r.error(root, "spec: missing; the ModelSpec fields (hidden, layers, heads, vocab ...) as expressions");
    d->spec = r.formulas(*spec, "spec", spec_fields());
    for (const char* req : {"hidden", "layers", "heads", "vocab"})
        if (std::none_of(d->spec.begin(), d->spec.end(), [&](const auto& f) { return f.first == req; }))
            r.error(*spec, std::string("spec.") + req + ": missing (required: hidden, layers, heads, vocab)");
    if (const ConfigNode* v = root.find("layers"))
        d->layers = r.formulas(*v, "layers", {"attention", "window", "moe", "cross_attention"});
    if (const ConfigNode* v = root.find("vision")) d->vision = r.formulas(*v, "vision", tower_fields());
    if (const ConfigNode* v = root.find("audio")) d->audio = r.formulas(*v, "audio", tower_fields());
    if (const ConfigNode* b = root.find("blocks")) {
        if (!b->is_map()) r.error(*b, "blocks: expected a map of name: [tensor entries]");
        for (const auto& [k, v] : b->entries()) d->blocks[k] = r.items(v, "blocks." + k);
    }
    const ConfigNode* tensors = root.find("tensors");
    if (!tensors) r.error(root, "tensors: missing; the family's parameter tensors");
    d->tensors = r.items(*tensors, "tensors");
    std::vector<std::string> stack;
    check_blocks(r, *d, d->tensors, stack);
    for (const auto& [k, v] : d->blocks) check_blocks(r, *d, v, stack);
    if (const ConfigNode* n = root.find("notes")) {
        if (!n->is_list()) r.error(*n, "notes: expected a list");
        d->notes_line = n->mark().line;
        for (const auto& item : n->items()) {
            if (item.is_string()) {
                d->notes.emplace_back(r.name_template(item, "notes"), Formula{});
            } else if (item.is_map() && item.find("text")) {
                Formula when;
                if (const ConfigNode* w = item.find("when")) when = r.formula(*w, "notes.when");
                d->notes.emplace_back(r.name_template(*item.find("text"), "notes.text"), when);
            } else {
                r.error(item, "notes: each note is a string or {text:, when:}");
            }
        }
    }
    if (const ConfigNode* n = root.find("refuse")) {
        if (!n->is_list()) r.error(*n, "refuse: expected a list of {when:, message:}");
        for (const auto& item : n->items()) {
            const ConfigNode* when = item.is_map() ? item.find("when") : nullptr;
            const ConfigNode* message = item.is_map() ? item.find("message") : nullptr;
            if (!when || !message || !message->is_string())
                r.error(item, "refuse: each entry is {when: EXPRESSION, message: TEXT}");
            d->refuse.emplace_back(r.formula(*when, "refuse.when"), message->as_string());
        }
    }
    return d;
}

}  // namespace vram
