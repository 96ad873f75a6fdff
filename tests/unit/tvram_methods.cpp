// tvram_methods.cpp - issue 6: training methods (LoRA, QLoRA, prefix) and objectives (DPO, GRPO).
// Every expected number is worked by hand in the comments from the model's config.json.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"
#include "vram/error.hpp"
#include "vram/scenario_loader.hpp"

using namespace vram;
using namespace vram::test;

namespace {

// Runs one training method's prepare() on a model, as the pipeline does, and returns the
// context (trainable tensors, P_trainable, the method's symbols).
struct Prepared {
    ModelSpec model;
    Scenario scenario;
    std::unique_ptr<Context> ctx;
};

std::unique_ptr<Prepared> prepare_method(const std::string& config, const std::string& method,
                                         const std::string& block_yaml, const std::string& weights = "bf16") {
    auto out = std::make_unique<Prepared>();
    out->model = load_model(config);
    out->scenario.workload.type = "training";
    out->ctx = std::make_unique<Context>(out->model, out->scenario);
    out->ctx->weight_format = weights;
    const TrainingMethod& m = core_registry().methods.get(method);
    const ConfigNode block = parse_yaml_text(block_yaml, "test");
    const Params p = Params::validate(&block, m.params(), "training." + method);
    m.prepare(*out->ctx, p);
    return out;
}

std::int64_t trainable(const std::string& config, const std::string& method, const std::string& block_yaml) {
    return static_cast<std::int64_t>(prepare_method(config, method, block_yaml)->ctx->operator[](Sym::P_trainable));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(methods)

// Llama-2-7B (config.json: hidden 4096, 32 heads, no GQA, 32 layers), r = 8 on q_proj and v_proj:
//   q_proj 4096 → 4096: 8 · (4096 + 4096) = 65,536;  v_proj 4096 → 4096: 65,536
//   32 layers · 131,072 = 4,194,304  (LitGPT's resource table prints the same count)
BOOST_AUTO_TEST_CASE(issue6_lora_llama2_7b_r8_qv_is_4194304) {
    BOOST_TEST(trainable("meta-llama-llama-2-7b-hf", "lora", "{rank: 8, targets: [q_proj, v_proj]}") == 4194304);
    // PEFT's default targets for model_type llama are q_proj, v_proj (and r defaults to 8).
    BOOST_TEST(trainable("meta-llama-llama-2-7b-hf", "lora", "{}") == 4194304);
}

// Llama-3-8B (hidden 4096, 32 heads, 8 KV heads, head_dim 128, 32 layers), r = 16 on q, v:
//   q_proj 4096 → 4096: 16 · 8192 = 131,072;  v_proj 4096 → 1024: 16 · 5120 = 81,920
//   32 · 212,992 = 6,815,744
BOOST_AUTO_TEST_CASE(issue6_lora_llama3_8b_r16_qv_is_6815744) {
    BOOST_TEST(trainable("meta-llama-meta-llama-3-8b", "lora", "{rank: 16, targets: [q_proj, v_proj]}") == 6815744);
}

// Llama-3-8B, r = 16, all-linear (every Linear but lm_head), intermediate 14336:
//   q 131,072 + k 81,920 + v 81,920 + o 131,072 + gate/up/down 3 · 16 · (4096 + 14336) = 884,736
//   per layer 1,310,720; · 32 = 41,943,040 (formulas.md §6.1: 41.9 M)
BOOST_AUTO_TEST_CASE(issue6_lora_all_linear_excludes_head) {
    BOOST_TEST(trainable("meta-llama-meta-llama-3-8b", "lora", "{rank: 16, targets: [all-linear]}") == 41943040);
    // The same modules named one by one.
    BOOST_TEST(trainable("meta-llama-meta-llama-3-8b", "lora",
                         "{rank: 16, targets: [q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj]}") ==
               41943040);
}

// Llama-2-13B (hidden 5120, 40 layers), r = 8 on q, v: 40 · 2 · 8 · 10,240 = 6,553,600
// (LitGPT's resource table: 6,553,600).
BOOST_AUTO_TEST_CASE(issue6_lora_llama2_13b_r8_qv) {
    BOOST_TEST(trainable("meta-llama-llama-2-13b-hf", "lora", "{rank: 8, targets: [q_proj, v_proj]}") == 6553600);
}

// lora_bias adds d_out per adapted Linear, DoRA a magnitude vector of d_out:
//   Llama-3-8B r=16 q,v: 6,815,744 + 32 · (4096 + 1024) = 6,979,584 with one of them,
//   7,143,424 with both.
BOOST_AUTO_TEST_CASE(issue6_lora_bias_and_dora_vectors) {
    BOOST_TEST(trainable("meta-llama-meta-llama-3-8b", "lora", "{rank: 16, use_dora: true}") == 6979584);
    BOOST_TEST(trainable("meta-llama-meta-llama-3-8b", "lora", "{rank: 16, use_dora: true, bias: true}") == 7143424);
}

BOOST_AUTO_TEST_CASE(issue6_lora_unknown_target_is_an_error_naming_the_key) {
    try {
        trainable("meta-llama-meta-llama-3-8b", "lora", "{targets: [q_porj]}");
        BOOST_FAIL("expected an error");
    } catch (const ParamError& e) {
        const std::string msg = e.what();
        BOOST_TEST(msg.find("training.lora.targets") != std::string::npos);
        BOOST_TEST(msg.find("q_porj") != std::string::npos);
        BOOST_TEST(msg.find("q_proj") != std::string::npos);  // what is allowed
    }
}

// Prefix tuning, Llama-3-8B, 20 virtual tokens, GQA-aware token_dim = 8 · 128 = 1024:
//   20 · 32 layers · 2 · 1024 = 1,310,720 (formulas.md §6.3)
// With prefix_projection (encoder_hidden_size = token_dim = 1024):
//   20 · 1024 + (1024 · 1024 + 1024) + (1024 · 65,536 + 65,536)
//   = 20,480 + 1,049,600 + 67,174,400 = 68,244,480
BOOST_AUTO_TEST_CASE(issue6_prefix_parameters_are_gqa_aware) {
    BOOST_TEST(trainable("meta-llama-meta-llama-3-8b", "prefix", "{num_virtual_tokens: 20}") == 1310720);
    BOOST_TEST(trainable("meta-llama-meta-llama-3-8b", "prefix", "{num_virtual_tokens: 20, prefix_projection: true}") ==
               68244480);
}

// QLoRA refuses a 16-bit base: the 4-bit base is precision.weights' job.
BOOST_AUTO_TEST_CASE(issue6_qlora_needs_a_4bit_base) {
    BOOST_CHECK_THROW(prepare_method("meta-llama-llama-2-7b-hf", "qlora", "{}", "bf16"), ParamError);
    const auto p = prepare_method("meta-llama-llama-2-7b-hf", "qlora", "{rank: 8}", "nf4");
    BOOST_TEST((*p->ctx)[Sym::P_trainable] == 4194304);
}

BOOST_AUTO_TEST_SUITE_END()
