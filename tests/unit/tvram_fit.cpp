// tvram_fit.cpp - issue 8: `vram fit` (largest value that fits) and `vram sweep` (cross product).
// fit is checked against the largest value worked out by hand from the model's config and the
// formulas of docs/formulas.md (arithmetic in the comments), then against `vram run --set` at value
// and value + 1.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <sstream>

#include "test_support.hpp"

using namespace vram;
using namespace vram::test;

namespace {

std::string json_value(const std::string& json, const std::string& key, std::size_t from = 0) {
    const std::string k = "\"" + key + "\": ";
    const auto at = json.find(k, from);
    if (at == std::string::npos) return {};
    const auto start = at + k.size();
    if (json[start] == '"') return json.substr(start + 1, json.find('"', start + 1) - start - 1);
    return json.substr(start, json.find_first_of(",}\n", start) - start);
}

const char* const kScenario = R"(name: llama-2-7b serving on one H100
model: {preset: llama-2-7b}
precision: {weights: bf16, kv_cache: bf16}
workload: {type: inference, batch_size: 1, sequence_length: 4096}
hardware: {gpu: H100 SXM, count: 1}
runtime: {engine: hf}
)";

// The same serving scenario on a GPU of exactly `gib` usable GiB (hardware.memory_gib), so that
// the capacity is a number worked out by hand: gib · 2^30 bytes.
std::string scenario_with_memory(int gib) {
    return "name: llama-2-7b hf serving\n"
           "model: {preset: llama-2-7b}\n"
           "precision: {weights: bf16, kv_cache: bf16}\n"
           "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
           "hardware: {memory_gib: " + std::to_string(gib) + ", count: 1}\n"
           "runtime: {engine: hf}\n";
}

// `vram run --set key=value`: does it fit?
std::string run_fits(const std::string& path, const std::string& key, long long value) {
    const CliResult r = run_cli({"run", path, "--set", key + "=" + std::to_string(value), "--format", "json"});
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    return json_value(r.out, "fits", r.out.find("\"gpu\": {"));
}

// `vram fit --maximize key` must answer `expected` (worked out by hand by the caller) with the
// total `expected_total`; the CLI's own `run` agrees that `expected` fits and `expected + 1` does not.
void check_fit(const std::string& yaml, const std::string& key, long long expected, unsigned long long expected_total) {
    const std::string path = write_scenario(yaml, "fit");
    const CliResult r = run_cli({"fit", path, "--maximize", key, "--format", "json"});
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    BOOST_TEST(json_value(r.out, "key") == key);
    BOOST_TEST(json_value(r.out, "fits") == "true");
    BOOST_TEST(json_value(r.out, "value") == std::to_string(expected));
    BOOST_TEST(json_value(r.out, "total_bytes") == std::to_string(expected_total));
    BOOST_TEST(run_fits(path, key, expected) == "true");
    BOOST_TEST(run_fits(path, key, expected + 1) == "false");
}

// Llama-2-7B (h 4,096, F 11,008, 32 layers, 32 KV heads of 128, V 32,000), bf16, engine hf, the
// terms of docs/formulas.md:
//   core.weights                 2 B × 6,738,415,616 params = 13,476,831,232
//   core.overhead.cuda_context   500 MiB (hf default) = 524,288,000
//   core.kv_cache                2 · 32 layers · 32 kv heads · 128 · 2 B = 524,288 B per token
//   core.activations.prefill     (2h + 3F) · 2 B = (8,192 + 33,024) · 2 = 82,432 B per token (SDPA: no s² term)
//   core.logits.generate         V · (2 + 4) B = 32,000 · 6 = 192,000 B per sequence
constexpr unsigned long long kWeights = 13476831232ULL;
constexpr unsigned long long kContext = 524288000ULL;
constexpr unsigned long long kPerToken = 524288ULL + 82432ULL;  // 606,720
constexpr unsigned long long kLogitsPerSequence = 192000ULL;

}  // namespace

BOOST_AUTO_TEST_SUITE(fit)

// 80 GiB usable = 85,899,345,920 B. One sequence of 4,096 tokens: 4,096 · 606,720 + 192,000 =
// 2,485,125,120 + 192,000 = 2,485,317,120 B. Free for sequences: 85,899,345,920 − 13,476,831,232 −
// 524,288,000 = 71,898,226,688 → floor(71,898,226,688 / 2,485,317,120) = floor(28.93) = 28.
// Total at 28: 14,001,119,232 + 28 · 2,485,317,120 = 14,001,119,232 + 69,588,879,360 = 83,589,998,592;
// at 29: 86,075,315,712 > 85,899,345,920.
BOOST_AUTO_TEST_CASE(issue8_fit_batch_size_fits_and_the_next_does_not) {
    static_assert(80ULL * 1073741824ULL == 85899345920ULL);
    static_assert(4096 * kPerToken + kLogitsPerSequence == 2485317120ULL);
    static_assert(kWeights + kContext + 28 * 2485317120ULL == 83589998592ULL);
    static_assert(kWeights + kContext + 29 * 2485317120ULL > 85899345920ULL);
    check_fit(scenario_with_memory(80), "workload.batch_size", 28, 83589998592ULL);
}

