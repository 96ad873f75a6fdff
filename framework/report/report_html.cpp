// report_html.cpp - one self-contained HTML file per report: inline CSS, inline SVG charts and
// a few lines of inline JS; nothing is fetched (no scripts, fonts, images or styles from the
// network), so the file works offline, attached to a ticket or opened from a mail.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "report_util.hpp"
#include "vram/version.hpp"

namespace vram {
namespace {

using namespace report_detail;

constexpr double kPi = 3.14159265358979323846;

std::string num(double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string k(Category c) { return "k" + std::to_string(category_index(c)); }

// A chart segment: what it is, how big, what hovering shows, which details element a click opens.
struct Seg {
    Category category;
    Bytes bytes;
    std::string title;
    std::string target;
};

std::string term_title(const Term& t) {
    std::string s = t.id + (t.phase.empty() ? "" : " [" + t.phase + "]") + ": " + gib2(t.bytes) + " GiB\n" +
                    "formula: " + t.formula + "\n" + "values: " + t.substituted + "\n" + "source: " + t.source;
    return s;
}

std::string css() {
    std::string s = R"(
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1b1f24;--muted:#5b6470;--card:#f4f6f9;--line:#d9dee5;--free:#e6e9ee;--ok:#16915a;--bad:#c62828;--cap:#1b1f24;)";
    for (int i = 0; i < 14; ++i)
        s += "--k" + std::to_string(i) + ":" + category_css_light(static_cast<Category>(i)) + ";";
    s += "}\n@media (prefers-color-scheme:dark){:root{--bg:#111418;--fg:#e6e8eb;--muted:#9aa4b2;--card:#1a1f26;"
         "--line:#2d343e;--free:#262c35;--ok:#3ccf8a;--bad:#ff6b6b;--cap:#e6e8eb;";
    for (int i = 0; i < 14; ++i)
        s += "--k" + std::to_string(i) + ":" + category_css_dark(static_cast<Category>(i)) + ";";
    s += "}}\n";
    for (int i = 0; i < 14; ++i) {
        const std::string n = std::to_string(i);
        s += ".k" + n + "{fill:var(--k" + n + ");background:var(--k" + n + ")}.donut .k" + n + "{stroke:var(--k" + n +
             ");fill:none}\n";
    }
    s += R"(*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:980px;margin:0 auto;padding:16px}
h1{font-size:1.4rem;margin:.2em 0}h2{font-size:1.1rem;margin:1.4em 0 .5em}
.sub{color:var(--muted);margin:.2em 0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:14px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 12px}
.card span{display:block;color:var(--muted);font-size:.8rem}.card b{font-size:1.15rem}.card small{display:block;color:var(--muted)}
.yes b{color:var(--ok)}.no b{color:var(--bad)}
figure{margin:0 0 14px}figcaption{font-size:.9rem;color:var(--muted);display:flex;flex-wrap:wrap;justify-content:space-between;gap:4px 12px}
figcaption b{color:var(--fg)}
svg{display:block;width:100%;height:auto}
.bar svg{height:44px}.bar .free{fill:var(--free)}.bar .cap{stroke:var(--cap);stroke-width:3}.bar .over{fill:var(--bad)}
.seg{cursor:pointer;outline:none}.seg:hover,.seg:focus{opacity:.75}
.split{display:flex;flex-wrap:wrap;gap:16px;align-items:center}
.donut{flex:0 1 260px;margin:0 auto}.donut text{fill:var(--fg);text-anchor:middle}.donut .big{font-size:22px;font-weight:600}.donut .small{font-size:11px;fill:var(--muted)}
.legend{flex:1 1 300px;list-style:none;margin:0;padding:0}
.legend li{display:flex;gap:8px;align-items:center;padding:2px 0;font-size:.92rem}.legend .v{margin-left:auto;font-variant-numeric:tabular-nums;white-space:nowrap}
.sw{display:inline-block;width:.8em;height:.8em;border-radius:3px;flex:none}
.terms{border:1px solid var(--line);border-radius:10px;overflow:hidden}
.term{border-top:1px solid var(--line)}.term:first-child{border-top:0}
.term summary{display:flex;flex-wrap:wrap;gap:4px 10px;align-items:center;padding:8px 12px;cursor:pointer;list-style:none}
.term summary::-webkit-details-marker{display:none}
.term summary::before{content:"\25B8";color:var(--muted)}.term[open] summary::before{content:"\25BE"}
.term .name{font-weight:600;word-break:break-all}.term .cat{color:var(--muted);font-size:.85rem}
.term .v{margin-left:auto;font-variant-numeric:tabular-nums;white-space:nowrap}
.term.hl{background:var(--card)}
.term dl{margin:0;padding:0 12px 10px 30px;display:grid;grid-template-columns:max-content 1fr;gap:4px 10px}
.term dt{color:var(--muted)}.term dd{margin:0;overflow-wrap:anywhere}
code{font:.88em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere}
.total{padding:8px 12px;font-weight:600;display:flex;background:var(--card)}.total .v{margin-left:auto}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
td code{display:inline-block;min-width:16em}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.hl td{background:var(--card)}
.up{color:var(--bad)}.down{color:var(--ok)}
.notes{color:var(--muted);font-size:.9rem}
footer{color:var(--muted);font-size:.85rem;margin-top:2em;border-top:1px solid var(--line);padding-top:8px}
@media (max-width:560px){main{padding:10px}h1{font-size:1.2rem}.term dl{grid-template-columns:1fr;padding-left:12px}}
)";
    return s;
}

// Opens and highlights the details of a clicked segment; charts stay usable without it (titles).
const char* script() {
    return R"(<script>
(function () {
  "use strict";
  function show(id) {
    var target = document.getElementById(id);
    if (!target) return;
    var marked = document.querySelectorAll(".hl");
    for (var i = 0; i < marked.length; i++) marked[i].classList.remove("hl");
    if (target.tagName === "DETAILS") target.open = true;
    target.classList.add("hl");
    target.scrollIntoView({behavior: "smooth", block: "nearest"});
  }
  var segs = document.querySelectorAll("[data-term]");
  for (var i = 0; i < segs.length; i++) {
    (function (el) {
      el.addEventListener("click", function () { show(el.getAttribute("data-term")); });
      el.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); show(el.getAttribute("data-term")); }
      });
    })(segs[i]);
  }
  // Lets tests (and curious readers) see that the script ran to the end.
  document.documentElement.setAttribute("data-ready", String(segs.length));
})();
</script>
)";
}

