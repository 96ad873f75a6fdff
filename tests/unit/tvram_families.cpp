// tvram_families.cpp - the "Done when" lines of issue 17 about model families as data: family
// files give the published counts (tests/data/families/counts.jsonl), a family file dropped into
// a plugin directory is picked up, `vram families` lists every family, an unknown model_type
// names the closest families, and a family file with an error gives one line naming file:line.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include <unistd.h>

#include "model/family_file.hpp"
#include "model/model_loader.hpp"
#include "plugin/registry.hpp"
#include "scenario/config_cache.hpp"
#include "scenario/scenario_loader.hpp"
#include "test_support.hpp"
#include "vram/error.hpp"

using namespace vram;
using namespace vram::test;
namespace fs = std::filesystem;

namespace {

std::int64_t json_int(const std::string& json, const std::string& key) {
    const std::regex re("\"" + key + "\": (-?[0-9]+)");
    std::smatch m;
    if (!std::regex_search(json, m, re)) return -1;
    return std::stoll(m[1].str());
}

fs::path temp_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("vram_families_" + std::to_string(::getpid())) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

// Differences between a published count and the model's parameters that the published figure
// itself explains (counts.jsonl notes), applied to the expected side only:
//   t5-small: the original file also stores decoder.block.0.layer.1.EncDecAttention.
//             relative_attention_bias [32 buckets, 8 heads] that T5ForConditionalGeneration does
//             not have: model.num_parameters() = 60,506,880 - 256.
//   openai-gpt: the original file stores each layer's causal-mask buffer attn.bias
//             [n_positions, n_positions] = 12 x 512 x 512 next to the parameters.
//   all-mpnet-base-v2: the Hub total counts the I64 buffer embeddings.position_ids (514 values).
//   GLM-4.5(-Air): the MTP layer stores its own copies of embed_tokens and shared_head.head
//             (2 x vocab x hidden), the main model's weights, which a ModelSpec counts once.
//   esm2_t6_8M: the F32 total includes an unused learned position table (1026 x 320) that older
//             EsmEmbeddings always built and 6 rotary inv_freq buffers of 8 values.
//   canine-s: the Hub total counts the I64 buffer char_embeddings.position_ids (16,384 values).
const std::map<std::string, std::int64_t>& file_only_tensors() {
    static const std::map<std::string, std::int64_t> table = {{"google-t5/t5-small", 32 * 8},
                                                              {"openai-community/openai-gpt", 12 * 512 * 512},
                                                              {"sentence-transformers/all-mpnet-base-v2", 514},
                                                              {"zai-org/GLM-4.5-Air", 2LL * 151552 * 4096},
                                                              {"zai-org/GLM-4.5", 2LL * 151552 * 5120},
                                                              {"facebook/esm2_t6_8M_UR50D", 1026 * 320 + 6 * 8},
                                                              {"google/canine-s", 16384}};
    return table;
}

// A tiny Llama-shaped family that exists only in the test's plugin directory.
const char* kAcmeFamily = R"(family: acme_lm
model_types: [acme_lm]
covers: [text, dense]
source: a test family (tvram_families.cpp)
defaults:
  tie_word_embeddings: false
spec:
  hidden: hidden_size
  layers: num_hidden_layers
  heads: num_attention_heads
  kv_heads: num_key_value_heads ?? num_attention_heads
  intermediate: intermediate_size
  vocab: vocab_size
  tied_embeddings: tie_word_embeddings
tensors:
  - {embedding: model.embed_tokens, rows: vocab, cols: hidden}
  - each_layer:
      - {norm: input_layernorm, size: hidden}
      - {linear: self_attn.qkv_proj, out: (heads + 2 * kv_heads) * head_dim, in: hidden, group: attention}
      - {linear: self_attn.o_proj, out: hidden, in: heads * head_dim, group: attention}
      - {norm: post_attention_layernorm, size: hidden}
      - {linear: mlp.fc1, out: intermediate, in: hidden, group: mlp}
      - {linear: mlp.fc2, out: hidden, in: intermediate, group: mlp}
  - {norm: model.norm, size: hidden}
  - {lm_head: lm_head, when: "!tied_embeddings"}
)";

// hidden 64, 2 layers, 4 heads of 16, 2 KV heads, F 128, V 1000, untied:
//   layer = 64 + (4+4)·16·64 + 64·64 + 64 + 2·64·128 = 64 + 8,192 + 4,096 + 64 + 16,384 = 28,800
//   total = 1000·64 + 2·28,800 + 64 + 1000·64 = 185,664
const char* kAcmeConfig =
    R"({"model_type": "acme_lm", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 1000})";
