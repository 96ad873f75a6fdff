// tvram_rough_edges.cpp - issue 21, "Rough edges": what a new user hit in the reports, the GPU
// catalog, `recommend`, Whisper inputs, the completions, the man page and the README. Expected
// values are worked out by hand in the comments, never taken from the code under test.
// SPDX-License-Identifier: Apache-2.0
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "test_support.hpp"
#include "report/report.hpp"

using namespace vram;
using namespace vram::test;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// A line as display columns: one entry per UTF-8 code point (every glyph vram prints is one
// column wide; ANSI colour is off in these runs).
std::vector<std::string> glyphs(const std::string& line) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < line.size(); ++i) {
        if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) out.emplace_back();
        if (!out.empty()) out.back() += line[i];
    }
    return out;
}

// A fresh directory under the build's temporary area.
fs::path fresh_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("vram-issue21-" + std::to_string(::getpid())) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// Output of a shell command (stdout and stderr).
std::string shell(const std::string& command) {
    std::string out;
    if (FILE* p = ::popen((command + " 2>&1").c_str(), "r")) {
        char buf[4096];
        while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
        ::pclose(p);
    }
    return out;
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

// The inline code spans of a Markdown text (backtick fences of equal length).
std::vector<std::string> code_spans(const std::string& md) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while ((i = md.find('`', i)) != std::string::npos) {
        std::size_t n = 0;
        while (i + n < md.size() && md[i + n] == '`') ++n;
        const std::string fence(n, '`');
        if (n >= 3) {  // a fenced block (```mermaid): skip to its closing fence
            const auto close = md.find("\n" + fence, i + n);
            i = close == std::string::npos ? md.size() : close + 1 + n;
            continue;
        }
        const auto close = md.find(fence, i + n);
        if (close == std::string::npos) break;
        out.push_back(md.substr(i + n, close - i - n));
        i = close + n;
    }
    return out;
}

const char* const kPipelineTraining = R"(name: llama-2-7b pretraining over 4 pipeline stages
model: {preset: llama-2-7b}
precision: {weights: bf16}
workload: {type: training, batch_size: 1, sequence_length: 2048}
training: {method: full, objective: pretrain, optimizer: adamw, mixed_precision: bf16, flash_attention: true}
parallelism: {pipeline: 4}
hardware: {gpu: H100 SXM, count: 4}
runtime: {engine: hf}
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(rough_edges)

// A model given by model.config is named: `_name_or_path` of the config, else the folder of a
// config.json, else the file's stem. Before, a config.json beside the scenario gave "model :".
BOOST_AUTO_TEST_CASE(issue21_config_model_is_named_in_table_and_html) {
    // bloom-560m's config has no _name_or_path: the folder names it.
    const fs::path dir = fresh_dir("my-bloom");
    fs::copy_file(data_path("configs/bigscience-bloom-560m.json"), dir / "config.json");
    std::ofstream(dir / "s.yaml") << "name: local model\nmodel: {config: config.json}\n"
                                     "workload: {type: inference, batch_size: 1, sequence_length: 128}\n";
    const CliResult t = run_cli({"run", "s.yaml", "--format", "table"}, {}, dir.string());
    BOOST_REQUIRE_MESSAGE(t.rc == 0, t.err);
    BOOST_TEST(t.out.find("\nmodel my-bloom: ") != std::string::npos, t.out);
    const CliResult h = run_cli({"run", "s.yaml", "--format", "html"}, {}, dir.string());
    BOOST_REQUIRE_MESSAGE(h.rc == 0, h.err);
    BOOST_TEST(h.out.find("model my-bloom (") != std::string::npos);
    BOOST_TEST(h.out.find("model  (") == std::string::npos);

    // Llama-2-7B's config says "_name_or_path": "meta-llama/Llama-2-7b-hf".
    const std::string s1 = write_scenario("name: by path\nmodel: {config: configs/meta-llama-llama-2-7b-hf.json}\n"
                                          "workload: {type: inference, batch_size: 1, sequence_length: 128}\n");
    const CliResult a = run_cli({"run", s1, "--format", "table"});
    BOOST_REQUIRE_MESSAGE(a.rc == 0, a.err);
    BOOST_TEST(a.out.find("\nmodel meta-llama/Llama-2-7b-hf: 6,738,415,616 parameters") != std::string::npos, a.out);

    // A config file not called config.json, without _name_or_path: its stem.
    const std::string s2 = write_scenario("name: by file\nmodel: {config: configs/bigscience-bloom-560m.json}\n"
                                          "workload: {type: inference, batch_size: 1, sequence_length: 128}\n");
    const CliResult b = run_cli({"run", s2, "--format", "html"});
    BOOST_REQUIRE_MESSAGE(b.rc == 0, b.err);
    BOOST_TEST(b.out.find("model bigscience-bloom-560m (") != std::string::npos);
}

