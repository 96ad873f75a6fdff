// tvram_hub.cpp - issue 12: models from a hub-style HTTP server on 127.0.0.1, then from the cache.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "test_support.hpp"

extern char** environ;

using namespace vram::test;
namespace fs = std::filesystem;

namespace {

// Tiny Llama: V=256, h=64, 2 layers, 4 heads of 16, 2 KV heads, F=128, untied.
//   embed 256·64 = 16,384; per layer: norms 2·64 + q 64·64 + k 32·64 + v 32·64 + o 64·64
//   + gate/up/down 3·64·128 = 128 + 4,096 + 2,048 + 2,048 + 4,096 + 24,576 = 36,992; ×2 = 73,984
//   final norm 64; lm_head 16,384  →  106,816 parameters, 213,632 bytes in BF16.
const char* kConfig = R"({"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 64,
  "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
  "vocab_size": 256, "tie_word_embeddings": false, "torch_dtype": "bfloat16"})";

void write_safetensors(const fs::path& path) {
    struct T {
        std::string name;
        long rows, cols;
    };
    std::vector<T> tensors{{"model.embed_tokens.weight", 256, 64}};
    for (int i = 0; i < 2; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        tensors.push_back({p + "input_layernorm.weight", 64, 1});
        tensors.push_back({p + "self_attn.q_proj.weight", 64, 64});
        tensors.push_back({p + "self_attn.k_proj.weight", 32, 64});
        tensors.push_back({p + "self_attn.v_proj.weight", 32, 64});
        tensors.push_back({p + "self_attn.o_proj.weight", 64, 64});
        tensors.push_back({p + "post_attention_layernorm.weight", 64, 1});
        tensors.push_back({p + "mlp.gate_proj.weight", 128, 64});
        tensors.push_back({p + "mlp.up_proj.weight", 128, 64});
        tensors.push_back({p + "mlp.down_proj.weight", 64, 128});
    }
    tensors.push_back({"model.norm.weight", 64, 1});
    tensors.push_back({"lm_head.weight", 256, 64});
    std::string header = "{\"__metadata__\":{\"format\":\"pt\"}";
    long offset = 0;
    for (const auto& t : tensors) {
        const long bytes = t.rows * t.cols * 2;
        header += ",\"" + t.name + "\":{\"dtype\":\"BF16\",\"shape\":[" + std::to_string(t.rows) +
                  (t.cols > 1 ? "," + std::to_string(t.cols) : "") + "],\"data_offsets\":[" + std::to_string(offset) +
                  "," + std::to_string(offset + bytes) + "]}";
        offset += bytes;
    }
    header += "}";
    while (header.size() % 8) header += ' ';
    std::ofstream out(path, std::ios::binary);
    const std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
    out << header << std::string(static_cast<std::size_t>(offset), '\0');
}

struct HubServer {
    pid_t pid = -1;
    int port = 0;
    explicit HubServer(const fs::path& root) {
        int fds[2];
        BOOST_REQUIRE(::pipe(fds) == 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addclose(&fa, fds[0]);
        const std::string script = source_path("tests/hub/hub_server.py");
        const std::string root_s = root.string();
        const char* argv[] = {"python3", script.c_str(), root_s.c_str(), "--max-seconds", "120", nullptr};
        BOOST_REQUIRE(posix_spawnp(&pid, "python3", &fa, nullptr, const_cast<char**>(argv), environ) == 0);
        posix_spawn_file_actions_destroy(&fa);
        ::close(fds[1]);
        char buf[32] = {0};
        FILE* f = ::fdopen(fds[0], "r");
        BOOST_REQUIRE(std::fgets(buf, sizeof buf, f));
        std::fclose(f);
        port = std::atoi(buf);
        BOOST_REQUIRE(port > 0);
    }
    void stop() {
        if (pid > 0) {
            ::kill(pid, SIGTERM);
            ::waitpid(pid, nullptr, 0);
            pid = -1;
        }
    }
    ~HubServer() { stop(); }
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port); }
};

fs::path make_hub_root() {
    const fs::path root = fs::temp_directory_path() / ("vram-hub-" + std::to_string(::getpid()));
    fs::remove_all(root);
    const fs::path tiny = root / "acme" / "tiny-llama" / "resolve" / "main";
    fs::create_directories(tiny);
    std::ofstream(tiny / "config.json") << kConfig;
    write_safetensors(tiny / "model.safetensors");
    const fs::path gated = root / "acme" / "gated" / "resolve" / "main";
    fs::create_directories(gated);
    std::ofstream(root / "acme" / "gated" / "GATED") << "";
    std::ofstream(gated / "config.json") << kConfig;
    return root;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hub)

