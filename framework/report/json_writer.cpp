// json_writer.cpp - JsonWriter over a Boost.JSON tree: the tree keeps keys in insertion order
// and owns escaping and number formatting; the layout is ours (Boost.JSON 1.81 has no pretty
// printer).
// SPDX-License-Identifier: Apache-2.0
#include "report/json_writer.hpp"

#include <boost/json.hpp>

#include <charconv>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace json = boost::json;

namespace vram {
namespace {

// Objects opened with JsonWriter::Layout::line, in the order they were opened: the tree is
// built in document order, so the printer meets them in the same order.
struct LineFlags {
    std::vector<char> flags;  // one per object opened, since `first`
    std::size_t first = 0;    // objects already printed and dropped (a streamed root array)
    std::size_t next = 0;     // the next object the printer meets
    bool take() { return flags[next++ - first] != 0; }
};

// Scalars. Boost.JSON prints every double in exponent form (3.35E3); people and their tools
// read 3350: whole numbers below 2^53 as integers, others in the shortest form that round-trips.
void scalar(std::string& out, const json::value& v) {
    if (v.is_array()) {  // an array of scalars, compact as Boost.JSON writes it: [1,2]
        out += "[";
        const auto& a = v.get_array();
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (i) out += ",";
            scalar(out, a[i]);
        }
        out += "]";
        return;
    }
    if (!v.is_double()) {
        out += json::serialize(v);
        return;
    }
    const double d = v.get_double();
    char buf[64];
    if (std::abs(d) < 9007199254740992.0 && d == std::trunc(d)) {
        std::snprintf(buf, sizeof buf, "%.0f", d);
        out += buf;
        return;
    }
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    out.append(buf, r.ptr);
}

// One line, separators as people write them: {"a": 1, "b": [1, 2]}.
void one_line(std::string& out, const json::value& v, LineFlags& lines) {
    if (v.is_object()) {
        lines.take();  // inside a one-line object everything is on that line
        out += "{";
        std::size_t i = 0;
        for (const auto& kv : v.get_object()) {
            out += (i++ ? ", " : "") + json::serialize(json::value(kv.key())) + ": ";
            one_line(out, kv.value(), lines);
        }
        out += "}";
    } else if (v.is_array()) {
        out += "[";
        std::size_t i = 0;
        for (const auto& x : v.get_array()) {
            out += i++ ? ", " : "";
            one_line(out, x, lines);
        }
        out += "]";
    } else {
        scalar(out, v);
    }
}

// Block layout: one key or item per line; arrays of scalars compact on one line.
void pretty(std::string& out, const json::value& v, int indent, LineFlags& lines) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    const std::string inner(static_cast<std::size_t>(indent + 2), ' ');
    if (v.is_object()) {
        const auto& o = v.get_object();
        if (lines.flags[lines.next - lines.first]) {
            one_line(out, v, lines);
            return;
        }
        lines.take();
        if (o.empty()) {
            out += "{}";
            return;
        }
        out += "{\n";
        std::size_t i = 0;
        for (const auto& kv : o) {
            out += inner + json::serialize(json::value(kv.key())) + ": ";
            pretty(out, kv.value(), indent + 2, lines);
            out += ++i < o.size() ? ",\n" : "\n";
        }
        out += pad + "}";
        return;
    }
    if (v.is_array()) {
        const auto& a = v.get_array();
        bool scalars = true;
        for (const auto& x : a) scalars = scalars && !x.is_object() && !x.is_array();
        if (a.empty() || scalars) {
            scalar(out, v);
            return;
        }
        out += "[\n";
        for (std::size_t i = 0; i < a.size(); ++i) {
            out += inner;
            pretty(out, a[i], indent + 2, lines);
            out += i + 1 < a.size() ? ",\n" : "\n";
        }
        out += pad + "]";
        return;
    }
    scalar(out, v);
}

// The double a reader of printf's text gets back (JSON numbers are compared after parsing).
double reparsed(const char* text) { return std::strtod(text, nullptr); }

}  // namespace

