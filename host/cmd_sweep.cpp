// cmd_sweep.cpp - vram sweep SCENARIO --vary KEY=V1,V2 | KEY=START:STOP:STEP ...: the cross
// product, one row per point. The YAML is parsed once; numeric keys are set in place.
// SPDX-License-Identifier: Apache-2.0
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "app.hpp"
#include "scenario_session.hpp"
#include "vram/bytes.hpp"
#include "vram/component.hpp"
#include "vram/error.hpp"
#include "report/report.hpp"

namespace vram::cli {
namespace {

struct Axis {
    std::string key;
    std::vector<std::string> values;  // as typed or generated
    std::vector<double> numbers;      // parsed values (NaN where not numeric)
};

std::string number_text(double v) {
    if (v == std::floor(v) && std::fabs(v) < 9e15) return std::to_string(static_cast<long long>(v));
    return format_number(v);
}

constexpr std::size_t kMaxPoints = 100'000'000;

Axis parse_vary(const std::string& spec) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        throw UsageError("--vary " + spec + ": expected KEY=V1,V2,... or KEY=START:STOP:STEP");
    Axis a;
    a.key = spec.substr(0, eq);
    const std::string rest = spec.substr(eq + 1);
    if (rest.find(':') != std::string::npos && rest.find(',') == std::string::npos) {
        std::vector<std::string> parts;
        std::size_t from = 0;
        for (std::size_t c; (c = rest.find(':', from)) != std::string::npos; from = c + 1) parts.push_back(rest.substr(from, c - from));
        parts.push_back(rest.substr(from));
        double start = 0, stop = 0, step = 1;
        if ((parts.size() != 2 && parts.size() != 3) || !parse_number(parts[0], start) || !parse_number(parts[1], stop) ||
            (parts.size() == 3 && !parse_number(parts[2], step)))
            throw UsageError("--vary " + spec + ": a range is START:STOP[:STEP] of numbers");
        if (step <= 0 || stop < start)
            throw UsageError("--vary " + spec + ": a range needs STEP > 0 and START <= STOP");
        const double n = std::floor((stop - start) / step + 1e-9) + 1;
        if (n > static_cast<double>(kMaxPoints)) throw UsageError("--vary " + spec + ": more than 100,000,000 values");
        for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
            const double v = start + static_cast<double>(i) * step;
            a.numbers.push_back(v);
            a.values.push_back(number_text(v));
        }
    } else {
        std::size_t from = 0;
        for (;;) {
            const auto c = rest.find(',', from);
            std::string v = rest.substr(from, c == std::string::npos ? std::string::npos : c - from);
            if (v.empty()) throw UsageError("--vary " + spec + ": empty value in the list");
            double x = NAN;
            if (!parse_number(v, x)) x = NAN;
            a.numbers.push_back(x);
            a.values.push_back(std::move(v));
            if (c == std::string::npos) break;
            from = c + 1;
        }
    }
    return a;
}

