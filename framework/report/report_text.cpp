// report_text.cpp - human tables in GiB (2^30 bytes).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report_util.hpp"
#include "report/report.hpp"

#include <algorithm>

namespace vram {
namespace {

// Pads to display columns: a byte count would under-pad any name holding "…" or "×".
std::string pad(const std::string& s, std::size_t width, bool right = false) {
    const std::size_t w = report_detail::display_width(s);
    if (w >= width) return s;
    const std::string fill(width - w, ' ');
    return right ? fill + s : s + fill;
}

// Cuts text to at most `width` display columns, the cut marked with "…" (names are ASCII ids
// and phases; a cut never splits a UTF-8 sequence because it counts code points).
std::string clip(const std::string& s, std::size_t width) {
    if (report_detail::display_width(s) <= width || width == 0) return s;
    std::string out;
    std::size_t w = 0;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c & 0xC0) != 0x80) {
            if (w + 1 >= width) break;
            ++w;
        }
        out += ch;
    }
    return out + "…";
}

std::string gib(Bytes b) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(b) / kGiB);
    return buf;
}

// Breaks long explain lines at spaces so they stay inside the terminal width; continuation
// lines keep the indent of the label.
std::string wrap(const std::string& label, const std::string& text, int width) {
    const std::size_t indent = report_detail::display_width(label);
    const std::size_t limit = width > static_cast<int>(indent) + 20 ? static_cast<std::size_t>(width) : indent + 20;
    std::string out = label, word;
    std::size_t col = indent;
    auto flush = [&] {
        if (word.empty()) return;
        const std::size_t w = report_detail::display_width(word);
        if (col > indent && col + 1 + w > limit) {
            out += "\n" + std::string(indent, ' ');
            col = indent;
        } else if (col > indent) {
            out += ' ';
            ++col;
        }
        out += word;
        col += w;
        word.clear();
    };
    for (char c : text) {
        if (c == ' ') flush();
        else word += c;
    }
    flush();
    return out + "\n";
}

std::string percent(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %%", x * 100);
    return buf;
}

}  // namespace