constexpr std::int64_t kAcmeCount = 185664;

}  // namespace

BOOST_AUTO_TEST_SUITE(families)

// Every checkpoint of tests/data/families/counts.jsonl: the published integer (confirmed) or the
// derivation recorded there (unconfirmed), to the parameter. The log shows each pair.
BOOST_AUTO_TEST_CASE(issue17_family_files_give_published_counts) {
    std::ifstream in(data_path("families/counts.jsonl"));
    BOOST_REQUIRE(in.good());
    std::string line;
    int confirmed = 0, unconfirmed = 0;
    std::set<std::string> types;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const ConfigNode entry = parse_json_text(line, "counts.jsonl");
        const std::string name = entry.find("name")->as_string();
        const std::string type = entry.find("model_type")->as_string();
        const ConfigNode* exact = entry.find("exact_count");
        const bool is_confirmed = exact && !exact->is_null();
        std::int64_t expected = is_confirmed ? exact->as_integer() : entry.find("derived_count")->as_integer();
        if (auto it = file_only_tensors().find(name); it != file_only_tensors().end()) expected -= it->second;
        const std::string config = data_path(entry.find("config_file")->as_string());
        ModelSpec m;
        try {
            m = load_model_argument(core_registry(), config, preset_dir());
        } catch (const Error& e) {
            BOOST_ERROR(name << ": " << e.what());
            continue;
        }
        const std::int64_t derived = parameter_count(m);
        std::cout << "issue17 " << type << " " << name << " (" << m.family << "): derived " << derived
                  << (is_confirmed ? " published " : " unconfirmed, hand derivation ") << expected
                  << (derived == expected ? "  ok" : "  MISMATCH") << "\n";
        BOOST_TEST_INFO(name);
        BOOST_TEST(derived == expected);
        (is_confirmed ? confirmed : unconfirmed) += 1;
        types.insert(type);
    }
    BOOST_TEST(confirmed == 56);
    BOOST_TEST(unconfirmed == 14);
    BOOST_TEST(types.size() == 62u);
}

// The layer facts the attention stage reads come out of the files too.
BOOST_AUTO_TEST_CASE(issue17_family_files_fill_the_spec) {
    const auto load = [](const char* file) { return load_model_argument(core_registry(), data_path(file), preset_dir()); };
    const ModelSpec q = load("families/qwen3_next/Qwen--Qwen3-Next-80B-A3B-Instruct.json");
    BOOST_TEST(q.family == "family.qwen3_next");
    BOOST_TEST(count_layers(q, LayerAttention::full) == 12);
    BOOST_TEST(count_layers(q, LayerAttention::ssm) == 36);
    BOOST_TEST(std::all_of(q.layer_specs.begin(), q.layer_specs.end(), [](const LayerSpec& l) { return l.moe; }));
    BOOST_TEST(q.experts == 512);
    BOOST_TEST(q.experts_per_token == 10);
    BOOST_TEST(q.ssm_inner * q.ssm_state == 32 * 128 * 128);  // one 128 x 128 state per value head
    // Active: 48 layers drop 502 of 512 experts' 3·512·2048 = 3,145,728 each.
    BOOST_TEST(parameter_count(q) - active_parameter_count(q) == 48LL * 502 * 3145728);

    const ModelSpec d = load("families/deepseek/deepseek-ai--deepseek-moe-16b-base.json");
    BOOST_TEST(std::count_if(d.layer_specs.begin(), d.layer_specs.end(), [](const LayerSpec& l) { return l.moe; }) == 27);
    BOOST_TEST(parameters_in_group(d, "shared_experts") == 27LL * 3 * 2048 * 2816);

    const ModelSpec s = load("families/starcoder2/bigcode--starcoder2-7b.json");
    BOOST_TEST(count_layers(s, LayerAttention::sliding) == 32);
    BOOST_TEST(s.layer_specs[0].window == 4096);
    BOOST_TEST(s.tied_embeddings);  // no tie_word_embeddings key: Starcoder2Config's default
    BOOST_TEST(!s.gated_mlp);

    const ModelSpec t = load("families/t5/sherif1311--t5-small-finetuned-xsum.json");
    BOOST_TEST(t.layers == 6);
    BOOST_TEST(std::all_of(t.layer_specs.begin(), t.layer_specs.end(), [](const LayerSpec& l) { return l.cross_attention; }));
    BOOST_TEST(parameters_in_group(t, "encoder") == 18881280LL);  // counts.jsonl note: encoder 18,881,280

    const ModelSpec p = load("families/phi3_v/microsoft--Phi-3.5-vision-instruct.json");
    BOOST_TEST(p.vision.kind == "vision");
    BOOST_TEST(parameters_in_group(p, "vision_tower") == 303507456LL);  // CLIP ViT-L/14-336, as LLaVA's
    BOOST_TEST(parameters_in_group(p, "projector") == 4096LL * 3072 + 3072 + 3072LL * 3072 + 3072 + 2 * 4096);
}

