// tvram_checkpoint.cpp - issue 17: a hub checkpoint's safetensors headers against the family's
// count in `vram inspect` (model/checkpoint_compare.cpp, docs/hub.md "Checkpoint against family").
// Each test serves a tiny safetensors file from tests/hub/hub_server.py and reads both outputs.
// SPDX-License-Identifier: Apache-2.0
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "hub_fixture.hpp"
#include "test_support.hpp"

using namespace vram::test;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

struct Inspected {
    std::string table;
    json::object model;       ///< `vram inspect --format json`
    json::object checkpoint;  ///< its `checkpoint` object
};

/// Serves config.json and one model.safetensors holding `tensors` as hf:acme/NAME, and inspects it.
Inspected inspect_checkpoint(const std::string& name, const std::string& config, const std::vector<TinyTensor>& tensors) {
    const fs::path root = fs::temp_directory_path() / ("vram-checkpoint-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(root);
    const fs::path dir = root / "acme" / name / "resolve" / "main";
    fs::create_directories(dir);
    std::ofstream(dir / "config.json") << config;
    write_safetensors(dir / "model.safetensors", tensors);
    Inspected r;
    {
        HubServer server(root);
        const std::map<std::string, std::string> env{{"HF_ENDPOINT", server.endpoint()},
                                                     {"HF_HUB_CACHE", (root / "cache").string()}};
        const CliResult table = run_cli({"inspect", "hf:acme/" + name, "--format", "table"}, env);
        BOOST_REQUIRE_MESSAGE(table.rc == 0, table.err);
        r.table = table.out;
        const CliResult out = run_cli({"inspect", "hf:acme/" + name, "--format", "json"}, env);
        BOOST_REQUIRE_MESSAGE(out.rc == 0, out.err);
        r.model = json::parse(out.out).as_object();
    }
    fs::remove_all(root);
    BOOST_REQUIRE_MESSAGE(r.model.contains("checkpoint"), "no checkpoint object in the inspect JSON");
    r.checkpoint = r.model.at("checkpoint").as_object();
    return r;
}

std::string with(std::string config, const std::string& from, const std::string& to) {
    const auto at = config.find(from);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, "config has no " + from);
    return config.replace(at, from.size(), to);
}

std::vector<TinyTensor> without(std::vector<TinyTensor> tensors, const std::string& name) {
    const auto before = tensors.size();
    tensors.erase(std::remove_if(tensors.begin(), tensors.end(), [&](const TinyTensor& t) { return t.name == name; }),
                  tensors.end());
    BOOST_REQUIRE_MESSAGE(tensors.size() + 1 == before, "no tensor " + name);
    return tensors;
}

std::int64_t integer(const json::object& o, const char* key) { return o.at(key).as_int64(); }

