// tvram_contract.cpp - issue 16: plugins cannot disagree. Symbols are declared before anything
// reads them, plugins built against other headers are refused, and `vram symbols` lists every
// declared symbol with its owner.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

#include "test_support.hpp"
#include "vram/abi_fingerprint.hpp"
#include "vram/error.hpp"

using namespace vram;
using namespace vram::test;

namespace {

int lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(contract)

BOOST_AUTO_TEST_CASE(issue16_plugin_reading_an_undeclared_symbol_is_refused_at_load) {
    // The fixture's term lists "frozen_bse" in reads(): a typo of the built-in frozen_base that
    // once read as 0. The loader refuses the plugin before any of its terms can run.
    Registry registry;
    PluginLoader loader(registry);
    std::string message;
    try {
        loader.load(VRAM_FIXTURE_UNDECLARED_SYMBOL);
    } catch (const PluginLoadError& e) {
        message = e.what();
    }
    BOOST_TEST_MESSAGE("refusal: " << message);
    BOOST_TEST(has(message, "fixture_undeclared_symbol") == true);
    BOOST_TEST(has(message, "component 'fixture.reads_typo' reads symbol 'frozen_bse', which no loaded plugin "
                            "declares; did you mean: frozen_base") == true);
    BOOST_TEST(registry.components.find("fixture.reads_typo") == nullptr);  // nothing committed

    // Through the CLI: exit 3, one line on stderr naming the file and the reason, nothing on stdout.
    const CliResult r = run_cli({"run", "presets/scenarios/llama2-7b-serving-h100.yaml", "--plugin",
                                 VRAM_FIXTURE_UNDECLARED_SYMBOL, "--format", "json"});
    BOOST_TEST(r.rc == 3);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(lines(r.err) == 1);
    BOOST_TEST(has(r.err, VRAM_FIXTURE_UNDECLARED_SYMBOL) == true);
    BOOST_TEST(has(r.err, "reads symbol 'frozen_bse'") == true);
}

BOOST_AUTO_TEST_CASE(issue16_plugin_built_against_other_headers_is_refused) {
    // Same API version number, other header fingerprint: what a forgotten version bump produces.
    Registry registry;
    PluginLoader loader(registry);
    std::string message;
    try {
        loader.load(VRAM_FIXTURE_BAD_FINGERPRINT);
    } catch (const PluginLoadError& e) {
        message = e.what();
    }
    BOOST_TEST_MESSAGE("refusal: " << message);
    BOOST_TEST(has(message, "fixture_bad_fingerprint") == true);
    BOOST_TEST(has(message, "built against plugin-facing headers with fingerprint 0000000000000000, this host's are " +
                                std::string(VRAM_ABI_FINGERPRINT).substr(0, 16)) == true);
    BOOST_TEST(loader.loaded().empty());

    const CliResult r = run_cli({"run", "presets/scenarios/llama2-7b-serving-h100.yaml", "--plugin",
                                 VRAM_FIXTURE_BAD_FINGERPRINT});
    BOOST_TEST(r.rc == 3);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(lines(r.err) == 1);
    BOOST_TEST(has(r.err, VRAM_FIXTURE_BAD_FINGERPRINT) == true);
    BOOST_TEST(has(r.err, "rebuild it against the installed SDK") == true);
}

BOOST_AUTO_TEST_CASE(issue16_symbols_without_a_scenario_lists_every_plugin_symbol_with_its_owner) {
    // Every symbol the first-party plugins declare, listed here by hand from their registration
    // blocks (plugins/*/<plugin>.cpp), with the owner `vram symbols` must print.
    const std::vector<std::pair<std::string, std::string>> declared = {
        {"convention", "vram_training_core"},          {"ddp_bucket_view", "vram_training_core"},
        {"ds_reduce_bucket", "vram_training_core"}, {"megatron_exp_avg_bytes", "vram_training_core"},
        {"megatron_exp_avg_sq_bytes", "vram_training_core"}, {"megatron_main_param_bytes", "vram_training_core"},
        {"megatron_main_grad_bytes", "vram_training_core"}, {"ds_prefetch_bucket", "vram_training_core"},
        {"ds_max_live", "vram_training_core"},         {"ds_reuse_distance", "vram_training_core"},
        {"ds_persistence", "vram_training_core"},      {"ppo_prompt", "vram_training_rl"},
        {"ppo_response", "vram_training_rl"}, {"ppo_rollout", "vram_training_rl"}, {"ppo_value_params", "vram_training_rl"},
        {"ppo_reward_model", "vram_training_rl"}, {"ppo_ds3_gather", "vram_training_rl"},
        {"ppo_verl", "vram_training_rl"},              {"ref_16bit", "vram_training_rl"},    {"lora_dropout", "vram_training_peft"},
        {"dequant_tile_elements", "vram_training_peft"}, {"kbit_fp32_params", "vram_training_peft"},
        {"n_virtual", "vram_training_peft"},           {"token_dim", "vram_training_peft"},
        {"ref_model", "vram_training_rl"},             {"ref_forward", "vram_training_rl"},
        {"logits_tokens", "vram_training_rl"},         {"P_prompt", "vram_training_rl"},
        {"C_completion", "vram_training_rl"},          {"S_steps", "vram_training_rl"},
        {"grpo_vllm_util", "vram_training_rl"},        {"vllm_sleep", "vram_training_rl"},
        {"ppo_openrlhf", "vram_training_rl"},          {"ppo_critic", "vram_training_rl"},
        {"ppo_micro_rollout", "vram_training_rl"},
        {"torch_mean_saves_input", "vram_runtime_core"}, {"bnb_4bit_saves_input", "vram_runtime_core"},
        {"rmsnorm", "vram_runtime_core"},              {"rmsnorm_upcast", "vram_runtime_core"},
        {"kv_cache_static", "vram_runtime_core"},      {"alloc_expandable_segments", "vram_runtime_core"},
        {"alloc_max_split_size", "vram_runtime_core"}, {"adamw_foreach", "vram_runtime_core"},
        {"vllm_util", "vram_runtime_serving"},         {"vllm_batched_tokens", "vram_runtime_serving"},
        {"vllm_max_seqs", "vram_runtime_serving"},     {"vllm_block", "vram_runtime_serving"},
        {"vllm_non_torch", "vram_runtime_serving"},    {"vllm_cuda_graphs", "vram_runtime_serving"},
        {"vllm_sampler_bpl", "vram_runtime_serving"},  {"vllm_max_model_len", "vram_runtime_serving"},
        {"vllm_nccl_outside", "vram_runtime_serving"},     {"vllm_moe_separate_caches", "vram_runtime_serving"},
        {"vllm_hybrid_allocator", "vram_runtime_serving"}, {"vllm_mm_encoder_outputs", "vram_runtime_serving"},
        {"vllm_lora_rank", "vram_runtime_serving"},    {"vllm_max_loras", "vram_runtime_serving"},
        {"trtllm_max_batch_size", "vram_runtime_serving"}, {"trtllm_max_num_tokens", "vram_runtime_serving"},
        {"trtllm_max_seq_len", "vram_runtime_serving"},    {"trtllm_kv_fraction", "vram_runtime_serving"},
        {"trtllm_tokens_per_block", "vram_runtime_serving"}, {"trtllm_execution_context", "vram_runtime_serving"},
        {"trtllm_decoder_vocab_buffers", "vram_runtime_serving"},
        {"sglang_mem_fraction", "vram_runtime_serving"}, {"sglang_chunk", "vram_runtime_serving"},
        {"sglang_page", "vram_runtime_serving"},       {"sglang_dist_init", "vram_runtime_serving"},
        {"sglang_cuda_graphs", "vram_runtime_serving"}, {"sglang_swa_full_tokens_ratio", "vram_runtime_serving"},
        {"sglang_mamba_full_memory_ratio", "vram_runtime_serving"}, {"sglang_mamba_ssm_bytes", "vram_runtime_serving"},
        {"vllm_offload_copies", "vram_runtime_serving"}, {"vllm_graphs_in_budget", "vram_runtime_serving"},
        {"vllm_kv_connector_buffer", "vram_runtime_serving"}, {"vllm_kv_connector_in_budget", "vram_runtime_serving"},
        {"llamacpp_n_ctx", "vram_runtime_serving"},
        {"llamacpp_n_ubatch", "vram_runtime_serving"}, {"llamacpp_n_seq", "vram_runtime_serving"},
        {"llamacpp_gpu_layers", "vram_runtime_serving"}, {"llamacpp_flash_attn", "vram_runtime_serving"},
        // Built-ins, among them the mirrors of the typed method facts.
        {"b", "core"}, {"P_total", "core"}, {"bytes_trainable", "core"}, {"adapter_params", "core"},
        {"frozen_base", "core"}};
    const CliResult r = run_cli({"symbols", "--format", "json"});
    BOOST_TEST_REQUIRE(r.rc == 0);
    for (const auto& [name, owner] : declared) {
        BOOST_TEST_CONTEXT(name) {
            BOOST_TEST(has(r.out, "{\"name\": \"" + name + "\", \"value\": null") == true);
            const auto at = r.out.find("{\"name\": \"" + name + "\"");
            const auto end = r.out.find('}', at);
            BOOST_TEST(has(r.out.substr(at, end - at), "\"owner\": \"" + owner + "\"") == true);
        }
    }
    // 33 built-ins (enum Sym) + the 81 symbols above from plugins: nothing else, nothing twice.
    std::set<std::string> names;
    std::size_t rows = 0;
    for (std::size_t at = r.out.find("{\"name\": \""); at != std::string::npos; at = r.out.find("{\"name\": \"", at + 1)) {
        const auto start = at + 10;
        names.insert(r.out.substr(start, r.out.find('"', start) - start));
        ++rows;
    }
    BOOST_TEST(rows == names.size());
    BOOST_TEST(rows == 33u + 81u);
    // The table says who owns each symbol too.
    const CliResult t = run_cli({"symbols", "--format", "table"});
    BOOST_TEST(has(t.out, "owner") == true);
    BOOST_TEST(has(t.out, "vram_runtime_serving") == true);
}

BOOST_AUTO_TEST_CASE(issue16_formula_reading_an_undeclared_symbol_is_refused_when_compiled) {
    // A research formula with the same typo: refused before any estimate, with the column and
    // the close declared names, on one line.
    const std::string path = write_scenario(R"(name: typo
model: {preset: llama-2-7b}
workload: {type: inference, batch_size: 1, sequence_length: 1024}
hardware: {memory_gib: 80}
components:
  - {name: my_buffer, category: buffers, formula: "2 * frozen_bse"}
)", "contract_typo");
    const CliResult r = run_cli({"run", path, "--format", "json"});
    BOOST_TEST_MESSAGE("error: " << r.err);
    BOOST_TEST(r.rc == 1);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(lines(r.err) == 1);
    BOOST_TEST(has(r.err, "unknown symbol 'frozen_bse'; did you mean: frozen_base") == true);
    BOOST_TEST(has(r.err, "column 5") == true);  // "2 * frozen_bse": the name starts at column 5
}

BOOST_AUTO_TEST_CASE(issue16_a_declared_symbol_reads_its_fallback_until_a_stage_sets_it) {
    // Context::get: declared and unset -> the fallback; undeclared -> an error naming the symbol.
    const ModelSpec model;
    const Scenario scenario;
    Context ctx(model, scenario, &core_registry().symbols);
    BOOST_TEST(ctx.get("vllm_util", 0.9) == 0.9);
    ctx.begin_stage("test");
    ctx.set(ctx.symbol("vllm_util"), 0.5);
    BOOST_TEST(ctx.get("vllm_util", 0.9) == 0.5);
    BOOST_CHECK_EXCEPTION(ctx.get("vllm_utill"), EstimateError, [](const EstimateError& e) {
        return has(e.what(), "symbol 'vllm_utill' is not declared by any loaded plugin");
    });
}

BOOST_AUTO_TEST_SUITE_END()
