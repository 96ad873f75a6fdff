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

const ModelAdapter& Registry::adapter_for(const std::string& model_type, const std::string& where) const {
    for (const auto& e : model_adapters.entries())
        for (const auto& t : e.item->model_types())
            if (t == model_type) return *e.item;
    std::vector<std::string> types;
    for (const auto& e : model_adapters.entries())
        for (const auto& t : e.item->model_types()) types.push_back(t);
    std::sort(types.begin(), types.end());
    std::string list;
    for (std::size_t i = 0; i < types.size(); ++i) list += (i ? ", " : "") + types[i];
    throw ScenarioError(where, "model_type '" + model_type + "' has no model adapter; supported: " +
                                   (list.empty() ? "(none loaded)" : list) +
                                   ". Add one with a model-adapter plugin (docs/writing-a-plugin.md)");
}

}  // namespace vram