// parallelism.pipeline: 4 over Llama-2-7B's 32 layers: 8 layers a stage. Parameters per layer:
//   attention 4·4096² = 67,108,864; MLP 3·4096·11,008 = 135,266,304; two norms 2·4096 = 8,192
//   → 202,383,360; 8 layers = 1,619,066,880 → bf16 3,238,133,760 B (stages 1 and 2);
//   stage 0 adds the embedding 32,000·4096 = 131,072,000 → 1,750,138,880 → 3,500,277,760 B;
//   stage 3 adds lm_head 131,072,000 and the final norm 4,096 → 1,750,142,976 → 3,500,285,952 B.
// Every stage is in the estimate and named in the table and the HTML page.
BOOST_AUTO_TEST_CASE(issue21_every_pipeline_stage_is_shown) {
    const Result r = estimate_yaml(kPipelineTraining);
    const auto& ranks = r.estimate.ranks;
    BOOST_REQUIRE_EQUAL(ranks.size(), 4u);
    const Bytes expected[] = {3500277760ULL, 3238133760ULL, 3238133760ULL, 3500285952ULL};
    for (std::size_t i = 0; i < 4; ++i) {
        BOOST_TEST(ranks[i].stage == static_cast<std::int64_t>(i));
        Bytes weights = 0;
        for (const auto& t : ranks[i].terms)
            if (t.id == "core.weights") weights = t.bytes;
        BOOST_TEST(weights == expected[i], "stage " << i);
    }
    const std::string path = write_scenario(kPipelineTraining);
    for (const std::string format : {"table", "html", "markdown"}) {
        const CliResult c = run_cli({"run", path, "--format", format}, {{"COLUMNS", "120"}});
        BOOST_REQUIRE_MESSAGE(c.rc == 0, c.err);
        // Stage 2 is named on its own or inside a group "stages 1–2" / "stages 2–3".
        const bool two = c.out.find("pipeline stage 2 ") != std::string::npos ||
                         std::regex_search(c.out, std::regex("pipeline stages ([01]–2|2–3) "));
        BOOST_TEST(two, format << ": stage 2 missing");
        for (const std::string label : {"pipeline stage 0 (first)", "pipeline stage 3 (last)"})
            BOOST_TEST(c.out.find(label) != std::string::npos, format << ": " << label);
    }
}

// Serving over 4 pipeline stages: the middle stages 1 and 2 hold the same 8 layers and the same
// per-token buffers, so they are one group "pipeline stages 1–2", shown once, not dropped.
BOOST_AUTO_TEST_CASE(issue21_identical_middle_stages_are_grouped_not_dropped) {
    const std::string path = write_scenario(R"(name: llama-2-7b serving over 4 pipeline stages
model: {preset: llama-2-7b}
precision: {weights: bf16, kv_cache: bf16}
workload: {type: inference, batch_size: 1, sequence_length: 4096}
parallelism: {pipeline: 4}
hardware: {gpu: H100 SXM, count: 4}
runtime: {engine: hf}
)");
    const Result r = estimate_yaml(slurp(path));
    BOOST_REQUIRE_EQUAL(r.estimate.ranks.size(), 4u);
    for (const std::string format : {"table", "html"}) {
        const CliResult c = run_cli({"run", path, "--format", format}, {{"COLUMNS", "120"}});
        BOOST_REQUIRE_MESSAGE(c.rc == 0, c.err);
        BOOST_TEST(c.out.find("pipeline stages 1–2 (middle") != std::string::npos, c.out.substr(0, 2000));
        BOOST_TEST(c.out.find("pipeline stage 0 (first)") != std::string::npos);
        BOOST_TEST(c.out.find("pipeline stage 3 (last)") != std::string::npos);
    }
}

