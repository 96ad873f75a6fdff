// dtype.cpp - the dtype table: one place that knows how many bytes an element of each
// KV / activation dtype name takes.
// SPDX-License-Identifier: Apache-2.0
#include "pipeline/dtype.hpp"

#include <functional>
#include <map>

#include "vram/error.hpp"

namespace vram {

double kv_dtype_bytes(const std::string& dtype, const Scenario& scenario, const char* key) {
    try {
        return kv_dtype_bytes(dtype, std::string());
    } catch (const ScenarioError& e) {
        throw ScenarioError(scenario.where(key), std::string(key) + ": " + e.detail().substr(e.detail().find(": ") + 2));
    }
}

double kv_dtype_bytes(const std::string& dtype, const std::string& where) {
    // llama.cpp block types store 32 elements with a fp16 scale (ggml-common.h block_q8_0 = 34 B,
    // block_q4_0 = 18 B, q4_1 20 B, q5_0 22 B, q5_1 24 B).
    static const std::map<std::string, double, std::less<>> table = {
        {"fp32", 4}, {"float32", 4}, {"bf16", 2}, {"bfloat16", 2}, {"fp16", 2}, {"float16", 2},
        {"fp8", 1}, {"fp8_e4m3", 1}, {"fp8_e5m2", 1}, {"int8", 1},
        {"q8_0", 34.0 / 32}, {"q4_0", 18.0 / 32}, {"q4_1", 20.0 / 32}, {"q5_0", 22.0 / 32}, {"q5_1", 24.0 / 32}};
    auto it = table.find(dtype);
    if (it != table.end()) return it->second;
    throw ScenarioError(where, "precision.kv_cache: unknown KV dtype '" + dtype +
                                   "'; allowed: bf16, fp16, fp32, fp8, fp8_e4m3, fp8_e5m2, int8, q8_0, q4_0, q4_1, "
                                   "q5_0, q5_1");
}

}  // namespace vram