const json::array& differences(const Inspected& r) { return r.checkpoint.at("differences").as_array(); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(checkpoint)

// The tiny Llama (hub_fixture.hpp) saved as transformers saves it: 21 tensors, 106,816 elements,
// exactly the family's count (embed 16,384 + 2 layers × 36,992 + norm 64 + lm_head 16,384).
BOOST_AUTO_TEST_CASE(issue17_checkpoint_matching_the_family_says_matches) {
    const Inspected r = inspect_checkpoint("exact", kTinyLlamaConfig, tiny_llama_tensors());
    BOOST_TEST(contains(r.table, "Checkpoint: hf:acme/exact@main (1 safetensors file, 21 tensors)"), r.table);
    BOOST_TEST(contains(r.table, "  matches the family count: 106,816 parameters in 21 tensors\n"), r.table);
    BOOST_TEST(contains(r.table, "note: checkpoint: 213632 tensor bytes"), r.table);  // the note stays
    BOOST_TEST(r.checkpoint.at("matches").as_bool());
    BOOST_TEST(r.checkpoint.at("comparison").as_string() == "elements");
    BOOST_TEST(integer(r.checkpoint, "family_elements") == 106816);
    BOOST_TEST(integer(r.checkpoint, "checkpoint_elements") == 106816);
    BOOST_TEST(integer(r.checkpoint, "compared_tensors") == 21);
    BOOST_TEST(integer(r.checkpoint, "tensors") == 21);
    BOOST_TEST(integer(r.checkpoint, "bytes") == 213632);
    BOOST_TEST(differences(r).empty());
    // A preset has no checkpoint: its JSON keeps the keys it always had.
    const CliResult preset = run_cli({"inspect", "llama-3.1-8b", "--format", "json"});
    BOOST_REQUIRE_MESSAGE(preset.rc == 0, preset.err);
    BOOST_TEST(!json::parse(preset.out).as_object().contains("checkpoint"));
    BOOST_TEST(!contains(run_cli({"inspect", "llama-3.1-8b", "--format", "table"}).out, "Checkpoint:"));
}

// One tensor the family lacks in layer 1: a Qwen3-style q_norm of head_dim 16 elements.
//   layer 1: family 36,992, checkpoint 36,992 + 16 = 37,008 (+16); in all 106,816 vs 106,832.
BOOST_AUTO_TEST_CASE(issue17_extra_checkpoint_tensor_is_named_with_its_layer_and_elements) {
    auto tensors = tiny_llama_tensors();
    tensors.push_back({"model.layers.1.self_attn.q_norm.weight", {16}});
    const Inspected r = inspect_checkpoint("extra", kTinyLlamaConfig, tensors);
    BOOST_TEST(contains(r.table, "  differs from the family in 1 place (family 106,816 vs checkpoint 106,832 parameters, +16):\n"),
               r.table);
    BOOST_TEST(contains(r.table, "  layer 1: family 36,992 vs checkpoint 37,008 (+16): checkpoint has "
                                 "self_attn.q_norm.weight [16] that the family lacks\n"),
               r.table);
    BOOST_TEST(!r.checkpoint.at("matches").as_bool());
    BOOST_REQUIRE(differences(r).size() == 1u);
    const auto& d = differences(r)[0].as_object();
    BOOST_TEST(d.at("where").as_string() == "layer 1");
    BOOST_TEST(integer(d, "layer") == 1);
    BOOST_TEST(integer(d, "family_elements") == 36992);
    BOOST_TEST(integer(d, "checkpoint_elements") == 37008);
    BOOST_REQUIRE(d.at("missing_in_family").as_array().size() == 1u);
    const auto& extra = d.at("missing_in_family").as_array()[0].as_object();
    BOOST_TEST(extra.at("name").as_string() == "self_attn.q_norm.weight");
    BOOST_TEST(extra.at("shape").as_array().size() == 1u);
    BOOST_TEST(extra.at("shape").as_array()[0].as_int64() == 16);
    BOOST_TEST(d.at("missing_in_checkpoint").as_array().empty());
}

// A family tensor the checkpoint lacks: layer 0's mlp.up_proj [128, 64] = 8,192 elements.
//   layer 0: family 36,992, checkpoint 36,992 − 8,192 = 28,800 (−8,192).
// And one of another size: layer 1's up_proj stored [96, 64] = 6,144, 2,048 short of 8,192.
BOOST_AUTO_TEST_CASE(issue17_family_tensor_missing_or_resized_in_the_checkpoint_is_named) {
    const Inspected r = inspect_checkpoint("missing", kTinyLlamaConfig,
                                           without(tiny_llama_tensors(), "model.layers.0.mlp.up_proj.weight"));
    BOOST_TEST(contains(r.table, "  layer 0: family 36,992 vs checkpoint 28,800 (-8,192): family has "
                                 "mlp.up_proj.weight [128, 64] that the checkpoint lacks\n"),
               r.table);
    BOOST_REQUIRE(differences(r).size() == 1u);
    const auto& d = differences(r)[0].as_object();
    BOOST_TEST(integer(d, "layer") == 0);
    BOOST_TEST(integer(d, "checkpoint_elements") == 28800);
    BOOST_REQUIRE(d.at("missing_in_checkpoint").as_array().size() == 1u);
    BOOST_TEST(d.at("missing_in_checkpoint").as_array()[0].at("name").as_string() == "mlp.up_proj.weight");

    auto resized = without(tiny_llama_tensors(), "model.layers.1.mlp.up_proj.weight");
    resized.push_back({"model.layers.1.mlp.up_proj.weight", {96, 64}});
    const Inspected s = inspect_checkpoint("resized", kTinyLlamaConfig, resized);
    BOOST_TEST(contains(s.table, "  layer 1: family 36,992 vs checkpoint 34,944 (-2,048): mlp.up_proj.weight is "
                                 "[128, 64] in the family, [96, 64] in the checkpoint\n"),
               s.table);
    BOOST_REQUIRE(differences(s).size() == 1u);
    BOOST_TEST(differences(s)[0].at("different_shape").as_array().size() == 1u);
}

// Tied embeddings: the family counts embed_tokens once and has no lm_head; save_pretrained
// drops the tied head, so the checkpoint has 20 tensors of 106,816 − 16,384 = 90,432 elements.
// An upload that keeps lm_head.weight anyway (the same 16,384 weights) still matches, with a note.
BOOST_AUTO_TEST_CASE(issue17_tied_embeddings_without_or_with_lm_head_still_match) {
    const std::string tied = with(kTinyLlamaConfig, "\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true");
    const Inspected r = inspect_checkpoint("tied", tied, tiny_llama_tensors(false));
    BOOST_TEST(contains(r.table, "  matches the family count: 90,432 parameters in 20 tensors\n"), r.table);
    BOOST_TEST(r.checkpoint.at("matches").as_bool());

    const Inspected kept = inspect_checkpoint("tied-kept", tied, tiny_llama_tensors(true));
    BOOST_TEST(contains(kept.table, "  matches the family count: 90,432 parameters in 20 tensors\n"), kept.table);
    BOOST_TEST(contains(kept.table, "lm_head.weight is stored although the embeddings are tied"), kept.table);
    BOOST_TEST(kept.checkpoint.at("matches").as_bool());
}

// GPTQ 4-bit (group size 64), as AutoGPTQ saves it: per Linear an int32 qweight [in/8, out],
// qzeros [in/64, out/8], fp16 scales [in/64, out], g_idx [in] and an fp16 bias [out].
// Stored elements are not parameters: layer 0's qweights hold 8·64 + 8·32 + 8·32 + 8·64 +
// 8·128 + 8·128 + 16·64 = 4,608 int32 elements for 36,864 weights, so an element comparison would
// report −32,256 per layer for a correct model. The comparison is by presence instead, and says why.
BOOST_AUTO_TEST_CASE(issue17_quantized_checkpoint_is_compared_by_presence_without_false_mismatch) {
    const std::string gptq = with(kTinyLlamaConfig, "\"torch_dtype\": \"bfloat16\"",
                                  "\"torch_dtype\": \"float16\", \"quantization_config\": "
                                  "{\"quant_method\": \"gptq\", \"bits\": 4, \"group_size\": 64}");
    auto quantize = [](const std::vector<TinyTensor>& plain, const std::string& skip) {
        std::vector<TinyTensor> out;
        for (const auto& t : plain) {
            const bool linear = t.name.find("_proj.weight") != std::string::npos;
            if (!linear) {
                out.push_back({t.name, t.shape, "F16"});
                continue;
            }
            if (t.name.rfind(skip, 0) == 0 && !skip.empty()) continue;
            const std::string stem = t.name.substr(0, t.name.size() - 6);  // drop "weight"
            const long rows = t.shape[0], cols = t.shape[1];
            out.push_back({stem + "qweight", {cols / 8, rows}, "I32"});
            out.push_back({stem + "qzeros", {cols / 64, rows / 8}, "I32"});
            out.push_back({stem + "scales", {cols / 64, rows}, "F16"});
            out.push_back({stem + "g_idx", {cols}, "I32"});
            out.push_back({stem + "bias", {rows}, "F16"});
        }
        return out;
    };
    const Inspected r = inspect_checkpoint("gptq", gptq, quantize(tiny_llama_tensors(), ""));
    BOOST_TEST(r.checkpoint.at("matches").as_bool(), r.table);
    BOOST_TEST(r.checkpoint.at("comparison").as_string() == "presence");
    BOOST_TEST(r.checkpoint.at("quantization").as_string() == "gptq");
    BOOST_TEST(r.checkpoint.at("checkpoint_elements").is_null());
    BOOST_TEST(contains(std::string(r.checkpoint.at("reason").as_string()), "quant_method: gptq"));
    BOOST_TEST(differences(r).empty());
    BOOST_TEST(contains(r.table, "tensors are compared by presence"), r.table);
    BOOST_TEST(contains(r.table, "  matches the family's tensors: all 21 family tensors are present"), r.table);
    BOOST_TEST(!contains(r.table, "differs"), r.table);

    // Presence still names what is absent: layer 1's o_proj (all five of its GPTQ tensors).
    const Inspected missing = inspect_checkpoint("gptq-missing", gptq,
                                                 quantize(tiny_llama_tensors(), "model.layers.1.self_attn.o_proj."));
    BOOST_REQUIRE(differences(missing).size() == 1u);
    const auto& d = differences(missing)[0].as_object();
    BOOST_TEST(integer(d, "layer") == 1);
    BOOST_TEST(d.at("checkpoint_elements").is_null());
    BOOST_TEST(d.at("missing_in_checkpoint").as_array()[0].at("name").as_string() == "self_attn.o_proj.weight");
    BOOST_TEST(contains(missing.table, "  layer 1: family 36,992 parameters: family has self_attn.o_proj.weight "
                                       "[64, 64] that the checkpoint lacks\n"),
               missing.table);
}

// Routed experts: Mixtral's block_sparse_moe.experts.E.w1 are copies of the family's one entry
// `experts.w1` with copies 4. Tiny Mixtral (the tiny Llama's attention, 4 experts of F=128):
//   per layer norms 128 + attention 12,288 + router 4·64 = 256 + experts 4 · 3 · 8,192 = 98,304
//   = 110,976. A checkpoint with expert 3 missing in every layer: 110,976 − 24,576 = 86,400.
BOOST_AUTO_TEST_CASE(issue17_routed_experts_count_as_copies_and_a_missing_expert_is_named) {
    const std::string mixtral = R"({"model_type": "mixtral", "hidden_size": 64, "intermediate_size": 128,
      "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 256,
      "num_local_experts": 4, "num_experts_per_tok": 2, "tie_word_embeddings": false})";
    auto tensors = [](int experts) {
        std::vector<TinyTensor> t{{"model.embed_tokens.weight", {256, 64}}};
        for (int i = 0; i < 2; ++i) {
            const std::string p = "model.layers." + std::to_string(i) + ".";
            t.push_back({p + "input_layernorm.weight", {64}});
            t.push_back({p + "post_attention_layernorm.weight", {64}});
            t.push_back({p + "self_attn.q_proj.weight", {64, 64}});
            t.push_back({p + "self_attn.k_proj.weight", {32, 64}});
            t.push_back({p + "self_attn.v_proj.weight", {32, 64}});
            t.push_back({p + "self_attn.o_proj.weight", {64, 64}});
            t.push_back({p + "block_sparse_moe.gate.weight", {4, 64}});
            for (int e = 0; e < experts; ++e) {
                const std::string x = p + "block_sparse_moe.experts." + std::to_string(e) + ".";
                t.push_back({x + "w1.weight", {128, 64}});
                t.push_back({x + "w2.weight", {64, 128}});
                t.push_back({x + "w3.weight", {128, 64}});
            }
        }
        t.push_back({"model.norm.weight", {64}});
        t.push_back({"lm_head.weight", {256, 64}});
        return t;
    };
    // 16,384 + 2 × 110,976 + 64 + 16,384 = 254,784 in 1 + 2 × 19 + 2 = 41 tensors.
    const Inspected all = inspect_checkpoint("moe", mixtral, tensors(4));
    BOOST_TEST(contains(all.table, "  matches the family count: 254,784 parameters in 41 tensors\n"), all.table);

    const Inspected three = inspect_checkpoint("moe-3", mixtral, tensors(3));
    BOOST_REQUIRE(differences(three).size() == 2u);
    BOOST_TEST(contains(three.table, "  layer 0: family 110,976 vs checkpoint 86,400 (-24,576): family has "
                                     "block_sparse_moe.experts.w1.weight [128, 64] (1 of 4 copies)"),
               three.table);
    const auto& lacking = differences(three)[1].at("missing_in_checkpoint").as_array();
    BOOST_REQUIRE(lacking.size() == 3u);
    BOOST_TEST(lacking[0].at("copies").as_int64() == 1);
    BOOST_TEST(lacking[0].at("family_copies").as_int64() == 4);
}

