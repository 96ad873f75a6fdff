// json_io.cpp - config.json into a ConfigNode (Boost.JSON). Reports are written by report_json.cpp.
// SPDX-License-Identifier: Apache-2.0
#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vram/error.hpp"
#include "scenario/scenario_loader.hpp"

namespace json = boost::json;

namespace vram {
namespace {

constexpr std::size_t kMaxJsonBytes = 64u << 20;

ConfigNode convert(const json::value& v) {
    switch (v.kind()) {
        case json::kind::null: return ConfigNode{};
        case json::kind::bool_: return ConfigNode::make_bool(v.get_bool());
        case json::kind::int64: return ConfigNode::make_number(static_cast<double>(v.get_int64()));
        case json::kind::uint64: return ConfigNode::make_number(static_cast<double>(v.get_uint64()));
        case json::kind::double_: return ConfigNode::make_number(v.get_double());
        case json::kind::string: return ConfigNode::make_string(std::string(v.get_string()));
        case json::kind::array: {
            ConfigNode list = ConfigNode::make_list();
            for (const auto& item : v.get_array()) list.push_back(convert(item));
            return list;
        }
        case json::kind::object: {
            ConfigNode map = ConfigNode::make_map();
            for (const auto& kv : v.get_object()) map.set(std::string(kv.key()), convert(kv.value()));
            return map;
        }
    }
    return ConfigNode{};
}

}  // namespace

ConfigNode parse_json_text(const std::string& text, const std::string& name) {
    if (text.size() > kMaxJsonBytes) throw ScenarioError(name, "file larger than 64 MiB; not a config.json");
    json::parse_options opts;
    opts.max_depth = 64;
    opts.allow_invalid_utf8 = false;
    json::stream_parser parser({}, opts);
    boost::system::error_code ec;
    const std::size_t used = parser.write(text.data(), text.size(), ec);
    if (!ec) parser.finish(ec);
    if (ec) {
        // Boost.JSON reports how far it read: turn that into line:column.
        int line = 1, col = 1;
        for (std::size_t i = 0; i < used && i < text.size(); ++i) {
            if (text[i] == '\n') { ++line; col = 1; } else { ++col; }
        }
        throw ScenarioError(name + ":" + std::to_string(line) + ":" + std::to_string(col), "invalid JSON: " + ec.message());
    }
    return convert(parser.release());
}

std::string read_scenario_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw ScenarioError(path, "cannot read the file: it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ScenarioError(path, "cannot read the file (missing or unreadable)");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

ConfigNode parse_json_file(const std::string& path) { return parse_json_text(read_scenario_file(path), path); }

}  // namespace vram