// A 70-character component id: at every width the name column ends in at least one blank before
// the category column, cut with "…" when it does not fit.
BOOST_AUTO_TEST_CASE(issue21_long_component_names_never_touch_the_category_column) {
    const std::string id = "research.a_very_long_component_name_that_describes_everything_it_holds";
    BOOST_REQUIRE_EQUAL(id.size(), 70u);
    const std::string path = write_scenario("name: long names\nmodel: {preset: llama-2-7b}\n"
                                            "workload: {type: inference, batch_size: 1, sequence_length: 1024}\n"
                                            "hardware: {gpu: H100 SXM, count: 1}\n"
                                            "components:\n  - name: " + id + "\n    category: optimizer_states\n"
                                            "    formula: \"1024\"\n");
    const std::set<std::string> categories = {"weights", "kv_cache", "activations", "logits", "overhead",
                                              "optimizer_states", "buffers", "other"};
    for (const int width : {60, 80, 100, 140, 200}) {
        const CliResult c = run_cli({"run", path, "--format", "table"}, {{"COLUMNS", std::to_string(width)}});
        BOOST_REQUIRE_MESSAGE(c.rc == 0, c.err);
        const auto lines = lines_of(c.out);
        std::size_t col = std::string::npos, rows = 0;
        for (const auto& line : lines) {
            const auto g = glyphs(line);
            std::string text;
            for (const auto& s : g) text += s;
            if (line.rfind("component ", 0) == 0) {
                col = line.find("category");
                continue;
            }
            if (col == std::string::npos || g.size() <= col) continue;
            std::string rest;
            for (std::size_t k = col; k < g.size() && g[k] != " "; ++k) rest += g[k];
            if (!categories.count(rest)) continue;
            ++rows;
            BOOST_TEST(g[col - 1] == " ", "COLUMNS=" << width << ": " << line);
            if (line.find("research.") == 0) {
                // The id fits whole where the width leaves room, else ends in "…".
                const bool whole = line.find(id + " ") == 0;
                const bool cut = std::find(g.begin(), g.begin() + static_cast<long>(col), "…") != g.begin() + static_cast<long>(col);
                BOOST_TEST((whole || cut), "COLUMNS=" << width << ": " << line);
            }
        }
        BOOST_TEST(rows >= 5u, "COLUMNS=" << width << ": no component rows found");
    }
}

// In a code span Markdown shows characters as they are: "&lt;" inside one prints "&lt;".
// The formula "b < 2 ? 1024 : 2048" (b = 1 → 1024 bytes) must appear as typed; a pipe inside a
// span in a table cell stays escaped ("\|", GFM), outside tables it is literal.
BOOST_AUTO_TEST_CASE(issue21_markdown_code_spans_are_literal) {
    const std::string path = write_scenario("name: spans\nmodel: {preset: llama-2-7b}\n"
                                            "workload: {type: inference, batch_size: 1, sequence_length: 1024}\n"
                                            "hardware: {gpu: H100 SXM, count: 1}\n"
                                            "components:\n  - name: lt_buffer\n    category: buffers\n"
                                            "    formula: \"b < 2 ? 1024 : 2048\"\n"
                                            "  - name: or_buffer\n    category: buffers\n"
                                            "    formula: \"(b > 4) || (s >= 1) ? 512 : 0\"\n");
    const CliResult c = run_cli({"run", path, "--format", "markdown", "--explain"});
    BOOST_REQUIRE_MESSAGE(c.rc == 0, c.err);
    BOOST_TEST(c.out.find("`b < 2 ? 1024 : 2048`") != std::string::npos, c.out);
    BOOST_TEST(c.out.find("`(b > 4) \\|\\| (s >= 1) ? 512 : 0`") != std::string::npos);  // table cell
    BOOST_TEST(c.out.find("`(b > 4) || (s >= 1) ? 512 : 0`") != std::string::npos);      // details list
    // 1024 bytes = 0.00 GiB, 1,024 exact.
    BOOST_TEST(c.out.find("| lt_buffer | buffers | 0.00 | 1,024 |") != std::string::npos);
    const auto spans = code_spans(c.out);
    BOOST_TEST(spans.size() >= 6u);
    for (const auto& s : spans)
        for (const char* entity : {"&lt;", "&gt;", "&amp;", "&quot;"})
            BOOST_TEST(s.find(entity) == std::string::npos, "entity " << entity << " in `" << s << "`");
    // Outside code spans text is still escaped: a table cell cannot open an HTML tag.
    Scenario scenario;
    scenario.name = "a <b> c";
    ModelSpec model;
    model.name = "m";
    Estimate e;
    RankBreakdown rank;
    rank.label = "GPU";
    Term t;
    t.id = "x<y";
    t.formula = "a<b & `c`";
    t.bytes = 1;
    rank.terms.push_back(t);
    rank.total = 1;
    e.ranks.push_back(rank);
    e.total_bytes = 1;
    const std::string md = estimate_to_markdown({scenario, model, e, {}}, ReportOptions{});
    BOOST_TEST(md.find("## a &lt;b&gt; c") != std::string::npos, md);
    BOOST_TEST(md.find("| x&lt;y |") != std::string::npos, md);
    BOOST_TEST(md.find("``a<b & `c```") == std::string::npos);  // a lone backtick fence would break
    BOOST_TEST(md.find("`` a<b & `c` ``") != std::string::npos, md);
}

