// cmd_presets.cpp - vram presets: model presets with parameter counts, and scenario presets.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "app.hpp"
#include "vram/error.hpp"
#include "model/model_loader.hpp"
#include "report/report.hpp"

namespace vram::cli {

int cmd_presets(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    po::options_description desc("options");
    add_common_options(desc, common, CommandTraits{{"table", "json"}, "", false, false});
    po::positional_options_description pos;
    parse_command("presets", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("presets", "[--format table|json]", desc);
        return 0;
    }
    const std::string format = output_format(common);
    app.load_plugins(common);
    struct Row {
        ModelPreset preset;
        ModelSpec model;
    };
    std::vector<Row> rows;
    for (auto& p : list_model_presets(app.preset_dir())) {
        ModelSpec m = model_from_config(app.registry(), p.config, p.name, p.path);
        rows.push_back({std::move(p), std::move(m)});
    }
    std::vector<std::string> scenarios;
    std::error_code ec;
    const auto dir = std::filesystem::path(app.preset_dir()) / "scenarios";
    if (std::filesystem::is_directory(dir, ec))
        for (const auto& e : std::filesystem::directory_iterator(dir, ec))
            if (e.path().extension() == ".yaml") scenarios.push_back(e.path().string());
    std::sort(scenarios.begin(), scenarios.end());

    std::string out;
    if (format == "json") {
        JsonWriter w;
        w.object().key("models").array();
        for (const auto& r : rows) {
            w.object(JsonWriter::Layout::line).field("name", r.preset.name).field("display", r.preset.display);
            w.field("model_type", r.model.model_type).field("parameters", parameter_count(r.model));
            w.field("active_parameters", active_parameter_count(r.model));
            w.key("tags").array();
            for (const auto& t : r.preset.tags) w.value(t);
            w.end();
            w.field("source", r.preset.source).end();
        }
        w.end().key("scenarios").array();
        for (const auto& s : scenarios)
            w.object(JsonWriter::Layout::line).field("name", std::filesystem::path(s).stem().string()).field("path", s).end();
        w.end().end();
        out = w.str();
    } else {
        out += "model presets (" + std::to_string(rows.size()) + "):\n";
        for (const auto& r : rows) {
            std::string name = r.preset.name;
            name.resize(std::max<std::size_t>(name.size(), 28), ' ');
            std::string type = r.model.model_type;
            type.resize(std::max<std::size_t>(type.size(), 22), ' ');
            std::string count = format_count(static_cast<std::uint64_t>(parameter_count(r.model)));
            count.insert(0, count.size() < 20 ? 20 - count.size() : 0, ' ');
            out += "  " + name + type + count;
            if (!r.preset.tags.empty()) {
                out += "  ";
                for (std::size_t t = 0; t < r.preset.tags.size(); ++t) out += (t ? "," : "") + r.preset.tags[t];
            }
            out += "\n";
        }
        out += "\nscenario presets (" + std::to_string(scenarios.size()) + "):\n";
        for (const auto& s : scenarios) out += "  " + s + "\n";
    }
    emit(common, out);
    return 0;
}

}  // namespace vram::cli
