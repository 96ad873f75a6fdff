// scenario_yaml.cpp - the only file that includes yaml-cpp: YAML text into a ConfigNode tree.
// SPDX-License-Identifier: Apache-2.0
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vram/error.hpp"
#include "scenario/scenario_loader.hpp"

namespace vram {
namespace {

constexpr int kMaxDepth = 64;
// A real scenario has a few hundred nodes; aliases expand while converting, so an alias bomb
// stops here (found by fuzz_scenario: 200,000 took seconds under instrumentation).
constexpr std::size_t kMaxNodes = 20000;
constexpr std::size_t kMaxBytes = 8u << 20;  // scenarios are small

struct Converter {
    std::string name;
    std::size_t nodes = 0;

    std::string where(const YAML::Mark& m) const {
        return name + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
    }

    static bool parse_number(const std::string& s, double& out) {
        if (s.empty()) return false;
        if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf") { out = INFINITY; return true; }
        if (s == "-.inf" || s == "-.Inf" || s == "-.INF") { out = -INFINITY; return true; }
        if (s == ".nan" || s == ".NaN" || s == ".NAN") { out = NAN; return true; }
        const char c = s[0];
        if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.')) return false;
        std::string t;
        for (char ch : s) if (ch != '_') t += ch;  // YAML 1.1 digit separators (1_000_000)
        char* end = nullptr;
        if (t.size() > 2 && (t.rfind("0x", 0) == 0)) {
            out = static_cast<double>(std::strtoll(t.c_str(), &end, 16));
        } else {
            out = std::strtod(t.c_str(), &end);
        }
        return end && *end == '\0';
    }

    ConfigNode convert(const YAML::Node& node, int depth) {
        if (++nodes > kMaxNodes)
            throw ScenarioError(where(node.Mark()), "document expands to more than " + std::to_string(kMaxNodes) +
                                                        " nodes (alias bomb?)");
        if (depth > kMaxDepth)
            throw ScenarioError(where(node.Mark()), "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
        const YAML::Mark m = node.Mark();
        const SourceMark mark{m.line + 1, m.column + 1};
        switch (node.Type()) {
            case YAML::NodeType::Undefined:
            case YAML::NodeType::Null: return ConfigNode{};
            case YAML::NodeType::Scalar: {
                const std::string& s = node.Scalar();
                if (node.Tag() == "!") return ConfigNode::make_string(s, mark);  // quoted
                if (s == "~" || s == "null" || s == "Null" || s == "NULL") return ConfigNode{};
                if (s == "true" || s == "True" || s == "TRUE") return ConfigNode::make_bool(true, mark);
                if (s == "false" || s == "False" || s == "FALSE") return ConfigNode::make_bool(false, mark);
                double v = 0;
                if (parse_number(s, v)) {
                    ConfigNode n = ConfigNode::make_number(v, mark);
                    n.set_text(s);
                    return n;
                }
                return ConfigNode::make_string(s, mark);
            }
            case YAML::NodeType::Sequence: {
                ConfigNode list = ConfigNode::make_list(mark);
                for (const auto& item : node) list.push_back(convert(item, depth + 1));
                return list;
            }
            case YAML::NodeType::Map: {
                ConfigNode map = ConfigNode::make_map(mark);
                for (const auto& kv : node) {
                    if (!kv.first.IsScalar())
                        throw ScenarioError(where(kv.first.Mark()), "map keys must be plain strings");
                    const std::string key = kv.first.Scalar();
                    if (map.find(key))
                        throw ScenarioError(where(kv.first.Mark()), "duplicate key '" + key + "'");
                    ConfigNode value = convert(kv.second, depth + 1);
                    if (value.is_null()) value.set_mark({kv.first.Mark().line + 1, kv.first.Mark().column + 1});
                    map.set(key, std::move(value));
                }
                return map;
            }
        }
        return ConfigNode{};
    }
};

// yaml-cpp accepts some inputs that are not text; reject them with a position instead.
void check_text(const std::string& text, const std::string& name) {
    if (text.size() > kMaxBytes) throw ScenarioError(name, "file larger than 8 MiB; not a scenario");
    int line = 1, col = 1;
    bool at_line_start = true;
    // The position text is built only for the error: once per byte it was a third of parsing a
    // family file at start-up.
    const auto pos_of = [&] { return name + ":" + std::to_string(line) + ":" + std::to_string(col); };
    for (unsigned char c : text) {
        if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t'))
            throw ScenarioError(pos_of(), "binary data (byte 0x" + std::string(1, "0123456789abcdef"[c >> 4]) +
                                         std::string(1, "0123456789abcdef"[c & 15]) + "); expected YAML text");
        if (c == '\t' && at_line_start)
            throw ScenarioError(pos_of(), "tab character in indentation; YAML allows spaces only");
        if (c == '\n') {
            ++line;
            col = 1;
            at_line_start = true;
            continue;
        }
        if (c != ' ' && c != '\t') at_line_start = false;
        ++col;
    }
}

}  // namespace

ConfigNode parse_yaml_text(const std::string& text, const std::string& name) {
    check_text(text, name);
    Converter conv{name};
    try {
        YAML::Node root = YAML::Load(text);
        return conv.convert(root, 0);
    } catch (const YAML::Exception& e) {
        // e.msg is the bare message; the mark gives the position.
        throw ScenarioError(name + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1),
                            "invalid YAML: " + e.msg);
    }
}

ConfigNode parse_yaml_file(const std::string& path) { return parse_yaml_text(read_scenario_file(path), path); }

}  // namespace vram
