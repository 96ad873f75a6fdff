// scenario.cpp - strict validation of the scenario tree into the typed Scenario (contract.md v1).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <filesystem>
#include <optional>
#include <regex>

#include "vram/error.hpp"
#include "plugin/registry.hpp"
#include "scenario/scenario_loader.hpp"
#include "scenario/frameworks.hpp"
#include "scenario/schema.hpp"

namespace vram {
namespace {

/// Walks the tree with the key paths and marks needed for messages; every check and every
/// list of allowed keys comes from the schema table.
class Reader {
public:
    Reader(Scenario& s, const std::string& file) : s_(s), file_(file) {}

    /// The command-line argument that set `path` (or a parent of it), else the node's position.
    std::string where(const ConfigNode& node, const std::string& path = {}) const {
        for (std::string p = path; !p.empty();) {
            if (auto it = s_.origins.find(p); it != s_.origins.end()) return it->second;
            const auto cut = p.find_last_of(".[");
            if (cut == std::string::npos) break;
            p.resize(cut);
        }
        const SourceMark m = node.mark();
        if (m.line > 0) return file_ + ":" + std::to_string(m.line) + ":" + std::to_string(m.column);
        return file_;
    }
    [[noreturn]] void fail(const ConfigNode& node, const std::string& path, const std::string& what) const {
        throw ScenarioError(where(node, path), path + ": " + what);
    }

    /// `value` checked against the table's key `key` (`inputs[].width`); `path` names it in messages.
    ConfigNode check(const ConfigNode& value, const std::string& key, const std::string& path) const {
        return check_schema_value(*find_schema_key(key), value, path, where(value, path));
    }

    /// Rejects keys of `map` the table does not list under `section` (unless its owners are
    /// plugins), records marks.
    void keys(const ConfigNode& map, const std::string& section, const std::string& path) {
        const SchemaKey* self = find_schema_key(section);
        if (self) check(map, section, path);
        else if (!map.is_map()) fail(map, path, std::string("expected a map, got ") + describe(map.kind()));
        const auto allowed = schema_children(section);
        for (const auto& [k, v] : map.entries()) {
            const std::string p = path.empty() ? k : path + "." + k;
            s_.marks[p] = v.mark();
            if (self && self->plugin_options) continue;
            if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) fail(v, p, unknown_key_message(k, section));
        }
    }