// The catalog writes empty cells for what it does not know; "0 GB/s 0 TFLOPS" read as a
// measured zero. Apple MacBook Neo 8GB has neither bandwidth nor BF16 throughput in the catalog.
BOOST_AUTO_TEST_CASE(issue21_unknown_catalog_figures_are_dashes_and_null) {
    const CliResult t = run_cli({"gpus", "MacBook Neo 8GB", "--limit", "1", "--format", "table"});
    BOOST_REQUIRE_MESSAGE(t.rc == 0, t.err);
    BOOST_TEST(t.out.find("Apple MacBook Neo 8GB") == 0u, t.out);
    BOOST_TEST(t.out.find("— GB/s") != std::string::npos, t.out);
    BOOST_TEST(t.out.find("— TFLOPS") != std::string::npos, t.out);
    BOOST_TEST(!std::regex_search(t.out, std::regex(" 0 (GB/s|TFLOPS)")), t.out);
    const CliResult j = run_cli({"gpus", "MacBook Neo 8GB", "--limit", "1", "--format", "json"});
    BOOST_REQUIRE_MESSAGE(j.rc == 0, j.err);
    BOOST_TEST(j.out.find("\"bandwidth_gbs\": null") != std::string::npos, j.out);
    BOOST_TEST(j.out.find("\"bf16_tflops\": null") != std::string::npos, j.out);
    BOOST_TEST(j.out.find("\"fp8_tflops\": null") != std::string::npos, j.out);
    BOOST_TEST(j.out.find("\"bandwidth_gbs\": 0") == std::string::npos);
    // Known figures stay numbers: H100 SXM5 80GB, 3,350 GB/s (NVIDIA datasheet).
    const CliResult h = run_cli({"gpus", "h100 sxm", "--limit", "1", "--format", "json"});
    BOOST_TEST(h.out.find("\"bandwidth_gbs\": 3350") != std::string::npos, h.out);
    // No catalog entry anywhere shows a 0 for an unknown figure.
    const CliResult all = run_cli({"gpus", "--format", "json"});
    BOOST_REQUIRE_MESSAGE(all.rc == 0, all.err);
    for (const char* key : {"bandwidth_gbs", "bf16_tflops", "fp8_tflops", "tdp_w", "price_usd"})
        BOOST_TEST(all.out.find("\"" + std::string(key) + "\": 0,") == std::string::npos, key);
}

// Epoch's "PCle" (lower-case L) is spelt PCIe in the catalog, the CSV and every output.
BOOST_AUTO_TEST_CASE(issue21_l20_is_spelt_pcie) {
    const CliResult r = run_cli({"gpus", "l20", "--limit", "1", "--format", "json"});
    BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
    BOOST_TEST(r.out.find("\"name\": \"NVIDIA L20 PCIe\"") != std::string::npos, r.out);
    const CliResult all = run_cli({"gpus", "--format", "json"});
    BOOST_TEST(all.out.find("PCle\"") == std::string::npos);
    BOOST_TEST(std::regex_search(all.out, std::regex("\"name\": \"[^\"]*PCle")) == false);
    const std::string csv = slurp(source_path("presets/gpus/builtin.csv"));
    for (const auto& line : lines_of(csv)) BOOST_TEST(line.substr(0, line.find(',')).find("PCle") == std::string::npos, line);
}