std::string head(const std::string& title) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta name=\"color-scheme\" content=\"light dark\">\n"
           "<meta name=\"generator\" content=\"vram " VRAM_VERSION_STRING "\">\n<title>" +
           html_escape(title) + "</title>\n<style>" + css() + "</style>\n</head>\n<body>\n<main>\n";
}

std::string tail() {
    return std::string("<footer>GiB = 2<sup>30</sup> bytes; sizes are per GPU. Hover over or tap a chart segment for its "
                       "formula, values and source. Made by vram " VRAM_VERSION_STRING ".</footer>\n</main>\n") +
           script() + "</body>\n</html>\n";
}

// Horizontal stacked bar in a 1000-unit-wide view box; `scale` bytes span the whole width so
// several bars drawn with the same scale compare by length.
std::string bar_svg(const std::vector<Seg>& segs, Bytes scale, Bytes capacity, const std::string& label) {
    const double W = 1000, H = 40, y = 6, h = 28;
    auto x_of = [&](Bytes b) { return scale ? static_cast<double>(b) / static_cast<double>(scale) * W : 0.0; };
    Bytes total = 0;
    for (const auto& s : segs) total += s.bytes;
    std::string out = "<svg class=\"chart\" viewBox=\"0 0 " + num(W) + " " + num(H) + "\" role=\"img\" aria-label=\"" +
                      html_escape(label) + "\" preserveAspectRatio=\"none\">\n";
    out += "<rect class=\"free\" x=\"0\" y=\"" + num(y) + "\" width=\"" + num(x_of(std::max(capacity, total))) +
           "\" height=\"" + num(h) + "\" rx=\"4\"/>\n";
    Bytes acc = 0;
    for (const auto& s : segs) {
        if (s.bytes == 0) continue;
        out += "<rect class=\"seg " + k(s.category) + "\" x=\"" + num(x_of(acc)) + "\" y=\"" + num(y) + "\" width=\"" +
               num(std::max(x_of(s.bytes), 0.5)) + "\" height=\"" + num(h) + "\" tabindex=\"0\" data-term=\"" +
               s.target + "\"><title>" + html_escape(s.title) + "</title></rect>\n";
        acc += s.bytes;
    }
    if (capacity > 0) {
        const double xc = std::min(x_of(capacity), W - 1.5);
        out += "<line class=\"cap\" x1=\"" + num(xc) + "\" x2=\"" + num(xc) + "\" y1=\"1\" y2=\"" + num(H - 1) +
               "\" vector-effect=\"non-scaling-stroke\"><title>GPU capacity " + gib2(capacity) + " GiB</title></line>\n";
    }
    return out + "</svg>\n";
}

