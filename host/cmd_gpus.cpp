// cmd_gpus.cpp - vram gpus [QUERY]: fuzzy search of the GPU catalogs, best match first.
// SPDX-License-Identifier: Apache-2.0
#include <cstdio>
#include <iostream>

#include "app.hpp"
#include "vram/bytes.hpp"
#include "vram/error.hpp"
#include "catalog/gpu_search.hpp"
#include "report/report.hpp"

namespace vram::cli {

int cmd_gpus(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::vector<std::string> words;
    std::vector<std::string> catalogs;
    std::size_t limit = 0;
    po::options_description desc("options");
    desc.add_options()("query", po::value(&words)->composing(), "search text (\"rtx 4090\", \"h100sxm\", \"mi300x\")")
        ("catalog", po::value(&catalogs)->composing(), "also search a CSV catalog FILE (repeatable)")
        ("limit,n", po::value(&limit), "show at most N matches");
    add_common_options(desc, common, CommandTraits{{"table", "json"}, "", false, false});
    po::positional_options_description pos;
    pos.add("query", -1);
    parse_command("gpus", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("gpus", "[QUERY...] [--catalog FILE.csv] [--limit N]", desc);
        return 0;
    }
    const std::string format = output_format(common);
    app.load_plugins(common);
    std::string query;
    for (const auto& w : words) query += (query.empty() ? "" : " ") + w;
    std::vector<GpuSpec> extra;
    for (const auto& c : catalogs) {
        auto rows = read_gpu_csv(c);
        extra.insert(extra.end(), rows.begin(), rows.end());
    }
    auto matches = search_gpus(app.registry(), extra, query);
    if (limit > 0 && matches.size() > limit) matches.resize(limit);
    std::string out;
    if (format == "json") {
        // Catalog figures keep six significant digits, as the table shows them.
        JsonWriter w;
        w.array();
        for (const auto& m : matches) {
            const GpuSpec& g = m.gpu;
            w.object(JsonWriter::Layout::line).field("name", g.name).field("vendor", g.vendor).field("kind", g.kind);
            w.field("memory_bytes", g.memory_bytes).field("usable_bytes", g.usable_bytes);
            w.key("bandwidth_gbs").general(g.bandwidth_gbs).key("bf16_tflops").general(g.bf16_tflops);
            w.key("fp8_tflops").general(g.fp8_tflops).key("tdp_w").general(g.tdp_w);
            w.key("price_usd").general(g.price_usd).key("score").general(m.score);
            w.field("price_kind", g.price_kind).field("catalog", m.catalog).field("source", g.source);
            w.field("licence", g.licence).end();
        }
        w.end();
        out = w.str();
    } else {
        if (matches.empty()) {
            out = "no GPU matches '" + query + "'\n";
        }
        for (const auto& m : matches) {
            const GpuSpec& g = m.gpu;
            char line[512];
            std::snprintf(line, sizeof line, "%-44s %-8s %8.2f GiB usable (%6.1f GiB marketed) %7.0f GB/s %7.0f TFLOPS bf16",
                          g.name.c_str(), g.vendor.c_str(), static_cast<double>(g.usable_bytes) / kGiB,
                          static_cast<double>(g.memory_bytes) / kGiB, g.bandwidth_gbs, g.bf16_tflops);
            out += line;
            if (g.price_usd > 0) {
                char price[64];
                std::snprintf(price, sizeof price, "  $%.0f (%s)", g.price_usd, g.price_kind.c_str());
                out += price;
            }
            out += "\n";
        }
    }
    emit(common, out);
    return 0;
}

}  // namespace vram::cli