    /// Checks and stores every core key of a section, in table order.
    void section(const ConfigNode& map, const std::string& name) {
        for (const auto& child : schema_children(name)) {
            const ConfigNode* v = map.find(child);
            const std::string path = name + "." + child;
            const SchemaKey& key = *find_schema_key(path);
            if (!v) {
                if (!key.missing.empty()) fail(map, path, "missing; " + key.missing);
                continue;
            }
            if (key.assign) key.assign(s_, check(*v, path, path));
        }
    }

private:
    Scenario& s_;
    std::string file_;
};

// workload.lengths: positive integers, one per sample; training only.
void read_lengths(Reader& r, Scenario& s, const ConfigNode& list) {
    r.check(list, "workload.lengths", "workload.lengths");
    static const SchemaKey item = [] {
        SchemaKey k;
        k.path = "workload.lengths[]";
        k.type = KeyType::integer;
        k.min = 1;
        k.max = 1099511627776.0;
        return k;
    }();
    std::size_t i = 0;
    for (const auto& v : list.items()) {
        const std::string path = "workload.lengths[" + std::to_string(i++) + "]";
        const ConfigNode n = check_schema_value(item, v, path, r.where(v, path));
        s.workload.lengths.push_back(static_cast<std::int64_t>(n.as_number()));
    }
    if (s.workload.lengths.empty()) r.fail(list, "workload.lengths", "empty; give at least one sample length");
    if (!s.training_run())
        r.fail(list, "workload.lengths", "only for workload.type: training (serving takes sequence_length and "
                                         "prompt_length)");
}

// precision.modules_to_not_convert: non-empty strings; a "re:" entry must be a valid ECMAScript
// regular expression (compressed-tensors writes Python ones, which agree for the patterns used).
void read_unconverted(Reader& r, Scenario& s, const ConfigNode& list) {
    r.check(list, "precision.modules_to_not_convert", "precision.modules_to_not_convert");
    std::size_t i = 0;
    for (const auto& v : list.items()) {
        const std::string path = "precision.modules_to_not_convert[" + std::to_string(i++) + "]";
        if (!v.is_string() || v.text().empty())
            r.fail(v, path, "not a module name; allowed: a dotted module name (lm_head, model.layers.0.mlp) or "
                            "re:PATTERN");
        const std::string name = v.text();
        if (name.rfind("re:", 0) == 0) {
            try {
                std::regex check(name.substr(3));
            } catch (const std::regex_error& e) {
                r.fail(v, path, "'" + name + "' is not a valid regular expression (" + e.what() + ")");
            }
        }
        s.precision.modules_to_not_convert.push_back(name);
    }
}

void read_model(Reader& r, const ConfigNode& m) {
    r.keys(m, "model", "model");
    r.section(m, "model");
    int sources = 0;
    for (const char* k : {"preset", "config", "architecture", "hub", "parameters"}) sources += m.find(k) ? 1 : 0;
    if (sources != 1)
        r.fail(m, "model", "give exactly one of preset, config, architecture, hub or parameters (got " +
                               std::to_string(sources) + ")");
    for (const char* k : {"layers", "hidden"})
        if (m.find(k) && !m.find("parameters"))
            r.fail(*m.find(k), std::string("model.") + k, "only with model.parameters (a model given by its count)");
}

/// precision, training, runtime: core keys from the table, the rest kept for the plugins.
ConfigNode read_open(Reader& r, const ConfigNode& map, const std::string& name, bool maps_only) {
    r.keys(map, name, name);
    r.section(map, name);
    ConfigNode options = ConfigNode::make_map(map.mark());
    for (const auto& [k, v] : map.entries()) {
        if (find_schema_key(name + "." + k)) continue;
        if (maps_only && !v.is_map())
            r.fail(v, name + "." + k, unknown_key_message(k, name) + ", or a map of options of the method or "
                                                                      "objective (e.g. lora:, grpo:)");
        options.set(k, v);
    }
    return options;
}

void read_inputs(Reader& r, Scenario& s, const ConfigNode& list) {
    r.check(list, "inputs", "inputs");
    std::size_t i = 0;
    for (const auto& item : list.items()) {
        const std::string path = "inputs[" + std::to_string(i++) + "]";
        r.keys(item, "inputs[]", path);
        InputSpec in;
        auto* m = item.find("modality");
        if (!m) r.fail(item, path + ".modality", "missing; " + find_schema_key("inputs[].modality")->missing);
        auto get = [&](const char* key) -> std::optional<ConfigNode> {
            const ConfigNode* v = item.find(key);
            if (!v) return std::nullopt;
            return r.check(*v, std::string("inputs[].") + key, path + "." + key);
        };
        in.modality = get("modality")->text();
        if (auto v = get("width")) in.width = v->as_integer();
        if (auto v = get("height")) in.height = v->as_integer();
        if (auto v = get("count")) in.count = v->as_integer();
        if (auto v = get("seconds")) in.seconds = v->as_number();
        if (auto v = get("fps")) in.fps = v->as_number();
        if (auto v = get("tokenizer")) in.tokenizer = v->text();
        if (auto v = get("options")) in.options = *v;
        s.marks[path] = item.mark();
        s.inputs.push_back(std::move(in));
    }
}

void read_components(Reader& r, Scenario& s, const ConfigNode& list) {
    r.check(list, "components", "components");
    std::size_t i = 0;
    for (const auto& item : list.items()) {
        const std::string path = "components[" + std::to_string(i++) + "]";
        r.keys(item, "components[]", path);
        ExpressionSpec e;
        e.path = path;
        for (const char* k : {"name", "formula"})
            if (!item.find(k))
                r.fail(item, path + "." + k, "missing; " + find_schema_key(std::string("components[].") + k)->missing);
        auto text = [&](const char* key, std::string& out) {
            if (const ConfigNode* v = item.find(key))
                out = r.check(*v, std::string("components[].") + key, path + "." + key).text();
        };
        text("name", e.name);
        text("formula", e.formula);
        text("category", e.category);
        text("replaces", e.replaces);
        text("source", e.source);
        s.marks[path] = item.mark();
        s.marks[path + ".formula"] = item.find("formula")->mark();
        s.components.push_back(std::move(e));
    }
}

}  // namespace

std::string Scenario::where(const std::string& key_path) const {
    std::string p = key_path;
    while (!p.empty()) {
        if (auto o = origins.find(p); o != origins.end()) return o->second;
        auto it = marks.find(p);
        if (it != marks.end() && it->second.line > 0)
            return file + ":" + std::to_string(it->second.line) + ":" + std::to_string(it->second.column);
        const auto cut = p.find_last_of(".[");
        if (cut == std::string::npos) break;
        p.resize(cut);
    }
    return file;
}

namespace {
// runtime.framework: the framework's defaults for the keys the scenario leaves unset, each
// recorded with the origin "runtime.framework: NAME" so that a message about it names the
// framework. A bad name or an inference scenario is reported by the checks that follow.
void apply_framework_defaults(ConfigNode& root, OverrideOrigins& origins) {
    const ConfigNode* name = root.find_path("runtime.framework");
    if (!name || !name->is_string()) return;
    const TrainingFramework* fw = find_training_framework(name->as_string());
    const ConfigNode* type = root.find_path("workload.type");
    if (!fw || !type || !type->is_string() || type->as_string() != "training") return;
    const ConfigNode* method = root.find_path("training.method");
    const bool full = !method || (method->is_string() && method->as_string() == "full");
    std::vector<Override> list;
    std::vector<std::string> applied;
    for (const FrameworkDefault& d : fw->defaults) {
        const std::string path = d.path;
        if (root.find_path(path)) continue;
        if (path.rfind("training.full.", 0) == 0 && !full) continue;  // the full method's options
        if (d.with && std::find(applied.begin(), applied.end(), d.with) == applied.end()) continue;
        if (d.when) {
            const std::string cond = d.when;
            const auto eq = cond.find('=');
            const ConfigNode* set = root.find_path(cond.substr(0, eq));
            if (!set || !set->is_string() || set->as_string() != cond.substr(eq + 1)) continue;
        }
        list.push_back({path + "=" + d.value, std::string("runtime.framework: ") + fw->name});
        applied.push_back(path);
    }
    for (auto& [k, v] : apply_overrides(root, list)) origins.emplace(k, v);
}
}  // namespace

