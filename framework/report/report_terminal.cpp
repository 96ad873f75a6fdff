// report_terminal.cpp - the terminal's stacked bar and the side-by-side `compare` table.
// Sizes are GiB = 2^30 bytes. Colour is opt-in (ReportOptions::color, decided by the host).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cstdio>
#include <map>

#include "report_util.hpp"

namespace vram {
namespace {

using namespace report_detail;

// Without colour the segments must still be told apart: one glyph per category, in the
// order the legend lists them.
constexpr const char* kGlyphs[] = {"█", "▓", "▒", "░", "#", "=", "+", "%", "@", "&", "*", "o", "~", ":"};
constexpr const char* kFree = "·";

std::string glyph(std::size_t i) { return kGlyphs[i % (sizeof kGlyphs / sizeof kGlyphs[0])]; }

std::string paint(const std::string& text, int ansi, bool color) {
    if (!color) return text;
    return "\x1b[38;5;" + std::to_string(ansi) + "m" + text + "\x1b[0m";
}

std::string pad_to(const std::string& s, std::size_t width, bool right = false) {
    const std::size_t w = display_width(s);
    if (w >= width) return s;
    const std::string fill(width - w, ' ');
    return right ? fill + s : s + fill;
}

// Cuts text to `width` display columns, marking the cut with "…".
std::string clip(const std::string& s, std::size_t width) {
    if (display_width(s) <= width || width == 0) return s;
    std::string out;
    std::size_t w = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) != 0x80) {
            if (w + 1 >= width) break;
            ++w;
        }
        out += s[i];
    }
    return out + "…";
}

struct Segment {
    Category category;
    Bytes bytes;
    std::size_t cells = 0;
};

}  // namespace

std::string stacked_bar_text(const RankBreakdown& rank, Bytes capacity, const ReportOptions& options) {
    // Segments by category: the table above lists every term; the bar shows where memory goes.
    std::vector<Segment> segments;
    Bytes total = 0;
    for (const Term* t : peak_terms(rank)) {
        if (t->bytes == 0) continue;
        total += t->bytes;
        auto it = std::find_if(segments.begin(), segments.end(),
                               [&](const Segment& s) { return s.category == t->category; });
        if (it == segments.end()) segments.push_back({t->category, t->bytes});
        else it->bytes += t->bytes;
    }
    const Bytes scale = std::max(total, capacity);
    if (scale == 0) return {};

    const std::string summary =
        capacity > 0 ? " " + gib2(total) + " / " + gib2(capacity) + " GiB (" +
                           percent1(static_cast<double>(total) / static_cast<double>(capacity)) + ")"
                     : " " + gib2(total) + " GiB";
    const int usable = options.width - 2 - static_cast<int>(display_width(summary));
    const std::size_t cells = static_cast<std::size_t>(std::max(10, usable));

    // Largest-remainder apportionment so the segments add up to the filled length exactly.
    const std::size_t filled =
        std::min(cells, static_cast<std::size_t>(static_cast<double>(total) / static_cast<double>(scale) *
                                                     static_cast<double>(cells) +
                                                 0.5));
    std::size_t given = 0;
    std::vector<std::pair<double, std::size_t>> remainders;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const double exact =
            total ? static_cast<double>(segments[i].bytes) / static_cast<double>(total) * static_cast<double>(filled) : 0;
        segments[i].cells = static_cast<std::size_t>(exact);
        given += segments[i].cells;
        remainders.push_back({exact - static_cast<double>(segments[i].cells), i});
    }
    std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; given < filled && k < remainders.size(); ++k, ++given) ++segments[remainders[k].second].cells;

    // Where the capacity ends when the peak overflows it.
    const std::size_t cap_cell =
        capacity > 0 && total > capacity
            ? static_cast<std::size_t>(static_cast<double>(capacity) / static_cast<double>(scale) *
                                       static_cast<double>(cells))
            : cells + 1;
    std::string bar = "[";
    std::size_t pos = 0;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const int ansi = category_ansi(segments[i].category);
        std::string run;
        for (std::size_t k = 0; k < segments[i].cells; ++k, ++pos)
            run += pos == cap_cell ? "┃" : (options.color ? "█" : glyph(i));
        bar += paint(run, ansi, options.color);
    }
    std::string free_run;
    for (; pos < cells; ++pos) free_run += kFree;
    bar += paint(free_run, 240, options.color) + "]" + summary + "\n";

    // Legend, wrapped to the width.
    std::string legend;
    std::string line = " ";
    auto add = [&](const std::string& entry) {
        if (display_width(line) + display_width(entry) + 2 > static_cast<std::size_t>(options.width) && line != " ") {
            while (!line.empty() && line.back() == ' ') line.pop_back();
            legend += line + "\n";
            line = " ";
        }
        line += entry + "  ";
    };
    for (std::size_t i = 0; i < segments.size(); ++i)
        add(paint(options.color ? "█" : glyph(i), category_ansi(segments[i].category), options.color) + " " +
            to_string(segments[i].category) + " " + gib2(segments[i].bytes));
    if (capacity > total) add(paint(kFree, 240, options.color) + " free " + gib2(capacity - total));
    if (capacity > 0 && total > capacity)
        add(paint("┃", 196, options.color) + " capacity, over by " + gib2(total - capacity));
    const std::string& phase = rank.peak_phase;
    if (!phase.empty()) add("(peak phase: " + phase + ")");
    while (!line.empty() && line.back() == ' ') line.pop_back();
    legend += line + "\n";
    return bar + legend;
}

