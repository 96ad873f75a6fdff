// registry.cpp - catalogs of registered objects and name suggestions.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cctype>

#include "plugin/registry.hpp"
#include "text/edit_distance.hpp"

namespace vram {
std::vector<std::string> closest_names(std::string_view wanted, const std::vector<std::string>& names,
                                       std::size_t limit) {
    std::vector<std::pair<std::size_t, std::string>> scored;
    const std::size_t budget = std::max<std::size_t>(2, wanted.size() / 3);
    for (const auto& n : names) {
        std::size_t d = edit_distance(wanted, n);
        // A name that contains the wanted text (or the reverse) is a good suggestion too.
        if (n.find(wanted) != std::string::npos || (wanted.size() > 2 && n.size() > 2 && std::string(wanted).find(n) != std::string::npos))
            d = std::min<std::size_t>(d, 1);
        if (d <= budget) scored.emplace_back(d, n);
    }
    std::stable_sort(scored.begin(), scored.end(), [](auto& x, auto& y) { return x.first < y.first; });
    std::vector<std::string> out;
    for (auto& [d, n] : scored) {
        if (out.size() >= limit) break;
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    }
    return out;
}

Registry::Registry() : symbols(builtin_symbols()) {}

const SymbolInfo* Registry::find_symbol(std::string_view name) const noexcept {
    for (const auto& s : symbols)
        if (s.name == name) return &s;
    return nullptr;
}
Registry::~Registry() = default;

namespace {

/// "core.model.llama" -> "llama", "family.olmo2" -> "olmo2".
std::string short_family(std::string_view dotted) {
    const auto dot = dotted.rfind('.');
    return std::string(dot == std::string_view::npos ? dotted : dotted.substr(dot + 1));
}

}  // namespace

std::vector<std::string> Registry::closest_families(const std::string& wanted, std::size_t limit) const {
    // Every family by its short name, scored by the closest of that name and its model_types,
    // so "olmo3" finds olmo2 and "qwen3_vl" finds qwen2_vl even with no family named alike.
    // Ties go to the name of the same length ("olmo3": olmo2 before olmo), then to file order.
    struct Scored {
        std::size_t distance, length_gap;
        std::string name;
    };
    const auto gap = [&](const std::string& n) { return n.size() > wanted.size() ? n.size() - wanted.size() : wanted.size() - n.size(); };
    std::vector<Scored> scored;
    for (const auto& e : model_adapters.entries()) {
        const std::string name = short_family(e.item->name());
        Scored best{edit_distance(wanted, name), gap(name), name};
        for (const auto& t : e.item->model_types()) {
            std::size_t d = edit_distance(wanted, t);
            if (t.find(wanted) != std::string::npos || (wanted.size() > 2 && wanted.find(t) != std::string::npos))
                d = std::min<std::size_t>(d, 1);
            if (d < best.distance || (d == best.distance && gap(t) < best.length_gap)) best = {d, gap(t), name};
        }
        scored.push_back(best);
    }
    std::stable_sort(scored.begin(), scored.end(), [](const Scored& x, const Scored& y) {
        return x.distance != y.distance ? x.distance < y.distance : x.length_gap < y.length_gap;
    });
    std::vector<std::string> out;
    for (const auto& [d, g, n] : scored)
        if (out.size() < limit && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    return out;
}

const ModelAdapter& Registry::adapter_for(const std::string& model_type, const std::string& where) const {
    for (const auto& e : model_adapters.entries())
        for (const auto& t : e.item->model_types())
            if (t == model_type) return *e.item;
    // Issue 17: one line with the closest families and the two ways forward.
    const auto close = closest_families(model_type);
    std::string list;
    for (std::size_t i = 0; i < close.size(); ++i) list += (i ? ", " : "") + close[i];
    throw ScenarioError(where, "model_type '" + model_type + "' has no model adapter" +
                                   (list.empty() ? std::string(" (none loaded)") : "; closest families: " + list) +
                                   ". Add a family file (docs/models.md \"Family files\") to a --plugin-dir, or "
                                   "reuse a family with model.family: NAME (vram families lists them)");
}

const ModelAdapter& Registry::adapter_named(const std::string& family, const std::string& where) const {
    if (const ModelAdapter* a = model_adapters.find(family)) return *a;
    for (const auto& e : model_adapters.entries())
        if (short_family(e.item->name()) == family) return *e.item;
    for (const auto& e : model_adapters.entries())
        for (const auto& t : e.item->model_types())
            if (t == family) return *e.item;
    const auto close = closest_families(family);
    std::string list;
    for (std::size_t i = 0; i < close.size(); ++i) list += (i ? ", " : "") + close[i];
    throw ScenarioError(where, "model.family: unknown family '" + family + "'" +
                                   (list.empty() ? std::string() : "; closest: " + list) + " (vram families lists them)");
}

}  // namespace vram