Scenario build_scenario(const ConfigNode& given, const std::string& file, const OverrideOrigins& given_origins) {
    ConfigNode root = given;
    OverrideOrigins origins = given_origins;
    apply_framework_defaults(root, origins);
    Scenario s;
    s.file = file;
    s.origins = origins;
    s.directory = std::filesystem::path(file).parent_path().string();
    Reader r(s, file);
    if (!root.is_map())
        throw ScenarioError(file, std::string("a scenario is a map of sections, got ") + describe(root.kind()));
    r.keys(root, "", "");
    if (auto* v = root.find("name")) s.name = r.check(*v, "name", "name").text();
    if (auto* v = root.find("description")) r.check(*v, "description", "description");
    const ConfigNode* model = root.find("model");
    if (!model) r.fail(root, "model", "missing; " + find_schema_key("model")->missing);
    read_model(r, *model);
    if (auto* v = root.find("workload")) {
        r.keys(*v, "workload", "workload");
        r.section(*v, "workload");
        if (auto* lengths = v->find("lengths")) read_lengths(r, s, *lengths);
    }
    if (auto* v = root.find("precision")) {
        s.precision.options = read_open(r, *v, "precision", false);
        if (auto* list = v->find("modules_to_not_convert")) read_unconverted(r, s, *list);
    }
    if (auto* v = root.find("training")) s.training.blocks = read_open(r, *v, "training", true);
    for (const char* name : {"parallelism", "hardware"})
        if (auto* v = root.find(name)) {
            r.keys(*v, name, name);
            r.section(*v, name);
        }
    if (auto* v = root.find("runtime")) s.runtime.options = read_open(r, *v, "runtime", false);
    if (auto* v = root.find("inputs")) read_inputs(r, s, *v);
    if (auto* v = root.find("components")) read_components(r, s, *v);
    if (auto* v = root.find("plugins")) {
        r.check(*v, "plugins", "plugins");
        for (const auto& item : v->items()) s.plugins.push_back(r.check(item, "plugins[]", "plugins").text());
    }
    if (root.find("training") && !s.training_run())
        r.fail(*root.find("training"), "training", "a training block needs workload.type: training");
    if (!s.runtime.framework.empty() && !s.training_run())
        r.fail(*root.find_path("runtime.framework"), "runtime.framework",
               "sets a training framework's defaults; it needs workload.type: training");
    if (s.name.empty()) s.name = std::filesystem::path(file).stem().string();
    return s;
}

OverrideOrigins apply_overrides(ConfigNode& root, const std::vector<Override>& overrides) {
    OverrideOrigins origins;
    for (const auto& o : overrides) {
        const std::string& text = o.assignment;
        const std::string origin = o.origin.empty() ? "--set " + text : o.origin;
        const auto eq = text.find('=');
        if (eq == std::string::npos || eq == 0) throw UsageError(origin + ": expected key.path=value");
        const std::string path = text.substr(0, eq);
        if (path.back() == '.' || path.front() == '.' || path.find("..") != std::string::npos)
            throw UsageError(origin + ": empty key in the path");
        ConfigNode value = typed_override(path, text.substr(eq + 1), o.origin.empty() ? "--set " + path : o.origin);
        if (!root.is_map()) root = ConfigNode::make_map();
        ConfigNode* node = &root;
        std::size_t start = 0;
        while (true) {
            const auto dot = path.find('.', start);
            const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
            if (key.empty()) throw UsageError(origin + ": empty key in the path");
            if (dot == std::string::npos) {
                node->set(key, std::move(value));
                break;
            }
            ConfigNode* next = node->find(key);
            if (!next || !next->is_map()) next = &node->set(key, ConfigNode::make_map());
            node = next;
            start = dot + 1;
        }
        // A later override of a parent replaces what an earlier one said about its children.
        for (auto it = origins.lower_bound(path + "."); it != origins.end() && it->first.rfind(path + ".", 0) == 0;)
            it = origins.erase(it);
        origins[path] = origin;
    }
    return origins;
}

OverrideOrigins apply_overrides(ConfigNode& root, const std::vector<std::string>& overrides) {
    std::vector<Override> list;
    list.reserve(overrides.size());
    for (const auto& o : overrides) list.push_back({o, {}});
    return apply_overrides(root, list);
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
    ConfigNode root = parse_yaml_file(path);
    const OverrideOrigins origins = apply_overrides(root, overrides);
    return build_scenario(root, path, origins);
}

}  // namespace vram
