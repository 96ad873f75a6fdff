// params.cpp - validation of plugin option blocks against their ParamSpecs.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "vram/bytes.hpp"
#include "vram/error.hpp"
#include "vram/params.hpp"
#include "plugin/registry.hpp"

namespace vram {
namespace {

const char* type_name(ParamType t) {
    switch (t) {
        case ParamType::integer: return "an integer";
        case ParamType::number: return "a number";
        case ParamType::boolean: return "true or false";
        case ParamType::string: return "a string";
        case ParamType::string_list: return "a list of strings";
    }
    return "a value";
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
    return out;
}

ConfigNode parse_default(const ParamSpec& spec) {
    const std::string& text = spec.default_value;
    switch (spec.type) {
        case ParamType::integer:
        case ParamType::number: return ConfigNode::make_number(std::strtod(text.c_str(), nullptr));
        case ParamType::boolean: return ConfigNode::make_bool(text == "true");
        case ParamType::string: return ConfigNode::make_string(text);
        case ParamType::string_list: {
            ConfigNode list = ConfigNode::make_list();
            std::size_t start = 0;
            while (start <= text.size()) {
                const auto comma = text.find(',', start);
                std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                if (!item.empty()) list.push_back(ConfigNode::make_string(item));
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
            return list;
        }
    }
    return {};
}

// Checks one value against its spec; returns the normalized value.
ConfigNode check(const ParamSpec& spec, const ConfigNode& value, const std::string& key_path) {
    auto fail = [&](const std::string& what) { throw ParamError(key_path, what); };
    switch (spec.type) {
        case ParamType::integer:
        case ParamType::number: {
            // A number key may accept words besides a number (DeepSpeed's "auto").
            if (value.is_string() &&
                std::find(spec.choices.begin(), spec.choices.end(), value.as_string()) != spec.choices.end())
                return value;
            if (!value.is_number())
                fail(std::string("expected ") + type_name(spec.type) +
                     (spec.choices.empty() ? std::string() : " or " + join(spec.choices)) + ", got " +
                     (value.is_string() ? "'" + value.as_string() + "'" : describe(value.kind())));
            const double v = value.as_number();
            if (!std::isfinite(v)) fail("must be a finite number, got " + value.text());
            if (spec.type == ParamType::integer && !value.is_integer())
                fail("expected an integer, got " + value.text());
            if (v < spec.min || v > spec.max)
                fail("value " + value.text() + " is out of range; allowed: " + format_number(spec.min) +
                     " to " + format_number(spec.max));
            return value;
        }
        case ParamType::boolean:
            if (!value.is_bool()) fail("expected true or false, got " + std::string(describe(value.kind())));
            return value;
        case ParamType::string: {
            if (!value.is_string() && !value.is_number())
                fail(std::string("expected a string, got ") + describe(value.kind()));
            ConfigNode s = ConfigNode::make_string(value.text(), value.mark());
            if (!spec.choices.empty()) {
                bool ok = false;
                for (const auto& c : spec.choices) ok = ok || c == value.text();
                if (!ok) fail("'" + value.text() + "' is not allowed; allowed: " + join(spec.choices));
            }
            return s;
        }
        case ParamType::string_list: {
            ConfigNode list = ConfigNode::make_list(value.mark());
            if (value.is_string()) {
                list.push_back(value);
            } else if (value.is_list()) {
                for (const auto& item : value.items()) {
                    if (!item.is_string()) fail("expected a list of strings");
                    list.push_back(item);
                }
            } else {
                fail(std::string("expected a list of strings, got ") + describe(value.kind()));
            }
            if (!spec.choices.empty())
                for (const auto& item : list.items()) {
                    bool ok = false;
                    for (const auto& c : spec.choices) ok = ok || c == item.as_string();
                    if (!ok) fail("'" + item.as_string() + "' is not allowed; allowed: " + join(spec.choices));
                }
            return list;
        }
    }
    return value;
}

}  // namespace

Params Params::validate(const ConfigNode* block, const std::vector<ParamSpec>& specs,
                        const std::string& path) {
    Params p;
    p.path_ = path;
    if (block && !block->is_null() && !block->is_map())
        throw ParamError(path, std::string("expected a map, got ") + describe(block->kind()));
    if (block && block->is_map()) {
        for (const auto& [key, value] : block->entries()) {
            const ParamSpec* spec = nullptr;
            for (const auto& s : specs)
                if (s.key == key) spec = &s;
            const std::string key_path = path.empty() ? key : path + "." + key;
            if (!spec) {
                std::vector<std::string> names;
                for (const auto& s : specs) names.push_back(s.key);
                auto close = closest_names(key, names, 1);
                std::string msg = "unknown key '" + key + "'";
                if (!close.empty()) msg += " (did you mean '" + close.front() + "'?)";
                msg += names.empty() ? "; this block takes no keys" : "; allowed: " + join(names);
                throw ParamError(key_path, msg);
            }
            p.values_.set(key, check(*spec, value, key_path));
        }
    }
    for (const auto& s : specs)
        if (!p.values_.find(s.key) && !s.default_value.empty()) p.values_.set(s.key, parse_default(s));
    return p;
}

bool Params::has(std::string_view key) const noexcept { return values_.find(key) != nullptr; }

const ConfigNode& Params::get(std::string_view key) const {
    const ConfigNode* n = values_.find(key);
    if (!n) throw Error("option '" + std::string(key) + "' of " + (path_.empty() ? "a plugin" : path_) +
                        " has no value and no default");
    return *n;
}

std::int64_t Params::integer(std::string_view key) const { return get(key).as_integer(); }
double Params::number(std::string_view key) const { return get(key).as_number(); }
bool Params::flag(std::string_view key) const { return get(key).as_bool(); }
const std::string& Params::string(std::string_view key) const { return get(key).text(); }

std::vector<std::string> Params::strings(std::string_view key) const {
    std::vector<std::string> out;
    const ConfigNode& n = get(key);
    if (n.is_string()) return {n.as_string()};
    for (const auto& item : n.items()) out.push_back(item.text());
    return out;
}

void Params::set(const std::string& key, ConfigNode value) { values_.set(key, std::move(value)); }

}  // namespace vram