std::string comparison_to_table(const std::vector<ReportItem>& items, const ReportOptions& options) {
    std::string out;
    // Letters name the columns so the table stays narrow whatever the scenario names are.
    std::vector<std::string> letters;
    for (std::size_t i = 0; i < items.size(); ++i)
        letters.push_back(i < 26 ? std::string(1, static_cast<char>('A' + i)) : "S" + std::to_string(i + 1));
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& it = items[i];
        out += clip(letters[i] + " = " + it.label + ": " + it.scenario.name, static_cast<std::size_t>(options.width)) +
               "\n";
        out += clip("    " + gpu_caption(it.estimate), static_cast<std::size_t>(options.width)) + "\n";
    }
    out += "\nPer GPU (most loaded rank), GiB; Δ is the difference to A.\n";
    const std::size_t w_val = 9, w_delta = 9;
    const std::size_t fixed = w_val + (items.size() - 1) * (w_val + w_delta);
    // The name column takes what the values leave, between 16 and 36 columns.
    const std::size_t room = options.width > static_cast<int>(fixed) ? static_cast<std::size_t>(options.width) - fixed : 0;
    const std::size_t name_col = std::clamp<std::size_t>(room, 16, 36);

    std::string header = pad_to("component", name_col);
    for (std::size_t i = 0; i < items.size(); ++i) {
        header += pad_to(letters[i], w_val, true);
        if (i > 0) header += pad_to("Δ" + letters[i], w_delta, true);
    }
    out += header + "\n";
    const auto rows = compare_rows(items);
    auto value_cells = [&](const std::vector<Bytes>& values, const std::vector<bool>& present) {
        std::string s;
        for (std::size_t i = 0; i < values.size(); ++i) {
            s += pad_to(present[i] ? gib2(values[i]) : "—", w_val, true);
            if (i > 0 && !present[0] && !present[i]) {
                s += pad_to("—", w_delta, true);
            } else if (i > 0) {
                const std::int64_t d = difference(values[0], values[i]);
                std::string cell = signed_gib2(d);
                if (options.color && d != 0) cell = paint(cell, d > 0 ? 167 : 70, true);
                s += pad_to(cell, w_delta, true);
            }
        }
        return s;
    };
    for (const auto& row : rows) {
        std::vector<Bytes> values;
        std::vector<bool> present;
        for (const Term* t : row.terms) {
            values.push_back(bytes_of(t));
            present.push_back(t != nullptr);
        }
        const std::string name = row.id + (row.phase.empty() ? "" : " [" + row.phase + "]");
        out += pad_to(clip(name, name_col - 1), name_col) + value_cells(values, present) + "\n";
        if (options.explain)
            for (std::size_t i = 0; i < row.terms.size(); ++i)
                if (row.terms[i])
                    out += clip("    " + letters[i] + ": " + row.terms[i]->substituted,
                                static_cast<std::size_t>(options.width)) +
                           "\n";
    }
    std::vector<Bytes> totals, capacities;
    std::vector<bool> all(items.size(), true), has_gpu;
    for (const auto& it : items) {
        totals.push_back(it.estimate.total_bytes);
        capacities.push_back(it.estimate.gpu_memory_bytes);
        has_gpu.push_back(it.estimate.gpu_memory_bytes > 0);
    }
    out += pad_to("total (peak per GPU)", name_col) + value_cells(totals, all) + "\n";
    out += pad_to("GPU capacity", name_col) + value_cells(capacities, has_gpu) + "\n";
    std::string fits = pad_to("fits", name_col);
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& e = items[i].estimate;
        std::string cell = e.gpu_memory_bytes == 0 ? "—" : e.fits ? "yes" : "no";
        if (options.color && e.gpu_memory_bytes > 0) cell = paint(cell, e.fits ? 70 : 196, true);
        fits += pad_to(cell, w_val, true) + (i > 0 ? std::string(w_delta, ' ') : "");
    }
    while (!fits.empty() && fits.back() == ' ') fits.pop_back();
    out += fits + "\n\n";
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Estimate& e = items[i].estimate;
        if (e.ranks.empty()) continue;
        out += letters[i] + "\n";
        out += stacked_bar_text(e.ranks[e.most_loaded], e.gpu_memory_bytes, options);
    }
    out += "(GiB = 2^30 bytes)\n";
    return fit_lines(out, options.width);
}

}  // namespace vram
