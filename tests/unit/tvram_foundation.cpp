// tvram_foundation.cpp - the "Done when" lines of issue 2 (Foundation), with the arithmetic shown.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>

#include "test_support.hpp"
#include "vram/error.hpp"

using namespace vram;
using namespace vram::test;

namespace {

std::string command_output(const std::string& cmd) {
    std::string out;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
        char buf[4096];
        while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
        ::pclose(p);
    }
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(foundation)

// Published counts: models.jsonl official_param_count (together-python, keras-hub, huggingface.js).
BOOST_AUTO_TEST_CASE(issue2_inspect_counts_exact_for_four_dense_configs) {
    struct Case {
        const char* config;
        long long params;
        long long kv_per_token;
    };
    // KV bytes per token in bf16 = 2 (K,V) · layers · kv_heads · head_dim · 2 bytes:
    //   Llama-2-7B   2 · 32 · 32 · 128 · 2 = 524,288
    //   Llama-3-8B   2 · 32 ·  8 · 128 · 2 = 131,072
    //   Mistral-7B   2 · 32 ·  8 · 128 · 2 = 131,072
    //   Qwen2.5-7B   2 · 28 ·  4 · 128 · 2 =  57,344
    const Case cases[] = {
        {"meta-llama-llama-2-7b-hf", 6738415616LL, 524288},
        {"meta-llama-meta-llama-3-8b", 8030261248LL, 131072},
        {"mistralai-mistral-7b-v0.1", 7241732096LL, 131072},
        {"qwen-qwen2.5-7b", 7615616512LL, 57344},
    };
    for (const auto& c : cases) {
        const CliResult r = run_cli({"inspect", data_path(std::string("configs/") + c.config + ".json"), "--format", "json"});
        BOOST_TEST_INFO(c.config << ": " << r.err);
        BOOST_REQUIRE_EQUAL(r.rc, 0);
        BOOST_TEST(r.out.find("\"parameters\": " + std::to_string(c.params)) != std::string::npos);
        BOOST_TEST(r.out.find("\"kv_cache_bytes_per_token\": " + std::to_string(c.kv_per_token)) != std::string::npos);
        BOOST_TEST(r.out.find("\"layers\": ") != std::string::npos);
        BOOST_TEST(r.out.find("\"attention\": ") != std::string::npos);
    }
}

// Llama-2-7B bf16, batch 1 × 4,096 tokens:
//   weights = 6,738,415,616 params × 2 B = 13,476,831,232 B
//   KV      = 1 seq × 4,096 tokens × 2 · 32 layers · 32 heads · 128 · 2 B = 2,147,483,648 B (2 GiB)
BOOST_AUTO_TEST_CASE(issue2_llama2_7b_bf16_serving_fits_one_h100) {
    const CliResult r = run_cli({"run", "presets/scenarios/llama2-7b-serving-h100.yaml", "--format", "json"});
    BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
    BOOST_TEST(r.out.find("\"name\": \"core.weights\",\n      \"category\": \"weights\",\n      \"bytes\": 13476831232") !=
               std::string::npos);
    BOOST_TEST(r.out.find("\"name\": \"core.kv_cache\",\n      \"category\": \"kv_cache\",\n      \"bytes\": 2147483648") !=
               std::string::npos);
    BOOST_TEST(r.out.find("\"fits\": true") != std::string::npos);
    BOOST_TEST(r.out.find("H100") != std::string::npos);

    const Result res = estimate_yaml(R"(
model: {preset: llama-2-7b}
precision: {weights: bf16}
workload: {type: inference, batch_size: 1, sequence_length: 4096}
hardware: {gpu: h100 sxm}
)");
    BOOST_TEST(res.bytes("core.weights") == 13476831232ULL);
    BOOST_TEST(res.bytes("core.kv_cache") == 2147483648ULL);
    BOOST_TEST(res.estimate.fits);
    BOOST_TEST(res.estimate.gpu_count == 1);
}

BOOST_AUTO_TEST_CASE(issue2_host_links_no_plugin_and_plugins_export_one_symbol) {
    const std::string needed = command_output("readelf -d '" + std::string(VRAM_TEST_BINARY) + "'");
    BOOST_TEST(needed.find("libvram_framework") != std::string::npos);
    BOOST_TEST(needed.find("vram_models") == std::string::npos);
    BOOST_TEST(needed.find("vram_components") == std::string::npos);
    int plugins = 0;
    for (const auto& e : std::filesystem::directory_iterator(VRAM_TEST_PLUGIN_DIR)) {
        if (e.path().extension() != ".so") continue;
        ++plugins;
        BOOST_TEST(needed.find(e.path().stem().string()) == std::string::npos);
        const std::string syms = command_output("nm -D --defined-only '" + e.path().string() + "' | awk '{print $3}'");
        BOOST_TEST_INFO(e.path().filename().string() << " exports: " << syms);
        // One plugin per library, or a bundle of several (the first-party plugins: vram_builtin.so).
        BOOST_TEST((syms == "vram_get_plugin_info\n" || syms == "vram_get_plugin_bundle\n"));
    }
    BOOST_TEST(plugins >= 1);
    // Every first-party plugin is still loaded and listed on its own.
    const std::string listed = command_output("'" + std::string(VRAM_TEST_BINARY) + "' plugins --format json");
    for (const char* name : {"vram_attention_core", "vram_components_core", "vram_formats_core", "vram_gpus_builtin",
                             "vram_models_decoder", "vram_runtime_core", "vram_training_core"})
        BOOST_TEST(listed.find("\"name\": \"" + std::string(name) + "\"") != std::string::npos, name);
}

BOOST_AUTO_TEST_CASE(issue2_bad_scenarios_fail_with_one_line_naming_file_line_and_key) {
    struct Case {
        const char* yaml;
        const char* key;
        const char* line_col;
    };
    const Case cases[] = {
        // unknown key on line 3
        {"model: {preset: llama-2-7b}\nworkload:\n  batch_sise: 4\n", "workload.batch_sise", ":3:"},
        // wrong type on line 4
        {"model: {preset: llama-2-7b}\nworkload:\n  type: inference\n  batch_size: many\n", "workload.batch_size", ":4:"},
        // negative batch size on line 2
        {"model: {preset: llama-2-7b}\nworkload: {batch_size: -3}\n", "workload.batch_size", ":2:"},
    };
    for (const auto& c : cases) {
        const std::string file = write_scenario(c.yaml, "bad");
        for (const char* cmd : {"run", "validate"}) {
            const CliResult r = run_cli({cmd, file});
            BOOST_TEST_INFO(c.key << " via " << cmd << ": " << r.err);
            BOOST_TEST(r.rc == 1);
            BOOST_TEST(r.out.empty());
            BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1);
            BOOST_TEST(r.err.find(file + c.line_col) != std::string::npos);
            BOOST_TEST(r.err.find(c.key) != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(issue2_help_and_version) {
    const CliResult v = run_cli({"--version"});
    BOOST_TEST(v.rc == 0);
    BOOST_TEST(v.out.rfind("vram ", 0) == 0);
    const CliResult h = run_cli({"--help"});
    BOOST_TEST(h.rc == 0);
    BOOST_TEST(h.out.find("run") != std::string::npos);
    for (const char* cmd : {"run", "inspect", "plugins", "validate", "presets", "gpus"}) {
        const CliResult r = run_cli({cmd, "--help"});
        BOOST_TEST_INFO(cmd);
        BOOST_TEST(r.rc == 0);
        BOOST_TEST(r.out.find("usage: vram") != std::string::npos);
    }
    const CliResult bad = run_cli({"run", "--no-such-option"});
    BOOST_TEST(bad.rc == 2);
    BOOST_TEST(bad.out.empty());
}

BOOST_AUTO_TEST_CASE(issue2_set_overrides_scenario_keys) {
    const CliResult r = run_cli({"run", "presets/scenarios/llama2-7b-serving-h100.yaml", "--format", "json", "--set",
                                 "workload.batch_size=2"});
    BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
    // KV doubles: 2 × 2,147,483,648 = 4,294,967,296
    BOOST_TEST(r.out.find("\"bytes\": 4294967296") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
