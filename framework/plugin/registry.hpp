// plugin/registry.hpp - host side: typed catalogs of everything plugins registered
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vram/error.hpp"
#include "vram/export.hpp"
#include "vram/registrar.hpp"

namespace vram {

/// Suggests the names closest to `wanted` (edit distance), best first, at most `limit`.
VRAM_API std::vector<std::string> closest_names(std::string_view wanted,
                                                const std::vector<std::string>& names,
                                                std::size_t limit = 3);

/// One catalog per plugin kind. Items are found by their dotted name and by every short key
/// users type (precision.weights: nf4). Duplicate names or keys are errors naming both origins.
template <class Interface>
class Catalog {
public:
    struct Entry {
        std::shared_ptr<const Interface> item;
        std::string origin;  ///< plugin file (or "built-in") that registered it
    };

    explicit Catalog(std::string kind) : kind_(std::move(kind)) {}

    /// Registers `item` under `name` and `keys`. Throws DuplicateComponentError.
    void add(std::shared_ptr<const Interface> item, const std::string& name,
             const std::vector<std::string>& keys, const std::string& origin) {
        check_free(name, origin);
        for (const auto& k : keys) if (k != name) check_free(k, origin);
        const std::size_t index = entries_.size();
        entries_.push_back({std::move(item), origin});
        names_.push_back(name);
        index_[name] = index;
        for (const auto& k : keys) index_[k] = index;
    }
    /// Throws DuplicateComponentError when `name` is taken (used to check a staged batch).
    void check_free(const std::string& name, const std::string& origin) const {
        auto it = index_.find(name);
        if (it != index_.end())
            throw DuplicateComponentError(kind_ + " '" + name + "' registered twice: by " +
                                          entries_[it->second].origin + " and by " + origin);
    }
    const Interface* find(std::string_view name) const noexcept {
        auto it = index_.find(name);
        return it == index_.end() ? nullptr : entries_[it->second].item.get();
    }
    /// Throws UnknownComponentError listing the closest names.
    const Interface& get(std::string_view name, std::string_view what_key = {}) const {
        if (const Interface* item = find(name)) return *item;
        // Suggest what users type (short keys) rather than dotted plugin names when both exist.
        std::vector<std::string> all;
        for (auto& k : keys())
            if (k.find('.') == std::string::npos) all.push_back(k);
        if (all.empty()) all = keys();
        auto close = closest_names(name, all);
        std::string msg = "unknown " + kind_ + " '" + std::string(name) + "'";
        if (!what_key.empty()) msg = std::string(what_key) + ": " + msg;
        msg += "; ";
        msg += close.empty() ? "known: " : "did you mean: ";
        const auto& list = close.empty() ? all : close;
        for (std::size_t i = 0; i < list.size(); ++i) msg += (i ? ", " : "") + list[i];
        throw UnknownComponentError(msg);
    }
    const std::string& origin(std::string_view name) const {
        return entries_.at(index_.find(name)->second).origin;
    }
    /// Dotted names in registration order.
    const std::vector<std::string>& names() const noexcept { return names_; }
    /// Every name and key, sorted.
    std::vector<std::string> keys() const {
        std::vector<std::string> out;
        for (const auto& [k, _] : index_) out.push_back(k);
        return out;
    }
    const std::vector<Entry>& entries() const noexcept { return entries_; }
    std::size_t size() const noexcept { return entries_.size(); }
    const std::string& kind() const noexcept { return kind_; }

private:
    std::string kind_;
    std::vector<Entry> entries_;
    std::vector<std::string> names_;
    std::map<std::string, std::size_t, std::less<>> index_;
};

/// Everything the loaded plugins registered. Owned by the application, never a singleton.
class VRAM_API Registry {
public:
    Registry();
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    Catalog<Component> components{"component"};
    Catalog<ModelAdapter> model_adapters{"model adapter"};
    Catalog<AttentionVariant> attention{"attention variant"};
    Catalog<WeightFormat> weight_formats{"weight format"};
    Catalog<TrainingMethod> methods{"training method"};
    Catalog<TrainingObjective> objectives{"training objective"};
    Catalog<Optimizer> optimizers{"optimizer"};
    Catalog<ModalityTokenizer> tokenizers{"modality tokenizer"};
    Catalog<RuntimeProfile> runtimes{"runtime profile"};
    Catalog<GpuCatalog> gpu_catalogs{"GPU catalog"};
    /// Every symbol a term or formula may read: the built-ins (owner "core"), then the symbols
    /// plugins declared, in load order. Contexts of this registry point at it.
    SymbolTable symbols;
    /// The declared symbol called `name`, or null.
    const SymbolInfo* find_symbol(std::string_view name) const noexcept;

    /// The adapter for a config's model_type; throws ScenarioError naming the supported types.
    const ModelAdapter& adapter_for(const std::string& model_type, const std::string& where) const;
    /// The family a scenario names with model.family: a dotted adapter name ("core.model.llama",
    /// "family.olmo2"), its last part ("llama", "olmo2") or a model_type it serves ("qwen2").
    /// Throws ScenarioError naming the closest families.
    const ModelAdapter& adapter_named(const std::string& family, const std::string& where) const;
    /// The families closest to `wanted` (by their short names and model_types), best first.
    std::vector<std::string> closest_families(const std::string& wanted, std::size_t limit = 3) const;
};

}  // namespace vram
