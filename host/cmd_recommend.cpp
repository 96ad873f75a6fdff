// cmd_recommend.cpp - vram recommend SCENARIO: every catalog GPU the scenario fits on, with how
// many of them, the headroom, and the price, cheapest first.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "app.hpp"
#include "commands.hpp"
#include "scenario_session.hpp"
#include "vram/bytes.hpp"
#include "vram/error.hpp"
#include "catalog/gpu_search.hpp"
#include "pipeline/fp8.hpp"
#include "report/report.hpp"

namespace vram::cli {
namespace {

struct Option {
    GpuSpec gpu;
    std::int64_t count = 0;      // devices
    Bytes total = 0;             // peak per device
    Bytes usable = 0;
    double price = 0;            // the whole job's GPUs, USD (0 = unknown)
    double price_per_gib = 0;    // USD per usable GiB of one device
};

bool contains_word(const std::string& list, const std::string& word) {
    std::size_t from = 0;
    for (;;) {
        const auto c = list.find(',', from);
        if (list.compare(from, c == std::string::npos ? std::string::npos : c - from, word) == 0) return true;
        if (c == std::string::npos) return false;
        from = c + 1;
    }
}

// The distinct values of a catalog column, in first-seen order, for "allowed: ..." messages.
std::string distinct(const std::vector<GpuMatch>& gpus, std::string GpuSpec::*field) {
    std::vector<std::string> seen;
    for (const auto& m : gpus)
        if (std::find(seen.begin(), seen.end(), m.gpu.*field) == seen.end()) seen.push_back(m.gpu.*field);
    std::string out;
    for (const auto& v : seen) out += (out.empty() ? "" : ", ") + v;
    return out;
}

// Every comma-separated word of a --kind/--vendor filter must name a value the catalogs hold:
// a typo ("datacentre") would otherwise filter everything out and answer "nothing fits".
void check_filter(const std::string& option, const std::string& list, const std::vector<GpuMatch>& gpus,
                  std::string GpuSpec::*field) {
    std::size_t from = 0;
    while (from <= list.size()) {
        const auto c = list.find(',', from);
        const std::string word = list.substr(from, c == std::string::npos ? std::string::npos : c - from);
        const bool known = std::any_of(gpus.begin(), gpus.end(), [&](const GpuMatch& m) { return m.gpu.*field == word; });
        if (!known)
            throw UsageError("--" + option + " " + list + ": unknown value '" + word +
                             "'; allowed (comma-separated): " + distinct(gpus, field));
        if (c == std::string::npos) break;
        from = c + 1;
    }
}

std::string html_text(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else if (c == '"') out += "&quot;";
        else out += c;
    }
    return out;
}

std::string csv_text(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string fmt(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

void check_sort(const std::string& sort) {
    if (sort != "price" && sort != "price-per-gib" && sort != "gpus" && sort != "headroom")
        throw UsageError("--sort " + sort + ": allowed: price, price-per-gib, gpus, headroom");
}

}  // namespace

int cmd_recommend(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::string file, sort = "price", kinds, vendors, catalog;
    std::size_t limit = 0;
    std::int64_t max_gpus = 0;  // 0: no limit (the option itself must be at least 1)
    QuestionFlags flags;
    po::options_description desc("options");
    desc.add_options()("scenario", po::value(&file), "SCENARIO.yaml | PRESET | - | nothing (flags only); hardware.gpu is "
                                                     "replaced by each catalog GPU")
        ("sort", po::value(&sort), "order: price (the job's GPUs) | price-per-gib (one GPU's usable GiB) | gpus | "
                                   "headroom")
        ("kind", po::value(&kinds), "only these kinds, comma-separated: datacenter,workstation,consumer,apple")
        ("vendor", po::value(&vendors), "only these vendors, comma-separated (NVIDIA,AMD,Intel,Apple ...)")
        ("max-gpus", po::value(&max_gpus)->notifier([](std::int64_t n) {
             if (n < 1) throw UsageError("--max-gpus " + std::to_string(n) + ": allowed: a whole number of at least 1");
         }), "only layouts of at most N GPUs (N >= 1)")
        ("limit,n", po::value(&limit), "show at most N GPUs")
        ("catalog", po::value(&catalog), "also consider the GPU catalog FILE.csv");
    add_common_options(desc, common, CommandTraits{{"table", "json", "markdown", "csv", "html"}, "", true, false});
    add_question_options(desc, flags);
    po::positional_options_description pos;
    pos.add("scenario", 1);
    parse_command("recommend", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("recommend", "[SCENARIO.yaml | PRESET | -] [--model M ...] [--sort price|price-per-gib|gpus|headroom] [--kind K] "
                                               "[--max-gpus N] [--format table|json|markdown|csv|html]", desc);
        return 0;
    }
    check_sort(sort);
    const std::string format = output_format(common);
    ScenarioSession session(app, common, ScenarioInput(app, file, flags, common.sets, catalog_overrides(catalog)));
    emit(common, recommend_output(app, session, RecommendRequest{sort, kinds, vendors, max_gpus, limit}, format));
    return 0;
}

// The search over the catalogs and its output; shared with `vram serve`'s /api/v1/recommend.
std::string recommend_output(App& app, ScenarioSession& session, const RecommendRequest& request,
                             const std::string& format) {
    const std::string& sort = request.sort;
    const std::string& kinds = request.kinds;
    const std::string& vendors = request.vendors;
    const std::int64_t max_gpus = request.max_gpus;
    const std::size_t limit = request.limit;
    check_sort(sort);
    if (max_gpus < 0) throw UsageError("--max-gpus " + std::to_string(max_gpus) + ": allowed: a whole number of at least 1");
    std::vector<GpuSpec> extra;
    if (!session.estimator().scenario().hardware.catalog.empty()) {
        std::string path = session.estimator().scenario().hardware.catalog;
        if (path.front() != '/' && !session.estimator().scenario().directory.empty())
            path = session.estimator().scenario().directory + "/" + path;
        extra = read_gpu_csv(path);
    }
    const bool count_auto = session.estimator().scenario().hardware.count_auto;
    const std::vector<GpuMatch> catalog_gpus = all_gpus(app.registry(), extra);
    if (!kinds.empty()) check_filter("kind", kinds, catalog_gpus, &GpuSpec::kind);
    if (!vendors.empty()) check_filter("vendor", vendors, catalog_gpus, &GpuSpec::vendor);
    std::vector<Option> fits;
    for (const auto& m : catalog_gpus) {
        const GpuSpec& g = m.gpu;
        if (!kinds.empty() && !contains_word(kinds, g.kind)) continue;
        if (!vendors.empty() && !contains_word(vendors, g.vendor)) continue;
        const Bytes usable = static_cast<Bytes>(g.usable_bytes ? g.usable_bytes : g.memory_bytes);
        if (usable <= 0) continue;
        // Each GPU is tried by its memory alone; FP8 training also needs its tensor cores.
        if (!gpu_runs_fp8_recipe(g, session.estimator().scenario().training.fp8_recipe)) continue;
        // Usable bytes / 2^30 is exact in a double, so the estimate sees exactly this board's bytes.
        session.set_number("hardware.memory_gib", static_cast<double>(usable) / kGiB);
        Option o;
        bool admitted = false;  // the bytes fit and the engine runs it (Estimator::fits)
        try {
            session.apply();
            Estimator& e = session.estimator();
            if (count_auto) e.resolve_count();
            o.total = e.evaluate_peak();
            o.count = e.gpu_count();
            admitted = e.fits(o.total);
        } catch (const ScenarioError&) {
            continue;  // count: auto found no layout on this GPU
        } catch (const EstimateError&) {
            continue;
        }
        if (!admitted || (max_gpus > 0 && o.count > max_gpus)) continue;
        o.gpu = g;
        o.usable = usable;
        const double per_device = g.price_usd / static_cast<double>(std::max<std::int64_t>(1, g.devices));
        o.price = per_device * static_cast<double>(o.count);
        o.price_per_gib = per_device / (static_cast<double>(usable) / kGiB);
        fits.push_back(std::move(o));
    }
    auto key = [&](const Option& o) {
        if (sort == "price") return o.price;
        if (sort == "price-per-gib") return o.price_per_gib;
        if (sort == "gpus") return static_cast<double>(o.count);
        return -static_cast<double>(o.usable - o.total);  // headroom: most first
    };
    std::stable_sort(fits.begin(), fits.end(), [&](const Option& a, const Option& b) {
        const bool priced = sort == "price" || sort == "price-per-gib";
        if (priced && (a.price > 0) != (b.price > 0)) return a.price > 0;  // unknown prices last
        if (key(a) != key(b)) return key(a) < key(b);
        return a.count < b.count;
    });
    if (limit > 0 && fits.size() > limit) fits.resize(limit);
    std::string out;
    if (format == "json") {
        // Rounded as a reader of the table sees them: utilization to 4 decimals, prices to cents.
        JsonWriter w;
        w.array();
        for (const Option& o : fits) {
            w.object(JsonWriter::Layout::line).field("name", o.gpu.name).field("vendor", o.gpu.vendor).field("kind", o.gpu.kind);
            w.field("gpu_count", o.count).field("memory_bytes", o.gpu.memory_bytes);
            w.field("usable_bytes", static_cast<std::int64_t>(o.usable)).field("total_bytes", static_cast<std::int64_t>(o.total));
            w.field("headroom_bytes", static_cast<std::int64_t>(o.usable) - static_cast<std::int64_t>(o.total));
            w.key("utilization").fixed(static_cast<double>(o.total) / static_cast<double>(o.usable), 4);
            // A board without a price has null prices (as in `vram gpus`), never a price of 0.
            w.key("price_usd");
            if (o.price > 0) w.fixed(o.price, 0).key("price_per_usable_gib_usd").fixed(o.price_per_gib, 2);
            else w.null().key("price_per_usable_gib_usd").null();
            w.field("price_kind", o.gpu.price_kind).field("licence", o.gpu.licence).end();
        }
        w.end();
        out = w.str();
    } else if (format == "csv") {
        // One row per GPU; bytes exact, unknown prices empty.
        out = "name,vendor,kind,gpu_count,memory_bytes,usable_bytes,total_bytes,headroom_bytes,utilization,"
              "price_usd,price_per_usable_gib_usd,price_kind,licence\n";
        for (const Option& o : fits) {
            out += csv_text(o.gpu.name) + "," + csv_text(o.gpu.vendor) + "," + csv_text(o.gpu.kind) + "," +
                   std::to_string(o.count) + "," + std::to_string(o.gpu.memory_bytes) + "," + std::to_string(o.usable) +
                   "," + std::to_string(o.total) + "," +
                   std::to_string(static_cast<std::int64_t>(o.usable) - static_cast<std::int64_t>(o.total)) + "," +
                   fmt("%.4f", static_cast<double>(o.total) / static_cast<double>(o.usable)) + "," +
                   (o.price > 0 ? fmt("%.0f", o.price) : "") + "," + (o.price > 0 ? fmt("%.2f", o.price_per_gib) : "") +
                   "," + csv_text(o.gpu.price_kind) + "," + csv_text(o.gpu.licence) + "\n";
        }
    } else if (format == "markdown" || format == "html") {
        // The table's columns; GiB = 2^30 bytes; "—" where the catalog has no price.
        const std::vector<std::string> head = {"GPU", "count", "need GiB", "usable GiB", "headroom GiB", "util", "price USD",
                                               "USD/GiB"};
        std::vector<std::vector<std::string>> rows;
        for (const Option& o : fits) {
            const double need = static_cast<double>(o.total) / kGiB, cap = static_cast<double>(o.usable) / kGiB;
            rows.push_back({o.gpu.name, std::to_string(o.count), fmt("%.2f", need), fmt("%.2f", cap),
                            fmt("%.2f", cap - need), fmt("%.1f %%", 100.0 * need / cap),
                            o.price > 0 ? fmt("%.0f", o.price) : "—", o.price > 0 ? fmt("%.1f", o.price_per_gib) : "—"});
        }
        const std::string note = "GiB = 2^30 bytes, per GPU; usable = what one process can allocate; prices from the "
                                 "catalog rows (vram gpus --format json shows each source).";
        if (format == "markdown") {
            out = "## GPUs that fit " + session.estimator().scenario().name + "\n\n";
            std::string rule = "|";
            out += "|";
            for (std::size_t i = 0; i < head.size(); ++i) {
                out += " " + head[i] + " |";
                rule += i == 0 ? "---|" : "--:|";
            }
            out += "\n" + rule + "\n";
            for (const auto& r : rows) {
                out += "|";
                for (const auto& cell : r) {
                    std::string c;
                    for (char ch : cell) c += ch == '|' ? std::string("\\|") : std::string(1, ch);
                    out += " " + c + " |";
                }
                out += "\n";
            }
            if (rows.empty()) out += "\nNo catalog GPU fits this scenario.\n";
            out += "\n_" + note + "_\n";
        } else {
            const std::string title = "vram recommend: " + session.estimator().scenario().name;
            // Self-contained like the run reports: no script, style or font from the network.
            out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta name=\"color-scheme\" content=\"light dark\">\n<title>" + html_text(title) +
                  "</title>\n<style>body{font:15px/1.5 system-ui,sans-serif;margin:1em auto;max-width:1000px;padding:0 1em}"
                  "table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #8884;"
                  "text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
                  "p{color:#777}</style>\n</head>\n<body>\n<h1>" + html_text(title) + "</h1>\n<table>\n<tr>";
            for (std::size_t i = 0; i < head.size(); ++i)
                out += std::string(i == 0 ? "<th>" : "<th class=\"n\">") + html_text(head[i]) + "</th>";
            out += "</tr>\n";
            for (const auto& r : rows) {
                out += "<tr>";
                for (std::size_t i = 0; i < r.size(); ++i)
                    out += std::string(i == 0 ? "<td>" : "<td class=\"n\">") + html_text(r[i]) + "</td>";
                out += "</tr>\n";
            }
            out += "</table>\n";
            if (rows.empty()) out += "<p>No catalog GPU fits this scenario.</p>\n";
            out += "<p>" + html_text(note) + "</p>\n</body>\n</html>\n";
        }
    } else {
        char line[512];
        std::snprintf(line, sizeof line, "%-48s %5s %10s %10s %9s %6s %11s %9s\n", "GPU", "count", "need GiB",
                      "usable GiB", "headroom", "util", "price USD", "USD/GiB");
        out = line;
        for (const auto& o : fits) {
            const double need = static_cast<double>(o.total) / kGiB, cap = static_cast<double>(o.usable) / kGiB;
            char price[32] = "-", per[32] = "-";
            if (o.price > 0) {
                std::snprintf(price, sizeof price, "%.0f", o.price);
                std::snprintf(per, sizeof per, "%.1f", o.price_per_gib);
            }
            std::snprintf(line, sizeof line, "%-48.48s %5lld %10.2f %10.2f %9.2f %5.1f%% %11s %9s\n", o.gpu.name.c_str(),
                          static_cast<long long>(o.count), need, cap, cap - need, 100.0 * need / cap, price, per);
            out += line;
        }
        if (fits.empty()) out += "no catalog GPU fits this scenario\n";
        out += "GiB = 2^30 bytes, per GPU; usable = what one process can allocate; prices from the catalog rows "
               "(`vram gpus --format json` shows each source)\n";
    }
    return out;
}

}  // namespace vram::cli
