// tvram_precision.cpp - issue 18 "Precision": FP8 / FP4 training (Transformer Engine recipes with
// and without --fp8-param-gather, torchao Float8), each number worked by hand below from the
// model's shapes and the libraries' storage layouts (docs/training.md §10). Never recomputed by
// the code under test.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "test_support.hpp"

using namespace vram;
using namespace vram::test;

namespace {

// Llama-3-8B (h 4096, 32 layers, 32 heads of 128, 8 KV heads, F 14336, V 128256), full
// fine-tuning at b·s = 8192 under Megatron's conventions on one GPU.
std::string llama3(const std::string& fp8, const std::string& gpu, const std::string& parallelism = "") {
    return "model: {preset: llama-3-8b}\nworkload: {type: training, batch_size: 1, sequence_length: 8192}\n"
           "training: {method: full, mixed_precision: bf16, " + fp8 + "full: {convention: megatron}}\n" +
           (parallelism.empty() ? std::string() : "parallelism: {" + parallelism + "}\n") + "hardware: {gpu: " + gpu +
           "}\n";
}

// Decoder Linear weights of one Llama-3-8B layer: q and o 4096 × 4096, k and v 1024 × 4096,
// gate and up 14336 × 4096, down 4096 × 14336:
//   2 · 16,777,216 + 2 · 4,194,304 + 3 · 58,720,256 = 218,103,808 elements, 7 tensors;
//   32 layers: 6,979,321,856 elements, 224 tensors.
constexpr Bytes kLinearElements = 6'979'321'856ULL;

// A refused scenario: exit 1, nothing on stdout, one line on stderr that contains `words`.
void refused(const std::string& yaml, const std::string& words) {
    const CliResult r = run_scenario(yaml, "refused");
    BOOST_TEST(r.rc == 1);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(r.err.find(words) != std::string::npos, r.err);
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, r.err);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(precision)

// Transformer Engine per-tensor FP8 keeps each weight quantized for the step, 1 B per element + one
// fp32 scale_inv per tensor and layout. Hopper's FP8 GEMM takes only TN operands, so a transposed
// copy exists too: 2 · 6,979,321,856 + 224 · 2 · 4 = 13,958,645,504 B. Blackwell (SM100) takes any
// layout, one buffer: 6,979,321,856 + 224 · 4 = 6,979,322,752 B.
BOOST_AUTO_TEST_CASE(issue18_fp8_tensorwise_weight_copies_follow_the_gpu_generation) {
    BOOST_TEST(estimate_yaml(llama3("fp8_recipe: tensorwise, ", "H100")).bytes("training.fp8.weight_copies") ==
               2 * kLinearElements + 224 * 8);
    BOOST_TEST(estimate_yaml(llama3("fp8_recipe: tensorwise, ", "B200")).bytes("training.fp8.weight_copies") ==
               kLinearElements + 224 * 4);
    BOOST_TEST(!estimate_yaml(llama3("", "H100")).has("training.fp8.weight_copies"));
}

// Blockwise (DeepSeek-V3 style) scales 128 × 128 weight tiles with one fp32 each, in both layouts
// on any GPU. Tiles per layer: q, o 32 · 32 = 1024 each; k, v 8 · 32 = 256 each; gate, up
// 112 · 32 = 3584 each; down 32 · 112 = 3584 -> 13,312 tiles · 4 B = 53,248 B of scales.
// 32 · 2 · (218,103,808 + 53,248) = 13,962,051,584 B.
BOOST_AUTO_TEST_CASE(issue18_fp8_blockwise_weight_copies_count_their_tile_scales) {
    BOOST_TEST(estimate_yaml(llama3("fp8_recipe: blockwise, ", "H100")).bytes("training.fp8.weight_copies") ==
               13'962'051'584ULL);
}

// --fp8-param-gather (with Megatron's distributed optimizer): the Linear weights are the FP8
// tensors, no bf16 copy and no workspace. bf16 weights 8,030,261,248 · 2 = 16,060,522,496 B, of
// which the Linears' 2 · 6,979,321,856 = 13,958,643,712 B become 13,962,051,584 B (blockwise, both
// layouts): 16,060,522,496 − 13,958,643,712 + 13,962,051,584 = 16,063,930,368 B.
BOOST_AUTO_TEST_CASE(issue18_fp8_param_gather_stores_the_linear_weights_in_fp8) {
    const Result r =
        estimate_yaml(llama3("fp8_recipe: blockwise, fp8_param_gather: true, ", "H100", "zero: 1"));
    BOOST_TEST(r.bytes("core.weights") == 16'063'930'368ULL);
    BOOST_TEST(!r.has("training.fp8.weight_copies"));
    BOOST_TEST(r.estimate.weight_format == "bf16+fp8-blockwise");
}

// Saved activations: a trainable TE Linear saves its input quantized in one layout. Per layer and
// token (flash attention, no checkpointing) the q/k/v input (h = 4096), the gate/up input (4096)
// and the down_proj input (F = 14336) drop from 2 B to 1 B, and o_proj saves a 1 B copy of the
// attention output (32 · 128 = 4096) besides the bf16 one flash attention keeps:
//   −4096 − 4096 − 14336 + 4096 = −18,432 B per token and layer; · 8192 · 32 = −4,831,838,208 B.
// Blockwise (1 × 128 tiles, fp32 scales: 1.03125 B): (1.03125 − 2) · 22,528 + 1.03125 · 4096 =
// −21,824 + 4,224 = −17,600 B; · 8192 · 32 = −4,613,734,400 B.
BOOST_AUTO_TEST_CASE(issue18_fp8_linear_inputs_are_saved_quantized) {
    const Bytes bf16 = estimate_yaml(llama3("", "H100")).bytes("training.activations");
    BOOST_TEST(bf16 - estimate_yaml(llama3("fp8_recipe: tensorwise, ", "H100")).bytes("training.activations") ==
               4'831'838'208ULL);
    BOOST_TEST(bf16 - estimate_yaml(llama3("fp8_recipe: blockwise, ", "H100")).bytes("training.activations") ==
               4'613'734'400ULL);
}

// MXFP8: 1 B + one E8M0 byte per 32 elements along the reduction dimension, both layouts
// (rowwise scales per 32 columns, columnwise per 32 rows). q, o: 16,777,216 + 4096 · 128 =
// 17,301,504 per layout; k, v: 4,194,304 + 1024 · 128 = 4,325,376 rowwise, 4,194,304 + 32 · 4096 =
// 4,325,376 columnwise; gate, up: 58,720,256 + 14336 · 128 = 60,555,264 rowwise, + 448 · 4096 =
// 60,555,264 columnwise; down: 58,720,256 + 4096 · 448 = 60,555,264 each. Per layer both layouts:
// 2 · (2 · 17,301,504 + 2 · 4,325,376 + 3 · 60,555,264) = 2 · 224,919,552 = 449,839,104;
// · 32 = 14,394,851,328 B (the GPU must be Blackwell).
BOOST_AUTO_TEST_CASE(issue18_mxfp8_weight_copies_on_blackwell) {
    BOOST_TEST(estimate_yaml(llama3("fp8_recipe: mxfp8, ", "B200")).bytes("training.fp8.weight_copies") ==
               14'394'851'328ULL);
}

// Megatron's precision-aware optimizer keeps the fp32 master as 16-bit remainders of the bf16
// weight only when TE owns the master (no FP8, or delayed scaling); with blockwise FP8 Megatron
// keeps the fp32 shard itself. Qwen3-14B TP4 on this rank: 3,692,395,520 parameters / dp 2 ·
// 4 B = 7,384,791,040 B (2 B with remainders: 3,692,395,520).
BOOST_AUTO_TEST_CASE(issue18_fp8_precision_aware_optimizer_keeps_a_full_fp32_master) {
    const std::string base =
        "model: {preset: qwen3-14b}\nworkload: {type: training, batch_size: 1, sequence_length: 8192}\n"
        "parallelism: {tensor: 4, data: 2, zero: 1, sequence_parallel: true}\nhardware: {gpu: H20, count: 8}\n"
        "training: {method: full, mixed_precision: bf16, gradient_checkpointing: selective, full: {convention: "
        "megatron, precision_aware_optimizer: true, exp_avg_dtype: bf16, exp_avg_sq_dtype: bf16}";
    BOOST_TEST(estimate_yaml(base + "}\n").bytes("training.master_weights") == 3'692'395'520ULL);
    BOOST_TEST(estimate_yaml(base + ", fp8_recipe: delayed}\n").bytes("training.master_weights") == 3'692'395'520ULL);
    BOOST_TEST(estimate_yaml(base + ", fp8_recipe: blockwise, fp8_param_gather: true}\n")
                   .bytes("training.master_weights") == 7'384'791'040ULL);
}

// torchao Float8 (torchtitan's converter) saves the bf16 input and weight and casts per GEMM
// (float8_linear.py L45): activations and weights unchanged. With enable_fsdp_float8_all_gather
// FSDP2 gathers the Linear weights in FP8. Llama-3-8B under FSDP (reshard after forward): root
// 2 · 525,336,576 + 4096 = 1,050,677,248 elements · 2 B = 2,101,354,496 B; the largest layer
// gathered twice (current + prefetched) with 218,103,808 Linear weights at 1 B + 7 · 4 B scales and
// 2 · 4096 norm weights at 2 B = 218,120,220 B; plus the layer's bf16 gradient before its
// reduce-scatter 218,112,000 · 2 = 436,224,000 B: 2,101,354,496 + 2 · 218,120,220 + 436,224,000 =
// 2,973,818,936 B. Without FP8 gathering the layer is 436,224,000 B: 3,410,026,496 B.
BOOST_AUTO_TEST_CASE(issue18_torchao_float8_changes_only_what_fsdp_gathers) {
    const std::string base =
        "model: {preset: llama-3-8b}\nworkload: {type: training, batch_size: 1, sequence_length: 8192}\n"
        "runtime: {framework: torchtitan}\nparallelism: {data: 8, fsdp: full_shard}\nhardware: {gpu: H100, count: 8}\n"
        "training: {method: full, mixed_precision: bf16, gradient_checkpointing: full";
    const Result plain = estimate_yaml(base + "}\n");
    const Result ao = estimate_yaml(base + ", fp8_recipe: tensorwise}\n");
    const Result gather = estimate_yaml(base + ", fp8_recipe: tensorwise, fp8_param_gather: true}\n");
    BOOST_TEST(ao.bytes("training.activations") == plain.bytes("training.activations"));
    BOOST_TEST(!ao.has("training.fp8.weight_copies"));
    BOOST_TEST(plain.bytes("training.buffers.zero3_gathered") == 3'410'026'496ULL);
    BOOST_TEST(gather.bytes("training.buffers.zero3_gathered") == 2'973'818'936ULL);
}

// What cannot run says so in one line: FP8 on a GPU without FP8 tensor cores, a Blackwell recipe
// on Hopper, a recipe of the other library, --fp8-param-gather without the distributed optimizer
// or without a recipe, FP8 outside mixed precision.
BOOST_AUTO_TEST_CASE(issue18_fp8_refuses_what_the_libraries_refuse) {
    refused(llama3("fp8_recipe: tensorwise, ", "A100"), "no FP8 tensor cores");
    refused(llama3("fp8_recipe: mxfp8, ", "H100"), "needs Blackwell tensor cores");
    refused(llama3("fp8_recipe: rowwise, ", "H100"), "rowwise is torchao's recipe");
    refused(llama3("fp8_recipe: blockwise, fp8_param_gather: true, ", "H100"), "distributed optimizer");
    refused("model: {preset: llama-3-8b}\nworkload: {type: training}\ntraining: {fp8_param_gather: true}\n",
            "needs an FP8 recipe");
    refused("model: {preset: llama-3-8b}\nworkload: {type: training}\ntraining: {fp8_recipe: tensorwise}\n"
            "hardware: {gpu: H100}\n", "inside bf16 or fp16 mixed precision");
}

// `recommend` tries every catalog GPU by its memory; an FP8 scenario keeps only the GPUs whose
// tensor cores run its recipe: the Megatron FP8 preset (blockwise) lists H100 and H20, not A100,
// Jetson AGX Orin (Ampere) or Apple silicon; an Apple GPU named in the scenario is refused.
BOOST_AUTO_TEST_CASE(issue18_fp8_recommend_keeps_gpus_with_the_recipes_tensor_cores) {
    const CliResult r = run_cli({"recommend", source_path("presets/scenarios/qwen3-14b-megatron-fp8-8xh20.yaml"),
                                 "--format", "json"});
    BOOST_TEST_REQUIRE(r.rc == 0);
    BOOST_TEST(r.out.find("\"NVIDIA H100 SXM5 80GB\"") != std::string::npos);
    BOOST_TEST(r.out.find("\"NVIDIA H20 96GB\"") != std::string::npos);
    BOOST_TEST(r.out.find("A100") == std::string::npos);
    BOOST_TEST(r.out.find("Orin") == std::string::npos);
    BOOST_TEST(r.out.find("\"Apple") == std::string::npos);
    const CliResult apple = run_scenario(llama3("fp8_recipe: tensorwise, ", "M3 Max"), "fp8");
    BOOST_TEST(apple.rc == 1);
    BOOST_TEST(apple.err.find("runs none of the FP8 training stacks") != std::string::npos, apple.err);
}

// precision.modules_to_not_convert: Unsloth's dynamic 4-bit Qwen2.5-0.5B-Instruct (NF4, double
// quant) keeps layer 0 whole and the MLPs of layers 2, 3, 21 in bf16 (its llm_int8_skip_modules,
// tests/data/engine-logs). Qwen2.5-0.5B: h 896, 24 layers, KV 2 × 64, F 4864, V 151,936 (tied).
//   bf16: embedding 151,936 · 896 · 2                                       = 272,269,312
//         norms (48 · 896 + 896) · 2 = 43,904 · 2                          =      87,808
//         q/k/v biases 24 · (896 + 128 + 128) · 2 = 27,648 · 2             =      55,296
//         kept Linear weights: layer-0 attention 2 · 802,816 + 2 · 114,688 = 1,835,008 and
//         4 MLPs · 3 · 4,358,144 = 52,297,728; 54,132,736 · 2             = 108,265,472
//   NF4 + double quant, per tensor of n: n/2 + n/64 (uint8 absmax) + ⌈n/64/256⌉ · 4 + 4:
//         q/o n 802,816: 401,408 + 12,544 + 49 · 4 + 4 = 414,152; k/v n 114,688: 57,344 + 1,792 + 28 + 4 = 59,168
//         MLP n 4,358,144: 2,179,072 + 68,096 + 266 · 4 + 4 = 2,248,236
//         23 layers · (2 · 414,152 + 2 · 59,168) = 21,772,720; 20 layers · 3 · 2,248,236 = 134,894,160
//   total 537,344,768 B. All 4-bit, the kept Linear weights would take 946,640 + 12 · 2,248,236 =
//   27,925,472 B instead of 108,265,472: 457,004,768 B.
BOOST_AUTO_TEST_CASE(issue19_modules_to_not_convert_keep_listed_modules_in_the_compute_dtype) {
    const std::string base =
        "model: {preset: qwen2.5-0.5b}\nworkload: {type: inference, batch_size: 1, sequence_length: 4096}\n"
        "hardware: {gpu: NVIDIA GeForce RTX 4090}\n";
    const Result unsloth = estimate_yaml(
        base + "precision: {weights: nf4-dq, modules_to_not_convert: [lm_head, multi_modal_projector, merger, "
               "modality_projection, model.layers.0.self_attn, model.layers.0.mlp, model.layers.2.mlp, "
               "model.layers.3.mlp, model.layers.21.mlp, model.layers.0.self_attn.q_proj]}\n");
    BOOST_TEST(unsloth.bytes("core.weights") == 537344768ULL);
    // The same modules as compressed-tensors writes them: one anchored pattern.
    const Result pattern = estimate_yaml(
        base + "precision: {weights: nf4-dq, modules_to_not_convert: ['re:model\\.layers\\.(0\\..*|(2|3|21)\\.mlp.*)']}\n");
    BOOST_TEST(pattern.bytes("core.weights") == 537344768ULL);
    // A name matches at dot boundaries only: "mlp" is every MLP, "ml" none.
    const Result none = estimate_yaml(base + "precision: {weights: nf4-dq, modules_to_not_convert: [ml, layers.0]}\n");
    const Result plain = estimate_yaml(base + "precision: {weights: nf4-dq}\n");
    BOOST_TEST(none.bytes("core.weights") == 457004768ULL);
    BOOST_TEST(plain.bytes("core.weights") == 457004768ULL);

    refused(base + "precision: {weights: nf4, modules_to_not_convert: ['re:(']}\n",
            "precision.modules_to_not_convert[0]: 're:(' is not a valid regular expression");
    refused(base + "precision: {weights: nf4, modules_to_not_convert: [1]}\n",
            "precision.modules_to_not_convert[0]: not a module name");
    refused(base + "precision: {weights: nf4, modules_to_not_convert: lm_head}\n", "precision.modules_to_not_convert");
}

BOOST_AUTO_TEST_SUITE_END()