// CSV cell: quoted when it holds a comma, quote or newline.
void csv_cell(std::string& out, const std::string& v) {
    if (v.find_first_of(",\"\n\r") == std::string::npos) {
        out += v;
        return;
    }
    out += '"';
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

void append_int(std::string& out, long long v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

class Progress {
public:
    explicit Progress(std::size_t total) : total_(total), tty_(::isatty(STDERR_FILENO) == 1) {}
    void tick(std::size_t done) {
        if (!tty_ || (done & 1023) != 0) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - start_ < std::chrono::milliseconds(300) || now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        draw(done);
    }
    void finish() {
        if (tty_ && last_ != std::chrono::steady_clock::time_point{}) {
            draw(total_);
            std::cerr << "\n";
        }
    }

private:
    void draw(std::size_t done) {
        const int width = 30;
        const int filled = static_cast<int>(static_cast<double>(done) / static_cast<double>(total_) * width);
        std::cerr << "\rsweep [" << std::string(static_cast<std::size_t>(filled), '#')
                  << std::string(static_cast<std::size_t>(width - filled), ' ') << "] " << done << "/" << total_
                  << std::flush;
    }
    std::size_t total_;
    bool tty_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

}  // namespace

int cmd_sweep(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::string file, catalog;
    std::vector<std::string> varies;
    QuestionFlags flags;
    po::options_description desc("options");
    desc.add_options()("scenario", po::value(&file), kScenarioArgument)
        ("vary", po::value(&varies)->composing(),
         "KEY=V1,V2,... or KEY=START:STOP:STEP (inclusive; repeatable: the cross product, last key fastest)")
        ("catalog", po::value(&catalog), "also search the GPU catalog FILE.csv (as hardware.catalog)");
    add_common_options(desc, common, CommandTraits{{"csv", "json"}, "csv", true, false});
    add_question_options(desc, flags);
    po::positional_options_description pos;
    pos.add("scenario", 1);
    parse_command("sweep", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("sweep", "SCENARIO.yaml --vary KEY=V1,V2 [--vary KEY=START:STOP:STEP ...] [--format csv|json]",
                                  desc);
        return 0;
    }
    if (varies.empty()) throw UsageError("vram sweep: give at least one --vary KEY=V1,V2 (see vram sweep --help)");
    const std::string format = output_format(common);
    std::vector<Axis> axes;
    std::size_t points = 1;
    for (const auto& v : varies) {
        axes.push_back(parse_vary(v));
        for (std::size_t i = 0; i + 1 < axes.size(); ++i)
            if (axes[i].key == axes.back().key) throw UsageError("--vary " + v + ": the key is varied twice");
        points *= axes.back().values.size();
        if (points > kMaxPoints) throw UsageError("vram sweep: more than 100,000,000 points");
    }
    ScenarioSession session(app, common, ScenarioInput(app, file, flags, common.sets, catalog_overrides(catalog)));
    const auto& fast = fast_scenario_keys();
    std::vector<bool> is_fast;
    for (const auto& a : axes) {
        bool numeric = std::find(fast.begin(), fast.end(), a.key) != fast.end();
        for (double x : a.numbers) numeric = numeric && !std::isnan(x);
        is_fast.push_back(numeric);
    }
    constexpr std::size_t kCategories = static_cast<std::size_t>(Category::other) + 1;

    std::string out;
    if (format == "csv") {
        out.reserve(points * 96 + 256);
        for (const auto& a : axes) {
            csv_cell(out, a.key);
            out += ',';
        }
        out += "total_bytes,gpu_memory_bytes,gpu_count,fits";
        for (std::size_t c = 0; c < kCategories; ++c) (out += ',') += to_string(static_cast<Category>(c));
        out += '\n';
    }
    JsonWriter rows;  // json: one `vram run` document per point, in an array
    if (format == "json") rows.array();
    std::vector<std::size_t> index(axes.size(), 0);
    std::vector<std::size_t> last(axes.size(), static_cast<std::size_t>(-1));
    CategoryBytes cats{};
    Progress progress(points);
    for (std::size_t point = 0; point < points; ++point) {
        // Only axes whose value changed are set again (the last one changes every point).
        for (std::size_t a = 0; a < axes.size(); ++a) {
            if (index[a] == last[a]) continue;
            if (is_fast[a]) session.set_number(axes[a].key, axes[a].numbers[index[a]]);
            else session.set(axes[a].key, axes[a].values[index[a]]);
            last[a] = index[a];
        }
        session.apply();
        Estimator& e = session.estimator();
        if (e.scenario().hardware.count_auto) {
            try {
                e.resolve_count();
            } catch (const ScenarioError&) {
                // No layout fits: the row says so (fits false) instead of ending the sweep.
            }
        }
        if (format == "csv") {
            const Bytes total = e.evaluate_categories(cats);
            const Bytes usable = e.usable_bytes();
            for (std::size_t a = 0; a < axes.size(); ++a) {
                csv_cell(out, axes[a].values[index[a]]);
                out += ',';
            }
            append_int(out, total);
            out += ',';
            append_int(out, usable);
            out += ',';
            append_int(out, e.gpu_count());
            out += usable > 0 && total <= usable ? ",true" : ",false";
            for (std::size_t c = 0; c < kCategories; ++c) {
                out += ',';
                append_int(out, cats[c]);
            }
            out += '\n';
        } else {
            // Each row is `vram run`'s JSON with the point's key values first.
            const Estimate est = e.estimate();
            rows.object().key("point").object(JsonWriter::Layout::line);
            for (std::size_t a = 0; a < axes.size(); ++a) {
                const double x = axes[a].numbers[index[a]];
                rows.key(axes[a].key);
                if (std::isnan(x)) rows.value(axes[a].values[index[a]]);
                else if (x == std::floor(x) && std::fabs(x) < 9.0e15) rows.value(static_cast<std::int64_t>(x));
                else rows.value(x);
            }
            rows.end();
            write_estimate_fields(rows, e.scenario(), e.model(), est, ReportOptions{});
            rows.end();
        }
        progress.tick(point + 1);
        for (std::size_t a = axes.size(); a-- > 0;) {
            if (++index[a] < axes[a].values.size()) break;
            index[a] = 0;
        }
    }
    progress.finish();
    if (format == "json") out = rows.end().str();
    emit(common, out);
    return 0;
}

}  // namespace vram::cli
