// scenario_keys.cpp - numeric scenario keys set in place, so that fit and sweep re-evaluate a
// parsed scenario without building it again. Ranges mirror scenario.cpp's reader.
// SPDX-License-Identifier: Apache-2.0
#include "scenario/scenario_keys.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "vram/bytes.hpp"
#include "vram/error.hpp"

namespace vram {
namespace {

struct FastKey {
    const char* key;
    double min;
    double max;
    bool integer;
    KeyEffect effect;
};

constexpr double kMaxCount = 1099511627776.0;  // 2^40, as scenario.cpp

constexpr FastKey kKeys[] = {
    {"workload.batch_size", 1, kMaxCount, true, KeyEffect::prepare},
    {"workload.sequence_length", 1, kMaxCount, true, KeyEffect::prepare},
    {"workload.prompt_length", 0, kMaxCount, true, KeyEffect::prepare},
    {"parallelism.tensor", 1, 65536, true, KeyEffect::prepare},
    {"parallelism.pipeline", 1, 65536, true, KeyEffect::prepare},
    {"parallelism.data", 1, 1 << 24, true, KeyEffect::prepare},
    {"parallelism.expert", 1, 65536, true, KeyEffect::prepare},
    {"parallelism.context", 1, 65536, true, KeyEffect::prepare},
    {"parallelism.zero", 0, 3, true, KeyEffect::prepare},
    {"parallelism.microbatches", 0, 1 << 20, true, KeyEffect::prepare},
    {"hardware.count", 1, 1 << 24, true, KeyEffect::prepare},
    {"hardware.memory_gib", 1e-3, 1e9, false, KeyEffect::revalidate},
};

const FastKey* find_key(const std::string& key) {
    for (const auto& k : kKeys)
        if (key == k.key) return &k;
    return nullptr;
}

}  // namespace

const std::vector<std::string>& fast_scenario_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> out;
        for (const auto& k : kKeys) out.emplace_back(k.key);
        return out;
    }();
    return keys;
}

bool scenario_key_minimum(const std::string& key, double& minimum) {
    const FastKey* k = find_key(key);
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
    const FastKey* k = find_key(key);
    if (!k) return KeyEffect::none;
    if (!std::isfinite(value) || value < k->min || value > k->max || (k->integer && value != std::floor(value)))
        throw ScenarioError(s.where(key), key + ": " + format_number(value) + " is not allowed; allowed: " +
                                              (k->integer ? "an integer" : "a number") + " from " +
                                              format_number(k->min) + " to " + format_number(k->max));
    const auto i = static_cast<std::int64_t>(value);
    auto& w = s.workload;
    auto& p = s.parallelism;
    const std::string_view name(k->key);
    if (name == "workload.batch_size") w.batch_size = i;
    else if (name == "workload.sequence_length") w.sequence_length = i;
    else if (name == "workload.prompt_length") w.prompt_length = i;
    else if (name == "parallelism.tensor") p.tensor = i;
    else if (name == "parallelism.pipeline") p.pipeline = i;
    else if (name == "parallelism.data") p.data = i;
    else if (name == "parallelism.expert") p.expert = i;
    else if (name == "parallelism.context") p.context = i;
    else if (name == "parallelism.zero") p.zero = i;
    else if (name == "parallelism.microbatches") p.microbatches = i;
    else if (name == "hardware.count") {
        s.hardware.count = i;
        s.hardware.count_auto = false;
    } else if (name == "hardware.memory_gib") {
        s.hardware.memory_gib = value;
    }
    return k->effect;
}

}  // namespace vram
