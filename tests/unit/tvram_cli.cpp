// tvram_cli.cpp - issue 21, the everyday CLI: one-line questions, presets by name, stdin,
// streaming sweeps, strictness where users type, and the options each command really takes.
// Expected numbers are worked out by hand in the comments, never taken from the code under test.
// SPDX-License-Identifier: Apache-2.0
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "test_support.hpp"

using namespace vram;
using namespace vram::test;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

// stdout of a shell pipeline (the CLI helper reads stdin from /dev/null); the exit status in `rc`.
std::string pipe_output(const std::string& command, int& rc) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    const int status = ::pclose(p);
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

json::object parse_object(const std::string& text) {
    json::value v = json::parse(text);
    return v.as_object();
}

std::int64_t component_bytes(const json::object& run, const std::string& id) {
    for (const auto& c : run.at("components").as_array())
        if (c.as_object().at("name").as_string() == id) return c.as_object().at("bytes").to_number<std::int64_t>();
    BOOST_FAIL("no component " + id);
    return -1;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// The "output format: a | b | c" list of a command's --help, or empty when it has no --format.
std::vector<std::string> help_formats(const std::string& command) {
    const CliResult r = run_cli({command, "--help"});
    std::string help = r.out;
    help.erase(std::remove(help.begin(), help.end(), '\n'), help.end());
    std::smatch m;
    std::vector<std::string> out;
    if (!std::regex_search(help, m, std::regex("output format: ([a-z |]+?) *\\(default"))) return out;
    std::string list = m[1];
    std::regex word("[a-z]+");
    for (auto it = std::sregex_iterator(list.begin(), list.end(), word); it != std::sregex_iterator(); ++it)
        out.push_back(it->str());
    return out;
}

const std::string kVram = VRAM_TEST_BINARY;

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

// Done when: `vram run --model llama-3-8b --gpu H100 --batch 4 --seq 8192` works with no file.
BOOST_AUTO_TEST_CASE(issue21_one_line_question_needs_no_file) {
    const CliResult r = run_cli({"run", "--model", "llama-3-8b", "--gpu", "H100", "--batch", "4", "--seq", "8192",
                                 "--format", "json"});
    BOOST_TEST_REQUIRE(r.rc == 0, r.err);
    const json::object run = parse_object(r.out);
    // Llama-3-8B: 8,030,261,248 parameters (safetensors total, models.jsonl) x 2 bytes (bf16).
    BOOST_TEST(component_bytes(run, "core.weights") == 16'060'522'496LL);
    // KV cache: 2 (K,V) x 32 layers x 8 KV heads x 128 dims x 2 bytes = 131,072 B/token;
    // x 4 sequences x 8,192 tokens = 4,294,967,296 B.
    BOOST_TEST(component_bytes(run, "core.kv_cache") == 4'294'967'296LL);
    BOOST_TEST(run.at("workload").as_object().at("batch_size").to_number<int>() == 4);
    BOOST_TEST(run.at("gpu").as_object().at("name").as_string().find("H100") != json::string::npos);
    // What nobody said is named, with the default used.
    const json::object& assumed = run.at("assumed").as_object();
    BOOST_TEST(assumed.at("workload.type").as_string() == "inference");
    BOOST_TEST(assumed.at("precision.weights").as_string() == "bf16");
    BOOST_TEST(!assumed.contains("workload.batch_size"));
    // The table says it first.
    const CliResult table = run_cli({"run", "--model", "llama-3-8b", "--gpu", "H100", "--format", "table"});
    BOOST_TEST_REQUIRE(table.rc == 0, table.err);
    BOOST_TEST(table.out.rfind("assumed (not given): workload.type = inference", 0) == 0);
    // Nothing at all is a usage error that says what to give.
    const CliResult none = run_cli({"run"});
    BOOST_TEST(none.rc == 2);
    BOOST_TEST(none.err.find("--model M") != std::string::npos);
}

// Done when: `vram run llama2-7b-serving-h100` works (a scenario preset by name, any case).
BOOST_AUTO_TEST_CASE(issue21_scenario_preset_runs_by_name) {
    const std::string file = source_path("presets/scenarios/llama2-7b-serving-h100.yaml");
    const CliResult by_file = run_cli({"run", file, "--format", "json"});
    const CliResult by_name = run_cli({"run", "llama2-7b-serving-h100", "--format", "json"});
    const CliResult any_case = run_cli({"run", "Llama2-7B-Serving-H100", "--format", "json"});
    BOOST_TEST_REQUIRE(by_file.rc == 0, by_file.err);
    BOOST_TEST_REQUIRE(by_name.rc == 0, by_name.err);
    BOOST_TEST_REQUIRE(any_case.rc == 0, any_case.err);
    BOOST_TEST(by_name.out == by_file.out);
    BOOST_TEST(any_case.out == by_file.out);
    // Llama-2-7B: 6,738,415,616 parameters x 2 bytes = 13,476,831,232 B of weights.
    BOOST_TEST(component_bytes(parse_object(by_name.out), "core.weights") == 13'476'831'232LL);
    // A near miss lists the closest preset.
    const CliResult miss = run_cli({"run", "llama2-7b-serving-h10"});
    BOOST_TEST(miss.rc == 1);
    BOOST_TEST(miss.err.find("did you mean: llama2-7b-serving-h100") != std::string::npos, miss.err);
}

// Done when: `echo '{model: {preset: llama-3-8b}}' | vram run -` works.
BOOST_AUTO_TEST_CASE(issue21_scenario_from_stdin) {
    int rc = -1;
    const std::string out =
        pipe_output("echo '{model: {preset: llama-3-8b}}' | '" + kVram + "' run - --format json 2>&1", rc);
    BOOST_TEST_REQUIRE(rc == 0, out);
    const json::object run = parse_object(out);
    BOOST_TEST(run.at("model").as_object().at("name").as_string() == "llama-3-8b");
    BOOST_TEST(component_bytes(run, "core.weights") == 16'060'522'496LL);  // 8,030,261,248 x 2
    // An empty stdin is one clear line.
    const std::string empty = pipe_output("true | '" + kVram + "' run - 2>&1", rc);
    BOOST_TEST(rc == 2);
    BOOST_TEST(empty.find("stdin is empty") != std::string::npos, empty);
}

// Done when: `vram inspect Llama-3-8B` works.
BOOST_AUTO_TEST_CASE(issue21_inspect_takes_preset_names_in_any_case) {
    const CliResult r = run_cli({"inspect", "Llama-3-8B", "--format", "json"});
    BOOST_TEST_REQUIRE(r.rc == 0, r.err);
    const json::object m = parse_object(r.out);
    BOOST_TEST(m.at("name").as_string() == "llama-3-8b");
    BOOST_TEST(m.at("parameters").to_number<std::int64_t>() == 8'030'261'248LL);
}

// Preset names match in any case, so two presets may not differ only in case.
BOOST_AUTO_TEST_CASE(issue21_preset_names_are_unique_ignoring_case) {
    for (const char* kind : {"models", "scenarios"}) {
        std::set<std::string> seen;
        for (const auto& e : fs::directory_iterator(source_path(std::string("presets/") + kind))) {
            if (e.path().extension() != ".yaml") continue;
            BOOST_TEST(seen.insert(lower(e.path().stem().string())).second, e.path());
        }
        BOOST_TEST(seen.size() > 5u);
    }
}

// Done when: `vram presets qwen` lists only Qwen entries.
BOOST_AUTO_TEST_CASE(issue21_presets_word_lists_only_matching_entries) {
    const CliResult all = run_cli({"presets", "--format", "json"});
    const CliResult qwen = run_cli({"presets", "qwen", "--format", "json"});
    BOOST_TEST_REQUIRE(all.rc == 0, all.err);
    BOOST_TEST_REQUIRE(qwen.rc == 0, qwen.err);
    const json::object a = parse_object(all.out), q = parse_object(qwen.out);
    std::size_t expected = 0;  // counted here from the unfiltered list
    for (const auto& m : a.at("models").as_array()) {
        const auto& o = m.as_object();
        const std::string text = lower(std::string(o.at("name").as_string()) + " " +
                                       std::string(o.at("display").as_string()) + " " +
                                       std::string(o.at("model_type").as_string()));
        if (text.find("qwen") != std::string::npos) ++expected;
    }
    BOOST_TEST(expected > 10u);
    BOOST_TEST(q.at("models").as_array().size() == expected);
    for (const auto& m : q.at("models").as_array()) {
        const auto& o = m.as_object();
        const std::string text = lower(std::string(o.at("name").as_string()) + " " +
                                       std::string(o.at("display").as_string()) + " " +
                                       std::string(o.at("model_type").as_string()));
        BOOST_TEST(text.find("qwen") != std::string::npos, text);
    }
    for (const auto& s : q.at("scenarios").as_array())
        BOOST_TEST(lower(std::string(s.as_object().at("name").as_string())).find("qwen") != std::string::npos);
    // Several words narrow further: every one must match.
    const CliResult moe = run_cli({"presets", "qwen", "moe", "--format", "json"});
    BOOST_TEST_REQUIRE(moe.rc == 0, moe.err);
    const json::object moe_list = parse_object(moe.out);
    const auto& moe_models = moe_list.at("models").as_array();
    BOOST_TEST(!moe_models.empty());
    BOOST_TEST(moe_models.size() < q.at("models").as_array().size());
}

// Done when: the inline-architecture typo is an error naming `num_key_value_head` and
// suggesting `num_key_value_heads`; a config.json file keeps its other keys silently.
BOOST_AUTO_TEST_CASE(issue21_inline_architecture_typo_is_an_error) {
    const std::string path = write_scenario(R"(model:
  architecture:
    hidden_size: 4096
    intermediate_size: 14336
    num_hidden_layers: 32
    num_attention_heads: 32
    num_key_value_head: 8
    vocab_size: 128256
    rms_norm_eps: 1.0e-5
)");
    const CliResult r = run_cli({"run", path});
    BOOST_TEST(r.rc == 1);
    BOOST_TEST(r.err.find("num_key_value_head:") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("did you mean 'num_key_value_heads'") != std::string::npos, r.err);
    BOOST_TEST(r.err.find(":7:") != std::string::npos, r.err);  // the line of the typo
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1);

    // The same keys in a config.json file: extra keys are the library's, not a typo.
    const fs::path dir = fs::temp_directory_path() / ("vram-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "config.json") << R"({"model_type": "llama", "hidden_size": 4096, "intermediate_size": 14336,
        "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256,
        "some_future_key": 1})";
    const CliResult file = run_cli({"inspect", (dir / "config.json").string(), "--format", "json"});
    BOOST_TEST(file.rc == 0, file.err);
}

// Done when: a QLoRA scenario with a `lora:` block gives the same numbers as with `qlora:`.
BOOST_AUTO_TEST_CASE(issue21_qlora_takes_a_lora_block) {
    const std::string yaml = R"(model: {preset: llama-2-7b}
precision: {weights: nf4}
workload: {type: training, batch_size: 2, sequence_length: 1024}
training:
  method: qlora
  gradient_checkpointing: true
  BLOCK: {rank: 16, alpha: 32, targets: [q_proj, v_proj]}
hardware: {memory_gib: 24}
)";
    auto with = [&](const std::string& block) {
        std::string y = yaml;
        y.replace(y.find("BLOCK"), 5, block);
        return run_cli({"run", write_scenario(y, block), "--format", "json"});
    };
    const CliResult q = with("qlora"), l = with("lora");
    BOOST_TEST_REQUIRE(q.rc == 0, q.err);
    BOOST_TEST_REQUIRE(l.rc == 0, l.err);
    // Identical but for the scenario's name (its file name here).
    json::object qo = parse_object(q.out), lo = parse_object(l.out);
    qo.erase("scenario");
    lo.erase("scenario");
    BOOST_TEST(json::serialize(qo) == json::serialize(lo));
    // LoRA r=16 on q_proj and v_proj of 32 layers: (4096x16 + 16x4096) x 2 x 32 = 8,388,608
    // adapter parameters, fp32 (PEFT keeps adapters in fp32): 33,554,432 B.
    BOOST_TEST(component_bytes(parse_object(q.out), "training.adapters.weights") == 33'554'432LL);
    // Both blocks at once is ambiguous: one line naming them.
    std::string both = yaml;
    both.replace(both.find("BLOCK"), 5, "qlora");
    both.insert(both.find("hardware:"), "  lora: {rank: 8}\n");
    const CliResult b = run_cli({"run", write_scenario(both, "both")});
    BOOST_TEST(b.rc == 1);
    BOOST_TEST(b.err.find("not both") != std::string::npos, b.err);
}

// Errors in values given on the command line name the argument, not the scenario file.
BOOST_AUTO_TEST_CASE(issue21_command_line_values_name_their_argument) {
    const std::string file = source_path("presets/scenarios/llama2-7b-serving-h100.yaml");
    const CliResult set = run_cli({"run", file, "--set", "workload.batch_size=-1"});
    BOOST_TEST(set.rc == 1);
    BOOST_TEST(set.err.rfind("vram: error: --set workload.batch_size=-1: workload.batch_size:", 0) == 0, set.err);
    const CliResult flag = run_cli({"run", file, "--batch", "x"});
    BOOST_TEST(flag.rc == 1);
    BOOST_TEST(flag.err.rfind("vram: error: --batch x: workload.batch_size:", 0) == 0, flag.err);
    const CliResult key = run_cli({"run", file, "--set", "workload.batch_sise=2"});
    BOOST_TEST(key.rc == 2);
    BOOST_TEST(key.err.find("did you mean 'workload.batch_size'") != std::string::npos, key.err);
}

// `hardware.count` errors name hardware.count (and the argument that set it).
BOOST_AUTO_TEST_CASE(issue21_hardware_count_errors_name_hardware_count) {
    const CliResult zero = run_cli({"run", "--model", "llama-3-8b", "--gpu", "H100", "--gpus", "0"});
    BOOST_TEST(zero.rc == 1);
    BOOST_TEST(zero.err.find("--gpus 0: hardware.count:") != std::string::npos, zero.err);
    const CliResult fit = run_cli({"fit", "--model", "llama-3-8b", "--gpu", "H100", "--gpus", "auto", "-m",
                                   "workload.batch_size"});
    BOOST_TEST(fit.rc == 1);
    BOOST_TEST(fit.err.find("--gpus auto: hardware.count:") != std::string::npos, fit.err);
    const CliResult sweep = run_cli({"sweep", "--model", "llama-3-8b", "--gpu", "H100", "--vary", "hardware.count=0,1"});
    BOOST_TEST(sweep.rc == 1);
    BOOST_TEST(sweep.err.find("--vary hardware.count=0,1: hardware.count:") != std::string::npos, sweep.err);
}

// `fit` prints the answer with enough precision to show why value+1 fails.
BOOST_AUTO_TEST_CASE(issue21_fit_shows_why_the_next_value_fails) {
    const CliResult r = run_cli({"fit", "--model", "llama-3-8b", "--gpu", "H100", "--seq", "8192", "-m",
                                 "workload.batch_size", "--format", "table"});
    BOOST_TEST_REQUIRE(r.rc == 0, r.err);
    std::smatch m;
    const std::regex line(R"(fits: (\d+) \(([\d.]+) of ([\d.]+) GiB usable per GPU\); (\d+) needs ([\d.]+) GiB \(([\d,]+) > ([\d,]+) bytes\))");
    BOOST_TEST_REQUIRE(std::regex_search(r.out, m, line), r.out);
    BOOST_TEST(std::stoll(m[4]) == std::stoll(m[1]) + 1);
    BOOST_TEST(std::stod(m[2]) <= std::stod(m[3]));  // the answer's need, as printed, fits
    BOOST_TEST(std::stod(m[5]) > std::stod(m[3]));   // value+1's need, as printed, does not
    auto number = [](std::string s) {
        s.erase(std::remove(s.begin(), s.end(), ','), s.end());
        return std::stoll(s);
    };
    BOOST_TEST(number(m[6]) > number(m[7]));
}

// `validate` and `fit` do not accept --explain only to ignore it; every --help lists the formats
// the command accepts, and exactly those are accepted.
BOOST_AUTO_TEST_CASE(issue21_options_are_only_those_a_command_uses) {
    for (const char* command : {"validate", "fit"}) {
        const CliResult r = run_cli({command, "llama2-7b-serving-h100", "--explain"});
        BOOST_TEST(r.rc == 2, command);
        BOOST_TEST(r.err.find("--explain") != std::string::npos, r.err);
    }
    for (const char* command : {"run", "validate", "fit", "sweep", "recommend", "compare", "inspect", "presets", "gpus",
                                "plugins", "symbols", "schema", "search"}) {
        const std::vector<std::string> listed = help_formats(command);
        BOOST_TEST_REQUIRE(!listed.empty(), command);
        std::string joined;
        for (const auto& f : listed) joined += (joined.empty() ? "" : ", ") + f;
        for (const char* f : {"table", "json", "jsonl", "markdown", "csv", "html", "yaml"}) {
            if (std::find(listed.begin(), listed.end(), f) != listed.end()) continue;
            // Not listed: refused, and the refusal names the same list as --help.
            const CliResult r = run_cli({command, "--format", f});
            BOOST_TEST(r.rc == 2, command << " --format " << f);
            BOOST_TEST(r.err.find("allowed: " + joined) != std::string::npos, command << ": " << r.err);
        }
    }
}

// `sweep`'s default format matches its help (csv).
BOOST_AUTO_TEST_CASE(issue21_sweep_default_format_matches_help) {
    const CliResult help = run_cli({"sweep", "--help"});
    BOOST_TEST(help.out.find("(default: csv)") != std::string::npos);
    const CliResult r = run_cli({"sweep", "llama2-7b-serving-h100", "--vary", "workload.batch_size=1,2"});
    BOOST_TEST_REQUIRE(r.rc == 0, r.err);
    BOOST_TEST(r.out.rfind("workload.batch_size,total_bytes,", 0) == 0, r.out);
    BOOST_TEST(lines_of(r.out).size() == 3u);
}

// Streaming sweeps: JSON Lines, --where fits, --limit, --frontier, the aligned formats, and
// --output never left half-written.
BOOST_AUTO_TEST_CASE(issue21_sweeps_stream_and_filter) {
    const std::vector<std::string> base = {"sweep", "--model", "llama-3-8b", "--gpu", "H100"};
    auto sweep = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = base;
        args.insert(args.end(), extra.begin(), extra.end());
        return run_cli(args);
    };
    // jsonl: one `vram run` document per line, the point first.
    const CliResult jl = sweep({"--vary", "workload.batch_size=1,2,3", "--format", "jsonl"});
    BOOST_TEST_REQUIRE(jl.rc == 0, jl.err);
    const auto rows = lines_of(jl.out);
    BOOST_TEST_REQUIRE(rows.size() == 3u);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const json::object o = parse_object(rows[i]);
        BOOST_TEST(o.at("point").as_object().at("workload.batch_size").to_number<int>() == static_cast<int>(i + 1));
        BOOST_TEST(component_bytes(o, "core.weights") == 16'060'522'496LL);
    }
    // --limit stops after N rows.
    const CliResult lim = sweep({"--vary", "workload.batch_size=1:100", "--limit", "7"});
    BOOST_TEST_REQUIRE(lim.rc == 0, lim.err);
    BOOST_TEST(lines_of(lim.out).size() == 8u);  // header + 7
    // --where fits keeps fitting rows only. KV at 131,072 B/token x 131,072 tokens = 16 GiB per
    // sequence; with 14.96 GiB of weights, batch 5 (80 GiB of KV) cannot fit an 80 GB H100.
    const CliResult fits = sweep({"--seq", "131072", "--vary", "workload.batch_size=1:8", "--where", "fits"});
    BOOST_TEST_REQUIRE(fits.rc == 0, fits.err);
    const auto fit_rows = lines_of(fits.out);
    BOOST_TEST(fit_rows.size() >= 2u);
    BOOST_TEST(fit_rows.size() < 9u);
    for (std::size_t i = 1; i < fit_rows.size(); ++i) BOOST_TEST(fit_rows[i].find(",true,") != std::string::npos);
    // --frontier: for each batch size, the largest sequence length that fits, one row each.
    const CliResult front = sweep({"--vary", "workload.batch_size=1,4", "--vary", "workload.sequence_length=1024:1048576:1024",
                                   "--frontier", "workload.sequence_length"});
    BOOST_TEST_REQUIRE(front.rc == 0, front.err);
    const auto front_rows = lines_of(front.out);
    BOOST_TEST_REQUIRE(front_rows.size() == 3u);
    auto seq_of = [](const std::string& row) { return std::stoll(row.substr(row.find(',') + 1)); };
    // More sequences in flight leave room for shorter ones.
    BOOST_TEST(seq_of(front_rows[1]) > seq_of(front_rows[2]));
    // The frontier point fits and the next step (+1,024 tokens) does not.
    for (std::size_t i = 1; i < 3; ++i) {
        const std::string batch = front_rows[i].substr(0, front_rows[i].find(','));
        const long long s = seq_of(front_rows[i]);
        const CliResult next = run_cli({"run", "--model", "llama-3-8b", "--gpu", "H100", "--batch", batch, "--seq",
                                        std::to_string(s + 1024), "--format", "json"});
        BOOST_TEST_REQUIRE(next.rc == 0, next.err);
        BOOST_TEST(!parse_object(next.out).at("fits").as_bool());
    }
    // table and markdown: aligned rows with a header.
    const CliResult table = sweep({"--vary", "workload.batch_size=1,2", "--format", "table"});
    BOOST_TEST_REQUIRE(table.rc == 0, table.err);
    BOOST_TEST(lines_of(table.out).size() == 4u);  // header, rule, 2 rows
    const CliResult md = sweep({"--vary", "workload.batch_size=1,2", "--format", "markdown"});
    BOOST_TEST(lines_of(md.out).size() == 4u);
    BOOST_TEST(md.out.rfind("| workload.batch_size", 0) == 0);
    // Too many rows for a table is refused before anything runs.
    const CliResult big = sweep({"--vary", "workload.batch_size=1:20000", "--format", "table"});
    BOOST_TEST(big.rc == 2);
    // An error part-way leaves no output file behind.
    const fs::path out = fs::temp_directory_path() / ("vram-cli-sweep-" + std::to_string(::getpid()) + ".csv");
    fs::remove(out);
    const CliResult bad = sweep({"--vary", "hardware.count=1,0", "--output", out.string()});
    BOOST_TEST(bad.rc == 1);
    BOOST_TEST(!fs::exists(out));
    BOOST_TEST(!fs::exists(out.string() + ".partial"));
}

// `compare` takes --catalog (as run, fit and sweep do).
BOOST_AUTO_TEST_CASE(issue21_compare_takes_catalog) {
    const fs::path dir = fs::temp_directory_path() / ("vram-cli-cat-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const CliResult gpus = run_cli({"gpus", "H100", "--format", "json"});
    BOOST_TEST_REQUIRE(gpus.rc == 0);
    const CliResult help = run_cli({"compare", "--help"});
    BOOST_TEST(help.out.find("--catalog") != std::string::npos);
    const std::string a = source_path("presets/scenarios/llama2-7b-serving-h100.yaml");
    const std::string b = source_path("presets/scenarios/llama-3.1-8b-chat-l40s.yaml");
    const CliResult r = run_cli({"compare", a, b, "--catalog", source_path("presets/gpus/builtin.csv"), "--format", "json"});
    BOOST_TEST(r.rc == 0, r.err);
    const CliResult missing = run_cli({"compare", a, b, "--catalog", (dir / "none.csv").string()});
    BOOST_TEST(missing.rc != 0);
    BOOST_TEST(missing.err.find("none.csv") != std::string::npos, missing.err);
}

// `inspect --help` mentions hub ids and URLs.
BOOST_AUTO_TEST_CASE(issue21_inspect_help_mentions_hub_ids_and_urls) {
    const CliResult r = run_cli({"inspect", "--help"});
    BOOST_TEST(r.rc == 0);
    BOOST_TEST(r.out.find("hf:") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("https://huggingface.co/") != std::string::npos, r.out);
}

// `model: {parameters: 70e9}` answers weights only and says what it cannot know.
BOOST_AUTO_TEST_CASE(issue21_parameter_count_alone_is_weights_only) {
    const std::string path = write_scenario("model: {parameters: 70e9}\nhardware: {gpu: H100}\n", "params");
    const CliResult r = run_cli({"run", path, "--format", "json"});
    BOOST_TEST_REQUIRE(r.rc == 0, r.err);
    const json::object run = parse_object(r.out);
    // 70,000,000,000 parameters x 2 bytes (bf16) = 140,000,000,000 B.
    BOOST_TEST(component_bytes(run, "core.weights") == 140'000'000'000LL);
    std::set<std::string> unknown;
    for (const auto& u : run.at("unknown").as_array()) unknown.insert(std::string(u.as_string()));
    BOOST_TEST(unknown.count("kv_cache") == 1u);
    BOOST_TEST(unknown.count("activations") == 1u);
    for (const auto& c : run.at("components").as_array()) {
        const std::string cat(c.as_object().at("category").as_string());
        BOOST_TEST((cat == "weights" || cat == "overhead"), cat);
    }
    // The same from the command line, in int4: 70e9 x 0.5 B plus group scales, so between
    // 35,000,000,000 and 40,000,000,000 B.
    const CliResult q = run_cli({"run", "--model", "70B", "--weights", "int4", "--format", "json"});
    BOOST_TEST_REQUIRE(q.rc == 0, q.err);
    const std::int64_t w = component_bytes(parse_object(q.out), "core.weights");
    BOOST_TEST(w > 35'000'000'000LL);
    BOOST_TEST(w < 40'000'000'000LL);
    // Full training: gradients and AdamW states are functions of the count too. bf16 weights
    // without AMP: gradients 7e9 x 2 B = 14,000,000,000 B; two AdamW states at the parameters'
    // dtype, 7e9 x 2 x 2 B = 28,000,000,000 B.
    const CliResult full = run_cli({"run", "--model", "7B", "--method", "full", "--format", "json"});
    BOOST_TEST_REQUIRE(full.rc == 0, full.err);
    const json::object f = parse_object(full.out);
    BOOST_TEST(component_bytes(f, "training.gradients") == 14'000'000'000LL);
    BOOST_TEST(component_bytes(f, "training.optimizer_states") == 28'000'000'000LL);
    const CliResult table = run_cli({"run", path, "--format", "table"});
    BOOST_TEST(table.out.find("cannot know without the architecture") != std::string::npos, table.out);
    // layers and hidden only come with parameters.
    const CliResult stray = run_cli({"run", write_scenario("model: {preset: llama-3-8b, layers: 4}\n", "stray")});
    BOOST_TEST(stray.rc == 1);
    BOOST_TEST(stray.err.find("model.layers: only with model.parameters") != std::string::npos, stray.err);
}

BOOST_AUTO_TEST_SUITE_END()
