// tvram_schema.cpp - issue 16: one schema table drives the YAML reader, --set, fit/sweep's
// in-place keys, the completions, `vram schema` and docs/scenario-format.md.
// SPDX-License-Identifier: Apache-2.0
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "test_support.hpp"
#include "vram/error.hpp"
#include "scenario/scenario_keys.hpp"
#include "scenario/scenario_loader.hpp"
#include "scenario/schema.hpp"

using namespace vram;
using namespace vram::test;
namespace json = boost::json;

namespace {

const char* const kInference = "model: {preset: qwen2-0.5b}\n"
                               "workload: {type: inference, batch_size: 8, sequence_length: 1024}\n"
                               "hardware: {memory_gib: 80}\n";
const char* const kTraining = "model: {preset: qwen2-0.5b}\n"
                              "workload: {type: training, batch_size: 8, sequence_length: 1024}\n"
                              "training: {method: full}\n"
                              "hardware: {memory_gib: 80}\n";

json::value schema_json() {
    const CliResult r = run_cli({"schema"});
    BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
    return json::parse(r.out);
}

const json::object& prop(const json::value& schema, const std::string& dotted) {
    const json::value* v = &schema;
    std::size_t start = 0;
    while (true) {
        const auto dot = dotted.find('.', start);
        v = &v->at("properties").at(dotted.substr(start, dot == std::string::npos ? dot : dot - start));
        if (dot == std::string::npos) return v->as_object();
        start = dot + 1;
    }
}

// Leaves of the schema's object tree: (dotted path, property).
void leaves(const json::object& o, const std::string& prefix, std::vector<std::pair<std::string, json::object>>& out) {
    if (!o.contains("properties")) return;
    for (const auto& kv : o.at("properties").as_object()) {
        const std::string path = prefix.empty() ? std::string(kv.key()) : prefix + "." + std::string(kv.key());
        const json::object& p = kv.value().as_object();
        if (p.contains("properties")) leaves(p, path, out);
        else out.emplace_back(path, p);
    }
}

// Loads `yaml` with one override and prepares it with the core plugins; "" when accepted.
std::string accepts(const std::string& yaml, const std::string& set) {
    try {
        Scenario s = load_scenario(write_scenario(yaml, "schema"), {set});
        Estimator e(core_registry(), std::move(s), preset_dir());
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(schema)

BOOST_AUTO_TEST_CASE(issue16_schema_json_is_valid_and_has_core_keys) {
    const json::value s = schema_json();
    BOOST_TEST(s.at("$schema").as_string() == "https://json-schema.org/draft/2020-12/schema");
    BOOST_TEST(s.at("type").as_string() == "object");
    BOOST_TEST(s.at("additionalProperties").as_bool() == false);
    BOOST_TEST(s.at("required").as_array().size() == 1u);
    const auto& batch = prop(s, "workload.batch_size");
    BOOST_TEST(batch.at("type").as_string() == "integer");
    BOOST_TEST(batch.at("minimum").to_number<double>() == 1.0);
    BOOST_TEST(batch.at("default").to_number<double>() == 1.0);
    BOOST_TEST(batch.at("x-owner").as_string() == "core");
    BOOST_TEST(!batch.at("description").as_string().empty());
    const auto& weights = prop(s, "precision.weights").at("enum").as_array();
    for (const char* f : {"bf16", "fp16", "fp8", "nf4", "gptq-int4"})
        BOOST_TEST_CHECK(std::find(weights.begin(), weights.end(), json::value(f)) != weights.end(), f);
    const auto& engines = prop(s, "runtime.engine").at("enum").as_array();
    BOOST_TEST(std::find(engines.begin(), engines.end(), json::value("vllm")) != engines.end());
    // Plugin options name the plugin that declares them.
    const auto& rank = prop(s, "training.lora.rank");
    BOOST_TEST(rank.at("x-owner").as_string() == "vram_training_peft");
    BOOST_TEST(rank.at("minimum").to_number<double>() == 1.0);
    BOOST_TEST(prop(s, "training.lora").at("additionalProperties").as_bool() == false);
    BOOST_TEST(prop(s, "training.grpo.num_generations").at("x-owner").as_string() == "vram_training_rl");
    BOOST_TEST(prop(s, "runtime.gpu_memory_utilization").at("x-owner").as_string() == "vram_runtime_serving");
    BOOST_TEST(prop(s, "precision.group_size").at("x-owner").as_string() == "vram_formats_quant");
    BOOST_TEST(prop(s, "runtime").at("additionalProperties").as_bool() == false);
    BOOST_TEST(prop(s, "runtime").contains("allOf"));  // options of other engines are false under each engine
    BOOST_TEST(prop(s, "hardware.count").contains("anyOf"));  // an integer or "auto"
    std::vector<std::pair<std::string, json::object>> all;
    leaves(s.as_object(), "", all);
    BOOST_TEST(all.size() > 60u);
    for (const auto& [path, p] : all) {
        BOOST_TEST_CHECK(p.contains("x-owner"), path);
        BOOST_TEST_CHECK(p.contains("description"), path);
    }
}

BOOST_AUTO_TEST_CASE(issue16_schema_markdown_and_help_list_the_command) {
    const CliResult md = run_cli({"schema", "--format", "markdown"});
    BOOST_TEST(md.rc == 0);
    BOOST_TEST(md.out.find("| `workload.batch_size` | integer | `1` |") != std::string::npos);
    BOOST_TEST(md.out.find("| `training.lora.rank` | integer | `8` |") != std::string::npos);
    BOOST_TEST(run_cli({"--help"}).out.find("  schema ") != std::string::npos);
    BOOST_TEST(run_cli({"schema", "--format", "csv"}).rc == 2);
}

BOOST_AUTO_TEST_CASE(issue16_every_schema_key_parses) {
    // Core keys: each leaf of the table with a default, set to that default.
    int checked = 0;
    for (const auto& k : scenario_schema()) {
        if (k.default_value.empty() || !k.assign) continue;
        const bool training = k.path.rfind("training.", 0) == 0;
        const std::string err = accepts(training ? kTraining : kInference, k.path + "=" + k.default_value);
        BOOST_TEST_CHECK(err.empty(), k.path << ": " << err);
        ++checked;
    }
    BOOST_TEST(checked >= 20);
    // Plugin keys, from the JSON schema itself: each option block under the item that owns it.
    const json::value s = schema_json();
    const auto& training = prop(s, "training").at("properties").as_object();
    for (const auto& block : training) {
        const json::object& b = block.value().as_object();
        if (!b.contains("properties") || b.at("x-owner").as_string() == "core") continue;
        const std::string item(block.key());
        const std::string description(b.at("description").as_string());
        const bool objective = description.find("objective") != std::string::npos;
        std::string base = kTraining;
        // An optimizer's block (GaLore's) is read by the optimizers its description names.
        const auto opt_at = description.find("(training.optimizer: ");
        if (opt_at != std::string::npos) {
            const auto first = opt_at + 21;
            const std::string optimizer = description.substr(first, description.find_first_of(",)", first) - first);
            base.replace(base.find("method: full"), 12, "method: full, optimizer: " + optimizer);
        } else {
            base.replace(base.find("method: full"), 12, (objective ? "objective: " : "method: ") + item);
        }
        if (item == "qlora") base += "precision: {weights: nf4}\n";
        for (const auto& opt : b.at("properties").as_object()) {
            if (!opt.value().as_object().contains("default")) continue;
            const std::string set = "training." + item + "." + std::string(opt.key()) + "=" +
                                    json::serialize(opt.value().at("default"));
            const std::string err = accepts(base, set);
            BOOST_TEST_CHECK(err.empty(), set << ": " << err);
            ++checked;
        }
    }
    for (const auto& [section, selector] : {std::pair{"runtime", "engine"}, std::pair{"precision", "weights"}}) {
        const auto& props = prop(s, section).at("properties").as_object();
        for (const auto& opt : props) {
            const json::object& o = opt.value().as_object();
            if (o.at("x-owner").as_string() == "core") continue;
            // The option is false under every item that does not declare it; pick one that does.
            std::string item;
            for (const auto& rule : prop(s, section).at("allOf").as_array()) {
                if (rule.at("then").at("properties").as_object().contains(opt.key())) continue;
                item = std::string(rule.at("if").at("properties").at(selector).at("enum").at(0).as_string());
                break;
            }
            BOOST_TEST_REQUIRE(!item.empty(), opt.key());
            const json::value* def = o.if_contains("default");
            if (!def && o.contains("anyOf")) def = o.at("anyOf").at(0).as_object().if_contains("default");
            if (!def) continue;
            std::string base = kInference;
            base += std::string(section) + ": {" + selector + ": " + item + "}\n";
            const std::string set = std::string(section) + "." + std::string(opt.key()) + "=" + json::serialize(*def);
            const std::string err = accepts(base, set);
            BOOST_TEST_CHECK(err.empty(), set << " (" << item << "): " << err);
            ++checked;
        }
    }
    BOOST_TEST(checked >= 50);
}

BOOST_AUTO_TEST_CASE(issue16_set_rejects_unknown_key_with_suggestion) {
    const std::string file = "presets/scenarios/llama2-7b-serving-h100.yaml";
    const CliResult r = run_cli({"run", file, "--set", "workload.batchsize=3", "--format", "json"});
    BOOST_TEST(r.rc == 2);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    BOOST_TEST(r.err.find("unknown key 'workload.batchsize' (did you mean 'workload.batch_size'?)") != std::string::npos,
               r.err);
    const CliResult top = run_cli({"run", file, "--set", "hardwere.gpu=A100", "--format", "json"});
    BOOST_TEST(top.rc == 2);
    BOOST_TEST(top.err.find("did you mean 'hardware.gpu'") != std::string::npos, top.err);
    // Plugin blocks pass --set; their owners check them once loaded.
    const CliResult plugin = run_cli({"run", file, "--set", "runtime.cuda_context_mb=1", "--format", "json"});
    BOOST_TEST(plugin.rc == 1);
    BOOST_TEST(plugin.err.find("did you mean 'cuda_context_mib'") != std::string::npos, plugin.err);
    // A string key keeps what was typed, even when YAML would read a map.
    const CliResult named = run_cli({"run", file, "--set", "name=serving: 8 users", "--format", "json"});
    BOOST_TEST(named.rc == 0, named.err);
    BOOST_TEST(named.out.find("\"scenario\": \"serving: 8 users\"") != std::string::npos);
    ConfigNode root = ConfigNode::make_map();
    BOOST_CHECK_THROW(apply_overrides(root, {"workload..x=1"}), UsageError);
}

BOOST_AUTO_TEST_CASE(issue16_yaml_reader_and_fast_keys_use_the_table) {
    // Unknown keys list the table's keys of that section, with a suggestion.
    const CliResult r = run_cli({"run", write_scenario(std::string(kInference) + "parallelism: {tensr: 2}\n")});
    BOOST_TEST(r.rc == 1);
    BOOST_TEST(r.err.find("parallelism.tensr: unknown key 'tensr' (did you mean 'tensor'?); allowed: " +
                          [] {
                              std::string s;
                              for (const auto& k : schema_children("parallelism")) s += (s.empty() ? "" : ", ") + k;
                              return s;
                          }()) != std::string::npos,
               r.err);
    // fit and sweep's in-place keys are the table's numeric keys, with the table's minimum.
    for (const auto& key : fast_scenario_keys()) {
        const SchemaKey* k = find_schema_key(key);
        BOOST_TEST_REQUIRE(k != nullptr, key);
        BOOST_TEST((k->type == KeyType::integer || k->type == KeyType::number));
        double min = -1;
        BOOST_TEST(scenario_key_minimum(key, min));
        BOOST_TEST(min == k->min);
    }
    Scenario s;
    BOOST_CHECK_THROW(set_scenario_number(s, "workload.batch_size", 0), ScenarioError);
    BOOST_TEST((set_scenario_number(s, "hardware.memory_gib", 40) == KeyEffect::revalidate));
    BOOST_TEST(s.hardware.memory_gib == 40.0);
    // Completions offer the --set keys, up to the '='.
    const CliResult bash = run_cli({"--generate", "bash"});
    BOOST_TEST(bash.out.find(" schema ") != std::string::npos);
    const std::string script = write_scenario(bash.out, "completion");
    const std::string cmd = "bash -c 'source " + script +
                            " && COMP_WORDS=(vram run s.yaml --set workload.batch_) COMP_CWORD=4 && _vram &&"
                            " echo \"${COMPREPLY[@]}\"' 2>&1";
    std::string done;
    if (FILE* p = popen(cmd.c_str(), "r")) {
        char buf[256];
        while (fgets(buf, sizeof buf, p)) done += buf;
        pclose(p);
    }
    BOOST_TEST(done == "workload.batch_size=\n", done);
    BOOST_TEST(run_cli({"--generate", "zsh"}).out.find("_vram_set_keys") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(issue16_scenario_format_doc_matches_schema) {
    const std::string doc = read_text(source_path("docs/scenario-format.md"));
    const std::string begin = "<!-- BEGIN vram schema --format markdown -->\n";
    const std::string end = "<!-- END vram schema --format markdown -->";
    const auto a = doc.find(begin);
    const auto b = doc.find(end);
    BOOST_TEST_REQUIRE(a != std::string::npos);
    BOOST_TEST_REQUIRE(b != std::string::npos);
    const CliResult md = run_cli({"schema", "--format", "markdown"});
    BOOST_TEST_REQUIRE(md.rc == 0);
    // Regenerate with: vram schema --format markdown (between the two markers).
    BOOST_TEST(doc.substr(a + begin.size(), b - a - begin.size()) == md.out);
}

BOOST_AUTO_TEST_SUITE_END()