// 14 GiB usable = 15,032,385,536 B, batch 1. Free for tokens: 15,032,385,536 − 13,476,831,232 −
// 524,288,000 − 192,000 = 1,031,074,304 → floor(1,031,074,304 / 606,720) = floor(1,699.4) = 1,699
// (below max_position_embeddings 4,096). Total at 1,699: 14,001,311,232 + 1,699 · 606,720 =
// 14,001,311,232 + 1,030,817,280 = 15,032,128,512; at 1,700: + 1,031,424,000 = 15,032,735,232 >
// 15,032,385,536.
BOOST_AUTO_TEST_CASE(issue8_fit_sequence_length_fits_and_the_next_does_not) {
    static_assert(14ULL * 1073741824ULL == 15032385536ULL);
    static_assert(kWeights + kContext + kLogitsPerSequence + 1699 * kPerToken == 15032128512ULL);
    static_assert(kWeights + kContext + kLogitsPerSequence + 1700 * kPerToken > 15032385536ULL);
    check_fit(scenario_with_memory(14), "workload.sequence_length", 1699, 15032128512ULL);
}

BOOST_AUTO_TEST_CASE(issue8_fit_reports_false_when_even_the_smallest_does_not_fit) {
    // 12.55 GiB of bf16 weights never fit a 4 GiB GPU, whatever the batch.
    const std::string path = write_scenario(std::string(kScenario) + "", "small");
    const CliResult r = run_cli({"fit", path, "--maximize", "workload.batch_size", "--set", "hardware.memory_gib=4",
                                 "--format", "json"});
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    BOOST_TEST(json_value(r.out, "fits") == "false");
    BOOST_TEST(json_value(r.out, "value") == "1");
}

BOOST_AUTO_TEST_CASE(issue8_fit_usage_errors_are_one_line) {
    const std::string path = write_scenario(kScenario);
    const CliResult r = run_cli({"fit", path});
    BOOST_TEST(r.rc == 2);
    BOOST_TEST(r.err.find("--maximize") != std::string::npos);
    BOOST_TEST(r.out.empty());
    const CliResult bad = run_cli({"fit", path, "--maximize", "workload.batch_size", "--set", "hardware.count=auto"});
    BOOST_TEST(bad.rc == 1);
    BOOST_TEST(bad.err.find("hardware.count") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(issue8_sweep_cross_product_csv_matches_run) {
    const std::string path = write_scenario(kScenario);
    const CliResult r = run_cli({"sweep", path, "--vary", "workload.batch_size=1,2", "--vary",
                                 "workload.sequence_length=1024:4096:1024", "--format", "csv"});
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    std::istringstream in(r.out);
    std::string header, line;
    std::getline(in, header);
    BOOST_TEST(header.rfind("workload.batch_size,workload.sequence_length,total_bytes,gpu_memory_bytes,gpu_count,fits,", 0) == 0);
    BOOST_TEST(header.find(",kv_cache,") != std::string::npos);
    std::vector<std::vector<std::string>> rows;
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::stringstream ls(line);
        for (std::string c; std::getline(ls, c, ',');) cells.push_back(c);
        rows.push_back(cells);
    }
    BOOST_REQUIRE_EQUAL(rows.size(), 8u);  // 2 × 4, last key fastest
    BOOST_TEST(rows[0][0] == "1");
    BOOST_TEST(rows[0][1] == "1024");
    BOOST_TEST(rows[3][1] == "4096");
    BOOST_TEST(rows[4][0] == "2");
    // The KV cache column: 524,288 B per token (2 · 32 layers · 32 heads · 128 · 2 B) × b × s.
    std::size_t kv_col = 0;
    {
        std::stringstream hs(header);
        std::size_t i = 0;
        for (std::string c; std::getline(hs, c, ','); ++i)
            if (c == "kv_cache") kv_col = i;
    }
    BOOST_TEST(rows[0][kv_col] == std::to_string(524288LL * 1024));
    BOOST_TEST(rows[7][kv_col] == std::to_string(524288LL * 2 * 4096));
    // Each row's total equals `vram run` at that point.
    const CliResult run = run_cli({"run", path, "--set", "workload.batch_size=2", "--set",
                                   "workload.sequence_length=3072", "--format", "json"});
    BOOST_REQUIRE_EQUAL(run.rc, 0);
    BOOST_TEST(rows[6][2] == json_value(run.out, "total_bytes"));
}

BOOST_AUTO_TEST_CASE(issue8_sweep_non_numeric_keys_and_json_rows) {
    const std::string path = write_scenario(kScenario);
    const CliResult r = run_cli({"sweep", path, "--vary", "precision.kv_cache=bf16,fp8", "--format", "json"});
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    // bf16: 524,288 B/token × 4,096 = 2,147,483,648 B; fp8 half of it.
    const auto second = r.out.find("\"point\": {\"precision.kv_cache\": \"fp8\"}");
    BOOST_REQUIRE(second != std::string::npos);
    BOOST_TEST(r.out.find("\"point\": {\"precision.kv_cache\": \"bf16\"}") < second);
    BOOST_TEST(json_value(r.out, "kv_cache_bytes") == "2147483648");
    BOOST_TEST(json_value(r.out, "kv_cache_bytes", second) == "1073741824");
    BOOST_TEST(json_value(r.out, "schema_version") == "1");

    const CliResult bad = run_cli({"sweep", path, "--vary", "workload.batch_size=4:1:1"});
    BOOST_TEST(bad.rc == 2);
    BOOST_TEST(bad.err.find("START <= STOP") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