// Shared-memory devices say what share of system memory the GPU gets and why:
//   Apple M4 Max 128 GB: macOS wires ~75 % → 96.00 of 128.00 GiB (75 %);
//   AMD Ryzen AI Max+ 395 128 GB (Strix Halo): Variable Graphics Memory ≤ 75 % → 96.00 GiB.
// A discrete GPU (H100) has no such note.
BOOST_AUTO_TEST_CASE(issue21_apu_usable_memory_is_explained) {
    const CliResult m = run_cli({"gpus", "Apple M4 Max", "--format", "table"});
    BOOST_REQUIRE_MESSAGE(m.rc == 0, m.err);
    BOOST_TEST(m.out.find("shared memory: the GPU may use 96.00 of 128.00 GiB (75 %): macOS") != std::string::npos, m.out);
    const CliResult s = run_cli({"gpus", "Ryzen AI Max+ 395 128GB", "--limit", "1", "--format", "json"});
    BOOST_REQUIRE_MESSAGE(s.rc == 0, s.err);
    // 96 GiB = 103,079,215,104 bytes.
    BOOST_TEST(s.out.find("\"usable_bytes\": 103079215104") != std::string::npos, s.out);
    BOOST_TEST(s.out.find("96.00 of 128.00 GiB (75 %): AMD Variable Graphics Memory") != std::string::npos, s.out);
    const CliResult h = run_cli({"gpus", "h100 sxm", "--limit", "1", "--format", "json"});
    BOOST_TEST(h.out.find("\"shared_memory\": null") != std::string::npos, h.out);
    BOOST_TEST(slurp(source_path("docs/gpus.md")).find("Shared-memory devices") != std::string::npos);
}

// recommend renders every report format that makes sense as a list, and refuses filters that
// would silently match nothing.
BOOST_AUTO_TEST_CASE(issue21_recommend_takes_every_format_and_checks_filters) {
    const std::string preset = source_path("presets/scenarios/llama2-7b-serving-h100.yaml");
    const CliResult j = run_cli({"recommend", preset, "--kind", "datacenter", "--format", "json"});
    BOOST_REQUIRE_MESSAGE(j.rc == 0, j.err);
    const std::size_t n = count_of(j.out, "\"name\": ");
    BOOST_TEST(n >= 10u);
    const CliResult csv = run_cli({"recommend", preset, "--kind", "datacenter", "--format", "csv"});
    BOOST_REQUIRE_MESSAGE(csv.rc == 0, csv.err);
    BOOST_TEST(csv.out.rfind("name,vendor,kind,gpu_count,", 0) == 0u);
    // One record per GPU (a quoted source may hold a line break, so records are counted by kind).
    BOOST_TEST(count_of(csv.out, ",datacenter,") == n);
    const CliResult md = run_cli({"recommend", preset, "--kind", "datacenter", "--format", "markdown"});
    BOOST_REQUIRE_MESSAGE(md.rc == 0, md.err);
    BOOST_TEST(md.out.find("| GPU | count | need GiB |") != std::string::npos);
    BOOST_TEST(count_of(md.out, "\n| ") == n + 1);  // header + rows (the rule starts "|---")
    const CliResult html = run_cli({"recommend", preset, "--kind", "datacenter", "--format", "html"});
    BOOST_REQUIRE_MESSAGE(html.rc == 0, html.err);
    BOOST_TEST(html.out.rfind("<!DOCTYPE html>", 0) == 0u);
    BOOST_TEST(count_of(html.out, "<tr>") == n + 1);
    BOOST_TEST(html.out.find("http") == std::string::npos);  // nothing fetched
    const CliResult table = run_cli({"recommend", preset, "--kind", "datacenter", "--format", "table"});
    BOOST_TEST(table.rc == 0);
    // A board without a price: null, as in `vram gpus`, never "price_usd": 0.
    const CliResult all = run_cli({"recommend", preset, "--format", "json"});
    BOOST_REQUIRE_MESSAGE(all.rc == 0, all.err);
    BOOST_TEST(all.out.find("\"price_usd\": 0,") == std::string::npos);
    BOOST_TEST(all.out.find("\"price_usd\": null, \"price_per_usable_gib_usd\": null") != std::string::npos);

    for (const std::vector<std::string>& bad : {std::vector<std::string>{"--kind", "datacentre"},
                                               std::vector<std::string>{"--vendor", "NVIDIA,Nvidai"},
                                               std::vector<std::string>{"--max-gpus", "0"},
                                               std::vector<std::string>{"--format", "yaml"}}) {
        std::vector<std::string> args{"recommend", preset};
        args.insert(args.end(), bad.begin(), bad.end());
        const CliResult r = run_cli(args);
        BOOST_TEST(r.rc == 2, bad[0] << " " << bad[1]);
        BOOST_TEST(r.out.empty());
        BOOST_TEST(count_of(r.err, "\n") == 1u, r.err);
        BOOST_TEST(r.err.find("allowed") != std::string::npos, r.err);
    }
    const CliResult kind = run_cli({"recommend", preset, "--kind", "datacentre"});
    BOOST_TEST(kind.err.find("datacenter, ") != std::string::npos, kind.err);
    BOOST_TEST(kind.err.find("apple") != std::string::npos, kind.err);
    const CliResult vendor = run_cli({"recommend", preset, "--vendor", "Nvidai"});
    BOOST_TEST(vendor.err.find("'Nvidai'") != std::string::npos, vendor.err);
    BOOST_TEST(vendor.err.find("NVIDIA") != std::string::npos, vendor.err);
}

