// report_markdown.cpp - Markdown reports for pull requests and wikis (GitHub-flavoured tables;
// the Mermaid pie renders on GitHub and GitLab and stays a readable code block elsewhere).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cstdio>

#include "report_util.hpp"

namespace vram {
namespace {

using namespace report_detail;

// An inline code span. Inside one, Markdown shows every character literally: no HTML entities
// (`&lt;` would print as is), only what the surrounding syntax needs: a table cell still ends at
// an unescaped `|` (GFM: `\|` inside a span in a table), and a line break would end the row.
// Backticks in the text get a longer fence, as CommonMark defines code spans.
std::string code(const std::string& text, bool in_table) {
    std::string s;
    std::size_t run = 0, longest = 0;
    for (char c : text) {
        run = c == '`' ? run + 1 : 0;
        longest = std::max(longest, run);
        if (c == '\n' || c == '\r') s += ' ';
        else if (c == '|' && in_table) s += "\\|";
        else s += c;
    }
    const std::string fence(longest + 1, '`');
    // CommonMark strips one space on each side when both are there: pad so the text survives.
    const bool pad = !s.empty() && (s.front() == '`' || s.back() == '`' || (s.front() == ' ' && s.back() == ' '));
    return fence + (pad ? " " : "") + s + (pad ? " " : "") + fence;
}

std::string share(Bytes part, Bytes whole) {
    if (whole == 0) return "—";
    return percent1(static_cast<double>(part) / static_cast<double>(whole));
}

// Mermaid pie labels are quoted strings: keep them free of quotes.
std::string pie_label(const std::string& text) {
    std::string s;
    for (char c : text) s += c == '"' ? '\'' : c;
    return s;
}

std::string summary(const ReportItem& it) {
    const Estimate& e = it.estimate;
    std::string out;
    out += "| | |\n|---|---|\n";
    out += "| model | " + markdown_cell(it.model.name) + ", " +
           format_count(static_cast<std::uint64_t>(parameter_count(it.model))) + " parameters, attention " +
           markdown_cell(it.estimate.attention) + " |\n";
    out += "| precision | weights " + markdown_cell(it.estimate.weight_format) + ", KV " + markdown_cell(it.estimate.kv_dtype) + " |\n";
    out += "| workload | " + markdown_cell(it.scenario.workload.type) + ", " +
           markdown_cell(workload_shape(it.scenario, e)) + " |\n";
    out += "| GPU | " + markdown_cell(gpu_caption(e)) + " |\n";
    out += "| peak per GPU | **" + gib2(e.total_bytes) + " GiB**";
    if (e.gpu_memory_bytes > 0) out += " (" + percent1(e.utilization) + " of capacity)";
    out += " |\n";
    if (e.gpu_memory_bytes > 0)
        out += std::string("| fits | ") + (e.fits ? "✅ yes" : "❌ no") +
               (e.refusal.empty() ? std::string() : " — " + markdown_cell(e.refusal)) + " |\n";
    out += "| memory views | allocated " + gib2(e.memory.allocated_peak) + " · reserved " + gib2(e.memory.reserved_peak) +
           " · device (nvidia-smi) " + gib2(e.memory.device) + " GiB" +
           (e.memory.host > 0 ? " · host " + gib2(e.memory.host) + " GiB" : std::string()) + " |\n";
    if (!it.scenario.training_run() && e.gpu_memory_bytes > 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.2f", e.max_concurrency);
        out += "| serving | KV cache " + gib2(e.kv_cache_bytes) + " GiB; one GPU holds " +
               format_count(static_cast<std::uint64_t>(e.max_kv_tokens)) + " KV tokens = " + buf +
               " concurrent sequences |\n";
    }
    if (it.scenario.training_run())
        out += "| trainable parameters | " + format_count(static_cast<std::uint64_t>(e.trainable_parameters)) + " |\n";
    return out;
}

}  // namespace

std::string estimate_to_markdown(const ReportItem& it, const ReportOptions& options) {
    const Estimate& e = it.estimate;
    std::string out = "## " + markdown_cell(it.scenario.name) + "\n\n";
    out += summary(it) + "\n";
    for (const auto& group : rank_groups(e)) {
        const RankBreakdown& rank = e.ranks[group.first];
        if (e.ranks.size() > 1)
            out += "### " + markdown_cell(group.label) + (group.most_loaded ? " (most loaded)" : "") + "\n\n";
        out += "| component | category | GiB | bytes | share | formula |\n";
        out += "|---|---|--:|--:|--:|---|\n";
        for (const auto& t : rank.terms) {
            out += "| " + markdown_cell(t.id) + (t.phase.empty() ? "" : " [" + markdown_cell(t.phase) + "]") + " | " +
                   to_string(t.category) + " | " + gib2(t.bytes) + " | " + format_count(t.bytes) + " | " +
                   share(t.bytes, rank.total) + " | " + code(t.formula, true) + " |\n";
        }
        out += "| **total (peak per GPU)** | | **" + gib2(rank.total) + "** | **" + format_count(rank.total) +
               "** | | |\n\n";
    }
    if (!e.ranks.empty()) {
        const RankBreakdown& top = e.ranks[e.most_loaded];
        out += "```mermaid\npie showData title " + pie_label(it.scenario.name) + " (GiB per GPU)\n";
        for (const Term* t : peak_terms(top))
            if (t->bytes > 0) out += "    \"" + pie_label(t->id) + "\" : " + gib2(t->bytes) + "\n";
        if (e.gpu_memory_bytes > top.total) out += "    \"free\" : " + gib2(e.gpu_memory_bytes - top.total) + "\n";
        out += "```\n\n";
    }
    if (options.explain && !e.ranks.empty()) {
        out += "<details><summary>Formulas, values and sources</summary>\n\n";
        for (const auto& t : e.ranks[e.most_loaded].terms) {
            out += "- **" + markdown_cell(t.id) + "** = " + code(t.formula, false) + "  \n  = " + code(t.substituted, false) +
                   "  \n  source: " + markdown_cell(t.source) + "\n";
        }
        out += "\n| symbol | value | unit | set by |\n|---|--:|---|---|\n";
        for (const auto& sym : it.estimate.symbols) {
            if (!sym.set) continue;
            out += "| " + markdown_cell(sym.name) + " | " + format_number(sym.value) + " | " +
                   markdown_cell(sym.unit) + " | " + markdown_cell(sym.set_by) + " |\n";
        }
        out += "\n</details>\n\n";
        for (const auto& n : e.notes) out += "> " + markdown_cell(n) + "\n";
        if (!e.notes.empty()) out += "\n";
    }
    out += "_GiB = 2^30 bytes; sizes are per GPU._\n";
    return out;
}

std::string comparison_to_markdown(const std::vector<ReportItem>& items, const ReportOptions& options) {
    std::string out = "## Comparison\n\n";
    out += "| | scenario | file | GPU | peak GiB | fits |\n|---|---|---|---|--:|---|\n";
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Estimate& e = items[i].estimate;
        out += "| " + std::to_string(i + 1) + " | " + markdown_cell(items[i].scenario.name) + " | " +
               markdown_cell(items[i].label) + " | " + markdown_cell(gpu_caption(e)) + " | " + gib2(e.total_bytes) +
               " | " + (e.gpu_memory_bytes == 0 ? "—" : e.fits ? "✅" : "❌") + " |\n";
    }
    out += "\nPer GPU (most loaded rank), GiB; Δ is the difference to scenario 1.\n\n";
    out += "| component | category |";
    std::string rule = "|---|---|";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += " " + std::to_string(i + 1) + " |";
        rule += "--:|";
        if (i > 0) {
            out += " Δ" + std::to_string(i + 1) + " |";
            rule += "--:|";
        }
    }
    out += "\n" + rule + "\n";
    for (const auto& row : compare_rows(items)) {
        out += "| " + markdown_cell(row.id) + (row.phase.empty() ? "" : " [" + markdown_cell(row.phase) + "]") + " | " +
               to_string(row.category) + " |";
        for (std::size_t i = 0; i < row.terms.size(); ++i) {
            out += " " + (row.terms[i] ? gib2(row.terms[i]->bytes) : std::string("—")) + " |";
            if (i > 0)
                out += " " + (row.absent(i) ? std::string("—")
                                            : signed_gib2(difference(bytes_of(row.terms[0]), bytes_of(row.terms[i])))) +
                       " |";
        }
        out += "\n";
    }
    out += "| **total (peak per GPU)** | |";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += " **" + gib2(items[i].estimate.total_bytes) + "** |";
        if (i > 0)
            out += " **" + signed_gib2(difference(items[0].estimate.total_bytes, items[i].estimate.total_bytes)) + "** |";
    }
    out += "\n\n";
    if (options.explain) {
        out += "<details><summary>Formulas</summary>\n\n";
        for (const auto& row : compare_rows(items))
            if (const Term* t = row.first())
                out += "- **" + markdown_cell(row.id) + "** = " + code(t->formula, false) + " — " + markdown_cell(t->source) + "\n";
        out += "\n</details>\n\n";
    }
    out += "_GiB = 2^30 bytes; sizes are per GPU._\n";
    return out;
}

}  // namespace vram