BOOST_AUTO_TEST_CASE(issue12_fetch_then_same_answer_offline_from_cache) {
    const fs::path root = make_hub_root();
    const std::string home = (root / "hf-home").string();
    HubServer server(root);
    const std::map<std::string, std::string> online{{"HF_ENDPOINT", server.endpoint()}, {"HF_HOME", home}};

    const CliResult first = run_cli({"inspect", "hf:acme/tiny-llama", "--format", "json"}, online);
    BOOST_REQUIRE_MESSAGE(first.rc == 0, first.err);
    BOOST_TEST(first.out.find("\"parameters\": 106816") != std::string::npos);
    BOOST_TEST(first.out.find("checkpoint: 213632 tensor bytes") != std::string::npos);
    BOOST_TEST(fs::exists(root / "hf-home" / "hub" / "models--acme--tiny-llama" / "snapshots" / "main" / "config.json"));

    // A scenario with model.hub: weights come from the headers (213,632 B) and --explain says so.
    const std::string scenario = write_scenario("model: {hub: acme/tiny-llama}\nworkload: {batch_size: 1, sequence_length: 16}\n");
    const CliResult run = run_cli({"run", scenario, "--format", "json", "--explain"}, online);
    BOOST_REQUIRE_MESSAGE(run.rc == 0, run.err);
    BOOST_TEST(run.out.find("\"bytes\": 213632") != std::string::npos);
    BOOST_TEST(run.out.find("real tensor sizes from the safetensors headers") != std::string::npos);

    server.stop();
    std::map<std::string, std::string> offline = online;
    offline["HF_HUB_OFFLINE"] = "1";
    const CliResult again = run_cli({"inspect", "hf:acme/tiny-llama", "--format", "json"}, offline);
    BOOST_REQUIRE_MESSAGE(again.rc == 0, again.err);
    BOOST_TEST(again.out == first.out);

    // Not cached and offline: one line naming the cache.
    const CliResult not_cached = run_cli({"inspect", "hf:acme/other"}, offline);
    BOOST_TEST(not_cached.rc == 1);
    BOOST_TEST(not_cached.out.empty());
    BOOST_TEST(not_cached.err.find("offline") != std::string::npos);
    BOOST_TEST(std::count(not_cached.err.begin(), not_cached.err.end(), '\n') == 1);
    fs::remove_all(root);
}

BOOST_AUTO_TEST_CASE(issue12_missing_repository_and_gated_repository_are_one_line_errors) {
    const fs::path root = make_hub_root();
    HubServer server(root);
    const std::map<std::string, std::string> env{{"HF_ENDPOINT", server.endpoint()},
                                                 {"HF_HOME", (root / "hf-home").string()}};
    const CliResult missing = run_cli({"inspect", "hf:acme/does-not-exist"}, env);
    BOOST_TEST(missing.rc == 1);
    BOOST_TEST(missing.out.empty());
    BOOST_TEST(std::count(missing.err.begin(), missing.err.end(), '\n') == 1);
    BOOST_TEST(missing.err.find("acme/does-not-exist") != std::string::npos);
    BOOST_TEST(missing.err.find("404") != std::string::npos);

    const CliResult gated = run_cli({"inspect", "hf:acme/gated"}, env);
    BOOST_TEST(gated.rc == 1);
    BOOST_TEST(gated.err.find("HF_TOKEN") != std::string::npos);
    auto with_token = env;
    with_token["HF_TOKEN"] = "test-token";
    const CliResult ok = run_cli({"inspect", "hf:acme/gated", "--format", "json"}, with_token);
    BOOST_TEST_MESSAGE(ok.err);
    BOOST_TEST(ok.rc == 0);
    BOOST_TEST(ok.out.find("\"parameters\": 106816") != std::string::npos);

    // ModelScope ids use the same layout through MODELSCOPE_ENDPOINT.
    const CliResult ms = run_cli({"inspect", "ms:acme/tiny-llama", "--format", "json"},
                                 {{"MODELSCOPE_ENDPOINT", server.endpoint()}, {"MODELSCOPE_CACHE", (root / "ms").string()}});
    BOOST_REQUIRE_MESSAGE(ms.rc == 0, ms.err);
    BOOST_TEST(ms.out.find("\"parameters\": 106816") != std::string::npos);

    // Nothing listens here: the error says how to go offline.
    server.stop();
    const CliResult down = run_cli({"inspect", "hf:acme/tiny-llama"}, {{"HF_ENDPOINT", "http://127.0.0.1:1"},
                                                                      {"HF_HOME", (root / "empty").string()}});
    BOOST_TEST(down.rc == 1);
    BOOST_TEST(down.err.find("HF_HUB_OFFLINE=1") != std::string::npos);
    fs::remove_all(root);
}

BOOST_AUTO_TEST_SUITE_END()