// A vision tower and a projector the family does not model (visual.*: 192·64 + 64·64 = 16,384
// elements) and a layer beyond num_hidden_layers = 2 (an MTP layer: 128·64 = 8,192): reported as
// not attributed, and the language model still matches.
BOOST_AUTO_TEST_CASE(issue17_vision_tower_and_mtp_layers_are_not_attributed_rather_than_errors) {
    auto tensors = tiny_llama_tensors();
    tensors.push_back({"visual.blocks.0.attn.qkv.weight", {192, 64}});
    tensors.push_back({"visual.merger.mlp.0.weight", {64, 64}});
    tensors.push_back({"model.layers.2.mlp.up_proj.weight", {128, 64}});
    const Inspected r = inspect_checkpoint("vision", kTinyLlamaConfig, tensors);
    BOOST_TEST(r.checkpoint.at("matches").as_bool(), r.table);
    BOOST_TEST(contains(r.table, "  matches the family count: 106,816 parameters in 21 tensors\n"), r.table);
    BOOST_TEST(contains(r.table, "  not attributed: visual. (2 tensors, 16,384 elements)"), r.table);
    BOOST_TEST(contains(r.table, "  not attributed: model.layers.2 and above (1 tensor, 8,192 elements): beyond "
                                 "num_hidden_layers = 2"),
               r.table);
    const auto& rest = r.checkpoint.at("not_attributed").as_array();
    BOOST_REQUIRE(rest.size() == 2u);
    std::int64_t elements = 0;
    for (const auto& a : rest) elements += a.at("elements").as_int64();
    BOOST_TEST(elements == 16384 + 8192);
}