std::string donut_svg(const std::vector<Seg>& segs, const std::string& center, const std::string& caption) {
    const double cx = 110, cy = 110, r = 80, C = 2 * kPi * r;
    Bytes total = 0;
    for (const auto& s : segs) total += s.bytes;
    std::string out = "<svg viewBox=\"0 0 220 220\" role=\"img\" aria-label=\"" + html_escape(caption) + "\">\n";
    double offset = 0;
    for (const auto& s : segs) {
        if (s.bytes == 0 || total == 0) continue;
        const double len = static_cast<double>(s.bytes) / static_cast<double>(total) * C;
        // A circle with one dash per segment: unlike arc paths it also draws a 100 % segment.
        out += "<circle class=\"seg " + k(s.category) + "\" cx=\"" + num(cx) + "\" cy=\"" + num(cy) + "\" r=\"" + num(r) +
               "\" stroke-width=\"34\" stroke-dasharray=\"" + num(len) + " " + num(C - len) + "\" stroke-dashoffset=\"" +
               num(-offset) + "\" transform=\"rotate(-90 110 110)\" tabindex=\"0\" data-term=\"" + s.target +
               "\"><title>" + html_escape(s.title) + "</title></circle>\n";
        offset += len;
    }
    out += "<text class=\"big\" x=\"110\" y=\"112\">" + html_escape(center) + "</text>\n";
    out += "<text class=\"small\" x=\"110\" y=\"132\">GiB per GPU</text>\n";
    return out + "</svg>\n";
}

std::string legend(const std::vector<Seg>& segs, const std::vector<std::string>& names, Bytes total) {
    std::string out = "<ul class=\"legend\">\n";
    for (std::size_t i = 0; i < segs.size(); ++i) {
        if (segs[i].bytes == 0) continue;
        out += "<li><span class=\"sw " + k(segs[i].category) + "\"></span>" + html_escape(names[i]) +
               "<span class=\"v\">" + gib2(segs[i].bytes) + " GiB · " +
               percent1(total ? static_cast<double>(segs[i].bytes) / static_cast<double>(total) : 0) + "</span></li>\n";
    }
    return out + "</ul>\n";
}

std::string card(const std::string& label, const std::string& value, const std::string& note = {},
                 const std::string& cls = {}) {
    return "<div class=\"card" + (cls.empty() ? "" : " " + cls) + "\"><span>" + html_escape(label) + "</span><b>" +
           html_escape(value) + "</b>" + (note.empty() ? "" : "<small>" + html_escape(note) + "</small>") + "</div>\n";
}