std::string estimate_to_table(const Scenario& scenario, const ModelSpec& model, const Estimate& e,
                              const ReportOptions& options) {
    std::string out;
    out += scenario.name + "\n";
    out += "model " + model.name + ": " + format_count(static_cast<std::uint64_t>(parameter_count(model))) +
           " parameters, attention " + e.attention + ", weights " + e.weight_format + ", KV " + e.kv_dtype +
           "\n";
    out += "workload " + scenario.workload.type + ": " + report_detail::workload_shape(scenario, e);
    for (const auto& [k, v] : e.modality_tokens) {
        const bool frames = std::find(e.encoder_frame_modalities.begin(), e.encoder_frame_modalities.end(), k) !=
                            e.encoder_frame_modalities.end();
        out += " (" + format_count(static_cast<std::uint64_t>(v)) + " " + k +
               (frames ? " encoder frames, read through cross-attention)" : " tokens)");
    }
    out += "\n\n";
    // 80 columns hold every column; narrower terminals lose the exact bytes and then name width.
    const bool show_bytes = options.width >= 80;
    const std::size_t w_cat = 18, w_gib = 10, w_bytes = show_bytes ? 18 : 0;
    // The name column grows to the longest "id [phase]" (a cut id hides which term it is), as far
    // as the width leaves room for the other columns.
    std::size_t longest = 0;
    for (const auto& rank : e.ranks)
        for (const auto& t : rank.terms)
            longest = std::max(longest, report_detail::display_width(t.id) + (t.phase.empty() ? 0 : t.phase.size() + 3) + 2);
    const std::size_t room = options.width > 0 ? static_cast<std::size_t>(options.width) - w_cat - w_gib - w_bytes : 34;
    const std::size_t w_name = options.width >= 80 ? std::max<std::size_t>(34, std::min(longest, room))
                               : options.width > 48 ? static_cast<std::size_t>(options.width) - w_cat - w_gib
                                                    : 20;
    // Every rank, identical neighbouring pipeline stages once under one heading.
    for (const auto& group : report_detail::rank_groups(e)) {
        const RankBreakdown& rank = e.ranks[group.first];
        if (e.ranks.size() > 1)
            out += group.label + (group.most_loaded ? "  (most loaded)" : "") + "\n";
        out += pad("component", w_name) + pad("category", w_cat) + pad("GiB", w_gib, true) +
               (show_bytes ? pad("bytes", w_bytes, true) : "") + "\n";
        for (const auto& t : rank.terms) {
            // At least one blank column before the category, whatever the name's length.
            const std::string name = clip(t.id + (t.phase.empty() ? "" : " [" + t.phase + "]"), w_name - 1);
            out += pad(name, w_name) + pad(to_string(t.category), w_cat) + pad(gib(t.bytes), w_gib, true) +
                   (show_bytes ? pad(format_count(t.bytes), w_bytes, true) : "") + "\n";
            if (options.explain) {
                out += wrap("    formula:  ", t.formula, options.width);
                out += wrap("    values:   ", t.substituted, options.width);
                out += wrap("    source:   ", t.source, options.width);
            }
        }
        out += pad("total (peak per GPU)", w_name + w_cat) + pad(gib(rank.total), w_gib, true) +
               (show_bytes ? pad(format_count(rank.total), w_bytes, true) : "") + "\n";
        out += stacked_bar_text(rank, e.gpu_memory_bytes, options) + "\n";
    }
    if (e.gpu_memory_bytes > 0) {
        out += "GPU: " + e.gpu.name + " × " + std::to_string(e.gpu_count) + ", " + gib(e.gpu_memory_bytes) +
               " GiB usable each\n";
        const std::string verdict = e.fits ? "Fits" : "Does not fit";
        out += (options.color ? "\x1b[1;" + std::string(e.fits ? "32m" : "31m") + verdict + "\x1b[0m" : verdict) + ": " +
               gib(e.total_bytes) + " GiB of " +
               gib(e.gpu_memory_bytes) + " GiB (" + percent(e.utilization) + ") on the most loaded GPU\n";
        if (!e.refusal.empty()) out += wrap("Engine: ", e.refusal, options.width);
    } else {
        out += "No GPU given (hardware.gpu or hardware.memory_gib): peak " + gib(e.total_bytes) + " GiB per GPU\n";
    }
    out += "Views: allocated " + gib(e.memory.allocated_peak) + " · reserved " + gib(e.memory.reserved_peak) +
           " · device " + gib(e.memory.device) + " GiB (nvidia-smi: the total)" +
           (e.memory.host > 0 ? " · host " + gib(e.memory.host) + " GiB" : std::string()) + "\n";
    if (!scenario.training_run() && e.gpu_memory_bytes > 0) {
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "Serving: the batch needs %s GiB of KV cache; one GPU holds %s tokens of KV, "
                      "i.e. %.2f concurrent sequences of %s tokens\n",
                      gib(e.kv_cache_bytes).c_str(), format_count(static_cast<std::uint64_t>(e.max_kv_tokens)).c_str(),
                      e.max_concurrency, format_count(static_cast<std::uint64_t>(e.tokens_per_sequence)).c_str());
        std::string line = buf;
        line.pop_back();  // wrap() ends the line itself
        out += wrap("", line, options.width);
    }
    if (scenario.training_run())
        out += "Trainable parameters: " + format_count(static_cast<std::uint64_t>(e.trainable_parameters)) + "\n";
    if (options.explain) {
        out += "\nSymbols (value, unit, set by):\n";
        // Plugin symbols can be long (bnb_4bit_saves_input): the name column fits the longest.
        std::size_t name_width = 14;
        for (const auto& sym : e.symbols)
            if (sym.set) name_width = std::max(name_width, sym.name.size() + 1);
        for (const auto& sym : e.symbols) {
            if (!sym.set) continue;
            out += "  " + pad(sym.name, name_width) + pad(format_number(sym.value), 20) + pad(sym.unit, 12) +
                   sym.set_by + "\n";
        }
        if (!e.notes.empty()) {
            out += "\nNotes:\n";
            for (const auto& n : e.notes) out += "  - " + n + "\n";
        }
    }
    out += "(GiB = 2^30 bytes)\n";
    return report_detail::fit_lines(out, options.width);
}

std::string model_to_table(const ModelSpec& model, std::int64_t kv_bytes_per_token, const std::string& kv_dtype,
                           const std::string& attention, const CheckpointComparison* checkpoint) {
    std::string out;
    out += model.name + " (" + model.model_type + ")\n";
    if (!model.source.empty()) out += "source: " + model.source + "\n";
    out += "parameters: " + format_count(static_cast<std::uint64_t>(parameter_count(model))) + "\n";
    if (model.experts > 0)
        out += "active parameters per token: " + format_count(static_cast<std::uint64_t>(active_parameter_count(model))) +
               " (" + std::to_string(model.experts_per_token) + " of " + std::to_string(model.experts) + " experts)\n";
    for (const auto& [g, n] : parameters_by_group(model))
        out += "  " + pad(g, 22) + pad(format_count(static_cast<std::uint64_t>(n)), 20, true) + "\n";
    out += "layers " + std::to_string(model.layers) + ", hidden " + std::to_string(model.hidden) + ", heads " +
           std::to_string(model.heads) + " (KV " + std::to_string(model.kv_heads) + ", head_dim " +
           std::to_string(model.head_dim) + "), intermediate " + std::to_string(model.intermediate) + ", vocab " +
           std::to_string(model.vocab) + (model.tied_embeddings ? ", tied embeddings" : "") + "\n";
    out += "attention: " + attention + "\n";
    out += "KV cache per token (" + kv_dtype + ", all layers): " + format_count(static_cast<std::uint64_t>(kv_bytes_per_token)) +
           " bytes\n";
    for (const auto& n : model.notes) out += "note: " + n + "\n";
    if (checkpoint) out += checkpoint_to_table(*checkpoint);
    return out;
}

}  // namespace vram