// More places differ than the table lists: the first 10, then how many more. Every layer of a
// 12-layer model lacks its q_proj (64·64 = 4,096 each).
BOOST_AUTO_TEST_CASE(issue17_table_lists_ten_differences_then_counts_the_rest) {
    const std::string deep = with(kTinyLlamaConfig, "\"num_hidden_layers\": 2", "\"num_hidden_layers\": 12");
    std::vector<TinyTensor> tensors{{"model.embed_tokens.weight", {256, 64}}};
    for (int i = 0; i < 12; ++i)
        for (const auto& t : tiny_llama_tensors())
            if (t.name.rfind("model.layers.0.", 0) == 0 && t.name != "model.layers.0.self_attn.q_proj.weight")
                tensors.push_back({"model.layers." + std::to_string(i) + "." + t.name.substr(15), t.shape});
    tensors.push_back({"model.norm.weight", {64}});
    tensors.push_back({"lm_head.weight", {256, 64}});
    const Inspected r = inspect_checkpoint("deep", deep, tensors);
    BOOST_TEST(differences(r).size() == 12u);  // JSON lists every one
    BOOST_TEST(contains(r.table, "  layer 9: family 36,992 vs checkpoint 32,896 (-4,096)"), r.table);
    BOOST_TEST(!contains(r.table, "  layer 10:"), r.table);
    BOOST_TEST(contains(r.table, "  ... and 2 more (--format json lists every difference)\n"), r.table);
}

