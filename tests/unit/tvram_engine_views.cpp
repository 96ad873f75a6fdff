// tvram_engine_views.cpp - issue 19 "What the GPU really holds": one verdict for run, fit and
// count: auto (the engine must start and hold the batch, not only the bytes fit), the memory
// views (allocated ≤ reserved ≤ device = total), host memory, and vLLM's non-torch memory per
// tensor-parallel peer from startup logs (tests/data/engine-logs).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>
#include <string>
#include <tuple>

#include "test_support.hpp"
#include "vram/error.hpp"

using namespace vram;
using namespace vram::test;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr double GiB = 1073741824.0;
constexpr double MiB = 1048576.0;

// Llama-3.1-70B as AWQ int4 (group 128) on eight RTX 4090s with vLLM TP 8, 16 × 8k: the setup
// issue 19 names.
std::string awq_70b_on_4090s(std::int64_t batch, const std::string& extra = "") {
    return "model: {preset: llama-3.1-70b}\n"
           "precision: {weights: awq}\n"
           "workload: {type: inference, batch_size: " + std::to_string(batch) + ", sequence_length: 8192}\n"
           "parallelism: {tensor: 8}\n"
           "hardware: {gpu: NVIDIA GeForce RTX 4090, count: 8}\n"
           "runtime: {engine: vllm" + extra + "}\n";
}

json::object run_json(const std::vector<std::string>& args) {
    const CliResult r = run_cli(args);
    BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
    return json::parse(r.out).as_object();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_views)

// Llama-3.1-70B (h 8192, 80 layers, 64 q / 8 KV heads of 128, F 28672, V 128256) AWQ on 8 × RTX 4090:
//   AWQ bytes per weight = 0.5 + 2/128 (fp16 scales) + 0.5/128 (packed zeros) = 0.51953125
//   linear params per layer = 2·8192² + 2·8192·1024 + 3·8192·28672 = 855,638,016
//   per GPU per layer = 855,638,016 · 0.51953125 / 8 = 55,566,336 B, + 2 norms · 8192 · 2 B = 32,768 B
//   80 layers = 4,447,928,320 B; embed_tokens and lm_head split over 8: 2 · 128256·8192·2/8 = 525,336,576 B;
//   final norm 16,384 B → weights 4,973,281,280 B per GPU (4.632 GiB)
//   24 GiB GPU (< 70 GiB): 2048 batched tokens, 256 sampler rows:
//   profile peak = max(forward 2048 · (3·8192 + 3·28672 / 8) · 2 = 144,703,488,
//                      sampler 2048 · 8192 · 2 + 256 · 128256 · 14 (FlashInfer's sampling path)
//                              = 33,554,432 + 459,669,504 = 493,223,936)
//                = 493,223,936 B
//   vLLM latest: non-torch charged = 0.25 GiB = 268,435,456 B (vLLM 0.19.0's TP 1 figure: without
//   peer-to-peer there is no all-reduce fusion workspace); NCCL without P2P (GeForce) 7 peers · 44 MiB
//   = 308 MiB, set up before the profile's baseline (not charged); CUDA context 500 MiB (not charged)
//   rotary table on every GPU = 131,072 positions · 128 dims · 2 B = 33,554,432 B
//   vLLM 0.21 and later (latest) also leave room in the budget for the CUDA graphs they profile
//   first: 1055 MiB = 1,106,247,680 B
//   pool = 0.9 · 23.76 GiB − weights − rotary table − peak − non-torch − CUDA graphs
//        = 22,960,895,164.4 − 4,973,281,280 − 33,554,432 − 493,223,936 − 268,435,456 − 1,106,247,680
//        = 16,086,152,380.4 B (17,192,400,060.4 B up to 0.20: 26,233 blocks, 51 sequences)
//   KV per token per GPU = 80 · 2 · (8/8 heads) · 128 · 2 B = 40,960 B; a block of 16 = 655,360 B
//   blocks = floor(16,086,152,380.4 / 655,360) = 24,545 → 392,720 tokens
//   sequences of 8192 tokens (512 blocks each) held at once = floor(24,545 / 512) = 47
//   fixed cost per GPU = non-torch 256 + NCCL 308 + CUDA context 500 + CUDA graphs 1055 = 2119 MiB
//   = 2.07 GiB (< 4 GiB)
BOOST_AUTO_TEST_CASE(issue19_vllm_70b_awq_on_8x4090_tp8_fits_with_small_fixed_cost) {
    const Result r = estimate_yaml(awq_70b_on_4090s(16));
    BOOST_TEST(r.bytes("core.weights") == 4973281280ULL);
    BOOST_TEST(r.bytes("vllm.activations.profile_peak") == 493223936ULL);
    BOOST_TEST(r.bytes("vllm.overhead.non_torch") == 268435456ULL);
    BOOST_TEST(r.bytes("vllm.overhead.nccl") == 308ULL * 1048576);
    const double fixed = static_cast<double>(r.category(Category::overhead));
    BOOST_TEST_MESSAGE("fixed cost per GPU (non-torch + NCCL + context + CUDA graphs): " << fixed / GiB << " GiB");
    BOOST_TEST(fixed == 2119.0 * MiB);
    BOOST_TEST(fixed < 4.0 * GiB);
    BOOST_TEST(r.estimate.max_kv_tokens == 392720.0);
    BOOST_TEST(estimate_yaml(awq_70b_on_4090s(16, ", version: \"0.11\"")).estimate.max_kv_tokens == 419728.0);
    BOOST_TEST(r.estimate.fits);
    BOOST_TEST(r.estimate.refusal.empty());
}

// vLLM 0.11 to 0.20 (`version: "0.11"`) charges what vLLM 0.19.0 logged on H100s for the layout
// (llm-d-planner PR #205, the Llama-3.1-8B-Instruct runs; docs/serving.md "Non-torch memory in vLLM
// 0.11 and later"), in bytes (GiB · 2^30, rounded up):
//   TP 1: profile 0.25 GiB = 268,435,456 B; nothing beyond the CUDA context before the snapshot
//   TP 2 (all-reduce fusion on SM 9.0): profile 2.07 GiB = 2,222,645,575.68 → 2,222,645,576 B;
//         before the snapshot 1.53 − 0.51 = 1.02 GiB = 1,095,216,660.48 → 1,095,216,661 B
//   TP 4: 2.13 GiB = 2,287,070,085.12 → 2,287,070,086 B; 1.55 − 0.51 = 1.04 GiB → 1,116,691,497 B
//   TP 8: no 0.19 log; TP 4's figures, and the note says so
//   PP 2: 0.07 GiB = 75,161,927.68 → 75,161,928 B; 1.43 − 0.51 = 0.92 GiB → 987,842,479 B
//   A100 (SM 8.0) TP 2: not the logged hardware (no fusion pass, no symmetric-memory all-reduce):
//         TP 1's 268,435,456 B and NCCL per peer outside, 1 · 284 MiB = 297,795,584 B
// With memory_gib beside gpu the H100 keeps its name (and generation) and only the usable memory
// changes: 79.19 GiB = 85,029,615,042.56 → 85,029,615,043 B.
BOOST_AUTO_TEST_CASE(issue19_vllm_latest_non_torch_is_measured_per_layout) {
    auto yaml = [](const std::string& gpu, const std::string& parallel, int count) {
        return "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
               "parallelism: {" + parallel + "}\nhardware: {gpu: " + gpu + ", memory_gib: 79.19, count: " +
               std::to_string(count) + "}\nruntime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, "
               "max_model_len: 8192}\n";
    };
    const Result tp1 = estimate_yaml(yaml("H100 SXM", "tensor: 1", 1));
    BOOST_TEST(tp1.bytes("vllm.overhead.non_torch") == 268435456ULL);
    BOOST_TEST(!tp1.has("vllm.overhead.nccl"));
    BOOST_TEST(tp1.estimate.gpu.name.find("H100") != std::string::npos, tp1.estimate.gpu.name);
    BOOST_TEST(tp1.estimate.gpu_memory_bytes == 85029615043ULL);
    const Result tp2 = estimate_yaml(yaml("H100 SXM", "tensor: 2", 2));
    BOOST_TEST(tp2.bytes("vllm.overhead.non_torch") == 2222645576ULL);
    BOOST_TEST(tp2.bytes("vllm.overhead.nccl") == 1095216661ULL);
    const Result tp4 = estimate_yaml(yaml("H100 SXM", "tensor: 4", 4));
    BOOST_TEST(tp4.bytes("vllm.overhead.non_torch") == 2287070086ULL);
    BOOST_TEST(tp4.bytes("vllm.overhead.nccl") == 1116691497ULL);
    const Result tp8 = estimate_yaml(yaml("H100 SXM", "tensor: 8", 8));
    BOOST_TEST(tp8.bytes("vllm.overhead.non_torch") == 2287070086ULL);
    BOOST_TEST(std::any_of(tp8.estimate.notes.begin(), tp8.estimate.notes.end(),
                           [](const std::string& n) { return n.find("none at TP 8") != std::string::npos; }));
    const Result pp2 = estimate_yaml(yaml("H100 SXM", "pipeline: 2", 2));
    BOOST_TEST(pp2.bytes("vllm.overhead.non_torch") == 75161928ULL);
    BOOST_TEST(pp2.bytes("vllm.overhead.nccl") == 987842479ULL);
    const Result a100 = estimate_yaml(yaml("A100 SXM4 80GB", "tensor: 2", 2));
    BOOST_TEST(a100.bytes("vllm.overhead.non_torch") == 268435456ULL);
    BOOST_TEST(a100.bytes("vllm.overhead.nccl") == 297795584ULL);
    // An explicit non_torch_mib still overrides the measured charge.
    const Result own = estimate_yaml(yaml("H100 SXM", "tensor: 2", 2), {"runtime.non_torch_mib=100"});
    BOOST_TEST(own.bytes("vllm.overhead.non_torch") == 104857600ULL);
}

// vLLM 0.8.x's V0 engine (`version: 0.8-v0`) charges what its logs print (docs/serving.md
// "Versions"): 0.06 GiB at TP 1 (median of 0.04 - 0.09 over five logs) = 64,424,509.44 → 64,424,510 B;
// with peer-to-peer at TP > 1 about 0.9 GiB on the driver rank whatever the TP size (0.8.3: 0.89 /
// 0.93 at TP 4 → 0.91 GiB = 977,105,059.84 → 977,105,060 B; TP 8 logged the same), where the 0.7
// line's per-peer model gives 164 + 7 · 284 = 2,152 MiB at TP 8; without peer-to-peer (RTX 4090,
// TP 2) 0.06 GiB + 1 · 44 MiB = 64,424,509.44 + 46,137,344 → 110,561,854 B.
BOOST_AUTO_TEST_CASE(issue19_vllm_08_v0_non_torch_is_measured_not_per_peer) {
    auto yaml = [](const std::string& gpu, int t) {
        return "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
               "parallelism: {tensor: " + std::to_string(t) + "}\nhardware: {gpu: " + gpu + ", count: " +
               std::to_string(t) + "}\nruntime: {engine: vllm, version: 0.8-v0, max_model_len: 8192}\n";
    };
    BOOST_TEST(estimate_yaml(yaml("A100 SXM4 40GB", 1)).bytes("vllm.overhead.non_torch") == 64424510ULL);
    BOOST_TEST(estimate_yaml(yaml("A100 SXM4 40GB", 4)).bytes("vllm.overhead.non_torch") == 977105060ULL);
    BOOST_TEST(estimate_yaml(yaml("A100 SXM4 40GB", 8)).bytes("vllm.overhead.non_torch") == 977105060ULL);
    BOOST_TEST(estimate_yaml(yaml("A100 SXM4 40GB", 8), {"runtime.version=0.7"}).bytes("vllm.overhead.non_torch") ==
               2152ULL * 1048576);
    BOOST_TEST(estimate_yaml(yaml("NVIDIA GeForce RTX 4090", 2)).bytes("vllm.overhead.non_torch") == 110561854ULL);
}

// vLLM's hybrid KV-cache allocator (V1 0.10 and later) cuts each attention type's layers into
// groups of one size and pads the last group of a type; the KV tensors are group_size columns of
// num_blocks pages, and "GPU KV cache size" is num_blocks // groups · block_size.
//   Gemma-3-27B: 62 layers = 52 sliding-window + 10 full; 52 ≥ 1.5 · 10, so group_size = 10:
//   sliding 52 → 6 groups (the last padded by 8), full 10 → 1 group: 7 groups, 70 layer slots.
//   Per layer and token: 16 KV heads · 128 · 2 (K, V) · 2 B = 8,192 B; a page of 16 tokens 131,072 B.
//   tokens = floor(floor(pool / (10 · 131,072)) / 7) · 16, against the logged 36,560 (vLLM 0.19.0)
//   where every layer counted once (floor(pool / (62 · 131,072)) · 16) overstates it by 70/62.
//   vLLM 0.8 (no hybrid allocator) keeps that count.
BOOST_AUTO_TEST_CASE(issue19_vllm_hybrid_allocator_pads_kv_groups) {
    const std::string yaml =
        "model: {preset: gemma-3-27b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
        "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
        "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n";
    const Result r = estimate_yaml(yaml);
    const double pool = static_cast<double>(r.bytes("vllm.kv_cache") + r.bytes("vllm.kv_cache.unused_pool"));
    const double blocks = std::floor(pool / (10.0 * 131072.0));
    BOOST_TEST(r.estimate.max_kv_tokens == std::floor(blocks / 7.0) * 16.0);
    const double err = (r.estimate.max_kv_tokens / 36560.0 - 1) * 100;
    BOOST_TEST_MESSAGE("Gemma-3-27B GPU KV cache size: ours " << r.estimate.max_kv_tokens << ", logged 36,560, error "
                                                               << err << " %");
    BOOST_TEST(std::fabs(err) < 10.0);
    const Result v08 = estimate_yaml(yaml, {"runtime.version=0.8"});
    const double pool08 = static_cast<double>(v08.bytes("vllm.kv_cache") + v08.bytes("vllm.kv_cache.unused_pool"));
    BOOST_TEST(v08.estimate.max_kv_tokens == std::floor(pool08 / (62.0 * 131072.0)) * 16.0);
}

// Gemma 4's KV pools (docs/serving.md). vLLM first makes every page one size: Gemma-4-26B-A4B's
// sliding pages 16 · 8 · 512 · 2 B = 131,072 B, full pages 16 · 2 · 1024 · 2 B = 65,536 B, so full
// layers take 32-token blocks; 25 sliding + 5 full layers → groups of 5, 6 groups:
//   tokens = pool // (5 · 16 · 8,192) // 6 · 16.
// E4B: 20 sliding (2,048 B a layer and token) + 4 full (4,096) layers own a cache, the 18 KV-shared
// ones none: pages of 16 · 4,096 B, groups of 4, 6 groups: tokens = pool // (4 · 16 · 4,096) // 6 · 16.
// SGLang's SWAKVPool: full tokens = rest // (F + 0.8 · S): 26B 5 · 4,096 + 0.8 · 25 · 8,192 = 184,320;
// E4B counts all 42 entries of layer_types: 7 · 4,096 + 0.8 · 35 · 2,048 = 86,016.
BOOST_AUTO_TEST_CASE(issue19_gemma4_kv_pools_in_vllm_and_sglang) {
    const auto pool_of = [](const Result& r, const std::string& engine) {
        return static_cast<double>(r.bytes(engine + ".kv_cache") + r.bytes(engine + ".kv_cache.unused_pool"));
    };
    const std::string vllm = "workload: {type: inference, batch_size: 1, sequence_length: 32768}\n"
                             "hardware: {gpu: H100 SXM}\nruntime: {engine: vllm, version: \"0.11\", max_model_len: 32768}\n";
    const Result v26 = estimate_yaml("model: {preset: gemma-4-26b-a4b}\n" + vllm);
    BOOST_TEST(v26.estimate.max_kv_tokens ==
               std::floor(std::floor(pool_of(v26, "vllm") / (5.0 * 16 * 8192)) / 6.0) * 16.0);
    const Result ve4 = estimate_yaml("model: {preset: gemma-4-e4b}\n" + vllm);
    BOOST_TEST(ve4.estimate.max_kv_tokens ==
               std::floor(std::floor(pool_of(ve4, "vllm") / (4.0 * 16 * 4096)) / 6.0) * 16.0);
    // A 32,768-token sequence: E4B's full layers 4 · 4,096 · 32,768 + sliding 20 · 2,048 · 512.
    BOOST_TEST(ve4.bytes("vllm.kv_cache") == 4ULL * 4096 * 32768 + 20ULL * 2048 * 512);

    const std::string sglang = "workload: {type: inference, batch_size: 1, sequence_length: 32768}\n"
                               "hardware: {gpu: H100 SXM}\nruntime: {engine: sglang}\n";
    const Result s26 = estimate_yaml("model: {preset: gemma-4-26b-a4b}\n" + sglang);
    BOOST_TEST(s26.estimate.max_kv_tokens == std::floor(pool_of(s26, "sglang") / 184320.0));
    const Result se4 = estimate_yaml("model: {preset: gemma-4-e4b}\n" + sglang);
    BOOST_TEST(se4.estimate.max_kv_tokens == std::floor(pool_of(se4, "sglang") / 86016.0));
    const Result ratio = estimate_yaml("model: {preset: gemma-4-26b-a4b}\n" + sglang, {"runtime.swa_full_tokens_ratio=0.5"});
    BOOST_TEST(ratio.estimate.max_kv_tokens == std::floor(pool_of(ratio, "sglang") / (20480.0 + 0.5 * 204800.0)));
    // SGLang admits a batch while the full-attention pool holds all its tokens: the largest batch of
    // 32,768-token sequences is full tokens // 32,768; one more waits (not "fits").
    const double held = std::floor(s26.estimate.max_kv_tokens / 32768.0);
    const std::string b = "workload.batch_size=";
    const Result at = estimate_yaml("model: {preset: gemma-4-26b-a4b}\n" + sglang, {b + std::to_string(int(held))});
    const Result over = estimate_yaml("model: {preset: gemma-4-26b-a4b}\n" + sglang, {b + std::to_string(int(held) + 1)});
    BOOST_TEST(at.estimate.fits);
    BOOST_TEST(!over.estimate.fits);
}

// Qwen2.5-72B-Instruct (preset added for llm-d-planner's TP 2 log), from its config.json shapes:
//   embed_tokens = lm_head = 152,064 · 8,192 = 1,245,708,288 each (untied)
//   per layer: q 8,192·8,192 + 8,192 = 67,117,056; k, v 8,192·1,024 + 1,024 = 8,389,632 each;
//              o 8,192·8,192 = 67,108,864; MLP 3 · 8,192 · 29,568 = 726,663,168; 2 norms 16,384
//              = 877,684,736; · 80 layers = 70,214,778,880
//   total = 70,214,778,880 + 2 · 1,245,708,288 + final norm 8,192 = 72,706,203,648 (HF: "72.7B")
BOOST_AUTO_TEST_CASE(issue19_qwen25_72b_instruct_preset_counts_its_parameters) {
    const json::object m = run_json({"inspect", "qwen2.5-72b-instruct", "--format", "json"});
    BOOST_TEST(m.at("parameters").as_int64() == 72706203648LL);
    BOOST_TEST(m.at("parameters_by_group").as_object().at("mlp").as_int64() == 80LL * 726663168LL);
}