struct JsonWriter::Impl {
    json::value root;
    bool has_root = false;
    std::vector<json::value*> open;  // innermost last; parents never grow while a child is open
    std::string key;
    bool has_key = false;
    // A root array streams: each finished item is laid out at once and dropped from the tree, so
    // a sweep of a million rows never holds a million rows of tree.
    std::string streamed;
    std::size_t streamed_items = 0;
    LineFlags lines;

    bool streaming_root() const { return open.size() == 1 && open.front() == &root && root.is_array(); }
    void flush_root_items() {
        for (const auto& item : root.get_array()) {
            streamed += streamed_items++ ? ",\n  " : "\n  ";
            pretty(streamed, item, 2, lines);
        }
        root.get_array().clear();
        lines.first = lines.next;
        lines.flags.clear();
    }

    json::value& place(json::value v) {
        if (open.empty()) {
            if (has_root) throw std::logic_error("JsonWriter: a second root value");
            root = std::move(v);
            has_root = true;
            return root;
        }
        json::value& top = *open.back();
        if (top.is_array()) {
            const bool scalar = !v.is_object() && !v.is_array();
            top.get_array().push_back(std::move(v));
            if (scalar && streaming_root()) {
                flush_root_items();
                return root;  // not read: scalars are never opened
            }
            return top.get_array().back();
        }
        if (!has_key) throw std::logic_error("JsonWriter: a value in an object without a key");
        has_key = false;
        // A replaced object would leave its layout flag behind and shift every later one.
        if (top.get_object().contains(key)) throw std::logic_error("JsonWriter: duplicate key '" + key + "'");
        auto& slot = top.get_object()[key];
        slot = std::move(v);
        return slot;
    }
};

JsonWriter::JsonWriter() : impl_(std::make_unique<Impl>()) {}
JsonWriter::~JsonWriter() = default;

JsonWriter& JsonWriter::object(Layout layout) {
    impl_->open.push_back(&impl_->place(json::object()));
    impl_->lines.flags.push_back(layout == Layout::line ? 1 : 0);
    return *this;
}

JsonWriter& JsonWriter::array() {
    impl_->open.push_back(&impl_->place(json::array()));
    return *this;
}

JsonWriter& JsonWriter::end() {
    if (impl_->open.empty()) throw std::logic_error("JsonWriter: end() with nothing open");
    impl_->open.pop_back();
    if (impl_->streaming_root()) impl_->flush_root_items();
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    if (impl_->open.empty() || !impl_->open.back()->is_object())
        throw std::logic_error("JsonWriter: key() outside an object");
    impl_->key.assign(name.data(), name.size());
    impl_->has_key = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
    impl_->place(json::string(text));
    return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
    impl_->place(flag);
    return *this;
}

JsonWriter& JsonWriter::value(double number) {
    if (std::isfinite(number)) impl_->place(number);
    else impl_->place(nullptr);
    return *this;
}

JsonWriter& JsonWriter::signed_value(std::int64_t number) {
    impl_->place(number);
    return *this;
}

JsonWriter& JsonWriter::unsigned_value(std::uint64_t number) {
    impl_->place(number);
    return *this;
}

JsonWriter& JsonWriter::null() {
    impl_->place(nullptr);
    return *this;
}

JsonWriter& JsonWriter::fixed(double number, int decimals) {
    if (!std::isfinite(number)) return null();
    char buf[512];  // %f of the largest double has 309 digits before the point
    std::snprintf(buf, sizeof buf, "%.*f", decimals, number);
    return value(reparsed(buf));
}

JsonWriter& JsonWriter::general(double number) {
    if (!std::isfinite(number)) return null();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", number);
    return value(reparsed(buf));
}

std::string JsonWriter::str() const {
    if (!impl_->open.empty()) throw std::logic_error("JsonWriter: str() with an object or array still open");
    if (impl_->root.is_array()) {
        const bool any = impl_->streamed_items > 0;
        return "[" + impl_->streamed + (any ? "\n]\n" : "]\n");
    }
    std::string out;
    LineFlags lines = impl_->lines;  // str() may be called again
    pretty(out, impl_->root, 0, lines);
    return out + "\n";
}

std::string json_quote(const std::string& text) { return json::serialize(json::value(text)); }

}  // namespace vram
