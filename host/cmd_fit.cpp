// cmd_fit.cpp - vram fit SCENARIO --maximize KEY: the largest value of a numeric key that fits.
// Exponential then binary search over re-prepared estimates; the YAML is parsed once.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include "app.hpp"
#include "commands.hpp"
#include "scenario_session.hpp"
#include "vram/bytes.hpp"
#include "vram/error.hpp"
#include "report/report.hpp"

namespace vram::cli {
namespace {

constexpr std::int64_t kLimit = std::int64_t{1} << 40;  // the scenario reader's largest count

// GiB (2^30) with as many decimals as it takes for `a` and `b` to print differently (2 to 9),
// so "37 fits, 38 does not" is visible in the numbers; equal at 9 decimals means equal bytes.
int distinct_decimals(Bytes a, Bytes b) {
    for (int d = 2; d < 9; ++d) {
        char x[64], y[64];
        std::snprintf(x, sizeof x, "%.*f", d, static_cast<double>(a) / kGiB);
        std::snprintf(y, sizeof y, "%.*f", d, static_cast<double>(b) / kGiB);
        if (std::string(x) != y) return d;
    }
    return 9;
}

struct Probe {
    bool fits = false;
    Bytes total = 0;
    std::int64_t gpus = 0;
    std::string refusal;  ///< the engine's reason when the bytes fit but the engine refuses
};

}  // namespace

int cmd_fit(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::string file, key, catalog;
    std::int64_t minimum = -1;
    QuestionFlags flags;
    po::options_description desc("options");
    desc.add_options()("scenario", po::value(&file), kScenarioArgument)
        ("maximize,m", po::value(&key), "numeric key to maximize: workload.batch_size, workload.sequence_length, "
                                        "workload.prompt_length, or any other numeric scenario key")
        ("min", po::value(&minimum), "smallest value to try (default: the key's minimum, e.g. 1)")
        ("catalog", po::value(&catalog), "also search the GPU catalog FILE.csv (as hardware.catalog)");
    add_common_options(desc, common, CommandTraits{{"table", "json"}, "", true, false});
    add_question_options(desc, flags);
    po::positional_options_description pos;
    pos.add("scenario", 1);
    parse_command("fit", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("fit", "[SCENARIO.yaml | PRESET | -] [--model M ...] --maximize KEY [--set key=value ...] "
                                         "[--format table|json]", desc);
        return 0;
    }
    if (key.empty())
        throw UsageError("vram fit: missing --maximize KEY; allowed: workload.batch_size, workload.sequence_length, or "
                         "another numeric key");
    const std::string format = output_format(common);
    ScenarioSession session(app, common, ScenarioInput(app, file, flags, common.sets, catalog_overrides(catalog)));
    emit(common, fit_output(session, key, minimum, format));
    return 0;
}

// The search and its output, shared with `vram serve`'s /api/v1/fit.
std::string fit_output(ScenarioSession& session, const std::string& key, std::int64_t minimum,
                       const std::string& format) {
    Estimator& first = session.estimator();
    if (first.scenario().hardware.count_auto)
        throw ScenarioError(first.scenario().where("hardware.count"),
                            "hardware.count: auto adds GPUs until anything fits; fit needs a fixed count (--set "
                            "hardware.count=N)");
    if (first.usable_bytes() == 0)
        throw ScenarioError(first.scenario().where("hardware"),
                            "hardware: fit needs hardware.gpu or hardware.memory_gib to fit against");
    double key_min = 1;
    if (!scenario_key_minimum(key, key_min)) key_min = 1;
    const std::int64_t lo = minimum >= 0 ? minimum : static_cast<std::int64_t>(key_min);

    auto probe = [&](std::int64_t value) {
        session.set(key, std::to_string(value));
        Probe p;
        try {
            session.apply();
            Estimator& e = session.estimator();
            p.total = e.evaluate_peak();
            p.gpus = e.gpu_count();
            p.fits = e.fits(p.total);
            if (!p.fits && p.total <= e.usable_bytes()) p.refusal = e.refusal();
        } catch (const EstimateError&) {
            p.fits = false;  // bytes beyond 2^63: certainly more than any GPU holds
        }
        return p;
    };

    Probe at = probe(lo);
    std::int64_t value = lo;
    bool limited = false;
    Probe next;
    if (at.fits) {
        // Exponential search for a value that does not fit, then binary search between.
        std::int64_t good = lo, bad = -1;
        Probe good_probe = at;
        for (std::int64_t v = std::max<std::int64_t>(1, lo * 2); v <= kLimit; v *= 2) {
            Probe p = probe(v);
            if (!p.fits) {
                bad = v;
                break;
            }
            good = v, good_probe = p;
        }
        if (bad < 0) {
            limited = true;  // still fits at 2^40
        } else {
            while (bad - good > 1) {
                const std::int64_t mid = good + (bad - good) / 2;
                Probe p = probe(mid);
                if (p.fits) good = mid, good_probe = p;
                else bad = mid;
            }
        }
        value = good;
        at = good_probe;
        if (!limited) next = probe(good + 1);
    }
    // Leave the session at the answer (for the table's GPU name).
    probe(value);
    const Estimator& e = session.estimator();
    const Bytes usable = e.usable_bytes();
    std::string out;
    if (format == "json") {
        JsonWriter w;
        w.object(JsonWriter::Layout::line).field("key", key).field("value", value).field("fits", at.fits);
        w.field("total_bytes", static_cast<std::int64_t>(at.total)).field("gpu_memory_bytes", static_cast<std::int64_t>(usable));
        w.field("gpu_count", at.gpus);
        if (at.fits && !limited) {
            w.key("next").object().field("value", value + 1).field("fits", false);
            w.field("total_bytes", static_cast<std::int64_t>(next.total));
            if (!next.refusal.empty()) w.field("refusal", next.refusal);
            w.end();
        }
        if (!at.fits && !at.refusal.empty()) w.field("refusal", at.refusal);
        if (limited) w.field("limit_reached", true);
        w.end();
        out = w.str();
    } else {
        char line[1024];
        const double gib = static_cast<double>(at.total) / kGiB, cap = static_cast<double>(usable) / kGiB;
        if (!at.fits && !at.refusal.empty()) {
            std::snprintf(line, sizeof line, "%s: even %lld does not fit: %s\n", key.c_str(),
                          static_cast<long long>(value), at.refusal.c_str());
        } else if (!at.fits) {
            std::snprintf(line, sizeof line, "%s: even %lld does not fit: %.2f GiB needed per GPU, %.2f GiB usable\n",
                          key.c_str(), static_cast<long long>(value), gib, cap);
        } else if (limited) {
            std::snprintf(line, sizeof line, "%s: still fits at %lld (the largest value tried): %.2f of %.2f GiB\n",
                          key.c_str(), static_cast<long long>(value), gib, cap);
        } else if (!next.refusal.empty()) {
            // value+1 fits the bytes but not the engine (vLLM's KV pool): say the engine's reason.
            std::snprintf(line, sizeof line, "largest %s that fits: %lld (%.2f of %.2f GiB usable per GPU); %lld: %s\n",
                          key.c_str(), static_cast<long long>(value), gib, cap, static_cast<long long>(value + 1),
                          next.refusal.c_str());
        } else {
            // Enough decimals that value+1's need visibly exceeds the usable memory and the
            // answer's need visibly does not; exact bytes follow for the record.
            const int d = std::max(distinct_decimals(next.total, usable), distinct_decimals(at.total, usable));
            std::snprintf(line, sizeof line,
                          "largest %s that fits: %lld (%.*f of %.*f GiB usable per GPU); %lld needs %.*f GiB "
                          "(%s > %s bytes)\n",
                          key.c_str(), static_cast<long long>(value), d, gib, d, cap, static_cast<long long>(value + 1), d,
                          static_cast<double>(next.total) / kGiB, format_count(static_cast<std::uint64_t>(next.total)).c_str(),
                          format_count(static_cast<std::uint64_t>(usable)).c_str());
        }
        out = line;
    }
    return out;
}

}  // namespace vram::cli