// ibm-granite/granite-3.1-2b-instruct and -8b-instruct (presets added for llm-d-planner's TP 1
// logs), from their config.json shapes (Granite = the Llama layout, tied embeddings):
//   2B: per layer q 2,048² = 4,194,304; k, v 512 · 2,048 = 1,048,576 each; o 4,194,304;
//       MLP 3 · 2,048 · 8,192 = 50,331,648; 2 norms 4,096 = 60,821,504; · 40 = 2,432,860,160
//       + embed 49,155 · 2,048 = 100,669,440 + final norm 2,048 = 2,533,531,648 (as published)
//   8B: per layer q 4,096² = 16,777,216; k, v 1,024 · 4,096 = 4,194,304 each; o 16,777,216;
//       MLP 3 · 4,096 · 12,800 = 157,286,400; 2 norms 8,192 = 199,237,632; · 40 = 7,969,505,280
//       + embed 49,155 · 4,096 = 201,338,880 + final norm 4,096 = 8,170,848,256
// moonshotai/Kimi-Dev-72B: Qwen2.5-72B's shapes (72,706,203,648, above) with a 131,072-position
// rotary table, which is what vLLM adds to its weights: 131,072 · 128 · 2 B = 32 MiB against
// 32,768 · 128 · 2 B = 8 MiB, the 0.02 GiB between the two models' logged weights at TP 2.
BOOST_AUTO_TEST_CASE(issue19_granite31_and_kimi_dev_presets_count_their_parameters) {
    BOOST_TEST(run_json({"inspect", "granite-3.1-2b-instruct", "--format", "json"}).at("parameters").as_int64() ==
               2533531648LL);
    BOOST_TEST(run_json({"inspect", "granite-3.1-8b-instruct", "--format", "json"}).at("parameters").as_int64() ==
               8170848256LL);
    const json::object kimi = run_json({"inspect", "kimi-dev-72b", "--format", "json"});
    BOOST_TEST(kimi.at("parameters").as_int64() == 72706203648LL);
    const std::string yaml = "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
                             "parallelism: {tensor: 2}\nhardware: {gpu: H100 SXM, memory_gib: 79.19, count: 2}\n"
                             "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192}\n";
    const Result kimi_run = estimate_yaml("model: {preset: kimi-dev-72b}\n" + yaml);
    const Result qwen_run = estimate_yaml("model: {preset: qwen2.5-72b-instruct}\n" + yaml);
    BOOST_TEST(kimi_run.bytes("vllm.weights.rope_cache") == 131072ULL * 128 * 2);
    BOOST_TEST(qwen_run.bytes("vllm.weights.rope_cache") == 32768ULL * 128 * 2);
}

// mistralai/Mistral-Small-3.1-24B-Instruct-2503 (Mistral3: Pixtral tower + patch-merging projector
// + Mistral text model), from its config.json shapes:
//   text: per layer q 5,120 · 4,096 = 20,971,520; k, v 5,120 · 1,024 = 5,242,880 each; o 20,971,520;
//         MLP 3 · 5,120 · 32,768 = 503,316,480; 2 norms 10,240 = 555,755,520; · 40 = 22,230,220,800
//         + embed and lm_head 131,072 · 5,120 = 671,088,640 each + final norm 5,120 = 23,572,403,200
//   vision: patch_conv 1,024 · 3 · 14 · 14 = 602,112 + ln_pre 1,024; per layer 2 norms 2,048 +
//         q, k, v, o 4 · 1,024² = 4,194,304 + MLP 3 · 1,024 · 4,096 = 12,582,912 = 16,779,264; · 24
//         = 402,702,336 → 403,305,472
//   projector: norm 1,024 + merging_layer 4,096 · 1,024 = 4,194,304 + linear_1 1,024 · 5,120 =
//         5,242,880 + linear_2 5,120² = 26,214,400 → 35,652,608
//   total 24,011,361,280 (keras-hub's mistral3 preset table: 24011361280)
// vLLM V1's profile keeps the encoder outputs of one batch of the largest images through the text
// pass: E = ((1540 − 1) // 28 + 1)^2 = 55^2 = 3,025 embeddings; budget max(8,192, 3,025) = 8,192
// → 8,192 // 3,025 = 2 images; 2 · 3,025 · 5,120 · 2 B = 61,952,000 B.
BOOST_AUTO_TEST_CASE(issue19_mistral3_preset_counts_and_vllm_keeps_its_encoder_outputs) {
    const json::object m = run_json({"inspect", "mistral-small-3.1-24b-instruct", "--format", "json"});
    BOOST_TEST(m.at("parameters").as_int64() == 24011361280LL);
    const json::object& groups = m.at("parameters_by_group").as_object();
    BOOST_TEST(groups.at("vision_tower").as_int64() == 403305472LL);
    BOOST_TEST(groups.at("projector").as_int64() == 35652608LL);
    const std::string yaml = "model: {preset: mistral-small-3.1-24b-instruct}\n"
                             "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
                             "hardware: {gpu: H100 SXM, memory_gib: 79.19}\n"
                             "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192}\n";
    const Result r = estimate_yaml(yaml);
    BOOST_TEST(r.bytes("vllm.activations.mm_encoder_outputs") == 61952000ULL);
    // V0 profiled images inside its dummy sequences: no separate term.
    BOOST_TEST(!estimate_yaml(yaml, {"runtime.version=0.7"}).has("vllm.activations.mm_encoder_outputs"));
    // 2,048 batched tokens (the default below 70 GiB) still take one image: the budget is max(T, E).
    BOOST_TEST(estimate_yaml(yaml, {"runtime.max_num_batched_tokens=2048"}).bytes("vllm.activations.mm_encoder_outputs") ==
               3025ULL * 5120 * 2);
}

// moonshotai/Kimi-VL-A3B-Instruct (MoonViT + projector + a DeepSeek-V3-style MoE text model), from
// its config.json shapes:
//   text: per layer MLA q 2,048 · 3,072 = 6,291,456; kv_a 2,048 · 576 = 1,179,648; kv_a norm 512;
//         kv_b 512 · 4,096 = 2,097,152; o 2,048² = 4,194,304; 2 norms 4,096 = 13,767,168
//         layer 0 dense MLP 3 · 2,048 · 11,264 = 69,206,016
//         layers 1-26 MoE: 64 · 3 · 2,048 · 1,408 = 553,648,128 + shared 3 · 2,048 · 2,816 =
//         17,301,504 + router 64 · 2,048 = 131,072 + correction bias 64 = 571,080,768
//         27 · 13,767,168 + 69,206,016 + 26 · 571,080,768 = 15,288,919,168
//         + embed and lm_head 163,840 · 2,048 = 335,544,320 each + final norm 2,048 = 15,960,110,208
//   MoonViT: patch conv 1,152 · 588 + 1,152 = 678,528; positions 64 · 64 · 1,152 = 4,718,592;
//         per layer 2 LayerNorms 4,608 + wqkv 3,456 · 1,152 + 3,456 = 3,984,768 + wo 1,328,256 +
//         fc0 4,304 · 1,152 + 4,304 = 4,962,512 + fc1 1,152 · 4,304 + 1,152 = 4,959,360 =
//         15,239,504; · 27 = 411,466,608; final LayerNorm 2,304 → 416,866,032
//   projector: LayerNorm 2,304 + linear_1 4,608² + 4,608 = 21,238,272 + linear_2 2,048 · 4,608 +
//         2,048 = 9,439,232 → 30,679,808
//   total 16,407,656,048
// vLLM profiles 1024-px dummies: 73² = 5,329 patches > 4,096 → 897 px → padded 924 → 33² = 1,089
// embeddings; 8,192 // 1,089 = 7 images; 7 · 1,089 · 2,048 · 2 B = 31,223,808 B kept.
BOOST_AUTO_TEST_CASE(issue19_kimi_vl_preset_counts_and_vllm_keeps_its_encoder_outputs) {
    const json::object m = run_json({"inspect", "kimi-vl-a3b-instruct", "--format", "json"});
    BOOST_TEST(m.at("parameters").as_int64() == 16407656048LL);
    BOOST_TEST(m.at("parameters_by_group").as_object().at("vision_tower").as_int64() == 416866032LL);
    BOOST_TEST(m.at("kv_cache_bytes_per_token").as_int64() == 27LL * (512 + 64) * 2);  // MLA latent, bf16
    const Result r = estimate_yaml("model: {preset: kimi-vl-a3b-instruct}\n"
                                   "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
                                   "hardware: {gpu: H100 SXM, memory_gib: 79.19}\n"
                                   "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, "
                                   "max_model_len: 8192}\n");
    BOOST_TEST(r.bytes("vllm.activations.mm_encoder_outputs") == 31223808ULL);
}

// zai-org/GLM-5 (glm_moe_dsa: DeepSeek-V3's layout with DeepSeek sparse attention), from its
// config shapes (h 6,144, 64 heads, q_lora 2,048, kv_lora 512, nope / rope / v 192 / 64 / 256):
//   MLA per layer: q_a 6,144 · 2,048 = 12,582,912 + norm 2,048; q_b 2,048 · 64 · 256 = 33,554,432;
//         kv_a 6,144 · 576 = 3,538,944 + norm 512; kv_b 512 · 64 · 448 = 14,680,064;
//         o 16,384 · 6,144 = 100,663,296 → 165,022,208
//   indexer per layer: wq_b 2,048 · 32 · 128 = 8,388,608; wk 6,144 · 128 = 786,432; k_norm
//         (LayerNorm) 256; weights_proj 6,144 · 32 = 196,608 → 9,371,904
//   layers 0-2 dense: + 2 norms 12,288 + MLP 3 · 6,144 · 12,288 = 226,492,416 → 400,898,816
//   layers 3-77 MoE: + 2 norms + router 256 · 6,144 = 1,572,864 + bias 256 + experts
//         256 · 3 · 6,144 · 2,048 = 9,663,676,416 + shared 3 · 6,144 · 2,048 = 37,748,736
//         → 9,877,404,672
//   3 · 400,898,816 + 75 · 9,877,404,672 + embed and lm_head 2 · 154,880 · 6,144 = 1,903,165,440
//         + final norm 6,144 = 743,911,218,432 (the model card's "744B")
//   MTP layer 78: enorm, hnorm 12,288 + eh_proj 6,144 · 12,288 = 75,497,472 + one MoE layer
//         9,877,404,672 + shared_head.norm 6,144 = 9,952,920,576 → 753,864,139,008 stored
// The KV per token and layer at fp8: the latent 512 + 64 = 576 B plus the indexer's fp8 key of
// 128 with one fp32 scale, 132 B → 708 B · 78 layers = 55,224 B (bf16: 1,152 + 132 = 1,284 B ·
// 78 = 100,152 B).
// moonshotai/Kimi-K2.5 (kimi_k25: Kimi-K2's text, MoonViT-3D, Kimi-VL's projector shapes):
//   text MLA per layer: q_a 7,168 · 1,536 = 11,010,048 + norm 1,536; q_b 1,536 · 64 · 192 =
//         18,874,368; kv_a 7,168 · 576 = 4,128,768 + norm 512; kv_b 512 · 64 · 256 = 8,388,608;
//         o 8,192 · 7,168 = 58,720,256 → 101,124,096
//   layer 0 dense: + 2 norms 14,336 + MLP 3 · 7,168 · 18,432 = 396,361,728 → 497,500,160
//   layers 1-60 MoE: + 2 norms + router 384 · 7,168 = 2,752,512 + bias 384 + experts
//         384 · 3 · 7,168 · 2,048 = 16,911,433,728 + shared 44,040,192 → 17,059,365,248
//   497,500,160 + 60 · 17,059,365,248 + embed and lm_head 2 · 163,840 · 7,168 = 2,348,810,240
//         + final norm 7,168 = 1,026,408,232,448
//   MoonViT-3D (time as a fixed table: no weights beyond Kimi-VL's, above): 416,866,032
//   projector: LayerNorm 2,304 + 4,608² + 4,608 = 21,238,272 + 7,168 · 4,608 + 7,168 = 33,037,312
//         → 54,277,888
//   total 1,026,879,376,368 (the model card's "1T")
BOOST_AUTO_TEST_CASE(issue19_glm5_and_kimi_k25_presets_count_their_parameters) {
    const json::object glm = run_json({"inspect", "glm-5", "--format", "json"});
    BOOST_TEST(glm.at("parameters").as_int64() == 753864139008LL);
    BOOST_TEST(glm.at("parameters_by_group").as_object().at("mtp").as_int64() == 9952920576LL);
    BOOST_TEST(glm.at("kv_cache_bytes_per_token").as_int64() == 78LL * ((512 + 64) * 2 + 132));
    const json::object fp8 = run_json({"inspect", "glm-5", "--format", "json", "--kv-dtype", "fp8"});
    BOOST_TEST(fp8.at("kv_cache_bytes_per_token").as_int64() == 55224LL);
    const json::object kimi = run_json({"inspect", "kimi-k2.5", "--format", "json"});
    BOOST_TEST(kimi.at("parameters").as_int64() == 1026879376368LL);
    BOOST_TEST(kimi.at("parameters_by_group").as_object().at("vision_tower").as_int64() == 416866032LL);
    BOOST_TEST(kimi.at("parameters_by_group").as_object().at("projector").as_int64() == 54277888LL);
    BOOST_TEST(kimi.at("kv_cache_bytes_per_token").as_int64() == 61LL * (512 + 64) * 2);
}

// Qwen/Qwen3.5-397B-A17B (qwen3_5_moe: Qwen3-Next's hybrid text model under text_config and
// Qwen3-VL's vision tower without DeepStack), from its config shapes (h 4,096, 60 layers):
//   15 full-attention layers: q (gated) 4,096 · 2 · 32 · 256 = 67,108,864; k, v 4,096 · 512 each;
//         o 8,192 · 4,096 = 33,554,432; q/k norms 512 → 104,858,112
//   45 Gated DeltaNet layers: qkvz 4,096 · (2 · 2,048 + 2 · 8,192) = 83,886,080; ba 4,096 · 128 =
//         524,288; conv 12,288 · 4 = 49,152; dt_bias, A_log 128; norm 128; out 8,192 · 4,096 =
//         33,554,432 → 118,014,208
//   every layer: MoE router 512 · 4,096 = 2,097,152 + experts 512 · 3 · 4,096 · 1,024 =
//         6,442,450,944 + shared 3 · 4,096 · 1,024 = 12,582,912 + its gate 4,096 = 6,457,135,104
//         + 2 norms 8,192
//   text = 15 · 104,858,112 + 45 · 118,014,208 + 60 · 6,457,143,296 + 2 · 248,320 · 4,096 + 4,096
//        = 396,346,350,336
//   vision: patch Conv3d 1,152 · 3 · 2 · 16 · 16 + 1,152 = 1,770,624; positions 2,304 · 1,152 =
//         2,654,208; 27 blocks · (LayerNorms 4,608 + qkv 3,981,312 + 3,456 + proj 1,327,104 + 1,152
//         + fc1 4,958,208 + 4,304 + fc2 4,958,208 + 1,152 = 15,239,504) = 411,466,608 →
//         415,891,440 (the merger's LayerNorm 2,304 + 4,608² + 4,608 + 4,608 · 4,096 + 4,096 =
//         40,119,040 in `projector`)
//   total 396,802,360,816 (the model card's "397B"; the mtp.* layer is not counted)
// SGLang at TP 8 keeps per request, in each of the 45 linear-attention layers, a bf16 conv state
// of 12,288 / 8 · 3 and an fp32 recurrent state of 64 / 8 · 128 · 128: 45 · (9,216 + 524,288) =
// 24,007,680 B; one token of the 15 full layers is 15 · 1 · 256 · 2 · 2 B = 15,360 B (2 KV heads
// < 8). 1 × 8,192 tokens: 125,829,120 + 24,007,680 = 149,836,800 B. (The ktransformers #1870 log
// at TP 2: 83 slots · 45 · (36,864 + 2,097,152) B = 0.13 + 7.29 GiB as logged, one slot beyond its
// max_mamba_cache_size of 82.)
BOOST_AUTO_TEST_CASE(issue19_qwen35_preset_counts_and_sglang_keeps_its_states) {
    const json::object m = run_json({"inspect", "qwen3.5-397b-a17b", "--format", "json"});
    BOOST_TEST(m.at("parameters").as_int64() == 396802360816LL);
    BOOST_TEST(m.at("parameters_by_group").as_object().at("vision_tower").as_int64() == 415891440LL);
    BOOST_TEST(m.at("parameters_by_group").as_object().at("projector").as_int64() == 40119040LL);
    BOOST_TEST(m.at("kv_cache_bytes_per_token").as_int64() == 15LL * 2 * 256 * 2 * 2);
    const Result r = estimate_yaml("model: {preset: qwen3.5-397b-a17b}\nprecision: {weights: fp8, scales: block}\n"
                                   "workload: {type: inference, batch_size: 1, sequence_length: 8192}\n"
                                   "parallelism: {tensor: 8}\nhardware: {gpu: NVIDIA H200, count: 8}\n"
                                   "runtime: {engine: sglang}\n");
    BOOST_TEST(r.bytes("sglang.kv_cache") == 149836800LL);
}

// SGLang sizes a DeepSeek-sparse-attention pool with the cell above (fp8: 55,224 B per token for
// GLM-5, get_cell_size_per_token) but stores the fp8 latent as 512 fp8 values + 4 fp32 scales +
// 64 bf16 rope values = 656 B (calculate_mla_kv_cache_dim): 78 · (656 + 132) = 61,464 B per token,
// 6,240 B more than it budgeted. The MI355X log: 186.77 GiB / 3,262,823 tokens = 61,464 B, and
// its budget (193.92 − 283.50 · (1 − 0.908)) GiB / 55,224 B = 3,263,3xx tokens.
//   b = 2 sequences of 4,096: 8,192 tokens · 61,464 = 503,513,088 B held
//   pool: tokens = floor(budget / 55,224); allocated = budget + tokens · 6,240, so allocated −
//   tokens · 61,464 = budget − tokens · 55,224, less than one cell.
BOOST_AUTO_TEST_CASE(issue19_sglang_dsa_pool_budgets_the_mla_cell_and_stores_the_656_byte_fp8_latent) {
    const std::string yaml = "model: {preset: glm-5}\nprecision: {weights: fp8, kv_cache: fp8}\n"
                             "workload: {type: inference, batch_size: 2, sequence_length: 4096}\n"
                             "parallelism: {tensor: 8}\nhardware: {memory_gib: 287.90, count: 8}\n"
                             "runtime: {engine: sglang, mem_fraction_static: 0.908}\n";
    const Result r = estimate_yaml(yaml);
    BOOST_TEST(r.bytes("sglang.kv_cache") == 503513088LL);
    const double tokens = r.estimate.max_kv_tokens;
    BOOST_TEST(tokens > 3.0e6);
    const double allocated = static_cast<double>(r.bytes("sglang.kv_cache") + r.bytes("sglang.kv_cache.unused_pool"));
    const double below = allocated - tokens * 61464.0;
    BOOST_TEST(below >= -1.0);
    BOOST_TEST(below < 55224.0);
    // bf16 latent: no separate layout, the cell is what is stored (78 · 1,284 = 100,152 B per token).
    const Result bf16 = estimate_yaml(yaml, {"precision.kv_cache=bf16"});
    BOOST_TEST(bf16.bytes("sglang.kv_cache") == 8192LL * 100152);
    // vLLM stores the same record ("fp8_ds_mla", FlashMLASparseBackend) and sizes its blocks by it:
    // 2 · 4,096 tokens · 61,464 B, and the pool's tokens are its bytes // (61,464 · 16) · 16.
    const Result v = estimate_yaml(
        "model: {preset: glm-5}\nprecision: {weights: fp8, scales: block, kv_cache: fp8}\n"
        "workload: {type: inference, batch_size: 2, sequence_length: 4096}\nparallelism: {tensor: 8}\n"
        "hardware: {gpu: NVIDIA H200, count: 8}\nruntime: {engine: vllm, max_model_len: 8192}\n");
    BOOST_TEST(v.bytes("vllm.kv_cache") == 503513088LL);
    const double vpool = static_cast<double>(v.bytes("vllm.kv_cache") + v.bytes("vllm.kv_cache.unused_pool"));
    BOOST_TEST(v.estimate.max_kv_tokens == std::floor(vpool / (61464.0 * 16)) * 16);
}