// Whisper large-v3, one 10-s clip: the feature extractor pads it to 30 s = 480,000 samples
// = 3,000 mel frames (hop 160); conv2 stride 2 → 1,500 encoder frames. The decoder sequence stays
// the 448 text tokens: audio reaches it through cross-attention.
BOOST_AUTO_TEST_CASE(issue21_whisper_10s_clip_reports_1500_encoder_frames) {
    const std::string yaml = R"(name: whisper 10 s
model: {preset: whisper-large-v3}
precision: {weights: fp16}
workload: {type: inference, batch_size: 1, sequence_length: 448}
inputs:
  - {modality: audio, seconds: 10}
hardware: {gpu: L4, count: 1}
runtime: {engine: hf}
)";
    const Result r = estimate_yaml(yaml);
    BOOST_TEST(r.estimate.tokens_per_sequence == 448);
    BOOST_REQUIRE_EQUAL(r.estimate.modality_tokens.size(), 1u);
    BOOST_TEST(r.estimate.modality_tokens[0].first == "audio");
    BOOST_TEST(r.estimate.modality_tokens[0].second == 1500);
    const std::string path = write_scenario(yaml);
    const CliResult j = run_cli({"run", path, "--format", "json"});
    BOOST_REQUIRE_MESSAGE(j.rc == 0, j.err);
    BOOST_TEST(std::regex_search(j.out, std::regex("\"modality_tokens\": \\{\\s*\"audio\": 1500\\s*\\}")), j.out);
    const CliResult t = run_cli({"run", path, "--format", "table"});
    BOOST_TEST(t.out.find("batch 1 × 448 tokens per sequence (1,500 audio encoder frames") != std::string::npos, t.out);
}

// script(1) gives vram a pseudo-terminal: colour is on there unless NO_COLOR is set. Where no
// pseudo-terminal can be opened the test is skipped with its reason (CTest shows it as skipped:
// tests/CMakeLists.txt, unit.colour_on_a_terminal), never passed silently.
boost::test_tools::assertion_result pseudo_terminal_available(boost::unit_test::test_unit_id) {
    if (std::system("command -v script > /dev/null 2>&1") != 0) {
        boost::test_tools::assertion_result no(false);
        no.message() << "SKIPPED: script(1) is not installed, so no pseudo-terminal can be opened";
        return no;
    }
    boost::test_tools::assertion_result ok(std::system("script -qec true /dev/null > /dev/null 2>&1") == 0);
    if (!ok) ok.message() << "SKIPPED: script(1) could not open a pseudo-terminal here (no /dev/pts?)";
    return ok;
}