// Third parties add a family without a compiler: a file in a --plugin-dir or a VRAM_PLUGIN_PATH
// directory serves its model_type, and `vram families` lists it with its path.
BOOST_AUTO_TEST_CASE(issue17_family_file_in_plugin_dir_is_picked_up) {
    const fs::path dir = temp_dir("plugin_dir");
    write(dir / "acme_lm.yaml", kAcmeFamily);
    const fs::path config = temp_dir("acme_config") / "config.json";
    write(config, kAcmeConfig);

    const CliResult without = run_cli({"inspect", config.string(), "--format", "json"});
    BOOST_TEST(without.rc != 0);
    BOOST_TEST(without.err.find("acme_lm") != std::string::npos);

    const CliResult r = run_cli({"inspect", config.string(), "--plugin-dir", dir.string(), "--format", "json"});
    BOOST_TEST_INFO(r.err);
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    BOOST_TEST(json_int(r.out, "parameters") == kAcmeCount);

    const CliResult env = run_cli({"inspect", config.string(), "--format", "json"}, {{"VRAM_PLUGIN_PATH", dir.string()}});
    BOOST_TEST_INFO(env.err);
    BOOST_REQUIRE_EQUAL(env.rc, 0);
    BOOST_TEST(json_int(env.out, "parameters") == kAcmeCount);

    const CliResult f = run_cli({"families", "--plugin-dir", dir.string(), "--format", "json"});
    BOOST_REQUIRE_EQUAL(f.rc, 0);
    BOOST_TEST(f.out.find("\"name\": \"acme_lm\"") != std::string::npos);
    BOOST_TEST(f.out.find((dir / "acme_lm.yaml").string()) != std::string::npos);

    // A scenario reaches it the same way (its plugins: list names the directory).
    const std::string scenario = write_scenario("model:\n  config: " + config.string() + "\nplugins: [" + dir.string() +
                                                "]\nhardware: {gpu: H100 SXM}\n");
    const CliResult run = run_cli({"run", scenario, "--format", "json"});
    BOOST_TEST_INFO(run.err);
    BOOST_TEST(run.rc == 0);
}

// Issue 16 (cold start): start-up reads only each family file's header (family, model_types,
// covers); the rest is parsed when a model needs the family. A drop-in family with a broken
// tensor list therefore does not stop a `vram run` of another model, while `vram families` (which
// vouches for every file) and a model of that family report the error with file:line.
BOOST_AUTO_TEST_CASE(issue16_start_up_reads_family_headers_only) {
    std::string text = kAcmeFamily;
    const std::string from = "{norm: model.norm, size: hidden}";
    text.replace(text.find(from), from.size(), "{norm: model.norm, sise: hidden}");
    const fs::path dir = temp_dir("lazy_family");
    write(dir / "acme_lm.yaml", text);
    const CliResult other = run_cli({"inspect", "llama-2-7b", "--plugin-dir", dir.string(), "--format", "json"});
    BOOST_TEST_INFO(other.err);
    BOOST_TEST(other.rc == 0);
    const CliResult list = run_cli({"families", "--plugin-dir", dir.string()});
    BOOST_TEST(list.rc != 0);
    BOOST_TEST(list.err.find((dir / "acme_lm.yaml").string() + ":24") != std::string::npos, list.err);
    const fs::path config = temp_dir("lazy_config") / "config.json";
    write(config, kAcmeConfig);
    const CliResult used = run_cli({"inspect", config.string(), "--plugin-dir", dir.string()});
    BOOST_TEST(used.rc != 0);
    BOOST_TEST(used.err.find("unknown field (did you mean 'size'?)") != std::string::npos, used.err);

    // The header scan: one-line values, flow lists, block lists, comments; anything else is
    // left to the full parser (false).
    FamilyHeader h;
    BOOST_TEST(scan_family_header("# c\nfamily: a_b  # name\nmodel_types: [x, 'y']\ncovers:\n  - text\n  - moe\nspec: {}\n", h));
    BOOST_TEST(h.family == "a_b");
    BOOST_TEST((h.model_types == std::vector<std::string>{"x", "y"}));
    BOOST_TEST((h.covers == std::vector<std::string>{"text", "moe"}));
    BOOST_TEST(!scan_family_header("family: a\nmodel_types: [x,\n  y]\n", h));
    BOOST_TEST(!scan_family_header("family: a\n", h));
    BOOST_TEST(!scan_family_header("family: {a: b}\nmodel_types: [x]\n", h));
}

