// config_cache.cpp - a parsed YAML tree as JSON and back, marks and texts included, so that a
// tree read from the cache is the tree parse_yaml_text gives (unit test
// families/issue16_family_cache_gives_the_parsed_tree).
// SPDX-License-Identifier: Apache-2.0
#include "scenario/config_cache.hpp"

#include <boost/json.hpp>

#include <cstdio>

namespace vram {
namespace {

namespace json = boost::json;

constexpr int kFormat = 1;

// A node is an array: [kind, line, column, text] and, for a number, its value; a list adds its
// items, a map its keys and values in file order.
json::value to_json(const ConfigNode& n) {
    json::array a;
    a.emplace_back(static_cast<int>(n.kind()));
    a.emplace_back(n.mark().line);
    a.emplace_back(n.mark().column);
    a.emplace_back(n.text());
    switch (n.kind()) {
        case ConfigNode::Kind::number: a.emplace_back(n.as_number()); break;
        case ConfigNode::Kind::list:
            for (const auto& item : n.items()) a.push_back(to_json(item));
            break;
        case ConfigNode::Kind::map:
            for (const auto& [key, value] : n.entries()) {
                a.emplace_back(key);
                a.push_back(to_json(value));
            }
            break;
        default: break;
    }
    return a;
}

bool from_json(const json::value& v, ConfigNode& out, int depth) {
    const json::array* a = v.if_array();
    if (!a || a->size() < 4 || depth > 64 || !(*a)[0].is_int64() || !(*a)[1].is_int64() || !(*a)[2].is_int64() ||
        !(*a)[3].is_string())
        return false;
    const SourceMark mark{static_cast<int>((*a)[1].as_int64()), static_cast<int>((*a)[2].as_int64())};
    const std::string text((*a)[3].as_string());
    switch (static_cast<ConfigNode::Kind>((*a)[0].as_int64())) {
        case ConfigNode::Kind::null:
            out = ConfigNode{};
            out.set_mark(mark);
            return a->size() == 4;
        case ConfigNode::Kind::boolean:
            out = ConfigNode::make_bool(text == "true", mark);
            return a->size() == 4;
        case ConfigNode::Kind::string:
            out = ConfigNode::make_string(text, mark);
            return a->size() == 4;
        case ConfigNode::Kind::number: {
            if (a->size() != 5) return false;
            const json::value& n = (*a)[4];
            out = ConfigNode::make_number(n.is_double() ? n.as_double() : n.is_int64() ? static_cast<double>(n.as_int64())
                                                                                        : n.is_uint64() ? static_cast<double>(n.as_uint64()) : 0.0,
                                          mark);
            if (!n.is_number()) return false;
            out.set_text(text);
            return true;
        }
        case ConfigNode::Kind::list:
            out = ConfigNode::make_list(mark);
            for (std::size_t i = 4; i < a->size(); ++i) {
                ConfigNode item;
                if (!from_json((*a)[i], item, depth + 1)) return false;
                out.push_back(std::move(item));
            }
            return true;
        case ConfigNode::Kind::map:
            out = ConfigNode::make_map(mark);
            if ((a->size() - 4) % 2 != 0) return false;
            for (std::size_t i = 4; i < a->size(); i += 2) {
                if (!(*a)[i].is_string()) return false;
                ConfigNode value;
                if (!from_json((*a)[i + 1], value, depth + 1)) return false;
                out.entries().emplace_back(std::string((*a)[i].as_string()), std::move(value));
            }
            return true;
    }
    return false;
}

}  // namespace

std::uint64_t text_hash(std::string_view text) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

std::string config_cache_text(const ConfigNode& tree, std::uint64_t source_hash) {
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(source_hash));
    json::object doc;
    doc["format"] = kFormat;
    doc["source_fnv1a64"] = hash;
    doc["tree"] = to_json(tree);
    return json::serialize(doc) + "\n";
}

std::optional<ConfigNode> read_config_cache(std::string_view cache, std::uint64_t source_hash) {
    json::error_code ec;
    const json::value doc = json::parse(cache, ec);
    if (ec || !doc.is_object()) return std::nullopt;
    const json::object& o = doc.get_object();
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(source_hash));
    const json::value* format = o.if_contains("format");
    const json::value* stored = o.if_contains("source_fnv1a64");
    const json::value* tree = o.if_contains("tree");
    if (!format || !format->is_int64() || format->as_int64() != kFormat || !stored || !stored->is_string() ||
        stored->as_string() != hash || !tree)
        return std::nullopt;
    ConfigNode out;
    if (!from_json(*tree, out, 0)) return std::nullopt;
    return out;
}

}  // namespace vram
