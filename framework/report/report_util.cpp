// report_util.cpp - helpers shared by the report renderers: GiB text, peak terms, palette,
// escaping, comparison rows, and the format dispatch of run and compare.
// SPDX-License-Identifier: Apache-2.0
#include "report_util.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "vram/error.hpp"
#include "report/json_writer.hpp"

namespace vram {
namespace report_detail {

std::string workload_shape(const Scenario& scenario, const Estimate& e) {
    const std::string tokens = format_count(static_cast<std::uint64_t>(e.tokens_per_sequence));
    if (e.micro_batch_samples.empty())
        return "batch " + std::to_string(scenario.workload.batch_size) + " × " + tokens + " tokens per sequence";
    std::string samples;
    for (std::size_t i = 0; i < e.micro_batch_samples.size() && i < 8; ++i)
        samples += (i ? ", " : "") + format_count(static_cast<std::uint64_t>(e.micro_batch_samples[i]));
    if (e.micro_batch_samples.size() > 8) samples += ", …";
    const std::size_t n = e.micro_batch_samples.size();
    return "peak micro-batch " + std::to_string(e.micro_batch_rows) + " × " + tokens + " tokens (" +
           scenario.workload.batching + " of the " + std::to_string(n) + " longest sample" + (n == 1 ? "" : "s") +
           ": " + samples + ")";
}

std::string gib2(Bytes bytes) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(bytes) / kGiB);
    return buf;
}

std::string signed_gib2(std::int64_t delta) {
    char buf[48];
    const double v = static_cast<double>(delta) / kGiB;
    // Differences below half a hundredth of a GiB print as 0.00, without a misleading sign.
    if (v > -0.005 && v < 0.005) return delta == 0 ? "0.00" : (delta > 0 ? "+0.00" : "-0.00");
    std::snprintf(buf, sizeof buf, "%+.2f", v);
    return buf;
}

std::string signed_count(std::int64_t delta) {
    if (delta == 0) return "0";
    const std::uint64_t magnitude =
        delta < 0 ? static_cast<std::uint64_t>(-(delta + 1)) + 1 : static_cast<std::uint64_t>(delta);
    return (delta < 0 ? "-" : "+") + format_count(magnitude);
}

std::string percent1(double fraction) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f %%", fraction * 100);
    return buf;
}

std::vector<const Term*> peak_terms(const RankBreakdown& rank) {
    std::vector<const Term*> out;
    for (const auto& t : rank.terms)
        if (t.phase.empty() || t.phase == rank.peak_phase) out.push_back(&t);
    return out;
}

int category_index(Category category) { return static_cast<int>(category); }

namespace {
// Order of Category: weights, kv_cache, activations, logits, gradients, optimizer_states,
// master_weights, adapters, reference_model, generation, encoder, buffers, overhead, allocator,
// other. Hues follow the Okabe-Ito idea (distinguishable with common colour-vision deficiencies) for
// the big categories; the rare ones reuse muted tones.
constexpr int kAnsi[] = {33, 208, 35, 168, 135, 130, 37, 178, 103, 167, 70, 244, 248, 139, 180};
constexpr const char* kLight[] = {"#2f6bd1", "#d97706", "#16915a", "#c2417a", "#8250c4", "#a4532c", "#11879a",
                                  "#b38f00", "#5f739b", "#cc4a36", "#4e9a22", "#6f6f6f", "#9a9a9a", "#8a6f9e", "#a8926f"};
constexpr const char* kDark[] = {"#6b9bff", "#ffa53d", "#3ccf8a", "#ff74ad", "#b58cff", "#e08a5c", "#3cc6d9",
                                 "#f0cb3a", "#97a9d0", "#ff8069", "#8bd45a", "#a8a8a8", "#c9c9c9", "#bda3d1", "#d9c29b"};
constexpr std::size_t kPalette = sizeof kAnsi / sizeof kAnsi[0];
std::size_t slot(Category c) { return static_cast<std::size_t>(category_index(c)) % kPalette; }
}  // namespace

int category_ansi(Category category) { return kAnsi[slot(category)]; }
const char* category_css_light(Category category) { return kLight[slot(category)]; }
const char* category_css_dark(Category category) { return kDark[slot(category)]; }

std::string html_escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string csv_field(const std::string& text) {
    // RFC 4180: quote when the field holds a separator, a quote or a line break.
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string markdown_cell(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c == '|') out += "\\|";
        else if (c == '\n' || c == '\r') out += ' ';
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else out += c;
    }
    return out;
}