// The build writes the shipped families' headers into families.index, so a start reads one file
// instead of one per family (docs/performance.md "Cold start"). The index says exactly what the
// files say; a directory the index does not list exactly is read file by file; a header edited
// after the build is an error naming the index when the family is used, never a silent mix.
BOOST_AUTO_TEST_CASE(issue16_family_index_gives_what_the_files_give) {
    const fs::path shipped = family_directory(VRAM_TEST_PRESET_DIR);
    std::ifstream in(shipped / kFamilyIndexName, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, "the build writes " << (shipped / kFamilyIndexName).string());
    const std::string index((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST(index == family_index_text(shipped.string()));

    // The same registrations with and without the index (a copy without it).
    const fs::path plain = temp_dir("index_absent");
    for (const auto& e : fs::directory_iterator(shipped))
        if (e.path().extension() == ".yaml") fs::copy_file(e.path(), plain / e.path().filename());
    Registry with, without;
    BOOST_TEST(load_family_directory(with, shipped.string()) == load_family_directory(without, plain.string()));
    const auto& a = with.model_adapters.entries();
    const auto& b = without.model_adapters.entries();
    BOOST_REQUIRE_EQUAL(a.size(), b.size());
    BOOST_TEST(a.size() >= 70u);
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto* fa = dynamic_cast<const FamilyFileAdapter*>(a[i].item.get());
        const auto* fb = dynamic_cast<const FamilyFileAdapter*>(b[i].item.get());
        BOOST_REQUIRE(fa && fb);
        BOOST_TEST(fa->family() == fb->family());
        BOOST_TEST(fa->model_types() == fb->model_types());
        BOOST_TEST(fa->covers() == fb->covers());
        BOOST_TEST(fs::path(fa->path()).filename() == fs::path(fb->path()).filename());
    }

    // A file added after the build: the index does not list the directory, every header is read.
    const fs::path added = temp_dir("index_stale");
    for (const auto& e : fs::directory_iterator(shipped))
        if (e.is_regular_file()) fs::copy_file(e.path(), added / e.path().filename());
    write(added / "acme_lm.yaml", kAcmeFamily);
    Registry more;
    BOOST_TEST(load_family_directory(more, added.string()) == a.size() + 1);
    BOOST_TEST(more.model_adapters.find("family.acme_lm") != nullptr);

    // A header edited in place after the build: using that family names the index.
    const fs::path edited = temp_dir("index_edited");
    for (const auto& e : fs::directory_iterator(shipped))
        if (e.is_regular_file()) fs::copy_file(e.path(), edited / e.path().filename());
    std::ifstream arcee_in(edited / "arcee.yaml");
    std::string arcee((std::istreambuf_iterator<char>(arcee_in)), std::istreambuf_iterator<char>());
    arcee_in.close();
    const std::string types = "model_types: [arcee]";
    BOOST_REQUIRE(arcee.find(types) != std::string::npos);
    arcee.replace(arcee.find(types), types.size(), "model_types: [arcee, arcee_next]");
    write(edited / "arcee.yaml", arcee);
    Registry stale;
    load_family_directory(stale, edited.string());
    const auto* family = dynamic_cast<const FamilyFileAdapter*>(stale.model_adapters.find("family.arcee"));
    BOOST_REQUIRE(family);
    BOOST_CHECK_EXCEPTION(family->check(), ScenarioError, [](const ScenarioError& e) {
        return std::string(e.what()).find("differ from the directory's families.index") != std::string::npos;
    });
}

namespace {
// Same kind, text, mark and children, in order: the tree a cache gives is the parser's tree.
bool same_tree(const ConfigNode& a, const ConfigNode& b, std::string& where) {
    if (a.kind() != b.kind() || a.text() != b.text() || a.mark().line != b.mark().line ||
        a.mark().column != b.mark().column || (a.is_number() && a.as_number() != b.as_number())) {
        where = std::to_string(a.mark().line) + ":" + std::to_string(a.mark().column) + " '" + a.text() + "'";
        return false;
    }
    if (a.is_list()) {
        if (a.items().size() != b.items().size()) return false;
        for (std::size_t i = 0; i < a.items().size(); ++i)
            if (!same_tree(a.items()[i], b.items()[i], where)) return false;
    }
    if (a.is_map()) {
        if (a.entries().size() != b.entries().size()) return false;
        for (std::size_t i = 0; i < a.entries().size(); ++i)
            if (a.entries()[i].first != b.entries()[i].first ||
                !same_tree(a.entries()[i].second, b.entries()[i].second, where))
                return false;
    }
    return true;
}
}  // namespace

// The build caches each shipped family's parsed tree (families.cache/FILE.json): a `vram run`
// then parses no YAML for its family. The cached tree is the parser's, node for node, marks
// included (errors name the same FILE:LINE); a file edited after the build is parsed again.
BOOST_AUTO_TEST_CASE(issue16_family_cache_gives_the_parsed_tree) {
    const fs::path shipped = family_directory(VRAM_TEST_PRESET_DIR);
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(shipped)) {
        if (e.path().extension() != ".yaml") continue;
        ++files;
        const std::string text = read_scenario_file(e.path().string());
        const std::optional<ConfigNode> cached = read_family_cache(e.path().string(), text);
        BOOST_REQUIRE_MESSAGE(cached, e.path().filename().string() << " has a cache made from its text");
        std::string where;
        BOOST_TEST(same_tree(*cached, parse_yaml_text(text, e.path().string()), where),
                   e.path().filename().string() << " differs at " << where);
    }
    BOOST_TEST(files >= 70u);
    // Edited text (one space appended): the cache is not used.
    const fs::path llama = shipped / "llama.yaml";
    BOOST_TEST(!read_family_cache(llama.string(), read_scenario_file(llama.string()) + " "));
    // A cache that is not one: not used.
    BOOST_TEST(!read_config_cache("{\"format\": 1}", text_hash("x")));
    BOOST_TEST(!read_config_cache("not json", text_hash("x")));
}

