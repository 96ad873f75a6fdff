// scenario/schema.hpp - the one table of core scenario keys: types, ranges, defaults, help.
// The YAML reader, --set, fit/sweep's in-place keys, `vram schema`, the completions and
// docs/scenario-format.md all read it, so they cannot disagree.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "vram/config_node.hpp"
#include "vram/export.hpp"
#include "vram/scenario.hpp"
#include "scenario/scenario_keys.hpp"

namespace vram {

enum class KeyType { string, integer, number, boolean, enumeration, list, map };

/// Which registry catalog lists the values a string key takes (filled in by `vram schema`).
enum class KeyCatalog { none, weight_formats, methods, objectives, optimizers, runtimes };

/// One core scenario key. Paths are dotted; items of a list section are `inputs[].width`.
struct SchemaKey {
    std::string path;
    KeyType type = KeyType::string;
    std::string help;
    std::string default_value;            ///< YAML text; empty = none (or derived, see help)
    std::vector<std::string> choices;     ///< enumeration values
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    std::string bool_true, bool_false;    ///< enumeration keys that also take true/false map them here
    std::string word;                     ///< integer keys that also take this word (hardware.count: auto)
    std::string missing;                  ///< non-empty: required, and what to say when it is missing
    std::string expected;                 ///< maps and lists: what "expected ..." names on a type error
    bool plugin_options = false;          ///< a map whose other keys belong to plugins (checked later)
    KeyCatalog catalog = KeyCatalog::none;
    KeyEffect effect = KeyEffect::none;   ///< numeric keys fit and sweep set in place
    /// Stores a validated value into the Scenario (null for list sections and their items).
    void (*assign)(Scenario&, const ConfigNode&) = nullptr;
};

/// Every core key, sections before their keys, in the order messages list them.
VRAM_API const std::vector<SchemaKey>& scenario_schema();
/// The key at `path` (`inputs[].width` for list items); null when there is none.
VRAM_API const SchemaKey* find_schema_key(std::string_view path);
/// Names of the keys directly under `section` ("" for the top level), in table order.
VRAM_API std::vector<std::string> schema_children(std::string_view section);
/// `a.b`'s section is `a`; `inputs[].width`'s is `inputs[]`; a top-level key's is "".
VRAM_API std::string schema_section(std::string_view path);

/// Checks `value` against `key` and returns it normalized (enumeration booleans become their
/// word, strings given as numbers become strings). `path` is what messages name (inputs[2].width);
/// failures throw ScenarioError(where, path + ": " + what).
VRAM_API ConfigNode check_schema_value(const SchemaKey& key, const ConfigNode& value, const std::string& path,
                                       const std::string& where);

/// "unknown key 'k' (did you mean 'x'?); allowed: a, b" for a key not under `section`.
VRAM_API std::string unknown_key_message(const std::string& key, std::string_view section);

/// Leaf paths `--set` can name directly (completions and docs): every key that stores a value.
VRAM_API std::vector<std::string> settable_keys();

/// Checks the path of `--set path=value` and types the value: string keys keep the text as
/// written when YAML would read a map or list from it. Throws UsageError naming the closest key.
/// `origin` is the argument messages name (default "--set PATH").
VRAM_API ConfigNode typed_override(const std::string& path, const std::string& text, const std::string& origin = {});

/// Type of a key as docs write it ("integer", "enum", ...).
VRAM_API const char* key_type_name(KeyType type);

}  // namespace vram