std::string cards(const ReportItem& it) {
    const Estimate& e = it.estimate;
    std::string out = "<section class=\"cards\">\n";
    out += card("peak per GPU", gib2(e.total_bytes) + " GiB",
                format_count(e.total_bytes) + " bytes (device view: nvidia-smi); allocated " +
                    gib2(e.memory.allocated_peak) + ", reserved " + gib2(e.memory.reserved_peak) + " GiB");
    if (e.gpu_memory_bytes > 0) {
        out += card("GPU", (e.gpu.name.empty() ? std::string("GPU") : e.gpu.name) + " × " + std::to_string(e.gpu_count),
                    gib2(e.gpu_memory_bytes) + " GiB usable each");
        out += card("fits", e.fits ? "yes" : "no",
                    e.refusal.empty() ? percent1(e.utilization) + " of capacity" : e.refusal, e.fits ? "yes" : "no");
    } else {
        out += card("GPU", "not given", "set hardware.gpu or hardware.memory_gib");
    }
    if (!it.scenario.training_run() && e.gpu_memory_bytes > 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.2f", e.max_concurrency);
        out += card("KV cache", gib2(e.kv_cache_bytes) + " GiB",
                    format_count(static_cast<std::uint64_t>(e.max_kv_tokens)) + " tokens fit; " + buf + " sequences");
    }
    if (it.scenario.training_run())
        out += card("trainable parameters", format_count(static_cast<std::uint64_t>(e.trainable_parameters)));
    return out + "</section>\n";
}

std::string subtitle(const ReportItem& it) {
    std::string s = "model " + it.model.name + " (" + format_count(static_cast<std::uint64_t>(parameter_count(it.model))) +
                    " parameters, attention " + it.estimate.attention + "), weights " + it.estimate.weight_format +
                    ", KV " + it.estimate.kv_dtype + "; " + it.scenario.workload.type + ", " +
                    workload_shape(it.scenario, it.estimate);
    return "<p class=\"sub\">" + html_escape(s) + "</p>\n";
}

}  // namespace

