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
#include "commands.hpp"
#include "scenario_session.hpp"
#include "vram/bytes.hpp"
#include "vram/component.hpp"
#include "vram/error.hpp"
#include "report/report.hpp"

namespace vram::cli {
namespace {

using Axis = SweepAxis;

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
    a.spec = spec;
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
    // Off unless asked for: a server's stderr may be a terminal too.
    Progress(std::size_t total, bool enabled) : total_(total), tty_(enabled && ::isatty(STDERR_FILENO) == 1) {}
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

// Where rows go as they are computed: stdout, or FILE written as FILE.partial and renamed at
// the end, so a failed sweep never leaves a half file under the name asked for. Rows are
// buffered in 256 KiB blocks: memory does not grow with the number of points.
class Sink {
public:
    explicit Sink(const std::string& output) : output_(output) {
        if (output_.empty() || output_ == "-") {
            file_ = stdout;
        } else {
            partial_ = output_ + ".partial";
            file_ = std::fopen(partial_.c_str(), "wb");
            if (!file_) throw UsageError("--output " + output_ + ": cannot write the file");
        }
        buffer_.reserve(kBlock + 4096);
    }
    ~Sink() {
        if (!partial_.empty() && file_) {
            std::fclose(file_);
            std::remove(partial_.c_str());  // not committed: an error ended the sweep
        }
    }
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;
    std::string& text() noexcept { return buffer_; }
    void row_done() {
        if (buffer_.size() >= kBlock) flush();
    }
    void commit() {
        flush();
        if (partial_.empty()) {
            std::fflush(file_);
            return;
        }
        const bool ok = std::fclose(file_) == 0;
        file_ = nullptr;
        if (!ok || std::rename(partial_.c_str(), output_.c_str()) != 0) {
            std::remove(partial_.c_str());
            throw UsageError("--output " + output_ + ": cannot write the file");
        }
        partial_.clear();
    }

private:
    static constexpr std::size_t kBlock = 256 * 1024;
    void flush() {
        if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
            throw UsageError("cannot write the sweep's output" + (output_.empty() ? std::string() : " to " + output_));
        buffer_.clear();
    }
    std::string output_, partial_;
    std::FILE* file_ = nullptr;
    std::string buffer_;
};

std::string pad_cell(const std::string& text, std::size_t width, bool right) {
    if (text.size() >= width) return text;
    return right ? std::string(width - text.size(), ' ') + text : text + std::string(width - text.size(), ' ');
}

// Table and Markdown rows are aligned, so they are for a few thousand rows; CSV and JSON
// Lines stream any number.
constexpr std::size_t kMaxTableRows = 10'000;

}  // namespace

int cmd_sweep(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::string file, catalog, where, frontier;
    std::size_t limit = 0;
    std::vector<std::string> varies;
    QuestionFlags flags;
    po::options_description desc("options");
    desc.add_options()("scenario", po::value(&file), kScenarioArgument)
        ("vary", po::value(&varies)->composing(),
         "KEY=V1,V2,... or KEY=START:STOP:STEP (inclusive; repeatable: the cross product, last key fastest)")
        ("where", po::value(&where), "fits: only the points that fit (the GPU must be known)")
        ("limit,n", po::value(&limit), "stop after N rows")
        ("frontier", po::value(&frontier),
         "KEY (one of the --vary keys): for each value of the other keys, only the largest KEY that fits")
        ("catalog", po::value(&catalog), "also search the GPU catalog FILE.csv (as hardware.catalog)");
    add_common_options(desc, common, CommandTraits{{"csv", "jsonl", "json", "table", "markdown"}, "csv", true, false});
    add_question_options(desc, flags);
    po::positional_options_description pos;
    pos.add("scenario", 1);
    parse_command("sweep", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("sweep", "[SCENARIO.yaml | PRESET | -] [--model M ...] --vary KEY=V1,V2 "
                                           "[--vary KEY=START:STOP:STEP ...] [--where fits] [--limit N] [--frontier KEY] "
                                           "[--format csv|jsonl|json|table|markdown]\n\n"
                                           "Rows are written as they are computed (memory does not grow with the points); "
                                           "json is one array,\njsonl one `vram run` document per line; table and markdown "
                                           "hold at most 10,000 rows.",
                                  desc);
        return 0;
    }
    const std::string format = output_format(common);
    const SweepPlan plan = plan_sweep(SweepRequest{varies, where, frontier, limit, format, true});
    ScenarioSession session(app, common, ScenarioInput(app, file, flags, common.sets, catalog_overrides(catalog)));
    Sink sink(common.output);
    run_sweep(session, plan, sink.text(), [&sink] { sink.row_done(); });
    sink.commit();
    return 0;
}

// The options checked and the axes parsed, before any scenario is read; shared with `vram serve`.
SweepPlan plan_sweep(const SweepRequest& request) {
    const std::vector<std::string>& varies = request.varies;
    const std::string& where = request.where;
    const std::string& frontier = request.frontier;
    const std::string& format = request.format;
    const std::size_t limit = request.limit;
    if (varies.empty()) throw UsageError("vram sweep: give at least one --vary KEY=V1,V2 (see vram sweep --help)");
    if (!where.empty() && where != "fits") throw UsageError("--where " + where + ": allowed: fits");
    SweepPlan plan{request, {}, 1, {}, 0};
    std::vector<Axis>& axes = plan.axes;
    std::size_t& points = plan.points;
    for (const auto& v : varies) {
        axes.push_back(parse_vary(v));
        for (std::size_t i = 0; i + 1 < axes.size(); ++i)
            if (axes[i].key == axes.back().key) throw UsageError("--vary " + v + ": the key is varied twice");
        points *= axes.back().values.size();
        if (points > kMaxPoints) throw UsageError("vram sweep: more than 100,000,000 points");
    }
    // Iteration order: the frontier key innermost, so each group of its values is one row.
    std::vector<std::size_t>& order = plan.order;
    order.resize(axes.size());
    for (std::size_t a = 0; a < axes.size(); ++a) order[a] = a;
    std::size_t& frontier_axis = plan.frontier_axis;
    frontier_axis = axes.size();
    if (!frontier.empty()) {
        for (std::size_t a = 0; a < axes.size(); ++a)
            if (axes[a].key == frontier) frontier_axis = a;
        if (frontier_axis == axes.size()) throw UsageError("--frontier " + frontier + ": not one of the --vary keys");
        for (double x : axes[frontier_axis].numbers)
            if (std::isnan(x)) throw UsageError("--frontier " + frontier + ": its values must be numbers");
        order.erase(order.begin() + static_cast<std::ptrdiff_t>(frontier_axis));
        order.push_back(frontier_axis);
    }
    const bool aligned = format == "table" || format == "markdown";
    const std::size_t groups = frontier.empty() ? points : points / axes[frontier_axis].values.size();
    if (aligned && std::min(groups, limit ? limit : groups) > kMaxTableRows)
        throw UsageError("--format " + format + ": " + std::to_string(groups) +
                         " rows; table and markdown hold at most 10,000 (use csv or jsonl, or --limit)");
    return plan;
}

// The rows, appended to `out` as they are computed; shared with `vram serve`'s /api/v1/sweep.
void run_sweep(ScenarioSession& session, const SweepPlan& plan, std::string& out,
               const std::function<void()>& row_done) {
    const std::vector<Axis>& axes = plan.axes;
    const std::string& where = plan.request.where;
    const std::string& frontier = plan.request.frontier;
    const std::string& format = plan.request.format;
    const std::size_t limit = plan.request.limit;
    const std::size_t points = plan.points;
    const std::vector<std::size_t>& order = plan.order;
    const bool aligned = format == "table" || format == "markdown";
    if ((where == "fits" || !frontier.empty()) && session.estimator().usable_bytes() == 0 &&
        !session.estimator().scenario().hardware.count_auto)
        throw ScenarioError(session.input().file(), std::string(where == "fits" ? "--where fits" : "--frontier") +
                                                        ": needs hardware.gpu or hardware.memory_gib to fit against");
    const auto& fast = fast_scenario_keys();
    std::vector<bool> is_fast;
    for (const auto& a : axes) {
        bool numeric = std::find(fast.begin(), fast.end(), a.key) != fast.end();
        for (double x : a.numbers) numeric = numeric && !std::isnan(x);
        is_fast.push_back(numeric);
    }
    constexpr std::size_t kCategories = static_cast<std::size_t>(Category::other) + 1;

    std::vector<std::size_t> widths;  // table: column widths
    if (format == "csv") {
        for (const auto& a : axes) {
            csv_cell(out, a.key);
            out += ',';
        }
        out += "total_bytes,gpu_memory_bytes,gpu_count,fits";
        for (std::size_t c = 0; c < kCategories; ++c) (out += ',') += to_string(static_cast<Category>(c));
        out += '\n';
    } else if (format == "json") {
        out += "[";
    } else if (aligned) {
        std::vector<std::string> head;
        for (const auto& a : axes) head.push_back(a.key);
        for (const char* h : {"total GiB", "usable GiB", "GPUs", "fits"}) head.emplace_back(h);
        for (std::size_t c = 0; c < head.size(); ++c) {
            std::size_t w = head[c].size();
            if (c < axes.size())
                for (const auto& v : axes[c].values) w = std::max(w, v.size());
            widths.push_back(std::max<std::size_t>(w, c < axes.size() ? 1 : 10));
        }
        for (std::size_t c = 0; c < head.size(); ++c) {
            out += format == "markdown" ? "| " : (c ? "  " : "");
            out += pad_cell(head[c], widths[c], c >= axes.size());
            out += format == "markdown" ? " " : "";
        }
        out += format == "markdown" ? "|\n" : "\n";
        for (std::size_t c = 0; c < head.size(); ++c) {
            if (format == "markdown") out += c >= axes.size() ? "| " + std::string(widths[c] - 1, '-') + ": " : "| " + std::string(widths[c], '-') + " ";
            else out += (c ? "  " : "") + std::string(widths[c], '-');
        }
        out += format == "markdown" ? "|\n" : "\n";
    }

    // One computed point, written into `text` (nothing is written for points filtered out).
    struct Point {
        bool fits = false;
        std::string text;
    };
    std::vector<std::size_t> index(axes.size(), 0);
    std::vector<std::size_t> last(axes.size(), static_cast<std::size_t>(-1));
    CategoryBytes cats{};
    Progress progress(points, plan.request.progress);
    std::size_t rows_written = 0;
    bool first_json_row = true;
    Point best, row;  // frontier: the best fitting point of the current group so far
    double best_value = -INFINITY;
    auto render = [&](Estimator& e, std::string& text) -> bool {
        text.clear();
        if (format == "csv" || aligned) {
            const Bytes total = e.evaluate_categories(cats);
            const Bytes usable = e.usable_bytes();
            const bool fits = e.fits(total);
            if (format == "csv") {
                for (std::size_t a = 0; a < axes.size(); ++a) {
                    csv_cell(text, axes[a].values[index[a]]);
                    text += ',';
                }
                append_int(text, total);
                text += ',';
                append_int(text, usable);
                text += ',';
                append_int(text, e.gpu_count());
                text += fits ? ",true" : ",false";
                for (std::size_t c = 0; c < kCategories; ++c) {
                    text += ',';
                    append_int(text, cats[c]);
                }
                text += '\n';
            } else {
                std::vector<std::string> cells;
                for (std::size_t a = 0; a < axes.size(); ++a) cells.push_back(axes[a].values[index[a]]);
                cells.push_back(format_gib(total));
                cells.push_back(usable > 0 ? format_gib(usable) : "—");
                cells.push_back(std::to_string(e.gpu_count()));
                cells.push_back(usable == 0 ? "—" : fits ? "yes" : "no");
                for (std::size_t c = 0; c < cells.size(); ++c) {
                    text += format == "markdown" ? "| " : (c ? "  " : "");
                    text += pad_cell(cells[c], widths[c], c >= axes.size());
                    text += format == "markdown" ? " " : "";
                }
                text += format == "markdown" ? "|\n" : "\n";
            }
            return fits;
        }
        // json / jsonl: each row is `vram run`'s JSON with the point's key values first.
        const Estimate est = e.estimate();
        JsonWriter w;
        w.object(format == "jsonl" ? JsonWriter::Layout::line : JsonWriter::Layout::block);
        w.key("point").object(JsonWriter::Layout::line);
        for (std::size_t a = 0; a < axes.size(); ++a) {
            const double x = axes[a].numbers[index[a]];
            w.key(axes[a].key);
            if (std::isnan(x)) w.value(axes[a].values[index[a]]);
            else if (x == std::floor(x) && std::fabs(x) < 9.0e15) w.value(static_cast<std::int64_t>(x));
            else w.value(x);
        }
        w.end();
        write_estimate_fields(w, e.scenario(), e.model(), est, ReportOptions{});
        w.end();
        text = w.str();
        while (!text.empty() && text.back() == '\n') text.pop_back();
        return est.gpu_memory_bytes > 0 && est.fits;
    };
    auto emit_row = [&](const std::string& text) {
        if (format == "json") {
            out += first_json_row ? "\n" : ",\n";
            out += text;
        } else {
            out += text;
            if (format == "jsonl") out += '\n';
        }
        first_json_row = false;
        ++rows_written;
        row_done();
    };
    const std::size_t inner = order.back();
    for (std::size_t point = 0; point < points; ++point) {
        // Only axes whose value changed are set again (the innermost one changes every point).
        for (std::size_t a = 0; a < axes.size(); ++a) {
            if (index[a] == last[a]) continue;
            if (is_fast[a]) session.set_number(axes[a].key, axes[a].numbers[index[a]]);
            else session.set(axes[a].key, axes[a].values[index[a]]);
            last[a] = index[a];
        }
        try {
            session.apply();
        } catch (const ScenarioError& error) {
            // A varied value the key cannot take: name the --vary argument, not the scenario.
            for (std::size_t a = 0; a < axes.size(); ++a)
                if (error.detail().rfind(axes[a].key + ":", 0) == 0) throw ScenarioError("--vary " + axes[a].spec, error.detail());
            throw;
        }
        Estimator& e = session.estimator();
        if (e.scenario().hardware.count_auto) {
            try {
                e.resolve_count();
            } catch (const ScenarioError&) {
                // No layout fits: the row says so (fits false) instead of ending the sweep.
            }
        }
        row.fits = render(e, row.text);
        if (frontier.empty()) {
            if (where.empty() || row.fits) emit_row(row.text);
        } else {
            const double value = axes[inner].numbers[index[inner]];
            if (row.fits && value > best_value) best_value = value, std::swap(best, row);
            if (index[inner] + 1 == axes[inner].values.size()) {  // the group is complete
                if (best_value > -INFINITY) emit_row(best.text);
                best_value = -INFINITY;
            }
        }
        progress.tick(point + 1);
        if (limit && rows_written >= limit) break;
        for (std::size_t k = order.size(); k-- > 0;) {
            const std::size_t a = order[k];
            if (++index[a] < axes[a].values.size()) break;
            index[a] = 0;
        }
    }
    progress.finish();
    if (format == "json") out += first_json_row ? "]\n" : "\n]\n";
}

}  // namespace vram::cli