std::size_t display_width(const std::string& text) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == 0x1b) {  // CSI ... final byte in @-~
            ++i;
            if (i < text.size() && text[i] == '[') {
                while (i + 1 < text.size() && !(text[i + 1] >= '@' && text[i + 1] <= '~')) ++i;
                ++i;
            }
            continue;
        }
        if ((c & 0xC0) != 0x80) ++width;
    }
    return width;
}

std::string fit_lines(const std::string& text, int width) {
    const std::size_t limit = static_cast<std::size_t>(std::max(width, 20));
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        if (display_width(line) <= limit) {
            out += line + "\n";
            continue;
        }
        const std::size_t indent = line.find_first_not_of(' ') == std::string::npos ? 0 : line.find_first_not_of(' ');
        std::string current = line.substr(0, indent);
        std::size_t col = indent;
        bool first_word = true;
        std::size_t pos = indent;
        while (pos < line.size()) {
            std::size_t next = line.find(' ', pos);
            if (next == std::string::npos) next = line.size();
            const std::string word = line.substr(pos, next - pos);
            pos = next + 1;
            if (word.empty()) continue;
            const std::size_t w = display_width(word);
            if (!first_word && col + 1 + w > limit) {
                out += current + "\n";
                current = std::string(indent + 2, ' ') + word;
                col = indent + 2 + w;
            } else {
                if (!first_word) {
                    current += ' ';
                    ++col;
                }
                current += word;
                col += w;
            }
            first_word = false;
        }
        out += current + "\n";
    }
    return out;
}

const Term* CompareRow::first() const {
    for (const Term* t : terms)
        if (t) return t;
    return nullptr;
}

std::vector<CompareRow> compare_rows(const std::vector<ReportItem>& items) {
    std::vector<CompareRow> rows;
    std::map<std::pair<std::string, std::string>, std::size_t> index;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Estimate& e = items[i].estimate;
        if (e.ranks.empty()) continue;
        for (const auto& t : e.ranks[e.most_loaded].terms) {
            const auto key = std::make_pair(t.id, t.phase);
            auto it = index.find(key);
            if (it == index.end()) {
                CompareRow row;
                row.id = t.id;
                row.phase = t.phase;
                row.category = t.category;
                row.terms.assign(items.size(), nullptr);
                it = index.emplace(key, rows.size()).first;
                rows.push_back(std::move(row));
            }
            rows[it->second].terms[i] = &t;
        }
    }
    return rows;
}

std::int64_t difference(Bytes a, Bytes b) {
    // Byte counts stay below 2^63 (to_bytes enforces it), so the difference fits.
    return static_cast<std::int64_t>(b) - static_cast<std::int64_t>(a);
}

namespace {
bool same_breakdown(const RankBreakdown& a, const RankBreakdown& b) {
    if (a.total != b.total || a.peak_phase != b.peak_phase || a.terms.size() != b.terms.size()) return false;
    for (std::size_t i = 0; i < a.terms.size(); ++i) {
        const Term& x = a.terms[i];
        const Term& y = b.terms[i];
        // The substituted values name the stage for some terms: bytes decide, not wording.
        if (x.id != y.id || x.phase != y.phase || x.bytes != y.bytes || x.category != y.category) return false;
    }
    return true;
}
}  // namespace

std::vector<RankGroup> rank_groups(const Estimate& e) {
    std::vector<RankGroup> out;
    for (std::size_t i = 0; i < e.ranks.size(); ++i) {
        if (!out.empty() && same_breakdown(e.ranks[out.back().last], e.ranks[i])) {
            out.back().last = i;
        } else {
            out.push_back({i, i, e.ranks[i].label, false});
        }
        if (i == e.most_loaded) out.back().most_loaded = true;
    }
    for (auto& g : out) {
        if (g.first == g.last) continue;
        const RankBreakdown& a = e.ranks[g.first];
        const RankBreakdown& b = e.ranks[g.last];
        // Only pipeline stages come as several ranks; their labels say "(first)", "(middle)", "(last)".
        std::string kinds;
        for (const char* kind : {"first", "middle", "last"}) {
            bool any = false;
            for (std::size_t r = g.first; r <= g.last; ++r)
                any = any || e.ranks[r].label.find(std::string("(") + kind + ")") != std::string::npos;
            if (any) kinds += (kinds.empty() ? "" : " and ") + std::string(kind);
        }
        g.label = "pipeline stages " + std::to_string(a.stage) + "–" + std::to_string(b.stage) + " (" +
                  (kinds.empty() ? "" : kinds + ", ") + "identical: each stage holds this)";
    }
    return out;
}

