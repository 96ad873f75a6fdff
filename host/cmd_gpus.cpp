// cmd_gpus.cpp - vram gpus [QUERY]: fuzzy search of the GPU catalogs, best match first.
// SPDX-License-Identifier: Apache-2.0
#include <cstdio>
#include <iostream>

#include "app.hpp"
#include "commands.hpp"
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
    emit(common, gpus_output(app, query, extra, limit, format));
    return 0;
}

// The search and its output; shared with `vram serve`'s /api/v1/gpus.
std::string gpus_output(App& app, const std::string& query, const std::vector<GpuSpec>& extra, std::size_t limit,
                        const std::string& format) {
    auto matches = search_gpus(app.registry(), extra, query);
    if (limit > 0 && matches.size() > limit) matches.resize(limit);
    std::string out;
    // The catalogs write 0 for a figure they do not know (GpuSpec's convention): shown as "—" in
    // the table and null in JSON, never as a measured 0 GB/s or 0 TFLOPS.
    if (format == "json") {
        // Catalog figures keep six significant digits, as the table shows them.
        JsonWriter w;
        w.array();
        auto known = [&](const char* key, double v) -> JsonWriter& {
            w.key(key);
            return v > 0 ? w.general(v) : w.null();
        };
        for (const auto& m : matches) {
            const GpuSpec& g = m.gpu;
            w.object(JsonWriter::Layout::line).field("name", g.name).field("vendor", g.vendor).field("kind", g.kind);
            w.field("memory_bytes", g.memory_bytes).field("usable_bytes", g.usable_bytes);
            known("bandwidth_gbs", g.bandwidth_gbs);
            known("bf16_tflops", g.bf16_tflops);
            known("fp8_tflops", g.fp8_tflops);
            known("tdp_w", g.tdp_w);
            known("price_usd", g.price_usd);
            w.key("score").general(m.score);
            w.field("price_kind", g.price_kind).field("catalog", m.catalog).field("source", g.source);
            w.field("licence", g.licence);
            const std::string shared = shared_memory_note(g);
            w.key("shared_memory");
            if (shared.empty()) w.null();
            else w.value(shared);
            w.end();
        }
        w.end();
        out = w.str();
    } else {
        if (matches.empty()) {
            out = "no GPU matches '" + query + "'\n";
        }
        // Right-aligned figure, or "—" (one column wide, so padded by hand) when unknown.
        auto figure = [](double v, int width) {
            char buf[64];
            if (v > 0) std::snprintf(buf, sizeof buf, "%*.0f", width, v);
            else std::snprintf(buf, sizeof buf, "%*s—", width - 1, "");
            return std::string(buf);
        };
        bool any_shared = false;
        for (const auto& m : matches) {
            const GpuSpec& g = m.gpu;
            char line[512];
            std::snprintf(line, sizeof line, "%-44s %-8s %8.2f GiB usable (%6.1f GiB marketed) ", g.name.c_str(),
                          g.vendor.c_str(), static_cast<double>(g.usable_bytes) / kGiB,
                          static_cast<double>(g.memory_bytes) / kGiB);
            out += line + figure(g.bandwidth_gbs, 7) + " GB/s " + figure(g.bf16_tflops, 7) + " TFLOPS bf16";
            if (g.price_usd > 0) {
                char price[64];
                std::snprintf(price, sizeof price, "  $%.0f (%s)", g.price_usd, g.price_kind.c_str());
                out += price;
            }
            out += "\n";
            if (const std::string shared = shared_memory_note(g); !shared.empty()) {
                out += "    " + shared + "\n";
                any_shared = true;
            }
        }
        if (!matches.empty())
            out += std::string("GiB = 2^30 bytes; — = not in the catalog") +
                   (any_shared ? "; shared memory: docs/gpus.md \"Shared-memory devices\"" : "") + "\n";
    }
    return out;
}

}  // namespace vram::cli