std::string estimate_to_html(const ReportItem& it, const ReportOptions& options) {
    (void)options;  // the page always carries the formulas: they are one click away, not in the way
    const Estimate& e = it.estimate;
    std::string out = head("vram: " + it.scenario.name);
    out += "<h1>" + html_escape(it.scenario.name) + "</h1>\n" + subtitle(it) + cards(it);

    Bytes scale = e.gpu_memory_bytes;
    for (const auto& r : e.ranks) scale = std::max(scale, r.total);
    out += "<section>\n<h2>Memory per GPU against capacity</h2>\n";
    // Every rank; identical neighbouring pipeline stages share one bar (report_detail::rank_groups).
    const auto groups = rank_groups(e);
    for (const auto& group : groups) {
        const std::size_t r = group.first;
        const RankBreakdown& rank = e.ranks[r];
        std::vector<Seg> segs;
        for (std::size_t i = 0; i < rank.terms.size(); ++i) {
            const Term& t = rank.terms[i];
            const auto peak = peak_terms(rank);
            if (std::find(peak.begin(), peak.end(), &t) == peak.end()) continue;
            segs.push_back({t.category, t.bytes, term_title(t), "r" + std::to_string(r) + "t" + std::to_string(i)});
        }
        std::string cap = e.gpu_memory_bytes > 0 ? " of " + gib2(e.gpu_memory_bytes) + " GiB (" +
                                                       percent1(static_cast<double>(rank.total) /
                                                                static_cast<double>(e.gpu_memory_bytes)) +
                                                       ")"
                                                 : "";
        const std::string label = e.ranks.size() > 1 ? group.label : std::string("one GPU");
        out += "<figure class=\"bar\"><figcaption><span>" + html_escape(label) +
               (group.most_loaded && e.ranks.size() > 1 ? " (most loaded)" : "") + "</span><span><b>" +
               gib2(rank.total) + " GiB</b>" + html_escape(cap) + "</span></figcaption>\n";
        out += bar_svg(segs, scale, e.gpu_memory_bytes, label + ": " + gib2(rank.total) + " GiB" + cap);
        out += "</figure>\n";
    }
    out += "</section>\n";

    if (!e.ranks.empty()) {
        const RankBreakdown& top = e.ranks[e.most_loaded];
        std::vector<Seg> segs;
        std::vector<std::string> names;
        for (std::size_t i = 0; i < top.terms.size(); ++i) {
            const Term& t = top.terms[i];
            const auto peak = peak_terms(top);
            if (std::find(peak.begin(), peak.end(), &t) == peak.end() || t.bytes == 0) continue;
            segs.push_back({t.category, t.bytes, term_title(t), "r" + std::to_string(e.most_loaded) + "t" + std::to_string(i)});
            names.push_back(t.id);
        }
        out += "<section>\n<h2>Components" + std::string(e.ranks.size() > 1 ? " of the most loaded GPU" : "") +
               "</h2>\n<div class=\"split\">\n<figure class=\"donut\">" +
               donut_svg(segs, gib2(top.total), "components of " + gib2(top.total) + " GiB") + "</figure>\n" +
               legend(segs, names, top.total) + "</div>\n</section>\n";
    }

    out += "<section>\n<h2>Formulas, values and sources</h2>\n";
    for (const auto& group : groups) {
        const std::size_t r = group.first;
        const RankBreakdown& rank = e.ranks[r];
        if (e.ranks.size() > 1) out += "<h3>" + html_escape(group.label) + "</h3>\n";
        out += "<div class=\"terms\">\n";
        for (std::size_t i = 0; i < rank.terms.size(); ++i) {
            const Term& t = rank.terms[i];
            out += "<details class=\"term\" id=\"r" + std::to_string(r) + "t" + std::to_string(i) + "\"><summary>" +
                   "<span class=\"sw " + k(t.category) + "\"></span><span class=\"name\">" + html_escape(t.id) +
                   "</span><span class=\"cat\">" + to_string(t.category) +
                   (t.phase.empty() ? "" : ", phase " + html_escape(t.phase)) + "</span><span class=\"v\">" +
                   gib2(t.bytes) + " GiB</span></summary>\n<dl><dt>formula</dt><dd><code>" + html_escape(t.formula) +
                   "</code></dd><dt>values</dt><dd><code>" + html_escape(t.substituted) + "</code></dd><dt>bytes</dt><dd>" +
                   format_count(t.bytes) + "</dd><dt>source</dt><dd>" + html_escape(t.source) + "</dd></dl></details>\n";
        }
        out += "<div class=\"total\">total (peak per GPU)<span class=\"v\">" + gib2(rank.total) + " GiB</span></div>\n";
        out += "</div>\n";
    }
    out += "</section>\n";

    out += "<section>\n<details><summary>Symbols</summary>\n<div class=\"scroll\"><table>\n"
           "<tr><th>symbol</th><th class=\"n\">value</th><th>unit</th><th>meaning</th><th>set by</th></tr>\n";
    for (const auto& sym : it.estimate.symbols) {
        if (!sym.set) continue;
        out += "<tr><td><code>" + html_escape(sym.name) + "</code></td><td class=\"n\">" +
               format_number(sym.value) + "</td><td>" + html_escape(sym.unit) + "</td><td>" +
               html_escape(sym.meaning) + "</td><td>" + html_escape(sym.set_by) + "</td></tr>\n";
    }
    out += "</table></div>\n</details>\n";
    if (!e.notes.empty()) {
        out += "<ul class=\"notes\">\n";
        for (const auto& n : e.notes) out += "<li>" + html_escape(n) + "</li>\n";
        out += "</ul>\n";
    }
    out += "</section>\n";
    return out + tail();
}