// A family file with an error: one line naming file:line and what is wrong, for a syntax error
// in an expression, an unknown field and a family that claims a model_type another family has.
BOOST_AUTO_TEST_CASE(issue17_family_file_error_names_file_and_line) {
    struct Case {
        std::string from, to, message;
        int line;
    };
    const Case cases[] = {
        {"rows: vocab, cols: hidden}", "rows: vocab *, cols: hidden}", "unexpected end of the expression", 16},
        {"{norm: model.norm, size: hidden}", "{norm: model.norm, sise: hidden}", "unknown field (did you mean 'size'?)", 24},
        {"model_types: [acme_lm]", "model_types: [jamba]", "model_type 'jamba' is already served by core.model.jamba", 0},
        {"model_types: [acme_lm]", "model_types: [olmo2]", "model_type 'olmo2' is already served by family.olmo2", 0},
    };
    for (const auto& c : cases) {
        std::string text = kAcmeFamily;
        const auto at = text.find(c.from);
        BOOST_REQUIRE(at != std::string::npos);
        text.replace(at, c.from.size(), c.to);
        const fs::path dir = temp_dir("bad_family");
        write(dir / "broken.yaml", text);
        const CliResult r = run_cli({"families", "--plugin-dir", dir.string(), "--format", "json"});
        BOOST_TEST_INFO(c.message << " | " << r.err);
        BOOST_TEST(r.rc != 0);
        BOOST_TEST(r.out.empty());
        BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        const std::string where = (dir / "broken.yaml").string() + (c.line > 0 ? ":" + std::to_string(c.line) : "");
        BOOST_TEST(r.err.find(where) != std::string::npos);
        BOOST_TEST(r.err.find(c.message) != std::string::npos);
    }
}

