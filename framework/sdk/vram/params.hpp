// vram/params.hpp - plugin options: declared by ParamSpec, delivered as Params
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "vram/config_node.hpp"
#include "vram/export.hpp"

namespace vram {

/// Type of one plugin option.
enum class ParamType { integer, number, boolean, string, string_list };

/// Declares one option a plugin reads from its scenario block (Envoy's typed config, in small).
/// The host rejects keys no spec declares, checks types and ranges, and fills defaults.
struct ParamSpec {
    std::string key;                  ///< key inside the plugin's block, e.g. "rank"
    ParamType type = ParamType::number;
    std::string default_value;        ///< as YAML text; empty = no default (optional key)
    std::string help;                 ///< one line for `--help` and docs
    double min = -std::numeric_limits<double>::infinity();  ///< inclusive bounds for numbers
    double max = std::numeric_limits<double>::infinity();
    std::vector<std::string> choices; ///< allowed strings (empty = any); for a number, words it also takes ("auto")
};

/// Validated option values of one plugin block. Reading an undeclared key is a programming
/// error and throws vram::Error.
class VRAM_API Params {
public:
    Params() = default;
    /// Builds from a block; `path` is the block's scenario key path for messages.
    /// Throws vram::ParamError for unknown keys, wrong types or out-of-range values.
    static Params validate(const ConfigNode* block, const std::vector<ParamSpec>& specs,
                           const std::string& path);

    /// Whether the key has a value (given in the scenario or by its default).
    bool has(std::string_view key) const noexcept;
    // The typed readers below return the validated value of a declared key; they throw
    // vram::Error when the key has no value and no default (check has() for optional keys).
    /// ParamType::integer.
    std::int64_t integer(std::string_view key) const;
    /// ParamType::number (integers read fine too).
    double number(std::string_view key) const;
    /// ParamType::boolean.
    bool flag(std::string_view key) const;
    /// ParamType::string.
    const std::string& string(std::string_view key) const;
    /// ParamType::string_list; a single string reads as a one-item list.
    std::vector<std::string> strings(std::string_view key) const;
    /// Sets or replaces a value (used by --set and sweeps).
    void set(const std::string& key, ConfigNode value);
    const std::string& path() const noexcept { return path_; }
    const ConfigNode& node() const noexcept { return values_; }

private:
    const ConfigNode& get(std::string_view key) const;
    ConfigNode values_ = ConfigNode::make_map();
    std::string path_;
};

}  // namespace vram
