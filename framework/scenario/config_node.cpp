// config_node.cpp - the plugin-facing value tree.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "vram/bytes.hpp"
#include "vram/config_node.hpp"
#include "vram/error.hpp"
#include "scenario/key_lookups.hpp"

namespace vram {

ConfigNode ConfigNode::make_bool(bool v, SourceMark mark) {
    ConfigNode n;
    n.kind_ = Kind::boolean;
    n.bool_ = v;
    n.text_ = v ? "true" : "false";
    n.mark_ = mark;
    return n;
}

ConfigNode ConfigNode::make_number(double v, SourceMark mark) {
    ConfigNode n;
    n.kind_ = Kind::number;
    n.number_ = v;
    n.text_ = format_number(v);
    n.mark_ = mark;
    return n;
}

ConfigNode ConfigNode::make_string(std::string v, SourceMark mark) {
    ConfigNode n;
    n.kind_ = Kind::string;
    n.text_ = std::move(v);
    n.mark_ = mark;
    return n;
}

ConfigNode ConfigNode::make_list(SourceMark mark) {
    ConfigNode n;
    n.kind_ = Kind::list;
    n.mark_ = mark;
    return n;
}

ConfigNode ConfigNode::make_map(SourceMark mark) {
    ConfigNode n;
    n.kind_ = Kind::map;
    n.mark_ = mark;
    return n;
}

const char* describe(ConfigNode::Kind kind) noexcept {
    switch (kind) {
        case ConfigNode::Kind::null: return "null";
        case ConfigNode::Kind::boolean: return "a boolean";
        case ConfigNode::Kind::number: return "a number";
        case ConfigNode::Kind::string: return "a string";
        case ConfigNode::Kind::list: return "a list";
        case ConfigNode::Kind::map: return "a map";
    }
    return "a value";
}

bool ConfigNode::is_integer() const noexcept {
    return kind_ == Kind::number && std::isfinite(number_) && number_ == std::floor(number_) &&
           std::fabs(number_) <= 9.007199254740992e15;
}

bool ConfigNode::as_bool() const {
    if (kind_ != Kind::boolean) throw Error(std::string("expected a boolean, got ") + describe(kind_));
    return bool_;
}

double ConfigNode::as_number() const {
    if (kind_ != Kind::number) throw Error(std::string("expected a number, got ") + describe(kind_));
    return number_;
}

std::int64_t ConfigNode::as_integer() const {
    if (!is_integer()) throw Error("expected an integer, got " + (kind_ == Kind::number ? text_ : std::string(describe(kind_))));
    return static_cast<std::int64_t>(number_);
}

const std::string& ConfigNode::as_string() const {
    if (kind_ != Kind::string) throw Error(std::string("expected a string, got ") + describe(kind_));
    return text_;
}

const std::vector<ConfigNode>& ConfigNode::items() const {
    if (kind_ != Kind::list) throw Error(std::string("expected a list, got ") + describe(kind_));
    return items_;
}

std::vector<ConfigNode>& ConfigNode::items() {
    if (kind_ != Kind::list) throw Error(std::string("expected a list, got ") + describe(kind_));
    return items_;
}

const std::vector<std::pair<std::string, ConfigNode>>& ConfigNode::entries() const {
    if (kind_ != Kind::map) throw Error(std::string("expected a map, got ") + describe(kind_));
    return entries_;
}

std::vector<std::pair<std::string, ConfigNode>>& ConfigNode::entries() {
    if (kind_ != Kind::map) throw Error(std::string("expected a map, got ") + describe(kind_));
    return entries_;
}

namespace {
thread_local std::vector<std::string>* t_key_lookups = nullptr;  // set by a live KeyLookups
}  // namespace

KeyLookups::KeyLookups() : previous_(t_key_lookups) { t_key_lookups = &keys_; }
KeyLookups::~KeyLookups() { t_key_lookups = previous_; }

bool KeyLookups::contains(std::string_view key) const noexcept {
    return std::find(keys_.begin(), keys_.end(), key) != keys_.end();
}

std::vector<std::string> KeyLookups::keys() const {
    std::vector<std::string> out;
    for (const auto& k : keys_)
        if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
    return out;
}

void note_key_lookup(std::string_view key) noexcept {
    if (!t_key_lookups) return;
    try {
        t_key_lookups->emplace_back(key);
    } catch (...) {
        // Out of memory while recording: the strictness check loses a key, nothing else.
    }
}

const ConfigNode* ConfigNode::find(std::string_view key) const noexcept {
    note_key_lookup(key);
    if (kind_ != Kind::map) return nullptr;
    for (const auto& [k, v] : entries_)
        if (k == key) return &v;
    return nullptr;
}

ConfigNode* ConfigNode::find(std::string_view key) noexcept {
    note_key_lookup(key);
    if (kind_ != Kind::map) return nullptr;
    for (auto& [k, v] : entries_)
        if (k == key) return &v;
    return nullptr;
}

const ConfigNode* ConfigNode::find_path(std::string_view dotted) const noexcept {
    const ConfigNode* node = this;
    while (node) {
        const auto dot = dotted.find('.');
        node = node->find(dotted.substr(0, dot));
        if (dot == std::string_view::npos) return node;
        dotted.remove_prefix(dot + 1);
    }
    return nullptr;
}

ConfigNode& ConfigNode::set(const std::string& key, ConfigNode value) {
    if (kind_ == Kind::null) kind_ = Kind::map;
    if (kind_ != Kind::map) throw Error("cannot set '" + key + "' on " + describe(kind_));
    for (auto& [k, v] : entries_)
        if (k == key) {
            v = std::move(value);
            return v;
        }
    entries_.emplace_back(key, std::move(value));
    return entries_.back().second;
}

bool ConfigNode::erase(std::string_view key) {
    if (kind_ != Kind::map) return false;
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
        if (it->first == key) {
            entries_.erase(it);
            return true;
        }
    return false;
}

void ConfigNode::push_back(ConfigNode value) {
    if (kind_ == Kind::null) kind_ = Kind::list;
    if (kind_ != Kind::list) throw Error(std::string("cannot append to ") + describe(kind_));
    items_.push_back(std::move(value));
}

const ConfigNode* ConfigNode::first_of(std::initializer_list<std::string_view> keys) const noexcept {
    for (auto k : keys)
        if (const ConfigNode* n = find(k); n && !n->is_null()) return n;
    return nullptr;
}

namespace {
void append_quoted(std::string& out, const std::string& s) {
    out += '"';
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

void render(const ConfigNode& n, std::string& out) {
    switch (n.kind()) {
        case ConfigNode::Kind::null: out += "null"; break;
        case ConfigNode::Kind::boolean: out += n.as_bool() ? "true" : "false"; break;
        case ConfigNode::Kind::number: out += format_number(n.as_number()); break;
        case ConfigNode::Kind::string: append_quoted(out, n.as_string()); break;
        case ConfigNode::Kind::list: {
            out += '[';
            bool first = true;
            for (const auto& i : n.items()) {
                if (!first) out += ',';
                first = false;
                render(i, out);
            }
            out += ']';
            break;
        }
        case ConfigNode::Kind::map: {
            out += '{';
            bool first = true;
            for (const auto& [k, v] : n.entries()) {
                if (!first) out += ',';
                first = false;
                append_quoted(out, k);
                out += ':';
                render(v, out);
            }
            out += '}';
            break;
        }
    }
}
}  // namespace

std::string ConfigNode::to_json() const {
    std::string out;
    render(*this, out);
    return out;
}

}  // namespace vram
