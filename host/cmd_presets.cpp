// cmd_presets.cpp - vram presets: model presets with parameter counts, and scenario presets.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>

#include "app.hpp"
#include "commands.hpp"
#include "vram/error.hpp"
#include "model/model_loader.hpp"
#include "report/report.hpp"
#include "scenario/scenario_loader.hpp"

namespace vram::cli {

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Every word must occur (any case) in one of the entry's fields: name, display name, family, tags.
bool matches(const std::vector<std::string>& words, const std::vector<std::string>& fields) {
    for (const auto& w : words) {
        bool found = false;
        for (const auto& f : fields) found = found || lower(f).find(lower(w)) != std::string::npos;
        if (!found) return false;
    }
    return true;
}

}  // namespace

int cmd_presets(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::vector<std::string> words;
    po::options_description desc("options");
    desc.add_options()("words", po::value(&words)->composing(),
                       "only entries whose name, model name, family (model_type) or tags contain every WORD (any case)");
    add_common_options(desc, common, CommandTraits{{"table", "json"}, "", false, false});
    po::positional_options_description pos;
    pos.add("words", -1);
    parse_command("presets", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("presets", "[WORD ...] [--format table|json]\n\n"
                                             "Model and scenario presets; WORDs filter them (vram presets qwen moe).", desc);
        return 0;
    }
    const std::string format = output_format(common);
    app.load_plugins(common);
    emit(common, presets_output(app, words, format));
    return 0;
}

// The listing; shared with `vram serve`'s /api/v1/presets.
std::string presets_output(App& app, const std::vector<std::string>& words, const std::string& format) {
    struct Row {
        ModelPreset preset;
        ModelSpec model;
    };
    std::vector<Row> rows;
    for (auto& p : list_model_presets(app.preset_dir())) {
        std::vector<std::string> fields = {p.name, p.display};
        fields.insert(fields.end(), p.tags.begin(), p.tags.end());
        if (const ConfigNode* type = p.config.find("model_type"); type && type->is_string())
            fields.push_back(type->as_string());
        if (!matches(words, fields)) continue;
        ModelSpec m = model_from_config(app.registry(), p.config, p.name, p.path);
        rows.push_back({std::move(p), std::move(m)});
    }
    std::vector<std::string> scenarios;
    for (const auto& name : list_scenario_presets(app.preset_dir()))
        if (matches(words, {name}))
            scenarios.push_back((std::filesystem::path(app.preset_dir()) / "scenarios" / (name + ".yaml")).string());

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
        out += "\nscenario presets (" + std::to_string(scenarios.size()) + "; vram run NAME):\n";
        for (const auto& s : scenarios) {
            // The preset's own title, so the list says what each one asks.
            std::string name = std::filesystem::path(s).stem().string(), title;
            const ConfigNode root = parse_yaml_file(s);
            if (const ConfigNode* t = root.is_map() ? root.find("name") : nullptr; t && t->is_string()) title = t->as_string();
            name.resize(std::max<std::size_t>(name.size() + 2, 40), ' ');
            out += "  " + name + title + "\n";
        }
    }
    return out;
}

}  // namespace vram::cli
