// cmd_schema.cpp - vram schema: the JSON Schema of scenarios (core keys and the loaded plugins'
// options), or the Markdown key reference that docs/scenario-format.md embeds.
// SPDX-License-Identifier: Apache-2.0
#include <iostream>

#include "app.hpp"
#include "scenario/schema_export.hpp"

namespace vram::cli {

int cmd_schema(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    po::options_description desc("options");
    add_common_options(desc, common, CommandTraits{{"json", "markdown"}, "json", false, false});
    po::positional_options_description pos;
    parse_command("schema", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("schema", "[--format json|markdown]\n\n"
                                            "Every scenario key with its type, range or allowed values, default and "
                                            "owner (x-owner: core or the plugin that declares it), as JSON Schema "
                                            "(draft 2020-12) or as a Markdown table.",
                                  desc);
        return 0;
    }
    // JSON unless asked otherwise, also on a terminal: the schema is for programs and editors.
    const std::string format = output_format(common);
    app.load_plugins(common);
    const SchemaPlugins plugins = schema_plugins(app.registry(), app.loader().loaded());
    emit(common, format == "json" ? scenario_json_schema(plugins) : scenario_schema_markdown(plugins));
    return 0;
}

}  // namespace vram::cli