std::string comparison_to_html(const std::vector<ReportItem>& items, const ReportOptions& options) {
    (void)options;
    std::string out = head("vram: comparison of " + std::to_string(items.size()) + " scenarios");
    out += "<h1>Comparison of " + std::to_string(items.size()) + " scenarios</h1>\n"
           "<p class=\"sub\">Per GPU, the most loaded rank of each scenario; differences are to scenario 1.</p>\n";
    const auto rows = compare_rows(items);

    Bytes scale = 0;
    for (const auto& it : items) scale = std::max({scale, it.estimate.total_bytes, it.estimate.gpu_memory_bytes});
    out += "<section>\n<h2>Memory per GPU against capacity</h2>\n";
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Estimate& e = items[i].estimate;
        std::vector<Seg> segs;
        if (!e.ranks.empty()) {
            const RankBreakdown& top = e.ranks[e.most_loaded];
            for (const Term* t : peak_terms(top)) {
                std::size_t row = 0;
                while (row < rows.size() && !(rows[row].id == t->id && rows[row].phase == t->phase)) ++row;
                segs.push_back({t->category, t->bytes, term_title(*t), "c" + std::to_string(row)});
            }
        }
        const std::string verdict = e.gpu_memory_bytes == 0 ? "" : e.fits ? " · fits" : " · does not fit";
        out += "<figure class=\"bar\"><figcaption><span>" + std::to_string(i + 1) + ". " +
               html_escape(items[i].scenario.name) + "</span><span><b>" + gib2(e.total_bytes) + " GiB</b> · " +
               html_escape(gpu_caption(e)) + verdict + "</span></figcaption>\n";
        out += bar_svg(segs, scale, e.gpu_memory_bytes, items[i].scenario.name + ": " + gib2(e.total_bytes) + " GiB");
        out += "</figure>\n";
    }
    out += "</section>\n";

    out += "<section>\n<h2>Component by component (GiB)</h2>\n<div class=\"scroll\"><table>\n<tr><th>component</th>";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += "<th class=\"n\" title=\"" + html_escape(items[i].label) + "\">" + std::to_string(i + 1) + "</th>";
        if (i > 0) out += "<th class=\"n\">Δ" + std::to_string(i + 1) + "</th>";
    }
    out += "<th>formula</th></tr>\n";
    auto delta_cell = [](std::int64_t d) {
        return "<td class=\"n " + std::string(d > 0 ? "up" : d < 0 ? "down" : "") + "\">" + signed_gib2(d) + "</td>";
    };
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& row = rows[r];
        const Term* first = row.first();
        out += "<tr id=\"c" + std::to_string(r) + "\"" +
               (first ? " title=\"" + html_escape(first->formula + " — " + first->source) + "\"" : std::string()) +
               "><td><span class=\"sw " + k(row.category) + "\"></span> " + html_escape(row.id) +
               (row.phase.empty() ? "" : " [" + html_escape(row.phase) + "]") + "</td>";
        for (std::size_t i = 0; i < row.terms.size(); ++i) {
            out += "<td class=\"n\"" +
                   (row.terms[i] ? " title=\"" + html_escape(row.terms[i]->substituted) + "\"" : std::string()) + ">" +
                   (row.terms[i] ? gib2(row.terms[i]->bytes) : std::string("—")) + "</td>";
            if (i > 0)
                out += row.absent(i) ? std::string("<td class=\"n\">—</td>")
                                     : delta_cell(difference(bytes_of(row.terms[0]), bytes_of(row.terms[i])));
        }
        out += "<td><code>" + html_escape(first ? first->formula : "") + "</code></td></tr>\n";
    }
    out += "<tr><th>total (peak per GPU)</th>";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += "<th class=\"n\">" + gib2(items[i].estimate.total_bytes) + "</th>";
        if (i > 0) out += delta_cell(difference(items[0].estimate.total_bytes, items[i].estimate.total_bytes));
    }
    out += "<th></th></tr>\n</table></div>\n</section>\n";

    out += "<section>\n<h2>Components of each scenario</h2>\n<div class=\"split\">\n";
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Estimate& e = items[i].estimate;
        if (e.ranks.empty()) continue;
        const RankBreakdown& top = e.ranks[e.most_loaded];
        std::vector<Seg> segs;
        for (const Term* t : peak_terms(top)) {
            std::size_t row = 0;
            while (row < rows.size() && !(rows[row].id == t->id && rows[row].phase == t->phase)) ++row;
            segs.push_back({t->category, t->bytes, term_title(*t), "c" + std::to_string(row)});
        }
        out += "<figure class=\"donut\">" + donut_svg(segs, gib2(top.total), items[i].scenario.name) +
               "<figcaption><span>" + std::to_string(i + 1) + ". " + html_escape(items[i].scenario.name) +
               "</span></figcaption></figure>\n";
    }
    out += "</div>\n</section>\n";
    return out + tail();
}

}  // namespace vram
