// schema_export.cpp - `vram schema`: the core table and the plugins' ParamSpecs as JSON Schema
// (draft 2020-12) or Markdown. Runtime and precision options are a union over the engines and
// weight formats (so additionalProperties: false holds), narrowed per engine or format by
// if/then: an option another engine declares is `false` under this one.
// SPDX-License-Identifier: Apache-2.0
#include "scenario/schema_export.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "vram/bytes.hpp"
#include "plugin/plugin_loader.hpp"
#include "plugin/registry.hpp"
#include "scenario/schema.hpp"

namespace vram {
namespace json = boost::json;
namespace {

constexpr const char* kDraft = "https://json-schema.org/draft/2020-12/schema";

std::string pretty(const json::value& v, int indent = 0) {
    // Boost.JSON has no pretty printer; objects and arrays of objects get one member a line.
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    const std::string inner(static_cast<std::size_t>(indent + 2), ' ');
    if (v.is_object() && !v.get_object().empty()) {
        std::string out = "{\n";
        std::size_t i = 0;
        for (const auto& kv : v.get_object()) {
            out += inner + json::serialize(json::value(kv.key())) + ": " + pretty(kv.value(), indent + 2);
            out += ++i < v.get_object().size() ? ",\n" : "\n";
        }
        return out + pad + "}";
    }
    if (v.is_array()) {
        bool scalars = true;
        for (const auto& x : v.get_array()) scalars = scalars && !x.is_object() && !x.is_array();
        if (!scalars) {
            std::string out = "[\n";
            const auto& a = v.get_array();
            for (std::size_t i = 0; i < a.size(); ++i) out += inner + pretty(a[i], indent + 2) + (i + 1 < a.size() ? ",\n" : "\n");
            return out + pad + "]";
        }
    }
    return json::serialize(v);
}

json::value typed_default(KeyType type, const std::string& text) {
    if (type == KeyType::integer) return static_cast<std::int64_t>(std::stoll(text));
    if (type == KeyType::number) {
        const double x = std::stod(text);
        if (x == std::floor(x) && std::fabs(x) < 9e15) return static_cast<std::int64_t>(x);
        return x;
    }
    if (type == KeyType::boolean) return text == "true";
    return json::value(text);
}

json::array strings(const std::vector<std::string>& v) {
    json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return a;
}

void bounds(json::object& o, double min, double max) {
    if (std::isfinite(min)) o["minimum"] = min == std::floor(min) ? json::value(static_cast<std::int64_t>(min)) : json::value(min);
    if (std::isfinite(max)) o["maximum"] = max == std::floor(max) ? json::value(static_cast<std::int64_t>(max)) : json::value(max);
}

const std::vector<std::string>& catalog_values(const SchemaPlugins& p, KeyCatalog c) {
    static const std::vector<std::string> none;
    switch (c) {
        case KeyCatalog::weight_formats: return p.weight_formats;
        case KeyCatalog::methods: return p.methods;
        case KeyCatalog::objectives: return p.objectives;
        case KeyCatalog::optimizers: return p.optimizers;
        case KeyCatalog::runtimes: return p.runtimes;
        case KeyCatalog::none: break;
    }
    return none;
}

json::object param_schema(const ParamSpec& spec, const std::string& owner, const std::string& context) {
    json::object o;
    KeyType type = KeyType::string;
    switch (spec.type) {
        case ParamType::integer:
            o["type"] = "integer";
            type = KeyType::integer;
            break;
        case ParamType::number:
            o["type"] = "number";
            type = KeyType::number;
            break;
        case ParamType::boolean:
            o["type"] = "boolean";
            type = KeyType::boolean;
            break;
        case ParamType::string: o["type"] = "string"; break;
        case ParamType::string_list: {
            // A single string reads as a one-item list (Params::strings).
            json::object item{{"type", "string"}};
            if (!spec.choices.empty()) item["enum"] = strings(spec.choices);
            o["anyOf"] = json::array{json::object{{"type", "array"}, {"items", item}}, item};
            break;
        }
    }
    if (spec.type == ParamType::integer || spec.type == ParamType::number) bounds(o, spec.min, spec.max);
    if (spec.type == ParamType::string && !spec.choices.empty()) o["enum"] = strings(spec.choices);
    if (!spec.default_value.empty()) {
        if (spec.type == ParamType::string_list) {
            json::array d;
            std::size_t start = 0;
            while (start <= spec.default_value.size()) {
                const auto comma = spec.default_value.find(',', start);
                d.emplace_back(spec.default_value.substr(start, comma == std::string::npos ? comma : comma - start));
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
            o["default"] = d;
        } else {
            o["default"] = typed_default(type, spec.default_value);
        }
    }
    o["description"] = spec.help + (context.empty() ? "" : " (" + context + ")");
    o["x-owner"] = owner;
    return o;
}

json::object core_property(const SchemaKey& k, const SchemaPlugins& plugins);

/// The object schema of a section of the table (`""` is the whole scenario).
json::object section_schema(const std::string& section, const SchemaPlugins& plugins) {
    json::object props;
    json::array required;
    for (const auto& child : schema_children(section)) {
        const std::string path = section.empty() ? child : section + "." + child;
        props[child] = core_property(*find_schema_key(path), plugins);
        if (!find_schema_key(path)->missing.empty()) required.emplace_back(child);
    }
    json::object o{{"type", "object"}, {"properties", props}, {"additionalProperties", false}};
    if (!required.empty()) o["required"] = required;
    return o;
}

json::object core_property(const SchemaKey& k, const SchemaPlugins& plugins) {
    json::object o;
    switch (k.type) {
        case KeyType::map:
            if (!schema_children(k.path).empty()) o = section_schema(k.path, plugins);
            else o["type"] = "object";
            break;
        case KeyType::list:
            o["type"] = "array";
            if (find_schema_key(k.path + "[]")) o["items"] = core_property(*find_schema_key(k.path + "[]"), plugins);
            else o["items"] = section_schema(k.path + "[]", plugins);
            break;
        case KeyType::boolean: o["type"] = "boolean"; break;
        case KeyType::string:
            o["type"] = "string";
            if (!catalog_values(plugins, k.catalog).empty()) o["enum"] = strings(catalog_values(plugins, k.catalog));
            break;
        case KeyType::enumeration: {
            json::array values = strings(k.choices);
            if (!k.bool_true.empty()) values.emplace_back(true);
            if (!k.bool_false.empty()) values.emplace_back(false);
            o["enum"] = values;
            break;
        }
        case KeyType::integer:
        case KeyType::number: {
            json::object n{{"type", k.type == KeyType::integer ? "integer" : "number"}};
            bounds(n, k.min, k.max);
            if (k.word.empty()) o = n;
            else o["anyOf"] = json::array{n, json::object{{"const", k.word}}};
            break;
        }
    }
    if (!k.default_value.empty()) o["default"] = typed_default(k.type, k.default_value);
    o["description"] = k.help;
    o["x-owner"] = "core";
    return o;
}

/// Options of engines (or weight formats) as one union, then if/then per item.
void add_union(json::object& section, const std::vector<OptionBlock>& blocks, const char* selector,
               const std::string& default_item, const char* what) {
    auto& props = section["properties"].as_object();
    std::map<std::string, std::vector<const OptionBlock*>> declared;  // option -> items
    std::map<std::string, json::array> variants;
    std::map<std::string, std::string> help;  // option -> its first declaration's help
    for (const auto& b : blocks)
        for (const auto& spec : b.params) {
            if (props.contains(spec.key) && !declared.count(spec.key)) continue;  // a core key wins
            json::value v = param_schema(spec, b.owner, std::string(what) + " " + b.item);
            help.emplace(spec.key, spec.help);
            auto& list = variants[spec.key];
            json::object bare = v.as_object();
            bare.erase("description");
            bool seen = false;
            for (auto& x : list) {
                json::object other = x.as_object();
                other.erase("description");
                seen = seen || other == bare;
            }
            if (!seen) list.push_back(v);
            declared[spec.key].push_back(&b);
        }
    for (auto& [key, list] : variants) {
        std::string items;
        json::array owners;
        for (const auto* b : declared[key]) {
            items += (items.empty() ? "" : ", ") + b->item;
            if (std::find(owners.begin(), owners.end(), json::value(b->owner)) == owners.end()) owners.emplace_back(b->owner);
        }
        json::object o;
        if (list.size() == 1) o = list.front().as_object();
        else o["anyOf"] = list;
        o["description"] = (list.size() == 1 ? help[key] + "; " : std::string()) + "used by " + what + " " + items;
        o["x-owner"] = owners.front();
        if (owners.size() > 1) o["x-owners"] = owners;
        props[key] = o;
    }
    json::array all_of;
    for (const auto& b : blocks) {
        json::object forbid;
        for (const auto& [key, users] : declared)
            if (std::find(users.begin(), users.end(), &b) == users.end()) forbid[key] = false;
        if (forbid.empty()) continue;
        json::object cond{{"properties", json::object{{selector, json::object{{"enum", strings(b.names)}}}}}};
        if (std::find(b.names.begin(), b.names.end(), default_item) == b.names.end())
            cond["required"] = json::array{selector};
        all_of.push_back(json::object{{"if", cond}, {"then", json::object{{"properties", forbid}}}});
    }
    if (!all_of.empty()) section["allOf"] = all_of;
}

std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

void add_blocks(json::object& training, const std::vector<OptionBlock>& blocks, const char* what) {
    auto& props = training["properties"].as_object();
    for (const auto& b : blocks) {
        if (props.contains(b.item)) continue;
        json::object p;
        for (const auto& spec : b.params) p[spec.key] = param_schema(spec, b.owner, "");
        props[b.item] = json::object{{"type", "object"},
                                     {"properties", p},
                                     {"additionalProperties", false},
                                     {"description", std::string("options of the training ") + what + " " + b.item +
                                                         (what[0] == 'o' && what[1] == 'p'
                                                              ? " (training.optimizer: " + join_names(b.names) + ")"
                                                              : std::string(" (training.") + what + ": " + b.item + ")")},
                                     {"x-owner", b.owner}};
    }
}

std::string md_escape(std::string s) {
    std::string out;
    for (char c : s) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

std::string allowed_text(double min, double max, const std::vector<std::string>& choices) {
    std::string out;
    if (!choices.empty()) {
        for (const auto& c : choices) out += (out.empty() ? "`" : " `") + c + "`";
        return out;
    }
    if (std::isfinite(min) && std::isfinite(max)) return format_number(min) + " to " + format_number(max);
    if (std::isfinite(min)) return "≥ " + format_number(min);
    return "";
}

const char* param_type_name(ParamType t) {
    switch (t) {
        case ParamType::integer: return "integer";
        case ParamType::number: return "number";
        case ParamType::boolean: return "boolean";
        case ParamType::string: return "string";
        case ParamType::string_list: return "list of strings";
    }
    return "value";
}

}  // namespace

SchemaPlugins schema_plugins(const Registry& registry, const std::vector<LoadedPlugin>& loaded) {
    std::map<std::string, std::string> owner;  // dotted item name -> plugin
    for (const auto& p : loaded)
        for (const auto& item : p.items) owner[item.second] = p.name;
    auto owner_of = [&](std::string_view name) {
        auto it = owner.find(std::string(name));
        return it == owner.end() ? std::string("core") : it->second;
    };
    SchemaPlugins out;
    for (const auto& e : registry.weight_formats.entries()) {
        OptionBlock b{owner_of(e.item->name()), std::string(e.item->key()), {std::string(e.item->key())}, e.item->params()};
        for (const auto& a : e.item->aliases()) b.names.push_back(a);
        out.weight_formats.insert(out.weight_formats.end(), b.names.begin(), b.names.end());
        out.format_options.push_back(std::move(b));
    }
    out.weight_formats.push_back("checkpoint");
    for (const auto& e : registry.methods.entries()) {
        out.methods.emplace_back(e.item->key());
        out.method_blocks.push_back({owner_of(e.item->name()), std::string(e.item->key()), {std::string(e.item->key())}, e.item->params()});
    }
    for (const auto& e : registry.objectives.entries()) {
        out.objectives.emplace_back(e.item->key());
        out.objective_blocks.push_back({owner_of(e.item->name()), std::string(e.item->key()), {std::string(e.item->key())}, e.item->params()});
    }
    for (const auto& e : registry.optimizers.entries()) {
        out.optimizers.emplace_back(e.item->key());
        const std::string block(e.item->option_block());
        if (block.empty()) continue;
        // One block per name; its `names` are the optimizers that read it.
        auto same = [&](const OptionBlock& b) { return b.item == block; };
        auto it = std::find_if(out.optimizer_blocks.begin(), out.optimizer_blocks.end(), same);
        if (it == out.optimizer_blocks.end())
            out.optimizer_blocks.push_back({owner_of(e.item->name()), block, {std::string(e.item->key())}, e.item->params()});
        else
            it->names.emplace_back(e.item->key());
    }
    for (const auto& e : registry.runtimes.entries()) {
        out.runtimes.emplace_back(e.item->key());
        out.runtime_options.push_back({owner_of(e.item->name()), std::string(e.item->key()), {std::string(e.item->key())}, e.item->params()});
    }
    return out;
}

std::string scenario_json_schema(const SchemaPlugins& plugins) {
    json::object root{{"$schema", kDraft}, {"title", "vram scenario (v1)"}};
    json::object body = section_schema("", plugins);
    for (auto& kv : body) root[kv.key()] = kv.value();
    root["description"] = "A vram scenario (docs/scenario-format.md). x-owner names the plugin that declares a key.";
    auto& props = root["properties"].as_object();
    json::array sources;  // exactly one, as the reader demands
    for (const char* k : {"preset", "config", "architecture", "hub", "parameters"}) sources.push_back(json::object{{"required", json::array{k}}});
    props["model"].as_object()["oneOf"] = sources;
    add_union(props["precision"].as_object(), plugins.format_options, "weights", find_schema_key("precision.weights")->default_value, "weight format");
    add_union(props["runtime"].as_object(), plugins.runtime_options, "engine", find_schema_key("runtime.engine")->default_value, "engine");
    add_blocks(props["training"].as_object(), plugins.method_blocks, "method");
    add_blocks(props["training"].as_object(), plugins.objective_blocks, "objective");
    add_blocks(props["training"].as_object(), plugins.optimizer_blocks, "optimizer");
    return pretty(root) + "\n";
}

std::string scenario_schema_markdown(const SchemaPlugins& plugins) {
    std::string out = "| key | type | default | allowed | meaning | owner |\n|---|---|---|---|---|---|\n";
    auto row = [&](const std::string& key, const std::string& type, const std::string& def, const std::string& allowed,
                   const std::string& help, const std::string& owner) {
        out += "| `" + key + "` | " + type + " | " + (def.empty() ? "" : "`" + def + "`") + " | " + md_escape(allowed) +
               " | " + md_escape(help) + " | " + owner + " |\n";
    };
    for (const auto& k : scenario_schema()) {
        std::vector<std::string> choices = k.choices;
        if (!k.bool_true.empty()) choices.push_back("true");
        if (!k.bool_false.empty()) choices.push_back("false");
        if (!k.word.empty()) choices = {};
        std::string allowed = allowed_text(k.min, k.max, choices);
        if (!k.word.empty()) allowed += " or `" + k.word + "`";
        if (k.catalog == KeyCatalog::weight_formats) {
            std::vector<std::string> keys;  // aliases would fill the page; the JSON Schema lists them
            for (const auto& b : plugins.format_options) keys.push_back(b.item);
            keys.push_back("checkpoint");
            allowed = allowed_text(0, 0, keys);
        } else if (k.catalog != KeyCatalog::none) {
            allowed = allowed_text(0, 0, catalog_values(plugins, k.catalog));
        }
        row(k.path, key_type_name(k.type), k.default_value, allowed, k.help + (k.missing.empty() ? "" : " (required)"), "core");
    }
    auto blocks = [&](const std::string& prefix, const std::vector<OptionBlock>& list, const std::string& when) {
        for (const auto& b : list)
            for (const auto& p : b.params) {
                const bool numeric = p.type == ParamType::integer || p.type == ParamType::number;
                const double inf = std::numeric_limits<double>::infinity();
                row(prefix + (prefix == "training." ? b.item + "." : "") + p.key, param_type_name(p.type), p.default_value,
                    allowed_text(numeric ? p.min : -inf, numeric ? p.max : inf, p.choices),
                    p.help + " (" + when + b.item + ")", b.owner);
            }
    };
    blocks("training.", plugins.method_blocks, "training.method: ");
    blocks("training.", plugins.objective_blocks, "training.objective: ");
    for (const auto& b : plugins.optimizer_blocks) {
        for (const auto& p : b.params) {
            const bool numeric = p.type == ParamType::integer || p.type == ParamType::number;
            const double inf = std::numeric_limits<double>::infinity();
            row("training." + b.item + "." + p.key, param_type_name(p.type), p.default_value,
                allowed_text(numeric ? p.min : -inf, numeric ? p.max : inf, p.choices),
                p.help + " (training.optimizer: " + join_names(b.names) + ")", b.owner);
        }
    }
    blocks("precision.", plugins.format_options, "precision.weights: ");
    blocks("runtime.", plugins.runtime_options, "runtime.engine: ");
    return out;
}

}  // namespace vram