// ibm-granite/granite-vision-3.3-2b (LLaVA-NeXT: SigLIP so400m-patch14-384, four feature layers
// concatenated, Granite-3.1-2B text with vocabulary 49,156), from its config shapes:
//   text: 40 · 60,821,504 (granite-3.1-2b's layer, above) = 2,432,860,160 + embed 49,156 · 2,048 =
//         100,671,488 + final norm 2,048 = 2,533,533,696 (tied)
//   SigLIP: patch conv 1,152 · 588 + 1,152 = 678,528; positions (384 // 14)^2 = 729 · 1,152 =
//         839,808; per layer q, k, v, out 4 · (1,152² + 1,152) = 5,313,024 + 2 LayerNorms 4,608 +
//         fc1 4,304 · 1,152 + 4,304 = 4,962,512 + fc2 1,152 · 4,304 + 1,152 = 4,959,360 = 15,239,504;
//         · 27 = 411,466,608; post_layernorm 2,304; pooling head: probe 1,152 + in_proj 3 · 1,152² +
//         3,456 = 3,984,768 + out_proj 1,328,256 + LayerNorm 2,304 + MLP 9,921,872 = 15,238,352
//         → 428,225,600
//   projector: linear_1 (4 · 1,152) · 2,048 + 2,048 = 9,439,232; linear_2 2,048² + 2,048 = 4,196,352;
//         image_newline 2,048 → 13,637,632
//   total 2,975,396,928
BOOST_AUTO_TEST_CASE(issue19_granite_vision_preset_counts_its_parameters) {
    const json::object m = run_json({"inspect", "granite-vision-3.3-2b", "--format", "json"});
    BOOST_TEST(m.at("parameters").as_int64() == 2975396928LL);
    BOOST_TEST(m.at("parameters_by_group").as_object().at("vision_tower").as_int64() == 428225600LL);
    BOOST_TEST(m.at("parameters_by_group").as_object().at("projector").as_int64() == 13637632LL);
}

// vLLM --enable-lora allocates its LoRA slots at load time (lora/layers.py create_lora_weights),
// counted in "Model loading took". Phi-4 at rank 16, one slot, per layer (fused modules keep one
// lora_a per output slice):
//   qkv_proj 3 · 5,120 + 7,680 = 23,040; o_proj 5,120 + 5,120 = 10,240;
//   gate_up_proj 2 · 5,120 + 35,840 = 46,080; down_proj 17,920 + 5,120 = 23,040 → 102,400
//   · 16 · 40 layers · 2 B = 131,072,000 B. At TP 2 the column-parallel lora_b and the
//   row-parallel lora_a halve: (3 · 5,120 + 3,840) + (2,560 + 5,120) + (2 · 5,120 + 17,920) +
//   (8,960 + 5,120) = 19,200 + 7,680 + 28,160 + 14,080 = 69,120 → · 16 · 40 · 2 = 88,473,600 B.
BOOST_AUTO_TEST_CASE(issue19_vllm_lora_slots_are_loaded_with_the_model) {
    const std::string yaml = "model: {preset: phi-4}\nworkload: {type: inference, batch_size: 1, sequence_length: 512}\n"
                             "hardware: {gpu: A100 SXM4 80GB}\n"
                             "runtime: {engine: vllm, enable_lora: true}\n";
    const Result r = estimate_yaml(yaml);
    BOOST_TEST(r.bytes("vllm.weights.lora_slots") == 131072000ULL);
    BOOST_TEST(estimate_yaml(yaml, {"parallelism.tensor=2", "hardware.count=2"}).bytes("vllm.weights.lora_slots") ==
               88473600ULL);
    BOOST_TEST(estimate_yaml(yaml, {"runtime.max_loras=4", "runtime.max_lora_rank=64"}).bytes("vllm.weights.lora_slots") ==
               131072000ULL * 16);
    BOOST_TEST(!estimate_yaml(yaml, {"runtime.enable_lora=false"}).has("vllm.weights.lora_slots"));
    // The slots come out of the KV pool like the weights.
    const Result off = estimate_yaml(yaml, {"runtime.enable_lora=false"});
    BOOST_TEST(off.bytes("vllm.kv_cache.unused_pool") + off.bytes("vllm.kv_cache") -
                   (r.bytes("vllm.kv_cache.unused_pool") + r.bytes("vllm.kv_cache")) ==
               131072000ULL, boost::test_tools::tolerance(1e-9));
}

// TensorRT-LLM's runtime and decoder buffers follow the build limits N (max_batch_size), L
// (max_seq_len), T (max_num_tokens) and the vocabulary (batch_manager runtimeBuffers.cpp,
// runtime/gptDecoderBatched.cpp; docs/serving.md §2b), compared with the logged lines (the runtime
// prints GB and MB of 2^30 and 2^20 bytes):
//   memory.md's example (Llama-2-7B FP8, N 256, L 2048, T 8192, V 32,000, 0.12):
//     runtime 256 · 32,000 · 4 + 6 · 256 · 2,048 · 4 + 8,192 · 4 = 45,383,680 B = 43.28 MiB (43.29 MB)
//     decoder 16 · 256 · 2,048 + 5 · 4 · 256 · 32,000 + 65,536 · 256 = 189,005,824 B = 180.25 MiB (180.30 MB)
//   GPT-J-6B (N 4096, L 4098, V 50,400, 0.12):
//     runtime 825,753,600 + 402,849,792 + 32,768 = 1,228,636,160 B = 1.144 GiB (1.14 GB)
//     decoder 268,566,528 + 4,128,768,000 + 268,435,456 = 4,665,769,984 B = 4.345 GiB (4.35 GB)
//   Qwen2.5-0.5B defaults (N 2048, L 32,768, V 151,936, later releases: 4 vocabulary buffers):
//     runtime 1,244,659,712 + 1,610,612,736 + 32,768 = 2,855,305,216 B = 2.659 GiB (2.66 GB)
//     decoder 1,073,741,824 + 4,978,638,848 + 134,217,728 = 6,186,598,400 B = 5.762 GiB (5.76 GB)
// With memory.md's execution context (1134.01 MiB) the KV pool is 259,904 tokens against the 259,840
// logged - not an independent check: the 775 MiB of context is that example's remainder.
BOOST_AUTO_TEST_CASE(issue19_trtllm_buffers_follow_the_build_limits) {
    const Result md = estimate_yaml("model: {preset: llama-2-7b}\nprecision: {weights: fp8, kv_cache: fp8}\n"
                                    "workload: {type: inference, batch_size: 1, sequence_length: 2048}\n"
                                    "hardware: {memory_gib: 79.10}\n"
                                    "runtime: {engine: trtllm, version: \"0.12\", max_batch_size: 256, max_seq_len: 2048, "
                                    "execution_context_mib: 1134.01}\n");
    BOOST_TEST(md.bytes("trtllm.buffers.runtime") == 45383680ULL);
    BOOST_TEST(md.bytes("trtllm.buffers.decoder") == 189005824ULL);
    BOOST_TEST(std::fabs(md.estimate.max_kv_tokens / 259840.0 - 1) < 0.001);
    const Result gptj = estimate_yaml("model: {preset: gpt-j-6b}\nprecision: {weights: fp8, kv_cache: fp8}\n"
                                      "workload: {type: inference, batch_size: 1, sequence_length: 256}\n"
                                      "hardware: {memory_gib: 79.10}\n"
                                      "runtime: {engine: trtllm, version: \"0.12\", max_batch_size: 4096, max_seq_len: 4098}\n");
    BOOST_TEST(gptj.bytes("trtllm.buffers.runtime") == 1228636160ULL);
    BOOST_TEST(gptj.bytes("trtllm.buffers.decoder") == 4665769984ULL);
    const Result qwen = estimate_yaml("model: {preset: qwen2.5-0.5b}\nworkload: {type: inference, batch_size: 1, "
                                      "sequence_length: 4096}\nhardware: {gpu: RTX A4000}\nruntime: {engine: trtllm}\n");
    BOOST_TEST(qwen.bytes("trtllm.buffers.runtime") == 2855305216ULL);
    BOOST_TEST(qwen.bytes("trtllm.buffers.decoder") == 6186598400ULL);
    // The tied embedding is copied into the engine's lm_head: 151,936 · 896 · 2 B.
    BOOST_TEST(qwen.bytes("trtllm.weights.lm_head_copy") == 151936ULL * 896 * 2);
    // A batch beyond max_batch_size is not scheduled at once: does not fit, with the reason.
    const Result over = estimate_yaml("model: {preset: qwen2.5-0.5b}\nworkload: {type: inference, batch_size: 64, "
                                      "sequence_length: 1024}\nhardware: {gpu: RTX A4000}\n"
                                      "runtime: {engine: trtllm, max_batch_size: 32}\n");
    BOOST_TEST(!over.estimate.fits);
}