BOOST_AUTO_TEST_CASE(issue21_colour_on_a_pseudo_terminal, *boost::unit_test::precondition(pseudo_terminal_available)) {
    const std::string preset = source_path("presets/scenarios/llama2-7b-serving-h100.yaml");
    const std::string cmd = std::string("script -qec '") + VRAM_TEST_BINARY + " run " + preset + " --format table' /dev/null";
    const std::string tty = shell("env -u NO_COLOR -u COLUMNS TERM=xterm " + cmd);
    BOOST_TEST(tty.find("\x1b[38;5;") != std::string::npos, tty);
    const std::string no_color = shell("env NO_COLOR=1 TERM=xterm " + cmd);
    BOOST_TEST(no_color.find("Fits") != std::string::npos, no_color);
    BOOST_TEST(no_color.find("\x1b[38;5;") == std::string::npos);
}

// The generated bash completion offers preset names, scenario keys for --set and GPU names, from
// the vram being completed. Run in bash: COMP_WORDS as the shell would set them.
BOOST_AUTO_TEST_CASE(issue21_completions_offer_presets_keys_and_gpus) {
    const fs::path dir = fresh_dir("completion");
    const CliResult gen = run_cli({"--generate", "bash", (dir / "vram.bash").string()});
    BOOST_REQUIRE_MESSAGE(gen.rc == 0, gen.err);
    const std::string bin = fs::path(VRAM_TEST_BINARY).parent_path().string();
    auto complete = [&](const std::string& words) {
        const std::string script = "source " + (dir / "vram.bash").string() + "; COMP_WORDS=(" + words +
                                   "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _vram; printf '%s\\n' \"${COMPREPLY[@]}\"";
        std::ofstream(dir / "t.sh") << script;
        return shell("cd " + dir.string() + " && PATH='" + bin + "':\"$PATH\" bash " + (dir / "t.sh").string());
    };
    const std::string models = complete("vram inspect llama-2-");
    BOOST_TEST(models.find("llama-2-7b\n") != std::string::npos, models);
    const std::string model_opt = complete("vram run --model llama-2-");
    BOOST_TEST(model_opt.find("llama-2-7b\n") != std::string::npos, model_opt);
    const std::string scenarios = complete("vram run llama2-7b-serv");
    BOOST_TEST(scenarios.find("llama2-7b-serving-h100\n") != std::string::npos, scenarios);
    const std::string keys = complete("vram run x.yaml --set workload.batch");
    BOOST_TEST(keys.find("workload.batch_size=\n") != std::string::npos, keys);
    const std::string gpus = complete("vram run x.yaml --gpu 'NVIDIA H100 S'");
    BOOST_TEST(gpus.find("NVIDIA H100 SXM5 80GB\n") != std::string::npos, gpus);
    const std::string query = complete("vram gpus 'NVIDIA H100 S'");
    BOOST_TEST(query.find("NVIDIA H100 SXM5 80GB\n") != std::string::npos, query);
    // zsh: the same lists are wired to --model, --gpu, the scenario and the gpus query.
    const CliResult z = run_cli({"--generate", "zsh"});
    BOOST_REQUIRE_MESSAGE(z.rc == 0, z.err);
    for (const char* fn : {"_vram_model_names", "_vram_scenario_names", "_vram_gpu_names", "_vram_set_keys"})
        BOOST_TEST(count_of(z.out, fn) >= 2u, fn);
    if (std::system("command -v zsh > /dev/null 2>&1") == 0) {
        std::ofstream(dir / "_vram") << z.out;
        BOOST_TEST(shell("zsh -n " + (dir / "_vram").string() + " && echo ok") == "ok\n");
        // The lists behind the zsh completers (compadd itself needs an interactive completion).
        const std::string lists = shell("PATH='" + bin + "':\"$PATH\" zsh -f -c 'source " + (dir / "_vram").string() +
                                        " >/dev/null 2>&1; _vram_list gpus vram; _vram_list models vram; "
                                        "_vram_list scenarios vram; print -l ${(f)_vram_cache_gpus} "
                                        "${(f)_vram_cache_models} ${(f)_vram_cache_scenarios}'");
        for (const char* name : {"NVIDIA H100 SXM5 80GB\n", "llama-2-7b\n", "llama2-7b-serving-h100\n"})
            BOOST_TEST(lists.find(name) != std::string::npos, name << lists.substr(0, 300));
    } else {
        BOOST_TEST_MESSAGE("zsh not installed: the zsh completion was checked as text only");
    }
}

