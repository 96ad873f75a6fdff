// vram/config_node.hpp - a small JSON/YAML-like value tree that crosses the plugin boundary
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vram/export.hpp"

namespace vram {

/// Where a value came from in its file (1-based; 0 when unknown, e.g. config.json).
struct SourceMark {
    int line = 0;
    int column = 0;
};

/// A parsed configuration value: null, bool, number, string, list or map (keys keep file order).
/// HF config.json files and scenario YAML both arrive as ConfigNode; yaml-cpp and Boost.JSON
/// never cross into plugins.
class VRAM_API ConfigNode {
public:
    enum class Kind { null, boolean, number, string, list, map };

    ConfigNode() = default;
    static ConfigNode make_bool(bool v, SourceMark mark = {});
    static ConfigNode make_number(double v, SourceMark mark = {});
    static ConfigNode make_string(std::string v, SourceMark mark = {});
    static ConfigNode make_list(SourceMark mark = {});
    static ConfigNode make_map(SourceMark mark = {});

    Kind kind() const noexcept { return kind_; }
    bool is_null() const noexcept { return kind_ == Kind::null; }
    bool is_bool() const noexcept { return kind_ == Kind::boolean; }
    bool is_number() const noexcept { return kind_ == Kind::number; }
    bool is_string() const noexcept { return kind_ == Kind::string; }
    bool is_list() const noexcept { return kind_ == Kind::list; }
    bool is_map() const noexcept { return kind_ == Kind::map; }
    /// True for a number without a fractional part that fits in int64.
    bool is_integer() const noexcept;

    bool as_bool() const;               ///< throws vram::Error unless is_bool()
    double as_number() const;           ///< throws vram::Error unless is_number()
    std::int64_t as_integer() const;    ///< throws vram::Error unless is_integer()
    const std::string& as_string() const;  ///< throws vram::Error unless is_string()
    /// The scalar as the user wrote it (numbers keep their spelling), for messages.
    const std::string& text() const noexcept { return text_; }

    const std::vector<ConfigNode>& items() const;  ///< list elements; throws unless is_list()
    std::vector<ConfigNode>& items();
    /// Map entries in file order; throws unless is_map().
    const std::vector<std::pair<std::string, ConfigNode>>& entries() const;
    std::vector<std::pair<std::string, ConfigNode>>& entries();

    /// Map lookup; nullptr when absent or when this is not a map.
    const ConfigNode* find(std::string_view key) const noexcept;
    ConfigNode* find(std::string_view key) noexcept;
    /// Dotted path lookup ("text_config.hidden_size"); nullptr when absent.
    const ConfigNode* find_path(std::string_view dotted) const noexcept;
    /// Inserts or replaces a map entry (keeps position when replacing); returns it.
    ConfigNode& set(const std::string& key, ConfigNode value);
    /// Removes a map entry; returns whether one was removed.
    bool erase(std::string_view key);
    void push_back(ConfigNode value);

    SourceMark mark() const noexcept { return mark_; }
    void set_mark(SourceMark mark) noexcept { mark_ = mark; }
    void set_text(std::string text) { text_ = std::move(text); }

    /// Convenience readers for HF-style configs: the first present key of `keys` wins.
    const ConfigNode* first_of(std::initializer_list<std::string_view> keys) const noexcept;

    /// Compact JSON rendering, for messages and debugging.
    std::string to_json() const;

private:
    Kind kind_ = Kind::null;
    bool bool_ = false;
    double number_ = 0.0;
    std::string text_;
    std::vector<ConfigNode> items_;
    std::vector<std::pair<std::string, ConfigNode>> entries_;
    SourceMark mark_;
};

/// Name of a kind, for messages ("a number", "a map" ...).
VRAM_API const char* describe(ConfigNode::Kind kind) noexcept;

}  // namespace vram