// TensorRT-LLM's execution context (one TensorRT buffer, getDeviceMemorySizeV2, fixed when the
// engine is built) is estimated when the log is not at hand: max_num_tokens T of one layer's
// forward, T · (3h + 3F/t) · bytes, plus N · V_p · bytes of logits. By hand, T = 8,192, bf16:
//   memory.md's Llama-2-7B (N 256): 8,192 · (3·4,096 + 3·11,008) · 2 + 256 · 32,000 · 2
//     = 742,391,808 + 16,384,000 = 758,775,808 B = 723.6 MiB; logged 1,134.01 MiB
//   GPT-J-6B (N 4,096): 8,192 · (3·4,096 + 3·16,384) · 2 + 4,096 · 50,400 · 2
//     = 1,006,632,960 + 412,876,800 = 1,419,509,760 B = 1,353.8 MiB; logged 928.77 MiB
//   Qwen2.5-0.5B (N 2,048): 8,192 · (3·896 + 3·4,864) · 2 + 2,048 · 151,936 · 2
//     = 283,115,520 + 622,329,856 = 905,445,376 B = 863.5 MiB; logged 773.51 MiB
// TensorRT's tactic choices decide the real buffer, so the estimate is not held to ±15 %: the
// errors are printed (docs/serving.md §2b) and execution_context_mib takes the logged value.
BOOST_AUTO_TEST_CASE(issue19_trtllm_execution_context_estimate_prints_its_error) {
    struct Row {
        const char* name;
        std::string yaml;
        unsigned long long by_hand;
        double logged_mib;
    };
    const std::vector<Row> rows = {
        {"memory.md Llama-2-7B", "model: {preset: llama-2-7b}\nprecision: {weights: fp8, kv_cache: fp8}\n"
                                 "workload: {type: inference, batch_size: 1, sequence_length: 2048}\nhardware: "
                                 "{memory_gib: 79.10}\nruntime: {engine: trtllm, version: \"0.12\", max_batch_size: "
                                 "256, max_seq_len: 2048}\n", 758'775'808ULL, 1134.01},
        {"trtllm-bench GPT-J-6B", "model: {preset: gpt-j-6b}\nprecision: {weights: fp8, kv_cache: fp8}\n"
                                  "workload: {type: inference, batch_size: 1, sequence_length: 256}\nhardware: "
                                  "{memory_gib: 79.10}\nruntime: {engine: trtllm, version: \"0.12\", max_batch_size: "
                                  "4096, max_seq_len: 4098}\n", 1'419'509'760ULL, 928.77},
        {"#1188 Qwen2.5-0.5B", "model: {preset: qwen2.5-0.5b}\nworkload: {type: inference, batch_size: 1, "
                               "sequence_length: 4096}\nhardware: {gpu: RTX A4000}\nruntime: {engine: trtllm}\n",
         905'445'376ULL, 773.51},
    };
    for (const Row& row : rows) {
        const Result r = estimate_yaml(row.yaml);
        const auto bytes = r.bytes("trtllm.activations.execution_context");
        BOOST_TEST(bytes == row.by_hand, row.name);
        const double error = static_cast<double>(bytes) / (row.logged_mib * 1048576.0) - 1;
        std::ostringstream line;
        line << row.name << ": execution context estimated " << std::fixed << std::setprecision(1)
             << static_cast<double>(bytes) / 1048576.0 << " MiB, logged " << std::setprecision(2) << row.logged_mib
             << " MiB, error " << std::showpos << std::setprecision(1) << 100 * error << " %";
        BOOST_TEST_MESSAGE(line.str());
    }
}

// meta-llama/Llama-3.2-11B-Vision (mllama), from its config shapes:
//   text: self-attention layer q, o 4,096² each + k, v 1,024 · 4,096 each = 41,943,040 + MLP
//         3 · 4,096 · 14,336 = 176,160,768 + 2 norms 8,192 = 218,112,000; a cross-attention layer
//         adds q/k norms 2 · 128 and two gates = 218,112,258
//         embed (128,256 + 8) · 4,096 = 525,369,344 + lm_head 128,256 · 4,096 = 525,336,576 + norm
//         4,096 + 32 · 218,112,000 + 8 · 218,112,258 = 9,775,192,080
//   vision: patch 1,280 · 588 = 752,640; class 1,280; positions 1,601 · 1,280 + gate 1 = 2,049,281;
//         tile embedding 9 · 4 · 1,601 · 1,280 = 73,774,080; pre/post tile 2 · (9 · 5,120 + 1) =
//         92,162; 2 LayerNorms 5,120; layer q, k, v, o 4 · 1,280² + fc1 5,120 · 1,280 + 5,120 + fc2
//         1,280 · 5,120 + 1,280 + 2 LayerNorms 5,120 = 19,672,320; 32 local + 8 global (+ 2 gates)
//         = 787,892,816 → 863,567,379
//   projector 7,680 · 4,096 + 4,096 = 31,461,376
//   total 10,670,220,835 (the HF safetensors BF16 count)
BOOST_AUTO_TEST_CASE(issue19_mllama_preset_counts_its_parameters) {
    const json::object m = run_json({"inspect", "llama-3.2-11b-vision", "--format", "json"});
    BOOST_TEST(m.at("parameters").as_int64() == 10670220835LL);
    BOOST_TEST(m.at("parameters_by_group").as_object().at("vision_tower").as_int64() == 863567379LL);
}

// SGLang releases before the GPU-memory buckets (server_args.py __post_init__ of the 0.3 / 0.4
// lines) set mem_fraction_static by TP size: 0.88, 0.87 from 2, 0.85 from 4, 0.81 from 8, 0.79
// from 16; chunked_prefill_size 8192 and cuda_graph_max_bs 160 at 25,000 MB and above (an RTX
// A6000: 48 GB), 2048 and 8 below.
BOOST_AUTO_TEST_CASE(issue19_sglang_04_defaults_follow_the_tp_size) {
    const std::string yaml = "model: {preset: qwen3-14b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
                             "hardware: {gpu: RTX A6000}\nruntime: {engine: sglang, version: \"0.4\"}\n";
    // The pool the default gives equals the pool of that fraction given explicitly.
    const std::pair<const char*, const char*> by_tp[] = {{"1", "0.88"}, {"2", "0.87"}, {"4", "0.85"}, {"8", "0.81"}};
    auto pool = [](const Result& r) { return r.bytes("sglang.kv_cache") + r.bytes("sglang.kv_cache.unused_pool"); };
    for (const auto& [tp, fraction] : by_tp) {
        const std::string t = std::string("parallelism.tensor=") + tp, n = std::string("hardware.count=") + tp;
        const Result dflt = estimate_yaml(yaml, {t, n});
        const Result given = estimate_yaml(yaml, {t, n, "runtime.version=latest", std::string("runtime.mem_fraction_static=") + fraction,
                                                  "runtime.chunked_prefill_size=8192"});
        BOOST_TEST_CONTEXT("TP " << tp) {
            BOOST_TEST(pool(dflt) == pool(given));
            BOOST_TEST(dflt.bytes("sglang.activations.prefill_chunk") == given.bytes("sglang.activations.prefill_chunk"));
        }
    }
    // 2 MB per captured batch size up to 160: 320 MiB of CUDA graphs.
    BOOST_TEST(estimate_yaml(yaml, {"parallelism.tensor=1"}).bytes("sglang.overhead.cuda_graphs") == 320ULL * 1024 * 1024);
}

// microsoft/phi-4 (preset added for llm-d-planner's TP 1 log), from its config.json shapes:
//   embed_tokens = lm_head = 100,352 · 5,120 = 513,802,240 each (untied)
//   per layer: qkv_proj (40 + 2 · 10) · 128 · 5,120 = 39,321,600; o_proj 5,120² = 26,214,400;
//              gate_up_proj 2 · 17,920 · 5,120 = 183,500,800; down_proj 91,750,400; 2 norms 10,240
//              = 340,797,440; · 40 layers = 13,631,897,600
//   total = 13,631,897,600 + 2 · 513,802,240 + final norm 5,120 = 14,659,507,200
BOOST_AUTO_TEST_CASE(issue19_phi4_preset_counts_its_parameters) {
    const json::object m = run_json({"inspect", "phi-4", "--format", "json"});
    BOOST_TEST(m.at("parameters").as_int64() == 14659507200LL);
    BOOST_TEST(m.at("kv_cache_bytes_per_token").as_int64() == 40LL * 2 * 10 * 128 * 2);  // 204,800 B in bf16
}

// microsoft/phi-1_5 (preset added for a vLLM 0.6.4 GTX 1080 log), from its config.json and the
// checkpoint's tensor shapes:
//   embed_tokens 51,200 · 2,048 = 104,857,600; lm_head 104,857,600 + bias 51,200 = 104,908,800
//   per layer: input_layernorm w + b 4,096; q, k, v, dense (2,048² + 2,048) · 4 = 16,785,408;
//              fc1 2,048 · 8,192 + 8,192 = 16,785,408; fc2 8,192 · 2,048 + 2,048 = 16,779,264
//              = 50,354,176; · 24 layers = 1,208,500,224
//   total = 1,208,500,224 + 104,857,600 + 104,908,800 + final_layernorm 4,096 = 1,418,270,720
BOOST_AUTO_TEST_CASE(issue19_phi15_preset_counts_its_parameters) {
    const json::object m = run_json({"inspect", "phi-1.5", "--format", "json"});
    BOOST_TEST(m.at("parameters").as_int64() == 1418270720LL);
}

// The same pool holds 47 sequences of 8,192 tokens (above): 47 fits, 48 does not although the
// bytes alone would (vLLM still reserves only util · total), and `fit` answers 47 with the reason.
BOOST_AUTO_TEST_CASE(issue19_batch_beyond_the_pool_does_not_fit_and_fit_agrees) {
    const Result at = estimate_yaml(awq_70b_on_4090s(47));
    BOOST_TEST(at.estimate.fits);
    const Result over = estimate_yaml(awq_70b_on_4090s(48));
    BOOST_TEST(!over.estimate.fits);
    BOOST_TEST(over.estimate.total_bytes <= over.estimate.gpu_memory_bytes);  // the bytes alone fit
    BOOST_TEST(over.estimate.refusal.find("holds 47 sequences") != std::string::npos, over.estimate.refusal);
    const std::string file = write_scenario(awq_70b_on_4090s(16), "awq70b");
    const json::object fit = run_json({"fit", file, "--maximize", "workload.batch_size", "--format", "json"});
    BOOST_TEST(fit.at("value").as_int64() == 47);
    BOOST_TEST(fit.at("next").as_object().at("refusal").as_string().find("holds 47 sequences") != std::string::npos);
    const CliResult table = run_cli({"fit", file, "--maximize", "workload.batch_size", "--format", "table"});
    BOOST_TEST(table.out.find("largest workload.batch_size that fits: 47") != std::string::npos, table.out);
    BOOST_TEST(table.out.find("48: the KV pool") != std::string::npos, table.out);
    // A sweep's fits column says the same.
    const CliResult sweep = run_cli({"sweep", file, "--vary", "workload.batch_size=47,48", "--format", "csv"});
    BOOST_TEST(sweep.out.find("\n47,") != std::string::npos, sweep.out);
    BOOST_TEST(sweep.out.find(",8,true,") != std::string::npos, sweep.out);
    BOOST_TEST(sweep.out.find(",8,false,") != std::string::npos, sweep.out);
}

// vLLM refuses to start when one request of max_model_len does not fit the pool (Llama-3.1-8B
// keeps its 131,072 positions): on one RTX 4090
//   weights 16,060,522,496 B + rotary table 33,554,432 B; peak = max(2048·(3·4096 + 3·14336)·2 = 226,492,416,
//   2048·4096·2 + 256·128256·14 = 16,777,216 + 459,669,504 = 476,446,720) = 476,446,720 B
//   pool = 22,960,895,164.4 − 16,094,076,928 − 476,446,720 − 171,966,464 = 6,218,405,052.4 B (5.79 GiB)
//   one request = 131,072 tokens · 131,072 B = 16 GiB > pool → "does not fit" with vLLM's reason,
// in JSON and in the table, although the bytes (util · total + graphs) fit the GPU.
BOOST_AUTO_TEST_CASE(issue19_vllm_startup_failure_is_does_not_fit_with_the_reason) {
    const std::string yaml =
        "model: {preset: llama-3.1-8b}\n"
        "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
        "hardware: {gpu: NVIDIA GeForce RTX 4090}\n"
        "runtime: {engine: vllm}\n";
    const Result r = estimate_yaml(yaml);
    BOOST_TEST(!r.estimate.fits);
    BOOST_TEST(r.estimate.total_bytes <= r.estimate.gpu_memory_bytes);
    BOOST_TEST(r.estimate.refusal.find("max_model_len 131,072") != std::string::npos, r.estimate.refusal);
    const std::string file = write_scenario(yaml, "startup");
    const json::object j = run_json({"run", file, "--format", "json"});
    BOOST_TEST(!j.at("fits").as_bool());
    BOOST_TEST(j.at("refusal").as_string().find("vLLM does not start") != std::string::npos);
    const CliResult table = run_cli({"run", file, "--format", "table", "--color", "never"});
    BOOST_TEST(table.out.find("Does not fit") != std::string::npos);
    BOOST_TEST(table.out.find("Engine: vLLM does not start") != std::string::npos, table.out);
    // With max_model_len 8192 it starts: 8192 · 131,072 B = 1 GiB fits the 5.79 GiB pool.
    const Result ok = estimate_yaml(yaml, {"runtime.max_model_len=8192"});
    BOOST_TEST(ok.estimate.fits);
    // No KV pool at all: util 0.5 leaves 11.88 GiB for 14.96 GiB of weights.
    const Result none = estimate_yaml(yaml, {"runtime.gpu_memory_utilization=0.5"});
    BOOST_TEST(!none.estimate.fits);
    BOOST_TEST(none.estimate.refusal.find("no memory left for the KV cache") != std::string::npos);
}

// count: auto with vLLM chooses tensor parallel in a node (a power of two dividing the heads)
// before pipeline stages, as vLLM deployments do; HF transformers splits layers (device_map).
BOOST_AUTO_TEST_CASE(issue19_count_auto_takes_layouts_the_engine_runs) {
    const Result v = estimate_yaml(awq_70b_on_4090s(16), {"hardware.count=auto", "parallelism.tensor=1"});
    BOOST_TEST_MESSAGE("vLLM count: auto → " << v.estimate.gpu_count << " GPUs");
    BOOST_TEST(v.estimate.fits);
    BOOST_TEST(v.estimate.ranks.size() == 1u);  // no pipeline stages
    const auto n = v.estimate.gpu_count;
    BOOST_TEST((n > 1 && n <= 8 && (n & (n - 1)) == 0));
    const Result hf = estimate_yaml(
        "model: {preset: llama-3.1-70b}\n"
        "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
        "hardware: {gpu: NVIDIA GeForce RTX 4090, count: auto}\n"
        "runtime: {engine: hf}\n");
    BOOST_TEST(hf.estimate.fits);
    BOOST_TEST(hf.estimate.ranks.size() == static_cast<std::size_t>(hf.estimate.gpu_count));  // one stage per GPU
}

// SGLang (runtime.engine: sglang), Llama-3.1-8B bf16 on one H100 SXM (79.18 GiB usable =
// 85,018,877,624.32 B = 81,080.32 MiB), SGLang's defaults (server_args.py
// _handle_gpu_memory_settings):
//   GPU in [60, 160) GiB, TP 1 → chunked_prefill_size 8192, cuda_graph_max_bs 256
//   reserved = 512 + 8192 · 1.5 + 256 · 2 + 1 · 1 / 8 · 1024 = 13,440 MB (above the 10,240 floor)
//   mem_fraction_static = round((81,080.32 − 13,440) / 81,080.32, 3) = round(0.83424, 3) = 0.834
//   free before the weights = 85,018,877,624.32 − CUDA context 604 MiB (633,339,904) = 84,385,537,720.32 B
//   weights as SGLang measures them (segments): every matrix is a whole number of 2 MiB (qkv 48 MiB,
//   o 32, gate_up 224, down 112, embed_tokens and lm_head 1,002 MiB), the 65 norms (8,192 B each,
//   532,480 B) share one 2 MiB small-pool segment: 2,097,152 − 532,480 = 1,564,672 B of rounding
//   pool = 0.834 · 84,385,537,720.32 − weights 16,060,522,496 − rotary table 131,072 · 128 · 2 = 33,554,432
//          − rounding 1,564,672
//        = 70,377,538,458.75 − 16,095,641,600 = 54,281,896,858.75 B
//   KV per token = 32 layers · 2 · 8 heads · 128 · 2 B = 131,072 B → floor(54,281,896,858.75 / 131,072)
//   = 414,138 tokens (page_size 1); sequences of 8192 tokens held at once = floor(414,138 / 8192) = 50
BOOST_AUTO_TEST_CASE(issue19_sglang_kv_pool_is_mem_fraction_of_free_memory_minus_weights) {
    auto yaml = [](std::int64_t batch) {
        return "model: {preset: llama-3.1-8b}\n"
               "workload: {type: inference, batch_size: " + std::to_string(batch) + ", sequence_length: 8192}\n"
               "hardware: {gpu: H100 SXM}\nruntime: {engine: sglang}\n";
    };
    const Result r = estimate_yaml(yaml(8));
    BOOST_TEST(r.estimate.max_kv_tokens == 414138.0);
    BOOST_TEST(r.bytes("sglang.weights.allocator_rounding") == 1564672LL);
    BOOST_TEST(r.bytes("core.weights") == 16060522496LL);
    BOOST_TEST(r.bytes("sglang.kv_cache") == 8LL * 8192 * 131072);
    // The whole pool is held: KV of the batch + the unused rest = 54,281,896,858 B.
    BOOST_TEST(r.bytes("sglang.kv_cache") + r.bytes("sglang.kv_cache.unused_pool") == 54281896858LL);
    BOOST_TEST(r.bytes("sglang.weights.rope_cache") == 33554432LL);
    BOOST_TEST(r.estimate.fits);
    BOOST_TEST(estimate_yaml(yaml(50)).estimate.fits);
    const Result over = estimate_yaml(yaml(51));
    BOOST_TEST(!over.estimate.fits);
    BOOST_TEST(over.estimate.refusal.find("holds 50 sequences") != std::string::npos, over.estimate.refusal);
    // An explicit fraction replaces the default: 0.9 · 84,385,537,720.32 − 16,095,641,600
    // = 75,946,983,948.29 − 16,095,641,600 = 59,851,342,348.29 B → floor(/ 131,072) = 456,629 tokens.
    BOOST_TEST(estimate_yaml(yaml(8), {"runtime.mem_fraction_static=0.9"}).estimate.max_kv_tokens == 456629.0);
}

// SGLang splits what mem_fraction_static leaves between a state pool and the KV pool for hybrid
// linear-attention models (model_runner_kv_cache_mixin.py handle_max_mamba_cache, ratio 0.9).
// Qwen3-Next-80B-A3B at TP 4: 36 Gated DeltaNet layers, each request keeping per layer
//   conv  (value_dim 4,096 + 2 · 16 key heads · 128) / 4 · (4 − 1) · 2 B (bf16) = 12,288 B
//   state 32 value heads / 4 · 128 · 128 · 4 B (fp32)                         = 524,288 B
//   → 36 · 536,576 = 19,316,736 B per request; KV of the 12 full layers: 2 KV heads < 4, one per
//   rank: 12 · 256 · 2 · 2 B = 12,288 B per token.
//   rest R = the pool; requests = floor(R · 0.9 / 1.9 / 19,316,736); tokens = floor((R − requests ·
//   19,316,736) / 12,288); at most floor(requests / 3) run at once.
// A batch of 4 × 32,768 holds 4 · (32,768 · 12,288 + 19,316,736) = 1,687,879,680 B.
BOOST_AUTO_TEST_CASE(issue19_sglang_hybrid_linear_attention_splits_the_pool_by_mamba_full_memory_ratio) {
    auto yaml = [](std::int64_t batch, std::int64_t tokens) {
        return "model: {preset: qwen3-next-80b-a3b-instruct}\nworkload: {type: inference, batch_size: " +
               std::to_string(batch) + ", sequence_length: " + std::to_string(tokens) +
               "}\nparallelism: {tensor: 4}\nhardware: {gpu: H100 SXM, count: 4}\nruntime: {engine: sglang}\n";
    };
    const Result r = estimate_yaml(yaml(4, 32768));
    BOOST_TEST(r.bytes("sglang.kv_cache") == 1687879680LL);
    const double rest = static_cast<double>(r.bytes("sglang.kv_cache") + r.bytes("sglang.kv_cache.unused_pool"));
    const double per_request = 19316736.0;
    const double requests = std::floor(rest * 0.9 / 1.9 / per_request);
    const double tokens = std::floor((rest - requests * per_request) / 12288.0);
    BOOST_TEST(std::fabs(r.estimate.max_kv_tokens - tokens) <= 1.0, r.estimate.max_kv_tokens << " vs " << tokens);
    // Half the pool, about, goes to states: tokens are roughly rest / 1.9 / 12,288.
    BOOST_TEST(r.estimate.max_kv_tokens < rest / 12288.0 * 0.55);
    const auto running = static_cast<std::int64_t>(std::floor(requests / 3.0));
    BOOST_TEST(estimate_yaml(yaml(running, 1024)).estimate.fits);
    const Result over = estimate_yaml(yaml(running + 1, 1024));
    BOOST_TEST(!over.estimate.fits);
    BOOST_TEST(over.estimate.refusal.find("state pool") != std::string::npos, over.estimate.refusal);
    // bf16 states (SGLANG_MAMBA_SSM_DTYPE=bfloat16) halve the recurrent part: 36 · (12,288 + 262,144).
    const Result bf16 = estimate_yaml(yaml(4, 32768), {"runtime.mamba_ssm_dtype=bfloat16"});
    BOOST_TEST(bf16.bytes("sglang.kv_cache") == 4LL * (32768LL * 12288 + 36LL * (12288 + 262144)));
}

// QwQ-32B (Qwen2.5-32B shapes) at TP 4 on L4s: SGLang logged "Load weight end ... mem usage=15.54 GB"
// where the tensors are 15.29 GiB. Per rank and layer (bf16), each above 10 MiB so its segment is
// rounded up to 2 MiB (CUDACachingAllocator):
//   qkv (5,120 + 2 · 1,024) / 4 · 5,120 · 2 = 18,350,080 → 18 MiB: 524,288 B unused
//   o_proj 5,120 · 1,280 · 2 = 13,107,200 → 14 MiB: 1,572,864; gate_up 2 · 6,912 · 5,120 · 2 = 141,557,760
//   → 136 MiB: 1,048,576; down 70,778,880 → 68 MiB: 524,288  → 3,670,016 per layer · 64 = 234,881,024
//   embed_tokens, lm_head 38,016 · 5,120 · 2 = 389,283,840 → 372 MiB: 786,432 each → 1,572,864
//   small pool: qkv biases 1,792 · 2 = 3,584 B · 64 + 129 norms · 10,240 = 1,550,336 B in one 2 MiB
//   segment: 546,816
//   total 234,881,024 + 1,572,864 + 546,816 = 237,000,704 B (0.221 GiB; the log's excess is 0.25)
BOOST_AUTO_TEST_CASE(issue19_sglang_weights_are_measured_as_allocator_segments) {
    const Result r = estimate_yaml(
        "model: {preset: qwen2.5-32b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
        "parallelism: {tensor: 4}\nhardware: {gpu: NVIDIA L4, count: 4}\nruntime: {engine: sglang}\n");
    BOOST_TEST(r.bytes("sglang.weights.allocator_rounding") == 237000704LL);
    // Quantized weights keep scales and zero points in separate tensors: no figure is given.
    const Result awq = estimate_yaml(
        "model: {preset: qwen2.5-32b}\nprecision: {weights: awq}\n"
        "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
        "parallelism: {tensor: 4}\nhardware: {gpu: NVIDIA L4, count: 4}\nruntime: {engine: sglang}\n");
    BOOST_TEST(!awq.has("sglang.weights.allocator_rounding"));
}

// Llama-3.1-70B bf16 (141,107,412,992 B of weights) on one H100: 0.834 · 84.39e9 = 70.38e9 B
// of static memory cannot hold the weights; SGLang stops with "Not enough memory. Please try to
// increase --mem-fraction-static", and vram says "does not fit" with that reason.
BOOST_AUTO_TEST_CASE(issue19_sglang_startup_failure_is_does_not_fit_with_the_reason) {
    const Result r = estimate_yaml(
        "model: {preset: llama-3.1-70b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
        "hardware: {gpu: H100 SXM}\nruntime: {engine: sglang}\n");
    BOOST_TEST(!r.estimate.fits);
    BOOST_TEST(r.estimate.refusal.find("SGLang does not start") != std::string::npos, r.estimate.refusal);
    BOOST_TEST(r.estimate.max_kv_tokens == 0.0);
}

// transformers' generate() with a DynamicCache (runtime.cache_implementation: dynamic, the
// default): each decode step replaces every layer's K and V by a copy one token longer. The term
// replays that sequence through the allocator model (tvram_allocator.cpp checks its rules by
// hand). What is replayed, for Llama-3.1-8B (291 weight tensors, 32 layers), prompt 1024 → 1034:
//   weights 291 + prefill (residual 1 + 32 layers · (K, V, attention output, gate/up, act) 5)
//   + last-position logits and their fp32 copy 2 + 10 steps · (32 · 2 cat copies + 2 logits)
//   = 291 + 1 + 160 + 2 + 660 = 1,114 allocations.
BOOST_AUTO_TEST_CASE(issue19_hf_generate_replays_each_decode_steps_cache_copies) {
    const std::string yaml =
        "model: {preset: llama-3.1-8b}\n"
        "workload: {type: inference, batch_size: 1, sequence_length: 1034, prompt_length: 1024}\n"
        "hardware: {gpu: H100 SXM}\n";
    const Result r = estimate_yaml(yaml);
    BOOST_TEST(r.has("hf.allocator.cache_growth"));
    const std::string file = write_scenario(yaml, "generate");
    const CliResult explain = run_cli({"run", file, "--explain"});
    BOOST_TEST(explain.out.find("replay of 1,114 allocations") != std::string::npos, explain.out);
    // The reserved view holds the cached blocks; allocated ≤ reserved ≤ device.
    BOOST_TEST(r.estimate.memory.reserved_peak == r.estimate.memory.allocated_peak + r.bytes("hf.allocator.cache_growth"));
    BOOST_TEST(r.estimate.memory.reserved_peak <= r.estimate.memory.device);
    // Without a generation (prompt_length 0: the whole sequence is the prompt) or with a static
    // cache (allocated once for the whole sequence) nothing grows.
    BOOST_TEST(!estimate_yaml(yaml, {"workload.prompt_length=0"}).has("hf.allocator.cache_growth"));
    BOOST_TEST(!estimate_yaml(yaml, {"runtime.cache_implementation=static"}).has("hf.allocator.cache_growth"));
}

// A long generation: Llama-3.1-8B, batch 4, prompt 1024 → 8192 tokens. Each layer's K (and V)
// grows by 4 · 8 heads · 128 · 2 B = 8 KiB per token, so its segment (rounded to 2 MiB above
// 10 MiB) changes size every 256 tokens; each time all 64 copies need new, larger segments and
// the old ones stay cached, too small for any later copy. The replay's cached blocks exceed
// the whole KV cache (8 GiB); with expandable_segments the one segment grows in place and holds
// far less. The cached blocks never take the device view past the GPU: the allocator frees
// them before it fails (batch 24 fits: allocated 41.3 GiB, reserved capped at the GPU).
BOOST_AUTO_TEST_CASE(issue19_hf_generate_cache_growth_is_cached_and_released_at_the_gpu_limit) {
    const std::string yaml =
        "model: {preset: llama-3.1-8b}\n"
        "workload: {type: inference, batch_size: 4, sequence_length: 8192, prompt_length: 1024}\n"
        "hardware: {gpu: H100 SXM}\n";
    const Result r = estimate_yaml(yaml);
    const Bytes cached = r.bytes("hf.allocator.cache_growth");
    BOOST_TEST_MESSAGE("generate 1024 -> 8192, batch 4: cached " << static_cast<double>(cached) / GiB
                                                                 << " GiB, allocated "
                                                                 << static_cast<double>(r.estimate.memory.allocated_peak) / GiB << " GiB");
    BOOST_TEST(cached > r.bytes("core.kv_cache"));
    const Result expandable = estimate_yaml(yaml, {"runtime.expandable_segments=true"});
    BOOST_TEST(expandable.bytes("hf.allocator.cache_growth") * 10 < cached);
    const Result big = estimate_yaml(yaml, {"workload.batch_size=24"});
    BOOST_TEST(big.estimate.fits);
    BOOST_TEST(big.estimate.memory.device <= big.estimate.gpu_memory_bytes);
    BOOST_TEST(big.estimate.memory.reserved_peak > big.estimate.memory.allocated_peak);
}

// Memory views for every scenario preset: allocated ≤ reserved ≤ device = total_bytes, and the
// terms outside the allocator (category overhead) are exactly device − reserved.
BOOST_AUTO_TEST_CASE(issue19_memory_views_are_ordered_for_every_scenario_preset) {
    int presets = 0;
    for (const auto& entry : fs::directory_iterator(source_path("presets/scenarios"))) {
        if (entry.path().extension() != ".yaml") continue;
        ++presets;
        const json::object j = run_json({"run", entry.path().string(), "--format", "json"});
        const json::object& m = j.at("memory").as_object();
        const auto allocated = m.at("allocated_peak_bytes").as_int64(), reserved = m.at("reserved_peak_bytes").as_int64();
        const auto device = m.at("device_bytes").as_int64(), total = j.at("total_bytes").as_int64();
        BOOST_TEST_INFO(entry.path().filename().string());
        BOOST_TEST(allocated <= reserved);
        BOOST_TEST(reserved <= device);
        BOOST_TEST(device == total);
        std::int64_t overhead = 0;
        for (const auto& c : j.at("components").as_array())
            if (c.as_object().at("category").as_string() == "overhead") overhead += c.as_object().at("bytes").as_int64();
        BOOST_TEST(device - reserved == overhead);
    }
    BOOST_TEST(presets >= 10);
}

// llama.cpp keeps token_embd in host memory (llama-model.cpp: the input layer is on the CPU):
// Llama-3.1-8B Q4_K_M stores token_embd as Q4_K: 128256 · 4096 · 144/256 B = 295,501,824 B, the
// host view; the GPU total leaves it out.
BOOST_AUTO_TEST_CASE(issue19_llamacpp_token_embd_is_host_memory) {
    const Result r = estimate_yaml(
        "model: {preset: llama-3.1-8b}\n"
        "precision: {weights: q4_k_m}\n"
        "workload: {type: inference, batch_size: 1, sequence_length: 8192}\n"
        "hardware: {gpu: NVIDIA GeForce RTX 4090}\n"
        "runtime: {engine: llama.cpp}\n");
    BOOST_TEST(r.estimate.memory.host == 295501824ULL);
    BOOST_TEST(r.estimate.memory.device == r.estimate.total_bytes);
    BOOST_TEST(r.estimate.fits);
}

// Startup logs (tests/data/engine-logs/logs.jsonl) vram expresses: each run's weights per GPU,
// KV pool per GPU (GiB) and non-torch memory, compared with what the log printed. The scenarios
// carry each run's settings as logged (GPU memory, utilization, TP/PP, max_model_len, the profile
// size of that vLLM: V0 without chunked prefill profiles max(max_model_len, 2048) tokens, with it
// (max_model_len > 32K) 2048 on < 70 GiB GPUs). Errors are printed for every row.
namespace {
struct LogCase {
    const char* id;
    std::string yaml;
    /// Logged values this case does not compare, with the reason beside the case.
    std::vector<std::string> skip = {};
};

double logged(const json::object& row, const char* key) {
    const json::value* v = row.if_contains(key);
    if (!v || v->is_null()) return -1;
    if (v->is_object()) return v->as_object().at("value").to_number<double>();
    return v->to_number<double>();
}
}  // namespace

BOOST_AUTO_TEST_CASE(issue19_engine_startup_logs_reproduced) {
    std::map<std::string, json::object> rows;
    {
        std::ifstream in(source_path("tests/data/engine-logs/logs.jsonl"));
        std::string line;
        while (std::getline(in, line))
            if (!line.empty()) {
                json::object o = json::parse(line).as_object();
                rows[std::string(o.at("id").as_string())] = o;
            }
    }
    BOOST_TEST(rows.size() >= 15u);
    const std::string llama3 = "model: {config: configs/meta-llama-meta-llama-3-8b.json}\nprecision: {weights: bf16}\n";
    const std::string unsloth_qwen25_05b =
        "model: {preset: qwen2.5-0.5b}\nprecision: {weights: nf4-dq, modules_to_not_convert: [lm_head, "
        "multi_modal_projector, merger, modality_projection, model.layers.0.self_attn, model.layers.0.mlp, "
        "model.layers.2.mlp, model.layers.3.mlp, model.layers.21.mlp, model.layers.0.self_attn.q_proj]}\n";
    const std::vector<LogCase> cases = {
        {"vllm-pr10511-llama3-8b-tp1",
         llama3 + "workload: {type: inference, batch_size: 1, sequence_length: 8192}\nhardware: {memory_gib: 79.22}\n"
                  "runtime: {engine: vllm, version: \"0.6\", max_num_batched_tokens: 8192, max_num_seqs: 256, "
                  "non_torch_mib: 1833}\n"},
        {"vllm-pr10511-llama3-8b-tp2",
         llama3 + "workload: {type: inference, batch_size: 1, sequence_length: 8192}\nparallelism: {tensor: 2}\n"
                  "hardware: {memory_gib: 79.22}\n"
                  "runtime: {engine: vllm, version: \"0.6\", max_num_batched_tokens: 8192, max_num_seqs: 256, "
                  "non_torch_mib: 1833, nccl_mib: 1833}\n"},
        {"vllm-10517-rtx3090-llama31-8b-20k",
         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 20000}\n"
         "hardware: {memory_gib: 23.58}\n"
         "runtime: {engine: vllm, version: \"0.6\", max_model_len: 20000}\n"},
        {"vllm-llmk8s-llama33-70b-a100-40g-tp4pp2-run1",
         "model: {preset: llama-3.1-70b}\nworkload: {type: inference, batch_size: 1, sequence_length: 131072}\n"
         "parallelism: {tensor: 4, pipeline: 2}\nhardware: {memory_gib: 39.49}\n"
         "runtime: {engine: vllm, version: 0.8-v0, cuda_graph_mib: 471}\n"},
        {"vllm-llmk8s-llama33-70b-a100-40g-tp4pp2-run2",
         "model: {preset: llama-3.1-70b}\nworkload: {type: inference, batch_size: 1, sequence_length: 131072}\n"
         "parallelism: {tensor: 4, pipeline: 2}\nhardware: {memory_gib: 39.49}\n"
         "runtime: {engine: vllm, version: 0.8-v0, cuda_graph_mib: 471}\n"},
        {"vllm-awskr-deepseek-coder-v2-lite-a100-40g-tp8",
         "model: {preset: deepseek-v2-lite}\nprecision: {weights: fp16}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 8192}\n"
         "parallelism: {tensor: 8}\nhardware: {memory_gib: 39.39}\n"
         "runtime: {engine: vllm, version: \"0.7\", max_model_len: 8192, max_num_seqs: 2}\n"},
        // vLLM V0 0.7.x, DeepSeek-R1-Distill-Qwen-14B (Qwen2.5-14B architecture) TP 2 on two RTX
        // 4090s (no P2P), gpu_memory_utilization 0.98, max_model_len 131072 (> 32K: chunked prefill,
        // 2048 batched tokens), total 23.55 GiB as the log's own numbers give it. Its KV GiB figure is
        // the non-driver rank's (no sampler); the token count is the pool vLLM uses, the driver's.
        // A vendor build of vLLM with V0's profiling line (version not stated) on two Alibaba
        // T-Head PPUs, stated as 96 GB each ("两张阿里PPU显卡（96GB * 2）"): DeepSeek-R1-Distill-
        // Qwen-32B (Qwen2.5-32B's architecture), full precision, TP 2, util 0.9, max_model_len from
        // the config (131,072, so chunked prefill).
        {"vllm-llmlearn-alippu-r1-distill-qwen-32b-tp2",
         "model: {preset: qwen2.5-32b}\nworkload: {type: inference, batch_size: 1, sequence_length: 131072}\n"
         "parallelism: {tensor: 2}\nhardware: {memory_gib: 96, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.7\", gpu_memory_utilization: 0.9}\n"},
        // Unsloth 2025.8.6 + vLLM 0.8.5.post1 V0 on an RTX 4090 D (23.55 GiB), the Unsloth dynamic
        // 4-bit Qwen2.5-0.5B-Instruct: NF4 with double quant (Unsloth turns off vLLM's
        // dequantization of the nested absmax, unsloth_zoo vllm_utils.py) and the skip list the
        // same file prints (llm_int8_skip_modules: layer 0 whole, the MLPs of layers 2, 3 and 21).
        // Unsloth's util 0.1734 / 0.2237 and max_num_seqs 160 / 192, no chunked prefill. LoRA is on
        // (PunicaWrapperGPU) at a rank the log does not state: its slots are in the logged weights,
        // not in ours.
        {"vllm-rldecisionagent-rtx4090d-qwen25-05b-bnb4-32k-tp1", unsloth_qwen25_05b + 
         "workload: {type: inference, batch_size: 1, sequence_length: 32768}\n"
         "hardware: {gpu: NVIDIA GeForce RTX 4090, memory_gib: 23.55}\n"
         "runtime: {engine: vllm, version: 0.8-v0, gpu_memory_utilization: 0.1734, max_model_len: 32768, "
         "max_num_seqs: 160}\n"},
        {"vllm-rldecisionagent-rtx4090d-qwen25-05b-bnb4-8k-tp1", unsloth_qwen25_05b + 
         "workload: {type: inference, batch_size: 1, sequence_length: 8192}\n"
         "hardware: {gpu: NVIDIA GeForce RTX 4090, memory_gib: 23.55}\n"
         "runtime: {engine: vllm, version: 0.8-v0, gpu_memory_utilization: 0.2237, max_model_len: 8192, "
         "max_num_seqs: 192}\n"},
        // Unsloth's dynamic 4-bit Qwen3-4B-Instruct-2507 under the same stack (vLLM 0.8.5.post1 V0 on
        // the RTX 4090 D), Unsloth's util 0.7763, 256 sequences, 32,768 tokens, with the skip list the
        // same log prints (embeddings, lm_head, self_attn of layers 0, 3, 6, MLPs of layers 1, 2, 3, 5,
        // 6, 34, 35). Qwen3-4B's shapes with the 2507 release's 262,144 positions and rope θ 5e6
        // (config.json copy in github:akougkas/warpio-cli@e84bac5 warpio-docs/ai-docs/model_cards/qwen3:4b.md).
        {"vllm-rldecisionagent-rtx4090d-qwen3-4b-2507-bnb4-tp1",
         "model:\n  architecture: {model_type: qwen3, hidden_size: 2560, intermediate_size: 9728, num_hidden_layers: 36,"
         " num_attention_heads: 32, num_key_value_heads: 8, head_dim: 128, vocab_size: 151936,"
         " max_position_embeddings: 262144, rope_theta: 5000000, tie_word_embeddings: true}\n"
         "precision: {weights: nf4-dq, modules_to_not_convert: [embed_tokens, embedding, lm_head, multi_modal_projector, "
         "merger, modality_projection, model.layers.6.self_attn, model.layers.0.self_attn, model.layers.35.mlp, "
         "model.layers.34.mlp, model.layers.3.self_attn, model.layers.5.mlp, model.layers.3.mlp, model.layers.6.mlp, "
         "model.layers.1.mlp, model.layers.2.mlp]}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 32768}\n"
         "hardware: {gpu: NVIDIA GeForce RTX 4090, memory_gib: 23.55}\n"
         "runtime: {engine: vllm, version: 0.8-v0, gpu_memory_utilization: 0.7763, max_model_len: 32768, "
         "max_num_seqs: 256}\n"},
        // The same checkpoint and skip list in three more launches of that repository (OpenPipe ART
        // + Unsloth): vLLM 0.10.0's V0 engine (Unsloth turns V1 off; its worker logs the same
        // memory-profiling lines as 0.8.x's V0) on a 48 GB RTX 4090 (47.50 GiB logged) and an RTX
        // 3090 (23.68), and 0.8.5.post1's on an RTX 4090 D; Unsloth's util 0.7828 / 0.7799 / 0.7765
        // and max_num_seqs 320 / 288 / 288, 32,768 tokens without chunked prefill.
        {"vllm-rldecisionagent-rtx4090-48g-qwen25-05b-bnb4-v0100-tp1", unsloth_qwen25_05b +
         "workload: {type: inference, batch_size: 1, sequence_length: 32768}\n"
         "hardware: {gpu: NVIDIA GeForce RTX 4090, memory_gib: 47.50}\n"
         "runtime: {engine: vllm, version: 0.8-v0, gpu_memory_utilization: 0.7828, max_model_len: 32768, "
         "max_num_seqs: 320}\n"},
        {"vllm-rldecisionagent-zhixingyun-rtx3090-qwen25-05b-bnb4-v0100-tp1", unsloth_qwen25_05b +
         "workload: {type: inference, batch_size: 1, sequence_length: 32768}\n"
         "hardware: {gpu: NVIDIA GeForce RTX 3090, memory_gib: 23.68}\n"
         "runtime: {engine: vllm, version: 0.8-v0, gpu_memory_utilization: 0.7799, max_model_len: 32768, "
         "max_num_seqs: 288}\n"},
        {"vllm-rldecisionagent-errormd-rtx4090d-qwen25-05b-bnb4-u078-tp1", unsloth_qwen25_05b +
         "workload: {type: inference, batch_size: 1, sequence_length: 32768}\n"
         "hardware: {gpu: NVIDIA GeForce RTX 4090, memory_gib: 23.55}\n"
         "runtime: {engine: vllm, version: 0.8-v0, gpu_memory_utilization: 0.7765, max_model_len: 32768, "
         "max_num_seqs: 288}\n"},
        // A full-precision fine-tune of Qwen2.5-0.5B-Instruct served by `vllm serve` with every default
        // (V1 of 0.8.5.post1 on the same RTX 4090 D: util 0.9, max_model_len 32,768 from the config).
        {"vllm-rldecisionagent-rtx4090d-qwen25-05b-retool-dapo-v1-tp1",
         "model: {preset: qwen2.5-0.5b}\nworkload: {type: inference, batch_size: 1, sequence_length: 32768}\n"
         "hardware: {gpu: NVIDIA GeForce RTX 4090, memory_gib: 23.55}\n"
         "runtime: {engine: vllm, version: \"0.8\", max_model_len: 32768}\n"},
        // Phi-4 as AutoRound's GPTQ 4-bit export (group 128; vLLM repacks it for Marlin) on an 80 GB
        // GPU (79.25 GiB logged), V0 of December 2024 (0.6.5/0.6.6: before the baseline snapshot of
        // 0.7, so the CUDA context is in its non-torch figure), util 0.15, max_model_len 2048.
        {"vllm-davidshare-phi4-gptq4-80g-u015-tp1",
         "model: {preset: phi-4}\nprecision: {weights: gptq}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 2048}\nhardware: {memory_gib: 79.25}\n"
         "runtime: {engine: vllm, version: \"0.6\", gpu_memory_utilization: 0.15, max_model_len: 2048}\n"},
        // Gemma-4-26B-A4B on an A100 80GB (same post and machine as the gpt-oss 0.19 run): util 0.9,
        // max_model_len 131,072, --enforce-eager, chunked prefill. Towers loaded (no
        // --limit-mm-per-prompt 0). vLLM also copies each k_eq_v layer's k_proj into the V slot
        // (14,417,920 parameters, 0.03 GiB) - not in ours.
        {"vllm-myoceane-gemma4-26b-a4b-a100",
         "model: {preset: gemma-4-26b-a4b}\nworkload: {type: inference, batch_size: 1, sequence_length: 131072}\n"
         "hardware: {gpu: A100 SXM4 80GB}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.9, max_model_len: 131072, "
         "enforce_eager: true}\n"},
        // SGLang (dev, September 2026) on a DGX Spark: GB10's memory is the host's, and what the GPU
        // has free when the weights start loading is what the log shows around them (66.05 + 47.23
        // = 113.28 GiB for 26B-A4B, 97.30 + 15.56 = 112.86 GiB for E4B), so memory_gib is that plus
        // SGLang's 0.59 GiB of start-up. --mem-fraction-static 0.75 / 0.85, 4 requests of 32,768.
        // The hybrid SWA pool: full-attention tokens compared ("full size").
        {"sglang-dgxspark-gb10-gemma4-26b-a4b-it-tp1",
         "model: {preset: gemma-4-26b-a4b}\nworkload: {type: inference, batch_size: 4, sequence_length: 32768}\n"
         "hardware: {memory_gib: 113.87}\nruntime: {engine: sglang, mem_fraction_static: 0.75, cuda_graph_max_bs: 4}\n"},
        {"sglang-dgxspark-gb10-gemma4-e4b-it-tp1",
         "model: {preset: gemma-4-e4b}\nworkload: {type: inference, batch_size: 4, sequence_length: 32768}\n"
         "hardware: {memory_gib: 113.45}\nruntime: {engine: sglang, mem_fraction_static: 0.85, cuda_graph_max_bs: 4}\n"},
        {"vllm-13061-2xrtx4090-r1-distill-qwen-14b-tp2",
         "model: {preset: qwen2.5-14b}\nworkload: {type: inference, batch_size: 1, sequence_length: 131072}\n"
         "parallelism: {tensor: 2}\nhardware: {gpu: NVIDIA GeForce RTX 4090, memory_gib: 23.55, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.7\", gpu_memory_utilization: 0.98, max_model_len: 131072, "
         "p2p: \"false\"}\n"},
        // vLLM V1 0.8.5 (dev), Llama-3.1-8B-Instruct on one L40S (torch reports 44.39 GiB for an
        // L40S/L40: vLLM logs, docs/serving.md), max_model_len 32768, defaults.
        {"vllm-pr17122-l40s-llama31-8b-v1",
         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 32768}\n"
         "hardware: {gpu: L40S, memory_gib: 44.39}\nruntime: {engine: vllm, version: \"0.8\", max_model_len: 32768}\n"},
        // vLLM V1 0.19.0, gpt-oss-20b as published (MXFP4 experts, the rest bf16) on an A100 80GB,
        // --gpu-memory-utilization 0.65 --max-model-len 131072. The logged weights may include
        // the Marlin MXFP4 kernel's repacking on SM80 (not modelled: the checkpoint's bytes).
        {"vllm-myoceane-gptoss20b-a100-v019",
         "model: {preset: gpt-oss-20b}\nprecision: {weights: mxfp4}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\nhardware: {gpu: A100 SXM4 80GB}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.65, max_model_len: 131072}\n"},
        // vLLM 0.8.3 V0 (Ray, two nodes), DeepSeek-V2.5 --tensor-parallel-size 8
        // --pipeline-parallel-size 2 --max-model-len 8192 --enforce-eager on A100-SXM4-40GB
        // (39.49 GiB as logged); the driver's line (pipeline stage 0). With and without InfiniBand.
        {"vllm-llmk8s-deepseek-v25-a100-40g-tp8pp2-ib",
         "model: {preset: deepseek-v2.5}\nworkload: {type: inference, batch_size: 1, sequence_length: 8192}\n"
         "parallelism: {tensor: 8, pipeline: 2}\nhardware: {memory_gib: 39.49, count: 16}\n"
         "runtime: {engine: vllm, version: 0.8-v0, max_model_len: 8192, enforce_eager: true}\n"},
        {"vllm-llmk8s-deepseek-v25-a100-40g-tp8pp2-noib",
         "model: {preset: deepseek-v2.5}\nworkload: {type: inference, batch_size: 1, sequence_length: 8192}\n"
         "parallelism: {tensor: 8, pipeline: 2}\nhardware: {memory_gib: 39.49, count: 16}\n"
         "runtime: {engine: vllm, version: 0.8-v0, max_model_len: 8192, enforce_eager: true}\n"},
        // vLLM 0.6.4.post1 V0 on a GTX 1080 (7.92 GiB), --dtype half: Llama-3.2-1B at util 0.95,
        // max_model_len 105,088 (chunked prefill: 512 batched tokens), and OPT-125m at util 0.9.
        {"vllm-xlispjimwvllm-gtx1080-llama32-1b-105k-tp1",
         "model: {preset: llama-3.2-1b}\nprecision: {weights: fp16}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\nhardware: {memory_gib: 7.92}\n"
         "runtime: {engine: vllm, version: \"0.6\", gpu_memory_utilization: 0.95, max_model_len: 105088, "
         "max_num_seqs: 256, max_num_batched_tokens: 512}\n"},
        {"vllm-xlispjimwvllm-gtx1080-phi-1_5-tp1",
         "model: {preset: phi-1.5}\nprecision: {weights: fp16}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 2048}\nhardware: {memory_gib: 7.92}\n"
         "runtime: {engine: vllm, version: \"0.6\", max_model_len: 2048}\n"},
        {"vllm-xlispjimwvllm-gtx1080-opt-125m-tp1",
         "model: {preset: opt-125m}\nprecision: {weights: fp16}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 2048}\nhardware: {memory_gib: 7.92}\n"
         "runtime: {engine: vllm, version: \"0.6\", max_model_len: 2048}\n"},
        // vLLM 0.8.2 V0 on a T4 (14.74 GiB), Llama-3.2-3B-Instruct cast to fp16, util 0.8938626,
        // max_model_len 2048, 192 sequences, 2048 batched tokens.
        {"vllm-hfcookbook-t4-llama32-3b-tp1",
         "model: {preset: llama-3.2-3b}\nprecision: {weights: fp16}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 2048}\nhardware: {memory_gib: 14.74}\n"
         "runtime: {engine: vllm, version: 0.8-v0, gpu_memory_utilization: 0.8938626454842437, max_model_len: 2048, "
         "max_num_seqs: 192, max_num_batched_tokens: 2048}\n"},
        // vLLM 0.8.4 V0 on an RTX 2060 12 GB (12.0 GiB as logged), Qwen3-4B fp16, util 0.95,
        // max_model_len 10,000, one sequence.
        {"vllm-q07klanggraphmcp-rtx2060-12g-qwen3-4b-tp1",
         "model: {preset: qwen3-4b}\nprecision: {weights: fp16}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\nhardware: {memory_gib: 12.0}\n"
         "runtime: {engine: vllm, version: 0.8-v0, gpu_memory_utilization: 0.95, max_model_len: 10000, "
         "max_num_seqs: 1}\n"},
        // vLLM 0.8.5 V0 on an RTX 3090 (23.56 GiB), Qwen3-30B-A3B as compressed-tensors w4a16 (group
        // 128 taken; the checkpoint's ignore list is not in the log), util 0.9, 8 sequences.
        {"vllm-17327-rtx3090-qwen3-30b-a3b-w4a16-tp1",
         "model: {preset: qwen3-30b-a3b}\nprecision: {weights: int4}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\nhardware: {memory_gib: 23.56}\n"
         "runtime: {engine: vllm, version: 0.8-v0, max_model_len: 40960, max_num_seqs: 8}\n"},
        // vLLM 0.10.1.1 V1, Qwen2-7B-Instruct bf16 on A100 80GB at util 0.25 / 0.5, TP 1 / 2, and on
        // two A100 40GB nodes at TP 2; max_model_len 16,384, 2048 batched tokens.
        {"vllm-dennislee22-a100-80gb-qwen2-7b-tp1-u025",
         "model: {preset: qwen2-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: A100 SXM4 80GB}\nruntime: {engine: vllm, version: \"0.10\", gpu_memory_utilization: 0.25, "
         "max_model_len: 16384, max_num_batched_tokens: 2048}\n"},
        {"vllm-dennislee22-a100-80gb-qwen2-7b-tp1-u05",
         "model: {preset: qwen2-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: A100 SXM4 80GB}\nruntime: {engine: vllm, version: \"0.10\", gpu_memory_utilization: 0.5, "
         "max_model_len: 16384, max_num_batched_tokens: 2048}\n"},
        {"vllm-dennislee22-a100-80gb-qwen2-7b-tp2-u025",
         "model: {preset: qwen2-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 2}\nhardware: {gpu: A100 SXM4 80GB, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.10\", gpu_memory_utilization: 0.25, max_model_len: 16384, "
         "max_num_batched_tokens: 2048}\n"},
        {"vllm-dennislee22-a100-80gb-qwen2-7b-tp2-u05",
         "model: {preset: qwen2-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 2}\nhardware: {gpu: A100 SXM4 80GB, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.10\", gpu_memory_utilization: 0.5, max_model_len: 16384, "
         "max_num_batched_tokens: 2048}\n"},
        {"vllm-dennislee22-a100-40gb-qwen2-7b-tp2-u05",
         "model: {preset: qwen2-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 2}\nhardware: {gpu: A100 SXM4 40GB, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.10\", gpu_memory_utilization: 0.5, max_model_len: 16384, "
         "max_num_batched_tokens: 2048}\n"},
        // gpt-oss-120b (MXFP4 experts) on four A100 80GB nodes, TP 4, util 0.8. Its "GPU KV cache
        // size" is the hybrid allocator's: num_blocks // 2 groups (18 sliding, 18 full layers) · 16.
        {"vllm-dennislee22-a100-80gb-gptoss-120b-tp4-u08",
         "model: {preset: gpt-oss-120b}\nprecision: {weights: mxfp4}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 4}\nhardware: {gpu: A100 SXM4 80GB, count: 4}\n"
         "runtime: {engine: vllm, version: \"0.10\", gpu_memory_utilization: 0.8, max_model_len: 16384, "
         "max_num_batched_tokens: 2048}\n"},
        // vLLM 0.19.0 on H100 80GB (79.19 GiB logged), util 0.95, max_model_len 8192, 1024 sequences,
        // 8192 batched tokens (llm-d-planner PR #205 benchmark logs).
        {"vllm-llmdplanner-h100-llama31-8b-tp1",
         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama31-8b-tp2",
         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 2}\nhardware: {gpu: H100 SXM, memory_gib: 79.19, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama31-8b-tp4",
         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 4}\nhardware: {gpu: H100 SXM, memory_gib: 79.19, count: 4}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen3-8b-tp1",
         "model: {preset: qwen3-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-phi4-tp1",
         "model: {preset: phi-4}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-gemma2-9b-tp1",
         "model: {preset: gemma-2-9b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        // gpt-oss-20b at util 0.9, TP 2 (the hybrid allocator's token figure, as above).
        {"vllm-llmdplanner-h100-gptoss-20b-tp2",
         "model: {preset: gpt-oss-20b}\nprecision: {weights: mxfp4}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 2}\nhardware: {gpu: H100 SXM, memory_gib: 79.19, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.9, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        // The second llm-d-planner selection (vLLM 0.19.0, H100): every other successful multi-GPU
        // run of the folder. Llama-3.3-70B has Llama-3.1-70B's shapes; the RedHatAI checkpoints are
        // FP8-dynamic (fp8 weights, per-channel scales) and W8A8 (int8 weights, per-channel scales).
        {"vllm-llmdplanner-h100-llama33-70b-fp8dyn-tp2",
         "model: {preset: llama-3.1-70b}\nprecision: {weights: fp8}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 2}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama33-70b-fp8dyn-tp4",
         "model: {preset: llama-3.1-70b}\nprecision: {weights: fp8}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 4}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19, count: 4}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama33-70b-w8a8-tp2",
         "model: {preset: llama-3.1-70b}\nprecision: {weights: w8a8}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 2}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama31-8b-pp2",
         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {pipeline: 2}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama31-8b-pp4",
         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {pipeline: 4}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19, count: 4}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-mixtral-8x7b-tp2",
         "model: {preset: mixtral-8x7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 2}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen25-72b-tp2",
         "model: {preset: qwen2.5-72b-instruct}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 2}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen25-7b-tp2",
         "model: {preset: qwen2.5-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 2}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen25-7b-tp4",
         "model: {preset: qwen2.5-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 4}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19, count: 4}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama4-scout-tp4",
         "model: {preset: llama-4-scout-17b-16e-instruct}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 4}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19, count: 4}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        // The third llm-d-planner selection (vLLM 0.19.0, one H100): every remaining successful run
        // of the folder, whatever its values. FP8-dynamic checkpoints scale each output channel.
        {"vllm-llmdplanner-h100-codellama-7b",
         "model: {preset: codellama-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-deepseek-v2-lite-chat",
         "model: {preset: deepseek-v2-lite}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen25-7b-fp8dyn",
         "model: {preset: qwen2.5-7b}\nprecision: {weights: fp8, scales: per_channel}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-gemma2-27b",
         "model: {preset: gemma-2-27b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-gemma2-2b",
         "model: {preset: gemma-2-2b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-gemma3-12b",
         "model: {preset: gemma-3-12b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-gemma3-27b",
         "model: {preset: gemma-3-27b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-gemma3-4b",
         "model: {preset: gemma-3-4b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        // google/gemma-7b's config.json shapes (as in the ollama #790 case below)
        {"vllm-llmdplanner-h100-gemma-7b",
         "model:\n  architecture: {model_type: gemma, hidden_size: 3072, intermediate_size: 24576, num_hidden_layers: 28,"
         " num_attention_heads: 16, num_key_value_heads: 16, head_dim: 256, vocab_size: 256000,"
         " max_position_embeddings: 8192, tie_word_embeddings: true}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        // Llama-3.2-11B-Vision on vLLM's V0 (PR #12126 branch, 0.7 dev): --max-model-len 65536
        // --max-num-seqs 128 --enforce-eager, H100 (79.22 GiB). V0 profiles max_num_seqs dummy
        // sequences each with the largest image through the vision encoder (36.63 GiB of activation
        // peak logged); that profile is not modelled, so its KV pool is a miss.
        {"vllm-pr12126-llama32-11b-vision-h100",
         "model: {preset: llama-3.2-11b-vision}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {memory_gib: 79.22}\n"
         "runtime: {engine: vllm, version: \"0.7\", max_model_len: 65536, max_num_seqs: 128, enforce_eager: true}\n"},
        // Mistral-Small-3.1-24B (bf16 at TP 1; RedHatAI's W8A8: int8 decoder Linear layers, the tower,
        // projector, embeddings and lm_head in bf16, at TP 1 and 2). The profile's torch peak holds
        // the encoder outputs of two 1540-px dummy images besides the text pass.
        {"vllm-llmdplanner-h100-mistral-small-31-24b",
         "model: {preset: mistral-small-3.1-24b-instruct}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-mistral-small-24b-w8a8-tp1",
         "model: {preset: mistral-small-3.1-24b-instruct}\nprecision: {weights: w8a8, activations: bf16}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-mistral-small-24b-w8a8-tp2",
         "model: {preset: mistral-small-3.1-24b-instruct}\nprecision: {weights: w8a8, activations: bf16}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\nparallelism: {tensor: 2}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19, count: 2}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-kimi-vl-a3b-tp1",
         "model: {preset: kimi-vl-a3b-instruct}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 1}\nhardware: {gpu: H100 SXM, memory_gib: 79.19, count: 1}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-kimi-vl-a3b-tp2",
         "model: {preset: kimi-vl-a3b-instruct}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 2}\nhardware: {gpu: H100 SXM, memory_gib: 79.19, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        // Granite-Vision-3.3-2B: the checkpoint's tensors (vLLM leaves out SigLIP's pooling head and
        // post_layernorm, 15,240,656 parameters: 0.03 GiB). Its largest image (a 384 x 3840
        // pinpoint, 8,289 embeddings) is not modelled: the encoder outputs it keeps are left out.
        {"vllm-llmdplanner-h100-granite-vision-33-2b",
         "model: {preset: granite-vision-3.3-2b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        // Unsloth's fast_inference on vLLM 0.8.2 (V0 fallback for bitsandbytes): Phi-4 in 4 bits
        // (vLLM's bitsandbytes loader quantizes to NF4 with compressed statistics whatever the
        // config says: model_loader/loader.py _unquantized_generator; Unsloth maps a 4-bit Phi-4
        // to a pre-quantized NF4 checkpoint, the same layout), --enable-lora rank 16, utilization
        // 0.696 (Unsloth's 69.6 %), max_model_len 512, 320 sequences.
        {"vllm-selfllm-a100-80g-phi4-bnb4-tp1",
         "model: {preset: phi-4}\nprecision: {weights: nf4-double-quant}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 512}\n"
         "hardware: {gpu: A100 SXM4 80GB, memory_gib: 79.15}\n"
         "runtime: {engine: vllm, version: 0.8-v0, gpu_memory_utilization: 0.696, max_model_len: 512, "
         "max_num_seqs: 320, enable_lora: true, max_lora_rank: 16}\n"},
        {"vllm-llmdplanner-h100-granite33-8b",
         "model: {preset: granite-3.3-8b-instruct}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-granite31-2b",
         "model: {preset: granite-3.1-2b-instruct}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-granite31-8b",
         "model: {preset: granite-3.1-8b-instruct}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-kimi-dev-72b-tp2",
         "model: {preset: kimi-dev-72b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 2}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19, count: 2}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-kimi-dev-72b-tp4",
         "model: {preset: kimi-dev-72b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 4}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19, count: 4}\n"
         "runtime: {engine: vllm, version: \"0.11\", gpu_memory_utilization: 0.95, max_model_len: 8192, "
         "max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama31-8b-kvfp8",
         "model: {preset: llama-3.1-8b}\nprecision: {kv_cache: fp8}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama31-8b-dtbf16",
         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        // --quantization fp8: vLLM quantizes the bf16 checkpoint on load, one scale per tensor
        {"vllm-llmdplanner-h100-llama31-8b-qfp8",
         "model: {preset: llama-3.1-8b}\nprecision: {weights: fp8}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama31-8b-fp16",
         "model: {preset: llama-3.1-8b}\nprecision: {weights: fp16}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama31-8b-fp32",
         "model: {preset: llama-3.1-8b}\nprecision: {weights: fp32}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama31-8b-2k",
         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 2048}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 2048, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama31-8b-4k",
         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 4096, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama31-8b-16k",
         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 16384, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama31-8b-32k",
         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 32768, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-phi2-2k",
         "model: {preset: phi-2}\nprecision: {weights: fp16}\nworkload: {type: inference, batch_size: 1, sequence_length: 2048}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 2048, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen15-moe-a27b",
         "model: {preset: qwen1.5-moe-a2.7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen25-7b-kvfp8",
         "model: {preset: qwen2.5-7b}\nprecision: {kv_cache: fp8}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen25-7b-dtbf16",
         "model: {preset: qwen2.5-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen25-7b-16k",
         "model: {preset: qwen2.5-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 16384, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen25-7b-32k",
         "model: {preset: qwen2.5-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 32768, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen25-7b-2k",
         "model: {preset: qwen2.5-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 2048}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 2048, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen25-7b-4k",
         "model: {preset: qwen2.5-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 4096, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen25-7b-tp1",
         "model: {preset: qwen2.5-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen3-30b-a3b",
         "model: {preset: qwen3-30b-a3b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        // RedHatAI's w4a16 is a GPTQ checkpoint (logged quantization=gptq_marlin), group 128, fp16
        {"vllm-llmdplanner-h100-llama31-8b-w4a16",
         "model: {preset: llama-3.1-8b}\nprecision: {weights: gptq, activations: fp16}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-llama31-8b-w8a8",
         "model: {preset: llama-3.1-8b}\nprecision: {weights: w8a8, activations: fp16}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        {"vllm-llmdplanner-h100-qwen25-7b-w8a8",
         "model: {preset: qwen2.5-7b}\nprecision: {weights: w8a8}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", "
         "gpu_memory_utilization: 0.95, max_model_len: 8192, max_num_seqs: 1024, max_num_batched_tokens: 8192}\n"},
        // SGLang (source checkout, June 2026), Qwen3-14B --tp-size 4 --mem-fraction-static 0.80 on
        // four RTX 4090s (24,564 MiB = 23.99 GiB each; no P2P), chunked prefill 2048 as logged.
        {"sglang-ugyhybnb-4090-qwen3-14b-tp4",
         "model: {preset: qwen3-14b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 4}\nhardware: {gpu: NVIDIA GeForce RTX 4090, memory_gib: 23.99, count: 4}\n"
         "runtime: {engine: sglang, mem_fraction_static: 0.8, chunked_prefill_size: 2048}\n"},
        // SGLang 0.5.19, Qwen3-32B bf16 --tp 1 --mem-fraction-static 0.90 --context-length 8192 on
        // an H100 (memory saver on: its 'avail mem' figures may move; the KV figures are the
        // author's summary of the run).
        {"sglang-llmd-snapshot-h100-qwen3-32b-tp1",
         "model: {preset: qwen3-32b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM}\nruntime: {engine: sglang, mem_fraction_static: 0.9}\n"},
        // SGLang, --tp 4 --mem-fraction-static 0.93 on 4 × H100: the pool in tokens.
        {"sglang-21348-qwen3-235b-fp8-4xh100-tp4",
         "model: {preset: qwen3-235b-a22b}\nprecision: {weights: fp8}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 4}\nhardware: {gpu: H100 SXM, count: 4}\n"
         "runtime: {engine: sglang, mem_fraction_static: 0.93}\n"},
        // SGLang, QwQ-32B (Qwen2.5-32B architecture) --tp 4 on 4 × L4 (23,034 MiB = 22.49 GiB each
        // as nvidia-smi reports an L4), mem_fraction_static 0.85; PCIe without P2P (the log
        // disables custom all-reduce).
        {"sglang-llmsinclouds-qwq32b-4xl4-tp4",
         "model: {preset: qwen2.5-32b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 4}\nhardware: {memory_gib: 22.49, count: 4}\n"
         "runtime: {engine: sglang, mem_fraction_static: 0.85, p2p: \"false\"}\n"},
        // SGLang, DeepSeek-R1-Distill-Qwen-7B (Qwen2.5-7B architecture) on an RTX 3090 (23.58 GiB,
        // the total vLLM logs for an RTX 3090 in #10517), mem_fraction_static 0.88.
        {"sglang-myr1-r1distillqwen7b-rtx3090-tp1",
         "model: {preset: qwen2.5-7b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {memory_gib: 23.58}\nruntime: {engine: sglang, mem_fraction_static: 0.88}\n"},
        // SGLang under Xinference, Qwen3-14B on one RTX A6000 (May 2025): mem_fraction_static is not
        // logged; the release line of that date sets it by TP size (0.88 at TP 1), and the logged
        // CUDA-graph batch sizes end at 160 as that line's default does for a 48 GB GPU.
        {"sglang-xinference3481-a6000-qwen3-14b-tp1",
         "model: {preset: qwen3-14b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: RTX A6000}\nruntime: {engine: sglang, version: \"0.4\"}\n"},
        // SGLang, Llama-3.1-8B-Instruct on an 80 GB Hopper GPU (FlashAttention-3), SGLang's TP 1
        // default of that release, mem_fraction_static 0.88.
        {"sglang-pr4760-llama31-8b-fa3-hopper80g",
         "model: {preset: llama-3.1-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM}\nruntime: {engine: sglang, mem_fraction_static: 0.88}\n"},
        // SGLang (rocm/sgl-dev v0.5.8.post1, February 2026) on eight MI355X, TP 8, with the
        // mem_fraction_static it chose and logged. The total is the log's own: 283.56 GiB free at
        // "Load weight begin" + 3.81 GiB of "Init torch distributed" + SGLang's 0.59 GiB before it
        // (cuda_context_mib) = 287.96 GiB (GLM-5: 283.50 + 3.81 + 0.59 = 287.90). ROCm's distributed
        // init (RCCL, aiter's custom all-reduce) takes 3.4-3.8 GiB per rank where vram carries
        // NVIDIA's 2.01 GiB at TP 8: those two values miss (not modelled). Kimi-K2.5 as Moonshot
        // ships it: compressed-tensors int4, group 32, the config's ignore list (only the routed
        // experts are quantized); MLA latent in bf16.
        {"sglang-ajithamd-mi355x-kimi-k25-tp8",
         "model: {preset: kimi-k2.5}\nprecision: {weights: int4, group_size: 32, modules_to_not_convert: [lm_head, "
         "\"re:.*self_attn.*\", \"re:.*shared_experts.*\", \"re:.*mlp\\\\.(gate|up|gate_up|down)_proj.*\"]}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\nparallelism: {tensor: 8}\n"
         "hardware: {memory_gib: 287.96, count: 8}\nruntime: {engine: sglang, mem_fraction_static: 0.8260405859375}\n"},
        // GLM-5-FP8 (fp8 e4m3, 128 x 128 block scales) with --kv-cache-dtype fp8_e4m3: SGLang budgets
        // the DSA pool by the MLA cell and stores the 656-byte fp8 latent (the test above).
        {"sglang-ajithamd-mi355x-glm5-fp8-tp8",
         "model: {preset: glm-5}\nprecision: {weights: fp8, scales: block, kv_cache: fp8}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\nparallelism: {tensor: 8}\n"
         "hardware: {memory_gib: 287.90, count: 8}\nruntime: {engine: sglang, mem_fraction_static: 0.908}\n"},
        // SGLang (April 2026) on four B200, TP 4, a Qwen3 checkpoint the excerpt does not name; its
        // own lines determine it: type=Qwen3ForCausalLM and K size / #tokens = 67.33 GiB / 2,206,208
        // = 32,768 B per token on a rank = 64 layers · 2 KV heads (8 / TP 4) · 128 · 2 B, and
        // Qwen3-32B is the only dense Qwen3 with 64 layers (14B has 40, 8B 36). Neither the total
        // nor mem_fraction_static is logged: the catalog's B200 and SGLang's default for it.
        {"sglang-pr22537-qwen3-b200-tp4",
         "model: {preset: qwen3-32b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 4}\nhardware: {gpu: B200 (HGX), count: 4}\nruntime: {engine: sglang}\n"},
        // SGLang (October 2025, PR #11716's description log), TP 8 on H200-class GPUs, a bf16 checkpoint
        // the excerpt does not name; its own lines determine the architecture: K size / #tokens =
        // 53.31 GiB / 2,795,207 = 20,480 B per token on a rank = 80 layers · 1 KV head (8 / TP 8) ·
        // 128 · 2 B, and `Loading safetensors checkpoint shards: 0/30`: the Llama-3.x-70B checkpoints
        // ship 30 shards (Qwen2.5-72B, the other 80-layer model with 8 KV heads of 128, ships 37).
        // The total is the log's own: 137.29 GiB free at `Load weight begin` on TP5 (whose KV line is
        // quoted) + its 2.01 GiB of distributed init + SGLang's 0.59 GiB before it = 139.89 GiB;
        // mem_fraction_static is not logged: SGLang's default for that GPU. Its dist-init value
        // (2.01 GiB) is where vram's nccl_mib comes from, so it agrees by construction.
        {"sglang-pr11716-tp8-h200-30shard",
         "model: {preset: llama-3.1-70b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 8}\nhardware: {gpu: NVIDIA H200 SXM 141GB, memory_gib: 139.89, count: 8}\n"
         "runtime: {engine: sglang}\n"},
        // vLLM 0.21.0 with LMCache's CPU-offload example (LMCacheConnectorV1), Qwen3-8B on an RTX A5000
        // (23.99 GiB), util 0.9764 and max_model_len 16,384 as logged; 0.21 profiles the CUDA graphs
        // before sizing the pool (logged: 0.9764 "is equivalent to 0.9543 without"), LMCache's
        // staging buffer (256 tokens of KV: 36 MiB) comes after the budget.
        {"vllm-lmcache3430-a5000-qwen3-8b-tp1-v021",
         "model: {preset: qwen3-8b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: NVIDIA RTX A5000, memory_gib: 23.99}\nruntime: {engine: vllm, version: latest, "
         "gpu_memory_utilization: 0.9764, max_model_len: 16384, kv_connector: lmcache}\n"},
        // vLLM V1 (July 2025, after PR #19312: the 0.10 line), Qwen3-235B-A22B-FP8 (block scales) on
        // four H100, TP 4, util 0.9 by default, with LMCacheConnectorV1.
        {"vllm-21348-qwen3-235b-fp8-4xh100-tp4",
         "model: {preset: qwen3-235b-a22b}\nprecision: {weights: fp8, scales: block}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\nparallelism: {tensor: 4}\n"
         "hardware: {gpu: H100 SXM, count: 4}\nruntime: {engine: vllm, version: \"0.10\", kv_connector: lmcache}\n"},
        // SGLang 0.5.9 (kt-kernel environment, no --kt-* flags), Qwen3.5-397B-A17B-FP8 on two RTX 4090
        // (23.99 GiB each, no P2P), --tp-size 2 --mem-fraction-static 0.85 --cpu-offload-gb 400
        // --chunked-prefill-size 2048 --disable-cuda-graph: every decoder layer (~184 GiB a rank)
        // fits the 400 GiB budget, so the GPU keeps the embedding, LM head and vision tower:
        // 2.11 GiB by placement where SGLang logs `mem usage=3.76 GB` (1.65 GiB not explained:
        // not the offloader, which moves every parameter of every layer, nor the rotary cache).
        // With the weights 1.65 GiB lighter and SGLang's free memory before them 0.52 GiB higher
        // than the log's 19.08 + 3.76, the state/KV split starts from 17.5 GiB of rest where the
        // log had 15.65: tokens +13.5 %. Both values miss.
        {"sglang-kt1870-4090-qwen35-397b-a17b-fp8-tp2",
         "model: {preset: qwen3.5-397b-a17b}\nprecision: {weights: fp8}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 8192}\nparallelism: {tensor: 2}\n"
         "hardware: {gpu: NVIDIA GeForce RTX 4090, memory_gib: 23.99, count: 2}\n"
         "runtime: {engine: sglang, mem_fraction_static: 0.85, chunked_prefill_size: 2048, disable_cuda_graph: true, "
         "cpu_offload_gb: 400}\n"},
        // The fifth selection (2026-12-08: every launch a search found that names a preset's
        // checkpoint and prints vLLM's memory lines, in the order found; tests/data/engine-logs).
        // vLLM 0.8.5.post1 V1, Qwen3-4B with online FP8 (--quantization fp8) on an RTX 4070
        // (12,282 MiB as its nvidia-smi prints), util 0.6, max_model_len 4096, one sequence.
        {"vllm-zhuxingda-rtx4070-qwen3-4b-fp8-tp1",
         "model: {preset: qwen3-4b}\nprecision: {weights: fp8}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: NVIDIA GeForce RTX 4070, memory_gib: 11.99}\nruntime: {engine: vllm, version: \"0.8\", "
         "gpu_memory_utilization: 0.6, max_model_len: 4096, max_num_seqs: 1}\n"},
        // vLLM 0.8.5.post1 V1 on an A10 (23,028 MiB = 22.49 GiB as nvidia-smi prints an A10; the
        // author's file names the A10 for its later section: INFERRED for this run): vLLM's
        // basic.py example (opt-125m fp16, defaults: util 0.9, 8,192 batched tokens as logged) and
        // `vllm serve Qwen/Qwen2.5-1.5B-Instruct` (max_model_len 32,768, 2,048 batched tokens).
        {"vllm-cr7258aiinfra-a10-opt-125m-tp1",
         "model: {preset: opt-125m}\nprecision: {weights: fp16}\nworkload: {type: inference, batch_size: 1, sequence_length: 2048}\n"
         "hardware: {gpu: NVIDIA A10, memory_gib: 22.49}\nruntime: {engine: vllm, version: \"0.8\", "
         "max_model_len: 2048, max_num_batched_tokens: 8192}\n"},
        {"vllm-cr7258aiinfra-a10-qwen25-15b-tp1",
         "model: {preset: qwen2.5-1.5b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: NVIDIA A10, memory_gib: 22.49}\nruntime: {engine: vllm, version: \"0.8\", "
         "max_model_len: 32768, max_num_batched_tokens: 2048}\n"},
        // vLLM 0.8.5.post1 V0 (ROCm build) on a Hygon K100_AI DCU (64 GB): only the weights line.
        {"vllm-gpustack2489-k100ai-qwen25-vl-3b-tp1",
         "model: {preset: qwen2.5-vl-3b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {memory_gib: 64}\nruntime: {engine: vllm, version: \"0.8-v0\", max_model_len: 32768}\n"},
        // gpt-oss-120b (MXFP4 experts) on one H100 80GB (79.19 GiB as vLLM logs an H100): vLLM 0.11
        // with defaults fails to start (available KV −2.28 GiB: no value to compare); with util 0.95
        // and 1,024 batched tokens 1.71 GiB remain (still short of one 131,072-token request).
        {"vllm-27508-h100-gptoss-120b-tp1-default",
         "model: {preset: gpt-oss-120b}\nprecision: {weights: mxfp4}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", max_model_len: 131072}\n"},
        {"vllm-27508c-h100-gptoss-120b-tp1-u095-mbt1024",
         "model: {preset: gpt-oss-120b}\nprecision: {weights: mxfp4}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", max_model_len: 131072, "
         "gpu_memory_utilization: 0.95, max_num_batched_tokens: 1024}\n"},
        // gpt-oss-120b on an H100 PCIe (vLLM 0.10.1, defaults: max_model_len 131,072, 8,192 batched
        // tokens; start-up failed on the KV budget) and on an H100 with vLLM 0.14.1 (util 0.97,
        // max_model_len 5,120, one sequence): the weights.
        {"vllm-23278-h100pcie-gptoss-120b-tp1",
         "model: {preset: gpt-oss-120b}\nprecision: {weights: mxfp4}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: NVIDIA H100 PCIe 80GB}\nruntime: {engine: vllm, version: \"0.10\", max_model_len: 131072, "
         "max_num_batched_tokens: 8192}\n"},
        {"vllm-33155-h100-gptoss-120b-tp1-v0141-5k",
         "model: {preset: gpt-oss-120b}\nprecision: {weights: mxfp4}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "hardware: {gpu: H100 SXM, memory_gib: 79.19}\nruntime: {engine: vllm, version: \"0.11\", max_model_len: 5120, "
         "gpu_memory_utilization: 0.97, max_num_seqs: 1}\n"},
        // Qwen3-Coder-30B-A3B (qwen3_moe, Qwen3-30B-A3B's shapes) on eight RTX A5000 (24,564 MiB =
        // 23.99 GiB), TP 8 with --enable-expert-parallel, max_model_len 262,144; the vLLM version
        // is not in the excerpt (its torch places it at 0.9.2 / 0.10.0: INFERRED, the 0.10 line):
        // bf16 at util 0.85, and the FP8 (block) checkpoint at util 0.7. vLLM's expert parallelism
        // replaces TP for the experts (EP size = TP · DP = 8: each rank holds 16 whole experts),
        // which stores the same bytes per rank as TP 8 splitting every expert: `tensor: 8` alone
        // (vram's `expert` multiplies Megatron-style, on top of TP).
        {"vllm-22177-8xa5000-qwen3-coder-30b-a3b-tp8ep",
         "model: {preset: qwen3-30b-a3b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 8}\nhardware: {gpu: NVIDIA RTX A5000, memory_gib: 23.99, count: 8}\n"
         "runtime: {engine: vllm, version: \"0.10\", gpu_memory_utilization: 0.85, max_model_len: 262144}\n"},
        {"vllm-22177-8xa5000-qwen3-coder-30b-a3b-fp8-tp8ep-u07",
         "model: {preset: qwen3-30b-a3b}\nprecision: {weights: fp8, scales: block}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "parallelism: {tensor: 8}\nhardware: {gpu: NVIDIA RTX A5000, memory_gib: 23.99, count: 8}\n"
         "runtime: {engine: vllm, version: \"0.10\", gpu_memory_utilization: 0.7, max_model_len: 262144}\n"},
        // Ollama's own engine (PR #11090's memory management, July 2025), a mistral3 Q8_0 model on
        // two GPUs. Its lines name the architecture (mistral3, 40 repeating layers, 585 tensors:
        // Mistral-Small-3.1's text and Pixtral tower) and its CPU buffer is the token embedding,
        // 131,072 · 5,120 at Q8_0 = 713,031,680 B = 680.0 MiB as logged. Compared: the sum of the
        // two GPUs' weight buffers (11.5 + 11.9 GiB), which does not depend on how the layers are
        // split; vram places llama.cpp layers on one device, so the case states one.
        {"ollama-pr11090-mistral3-q8-two-gpu",
         "model: {preset: mistral-small-3.1-24b-instruct}\nprecision: {weights: q8_0}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\nruntime: {engine: llama.cpp}\n"},
        // llama.cpp (March 2024) with its layers split over an RTX 4070 Ti and an RTX 3090 Ti, n_ctx
        // 4096. The excerpt names no file, but its lines fix the architecture: 41/41 layers (40
        // repeating + output) and freq_base 8,000,000 are Command-R v01's (and Aya-23-35B's, the same
        // shapes): hidden 8,192, 64 heads, 64 KV heads (config.json of CohereForAI/c4ai-command-r-v01,
        // copy in github:hlky/dinoml_v2@6b8c0ac agents/plans/transformers/cohere/_sources/
        // mirror_command_r_v01_config.json). Compared: the KV cache over both GPUs, 40 · 2 · 8,192 ·
        // 2 B · 4,096 = 5,120 MiB. The weight buffers are not: the file's quantization is not logged.
        {"llamacpp-pr6122-4070ti-3090ti-split",
         "model:\n  architecture: {model_type: cohere, hidden_size: 8192, intermediate_size: 22528, num_hidden_layers: 40,"
         " num_attention_heads: 64, num_key_value_heads: 64, vocab_size: 256000, max_position_embeddings: 8192,"
         " tie_word_embeddings: true, rope_theta: 8000000.0}\nprecision: {weights: q4_k_m, kv_cache: fp16}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
         "runtime: {engine: llama.cpp, n_ctx: 4096}\n",
         {"weights"}},
        // TensorRT-LLM's C++ runtime on trtllm-build engines. GPT-J-6B FP8 (weights and KV) with
        // trtllm-bench's limits (max_batch_size 4096, max_num_tokens 8192, max_seq_len 4098),
        // fraction 0.99, 0.12.0.dev on an 80 GB GPU (79.10 GiB logged).
        {"trtllm-suite-md-llama2-7b-fp8-80g",
         "model: {preset: gpt-j-6b}\nprecision: {weights: fp8, kv_cache: fp8, activations: fp16}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 256}\nhardware: {memory_gib: 79.10}\n"
         "runtime: {engine: trtllm, version: \"0.12\", max_batch_size: 4096, max_num_tokens: 8192, max_seq_len: 4098, "
         "kv_cache_free_gpu_mem_fraction: 0.99}\n"},
        // Qwen2.5-Coder-0.5B-Instruct (Qwen2.5-0.5B's architecture) as an int8 weight-only engine
        // (taken as int8 with a per-channel scale) with trtllm-build's defaults on an RTX A4000.
        {"trtllm-1188-a4000-qwen25-coder-05b-int8",
         "model: {preset: qwen2.5-0.5b}\nprecision: {weights: w8a8, activations: fp16}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 4096}\nhardware: {gpu: RTX A4000}\n"
         "runtime: {engine: trtllm}\n"},
        // Llama-3.1-8B-Instruct FP8 (ModelOpt) with FP8 KV, built with max_batch_size 2048,
        // max_num_tokens 1024, max_seq_len 2048, 0.19 on an RTX 5090 (31.84 GiB logged).
        {"trtllm-4275-rtx5090-llama31-8b-fp8",
         "model: {preset: llama-3.1-8b}\nprecision: {weights: fp8, kv_cache: fp8}\n"
         "workload: {type: inference, batch_size: 1, sequence_length: 2048}\n"
         "hardware: {gpu: GeForce RTX 5090, memory_gib: 31.84}\n"
         "runtime: {engine: trtllm, max_batch_size: 2048, max_num_tokens: 1024, max_seq_len: 2048}\n"},
    };
    int compared = 0, within = 0;
    int skipped = 0;  // logged values a stated case cannot compare: counted as misses below
    for (const auto& c : cases) {
        const auto it = rows.find(c.id);
        BOOST_REQUIRE_MESSAGE(it != rows.end(), c.id);
        const json::object& row = it->second;
        const Result r = estimate_yaml(c.yaml);
        const std::string engine(row.at("engine").as_string());
        const bool llamacpp = engine == "llama.cpp" || engine == "ollama";
        const std::string kv_term = engine == "sglang"         ? "sglang.kv_cache"
                                    : engine == "tensorrt-llm" ? "trtllm.kv_cache"
                                    : llamacpp                 ? "llama.cpp.kv_cache"
                                                               : "vllm.kv_cache";
        // llama.cpp's KV buffer is n_ctx cells, all of them the pool.
        const double pool = static_cast<double>(r.bytes(kv_term)) +
                            (llamacpp ? 0.0 : static_cast<double>(r.bytes(kv_term + ".unused_pool")));
        // SGLang's "Init torch distributed ends. mem usage" is its distributed init (absent at TP 1).
        const double non_torch =
            engine == "sglang"  ? (r.has("sglang.overhead.dist_init") ? static_cast<double>(r.bytes("sglang.overhead.dist_init")) : 0.0)
            : engine == "vllm" ? static_cast<double>(r.bytes("vllm.overhead.non_torch"))
                               : 0.0;
        // What the engines log as the model's memory: the weights and the rotary tables.
        const char* rope = engine == "sglang" ? "sglang.weights.rope_cache" : "vllm.weights.rope_cache";
        // llama.cpp and Ollama log the GPU buffers: every tensor but token_embd, which stays on the host.
        double model = llamacpp ? static_cast<double>(r.bytes("llama.cpp.weights"))
                                : static_cast<double>(r.bytes("core.weights")) +
                                      (r.has(rope) ? static_cast<double>(r.bytes(rope)) : 0.0);
        if (engine == "vllm" && r.has("vllm.weights.mxfp4_marlin_padding"))
            model += static_cast<double>(r.bytes("vllm.weights.mxfp4_marlin_padding"));
        // vLLM's LoRA slots are allocated inside the block it logs as "Model loading took".
        if (engine == "vllm" && r.has("vllm.weights.lora_slots"))
            model += static_cast<double>(r.bytes("vllm.weights.lora_slots"));
        // SGLang measures its weights as device memory: the segments the allocator reserved for them.
        if (engine == "sglang" && r.has("sglang.weights.allocator_rounding"))
            model += static_cast<double>(r.bytes("sglang.weights.allocator_rounding"));
        // A TensorRT-LLM engine holds its own copy of a tied embedding as lm_head; it logs MiB.
        if (engine == "tensorrt-llm" && r.has("trtllm.weights.lm_head_copy"))
            model += static_cast<double>(r.bytes("trtllm.weights.lm_head_copy"));
        // Values logged in MiB (TensorRT-LLM, llama.cpp) are compared in MiB, the others in GiB.
        auto in_mib = [&](const char* key) {
            const json::value* v = row.at(key).is_object() ? row.at(key).as_object().if_contains("unit") : nullptr;
            return v && v->is_string() && v->as_string() == "MiB";
        };
        const bool mib = in_mib("weights"), kv_mib = in_mib("kv_cache");
        const std::tuple<const char*, double, const char*> ours[] = {
            {"weights", mib ? model / MiB : model / GiB, mib ? "MiB" : "GiB"},
            {"kv_cache", kv_mib ? pool / MiB : pool / GiB, kv_mib ? "MiB" : "GiB"},
            {"kv_cache_tokens", r.estimate.max_kv_tokens, "tokens"},
            {"non_torch", non_torch / GiB, "GiB"},
        };
        for (const auto& [key, value, unit] : ours) {
            const double log = logged(row, key);
            if (log <= 0) continue;
            if (std::find(c.skip.begin(), c.skip.end(), key) != c.skip.end()) {
                ++skipped;
                BOOST_TEST_MESSAGE(c.id << " " << key << ": not compared (see the case)");
                continue;
            }
            // SGLang's "K size + V size" line is the KV pool; it is compared through the tokens. So
            // is #13061's, whose GiB figure is another rank's (see the case above).
            if (std::string(key) == "kv_cache" && (engine == "sglang" || std::string(c.id).find("13061") != std::string::npos))
                continue;
            const double err = (value - log) / log * 100.0;
            ++compared;
            if (std::fabs(err) <= 10.0) ++within;
            BOOST_TEST_MESSAGE(c.id << " " << key << ": ours " << value << " " << unit << ", logged " << log << " "
                                    << unit << ", error " << err << " %");
        }
    }
    BOOST_TEST_MESSAGE("engine logs: " << within << " of " << compared << " values within ±10 %");
    BOOST_TEST(compared >= 15);

    // Every collected log is accounted for: run above, compared by another test, or listed here
    // with what keeps vram from stating it. A new log without one of the three fails this test.
    // Their values count against the issue's 90 % until they are reproduced.
    const std::map<std::string, std::string> elsewhere = {
        {"ollama-790-gemma7b-partial-offload", "issue19_llamacpp_partial_offload_splits_kv_and_compute_buffers"},
    };
    const std::map<std::string, std::string> not_reproduced = {
        {"trtllm-224-a10-llama2-7b", "TensorRT-LLM 0.5 (GptManager before the executor API): its buffers are not modelled"},
        {"trtllm-1400-a100-smoothquant", "the model is not named (TensorRT-LLM 0.8)"},
        {"ollama-8377-two-gpu-pipeline", "llama.cpp layer split over two GPUs is not modelled; model not named"},
        {"llamafile-pr552-rtx4080-trilm", "TriLM ternary weights (llamafile) are not a vram weight format; model not named"},
        {"ollama-9181-4gpu-estimate-partial", "Ollama's own estimator (memory.required) is not modelled; model not named"},
        {"vllm-5248-t4-deepseek-coder-6.7b-instruct-tp2", "no DeepSeek-Coder-6.7B preset; only a block count"},
        {"sglang-inferencex2128-h200-deepseek-v4-pro-fp8-tp8", "no DeepSeek-V4 preset"},
        {"vllm-lmcache1739-a100-40g-qwen3-14b-tp1",
         "gpu_memory_utilization is not in the excerpt"},
    };
    int pending = skipped;
    for (const auto& [id, row] : rows) {
        const bool run = std::any_of(cases.begin(), cases.end(), [&](const LogCase& c) { return id == c.id; });
        if (run) continue;
        if (auto e = elsewhere.find(id); e != elsewhere.end()) {
            BOOST_TEST_MESSAGE(id << ": compared by " << e->second);
            continue;
        }
        const auto why = not_reproduced.find(id);
        if (why == not_reproduced.end()) {
            BOOST_ERROR(id << " is neither reproduced nor given a reason");
            continue;
        }
        // Counted as a stated log of its engine would be: SGLang's K + V size is its pool, compared
        // through the tokens, so it is one value, not two.
        const bool sglang = row.at("engine").as_string() == "sglang";
        for (const char* key : {"weights", "kv_cache", "kv_cache_tokens", "non_torch"})
            if (logged(row, key) > 0 && !(sglang && std::string(key) == "kv_cache")) ++pending;
        BOOST_TEST_MESSAGE(id << ": not reproduced (" << why->second << ")");
    }
    BOOST_TEST_MESSAGE("engine logs over every collected log: " << within << " of " << compared + pending
                                                                << " values within ±10 % (" << pending
                                                                << " values of logs vram cannot state yet)");
    // Issue 19's bar: at least 90 % of every collected value, the unstated ones counted as misses.
    BOOST_TEST(static_cast<double>(within) >= 0.9 * static_cast<double>(compared + pending),
               within << " of " << compared + pending << " is below 90 %");
}

// ollama #790 (tests/data/engine-logs, ollama-790-gemma7b-partial-offload): gemma-7b with 25 of
// its 28 layers on the GPU, n_ctx 2048. The log's buffers, and ours:
//   KV per layer = 2 · 16 KV heads · 256 · 2 B · 2048 = 33,554,432 B (32 MiB)
//   CUDA0 KV buffer 800.00 MiB = 25 · 32 MiB; CUDA_Host KV buffer 96.00 MiB = 3 · 32 MiB (exact)
//   CUDA0 compute buffer: the output layer stays on the host, so only the layers' worst case:
//     512 · 2048 · (16 + 1) · 4 + 4 · 512 · 3072 · 4 = 96,468,992 B (92.0 MiB; logged 112.00 MiB)
//   CUDA_Host compute buffer: 512 · (256000 + 3072) · 4 = 530,579,456 B (506.0 MiB; logged 518.00 MiB)
BOOST_AUTO_TEST_CASE(issue19_llamacpp_partial_offload_splits_kv_and_compute_buffers) {
    const std::string yaml =
        "model:\n  architecture: {model_type: gemma, hidden_size: 3072, intermediate_size: 24576, num_hidden_layers: 28,"
        " num_attention_heads: 16, num_key_value_heads: 16, head_dim: 256, vocab_size: 256000,"
        " max_position_embeddings: 8192}\n"
        "precision: {weights: q4_0, kv_cache: fp16}\n"
        "workload: {type: inference, batch_size: 1, sequence_length: 2048}\n"
        "hardware: {gpu: NVIDIA GeForce RTX 4090}\n"
        "runtime: {engine: llama.cpp, n_ctx: 2048, n_gpu_layers: 25}\n";
    const Result r = estimate_yaml(yaml);
    BOOST_TEST(r.bytes("llama.cpp.kv_cache") == 838860800ULL);
    BOOST_TEST(r.bytes("llama.cpp.compute_buffer") == 96468992ULL);
    const double gpu_compute_err = (96468992.0 / (112.0 * MiB) - 1) * 100;
    BOOST_TEST_MESSAGE("ollama #790 CUDA0 compute buffer: ours 92.00 MiB, logged 112.00 MiB, error " << gpu_compute_err
                                                                                                    << " %");
    // Host: the 3 CPU layers' KV (96 MiB) and the logits buffer (506 MiB) on top of the weights
    // kept there (token_embd and 3 layers).
    const Bytes host_kv_and_logits = 100663296ULL + 530579456ULL;
    BOOST_TEST(r.estimate.memory.host > host_kv_and_logits);
    const Result all = estimate_yaml(yaml, {"runtime.n_gpu_layers=-1"});
    BOOST_TEST(all.bytes("llama.cpp.kv_cache") == 939524096ULL);  // 28 · 32 MiB
    BOOST_TEST(all.bytes("llama.cpp.compute_buffer") == 530579456ULL);  // logits on the GPU now
}

// DeepSeek-V3's multi-token-prediction module is in the checkpoint and the exact count but vLLM
// loads it only for MTP speculative decoding (and transformers never): one MoE decoder layer
//   MLA attention: q_a 7168·1536 + 1536 + q_b 1536·24576 + kv_a 7168·576 + 512 + kv_b 512·32768
//                  + o 16384·7168                                           =    187,107,328
//   MoE: 256 · 3 · 7168 · 2048 + shared 3 · 7168 · 2048 + gate 256 · 7168 + bias 256 + 2 norms · 7168
//                                                                           = 11,320,178,944
//   enorm, hnorm, shared_head.norm 3 · 7168 + eh_proj 14336 · 7168         =    102,781,952
//   = 11,610,068,224 parameters = 23,220,136,448 B in bf16
BOOST_AUTO_TEST_CASE(issue19_mtp_layers_only_with_speculative_decoding) {
    const std::string yaml =
        "model: {preset: deepseek-v3}\nprecision: {weights: bf16}\n"
        "workload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
        "hardware: {memory_gib: 2048}\nruntime: {engine: vllm}\n";
    const Result plain = estimate_yaml(yaml);
    const Result mtp = estimate_yaml(yaml, {"runtime.speculative_mtp=true"});
    BOOST_TEST(mtp.bytes("core.weights") - plain.bytes("core.weights") == 23220136448ULL);
    const Result hf = estimate_yaml(yaml, {"runtime.engine=hf"});
    BOOST_TEST(hf.bytes("core.weights") == plain.bytes("core.weights"));
    BOOST_TEST(plain.estimate.notes.size() > 0u);
}

// DeepSeek-V2.5 (236B) under vLLM TP 8 · PP 2: every rank keeps MLA's down-projections and the MoE
// router whole (ReplicatedLinear in vllm deepseek_v2.py), the rest is split over 8.
//   per layer, attention on one rank: q_a 5120·1536 = 7,864,320 + q_a norm 1,536 (whole)
//     + q_b 1536·24576 / 8 = 4,718,592 + kv_a 5120·576 = 2,949,120 + kv_a norm 512 (whole)
//     + kv_b 512·32768 / 8 = 2,097,152 + o 16384·5120 / 8 = 10,485,760; + 2 norms 10,240
//     = 28,127,232 params
//   MoE layer: experts 160·3·5120·1536 / 8 = 471,859,200 + shared 3·5120·3072 / 8 = 5,898,240
//     + router 160·5120 = 819,200 (whole) = 478,576,640; dense layer 0: 3·5120·12288 / 8 = 23,592,960
//   stage 0 (layers 0-29, the embedding 102400·5120 / 8 = 65,536,000):
//     30·28,127,232 + 23,592,960 + 29·478,576,640 + 65,536,000 = 14,811,668,480 params
//     = 29,623,336,960 B (27.589 GiB; vLLM logged "Model loading took 27.6330 GiB")
//   stage 1 (layers 30-59, final norm 5,120, lm_head 65,536,000):
//     30·(28,127,232 + 478,576,640) + 5,120 + 65,536,000 = 15,266,657,280 params
//     = 30,533,314,560 B (28.437 GiB; logged 28.4772 GiB on the last stage's rank)
// The profile run's forward (8,192 tokens, vLLM's 0.7 line: before 0.7.3 the fused-MoE caches are separate) peaks in a
// MoE layer: per token 3·5120 + shared output 5120 + router 160 + 6 · (2·192 + 192 + 5120)
//   = 15,360 + 5,120 + 160 + 34,176 = 54,816 elements · 2 B · 8,192 = 898,105,344 B
//   (the dense layer: (15,360 + 3·12288/8) · 2 · 8,192 = 327,155,712 B)
// With cache3 in cache1's memory (V1 lines): 6 · (max(384, 5120) + 192) = 31,872 →
//   (15,360 + 5,120 + 160 + 31,872) · 2 · 8,192 = 860,356,608 B
BOOST_AUTO_TEST_CASE(issue19_deepseek_v25_replicated_mla_down_projections_and_fused_moe_workspace) {
    const std::string yaml =
        "model: {preset: deepseek-v2.5}\nworkload: {type: inference, batch_size: 1, sequence_length: 8192}\n"
        "parallelism: {tensor: 8, pipeline: 2}\nhardware: {memory_gib: 39.49, count: 16}\n"
        "runtime: {engine: vllm, version: \"0.7\", max_model_len: 8192, enforce_eager: true}\n";
    const Result r = estimate_yaml(yaml);
    BOOST_REQUIRE(r.estimate.ranks.size() == 2u);
    auto term = [](const RankBreakdown& rank, const std::string& id) {
        for (const Term& t : rank.terms)
            if (t.id == id) return t.bytes;
        return Bytes{0};
    };
    BOOST_TEST(term(r.estimate.ranks[0], "core.weights") == 29623336960ULL);
    BOOST_TEST(term(r.estimate.ranks[1], "core.weights") == 30533314560ULL);
    BOOST_TEST(term(r.estimate.ranks[0], "vllm.activations.profile_peak") == 898105344ULL);
    const Result v1 = estimate_yaml(yaml, {"runtime.version=0.10", "runtime.max_num_batched_tokens=8192"});
    BOOST_TEST(term(v1.estimate.ranks[0], "vllm.activations.profile_peak") == 860356608ULL);
}

// vLLM and SGLang build each distinct rotary setup's cos/sin table once: [positions, rotary_dim]
// in the model dtype (rotary_embedding.py RotaryEmbedding.__init__), counted in what loading the
// model took, and sized from the config:
//   Llama-3.1-8B: 131,072 positions · 128 dims · 2 B = 33,554,432 B (32 MiB): vLLM logged
//     "Model loading took 14.9888 GiB" = 16,060,522,496 + 33,554,432 B = 16,094,076,928 B (14.98878 GiB)
//   DeepSeek-V2.5 (MLA, YaRN): 4,096 · 40 = 163,840 positions · 64 rope dims · 2 B = 20,971,520 B
//   Phi-2 (partial_rotary_factor 0.4 of head_dim 80 = 32 dims): 2,048 · 32 · 2 B = 131,072 B
//   Gemma-3-1B: local and global bases, 2 tables · 32,768 · 256 · 2 B = 33,554,432 B
//   BLOOM-560M (ALiBi) and GPT-2 (learned positions): none
BOOST_AUTO_TEST_CASE(issue19_rope_tables_count_in_the_engines_model_memory) {
    const auto serve = [](const std::string& model, const std::string& engine) {
        return "model: {preset: " + model + "}\nworkload: {type: inference, batch_size: 1, sequence_length: 1024}\n"
               "hardware: {gpu: H100 SXM}\nruntime: {engine: " + engine + (engine == "vllm" ? ", max_model_len: 2048" : "") + "}\n";
    };
    BOOST_TEST(estimate_yaml(serve("llama-3.1-8b", "vllm")).bytes("vllm.weights.rope_cache") == 33554432ULL);
    BOOST_TEST(estimate_yaml(serve("llama-3.1-8b", "sglang")).bytes("sglang.weights.rope_cache") == 33554432ULL);
    const Result llama = estimate_yaml(serve("llama-3.1-8b", "vllm"));
    BOOST_TEST(llama.bytes("core.weights") + llama.bytes("vllm.weights.rope_cache") == 16094076928ULL);
    BOOST_TEST(estimate_yaml(serve("deepseek-v2.5", "vllm"), {"hardware.memory_gib=1024"}).bytes("vllm.weights.rope_cache") ==
               20971520ULL);
    BOOST_TEST(estimate_yaml(serve("phi-2", "vllm")).bytes("vllm.weights.rope_cache") == 131072ULL);
    BOOST_TEST(estimate_yaml(serve("gemma-3-1b", "vllm")).bytes("vllm.weights.rope_cache") == 33554432ULL);
    BOOST_TEST(!estimate_yaml(serve("bloom-560m", "vllm")).has("vllm.weights.rope_cache"));
    BOOST_TEST(!estimate_yaml(serve("gpt2", "vllm"), {"runtime.max_model_len=1024"}).has("vllm.weights.rope_cache"));
    // transformers keeps only inv_freq (head_dim / 2 floats): no table under the HF engine.
    BOOST_TEST(!estimate_yaml(serve("llama-3.1-8b", "hf")).has("vllm.weights.rope_cache"));
}

// vLLM's MXFP4 MoE on an A100 runs Marlin, whose create_weights pads each expert tensor to the
// kernel's tile multiples (intermediate per rank to 128, hidden to 256). gpt-oss-20b, TP 1:
//   gate_up 5760 × 2880 → 5888 × 3072 at 17/32 B: 8,812,800 → 9,609,216 B (+796,416) per expert
//   down    2880 × 2880 → 3072 × 2944:           4,406,400 → 4,804,608 B (+398,208)
//   biases (bf16) 5760 → 5888 (+256 B) and 2880 → 3072 (+384 B)
//   +1,195,264 B per expert · 32 experts · 24 layers = 917,962,752 B (0.855 GiB)
//   vLLM 0.19.0 logged 'Model loading took 13.72 GiB' on an A100: 12.832 GiB of weights and rotary
//   table + 0.855 GiB = 13.687 GiB (−0.2 %; without the padding −6.5 %).
// An H100 takes other kernels (no padding modelled) and bf16 weights have none.
BOOST_AUTO_TEST_CASE(issue19_vllm_marlin_pads_mxfp4_experts_below_hopper) {
    const auto yaml = [](const std::string& gpu) {
        return "model: {preset: gpt-oss-20b}\nprecision: {weights: mxfp4}\n"
               "workload: {type: inference, batch_size: 1, sequence_length: 4096}\nhardware: {gpu: " + gpu + "}\n"
               "runtime: {engine: vllm, gpu_memory_utilization: 0.65, max_model_len: 131072}\n";
    };
    const Result a100 = estimate_yaml(yaml("A100 SXM4 80GB"));
    BOOST_TEST(a100.bytes("vllm.weights.mxfp4_marlin_padding") == 917962752ULL);
    BOOST_TEST(!estimate_yaml(yaml("H100 SXM")).has("vllm.weights.mxfp4_marlin_padding"));
    BOOST_TEST(!estimate_yaml(yaml("A100 SXM4 80GB"), {"precision.weights=bf16"}).has("vllm.weights.mxfp4_marlin_padding"));
}

BOOST_AUTO_TEST_SUITE_END()
