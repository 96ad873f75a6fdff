// tvram_training.cpp - the "Done when" lines of issue 5 (training accuracy), with the arithmetic
// worked by hand in the comments. Numbers are never recomputed by the code under test.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <tuple>
#include <vector>

#include "test_support.hpp"
#include "vram/error.hpp"
#include "scenario/scenario_loader.hpp"

using namespace vram;
using namespace vram::test;

namespace {

// Llama-2-7B: 6,738,415,616 parameters (models.jsonl, issue 2 test).
constexpr Bytes kP = 6738415616ULL;

std::string llama2_training(const std::string& precision, const std::string& training, const std::string& extra = "") {
    return "name: llama-2-7b training\n"
           "model: {preset: llama-2-7b}\n"
           "precision: {weights: " + precision + "}\n"
           "workload: {type: training, batch_size: 1, sequence_length: 4096}\n"
           "training: {method: full, objective: sft, optimizer: adamw, " + training + "}\n"
           "hardware: {memory_gib: 80}\n" + extra;
}

const RankBreakdown& rank_at(const Estimate& e, std::int64_t stage) {
    for (const auto& r : e.ranks)
        if (r.stage == stage) return r;
    BOOST_FAIL("no rank for stage " << stage);
    return e.ranks.front();
}

// Bytes of `id` on rank `r`; an id that is not there fails (absence is checked with has_term).
Bytes term(const RankBreakdown& r, const std::string& id) {
    for (const auto& t : r.terms)
        if (t.id == id) return t.bytes;
    BOOST_FAIL("no component \"" << id << "\" on stage " << r.stage);
    return 0;
}

// Whether rank `r` has a term `id`; like Result::has, an id no plugin registers fails.
bool has_term(const RankBreakdown& r, const std::string& id) {
    if (std::any_of(r.terms.begin(), r.terms.end(), [&](const auto& t) { return t.id == id; })) return true;
    if (!core_registry().components.find(id)) BOOST_FAIL("has_term(\"" << id << "\"): no plugin registers this id");
    return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(training)

// Done when: Llama-2-7B full fine-tune with AMP AdamW shows model states of 16 bytes per parameter
// (or 18, with the convention named).
//   hf convention (torch.autocast over fp32 weights, HF Trainer):
//     weights  4 × 6,738,415,616 = 26,953,662,464
//     grads    4 × 6,738,415,616 = 26,953,662,464
//     AdamW    8 × 6,738,415,616 = 53,907,324,928
//     sum     16 × 6,738,415,616 = 107,814,649,856  (no master copy: the fp32 weights are the master)
//   + autocast's bf16 copy of every Linear weight: P − embed_tokens (32,000 × 4,096 = 131,072,000)
//     − norms (65 × 4,096 = 266,240) = 6,607,077,376 Linear params × 2 = 13,214,154,752
//     → 121,028,804,608 = 17.96 B/param, the HF docs' "18 bytes" with the exact Linear share.
BOOST_AUTO_TEST_CASE(issue5_llama2_7b_amp_adamw_16_bytes_per_parameter_hf) {
    const Result r = estimate_yaml(llama2_training("fp32", "mixed_precision: bf16, gradient_checkpointing: full"));
    BOOST_TEST(r.bytes("core.weights") == 26953662464ULL);
    BOOST_TEST(r.bytes("training.gradients") == 26953662464ULL);
    BOOST_TEST(r.bytes("training.optimizer_states") == 53907324928ULL);
    BOOST_TEST(!r.has("training.master_weights"));
    BOOST_TEST(r.bytes("core.weights") + r.bytes("training.gradients") + r.bytes("training.optimizer_states") ==
               16 * kP);
    BOOST_TEST(r.bytes("training.weights.autocast_copy") == 13214154752ULL);
    BOOST_TEST(r.estimate.trainable_parameters == static_cast<std::int64_t>(kP));
    const auto& notes = r.estimate.notes;
    BOOST_TEST(std::any_of(notes.begin(), notes.end(), [](const std::string& n) {
        return n.find("convention hf") != std::string::npos && n.find("18 bytes per parameter") != std::string::npos;
    }));
}

//   megatron convention, bf16 params + fp32 main grads (dist_optimizer.md: 18 bytes):
//     weights 2 × P = 13,476,831,232; main_grad 4 × P = 26,953,662,464; master 4 × P = 26,953,662,464;
//     Adam 8 × P = 53,907,324,928; sum 18 × P = 121,291,481,088.
//   deepspeed convention, ZeRO-0 bf16 engine (estimator: 2 + 2 + 4 + 4 + 8 = 20 at N = 1):
//     16-bit grads 2 × P = 13,476,831,232; fp32 grads 4 × P = 26,953,662,464 → 20 × P = 134,768,312,320.
BOOST_AUTO_TEST_CASE(issue5_llama2_7b_amp_adamw_18_bytes_megatron_20_deepspeed) {
    const Result m = estimate_yaml(llama2_training("bf16", "mixed_precision: bf16, full: {convention: megatron}"));
    BOOST_TEST(m.bytes("core.weights") == 13476831232ULL);
    BOOST_TEST(m.bytes("training.gradients") == 26953662464ULL);
    BOOST_TEST(m.bytes("training.master_weights") == 26953662464ULL);
    BOOST_TEST(m.bytes("training.optimizer_states") == 53907324928ULL);
    BOOST_TEST(!m.has("training.weights.autocast_copy"));
    BOOST_TEST(m.bytes("core.weights") + m.category(Category::gradients) + m.bytes("training.master_weights") +
                   m.bytes("training.optimizer_states") ==
               121291481088ULL);

    const Result d = estimate_yaml(llama2_training("bf16", "mixed_precision: bf16, full: {convention: deepspeed}"));
    BOOST_TEST(d.bytes("training.gradients") == 13476831232ULL);
    BOOST_TEST(d.bytes("training.gradients.fp32") == 26953662464ULL);
    BOOST_TEST(d.bytes("core.weights") + d.category(Category::gradients) + d.bytes("training.master_weights") +
                   d.bytes("training.optimizer_states") ==
               134768312320ULL);

    // Pure bf16 training (no AMP): bf16 grads and bf16 AdamW states (torch zeros_like(param)):
    //   2 + 2 + 4 = 8 B/param → grads 13,476,831,232, states 26,953,662,464.
    const Result p = estimate_yaml(llama2_training("bf16", "mixed_precision: none"));
    BOOST_TEST(p.bytes("training.gradients") == 13476831232ULL);
    BOOST_TEST(p.bytes("training.optimizer_states") == 26953662464ULL);
    BOOST_TEST(!p.has("training.master_weights"));
}

// Done when: a ZeRO-3 scenario over 8 GPUs divides weights, gradients and optimizer states by 8
// and --explain says so. deepspeed convention (auto: zero > 0), bf16:
//   weights 2P/8 = 13,476,831,232 / 8 = 1,684,603,904
//   16-bit grads 2P/8 = 1,684,603,904;   fp32 grads 4P/8 = 3,369,207,808
//   master 4P/8 = 3,369,207,808;   AdamW 8P/8 = 53,907,324,928 / 8 = 6,738,415,616
//   live gathered module with no prefetch and no reuse (ZeRO-3's replay with those keys, test
//   issue18_deepspeed_zero3_gather_follows_prefetch_live_and_reuse_keys for the defaults):
//   lm_head (32,000 × 4,096 = 131,072,000) and its gradient in its backward, 2 B each
//   = 524,288,000, + the 65 persistent 4,096-element norms whole on every rank:
//   266,240 × (1 − 1/8) × 2 B = 465,920 → 524,753,920
//   contiguous gradient bucket: 5e8 × 2 = 1,000,000,000
BOOST_AUTO_TEST_CASE(issue5_zero3_over_8_gpus_divides_model_states_by_8) {
    const std::string yaml = llama2_training("bf16", "mixed_precision: bf16, gradient_checkpointing: full, full: "
                                                     "{stage3_prefetch_bucket_size: 0, stage3_max_reuse_distance: 0}",
                                             "parallelism: {data: 8, zero: 3}\n");
    const Result r = estimate_yaml(yaml);
    BOOST_TEST(r.estimate.gpu_count == 8);
    BOOST_TEST(r.bytes("core.weights") == 1684603904ULL);
    BOOST_TEST(r.bytes("training.gradients") == 1684603904ULL);
    BOOST_TEST(r.bytes("training.gradients.fp32") == 3369207808ULL);
    BOOST_TEST(r.bytes("training.master_weights") == 3369207808ULL);
    BOOST_TEST(r.bytes("training.optimizer_states") == 6738415616ULL);
    BOOST_TEST(r.bytes("training.buffers.zero3_gathered") == 524753920ULL);
    BOOST_TEST(r.bytes("training.buffers.deepspeed_bucket") == 1000000000ULL);

    const CliResult cli = run_cli({"run", write_scenario(yaml, "zero3"), "--explain", "--format", "markdown"});
    BOOST_TEST_INFO(cli.err);
    BOOST_REQUIRE_EQUAL(cli.rc, 0);
    // The explain section lists "- **id** = formula / = substituted numbers / source".
    for (const std::string id : {"core.weights", "training.gradients", "training.optimizer_states"}) {
        const auto at = cli.out.find("**" + id + "**");
        BOOST_TEST_INFO(id);
        BOOST_REQUIRE(at != std::string::npos);
        const auto end = cli.out.find("source:", at);
        BOOST_TEST(cli.out.substr(at, end - at).find("/ dp=8") != std::string::npos);
    }
    BOOST_TEST(cli.out.find("ZeRO-3") != std::string::npos);
}

// Offloading optimizer and parameters (ZeRO-3, DeepSpeed estimator case 2: GPU = largest layer):
// weights, grads, master and states leave the GPU; the gathered module and its gradient
// (524,288,000, no prefetch, no reuse) and the persistent norms (465,920) stay.
BOOST_AUTO_TEST_CASE(issue5_zero3_offload_keeps_only_the_live_module) {
    const Result r = estimate_yaml(llama2_training("bf16", "mixed_precision: bf16, full: {stage3_prefetch_bucket_size: "
                                                           "0, stage3_max_reuse_distance: 0}",
                                                   "parallelism: {data: 8, zero: 3, offload: optimizer+parameters}\n"));
    BOOST_TEST(r.bytes("core.weights") == 0u);
    BOOST_TEST(r.bytes("training.gradients") == 0u);
    BOOST_TEST(r.bytes("training.gradients.fp32") == 0u);
    BOOST_TEST(r.bytes("training.master_weights") == 0u);
    BOOST_TEST(r.bytes("training.optimizer_states") == 0u);
    BOOST_TEST(r.bytes("training.buffers.zero3_gathered") == 524753920ULL);
}

// Done when: a pipeline-parallel scenario reports a different peak for the first and last stage.
// Llama-2-7B, p = 4 (megatron convention), bf16, b = 1, s = 4,096, flash, no checkpointing.
// Saved per token per layer: replicated 4h = 16,384 + q,k,v,o 4 × 4,096 = 16,384 + gated MLP
// 4F = 44,032 → 76,800 elements × 2 B = 153,600 B, + fp32 log-sum-exp 4 × 32 heads = 128 B
// → 153,728 B × 4,096 tokens = 629,669,888 B per layer; 8 layers per stage = 5,037,359,104 B.
//   first stage: 4 micro-batches in flight (1F1B): (5,037,359,104 + ids 8 × 4,096 = 32,768) × 4
//                = 20,149,567,488
//   last stage:  1 micro-batch: 5,037,359,104; logits (Megatron, no SP): final norm and output-layer
//                inputs 2 × 2 B × 4,096 = 16,384 B per token, logits bf16 + the CE's fp32 copy
//                (2 + 4) × 32,000 = 192,000 B per token: 4,096 × 208,384 = 853,540,864
BOOST_AUTO_TEST_CASE(issue5_pipeline_first_and_last_stage_peaks_differ) {
    const Result r = estimate_yaml(llama2_training("bf16", "mixed_precision: bf16", "parallelism: {pipeline: 4}\n"));
    const Estimate& e = r.estimate;
    BOOST_REQUIRE(e.ranks.size() >= 2);
    const RankBreakdown& first = rank_at(e, 0);
    const RankBreakdown& last = rank_at(e, 3);
    BOOST_TEST(term(first, "training.activations") == 20149567488ULL);
    BOOST_TEST(term(last, "training.activations") == 5037359104ULL);
    BOOST_TEST(!has_term(first, "training.logits"));  // the LM head lives on the last stage only
    BOOST_TEST(term(last, "training.logits") == 853540864ULL);
    BOOST_TEST(first.total != last.total);
    BOOST_TEST(e.total_bytes == std::max(first.total, last.total));
    BOOST_TEST(e.ranks[e.most_loaded].stage == 0);
    const CliResult cli = run_cli({"run", write_scenario(llama2_training("bf16", "mixed_precision: bf16",
                                                                         "parallelism: {pipeline: 4}\n"), "pp4"),
                                   "--format", "json"});
    BOOST_REQUIRE_EQUAL(cli.rc, 0);
    BOOST_TEST(cli.out.find("\"ranks\"") != std::string::npos);
}

// Activations of Llama-3-8B (h 4,096, 32 q / 8 kv heads of 128, F 14,336, V 128,256), bf16, b = 1:
//   per token per layer: block inputs 2h 8,192 + q 4,096 + k 1,024 + v 1,024 + o 4,096 + 4F 57,344
//   = 75,776 elements × 2 B = 151,552 B; the two LlamaRMSNorms each keep their fp32 upcast (4h B)
//   and, the weight being trainable, the normalized bf16 tensor (2h B): 2 × 6 × 4,096 = 49,152 B
//   → 200,704 B (formulas.md §5.3 counts the norm inputs at 2 B: 167,936 B = 41·h; its
//   "RMSNorm upcasts to fp32, up to ≈4–8·s·b·h per norm" adds 2 × 4h = 32,768), + lse 128 B.
//   s = 4,096, flash, no checkpointing: 200,832 × 4,096 = 822,607,872 per layer; × 32 =
//     26,323,451,904 + ids 32,768 = 26,323,484,672
//   full checkpointing: 32 × 4,096 × 4,096 × 2 = 1,073,741,824 + ids 32,768 = 1,073,774,592 + the
//     one layer recomputed in its backward (822,607,872), less the logits backward frees before
//     the last layer is recomputed: max(0, 822,607,872 − 6,371,147,776) = 0 → 1,073,774,592
//   logits (hf): 4,096 × (2 × 4,096 × 2 + 12 × 128,256) = 4,096 × 1,555,456 = 6,371,147,776
//   with Liger's fused loss the logits are 4,096 · 2 · 4,096 · 2 + 128-token chunk · 128,256 · 2
//     + grad_input 4,096 · 4,096 · 2 + 4,096 · 4 = 133,513,216, so the recomputed layer adds
//     822,607,872 − 133,513,216 = 689,094,656 → 1,762,869,248
BOOST_AUTO_TEST_CASE(issue5_activations_gqa_swiglu_and_checkpointing) {
    const auto yaml = [](const std::string& ckpt, const std::string& flash, int s) {
        return "name: llama-3-8b\nmodel: {config: configs/meta-llama-meta-llama-3-8b.json}\n"
               "precision: {weights: bf16}\n"
               "workload: {type: training, batch_size: 1, sequence_length: " + std::to_string(s) + "}\n"
               "training: {method: full, objective: pretrain, optimizer: adamw, gradient_checkpointing: " + ckpt +
               ", flash_attention: " + flash + "}\nhardware: {memory_gib: 80}\n";
    };
    const Result none = estimate_yaml(yaml("none", "true", 4096));
    BOOST_TEST(none.bytes("training.activations") == 26323484672ULL);
    BOOST_TEST(none.bytes("training.logits") == 6371147776ULL);
    const Result full = estimate_yaml(yaml("full", "true", 4096));
    BOOST_TEST(full.bytes("training.activations") == 1073774592ULL);
    BOOST_TEST(full.bytes("training.logits") == 6371147776ULL);  // checkpointing leaves the logits alone
    const Result liger = estimate_yaml(yaml("full", "true", 4096), {"training.loss=liger_flce"});
    BOOST_TEST(liger.bytes("training.logits") == 133513216ULL);
    BOOST_TEST(liger.bytes("training.activations") == 1762869248ULL);

    // Without flash attention, s = 2,048: the eager s² terms per layer are the fp32 softmax output
    // (4 B) and the bf16 probabilities the PV matmul saves (2 B): 32 heads × 2,048² × 6 =
    // 805,306,368; the rest 200,704 × 2,048 = 411,041,792 → 1,216,348,160 per layer × 32 =
    // 38,923,141,120 + ids 16,384 = 38,923,157,504.
    // Selective recomputation drops the s² terms: 32 × 411,041,792 + 16,384 = 13,153,353,728.
    const Result eager = estimate_yaml(yaml("none", "false", 2048));
    BOOST_TEST(eager.bytes("training.activations") == 38923157504ULL);
    const Result selective = estimate_yaml(yaml("selective", "false", 2048));
    BOOST_TEST(selective.bytes("training.activations") == 13153353728ULL);
}

// Optimizer layouts on a tiny inline Llama (h 64, F 128, 1 layer, 4 heads, V 256, untied):
// tensors: embed 256×64 = 16,384; q,k,v,o 64×64 = 4,096 each; gate, up 128×64 = 8,192; down
// 64×128 = 8,192; 3 norms of 64; lm_head 256×64 = 16,384. Pure bf16 (state element 2 B).
//   adamw-8bit: ≥ 4,096 elements → 2 × (n + 4 × n/256): embed 33,280, q/k/v/o 4 × 8,320 = 33,280,
//     MLP 3 × 16,640 = 49,920, lm_head 33,280; norms < 4,096 stay fp32: 3 × 2 × 64 × 4 = 1,536
//     → 151,296
//   adafactor: (rows + cols) × 2 for 2-D: embed 320, q/k/v/o 4 × 128 = 512, gate/up 2 × 192, down
//     192, lm_head 320; norms 3 × 64 full → 1,920 elements × 2 = 3,840
//   params: 16,384 + 16,384 (q,k,v,o) + 24,576 (MLP) + 192 (norms) + 16,384 = 73,920
//   adamw (and paged-adamw): 2 states × 2 B × 73,920 = 295,680;  lion, sgd-momentum: 147,840;  sgd: 0
BOOST_AUTO_TEST_CASE(issue5_optimizer_state_layouts) {
    const auto yaml = [](const std::string& opt) {
        return "name: tiny\nmodel:\n  architecture: {model_type: llama, hidden_size: 64, intermediate_size: 128, "
               "num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 4, vocab_size: 256, "
               "max_position_embeddings: 128, tie_word_embeddings: false}\n"
               "precision: {weights: bf16}\nworkload: {type: training, batch_size: 1, sequence_length: 16}\n"
               "training: {method: full, optimizer: " + opt + "}\nhardware: {memory_gib: 1}\n";
    };
    BOOST_TEST(estimate_yaml(yaml("adamw")).estimate.trainable_parameters == 73920);
    BOOST_TEST(estimate_yaml(yaml("adamw")).bytes("training.optimizer_states") == 295680u);
    BOOST_TEST(estimate_yaml(yaml("adamw-8bit")).bytes("training.optimizer_states") == 151296u);
    BOOST_TEST(estimate_yaml(yaml("paged-adamw-8bit")).bytes("training.optimizer_states") == 151296u);
    BOOST_TEST(estimate_yaml(yaml("paged-adamw")).bytes("training.optimizer_states") == 295680u);
    BOOST_TEST(estimate_yaml(yaml("adafactor")).bytes("training.optimizer_states") == 3840u);
    BOOST_TEST(estimate_yaml(yaml("lion")).bytes("training.optimizer_states") == 147840u);
    BOOST_TEST(estimate_yaml(yaml("sgd-momentum")).bytes("training.optimizer_states") == 147840u);
    BOOST_TEST(estimate_yaml(yaml("sgd")).bytes("training.optimizer_states") == 0u);
}

// Llama-2-7B AdamW 8-bit: every tensor has ≥ 4,096 elements and a multiple of 256, so the
// states are 2 × (P + 4 × P/256) = 2P + P/32 = 13,476,831,232 + 210,575,488 = 13,687,406,720.
BOOST_AUTO_TEST_CASE(issue5_adamw_8bit_llama2_7b) {
    const std::string yaml = llama2_training("bf16", "mixed_precision: none");
    const Result r = estimate_yaml(yaml, {"training.optimizer=adamw-8bit"});
    BOOST_TEST(r.bytes("training.optimizer_states") == 13687406720ULL);
}

// FSDP full_shard over 8 GPUs, fp32 weights with bf16 autocast (hf convention: auto for fsdp):
//   weights 4P/8 = 26,953,662,464 / 8 = 3,369,207,808; grads 4P/8 = 3,369,207,808;
//   AdamW 8P/8 = 6,738,415,616 → (4 + 4 + 8)/8 = 2 B/param (formulas.md §5.2 FSDP line).
//   Gathered units in bf16: root (embed 131,072,000 + lm_head 131,072,000 + norm 4,096 =
//   262,148,096) + 2 layers (2 × 202,383,360) = 666,914,816 params × 2 B = 1,333,829,632, plus one
//   layer's unsharded gradient 202,383,360 × 2 = 404,766,720 → 1,738,596,352.
//   No autocast copy: FSDP's MixedPrecision gathers bf16 parameters.
BOOST_AUTO_TEST_CASE(issue5_fsdp_full_shard_hf_convention) {
    const Result r = estimate_yaml(llama2_training("fp32", "mixed_precision: bf16, gradient_checkpointing: full",
                                                   "parallelism: {data: 8, fsdp: full_shard}\n"));
    BOOST_TEST(r.bytes("core.weights") == 3369207808ULL);
    BOOST_TEST(r.bytes("training.gradients") == 3369207808ULL);
    BOOST_TEST(r.bytes("training.optimizer_states") == 6738415616ULL);
    BOOST_TEST(!r.has("training.master_weights"));
    BOOST_TEST(!r.has("training.weights.autocast_copy"));
    BOOST_TEST(r.bytes("training.buffers.zero3_gathered") == 1738596352ULL);
}

// Megatron distributed optimizer (zero: 1) over dp = 4, bf16: 6 + 12/d bytes per parameter
// (dist_optimizer.md): weights 2P = 13,476,831,232; main_grad 4P = 26,953,662,464 (not sharded);
// master 4P/4 = 6,738,415,616; AdamW 8P/4 = 13,476,831,232 → 9P = 60,645,740,544.
BOOST_AUTO_TEST_CASE(issue5_megatron_distributed_optimizer_6_plus_12_over_d) {
    const Result r = estimate_yaml(llama2_training("bf16", "mixed_precision: bf16, full: {convention: megatron}",
                                                   "parallelism: {data: 4, zero: 1}\n"));
    BOOST_TEST(r.bytes("training.gradients") == 26953662464ULL);
    BOOST_TEST(r.bytes("training.master_weights") == 6738415616ULL);
    BOOST_TEST(r.bytes("training.optimizer_states") == 13476831232ULL);
    BOOST_TEST(r.bytes("core.weights") + r.category(Category::gradients) + r.bytes("training.master_weights") +
                   r.bytes("training.optimizer_states") ==
               60645740544ULL);
    // ZeRO-2 is not a Megatron option: one-line error naming the key.
    BOOST_CHECK_THROW(estimate_yaml(llama2_training("bf16", "mixed_precision: bf16, full: {convention: megatron}",
                                                    "parallelism: {data: 4, zero: 2}\n")),
                      Error);
}

// Tensor parallel t = 2 on Llama-2-7B (megatron convention), b = 1, s = 4,096, flash:
// per token per layer, replicated 4h = 16,384 elements, split 16,384 (q,k,v,o) + 44,032 (4F) =
// 60,416, lse 128 B.
//   with sequence parallel: 2 × (16,384 + 60,416)/2 + 128/2 = 76,864 B → × 4,096 × 32 =
//     10,074,718,208 + ids 32,768 = 10,074,750,976; logits 4,096 × (2 × 2 × 4,096/2 + (2 + 4) ×
//     32,000/2) = 4,096 × (8,192 + 96,000) = 426,770,432 (norm and output-layer inputs split by SP;
//     bf16 logits and the vocab-parallel CE's fp32 copy of this rank's V/2 columns)
//   without: 2 × (16,384 + 30,208) + 64 = 93,248 B → 12,222,201,856 + 32,768 = 12,222,234,624;
//     logits 4,096 × (2 × 2 × 4,096 + 6 × 16,000) = 4,096 × 112,384 = 460,324,864
// Context parallel cp = 2 (hf convention, so transformers' RMSNorm: each norm keeps its fp32
//   upcast 4h and the normalized bf16 2h, + 2 × 6 × 4,096 − 2 × 2 × 4,096 = 32,768 B over the
//   Megatron count): 186,496 B per token per layer; s/cp = 2,048 tokens per rank: 186,496 × 2,048
//   × 32 = 12,222,201,856 + ids 16,384 = 12,222,218,240; logits 2,048 × (2·4,096·2 + 12 × 32,000) =
//   2,048 × 400,384 = 819,986,432.
BOOST_AUTO_TEST_CASE(issue5_tensor_sequence_and_context_parallel_activations) {
    const Result sp = estimate_yaml(llama2_training("bf16", "mixed_precision: bf16",
                                                    "parallelism: {tensor: 2, sequence_parallel: true}\n"));
    BOOST_TEST(sp.bytes("training.activations") == 10074750976ULL);
    BOOST_TEST(sp.bytes("training.logits") == 426770432ULL);
    const Result nosp = estimate_yaml(llama2_training("bf16", "mixed_precision: bf16", "parallelism: {tensor: 2}\n"));
    BOOST_TEST(nosp.bytes("training.activations") == 12222234624ULL);
    BOOST_TEST(nosp.bytes("training.logits") == 460324864ULL);
    const Result cp = estimate_yaml(llama2_training("bf16", "mixed_precision: bf16", "parallelism: {context: 2}\n"));
    BOOST_TEST(cp.bytes("training.activations") == 12222218240ULL);
    BOOST_TEST(cp.bytes("training.logits") == 819986432ULL);
}

// bert-large training, fp32, b = 8, s = 512 (4,096 tokens), flash/SDPA, dropout 0.1 (BERT config
// defaults hidden_dropout_prob / attention_probs_dropout_prob; SDPA drops attention in-kernel):
// per token per layer 4h 4,096 + q,k,v,o 4,096 + plain MLP 2F 8,192 = 16,384 elements × 4 B =
// 65,536 + residual dropout masks 2 × 1,024 = 2,048 + lse 4 × 16 = 64 → 67,648 B;
// × 4,096 tokens × 24 layers = 6,650,068,992 + ids 8 × 4,096 = 32,768 + embedding dropout mask
// 1,024 × 4,096 = 4,194,304 → 6,654,296,064. Encoder-only: no LM logits.
BOOST_AUTO_TEST_CASE(issue5_bert_training_dropout_masks) {
    const std::string yaml =
        "name: bert-large training\nmodel:\n  architecture: {architectures: [BertForSequenceClassification], "
        "model_type: bert, hidden_size: 1024, intermediate_size: 4096, num_hidden_layers: 24, "
        "num_attention_heads: 16, vocab_size: 30522, max_position_embeddings: 512, type_vocab_size: 2, "
        "hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1}\n"
        "precision: {weights: fp32}\nworkload: {type: training, batch_size: 8, sequence_length: 512}\n"
        "training: {method: full, optimizer: adamw}\nhardware: {memory_gib: 16}\n";
    const Result r = estimate_yaml(yaml);
    BOOST_TEST(r.bytes("training.activations") == 6654296064ULL);
    BOOST_TEST(!r.has("training.logits"));
    // fp32, no AMP: 4 + 4 + 8 = 16 B/param over 335,143,938 params.
    BOOST_TEST(r.bytes("core.weights") + r.bytes("training.gradients") + r.bytes("training.optimizer_states") ==
               16ULL * 335143938ULL);
}

// Mixtral-8x7B (MoE top-2 of 8, F_moe 14,336), bf16, b = 1, s = 4,096, flash, no checkpointing:
// per token per layer 4h 16,384 + q 4,096 + k 1,024 + v 1,024 + o 4,096 + routed copies
// 2 × (4,096 + 4 × 14,336) = 122,880 → 149,504 elements × 2 B = 299,008 + fp32 router 4 × 8 = 32
// + lse 128 → 299,168 B, + the RMSNorms' fp32 upcasts and normalized tensors beyond the 2 B
// inputs counted in 4h: 2 × (4 + 2 − 2) × 4,096 = 32,768 → 331,936 B; × 4,096 × 32 =
// 43,507,515,392 + ids 32,768 = 43,507,548,160.
// Expert parallel ep = 8 (dp = 8): experts 45,097,156,608 / 8 = 5,637,144,576 + the rest
// 46,702,792,704 − 45,097,156,608 = 1,605,636,096 → 7,242,780,672 params × 2 B (bf16 grads) =
// 14,485,561,344.
BOOST_AUTO_TEST_CASE(issue5_moe_topk_activations_and_expert_parallel) {
    const auto yaml = [](const std::string& par) {
        return "name: mixtral\nmodel: {config: configs/mistralai-mixtral-8x7b-v0.1.json}\n"
               "precision: {weights: bf16}\nworkload: {type: training, batch_size: 1, sequence_length: 4096}\n"
               "training: {method: full, optimizer: adamw}\nhardware: {memory_gib: 80}\n" + par;
    };
    const Result r = estimate_yaml(yaml(""));
    BOOST_TEST(r.bytes("training.activations") == 43507548160ULL);
    const Result ep = estimate_yaml(yaml("parallelism: {data: 8, expert: 8}\n"));
    BOOST_TEST(ep.bytes("training.gradients") == 14485561344ULL);
}

// DeepSeek-V2-Lite (MLA, kv_lora 512, rope 64, nope 128, v 128, 16 heads; layer 0 dense F 10,944;
// 26 MoE layers top-6 of 64 experts of 1,408 + 2 shared = 2,816), bf16, b = 1, s = 2,048, flash:
//   replicated 4h 8,192 + latents (512 + 64) + 512 = 9,280; per-head q, k 2 × 16 × 192 = 6,144,
//   v, o 2 × 16 × 128 = 4,096 → attention split 10,240; lse 4 × 16 = 64 B
//   dense layer: MLP 4 × 10,944 = 43,776 → (9,280 + 10,240 + 43,776) × 2 = 126,592 + 64 = 126,656 B
//   MoE layer: 6 × (2,048 + 4 × 1,408) = 46,080 + shared 4 × 2,816 = 11,264 → 76,864 × 2 = 153,728
//     + router 4 × 64 = 256 + 64 = 154,048 B
//   126,656 + 26 × 154,048 = 4,131,904 B per token; + RMSNorm fp32 upcasts and normalized tensors
//   beyond the 2 B inputs: 27 layers × 2 × (4 + 2 − 2) × 2,048 = 442,368 → 4,574,272 B × 2,048 =
//   9,368,109,056 + ids 16,384 = 9,368,125,440
BOOST_AUTO_TEST_CASE(issue5_mla_moe_activations_deepseek_v2_lite) {
    const Result r = estimate_yaml(
        "name: dsv2-lite\nmodel: {config: configs/deepseek-ai-deepseek-v2-lite.json}\nprecision: {weights: bf16}\n"
        "workload: {type: training, batch_size: 1, sequence_length: 2048}\n"
        "training: {method: full, optimizer: adamw}\nhardware: {memory_gib: 80}\n");
    BOOST_TEST(r.bytes("training.activations") == 9368125440ULL);
}

// A quantized base cannot be fully fine-tuned; the error names the key and what is allowed.
BOOST_AUTO_TEST_CASE(issue5_full_method_rejects_quantized_weights) {
    const CliResult cli = run_scenario(llama2_training("int8", "mixed_precision: bf16"), "bad");
    BOOST_TEST(cli.rc == 1);
    BOOST_TEST(cli.out.empty());
    BOOST_TEST(cli.err.find("precision.weights") != std::string::npos);
    BOOST_TEST(cli.err.find("allowed: fp32, bf16, fp16") != std::string::npos);
    BOOST_TEST(std::count(cli.err.begin(), cli.err.end(), '\n') <= 1);
}

// Done when: the HF "model memory anatomy" bert-large numbers (measurements.md B1, B2).
//   B1: CUDA context measured 1343 MB (NVML MiB) on a V100 → runtime.cuda_context_mib: 1343 gives
//       1343 × 1,048,576 = 1,408,237,568 B as an overhead term.
//   B2: bert-large-uncased ForSequenceClassification (2 labels), fp32: 335,143,938 params × 4 B =
//       1,340,575,752 B = 1278.5 MiB vs 2631 − 1343 = 1288 MiB measured: −0.74 %, inside 2 %.
//       Params: embeddings 30,522·1,024 + 512·1,024 + 2·1,024 + LN 2,048 = 31,782,912; per layer
//       4·(1,024² + 1,024) + 2 LN 4,096 + (1,024·4,096 + 4,096) + (4,096·1,024 + 1,024) = 12,596,224,
//       × 24 = 302,309,376; pooler 1,049,600; classifier 2·1,024 + 2 = 2,050 → 335,143,938.
BOOST_AUTO_TEST_CASE(issue5_hf_model_memory_anatomy_bert_large_b1_b2) {
    const std::string yaml =
        "name: bert-large on a V100\nmodel:\n  architecture: {architectures: [BertForSequenceClassification], "
        "model_type: bert, hidden_size: 1024, intermediate_size: 4096, num_hidden_layers: 24, "
        "num_attention_heads: 16, vocab_size: 30522, max_position_embeddings: 512, type_vocab_size: 2}\n"
        "precision: {weights: fp32}\nworkload: {type: inference, batch_size: 1, sequence_length: 1}\n"
        "hardware: {memory_gib: 16}\nruntime: {engine: hf, cuda_context_mib: 1343}\n";
    Result r;
    try {
        r = estimate_yaml(yaml);
    } catch (const Error& e) {
        BOOST_FAIL("bert adapter missing or failing (issue 3): " << e.what());
    }
    BOOST_TEST(r.bytes("core.overhead.cuda_context") == 1408237568ULL);
    BOOST_TEST(r.estimate.ranks[r.estimate.most_loaded].terms.size() > 0);
    const Bytes w = r.bytes("core.weights");
    BOOST_TEST(w == 1340575752ULL);
    const double measured = 1288.0 * 1048576.0;
    BOOST_TEST(std::fabs(static_cast<double>(w) - measured) / measured < 0.02);
}

// Measured peaks (tests/data/measured/*.json, written by tests/calibration/measure_training.py on a
// GPU): each file's scenario is estimated and the estimate without overhead terms is compared with
// torch.cuda.max_memory_allocated. Error budget: ±15 % (formulas.md §5.3-5.4 mark the activation
// and loss coefficients [DER], to be calibrated by these files). With no files the test is skipped
// (precondition, reason in the log), never passed.
namespace {

std::vector<std::filesystem::path> measured_files() {
    namespace fs = std::filesystem;
    std::vector<fs::path> paths;
    const fs::path dir = data_path("measured");
    if (fs::is_directory(dir))
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.path().extension() == ".json") paths.push_back(entry.path());
    std::sort(paths.begin(), paths.end());
    return paths;
}

boost::test_tools::assertion_result has_measured_files(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(!measured_files().empty());
    r.message() << "no measured peaks: " << data_path("measured")
                << " has no *.json (run tests/calibration/measure_training.py on a GPU to record some)";
    return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(issue5_measured_peaks_within_error_budget,
                     *boost::unit_test::precondition(has_measured_files)) {
    const auto paths = measured_files();
    BOOST_REQUIRE(!paths.empty());
    for (const auto& path : paths) {
        const ConfigNode root = parse_json_file(path.string());
        const ConfigNode* scenario = root.find("scenario");
        const ConfigNode* measured = root.find_path("measured.max_memory_allocated");
        BOOST_TEST_INFO(path.string());
        BOOST_REQUIRE(scenario && measured);
        const Scenario s = build_scenario(*scenario, path.string());
        Estimator est(core_registry(), s, preset_dir());
        const Estimate e = est.estimate();
        // The file records torch.cuda.max_memory_allocated: compare the allocated view (issue 19).
        const Bytes tensors = e.memory.allocated_peak;
        const double m = measured->as_number();
        BOOST_TEST_INFO(path.string());
        BOOST_REQUIRE(m > 0);
        const double error = (static_cast<double>(tensors) - m) / m;
        std::cout << "measured " << path.filename().string() << ": estimate " << tensors << " B vs allocated "
                  << static_cast<std::uint64_t>(m) << " B (" << error * 100 << " %)\n";
        BOOST_TEST_INFO(path.string());
        BOOST_TEST(std::fabs(error) <= 0.15);
    }
}

// Issue 18 (Done when): the EP sharding bug. Routed-expert optimizer states and fp32 master
// weights are shared by the expert-data-parallel group (dp·cp/ep ranks), not by dp: on 16 GPUs
// as PP2 × DP8 with EP8, the group is 8/8 = 1 rank, so every expert shard keeps its full states.
// Qwen3-30B-A3B: hidden 2048, 48 layers, 128 experts × 3 × 2048 × 768 per layer.
// Stage 2 of 2 (24 layers, lm_head 151,936 × 2048 = 311,164,928 and the final norm 2,048):
//   routed experts on this EP rank: 24 × 603,979,776 / 8 = 1,811,939,328
//   dense: 24 × 19,140,864 (q 2048×4096 + k,v 2×2048×512 + o 4096×2048 + q/k norms 256 + two
//          RMSNorms 4,096 + router 2048×128) + 311,164,928 + 2,048 = 770,547,712, over dp=8: 96,318,464
//   AdamW m and v in fp32: 8 B × (1,811,939,328 + 96,318,464) = 15,266,062,336 B
//   fp32 master copy: 4 B × 1,908,257,792 = 7,633,031,168 B
// Before the fix the experts were divided by dp = 8 too (1,908,257,792 B of states).
BOOST_AUTO_TEST_CASE(issue18_expert_states_sharded_over_expert_data_parallel_group) {
    const Result r = estimate_yaml(R"(model: {preset: qwen3-30b-a3b}
workload: {type: training, batch_size: 1, sequence_length: 8192}
training: {method: full, mixed_precision: bf16, gradient_checkpointing: true}
parallelism: {pipeline: 2, data: 8, expert: 8, zero: 1}
hardware: {gpu: A800, count: 16}
)");
    BOOST_TEST(r.bytes("training.optimizer_states") == 15'266'062'336LL);
    BOOST_TEST(r.bytes("training.master_weights") == 7'633'031'168LL);
    // ms-swift's measured run (measurements-training.md B14: Megatron PP2 EP8, 16 x A800,
    // "16 * 60GiB", a reserved-memory figure): printed, not held, until the allocator view lands.
    const double measured_gib = 60.0;
    BOOST_TEST_MESSAGE("B14 Qwen3-30B-A3B PP2 EP8: vram " << r.total_gib() << " GiB allocated vs " << measured_gib
                                                          << " GiB reserved, error "
                                                          << (r.total_gib() / measured_gib - 1) * 100 << " %");
    // Cross-check: without EP, ZeRO-1 shards every state over dp = 8, and a rank again holds 1/8
    // of the experts' states: EP8 over an expert-data-parallel group of 1 and DP8 sharding agree.
    const Result dense = estimate_yaml(R"(model: {preset: qwen3-30b-a3b}
workload: {type: training, batch_size: 1, sequence_length: 8192}
training: {method: full, mixed_precision: bf16, gradient_checkpointing: true}
parallelism: {pipeline: 2, data: 8, zero: 1}
hardware: {gpu: A800, count: 16}
)");
    // All 24 layers' experts (14,495,514,624) + dense 770,547,712 = 15,266,062,336 params on the
    // stage, over dp = 8: 1,908,257,792 x 8 B = 15,266,062,336 B.
    BOOST_TEST(dense.bytes("training.optimizer_states") == 15'266'062'336LL);
}

// Issue 18 (Done when): Liger's fused linear cross-entropy on Llama-3-8B at b·s = 8,192 keeps no
// b·s·V fp32 logits, only one chunk (liger_kernel/ops/fused_linear_cross_entropy.py):
//   chunk = next_power_of_2(cdiv(BT, cdiv(V, H))) = next_power_of_2(cdiv(8192, cdiv(128256, 4096) = 32))
//         = next_power_of_2(256) = 256 tokens
//   final norm and LM head inputs: 8,192 · 2 · 4,096 · 2 B      = 134,217,728
//   logits chunk: 256 · 128,256 · 2 B (bf16)                    =  65,667,072
//   grad_input kept for backward: 8,192 · 4,096 · 2 B            =  67,108,864
//   fp32 loss per token: 8,192 · 4 B                             =      32,768
//   total                                                         = 267,026,432 B
// The standard HF loss on the same run: 134,217,728 + 8,192 · 12 · 128,256 (12,608,077,824) = 12,742,295,552 B.
BOOST_AUTO_TEST_CASE(issue18_liger_flce_keeps_one_logits_chunk) {
    const std::string yaml = R"(model: {preset: llama-3-8b}
workload: {type: training, batch_size: 1, sequence_length: 8192}
training: {method: lora, gradient_checkpointing: true, loss: LOSS}
hardware: {gpu: H100}
)";
    auto with = [&](const std::string& loss) {
        std::string y = yaml;
        y.replace(y.find("LOSS"), 4, loss);
        return estimate_yaml(y);
    };
    BOOST_TEST(with("liger_flce").bytes("training.logits") == 267'026'432LL);
    BOOST_TEST(with("standard").bytes("training.logits") == 12'742'295'552LL);
}

// Apple's Cut Cross-Entropy (Unsloth's loss; apple/ml-cross-entropy) never materialises logits:
// the same Llama-3-8B run at 8,192 tokens keeps the final norm and LM head inputs
// (134,217,728 B) and one fp32 log-sum-exp per token (8,192 · 4 = 32,768 B) = 134,250,496 B.
BOOST_AUTO_TEST_CASE(issue18_cut_cross_entropy_keeps_no_logits) {
    const Result r = estimate_yaml("model: {preset: llama-3-8b}\nworkload: {type: training, batch_size: 1, "
                                   "sequence_length: 8192}\ntraining: {method: lora, gradient_checkpointing: true, "
                                   "loss: cce}\nhardware: {gpu: H100}\n");
    BOOST_TEST(r.bytes("training.logits") == 134'250'496LL);
}

// Issue 18 (Done when): every row of ../shared/data/validation/measurements-training.md runs and
// prints its error. The rows are ms-swift's measured per-GPU memory (max_memory_reserved, GiB);
// vram's reserved view is compared (docs/allocator.md: today equal to the allocated view, so
// fragmentation is not in it). `expressed` says whether vram can state the whole setup; when it
// cannot, `cause` names what is missing (lengths of a real dataset below max_length, a method or
// an engine vram lacks). Only expressed rows count towards the ±15 % share; the share is printed.
namespace {
struct TrainingRow {
    const char* id;
    double measured_gib;
    bool expressed;
    const char* cause;
    std::string yaml;
};

// The DeepSpeed rows ran ms-swift's DeepSpeed configs, which the full method states: swift/config/
// zero2.json (reduce_bucket_size 2e8) and zero3.json (reduce_bucket_size,
// stage3_prefetch_bucket_size and stage3_param_persistence_threshold "auto", which transformers
// resolves to h², 0.9·h² and 10·h; max_live_parameters and max_reuse_distance 1e9).
std::string run_yaml(const std::string& model, const std::string& workload, const std::string& training,
                     const std::string& parallelism, int gpus, const std::string& gpu = "A800") {
    std::string t = training;
    if (training.find("method: full") != std::string::npos) {
        if (parallelism.find("zero: 3") != std::string::npos)
            t += ", full: {reduce_bucket_size: auto, stage3_prefetch_bucket_size: auto, "
                 "stage3_param_persistence_threshold: auto}";
        else if (parallelism.find("zero: 2") != std::string::npos)
            t += ", full: {reduce_bucket_size: 200000000}";
    }
    return "model: {preset: " + model + "}\nworkload: {type: training, " + workload + "}\ntraining: {" + t +
           "}\nparallelism: {" + parallelism + "}\nhardware: {gpu: " + gpu + ", count: " + std::to_string(gpus) + "}\n";
}
}  // namespace

const char* const e1_cause =
    "the clips and texts of swift/VideoChatGPT are not published (the scenario assumes 12 frames at 224 x 224 and "
    "128 text tokens per sample)";
std::string e1_yaml(const std::string& llm_gc, const std::string& vit_gc) {
    return "model: {preset: qwen2.5-vl-7b}\nworkload: {type: training, batch_size: 4, sequence_length: 128}\n"
           "inputs: [{modality: video, width: 224, height: 224, seconds: 6, fps: 2}]\ntraining: {method: full, "
           "mixed_precision: bf16, gradient_checkpointing: " + llm_gc + ", encoder_gradient_checkpointing: " + vit_gc +
           ", loss: liger_flce, full: {reduce_bucket_size: auto, stage3_prefetch_bucket_size: auto, "
           "stage3_param_persistence_threshold: auto}}\nparallelism: {data: 4, zero: 3}\nhardware: {gpu: A800, count: 4}\n";
}

BOOST_AUTO_TEST_CASE(issue18_measured_training_rows_print_their_error) {
    const std::string full_bf16 = "method: full, mixed_precision: bf16";
    const std::string lora = "method: lora, mixed_precision: bf16, gradient_checkpointing: true, lora: {rank: 8, "
                             "targets: [all-linear]}";
    const std::vector<TrainingRow> rows = {
        {"B13 Megatron TP4 SP dist-opt selective, Qwen2.5-14B packing 8192", 64, true, "",
         run_yaml("qwen2.5-14b", "batch_size: 1, sequence_length: 8192",
                  full_bf16 + ", gradient_checkpointing: selective, full: {convention: megatron}",
                  "tensor: 4, data: 2, zero: 1, sequence_parallel: true", 8)},
        {"B13 DeepSpeed ZeRO-2, Qwen2.5-14B packing 8192", 80, true, "",
         run_yaml("qwen2.5-14b", "batch_size: 1, sequence_length: 8192", full_bf16 + ", gradient_checkpointing: true",
                  "data: 8, zero: 2", 8)},
        {"B13 DeepSpeed ZeRO-3, Qwen2.5-14B packing 8192", 58, true, "",
         run_yaml("qwen2.5-14b", "batch_size: 1, sequence_length: 8192", full_bf16 + ", gradient_checkpointing: true",
                  "data: 8, zero: 3", 8)},
        {"B14 Megatron PP2 EP8 SP full recompute, Qwen3-30B-A3B packing 8192", 60, true, "",
         run_yaml("qwen3-30b-a3b", "batch_size: 1, sequence_length: 8192",
                  full_bf16 + ", gradient_checkpointing: true, full: {convention: megatron}",
                  "pipeline: 2, data: 8, expert: 8, zero: 1, sequence_parallel: true", 16)},
        {"B15 Megatron TP2 SP full recompute, Qwen2.5-7B mbs 16 x 2048 (full)", 70, false,
         "alpaca + self-cognition samples are far below max_length 2048 (padding to the longest in the batch); CE "
         "fusion",
         run_yaml("qwen2.5-7b", "batch_size: 16, sequence_length: 2048",
                  full_bf16 + ", gradient_checkpointing: true, full: {convention: megatron}",
                  "tensor: 2, zero: 1, sequence_parallel: true", 2)},
        {"B18 Megatron TP4 SP full recompute, Qwen2.5-7B packing 32768", 50, true, "",
         run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 32768",
                  full_bf16 + ", gradient_checkpointing: true, full: {convention: megatron}",
                  "tensor: 4, zero: 1, sequence_parallel: true", 4)},
        // Self-cognition samples are ~100 tokens (the table's note); the peak of this run is the
        // optimizer step (torch AdamW's foreach temporary), which the lengths do not change.
        {"B20 HF Trainer pure bf16 AdamW, Qwen2.5-7B bs 1 x 2048", 76, true, "",
         "model: {preset: qwen2.5-7b}\nprecision: {weights: bf16}\nworkload: {type: training, batch_size: 1, "
         "sequence_length: 2048, lengths: [100]}\ntraining: {method: full, gradient_checkpointing: true}\n"
         "hardware: {gpu: A800}\n"},
        {"B21 ZeRO-3 liger packing, Qwen2.5-7B 8192", 42, true, "",
         run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 8192",
                  full_bf16 + ", gradient_checkpointing: true, loss: liger_flce", "data: 4, zero: 3", 4)},
        {"B21 ZeRO-3 packing without liger, Qwen2.5-7B 8192", 54, true, "",
         run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 8192", full_bf16 + ", gradient_checkpointing: true",
                  "data: 4, zero: 3", 4)},
        {"B23 ZeRO-3 liger packing, Qwen2.5-7B 16384", 43, true, "",
         run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 16384",
                  full_bf16 + ", gradient_checkpointing: true, loss: liger_flce", "data: 4, zero: 3", 4)},
        {"B24 LoRA DDP, Qwen2.5-7B bs 1 x 2048", 27.5, false, "self-cognition samples far below max_length 2048",
         run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 2048", lora, "data: 2", 2)},
        {"B24 LoRA ZeRO-2, Qwen2.5-7B bs 1 x 2048", 18, false, "self-cognition samples far below max_length 2048",
         run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 2048", lora, "data: 2, zero: 2", 2)},
        {"B24 LoRA ZeRO-3, Qwen2.5-7B bs 1 x 2048", 16, false, "self-cognition samples far below max_length 2048",
         run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 2048", lora, "data: 2, zero: 3", 2)},
        {"D11 LoRA, Qwen2.5-7B bs 1 x 2048", 22, false, "alpaca samples below max_length 2048",
         run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 2048", lora, "data: 1", 1)},
        {"A5 DPO LoRA, Qwen2.5-7B bs 1 x 2048", 24, false, "DPO pairs of a real dataset below max_length 2048",
         run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 2048", "objective: dpo, " + lora, "data: 1", 1)},
        // The rest of the table, each with the closest setup vram states and what it lacks.
        // PPO as TRL lays it out (objective ppo); ms-swift leaves gradient checkpointing off for PPO
        // (swift/trainers/rlhf_trainer/ppo_trainer.py _prepare_gradient_checkpointing: pass). A1's
        // peak is the rollout on the gathered ZeRO-3 engine, whatever the prompt length below
        // ~1,700 tokens; alpaca-gpt4 prompts are a few hundred tokens.
        {"A1 PPO full ZeRO-3, Llama-3.1-8B policy + 8B reward", 65, true, "",
         run_yaml("llama-3.1-8b", "batch_size: 1",
                  full_bf16 + ", gradient_checkpointing: false, objective: ppo, ppo: {prompt_length: 256, "
                  "response_length: 512, gradient_accumulation_steps: 2}", "data: 8, zero: 3", 8)},
        {"A2 PPO LoRA ZeRO-2, Llama-3.1-8B policy + 8B reward", 50, false,
         "its peak is the training phase, which grows with the prompt: the longest alpaca-gpt4 prompt (unpublished) "
         "sets it; the scenario takes 256 tokens",
         run_yaml("llama-3.1-8b", "batch_size: 1",
                  "method: lora, mixed_precision: bf16, gradient_checkpointing: false, lora: {rank: 8, "
                  "targets: [all-linear]}, objective: ppo, ppo: {prompt_length: 256, response_length: 512, "
                  "gradient_accumulation_steps: 4}", "data: 4, zero: 2", 4)},
        {"A3 DPO full ZeRO-3 padding_free, Qwen2.5-7B bs 4 x 8192", 47, false,
         "padding_free over a real DPO dataset whose sample lengths are not published (workload.lengths and "
         "workload.batching: padding_free can state them)",
         run_yaml("qwen2.5-7b", "batch_size: 4, sequence_length: 8192",
                  "objective: dpo, " + full_bf16 + ", gradient_checkpointing: true", "data: 4, zero: 3", 4)},
        {"A4 DPO full ZeRO-3, Qwen2.5-7B bs 4 x 8192", 57, false,
         "padding to the longest pair of a real DPO dataset, below max_length 8192",
         run_yaml("qwen2.5-7b", "batch_size: 4, sequence_length: 8192",
                  "objective: dpo, " + full_bf16 + ", gradient_checkpointing: true", "data: 4, zero: 3", 4)},
        {"A6 GRPO LoRA transformers generate, Qwen2.5-7B 4 completions x (1024 + 1024)", 80, false,
         "a ceiling (the run fills the 80 GiB card: generate() without vLLM grows a DynamicCache), not a peak",
         run_yaml("qwen2.5-7b", "batch_size: 4",
                  "objective: grpo, " + lora + ", grpo: {num_generations: 4, prompt_length: 1024, "
                  "completion_length: 1024}", "data: 1", 1)},
        {"A7 GRPO LoRA ZeRO-2, Qwen2.5-Omni-7B 8 generations x 2048", 50, false,
         "Qwen2.5-Omni's vision and audio towers and its talker are not modelled (no preset); the scenario is the "
         "Qwen2.5-7B thinker",
         run_yaml("qwen2.5-7b", "batch_size: 2",
                  "objective: grpo, " + lora + ", grpo: {num_generations: 8, prompt_length: 6144, "
                  "completion_length: 2048}", "data: 4, zero: 2", 4)},
        {"A8 GRPO LoRA r64, Qwen2.5-3B, rollout on lmdeploy", 12, false,
         "rollout on a separate lmdeploy GPU; the measured value is 'approximately' the forward/backward peak; "
         "num_generations not stated",
         run_yaml("qwen2.5-3b", "batch_size: 1, sequence_length: 3072",
                  "method: lora, mixed_precision: bf16, gradient_checkpointing: true, lora: {rank: 64, alpha: 64, "
                  "targets: [all-linear]}", "data: 7", 7)},
        {"A13 DPO VLM full LLM ZeRO-3 padding_free, Qwen2.5-VL-7B bs 4 x 4096", 53, false,
         "images of a real dataset (MAX_PIXELS 1003520) and padding_free lengths are not stated; the scenario is "
         "text only",
         run_yaml("qwen2.5-vl-7b", "batch_size: 4, sequence_length: 4096",
                  "objective: dpo, " + full_bf16 + ", gradient_checkpointing: true", "data: 4, zero: 3", 4)},
        {"A13 DPO VLM full LLM ZeRO-3, Qwen2.5-VL-7B bs 4 x 4096", 62, false,
         "images of a real dataset and padding to the longest pair; the scenario is text only",
         run_yaml("qwen2.5-vl-7b", "batch_size: 4, sequence_length: 4096",
                  "objective: dpo, " + full_bf16 + ", gradient_checkpointing: true", "data: 4, zero: 3", 4)},
        // "16 * 80GiB" on 80 GB A800s, whose whole memory torch sees as 79.3 GiB: the reserved pool
        // grew into the card (a ceiling, as A6's), so it bounds the demand from above and is no peak.
        {"B14 DeepSpeed ZeRO-3, Qwen3-30B-A3B packing 8192", 80, false,
         "a ceiling: the reported 80 GiB is the A800's whole memory (79.3 GiB as torch counts it), what the "
         "caching allocator grew into under ZeRO-3's gather/release of 48 x 128 expert modules, not a peak",
         run_yaml("qwen3-30b-a3b", "batch_size: 1, sequence_length: 8192", full_bf16 + ", gradient_checkpointing: true",
                  "data: 16, zero: 3", 16)},
        {"B15 Megatron TP2 SP full recompute LoRA, Qwen2.5-7B mbs 16 x 2048", 14, false,
         "alpaca + self-cognition samples are far below max_length 2048 (padding to the longest in the batch)",
         run_yaml("qwen2.5-7b", "batch_size: 16, sequence_length: 2048", lora, "tensor: 2, sequence_parallel: true", 2)},
        {"B16 Megatron TP2 SP Muon, Qwen2.5-7B mbs 16 x 2048", 65, false,
         "samples far below max_length 2048 (padding to the longest in the batch)",
         run_yaml("qwen2.5-7b", "batch_size: 16, sequence_length: 2048",
                  full_bf16 + ", optimizer: muon, gradient_checkpointing: true, full: {convention: megatron}",
                  "tensor: 2, zero: 1, sequence_parallel: true", 2)},
        {"B16 Megatron TP2 SP AdamW, Qwen2.5-7B mbs 16 x 2048", 78, false,
         "samples far below max_length 2048 (padding to the longest in the batch)",
         run_yaml("qwen2.5-7b", "batch_size: 16, sequence_length: 2048",
                  full_bf16 + ", gradient_checkpointing: true, full: {convention: megatron}",
                  "tensor: 2, zero: 1, sequence_parallel: true", 2)},
        // --fp8_recipe blockwise --fp8_param_gather true on 8 x H20 (Hopper: both FP8 layouts);
        // under FP8 Megatron keeps the fp32 master shard itself (no 16-bit remainders).
        {"B17 Megatron TP4 SP FP8 blockwise, Qwen3-14B packing 8192", 58, true, "",
         run_yaml("qwen3-14b", "batch_size: 1, sequence_length: 8192",
                  full_bf16 + ", gradient_checkpointing: selective, fp8_recipe: blockwise, fp8_param_gather: true, "
                  "full: {convention: megatron, precision_aware_optimizer: true, exp_avg_dtype: bf16, "
                  "exp_avg_sq_dtype: bf16}",
                  "tensor: 4, data: 2, zero: 1, sequence_parallel: true", 8, "H20")},
        // The script runs Megatron's precision-aware optimizer with bf16 moments
        // (--use_precision_aware_optimizer --exp_avg_dtype bf16 --exp_avg_sq_dtype bf16) on H20s.
        {"B17 Megatron TP4 SP BF16, Qwen3-14B packing 8192", 52, true, "",
         run_yaml("qwen3-14b", "batch_size: 1, sequence_length: 8192",
                  full_bf16 + ", gradient_checkpointing: selective, full: {convention: megatron, "
                  "precision_aware_optimizer: true, exp_avg_dtype: bf16, exp_avg_sq_dtype: bf16}",
                  "tensor: 4, data: 2, zero: 1, sequence_parallel: true", 8, "H20")},
        {"B19 Megatron TP8 SP optimizer on CPU, Qwen2.5-72B packing 8192", 65, true, "",
         "model: {config: " + data_path("configs/qwen-qwen2.5-72b-instruct.json") +
             "}\nworkload: {type: training, batch_size: 1, sequence_length: 8192}\ntraining: {" + full_bf16 +
             ", gradient_checkpointing: true, full: {convention: megatron}}\nparallelism: {tensor: 8, zero: 1, "
             "sequence_parallel: true, offload: optimizer}\nhardware: {gpu: A800, count: 8}\n"},
        {"B21 ZeRO-3 neither liger nor packing, Qwen2.5-7B 8192", 52, false,
         "padding to the longest sample of a real dataset (R1-distill), below max_length 8192",
         run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 8192", full_bf16 + ", gradient_checkpointing: true",
                  "data: 4, zero: 3", 4)},
        {"B22 ZeRO-3 liger without padding_free, Qwen2.5-7B bs 8 x 8192", 60, false,
         "padding to the longest of 8 samples of a real dataset, below max_length 8192",
         run_yaml("qwen2.5-7b", "batch_size: 8, sequence_length: 8192",
                  full_bf16 + ", gradient_checkpointing: true, loss: liger_flce", "data: 4, zero: 3", 4)},
        {"B22 ZeRO-3 liger padding_free, Qwen2.5-7B bs 8 x 8192", 44, false,
         "padding_free: the lengths of the dataset's samples are not published (workload.lengths and "
         "workload.batching: padding_free can state them)",
         run_yaml("qwen2.5-7b", "batch_size: 8, sequence_length: 8192",
                  full_bf16 + ", gradient_checkpointing: true, loss: liger_flce", "data: 4, zero: 3", 4)},
        {"B23 ZeRO-3 liger packing FA3, Qwen2.5-7B 16384", 43, true, "",
         run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 16384",
                  full_bf16 + ", gradient_checkpointing: true, loss: liger_flce", "data: 4, zero: 3", 4)},
        {"D10 LoRA, Qwen2.5-7B self-cognition", 17.2, false, "self-cognition samples (~100 tokens) far below 2048",
         run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 2048", lora, "data: 1", 1)},
        {"D10 DoRA, Qwen2.5-7B self-cognition", 17.2, false, "self-cognition samples (~100 tokens) far below 2048",
         run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 2048",
                  "method: lora, mixed_precision: bf16, gradient_checkpointing: true, lora: {rank: 8, "
                  "targets: [all-linear], use_dora: true}", "data: 1", 1)},
        // ms-swift train_galore.sh: pure bf16 (as B20), GaLore rank 128 on attn + mlp with one optimizer
        // per parameter but no gradient hooks (swift/optimizers/galore/utils.py: every gradient kept).
        // Self-cognition samples are ~100 tokens; the peak is the optimizer step (weights, gradients,
        // states and the projection's SVD), which the lengths do not change.
        {"D10 GaLore, Qwen2.5-7B self-cognition", 38, true, "",
         "model: {preset: qwen2.5-7b}\nprecision: {weights: bf16}\nworkload: {type: training, batch_size: 1, "
         "sequence_length: 2048, lengths: [100]}\ntraining: {method: full, gradient_checkpointing: true, "
         "optimizer: galore-adamw}\nhardware: {gpu: A800}\n"},
        {"D10 Q-GaLore, Qwen2.5-7B AdvertiseGen", 35, false,
         "ran on AdvertiseGen, whose sample lengths are not published; ms-swift's Q-GaLore is QGaLoreAdamW8bit on "
         "the projected gradients (no int8 weights: ms-swift does not swap the Linears)",
         "model: {preset: qwen2.5-7b}\nprecision: {weights: bf16}\nworkload: {type: training, batch_size: 1, "
         "sequence_length: 2048}\ntraining: {method: full, gradient_checkpointing: true, "
         "optimizer: galore-adamw-8bit}\nhardware: {gpu: A800}\n"},
        // ms-swift lisa/train.sh and llamapro/train.sh, pure bf16 as GaLore's; the peak is the
        // optimizer step, which the ~100-token samples do not change.
        {"D10 LISA, Qwen2.5-7B self-cognition", 29, true, "",
         "model: {preset: qwen2.5-7b}\nprecision: {weights: bf16}\nworkload: {type: training, batch_size: 1, "
         "sequence_length: 2048, lengths: [100]}\ntraining: {method: lisa, gradient_checkpointing: true, "
         "lisa: {activated_layers: 2}}\nhardware: {gpu: A800}\n"},
        {"D10 LLaMA-Pro, Qwen2.5-7B self-cognition", 25.4, true, "",
         "model: {preset: qwen2.5-7b}\nprecision: {weights: bf16}\nworkload: {type: training, batch_size: 1, "
         "sequence_length: 2048, lengths: [100]}\ntraining: {method: llama-pro, gradient_checkpointing: true, "
         "llama-pro: {num_new_blocks: 4}}\nhardware: {gpu: A800}\n"},
        {"D11 QLoRA nf4 double-quant, Qwen2.5-7B bs 1 x 2048", 10, false, "alpaca samples below max_length 2048",
         "precision: {weights: nf4-dq}\n" +
             run_yaml("qwen2.5-7b", "batch_size: 1, sequence_length: 2048",
                      "method: qlora, mixed_precision: bf16, gradient_checkpointing: true, qlora: {rank: 8, "
                      "targets: [all-linear]}", "data: 1", 1)},
        // E1: ms-swift vit_gradient_checkpointing.sh in its four combinations of
        // gradient_checkpointing (LLM) and vit_gradient_checkpointing (the vision tower), which
        // training.encoder_gradient_checkpointing states. The clips of swift/VideoChatGPT are
        // capped at FPS_MAX_FRAMES 12 and VIDEO_MAX_PIXELS 50176 (224 x 224); their real lengths
        // and the QA texts are not published, so the scenario takes 12 frames (6 s at 2 fps) and
        // 128 text tokens per sample.
        {"E1 VL full FT, LLM GC + ViT GC, Qwen2.5-VL-7B video bs 4", 48, false, e1_cause, e1_yaml("true", "full")},
        {"E1 VL full FT, LLM GC only", 62, false, e1_cause, e1_yaml("true", "none")},
        {"E1 VL full FT, ViT GC only", 56, false, e1_cause, e1_yaml("false", "full")},
        {"E1 VL full FT, no gradient checkpointing", 77, false, e1_cause, e1_yaml("false", "none")},
    };
    int expressed = 0, within = 0;
    for (const auto& row : rows) {
        BOOST_TEST_CONTEXT(row.id) {
            const Result r = estimate_yaml(row.yaml);
            const double ours = static_cast<double>(r.estimate.memory.reserved_peak) / (1024.0 * 1024.0 * 1024.0);
            const double error = (ours / row.measured_gib - 1) * 100;
            std::cout << "measurements-training " << row.id << ": vram reserved " << ours << " GiB vs measured "
                      << row.measured_gib << " GiB reserved, error " << error << " %"
                      << (row.expressed ? "" : std::string(" (not fully expressed: ") + row.cause + ")") << "\n";
            if (row.expressed) {
                ++expressed;
                if (std::fabs(error) <= 15) ++within;
            }
        }
    }
    std::cout << "measurements-training: " << rows.size() << " rows run; " << within << " of " << expressed
              << " fully expressed rows within ±15 % (issue 18 asks for 80 %)\n";
    BOOST_TEST(expressed >= 8);
    BOOST_TEST(rows.size() >= 45u);
    // Issue 18 (Done when): at least 80 % of the fully expressed rows within ±15 %.
    BOOST_TEST(within * 5 >= expressed * 4, within << " of " << expressed);
    // B14's ZeRO-2 run ran out of memory on 80 GiB cards ("OOM" in the table): vram says it does
    // not fit either.
    const Result z2 = estimate_yaml(
        "model: {preset: qwen3-30b-a3b}\nworkload: {type: training, batch_size: 1, sequence_length: 8192}\n"
        "training: {method: full, mixed_precision: bf16, gradient_checkpointing: true}\n"
        "parallelism: {data: 16, zero: 2}\nhardware: {gpu: A800 80GB, count: 16}\n");
    std::cout << "measurements-training B14 DeepSpeed ZeRO-2, Qwen3-30B-A3B: measured OOM; vram "
              << static_cast<double>(z2.estimate.total_bytes) / (1024.0 * 1024.0 * 1024.0) << " GiB of "
              << static_cast<double>(z2.estimate.gpu_memory_bytes) / (1024.0 * 1024.0 * 1024.0) << " GiB: "
              << (z2.estimate.fits ? "fits" : "does not fit") << "\n";
    BOOST_TEST(!z2.estimate.fits);
}

// Issue 18: workload.lengths and workload.batching. Samples [100, 300, 2000, 50, 700] tokens,
// micro-batch 4, max_length (sequence_length) 4096. The peak micro-batch is the 4 longest:
// 2000, 700, 300, 100 (a shuffled epoch can draw them together). Its shape:
//   pad_longest     4 rows × 2000 tokens (padded to the longest)
//   pad_max_length  4 rows × 4096
//   packing         4 rows filled to min(4096, 100 + 300 + 2000 + 50 + 700 = 3150) = 3150
//   padding_free    1 row × (2000 + 700 + 300 + 100) = 3100
// Each gives the bytes of the same run stated with that shape directly.
BOOST_AUTO_TEST_CASE(issue18_lengths_give_the_peak_micro_batch_its_shape) {
    const std::string base = "model: {preset: qwen2.5-7b}\n"
                             "training: {method: lora, mixed_precision: bf16, gradient_checkpointing: true, "
                             "lora: {rank: 8, targets: [all-linear]}}\nhardware: {gpu: A800 80GB}\n";
    auto with_lengths = [&](const std::string& batching) {
        return base + "workload: {type: training, batch_size: 4, sequence_length: 4096, lengths: [100, 300, 2000, "
                      "50, 700], batching: " + batching + "}\n";
    };
    auto shaped = [&](int b, int tokens) {
        return base + "workload: {type: training, batch_size: " + std::to_string(b) +
               ", sequence_length: " + std::to_string(tokens) + "}\n";
    };
    const std::pair<const char*, std::pair<int, int>> cases[] = {
        {"pad_longest", {4, 2000}}, {"pad_max_length", {4, 4096}}, {"packing", {4, 3150}}, {"padding_free", {1, 3100}}};
    for (const auto& [batching, shape] : cases) {
        BOOST_TEST_CONTEXT(batching) {
            const Result r = estimate_yaml(with_lengths(batching));
            BOOST_TEST(r.estimate.tokens_per_sequence == shape.second);
            BOOST_TEST(r.estimate.micro_batch_rows == shape.first);
            BOOST_TEST(r.estimate.total_bytes == estimate_yaml(shaped(shape.first, shape.second)).estimate.total_bytes);
            BOOST_TEST((r.estimate.micro_batch_samples == std::vector<std::int64_t>{2000, 700, 300, 100}));
        }
    }
    // The report names the micro-batch; JSON carries it.
    const std::string file = write_scenario(with_lengths("padding_free"), "lengths");
    const CliResult table = run_cli({"run", file, "--format", "table", "--color", "never"});
    BOOST_TEST(table.out.find("peak micro-batch 1 × 3,100 tokens (padding_free of the 4 longest samples") !=
                   std::string::npos, table.out);
    const CliResult json = run_cli({"run", file, "--format", "json"});
    BOOST_TEST(json.out.find("\"tokens_per_row\": 3100,") != std::string::npos, json.out);
    BOOST_TEST(json.out.find("\"samples\": [2000,700,300,100]") != std::string::npos, json.out);
}

// Samples longer than max_length are cut to it, and a list shorter than the micro-batch stands for a
// dataset of those samples repeated: [100, 9000] at max_length 4096, micro-batch 3 → 4096, 4096,
// 100; padding_free → 1 row × 8,292 tokens.
BOOST_AUTO_TEST_CASE(issue18_lengths_are_cut_to_max_length_and_repeat_for_a_larger_batch) {
    const Result r = estimate_yaml(
        "model: {preset: qwen2.5-7b}\nworkload: {type: training, batch_size: 3, sequence_length: 4096, lengths: "
        "[100, 9000], batching: padding_free}\ntraining: {method: lora, gradient_checkpointing: true}\n");
    BOOST_TEST(r.estimate.tokens_per_sequence == 8292);
    BOOST_TEST((r.estimate.micro_batch_samples == std::vector<std::int64_t>{4096, 4096, 100}));
}

// Bad lengths: one line naming the file, position and key.
BOOST_AUTO_TEST_CASE(issue18_bad_lengths_are_one_clear_line) {
    const std::string head = "model: {preset: qwen2.5-7b}\n";
    const std::string bad_item = write_scenario(head + "workload: {type: training, lengths: [100, many]}\n", "len1");
    const CliResult a = run_cli({"run", bad_item});
    BOOST_TEST(a.rc != 0);
    BOOST_TEST(a.err.find(".yaml:2:43: workload.lengths[1]: expected a number, got 'many'") != std::string::npos, a.err);
    const std::string serving = write_scenario(head + "workload: {type: inference, lengths: [100]}\n", "len2");
    const CliResult b = run_cli({"run", serving});
    BOOST_TEST(b.err.find("workload.lengths: only for workload.type: training") != std::string::npos, b.err);
    const std::string empty = write_scenario(head + "workload: {type: training, lengths: []}\n", "len3");
    BOOST_TEST(run_cli({"run", empty}).err.find("workload.lengths: empty") != std::string::npos);
    // DPO pairs and GRPO completions are not samples of the list: refused, not silently ignored.
    const std::string grpo = write_scenario(head + "workload: {type: training, batch_size: 4, lengths: [100]}\n"
                                                   "training: {method: lora, objective: grpo}\n", "len4");
    const CliResult g = run_cli({"run", grpo});
    BOOST_TEST(g.rc != 0);
    BOOST_TEST(g.err.find("workload.lengths: only for training.objective sft or pretrain (got 'grpo'") !=
                   std::string::npos, g.err);
}

// torch.optim.AdamW's foreach step (transformers' adamw_torch, the default before PyTorch 2.8):
// _multi_tensor_adam allocates torch._foreach_sqrt(exp_avg_sqs), one exp_avg_sq-sized temporary,
// after backward freed activations and logits. Qwen2.5-7B (7,615,616,512 parameters) loaded in
// bf16, full fine-tuning without mixed precision (B20): AdamW states in bf16 =
// 2 · 2 B · 7,615,616,512 = 30,462,466,048 B; the temporary is half: 15,231,233,024 B, in phase
// optimizer_step. Persistent: weights 15,231,233,024 + gradients 15,231,233,024 + states
// 30,462,466,048 = 60,924,932,096 B; step peak 76,156,165,120 B = 70.93 GiB allocated, measured
// 76 GiB reserved (-6.7 %). With runtime.adamw_implementation: fused (or torch 2.8, where
// transformers defaults to adamw_torch_fused) there is no temporary.
BOOST_AUTO_TEST_CASE(issue18_torch_adamw_foreach_step_holds_an_exp_avg_sq_copy) {
    const std::string yaml = "model: {preset: qwen2.5-7b}\nprecision: {weights: bf16}\n"
                             "workload: {type: training, batch_size: 1, sequence_length: 2048, lengths: [100]}\n"
                             "training: {method: full, gradient_checkpointing: true}\nhardware: {gpu: A800 80GB}\n";
    const Result r = estimate_yaml(yaml);
    BOOST_TEST(r.bytes("training.optimizer_states") == 30462466048ULL);
    BOOST_TEST(r.bytes("training.optimizer.step_temporaries") == 15231233024ULL);
    BOOST_TEST(r.estimate.ranks[r.estimate.most_loaded].peak_phase == "optimizer_step");
    BOOST_TEST(r.estimate.memory.allocated_peak == 76156165120ULL);
    BOOST_TEST(!estimate_yaml(yaml, {"runtime.adamw_implementation=fused"}).has("training.optimizer.step_temporaries"));
    BOOST_TEST(!estimate_yaml(yaml, {"runtime.torch_version=2.8"}).has("training.optimizer.step_temporaries"));
    // DeepSpeed's FusedAdam updates in place.
    BOOST_TEST(!estimate_yaml(yaml, {"parallelism.zero=2", "parallelism.data=2", "hardware.count=2"})
                    .has("training.optimizer.step_temporaries"));
}

// Megatron's precision-aware optimizer (--use-precision-aware-optimizer, megatron/core/optimizer/
// __init__.py: TE FusedAdam with master_weights, exp_avg_dtype, exp_avg_sq_dtype and, from TE 2.1,
// store_param_remainders, whose OptimizerConfig default is true). Llama-3-8B, P = 8,030,261,248,
// Megatron bf16 convention on 8 data-parallel ranks with the distributed optimizer (ZeRO-1):
//   default (fp32 everything):  master P·4/8 = 4,015,130,624   states P·8/8 = 8,030,261,248
//   aware, bf16 moments:        master P·2/8 = 2,007,565,312 (16-bit remainders of the bf16 weight)
//                               states P·(2+2)/8 = 4,015,130,624
//   fp8 exp_avg, bf16 exp_avg_sq: states P·(1+2)/8 = 3,011,347,968
//   store_param_remainders false: master P·4/8 = 4,015,130,624
//   main_grads_dtype bf16: grad buffer P·2 = 16,060,522,496 (not sharded; fp32 P·4 = 32,121,044,992)
BOOST_AUTO_TEST_CASE(issue18_megatron_precision_aware_optimizer_keeps_16_bit_states) {
    const std::string yaml =
        "model: {preset: llama-3-8b}\nworkload: {type: training, batch_size: 1, sequence_length: 2048}\n"
        "training: {method: full, mixed_precision: bf16, gradient_checkpointing: true, full: {convention: megatron}}\n"
        "parallelism: {data: 8, zero: 1}\nhardware: {gpu: H100, count: 8}\n";
    const Result plain = estimate_yaml(yaml);
    BOOST_TEST(plain.bytes("training.master_weights") == 4015130624ULL);
    BOOST_TEST(plain.bytes("training.optimizer_states") == 8030261248ULL);
    const std::vector<std::string> aware = {"training.full.precision_aware_optimizer=true",
                                            "training.full.exp_avg_dtype=bf16", "training.full.exp_avg_sq_dtype=bf16"};
    const Result a = estimate_yaml(yaml, aware);
    BOOST_TEST(a.bytes("training.master_weights") == 2007565312ULL);
    BOOST_TEST(a.bytes("training.optimizer_states") == 4015130624ULL);
    BOOST_TEST(a.bytes("training.gradients") == 32121044992ULL);
    auto with = [&](const std::string& extra) {
        std::vector<std::string> o = aware;
        o.push_back(extra);
        return estimate_yaml(yaml, o);
    };
    BOOST_TEST(with("training.full.exp_avg_dtype=fp8").bytes("training.optimizer_states") == 3011347968ULL);
    BOOST_TEST(with("training.full.store_param_remainders=false").bytes("training.master_weights") == 4015130624ULL);
    BOOST_TEST(with("training.full.main_grads_dtype=bf16").bytes("training.gradients") == 16060522496ULL);
}

// The precision-aware keys are refused where Megatron refuses them, one line naming the key.
BOOST_AUTO_TEST_CASE(issue18_precision_aware_optimizer_refusals_name_the_key) {
    const std::string head = "model: {preset: llama-3-8b}\nworkload: {type: training}\nparallelism: {data: 2, zero: 1}\n";
    const CliResult a =
        run_scenario(head + "training: {method: full, full: {convention: megatron, exp_avg_dtype: bf16}}\n", "pao1");
    BOOST_TEST(a.rc != 0);
    BOOST_TEST(a.err.find("training.full.exp_avg_dtype: 'bf16' needs training.full.precision_aware_optimizer: true") !=
                   std::string::npos, a.err);
    const CliResult b = run_scenario(
        head + "training: {method: full, full: {convention: deepspeed, precision_aware_optimizer: true}}\n", "pao2");
    BOOST_TEST(b.err.find("training.full.precision_aware_optimizer: true under the deepspeed convention") !=
                   std::string::npos, b.err);
    const CliResult c = run_scenario(head + "training: {method: full, mixed_precision: bf16, optimizer: sgd, full: "
                                            "{convention: megatron, precision_aware_optimizer: true}}\n",
                                     "pao3");
    BOOST_TEST(c.err.find("Megatron supports it with Adam only") != std::string::npos, c.err);
}

// PPO with TRL's layout (A1: ms-swift examples/train/rlhf/ppo/full.sh, Llama-3.1-8B policy and an
// 8B reward model of the same architecture, full fine-tuning, ZeRO-3 on 8 GPUs, batch 1, GA 2,
// response_length 512; ms-swift leaves gradient checkpointing off for PPO). By hand:
//   policy P = 8,030,261,248; LM head 128,256 · 4,096 = 525,336,576; the value model (and the
//   reward model) = P − LM head + a [1, 4,096] score head = 7,504,928,768 parameters
//   trainable: policy + value = 15,535,190,016 (one DeepSpeed engine: PolicyAndValueWrapper)
//   weights 16,060,522,496 / 8 = 2,007,565,312; reference copy the same (ZeRO-3 sharded)
//   value weights 7,504,928,768 · 2 / 8 = 1,876,232,192; reward weights the same
//   16-bit grads 15,535,190,016 · 2 / 8 = 3,883,797,504; fp32 grads and master · 4 / 8 = 7,767,595,008
//   AdamW 15,535,190,016 · 8 / 8 = 15,535,190,016
//   rollout (ZeRO-3 gathers the engine): (16,060,522,496 + 15,009,857,536) · 7/8 = 27,186,582,528
//   rollout of 1 · 2 · 1 = 2 queries: KV 2 · (256 + 512) · 131,072 B = 201,326,592
//     + fp32 scores and their stacked copy 2 · 2 · 512 · 128,256 · 4 = 1,050,673,152 → 1,251,999,744
// Activations are those of two models on the same 768-token sequences.
BOOST_AUTO_TEST_CASE(issue18_ppo_trains_policy_and_value_model_and_gathers_both_to_generate) {
    const std::string head = "model: {preset: llama-3.1-8b}\nworkload: {type: training, batch_size: 1}\n";
    const std::string ppo = "objective: ppo, ppo: {prompt_length: 256, response_length: 512, "
                            "gradient_accumulation_steps: 2}";
    const Result r = estimate_yaml(head + "training: {method: full, mixed_precision: bf16, " + ppo +
                                   "}\nparallelism: {data: 8, zero: 3}\nhardware: {gpu: A800 80GB, count: 8}\n");
    BOOST_TEST(r.estimate.trainable_parameters == 15535190016LL);
    BOOST_TEST(r.bytes("core.weights") == 2007565312ULL);
    BOOST_TEST(r.bytes("rl.reference_model.weights") == 2007565312ULL);
    BOOST_TEST(r.bytes("rl.ppo.value_model.weights") == 1876232192ULL);
    BOOST_TEST(r.bytes("rl.ppo.reward_model.weights") == 1876232192ULL);
    BOOST_TEST(r.bytes("training.gradients") == 3883797504ULL);
    BOOST_TEST(r.bytes("training.gradients.fp32") == 7767595008ULL);
    BOOST_TEST(r.bytes("training.master_weights") == 7767595008ULL);
    BOOST_TEST(r.bytes("training.optimizer_states") == 15535190016ULL);
    BOOST_TEST(r.bytes("rl.ppo.rollout_gathered_params") == 27186582528ULL);
    BOOST_TEST(r.bytes("rl.ppo.rollout") == 1251999744ULL);
    BOOST_TEST(r.estimate.ranks[r.estimate.most_loaded].peak_phase == "generation");
    const Result sft = estimate_yaml("model: {preset: llama-3.1-8b}\n"
                                     "workload: {type: training, batch_size: 1, sequence_length: 768}\n"
                                            "training: {method: full, mixed_precision: bf16}\n"
                                            "parallelism: {data: 8, zero: 3}\nhardware: {gpu: A800 80GB, count: 8}\n");
    BOOST_TEST(r.bytes("training.activations") == 2 * sft.bytes("training.activations"));

    // LoRA under ZeRO-2 (A2): no reference copy (the adapter-disabled policy), the value model's
    // base and the reward model are full 16-bit copies (7,504,928,768 · 2 = 15,009,857,536 each),
    // no gather; adapters of both models plus the score head: LoRA r8 on every Linear of a
    // Llama-3.1-8B layer = 8 · [(4096 + 4096) · 2 + (4096 + 1024) · 2 + (4096 + 14336) · 3]
    // = 655,360 per layer, × 32 = 20,971,520 per model → 2 · 20,971,520 + 4,096 = 41,947,136.
    const Result lora = estimate_yaml(head + "training: {method: lora, mixed_precision: bf16, lora: {rank: 8, "
                                             "targets: [all-linear]}, " + ppo + "}\nparallelism: {data: 4, zero: 2}\n"
                                             "hardware: {gpu: A800 80GB, count: 4}\n");
    BOOST_TEST(!lora.has("rl.reference_model.weights"));
    BOOST_TEST(!lora.has("rl.ppo.rollout_gathered_params"));
    BOOST_TEST(lora.bytes("rl.ppo.value_model.weights") == 15009857536ULL);
    BOOST_TEST(lora.bytes("rl.ppo.reward_model.weights") == 15009857536ULL);
    BOOST_TEST(lora.estimate.trainable_parameters == 41947136LL);
}

// PPO under tensor parallelism is refused: TRL's PPOTrainer is data parallel only.
BOOST_AUTO_TEST_CASE(issue18_ppo_refuses_tensor_parallelism) {
    const CliResult c = run_scenario("model: {preset: llama-3.1-8b}\nworkload: {type: training}\n"
                                     "training: {method: lora, objective: ppo}\n"
                                     "parallelism: {tensor: 2}\nhardware: {gpu: H100, count: 2}\n",
                                     "ppo_tp");
    BOOST_TEST(c.rc != 0);
    BOOST_TEST(c.err.find("parallelism.tensor: TRL's PPOTrainer runs data parallel (DDP or DeepSpeed ZeRO) only") !=
                   std::string::npos, c.err);
}

// Megatron's distributed optimizer wraps the model in contiguous buffers (param_and_grad_buffer.py,
// core_v0.12.0 L619-655): bf16 param_data and fp32 grad_data are allocated, then every parameter
// is copied in and its old storage freed, before the optimizer creates master copies or states.
// Llama-3-8B (P = 8,030,261,248), megatron convention, 8 data-parallel ranks:
//   old parameters P · 2 = 16,060,522,496 B
//   with the optimizer on the CPU nothing else comes later: the set-up phase adds 16,060,522,496
//   on the GPU: master P · 4 / 8 = 4,015,130,624 + AdamW P · 8 / 8 = 8,030,261,248 = 12,045,391,872
//   come later, so the set-up phase adds 16,060,522,496 − 12,045,391,872 = 4,015,130,624
// B19 (Qwen2.5-72B, TP8, optimizer on the CPU, 65 GiB): the set-up moment is its peak.
BOOST_AUTO_TEST_CASE(issue18_megatron_buffer_remap_holds_old_parameters_at_setup) {
    const std::string yaml = "model: {preset: llama-3-8b}\nworkload: {type: training, batch_size: 1, sequence_length: "
                             "2048}\ntraining: {method: full, mixed_precision: bf16, gradient_checkpointing: true, "
                             "full: {convention: megatron}}\nhardware: {gpu: H100, count: 8}\n";
    const Result off = estimate_yaml(yaml + "parallelism: {data: 8, zero: 1, offload: optimizer}\n");
    BOOST_TEST(off.bytes("training.megatron.buffer_remap") == 16060522496ULL);
    BOOST_TEST(off.estimate.ranks[off.estimate.most_loaded].peak_phase == "setup");
    const Result on = estimate_yaml(yaml + "parallelism: {data: 8, zero: 1}\n");
    BOOST_TEST(on.bytes("training.megatron.buffer_remap") == 4015130624ULL);
    // Two ranks: master and states (P · 12 / 2) outweigh the old parameters: no set-up term.
    BOOST_TEST(!estimate_yaml(yaml + "parallelism: {data: 2, zero: 1}\n", {"hardware.count=2"})
                    .has("training.megatron.buffer_remap"));
}

// Muon keeps one momentum buffer per hidden 2-D matrix and sends embeddings, the output head and
// 1-D tensors to AdamW (Megatron emerging_optimizers.py _is_nonlinear_or_embedding). Llama-3-8B,
// P = 8,030,261,248: embedding and LM head 2 · 128,256 · 4,096 = 1,050,673,152, RMSNorm gains
// 32 · 2 · 4,096 + 4,096 = 266,240, hidden matrices 8,030,261,248 − 1,050,673,152 − 266,240 =
// 6,979,321,856. Megatron bf16 (fp32 states): 6,979,321,856 · 4 + (1,050,673,152 + 266,240) · 8
// = 27,917,287,424 + 8,407,515,136 = 36,324,802,560 B (AdamW: P · 8 = 64,242,089,984 B).
BOOST_AUTO_TEST_CASE(issue18_muon_keeps_one_state_for_hidden_matrices) {
    const std::string yaml = "model: {preset: llama-3-8b}\nworkload: {type: training, batch_size: 1, sequence_length: "
                             "2048}\ntraining: {method: full, mixed_precision: bf16, gradient_checkpointing: true, "
                             "optimizer: OPT, full: {convention: megatron}}\nhardware: {gpu: H100}\n";
    auto with = [&](const std::string& opt) {
        std::string y = yaml;
        y.replace(y.find("OPT"), 3, opt);
        return estimate_yaml(y);
    };
    BOOST_TEST(with("muon").bytes("training.optimizer_states") == 36324802560ULL);
    BOOST_TEST(with("adamw").bytes("training.optimizer_states") == 64242089984ULL);
}

// Issue 18: torchtitan's op-level selective activation checkpointing (llama3_8b.toml:
// mode = 'selective', selective_ac_option = 'op'; parallelize_llama.py _save_list and
// _custom_policy at torchtitan 9dec370). Each block keeps the outputs of the ops in the save list
// except every second aten.mm; Llama's block runs wq, wk, wv, wo, w1, w3, w2, so wq, wv, w1, w2
// are kept, plus the flash attention output and its fp32 log-sum-exp, plus the block input the
// checkpoint holds. Llama-3-8B (h 4,096, 32 heads × 128, 8 KV heads, F 14,336), b 1 × 8,192, bf16:
//   per token: input 4,096 + wq 4,096 + wv 1,024 + attention out 4,096 + w1 14,336 + w2 4,096
//              = 31,744 elements × 2 B = 63,488 B, + lse 32 heads × 4 B = 128 B → 63,616 B
//   per block: 63,616 × 8,192 = 521,142,272 B; 32 blocks = 16,676,552,704 B
//   + int64 token ids 8,192 × 8 = 65,536 B → 16,676,618,240 B.
// The rest of a block is rebuilt in its backward, after the loss has freed the 12.7 GB of logits,
// so it adds nothing at the peak.
BOOST_AUTO_TEST_CASE(issue18_torchtitan_op_sac_keeps_every_other_matmul_output) {
    const std::string yaml = R"(model: {preset: llama-3-8b}
precision: {weights: fp32}
workload: {type: training, batch_size: 1, sequence_length: 8192}
training: {method: full, objective: pretrain, mixed_precision: bf16, gradient_checkpointing: op}
parallelism: {data: 8, fsdp: full_shard}
hardware: {gpu: H100 SXM, count: 8}
)";
    BOOST_TEST(estimate_yaml(yaml).bytes("training.activations") == 16'676'618'240LL);
}

// Megatron's recompute methods (megatron/core/recompute.py: uniform chunks of
// recompute_num_layers through tensor_parallel.checkpoint; block = only the first N layers of the
// stage) and torchtitan's layer SAC (every N-th block). Llama-3-8B, Megatron convention, one GPU,
// b 1 × 4,096, bf16, Cut Cross-Entropy (so the logits the loss frees are small):
//   one layer's saved activations per token (Megatron: fused norms save their bf16 input):
//     norm inputs 2·4,096 + attention/MLP inputs 2·4,096 + q 4,096 + k 1,024 + v 1,024 + attention
//     out 4,096 + MLP (gate, up, act, act·up) 4 · 14,336 = 83,968 elements × 2 B + lse 128 B
//     = 168,064 B; × 4,096 tokens = 688,390,144 B per layer
//   one checkpointed input: 4,096 · 4,096 · 2 B = 33,554,432 B; token ids 4,096 · 8 = 32,768 B
//   logits freed before the first recompute (CCE): 4,096 · 2 · 4,096 · 2 + 4,096 · 4 = 67,125,248 B
//   uniform 1: 32 inputs 1,073,741,824 + 32,768 + (688,390,144 − 67,125,248) = 1,695,039,488 B
//   uniform 4: 8 inputs 268,435,456 + 32,768 + (4 · 688,390,144 − 67,125,248) = 2,954,903,552 B
//   block 30: 30 inputs 1,006,632,960 + 2 full layers 1,376,780,288 + 32,768
//             + (688,390,144 − 67,125,248) = 3,004,710,912 B
//   interval 2 (blocks 2, 4, ..., 32 checkpointed): 16 inputs 536,870,912 + 16 full layers
//             11,014,242,304 + 32,768 + 621,264,896 = 12,172,410,880 B
BOOST_AUTO_TEST_CASE(issue18_recompute_method_and_num_layers_choose_the_checkpointed_layers) {
    auto run = [](const std::string& method, int layers) {
        return estimate_yaml("model: {preset: llama-3-8b}\nworkload: {type: training, batch_size: 1, "
                             "sequence_length: 4096}\ntraining: {method: full, mixed_precision: bf16, loss: cce, "
                             "gradient_checkpointing: full, recompute_method: " + method +
                             ", recompute_num_layers: " + std::to_string(layers) +
                             ", full: {convention: megatron}}\nhardware: {gpu: H100}\n")
            .bytes("training.activations");
    };
    BOOST_TEST(run("uniform", 1) == 1'695'039'488LL);
    BOOST_TEST(run("uniform", 4) == 2'954'903'552LL);
    BOOST_TEST(run("block", 30) == 3'004'710'912LL);
    BOOST_TEST(run("interval", 2) == 12'172'410'880LL);
}

BOOST_AUTO_TEST_CASE(issue18_recompute_keys_without_full_checkpointing_are_one_clear_line) {
    const std::string base = "model: {preset: llama-3-8b}\nworkload: {type: training}\nhardware: {gpu: H100}\n";
    const CliResult a = run_scenario(base + "training: {gradient_checkpointing: selective, recompute_method: block}\n",
                                  "recompute");
    BOOST_TEST(a.rc != 0);
    BOOST_TEST(a.err.find("training.recompute_method: chooses the layers full checkpointing recomputes; it needs "
                          "training.gradient_checkpointing: full (got 'selective')") != std::string::npos);
    BOOST_TEST(a.out.empty());
    const CliResult b = run_scenario(base + "training: {activation_offload: checkpoints}\n", "offload");
    BOOST_TEST(b.rc != 0);
    BOOST_TEST(b.err.find("training.activation_offload: checkpoints moves what checkpointing keeps to the host") !=
               std::string::npos);
    const CliResult c = run_scenario("model: {preset: qwen3-30b-a3b}\nworkload: {type: training}\n"
                                  "training: {gradient_checkpointing: op}\nhardware: {gpu: H100}\n", "op-moe");
    BOOST_TEST(c.rc != 0);
    BOOST_TEST(c.err.find("training.gradient_checkpointing: op (torchtitan's op-level selective AC) is modelled for "
                          "dense attention layers") != std::string::npos);
    const CliResult d = run_scenario(base + "parallelism: {reshard_after_forward: false}\n", "reshard");
    BOOST_TEST(d.rc != 0);
    BOOST_TEST(d.err.find("parallelism.reshard_after_forward: an option of FSDP2's full sharding; it needs "
                          "parallelism.fsdp: full_shard (got 'none')") != std::string::npos);
}

// Activation offloading (transformers model, full method, bf16, Llama-3-8B, b 1 × 4,096, CCE):
// one layer's saved activations per token with transformers' RMSNorm (fp32 upcast 4 B + the bf16
// normalized tensor 2 B, two norms: 2 · 4,096 · 6 = 49,152 B) + attention/MLP inputs 8,192 +
// q, k, v, out 10,240 + MLP 57,344 = 75,776 elements × 2 B = 151,552 B + lse 128 B = 200,832 B,
// × 4,096 = 822,607,872 B per layer.
//   checkpoints (Unsloth's offloaded checkpointing, unsloth_zoo gradient_checkpointing.py): the 32
//     layer inputs go to the host, 32 · 33,554,432 = 1,073,741,824 B host; the GPU keeps the ids
//     32,768 + one input copied back 33,554,432 + one layer recomputed 822,607,872 − the CCE
//     buffers freed before it 67,125,248 = 789,069,824 B
//   all (torch.autograd.graph.save_on_cpu, no checkpointing): 32 · 822,607,872 = 26,323,451,904 B
//     host; the GPU keeps the ids and one layer copied back: 32,768 + 822,607,872 − 67,125,248
//     = 755,515,392 B
BOOST_AUTO_TEST_CASE(issue18_activation_offload_moves_saved_tensors_to_the_host) {
    auto run = [](const std::string& training) {
        return estimate_yaml("model: {preset: llama-3-8b}\nworkload: {type: training, batch_size: 1, "
                             "sequence_length: 4096}\ntraining: {method: full, mixed_precision: bf16, loss: cce, " +
                             training + "}\nhardware: {gpu: H100}\n");
    };
    const Result ckpt = run("gradient_checkpointing: full, activation_offload: checkpoints");
    BOOST_TEST(ckpt.bytes("training.activations") == 789'069'824LL);
    BOOST_TEST(ckpt.estimate.memory.host == 1'073'741'824LL);
    const Result all = run("activation_offload: all");
    BOOST_TEST(all.bytes("training.activations") == 755'515'392LL);
    BOOST_TEST(all.estimate.memory.host == 26'323'451'904LL);
    BOOST_TEST(run("activation_offload: none").estimate.memory.host == 0);
}

// FSDP2 reshard_after_forward (torch fully_shard; torchtitan apply_fsdp: `not pp_enabled`).
// Llama-3-8B, fp32 parameters, bf16 param_dtype, 8 ranks. Per block: q 16,777,216 + k 4,194,304
// + v 4,194,304 + o 16,777,216 + gate/up/down 3 · 58,720,256 + two norms 8,192 = 218,112,000;
// root: embedding 525,336,576 + lm_head 525,336,576 + final norm 4,096 = 1,050,677,248.
//   true (default): (root + 2 blocks) · 2 + one block's gradient · 2
//                   = (1,050,677,248 + 436,224,000) · 2 + 436,224,000 = 3,410,026,496 B
//   false: (root + 32 blocks 6,979,584,000) · 2 + 436,224,000 = 16,496,746,496 B
// With pipeline parallelism (2 stages × 4 FSDP ranks) auto keeps the stage gathered, and the
// gradients accumulate unsharded in fp32 across the micro-batches (torch pipelining
// backward_maybe_with_nosync). Last stage: 16 blocks 3,489,792,000 + lm_head 525,336,576 + norm
// 4,096 = 4,015,132,672: gathered 4,015,132,672 · 2 + 436,224,000 = 8,466,489,344 B; unsharded
// fp32 gradients 4,015,132,672 · 4 = 16,060,530,688 B.
BOOST_AUTO_TEST_CASE(issue18_fsdp2_reshard_after_forward_and_pipeline_keep_blocks_gathered) {
    auto run = [](const std::string& parallelism, int gpus) {
        return estimate_yaml("model: {preset: llama-3-8b}\nprecision: {weights: fp32}\nworkload: {type: training, "
                             "batch_size: 1, sequence_length: 2048}\ntraining: {method: full, mixed_precision: bf16, "
                             "gradient_checkpointing: full}\nparallelism: {" + parallelism +
                             "}\nhardware: {gpu: H100 SXM, count: " + std::to_string(gpus) + "}\n");
    };
    const Result fwd = run("data: 8, fsdp: full_shard", 8);
    BOOST_TEST(fwd.bytes("training.buffers.zero3_gathered") == 3'410'026'496LL);
    BOOST_TEST(!fwd.has("training.fsdp.pipeline_unsharded_grads"));
    BOOST_TEST(run("data: 8, fsdp: full_shard, reshard_after_forward: false", 8)
                   .bytes("training.buffers.zero3_gathered") == 16'496'746'496LL);
    const Result pp = run("pipeline: 2, data: 4, fsdp: full_shard", 8);
    const RankBreakdown& last = pp.estimate.ranks.back();
    auto term = [&](const char* id) {
        for (const auto& t : last.terms)
            if (t.id == id) return t.bytes;
        BOOST_FAIL(std::string("no term ") + id);
        return Bytes{0};
    };
    BOOST_TEST(term("training.buffers.zero3_gathered") == 8'466'489'344LL);
    BOOST_TEST(term("training.fsdp.pipeline_unsharded_grads") == 16'060'530'688LL);
}

// A training scenario with no training: map takes every default (it used to stop with "expected
// a map, got null" and no key).
BOOST_AUTO_TEST_CASE(issue18_training_without_a_training_map_takes_the_defaults) {
    const CliResult r = run_scenario("model: {preset: llama-3-8b}\nworkload: {type: training}\nhardware: {gpu: H100}\n",
                                     "defaults");
    BOOST_TEST(r.rc == 0, r.err);
    BOOST_TEST(r.err.empty(), r.err);
}

// Published torchtitan measurements (docs/performance.md at torchtitan 820504e^, runs of
// 2024-12-26: torch 1963fc8, torchtitan 9dec370, H100 SXM with 96 GB HBM2e): Llama 3.1 8B, FSDP,
// local batch 2, llama3_8b.toml's 8,192-token sequences, selective op activation checkpointing,
// fp32 parameters with bf16 param_dtype and fp32 reduce. "Memory(GiB)" is torchtitan's
// max_reserved_gib (metrics.py: memory_stats "reserved_bytes.all.peak"), so vram's reserved view
// is compared. Table 1 (8 GPUs) 82.4 GiB, with torch.compile 77.0 GiB; Table 3 (128 GPUs) 67.0 GiB.
// torchtitan then compiled each TransformerBlock (apply_compile) and left the loss eager (train.py:
// "compiling loss function causes CUDA errors, turning off for now"): torch_compile: blocks. Under
// op SAC the policy decides what a block saves, compiled or not, so vram's compiled row equals the
// eager one; the 5.4 GiB the compiled run saves is not stated (see docs/training.md). The Float8
// row is left out (Float8 with compile: the quantized casts fuse, not stated).
BOOST_AUTO_TEST_CASE(issue18_published_torchtitan_rows_print_their_error) {
    const std::tuple<int, double, const char*> rows[] = {{8, 82.4, "none"}, {8, 77.0, "blocks"}, {128, 67.0, "none"}};
    for (const auto& [gpus, measured, compile] : rows) {
        const Result r = estimate_yaml(
            "model: {preset: llama-3-8b}\nprecision: {weights: fp32}\nworkload: {type: training, batch_size: 2, "
            "sequence_length: 8192}\ntraining: {method: full, objective: pretrain, mixed_precision: bf16, "
            "gradient_checkpointing: op, torch_compile: " + std::string(compile) + "}\nparallelism: {data: " +
            std::to_string(gpus) +
            ", fsdp: full_shard}\nhardware: {memory_gib: 94.5, count: " + std::to_string(gpus) +
            "}\nruntime: {engine: hf, adamw_implementation: fused}\n");
        const double ours = static_cast<double>(r.estimate.memory.reserved_peak) / 1073741824.0;  // GiB = 2^30
        const double err = (ours - measured) / measured * 100.0;
        BOOST_TEST_MESSAGE("torchtitan Llama 3.1 8B FSDP " << gpus << " GPUs op SAC b2 x 8192, torch.compile "
                                                           << compile << ": vram reserved " << ours
                                                           << " GiB vs measured " << measured << " GiB reserved, error "
                                                           << err << " %");
        BOOST_TEST(std::fabs(err) <= 15.0);
    }
}

// runtime.framework fills the keys a scenario leaves unset with the framework's defaults
// (framework/scenario/frameworks.cpp, docs/training.md "Frameworks"). torchtitan (v0.2.1
// job_config.py): fp32 parameters, bf16 compute, FSDP, selective_ac_option "2" (every 2nd block
// checkpointed), seq_len 2,048, fused AdamW. Llama-3-8B over 8 GPUs, b 1:
//   one layer per token: RMSNorms 2 · 4,096 · (4 fp32 copy + 4 normalized tensor in the fp32
//   residual dtype) = 65,536 B + (attention/MLP inputs 8,192 + q, k, v, out 10,240 + MLP 57,344)
//   · 2 B = 151,552 B + lse 128 B = 217,216 B; × 2,048 = 444,858,368 B
//   16 checkpointed blocks keep their input 2,048 · 4,096 · 2 = 16,777,216 B: 268,435,456 B
//   16 others keep everything: 7,117,733,888 B; ids 2,048 · 8 = 16,384 B
//   the recomputed block (444,858,368) is below the logits the loss frees first: adds 0
//   → 7,386,185,728 B
BOOST_AUTO_TEST_CASE(issue18_runtime_framework_applies_the_frameworks_defaults) {
    const std::string head = "model: {preset: llama-3-8b}\nworkload: {type: training, batch_size: 1}\n"
                             "parallelism: {data: 8}\nhardware: {gpu: H100 SXM, count: 8}\n";
    const Result titan = estimate_yaml(head + "runtime: {framework: torchtitan}\n");
    BOOST_TEST(titan.bytes("training.activations") == 7'386'185'728LL);
    BOOST_TEST(titan.bytes("core.weights") == 32'121'044'992LL / 8);  // fp32, sharded over 8
    BOOST_TEST(titan.estimate.tokens_per_sequence == 2048);
    // A key the scenario sets wins, and the recompute layers go with the framework's checkpointing.
    const Result own = estimate_yaml(head + "training: {gradient_checkpointing: none}\nruntime: {framework: torchtitan}\n");
    BOOST_TEST(own.bytes("training.activations") == 32LL * 444'858'368LL + 16'384LL);
    // Unsloth: its offloaded checkpointing, so the checkpointed inputs are host memory.
    const Result unsloth = estimate_yaml("model: {preset: llama-3-8b}\nworkload: {type: training, batch_size: 1, "
                                         "sequence_length: 2048}\ntraining: {method: lora}\nhardware: {gpu: L4}\n"
                                         "runtime: {framework: unsloth}\n");
    BOOST_TEST(unsloth.estimate.memory.host == 32LL * 16'777'216LL);
}

// OpenRLHF and verl as frameworks: their PPO layout is filled only for training.objective ppo.
// OpenRLHF (train_ppo_ray.py L308, L312-315): ZeRO-2, bf16. Llama-3.1-8B over 8 GPUs, PPO with
// P = R = 1,024, b 2: the layout is OpenRLHF's (the actor group: no value model, the experience
// forward 1 · 2,048 · 128,256 · (2 + 4) = 1,576,009,728 B); ZeRO-2 shards the gradients
// 8,030,261,248 · 2 / 8 = 2,007,565,312 B but keeps the 16-bit weights whole (16,060,522,496 B).
// An SFT scenario under the same framework gets no ppo block.
BOOST_AUTO_TEST_CASE(issue18_runtime_framework_openrlhf_and_verl_fill_the_ppo_layout) {
    const std::string head = "model: {preset: llama-3.1-8b}\nworkload: {type: training, batch_size: 2}\n"
                             "parallelism: {data: 8}\nhardware: {gpu: H100, count: 8}\n";
    const std::string ppo = "training: {method: full, objective: ppo, ppo: {prompt_length: 1024, response_length: 1024}}\n";
    const Result orl = estimate_yaml(head + ppo + "runtime: {framework: openrlhf}\n");
    BOOST_TEST(orl.bytes("rl.ppo.experience_logits") == 1'576'009'728ULL);
    BOOST_TEST(!orl.has("rl.ppo.value_model.weights"));
    BOOST_TEST(orl.bytes("training.gradients") == 2'007'565'312ULL);
    BOOST_TEST(orl.bytes("core.weights") == 16'060'522'496ULL);
    const Result sft = estimate_yaml(head + "training: {method: full}\nruntime: {framework: openrlhf}\n");
    BOOST_TEST(sft.bytes("training.gradients") == 2'007'565'312ULL);
    BOOST_TEST(!sft.has("rl.ppo.experience_logits"));
    // verl: FSDP full sharding of fp32 weights, its colocated layout (the rollout pool, no TRL rollout).
    const Result verl = estimate_yaml(head + ppo + "runtime: {framework: verl}\n");
    BOOST_TEST(verl.bytes("core.weights") == 8'030'261'248ULL * 4 / 8);
    BOOST_TEST(verl.has("rl.grpo.vllm_pool_awake"));
    BOOST_TEST(!verl.has("rl.ppo.rollout"));
}

// torch.compile (training.torch_compile; HF Trainer torch_compile=True): AOTAutograd's min-cut
// partitioner (torch/_functorch/partitioners.py min_cut_rematerialization_partition) never
// recomputes matmuls or attention but recomputes pointwise ops, so a layer keeps what only a matmul
// or attention produces, plus each norm's input. Llama-3-8B, b 1, s 2,048, bf16, flash, per token
// and layer:
//   eager: RMSNorms 2 · 4,096 · (4 fp32 copy + 2 normalized) = 49,152 + norm outputs 8,192 · 2 =
//     16,384 + q, k, v, out (4,096 + 1,024 + 1,024 + 4,096) · 2 = 20,480 + lse 32 · 4 = 128 + MLP
//     gate, up, act(gate), act·up 4 · 14,336 · 2 = 114,688 → 200,832 B
//   compiled: norm inputs 2 · (4,096 · 2 + 4 fp32 rstd) = 16,392 + q, k, v, out 20,480 + lse 128
//     + gate, up 2 · 14,336 · 2 = 57,344 → 94,344 B (act(gate) and act·up recomputed)
//   × 2,048 tokens × 32 layers: eager 13,161,725,952, compiled 6,182,928,384 (+ ids 16,384 each)
// Logits: Inductor fuses the upcast, log-softmax and NLL, so backward holds the saved bf16 logits
// and the bf16 gradient: 2 + 2 B per element (eager transformers: 12). With the final norm's input
// and statistic: 2,048 · (4,096 · 2 + 4) + 2,048 · 4 · 128,256 = 16,785,408 + 1,050,673,152
// = 1,067,458,560 B (eager 2,048 · 2 · 4,096 · 2 + 2,048 · 12 · 128,256 = 3,185,573,888 B).
BOOST_AUTO_TEST_CASE(issue18_torch_compile_saves_matmul_outputs_and_recomputes_pointwise_ops) {
    const std::string head = "model: {preset: llama-3-8b}\nworkload: {type: training, batch_size: 1, sequence_length: "
                             "2048}\nhardware: {gpu: H100}\n";
    const Result eager = estimate_yaml(head + "training: {method: full, mixed_precision: bf16}\n");
    const Result compiled = estimate_yaml(head + "training: {method: full, mixed_precision: bf16, torch_compile: true}\n");
    BOOST_TEST(eager.bytes("training.activations") == 13'161'725'952ULL + 16'384);
    BOOST_TEST(compiled.bytes("training.activations") == 6'182'928'384ULL + 16'384);
    BOOST_TEST(eager.bytes("training.logits") == 3'185'573'888ULL);
    BOOST_TEST(compiled.bytes("training.logits") == 1'067'458'560ULL);
    // torchtitan's per-block compile (torch_compile: blocks) leaves the output layer and loss eager.
    const Result blocks = estimate_yaml(head + "training: {method: full, mixed_precision: bf16, torch_compile: blocks}\n");
    BOOST_TEST(blocks.bytes("training.activations") == compiled.bytes("training.activations"));
    BOOST_TEST(blocks.bytes("training.logits") == 3'185'573'888ULL);
    // Model states do not change.
    BOOST_TEST(compiled.bytes("training.optimizer_states") == eager.bytes("training.optimizer_states"));
    // Graphs vram does not state are refused with the reason.
    const CliResult moe = run_scenario("model: {preset: mixtral-8x7b}\nworkload: {type: training}\ntraining: {method: "
                                       "lora, torch_compile: true}\nhardware: {gpu: H100}\n", "tc_moe");
    BOOST_TEST(moe.rc == 1);
    BOOST_TEST(moe.err.find("training.torch_compile: stated for dense decoder layers") != std::string::npos, moe.err);
    const CliResult meg = run_scenario(head + "training: {method: full, torch_compile: true, full: {convention: "
                                              "megatron}}\n", "tc_meg");
    BOOST_TEST(meg.rc == 1);
    BOOST_TEST(meg.err.find("Megatron builds its layers from Transformer Engine modules") != std::string::npos, meg.err);
}

BOOST_AUTO_TEST_CASE(issue18_runtime_framework_errors_are_one_clear_line) {
    const CliResult a = run_scenario("model: {preset: llama-3-8b}\nruntime: {framework: torchtitan}\n", "fw-infer");
    BOOST_TEST(a.rc != 0);
    BOOST_TEST(a.err.find("runtime.framework: sets a training framework's defaults; it needs workload.type: training") !=
                   std::string::npos, a.err);
    BOOST_TEST(a.out.empty());
    const CliResult b = run_scenario("model: {preset: llama-3-8b}\nworkload: {type: training}\n"
                                     "runtime: {framework: deepspeed-chat}\n", "fw-bad");
    BOOST_TEST(b.rc != 0);
    BOOST_TEST(b.err.find("runtime.framework") != std::string::npos, b.err);
    BOOST_TEST(b.err.find("torchtitan") != std::string::npos, b.err);  // the allowed names
}

// The vision tower's checkpointing on its own (training.encoder_gradient_checkpointing; ms-swift
// vit_gradient_checkpointing, measured in all four combinations in measurements-training.md E1).
// Qwen2.5-VL-7B's tower: 32 layers, hidden 1,280, SwiGLU intermediate 3,420; one 448 × 448 image =
// 32 × 32 = 1,024 patches of 14 px; bf16, flash attention:
//   one layer: 1,024 · (8 · 1,280 + 4 · 3,420) · 2 B = 48,988,160 B
//   none: 32 layers = 1,567,621,120 B
//   full: 32 inputs 1,024 · 1,280 · 2 = 83,886,080 B + one layer recomputed 48,988,160 = 132,874,240 B
BOOST_AUTO_TEST_CASE(issue18_vision_tower_checkpointing_is_its_own_key) {
    auto run = [](const std::string& llm, const std::string& vit) {
        return estimate_yaml("model: {preset: qwen2.5-vl-7b}\nworkload: {type: training, batch_size: 1, "
                             "sequence_length: 2048}\ninputs: [{modality: image, width: 448, height: 448}]\n"
                             "training: {method: full, mixed_precision: bf16, gradient_checkpointing: " + llm +
                             ", encoder_gradient_checkpointing: " + vit + "}\nhardware: {gpu: H100}\n");
    };
    const Result vit_only = run("none", "full");
    BOOST_TEST(vit_only.bytes("mm.encoder.vision.activations") == 132'874'240LL);
    BOOST_TEST(vit_only.bytes("training.activations") == run("none", "none").bytes("training.activations"));
    BOOST_TEST(run("full", "none").bytes("mm.encoder.vision.activations") == 1'567'621'120LL);
    BOOST_TEST(run("full", "auto").bytes("mm.encoder.vision.activations") == 132'874'240LL);
}

// DeepSpeed ZeRO-3's parameter coordinator replayed over the module trace
// (partitioned_param_coordinator.py: fetch the module in use, prefetch up to
// min(max_live - available, prefetch_bucket) whole parameters ahead, release unless reused within
// max_reuse_distance; tensors <= param_persistence_threshold never partitioned). A 2-layer Llama,
// h 1,024, F 2,048, vocab 4,096, bf16, dp 4, no checkpointing. Modules (elements): embed and
// lm_head 4,194,304 each; per layer q, k, v, o 1,048,576 each, gate, up, down 2,097,152 each
// (10,485,760 per layer); the five 1,024-element norms are persistent: 5,120 × (1 − 1/4) × 2 B
// = 7,680 B on top of the 1/4 core.weights counts. Trace: embed, layer 0, layer 1, lm_head, then
// the same backward, each backward module with its full gradient until the reduce bucket.
//   prefetch 0, reuse 0: one module at a time; the peak is lm_head's backward, 4,194,304 + its
//     gradient 4,194,304 = 8,388,608 elements × 2 B + 7,680 = 16,784,896 B
//   prefetch 0, reuse 1e9: every module recurs within 1e9 elements, so nothing is released
//     before its backward: at lm_head's backward all 29,360,128 + its gradient 4,194,304
//     = 33,554,432 elements → 67,108,864 + 7,680 = 67,116,544 B
//   prefetch 1, reuse 0: one module ahead; forward lm_head prefetches layer 1's down (backward
//     lm_head is available), backward lm_head fetches itself again and prefetches up: 4,194,304 +
//     2 · 2,097,152 + gradient 4,194,304 = 12,582,912 elements → 25,165,824 + 7,680 = 25,173,504 B
BOOST_AUTO_TEST_CASE(issue18_deepspeed_zero3_gather_follows_prefetch_live_and_reuse_keys) {
    auto run = [](const std::string& prefetch, const std::string& reuse) {
        return estimate_yaml(
                   "model: {architecture: {model_type: llama, hidden_size: 1024, intermediate_size: 2048, "
                   "num_hidden_layers: 2, num_attention_heads: 8, num_key_value_heads: 8, vocab_size: 4096, "
                   "max_position_embeddings: 4096}}\nworkload: {type: training, batch_size: 1, sequence_length: 512}\n"
                   "training: {method: full, mixed_precision: bf16, full: {stage3_prefetch_bucket_size: " + prefetch +
                   ", stage3_max_reuse_distance: " + reuse + "}}\nparallelism: {data: 4, zero: 3}\n"
                   "hardware: {gpu: H100, count: 4}\n")
            .bytes("training.buffers.zero3_gathered");
    };
    BOOST_TEST(run("0", "0") == 16'784'896LL);
    BOOST_TEST(run("0", "1000000000") == 67'116'544LL);
    BOOST_TEST(run("1", "0") == 25'173'504LL);
}

// DeepSpeed's "auto" sizes as transformers resolves them (integrations/deepspeed.py
// trainer_config_finalize): reduce_bucket_size h² — Llama-3-8B: 4,096² = 16,777,216 elements,
// a 33,554,432 B bf16 bucket; a word other than auto is one line.
BOOST_AUTO_TEST_CASE(issue18_deepspeed_auto_sizes_follow_the_hidden_size) {
    const std::string head = "model: {preset: llama-3-8b}\nworkload: {type: training}\nparallelism: {data: 8, zero: 3}\n"
                             "hardware: {gpu: H100, count: 8}\n";
    const Result r = estimate_yaml(head + "training: {method: full, mixed_precision: bf16, full: {reduce_bucket_size: auto}}\n");
    BOOST_TEST(r.bytes("training.buffers.deepspeed_bucket") == 33'554'432LL);
    const CliResult bad = run_scenario(head + "training: {method: full, full: {reduce_bucket_size: automatic}}\n", "ds-auto");
    BOOST_TEST(bad.rc != 0);
    BOOST_TEST(bad.err.find("training.full.reduce_bucket_size: expected a number or auto, got 'automatic'") !=
                   std::string::npos, bad.err);
}

// GaLore (training.optimizer: galore-adamw, options in training.galore; ms-swift's defaults rank
// 128, targets attn + mlp). Qwen2.5-7B in pure bf16 (states and projector in bf16, 2 B):
//   q, o 3584 x 3584 (m >= n): states 2 · 3584 · 128 · 2 = 1,835,008 + projector 128 · 3584 · 2 =
//     917,504 -> 2,752,512 each;
//   k, v 512 x 3584 (m < n): states 2 · 128 · 3584 · 2 = 1,835,008 + projector 512 · 128 · 2 =
//     131,072 -> 1,966,080 each;
//   gate, up 18944 x 3584 and down 3584 x 18944: states 2 · 18944 · 128 · 2 = 9,699,328 +
//     projector 3584 · 128 · 2 = 917,504 -> 10,616,832 each;
//   layer: 2 · 2,752,512 + 2 · 1,966,080 + 3 · 10,616,832 = 41,287,680, plus full AdamW for the q/k/v
//   biases and two norms (3584 + 512 + 512 + 2 · 3584 = 11,776 elements · 2 states · 2 B = 47,104):
//   41,334,784 · 28 = 1,157,373,952; embedding and LM head 2 · 152064 · 3584 + final norm 3584 =
//   1,089,998,336 elements · 4 B = 4,359,993,344. Total 5,517,367,296 B (AdamW: 30,462,466,048).
// The SVD at a projection update (galore_projector.py L69-81) of the largest matrix, 18944 x 3584:
// fp32 copy 67,895,296 · 4 + U 18944 · 3584 · 4 + Vh 3584 · 3584 · 4 = 271,581,184 · 2 +
// 51,380,224 = 594,542,592 B. Layer-wise stepping keeps one gradient: the embedding's
// 544,997,376 · 2 = 1,089,994,752 B.
BOOST_AUTO_TEST_CASE(issue18_galore_projects_the_states_of_the_targeted_matrices) {
    const std::string base = "model: {preset: qwen2.5-7b}\nprecision: {weights: bf16}\nworkload: {type: training, "
                             "batch_size: 1, sequence_length: 2048, lengths: [100]}\nhardware: {gpu: A800}\n"
                             "training: {method: full, gradient_checkpointing: true, ";
    const Result g = estimate_yaml(base + "optimizer: galore-adamw}\n");
    BOOST_TEST(g.bytes("training.optimizer_states") == 5'517'367'296ULL);
    BOOST_TEST(g.bytes("training.optimizer.galore_svd") == 594'542'592ULL);
    BOOST_TEST(g.bytes("training.gradients") == 15'231'233'024ULL);  // every gradient kept: 7,615,616,512 · 2
    const Result lw = estimate_yaml(base + "optimizer: galore-adamw, galore: {layerwise: true}}\n");
    BOOST_TEST(lw.bytes("training.gradients") == 1'089'994'752ULL);
    BOOST_TEST(!estimate_yaml(base + "optimizer: adamw}\n").has("training.optimizer.galore_svd"));
    const CliResult bad = run_scenario(base + "optimizer: adamw, galore: {rank: 8}}\n", "galore");
    BOOST_TEST(bad.rc == 1);
    BOOST_TEST(bad.err.find("which takes no options") != std::string::npos, bad.err);
    const CliResult zero = run_scenario(base + "optimizer: galore-adamw}\nparallelism: {data: 2, zero: 2}\n", "galore");
    BOOST_TEST(zero.rc == 1);
    BOOST_TEST(zero.err.find("projects whole 2-D gradients") != std::string::npos, zero.err);
}

// LISA (training.method: lisa; ms-swift swift/callbacks/lisa.py): 2 decoder layers plus everything
// outside the decoder stack train; the HF Trainer's optimizer holds states for exactly those.
// Qwen2.5-7B layer: q 3584 · 3584 + 3584, k and v 512 · 3584 + 512, o 3584 · 3584, gate, up, down
// 18944 · 3584, two norms 3584: 25,690,112 + 3,670,016 + 203,685,888 + 4,608 + 7,168 = 233,057,792.
// Trainable: 2 · 152064 · 3584 + 3584 (embedding, LM head, final norm) = 1,089,998,336 + 2 layers
// 466,115,584 = 1,556,113,920 parameters. Pure bf16: gradients 3,112,227,840 B, AdamW states
// 6,224,455,680 B. LLaMA-Pro (training.method: llama-pro; ms-swift swift/tuners/llamapro.py) with
// 4 new blocks: 4 copied layers = 932,231,168 parameters stored beside the frozen model
// (1,864,462,336 B in bf16), their gradients 1,864,462,336 B, AdamW states 3,728,924,672 B.
BOOST_AUTO_TEST_CASE(issue18_lisa_and_llama_pro_train_whole_layers) {
    const std::string base = "model: {preset: qwen2.5-7b}\nprecision: {weights: bf16}\nworkload: {type: training, "
                             "batch_size: 1, sequence_length: 2048, lengths: [100]}\nhardware: {gpu: A800}\n"
                             "training: {gradient_checkpointing: true, ";
    const Result lisa = estimate_yaml(base + "method: lisa}\n");
    BOOST_TEST(lisa.estimate.trainable_parameters == 1'556'113'920LL);
    BOOST_TEST(lisa.bytes("training.gradients") == 3'112'227'840ULL);
    BOOST_TEST(lisa.bytes("training.optimizer_states") == 6'224'455'680ULL);
    const Result pro = estimate_yaml(base + "method: llama-pro}\n");
    BOOST_TEST(pro.bytes("training.adapters.weights") == 1'864'462'336ULL);
    BOOST_TEST(pro.bytes("training.gradients") == 1'864'462'336ULL);
    BOOST_TEST(pro.bytes("training.optimizer_states") == 3'728'924'672ULL);
    BOOST_TEST(pro.bytes("core.weights") == 15'231'233'024ULL);  // the frozen model, 7,615,616,512 · 2
    const CliResult bad = run_scenario(base + "method: llama-pro, llama-pro: {num_new_blocks: 5}}\n", "pro");
    BOOST_TEST(bad.rc == 1);
    BOOST_TEST(bad.err.find("does not divide the model's 28 layers") != std::string::npos, bad.err);
}

// PPO in verl's layout (training.ppo.layout: verl): actor, critic and reference as FSDP workers on
// every GPU, the rollout in a colocated vLLM. Qwen2.5-7B, fp32 actor (verl's default model_dtype
// for the actor) with bf16 compute, FSDP over 8 H100:
//   reference in bf16 (fsdp_workers.py: bf16 for every role but the actor): 7,615,616,512 · 2 / 8 =
//   1,903,904,128 B; critic: the policy without its LM head (544,997,376) with a [1, 3584] bf16
//   score head: (7,070,619,136 · 4 + 3584 · 2) / 8 = 3,535,310,464 B; the rollout pool 0.5 of the
//   GPU during generation only (free_cache_engine), no generate() terms; the critic's and the
//   actor's activations one at a time: half of TRL's, which trains both in one backward.
BOOST_AUTO_TEST_CASE(issue18_ppo_in_verls_colocated_layout) {
    const std::string base = "model: {preset: qwen2.5-7b}\nprecision: {weights: fp32}\nworkload: {type: training, "
                             "batch_size: 4}\nparallelism: {data: 8, fsdp: full_shard}\nhardware: {gpu: H100, count: 8}\n"
                             "training: {method: full, mixed_precision: bf16, gradient_checkpointing: true, objective: "
                             "ppo, ppo: {prompt_length: 512, response_length: 1024, reward_model: false";
    const Result verl = estimate_yaml(base + ", layout: verl}}\n");
    const Result trl = estimate_yaml(base + "}}\n");
    BOOST_TEST(verl.bytes("rl.reference_model.weights") == 1'903'904'128ULL);
    BOOST_TEST(verl.bytes("rl.ppo.value_model.weights") == 3'535'310'464ULL);
    // 0.5 × the H100 SXM5's usable 85,018,877,624 B (the catalog row) = 42,509,438,812 B.
    BOOST_TEST(verl.bytes("rl.grpo.vllm_pool_awake") == 42'509'438'812ULL);
    BOOST_TEST(!verl.has("rl.ppo.rollout"));
    BOOST_TEST(!verl.has("rl.ppo.rollout_gathered_params"));
    BOOST_TEST(2 * verl.bytes("training.activations") == trl.bytes("training.activations"));
    const CliResult bad = run_scenario("model: {preset: qwen2.5-7b}\nworkload: {type: training}\ntraining: {method: "
                                       "full, objective: ppo, ppo: {layout: verl}}\nhardware: {gpu: H100}\n", "verl");
    BOOST_TEST(bad.rc == 1);
    BOOST_TEST(bad.err.find("parallelism.fsdp: full_shard") != std::string::npos, bad.err);
}

// PPO in OpenRLHF's Ray layout (v0.11.0): one estimate is one GPU of one role's group. Llama-3.1-8B,
// full fine-tuning, ZeRO-3 over 8 H100, train micro-batch 2, P + R = 1,024 + 1,024, gradient
// checkpointing. By hand:
// Actor group (reference colocated): the policy P = 8,030,261,248
//   weights 8,030,261,248 · 2 / 8 = 2,007,565,312; the reference (bf16 eval engine, ZeRO-3) the same
//   logits (models/actor.py: fp32 copy of every position's logits, kept across backward with the
//   loss's fp32 gradient and its bf16 cast: 4 + 4 + 2 = 10 B per element):
//     2 · (2,048 · 2 · 4,096 · 2 + 2,048 · 10 · 128,256) = 2 · (33,554,432 + 2,626,682,880) = 5,320,474,624
//   (TRL keeps only the R + 1 response positions, at transformers' 12 B per element:
//     2 · (33,554,432 + 1,025 · 12 · 128,256) = 2 · (33,554,432 + 1,577,548,800) = 3,222,206,464)
//   experience forward (no grad) of 4 sequences: 4 · 2,048 · 128,256 · (2 + 4) = 6,304,038,912
//   no value model, no reward model, no rollout on these GPUs (vLLM engines generate elsewhere)
// Critic group (reward colocated): the backbone without the LM head (128,256 · 4,096 = 525,336,576)
//   7,504,924,672 + value head 4,096 = 7,504,928,768 trainable
//   weights 7,504,924,672 · 2 / 8 = 1,876,231,168; value head 4,096 · 2 / 8 = 1,024
//   gradients 7,504,928,768 · 2 / 8 = 1,876,232,192; AdamW 7,504,928,768 · 8 / 8 = 7,504,928,768
//   no vocabulary logits: the final norm's and the value head's inputs 2 · 2,048 · 2 · 4,096 · 2 = 67,108,864
//   reward model (a sequence classifier, ZeRO-3) (7,504,924,672 + 4,096) · 2 / 8 = 1,876,232,192
BOOST_AUTO_TEST_CASE(issue18_ppo_in_openrlhfs_ray_layout_one_role_group_at_a_time) {
    const std::string base = "model: {preset: llama-3.1-8b}\nworkload: {type: training, batch_size: 2}\n"
                             "parallelism: {data: 8, zero: 3}\nhardware: {gpu: H100, count: 8}\n"
                             "training: {method: full, mixed_precision: bf16, gradient_checkpointing: true, objective: "
                             "ppo, ppo: {prompt_length: 1024, response_length: 1024";
    const Result actor = estimate_yaml(base + ", layout: openrlhf, micro_rollout_batch_size: 4, colocate_actor_ref: "
                                              "true}}\n");
    BOOST_TEST(actor.estimate.trainable_parameters == 8'030'261'248LL);
    BOOST_TEST(actor.bytes("core.weights") == 2'007'565'312ULL);
    BOOST_TEST(actor.bytes("rl.reference_model.weights") == 2'007'565'312ULL);
    BOOST_TEST(actor.bytes("training.logits") == 5'320'474'624ULL);
    BOOST_TEST(actor.bytes("rl.ppo.experience_logits") == 6'304'038'912ULL);
    for (const char* id : {"rl.ppo.value_model.weights", "rl.ppo.reward_model.weights", "rl.ppo.rollout",
                           "rl.ppo.rollout_gathered_params"})
        BOOST_TEST(!actor.has(id), id);
    const Result trl_logits = estimate_yaml(base + "}}\n");
    BOOST_TEST(trl_logits.bytes("training.logits") == 3'222'206'464ULL);

    const Result critic = estimate_yaml(base + ", layout: openrlhf, role: critic, colocate_critic_reward: true}}\n");
    BOOST_TEST(critic.estimate.trainable_parameters == 7'504'928'768LL);
    BOOST_TEST(critic.bytes("core.weights") == 1'876'231'168ULL);
    BOOST_TEST(critic.bytes("rl.ppo.value_model.weights") == 1'024ULL);
    BOOST_TEST(critic.bytes("training.gradients") == 1'876'232'192ULL);
    BOOST_TEST(critic.bytes("training.optimizer_states") == 7'504'928'768ULL);
    BOOST_TEST(critic.bytes("training.logits") == 67'108'864ULL);
    BOOST_TEST(critic.bytes("rl.ppo.reward_model.weights") == 1'876'232'192ULL);
    BOOST_TEST(!critic.has("rl.reference_model.weights"));
    BOOST_TEST(!critic.has("rl.ppo.experience_logits"));
    // Without colocation each frozen model is on GPUs of its own.
    const Result alone = estimate_yaml(base + ", layout: openrlhf, role: critic}}\n");
    BOOST_TEST(!alone.has("rl.ppo.reward_model.weights"));

    const CliResult tp = run_scenario("model: {preset: llama-3.1-8b}\nworkload: {type: training}\ntraining: {method: "
                                      "full, objective: ppo, ppo: {layout: openrlhf}}\nparallelism: {tensor: 2}\n"
                                      "hardware: {gpu: H100, count: 2}\n", "orl_tp");
    BOOST_TEST(tp.rc == 1);
    BOOST_TEST(tp.err.find("parallelism.tensor: OpenRLHF's actor and critic are DeepSpeed ZeRO workers") !=
                   std::string::npos, tp.err);
    // An OpenRLHF option under TRL's layout names both.
    const CliResult role = run_scenario("model: {preset: llama-3.1-8b}\nworkload: {type: training}\ntraining: {method: "
                                        "full, objective: ppo, ppo: {role: critic}}\nhardware: {gpu: H100}\n", "orl_role");
    BOOST_TEST(role.rc == 1);
    BOOST_TEST(role.err.find("training.ppo.role: an option of layout openrlhf (got layout trl)") != std::string::npos,
               role.err);
}

BOOST_AUTO_TEST_SUITE_END()