// A config the family file cannot build (a key missing that the file needs and has no default
// for) is one line naming the config, the family, the file:line of the expression and the key.
BOOST_AUTO_TEST_CASE(issue17_family_evaluation_error_names_family_file_line_and_key) {
    const fs::path dir = temp_dir("plugin_dir_eval");
    write(dir / "acme_lm.yaml", kAcmeFamily);
    std::string json = kAcmeConfig;
    const std::string vocab = ", \"vocab_size\": 1000";
    json.erase(json.find(vocab), vocab.size());
    const fs::path config = temp_dir("acme_no_vocab") / "config.json";
    write(config, json);
    const CliResult r = run_cli({"inspect", config.string(), "--plugin-dir", dir.string(), "--format", "json"});
    BOOST_TEST_INFO(r.err);
    BOOST_TEST(r.rc != 0);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    BOOST_TEST(r.err.find(config.string()) != std::string::npos);
    BOOST_TEST(r.err.find("family acme_lm (" + (dir / "acme_lm.yaml").string() + ":13) spec.vocab") != std::string::npos);
    BOOST_TEST(r.err.find("'vocab_size' is not in the config and has no default") != std::string::npos);
}

// `vram families` lists every family with its source and what it covers: every C++ adapter and
// every shipped family file.
BOOST_AUTO_TEST_CASE(issue17_families_lists_every_family) {
    const CliResult r = run_cli({"families", "--format", "json"});
    BOOST_REQUIRE_EQUAL(r.rc, 0);
    const std::int64_t count = json_int(r.out, "count");
    const std::int64_t files = json_int(r.out, "family_files");
    std::cout << "issue17 vram families: " << count << " families (" << files << " family files), "
              << json_int(r.out, "model_types") << " model_types\n";
    std::size_t adapters = core_registry().model_adapters.size();
    BOOST_TEST(count == static_cast<std::int64_t>(adapters));
    std::size_t shipped = 0;
    for (const auto& e : fs::directory_iterator(source_path("presets/families")))
        if (e.path().extension() == ".yaml") {
            ++shipped;
            BOOST_TEST_INFO(e.path());
            BOOST_TEST(r.out.find("\"name\": \"" + e.path().stem().string() + "\"") != std::string::npos);
        }
    BOOST_TEST(files == static_cast<std::int64_t>(shipped));
    BOOST_TEST(shipped >= 21u);
    for (const char* cpp : {"\"adapter\": \"core.model.jamba\"", "\"adapter\": \"core.model.bert\"",
                            "\"adapter\": \"family.llama\"", "\"adapter\": \"family.olmo2\"", "\"covers\": [\"text\", \"moe\", \"ssm\", \"hybrid\"]"})
        BOOST_TEST(r.out.find(cpp) != std::string::npos);
    const CliResult t = run_cli({"families", "--format", "table"});
    BOOST_REQUIRE_EQUAL(t.rc, 0);
    BOOST_TEST(t.out.find(std::to_string(count) + " families") != std::string::npos);
}

// An unknown model_type: one line with the closest families and the two ways forward; and the
// second way, model.family, builds the model with the family it names.
BOOST_AUTO_TEST_CASE(issue17_unknown_model_type_names_closest_families) {
    std::ifstream in(data_path("families/olmo2/allenai--OLMo-2-1124-7B-Instruct.json"));
    std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = json.find("\"olmo2\"");
    BOOST_REQUIRE(at != std::string::npos);
    json.replace(at, 7, "\"olmo3\"");
    const fs::path config = temp_dir("olmo3") / "config.json";
    write(config, json);
    const CliResult r = run_cli({"inspect", config.string(), "--format", "json"});
    BOOST_TEST(r.rc != 0);
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    BOOST_TEST_INFO(r.err);
    BOOST_TEST(r.err.find("model_type 'olmo3'") != std::string::npos);
    BOOST_TEST(r.err.find("closest families: olmo2") != std::string::npos);
    BOOST_TEST(r.err.find("family file") != std::string::npos);
    BOOST_TEST(r.err.find("model.family: NAME") != std::string::npos);

    const std::string scenario = write_scenario("model:\n  config: " + config.string() +
                                                "\n  family: olmo2\nhardware: {gpu: H100 SXM}\n");
    const CliResult ok = run_cli({"run", scenario, "--format", "json"});
    BOOST_TEST_INFO(ok.err);
    BOOST_TEST(ok.rc == 0);
    Scenario s = load_scenario(scenario, {});
    const ModelSpec m = load_model(core_registry(), s, preset_dir());
    BOOST_TEST(parameter_count(m) == 7298617344LL);  // OLMo-2-1124-7B's published count
    BOOST_TEST(m.family == "family.olmo2");

    const std::string typo = write_scenario("model:\n  config: " + config.string() + "\n  family: olmo22\n");
    const CliResult bad = run_cli({"run", typo, "--format", "json"});
    BOOST_TEST(bad.rc != 0);
    BOOST_TEST(bad.err.find("model.family: unknown family 'olmo22'; closest: olmo2") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
