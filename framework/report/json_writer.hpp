// report/json_writer.hpp - the one JSON writer of every command (run, fit, sweep, recommend,
// compare, gpus, inspect, presets, validate): a streaming interface, so callers never build JSON
// text by hand. Objects are laid out one key per line, or on one line where the caller asks
// (rows of `vram gpus`, a sweep point); arrays of scalars are always on one line.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "vram/export.hpp"

namespace vram {

/// Writes one JSON document. Values go at the root, into the innermost open array, or after a
/// key() into the innermost open object:
///
///     JsonWriter w;
///     w.object().field("key", "workload.batch_size").field("value", 37).end();
///     std::string text = w.str();
///
/// Misuse (a value in an object without a key, a key twice, end() with nothing open, a second
/// root) throws std::logic_error: it is a bug in the caller, never an input error.
class VRAM_API JsonWriter {
public:
    JsonWriter();
    ~JsonWriter();
    JsonWriter(const JsonWriter&) = delete;
    JsonWriter& operator=(const JsonWriter&) = delete;

    enum class Layout { block, line };
    /// Opens an object: `block` one key per line, `line` the whole object on one line.
    JsonWriter& object(Layout layout = Layout::block);
    JsonWriter& array();   ///< opens an array
    JsonWriter& end();     ///< closes the innermost open object or array
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
    JsonWriter& value(bool flag);
    JsonWriter& value(double number);  ///< non-finite numbers are written as null
    template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    JsonWriter& value(T number) {
        if constexpr (std::is_signed_v<T>) return signed_value(static_cast<std::int64_t>(number));
        else return unsigned_value(static_cast<std::uint64_t>(number));
    }
    JsonWriter& null();
    /// The number as printf's %.Nf would print it: what a reader of N decimals gets.
    JsonWriter& fixed(double number, int decimals);
    /// The number as printf's %g would print it (six significant digits).
    JsonWriter& general(double number);

    /// key(name).value(v)
    template <class T>
    JsonWriter& field(std::string_view name, const T& v) {
        key(name);
        return value(v);
    }

    /// The document, ending in a newline; every object and array must be closed.
    std::string str() const;

private:
    JsonWriter& signed_value(std::int64_t number);
    JsonWriter& unsigned_value(std::uint64_t number);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Escapes a string for JSON, with its quotes.
VRAM_API std::string json_quote(const std::string& text);

}  // namespace vram
