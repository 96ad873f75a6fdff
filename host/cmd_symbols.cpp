// cmd_symbols.cpp - vram symbols [SCENARIO.yaml]: every symbol a formula can read, with its value
// in the scenario, unit, meaning and the plugin (stage) that set it (docs/symbols.md).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <iostream>

#include "app.hpp"
#include "commands.hpp"
#include "report/json_writer.hpp"
#include "vram/error.hpp"
#include "pipeline/estimate.hpp"
#include "report/report.hpp"
#include "scenario/scenario_loader.hpp"

namespace vram::cli {

int cmd_symbols(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::string file;
    po::options_description desc("options");
    desc.add_options()("scenario", po::value(&file), "scenario YAML file (without it: names, units and meanings only)");
    add_common_options(desc, common, CommandTraits{{"table", "json"}, "", true, false});
    po::positional_options_description pos;
    pos.add("scenario", 1);
    parse_command("symbols", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("symbols", "[SCENARIO.yaml] [--set key.path=value ...] [--format table|json]", desc);
        return 0;
    }
    const std::string format = output_format(common);
    if (file.empty()) {
        app.load_plugins(common);
        emit(common, symbols_output(app, nullptr, format));
        return 0;
    }
    Scenario scenario = load_scenario(file, common.sets);
    app.load_plugins(common, scenario.plugins, scenario.directory);
    emit(common, symbols_output(app, &scenario, format));
    return 0;
}

// The rows and their output; shared with `vram serve`'s /api/v1/symbols.
std::string symbols_output(App& app, Scenario* scenario, const std::string& format) {
    struct Row {
        std::string name, value, unit, meaning, set_by, owner;
        double number = 0;  // the value, when set
    };
    std::vector<Row> rows;
    if (!scenario) {
        // Every symbol any loaded plugin declared, with its owner: what formulas may be written
        // against before a scenario exists.
        for (const SymbolInfo& sym : app.registry().symbols)
            rows.push_back({sym.name, "", sym.unit, sym.meaning, "", sym.owner, 0});
    } else {
        // The list is what one writes formulas against, so it must work while a formula is still
        // broken: the scenario's own components set no symbols and are left out here.
        scenario->components.clear();
        Estimator estimator(app.registry(), std::move(*scenario), app.preset_dir());
        estimator.estimate();  // resolves count: auto and leaves the most loaded rank in the Context
        const Context& ctx = estimator.context();
        for (std::size_t i = 0; i < ctx.symbol_count(); ++i)
            rows.push_back({ctx.info(i).name, ctx.is_set(i) ? format_number(ctx.value(i)) : "", ctx.info(i).unit,
                            ctx.info(i).meaning, ctx.origin(i), ctx.info(i).owner, ctx.value(i)});
    }

    std::string out;
    if (format == "json") {
        JsonWriter w;
        w.object().key("symbols").array();
        for (const Row& r : rows) {
            w.object(JsonWriter::Layout::line).field("name", r.name).key("value");
            if (r.value.empty()) w.null();
            else w.value(r.number);
            w.field("unit", r.unit).field("meaning", r.meaning).field("owner", r.owner).key("set_by");
            if (r.set_by.empty()) w.null();
            else w.value(r.set_by);
            w.end();
        }
        w.end().end();
        out = w.str();
    } else {
        std::size_t w_name = 6, w_value = 5, w_unit = 4, w_by = 6, w_owner = 5;
        for (const auto& r : rows) {
            w_owner = std::max(w_owner, r.owner.size());
            w_name = std::max(w_name, r.name.size());
            w_value = std::max(w_value, r.value.size());
            w_unit = std::max(w_unit, r.unit.size());
            w_by = std::max(w_by, r.set_by.size());
        }
        auto pad = [](const std::string& s, std::size_t w) { return s + std::string(w > s.size() ? w - s.size() : 0, ' '); };
        auto lpad = [](const std::string& s, std::size_t w) { return std::string(w > s.size() ? w - s.size() : 0, ' ') + s; };
        const bool values = scenario != nullptr;
        out += pad("symbol", w_name) + "  ";
        if (values) out += lpad("value", w_value) + "  ";
        out += pad("unit", w_unit) + "  ";
        if (values) out += pad("set by", w_by) + "  ";
        else out += pad("owner", w_owner) + "  ";
        out += "meaning\n";
        for (const auto& r : rows) {
            out += pad(r.name, w_name) + "  ";
            if (values) out += lpad(r.value.empty() ? "-" : r.value, w_value) + "  ";
            out += pad(r.unit, w_unit) + "  ";
            if (values) out += pad(r.set_by.empty() ? "-" : r.set_by, w_by) + "  ";
            else out += pad(r.owner, w_owner) + "  ";
            out += r.meaning + "\n";
        }
        out += "\nSymbols are what `components:` formulas read (docs/symbols.md); '-' = not set in this scenario.\n";
    }
    return out;
}

}  // namespace vram::cli
