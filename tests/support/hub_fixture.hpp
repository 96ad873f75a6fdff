// hub_fixture.hpp - a hub on 127.0.0.1 for the tests (tests/hub/hub_server.py) and tiny
// safetensors files to serve from it: shared by tvram_hub.cpp and tvram_checkpoint.cpp.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "test_support.hpp"

extern char** environ;

namespace vram::test {

/// One tensor of a tiny safetensors file.
struct TinyTensor {
    std::string name;
    std::vector<long> shape;
    std::string dtype = "BF16";
};

/// Tiny Llama: V=256, h=64, 2 layers, 4 heads of 16, 2 KV heads, F=128.
///   embed 256·64 = 16,384; per layer: norms 2·64 + q 64·64 + k 32·64 + v 32·64 + o 64·64
///   + gate/up/down 3·64·128 = 128 + 4,096 + 2,048 + 2,048 + 4,096 + 24,576 = 36,992; ×2 = 73,984
///   final norm 64; lm_head 16,384  →  106,816 parameters in 21 tensors, 213,632 bytes in BF16
///   (90,432 in 20 tensors without lm_head).
inline const char* kTinyLlamaConfig = R"({"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 64,
  "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
  "vocab_size": 256, "tie_word_embeddings": false, "torch_dtype": "bfloat16"})";

/// The tiny Llama's tensors as transformers saves them (with lm_head.weight unless `lm_head` is false).
inline std::vector<TinyTensor> tiny_llama_tensors(bool lm_head = true) {
    std::vector<TinyTensor> tensors{{"model.embed_tokens.weight", {256, 64}}};
    for (int i = 0; i < 2; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        tensors.push_back({p + "input_layernorm.weight", {64}});
        tensors.push_back({p + "self_attn.q_proj.weight", {64, 64}});
        tensors.push_back({p + "self_attn.k_proj.weight", {32, 64}});
        tensors.push_back({p + "self_attn.v_proj.weight", {32, 64}});
        tensors.push_back({p + "self_attn.o_proj.weight", {64, 64}});
        tensors.push_back({p + "post_attention_layernorm.weight", {64}});
        tensors.push_back({p + "mlp.gate_proj.weight", {128, 64}});
        tensors.push_back({p + "mlp.up_proj.weight", {128, 64}});
        tensors.push_back({p + "mlp.down_proj.weight", {64, 128}});
    }
    tensors.push_back({"model.norm.weight", {64}});
    if (lm_head) tensors.push_back({"lm_head.weight", {256, 64}});
    return tensors;
}

/// A safetensors file (github.com/huggingface/safetensors README, "Format"): an 8-byte
/// little-endian header length, the JSON header (dtype, shape, data_offsets per tensor), then the
/// data (zeros here: only the header is ever read).
inline void write_safetensors(const std::filesystem::path& path, const std::vector<TinyTensor>& tensors) {
    auto width = [](const std::string& dtype) -> long {
        if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
        if (dtype == "I64" || dtype == "F64") return 8;
        if (dtype == "U8" || dtype == "I8" || dtype.rfind("F8", 0) == 0 || dtype == "BOOL") return 1;
        return 2;  // BF16, F16
    };
    std::string header = "{\"__metadata__\":{\"format\":\"pt\"}";
    long offset = 0;
    for (const auto& t : tensors) {
        long bytes = width(t.dtype);
        std::string shape;
        for (long d : t.shape) {
            bytes *= d;
            shape += (shape.empty() ? "" : ",") + std::to_string(d);
        }
        header += ",\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":[" + shape + "],\"data_offsets\":[" +
                  std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
        offset += bytes;
    }
    header += "}";
    while (header.size() % 8) header += ' ';
    std::ofstream out(path, std::ios::binary);
    const std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
    out << header << std::string(static_cast<std::size_t>(offset), '\0');
}

/// tests/hub/hub_server.py serving `root` ({org}/{name}/resolve/{rev}/{file}) until stop().
struct HubServer {
    pid_t pid = -1;
    int port = 0;
    explicit HubServer(const std::filesystem::path& root) {
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
    HubServer(const HubServer&) = delete;
    HubServer& operator=(const HubServer&) = delete;
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

}  // namespace vram::test