std::string gpu_caption(const Estimate& e) {
    if (e.gpu_memory_bytes == 0) return "no GPU given";
    const std::string name = e.gpu.name.empty() ? std::string("GPU") : e.gpu.name;
    return name + " × " + std::to_string(e.gpu_count) + ", " + gib2(e.gpu_memory_bytes) + " GiB usable each";
}

}  // namespace report_detail

const std::vector<std::string>& report_formats() {
    static const std::vector<std::string> formats = {"table", "json", "markdown", "csv", "html"};
    return formats;
}

namespace {

// "assumed (not given): workload.type = inference, ..." for the human formats.
std::string assumed_line(const ReportItem& item) {
    std::string out = "assumed (not given): ";
    for (std::size_t i = 0; i < item.assumed.size(); ++i)
        out += (i ? ", " : "") + item.assumed[i].first + " = " + item.assumed[i].second;
    return out;
}

}  // namespace

// "cannot know without the architecture: kv_cache, activations" for a model given by its count.
std::string unknown_line(const Estimate& e) {
    std::string out = "cannot know without the architecture (model given by its parameter count): ";
    for (std::size_t i = 0; i < e.unknown.size(); ++i) out += (i ? ", " : "") + e.unknown[i];
    return out + "; the total holds only what the count decides (weights, and in training their gradients and "
                 "optimizer states) and fixed costs";
}

std::string render_estimate(const std::string& format, const ReportItem& item, const ReportOptions& options) {
    // Lines the human formats print before the breakdown: what was assumed, what is unknown.
    std::vector<std::string> first;
    if (!item.assumed.empty()) first.push_back(assumed_line(item));
    if (!item.estimate.unknown.empty()) first.push_back(unknown_line(item.estimate));
    if (format == "table") {
        std::string out;
        for (const auto& l : first) out += l + "\n";
        return out + (first.empty() ? "" : "\n") + estimate_to_table(item.scenario, item.model, item.estimate, options);
    }
    if (format == "json") {
        if (first.empty()) return estimate_to_json(item.scenario, item.model, item.estimate, options);
        JsonWriter w;
        w.object();
        write_estimate_fields(w, item.scenario, item.model, item.estimate, options);
        if (!item.assumed.empty()) {
            w.key("assumed").object();
            for (const auto& [key, value] : item.assumed) w.field(key, value);
            w.end();
        }
        if (!item.estimate.unknown.empty()) {
            w.key("unknown").array();
            for (const auto& u : item.estimate.unknown) w.value(u);
            w.end();
        }
        w.end();
        return w.str();
    }
    if (format == "markdown") {
        std::string out;
        for (const auto& l : first) out += "_" + report_detail::markdown_cell(l) + "_\n\n";
        return out + estimate_to_markdown(item, options);
    }
    if (format == "csv") return estimate_to_csv(item, options);
    if (format == "html") {
        std::string html = estimate_to_html(item, options);
        const auto body = html.find("<body>");
        std::string notes;
        if (!item.assumed.empty())
            notes += "\n<p class=\"notes\" id=\"assumed\">" + report_detail::html_escape(assumed_line(item)) + "</p>";
        if (!item.estimate.unknown.empty())
            notes += "\n<p class=\"notes\" id=\"unknown\">" + report_detail::html_escape(unknown_line(item.estimate)) + "</p>";
        if (body != std::string::npos) html.insert(body + 6, notes);
        return html;
    }
    throw UsageError("--format " + format + ": unknown; allowed: table, json, markdown, csv, html");
}

std::string render_comparison(const std::string& format, const std::vector<ReportItem>& items,
                              const ReportOptions& options) {
    if (format == "table") return comparison_to_table(items, options);
    if (format == "json") return comparison_to_json(items, options);
    if (format == "markdown") return comparison_to_markdown(items, options);
    if (format == "csv") return comparison_to_csv(items, options);
    if (format == "html") return comparison_to_html(items, options);
    throw UsageError("--format " + format + ": unknown; allowed: table, json, markdown, csv, html");
}

}  // namespace vram
