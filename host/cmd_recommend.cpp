// cmd_recommend.cpp - vram recommend SCENARIO: every catalog GPU the scenario fits on, with how
// many of them, the headroom, and the price, cheapest first.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "app.hpp"
#include "scenario_session.hpp"
#include "vram/bytes.hpp"
#include "vram/error.hpp"
#include "catalog/gpu_search.hpp"
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

}  // namespace

int cmd_recommend(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::string file, sort = "price", kinds, vendors, catalog;
    std::size_t limit = 0;
    std::int64_t max_gpus = 0;
    QuestionFlags flags;
    po::options_description desc("options");
    desc.add_options()("scenario", po::value(&file), "SCENARIO.yaml | PRESET | - | nothing (flags only); hardware.gpu is "
                                                     "replaced by each catalog GPU")
        ("sort", po::value(&sort), "order: price (the job's GPUs) | price-per-gib (one GPU's usable GiB) | gpus | "
                                   "headroom")
        ("kind", po::value(&kinds), "only these kinds, comma-separated: datacenter,workstation,consumer,apple")
        ("vendor", po::value(&vendors), "only these vendors, comma-separated (NVIDIA,AMD,Intel,Apple ...)")
        ("max-gpus", po::value(&max_gpus), "only layouts of at most N GPUs")
        ("limit,n", po::value(&limit), "show at most N GPUs")
        ("catalog", po::value(&catalog), "also consider the GPU catalog FILE.csv");
    add_common_options(desc, common, CommandTraits{{"table", "json"}, "", true, false});
    add_question_options(desc, flags);
    po::positional_options_description pos;
    pos.add("scenario", 1);
    parse_command("recommend", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("recommend", "SCENARIO.yaml [--sort price|price-per-gib|gpus|headroom] [--kind K] "
                                               "[--max-gpus N] [--format table|json]", desc);
        return 0;
    }
    if (sort != "price" && sort != "price-per-gib" && sort != "gpus" && sort != "headroom")
        throw UsageError("--sort " + sort + ": allowed: price, price-per-gib, gpus, headroom");
    const std::string format = output_format(common);
    ScenarioSession session(app, common, ScenarioInput(app, file, flags, common.sets, catalog_overrides(catalog)));
    std::vector<GpuSpec> extra;
    if (!session.estimator().scenario().hardware.catalog.empty()) {
        std::string path = session.estimator().scenario().hardware.catalog;
        if (path.front() != '/' && !session.estimator().scenario().directory.empty())
            path = session.estimator().scenario().directory + "/" + path;
        extra = read_gpu_csv(path);
    }
    const bool count_auto = session.estimator().scenario().hardware.count_auto;
    std::vector<Option> fits;
    for (const auto& m : all_gpus(app.registry(), extra)) {
        const GpuSpec& g = m.gpu;
        if (!kinds.empty() && !contains_word(kinds, g.kind)) continue;
        if (!vendors.empty() && !contains_word(vendors, g.vendor)) continue;
        const Bytes usable = static_cast<Bytes>(g.usable_bytes ? g.usable_bytes : g.memory_bytes);
        if (usable <= 0) continue;
        // Usable bytes / 2^30 is exact in a double, so the estimate sees exactly this board's bytes.
        session.set_number("hardware.memory_gib", static_cast<double>(usable) / kGiB);
        Option o;
        try {
            session.apply();
            Estimator& e = session.estimator();
            if (count_auto) e.resolve_count();
            o.total = e.evaluate_peak();
            o.count = e.gpu_count();
        } catch (const ScenarioError&) {
            continue;  // count: auto found no layout on this GPU
        } catch (const EstimateError&) {
            continue;
        }
        if (o.total > usable || (max_gpus > 0 && o.count > max_gpus)) continue;
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
            w.key("price_usd").fixed(o.price, 0).key("price_per_usable_gib_usd").fixed(o.price_per_gib, 2);
            w.field("price_kind", o.gpu.price_kind).field("licence", o.gpu.licence).end();
        }
        w.end();
        out = w.str();
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
    emit(common, out);
    return 0;
}

}  // namespace vram::cli
