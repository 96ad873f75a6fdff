// tvram_fit.cpp - issue 8: `vram fit` (largest value that fits) and `vram sweep` (cross product).
// fit is checked against independent `vram run --set` runs at value and value + 1.
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

// `vram run --set key=value`: does it fit?
std::string run_fits(const std::string& path, const std::string& key, long long value) {
    const CliResult r = run_cli({"run", path, "--set", key + "=" + std::to_string(value), "--format", "json"});
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    return json_value(r.out, "fits", r.out.find("\"gpu\": {"));
}

void check_fit(const std::string& key) {
    const std::string path = write_scenario(kScenario);
    const CliResult r = run_cli({"fit", path, "--maximize", key, "--format", "json"});
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    BOOST_TEST(json_value(r.out, "key") == key);
    BOOST_TEST(json_value(r.out, "fits") == "true");
    const long long v = std::stoll(json_value(r.out, "value"));
    BOOST_TEST(v > 1);
    BOOST_TEST(run_fits(path, key, v) == "true");
    BOOST_TEST(run_fits(path, key, v + 1) == "false");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fit)

BOOST_AUTO_TEST_CASE(issue8_fit_batch_size_fits_and_the_next_does_not) { check_fit("workload.batch_size"); }

BOOST_AUTO_TEST_CASE(issue8_fit_sequence_length_fits_and_the_next_does_not) { check_fit("workload.sequence_length"); }

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