// A header whose shape is not a list of non-negative integers is one error line naming the
// shard and the tensor, never a comparison of nonsense.
BOOST_AUTO_TEST_CASE(issue17_bad_shape_in_a_header_is_one_error_line) {
    const fs::path root = fs::temp_directory_path() / ("vram-checkpoint-" + std::to_string(::getpid()) + "-bad");
    fs::remove_all(root);
    const fs::path dir = root / "acme" / "bad" / "resolve" / "main";
    fs::create_directories(dir);
    std::ofstream(dir / "config.json") << kTinyLlamaConfig;
    auto tensors = tiny_llama_tensors();
    tensors.push_back({"model.layers.0.self_attn.q_norm.weight", {-16}});
    write_safetensors(dir / "model.safetensors", tensors);
    HubServer server(root);
    const CliResult r = run_cli({"inspect", "hf:acme/bad"},
                                {{"HF_ENDPOINT", server.endpoint()}, {"HF_HUB_CACHE", (root / "cache").string()}});
    BOOST_TEST(r.rc == 1);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, r.err);
    BOOST_TEST(contains(r.err, "model.safetensors"), r.err);
    BOOST_TEST(contains(r.err, "tensor 'model.layers.0.self_attn.q_norm.weight': shape holds '-16'"), r.err);
    server.stop();
    fs::remove_all(root);
}

BOOST_AUTO_TEST_SUITE_END()