// Every environment variable the program reads (getenv / env / env_true in the sources) is in the
// man page's ENVIRONMENT section, the hub's HF_* and MODELSCOPE_* ones included.
BOOST_AUTO_TEST_CASE(issue21_man_environment_lists_every_variable_read) {
    const CliResult man = run_cli({"--generate", "man"});
    BOOST_REQUIRE_MESSAGE(man.rc == 0, man.err);
    const auto from = man.out.find(".SH ENVIRONMENT");
    BOOST_REQUIRE(from != std::string::npos);
    const std::string section = man.out.substr(from, man.out.find(".SH ", from + 4) - from);
    std::set<std::string> read;
    const std::regex call("(?:getenv|env|env_true)\\(\"([A-Z_][A-Z0-9_]*)\"\\)");
    for (const char* folder : {"framework/hub", "framework/model", "framework/plugin", "host"})
        for (const auto& e : fs::directory_iterator(source_path(folder))) {
            const std::string text = slurp(e.path().string());
            for (std::sregex_iterator it(text.begin(), text.end(), call), end; it != end; ++it) read.insert((*it)[1]);
        }
    for (const char* v : {"HF_ENDPOINT", "HF_TOKEN", "HF_HUB_OFFLINE", "HF_HOME", "MODELSCOPE_ENDPOINT",
                          "MODELSCOPE_API_TOKEN", "VRAM_PLUGIN_PATH", "VRAM_PRESET_DIR"})
        BOOST_TEST(read.count(v) == 1u, v << " is no longer read: update this test and the man page");
    for (const auto& v : read) BOOST_TEST(section.find(".B " + v + "\n") != std::string::npos, v);
}

// README.md states counts ("356 boards built in", "88 model presets (21 multimodal)"): each must
// be what the tool itself lists, and a count the test does not know how to check fails it.
BOOST_AUTO_TEST_CASE(issue21_readme_counts_match_the_tool) {
    const std::string readme = slurp(source_path("README.md"));
    const CliResult presets = run_cli({"presets", "--format", "json"});
    BOOST_REQUIRE_MESSAGE(presets.rc == 0, presets.err);
    const auto scen_at = presets.out.find("\"scenarios\"");
    BOOST_REQUIRE(scen_at != std::string::npos);
    const std::string models = presets.out.substr(0, scen_at), scenarios = presets.out.substr(scen_at);
    std::size_t multimodal = 0;
    for (const auto& line : lines_of(models))
        if (line.find("\"display\"") != std::string::npos && line.find("\"multimodal\"") != std::string::npos) ++multimodal;
    const CliResult gpus = run_cli({"gpus", "--format", "json"});
    const CliResult plugins = run_cli({"plugins", "--format", "json"});
    BOOST_REQUIRE(gpus.rc == 0 && plugins.rc == 0);
    const std::map<std::string, std::size_t> tool = {
        {"model presets", count_of(models, "\"display\"")},
        {"multimodal", multimodal},
        {"scenario presets", count_of(scenarios, "\"path\"")},
        {"boards built in", count_of(gpus.out, "\"catalog\": \"core.gpus.builtin\"")},
        {"plugins", count_of(plugins.out, "\"version\": ")},
    };
    const std::regex stated("([0-9][0-9,]*) (model presets|multimodal|scenario presets|boards built in|boards|GPUs|"
                            "plugins|families|model families|architectures)\\b");
    std::size_t checked = 0;
    for (std::sregex_iterator it(readme.begin(), readme.end(), stated), end; it != end; ++it) {
        std::string digits = (*it)[1];
        digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
        const std::string what = (*it)[2];
        const auto known = tool.find(what);
        BOOST_TEST_REQUIRE((known != tool.end()), "README states \"" << it->str() << "\": teach this test to count it");
        BOOST_TEST(std::stoul(digits) == known->second, "README: \"" << it->str() << "\", the tool: " << known->second);
        ++checked;
    }
    BOOST_TEST(checked >= 3u);
    BOOST_TEST(tool.at("model presets") > 0u);
    BOOST_TEST(tool.at("boards built in") > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
