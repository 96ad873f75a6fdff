// scenario_keys.cpp - numeric scenario keys set in place, so that fit and sweep re-evaluate a
// parsed scenario without building it again. Which keys, their ranges and where they are stored
// come from the schema table, the one the YAML reader uses.
// SPDX-License-Identifier: Apache-2.0
#include "scenario/scenario_keys.hpp"

#include <cmath>
#include <cstdlib>

#include "vram/bytes.hpp"
#include "vram/error.hpp"
#include "scenario/schema.hpp"

namespace vram {
namespace {

const SchemaKey* find_key(const std::string& key) {
    const SchemaKey* k = find_schema_key(key);
    return k && k->effect != KeyEffect::none ? k : nullptr;
}

}  // namespace

const std::vector<std::string>& fast_scenario_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> out;
        for (const auto& k : scenario_schema())
            if (k.effect != KeyEffect::none) out.push_back(k.path);
        return out;
    }();
    return keys;
}

bool scenario_key_minimum(const std::string& key, double& minimum) {
    const SchemaKey* k = find_key(key);
    if (!k) return false;
    minimum = k->min;
    return true;
}

bool parse_number(const std::string& text, double& value) {
    if (text.empty()) return false;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(v)) return false;
    value = v;
    return true;
}

KeyEffect set_scenario_number(Scenario& s, const std::string& key, double value) {
    const SchemaKey* k = find_key(key);
    if (!k) return KeyEffect::none;
    const bool integer = k->type == KeyType::integer;
    if (!std::isfinite(value) || value < k->min || value > k->max || (integer && value != std::floor(value)))
        throw ScenarioError(s.where(key), key + ": " + format_number(value) + " is not allowed; allowed: " +
                                              (integer ? "an integer" : "a number") + " from " +
                                              format_number(k->min) + " to " + format_number(k->max));
    k->assign(s, ConfigNode::make_number(value));
    return k->effect;
}

}  // namespace vram
