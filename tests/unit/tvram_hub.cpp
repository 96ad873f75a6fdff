// tvram_hub.cpp - issue 12: models from a hub-style HTTP server on 127.0.0.1, then from the cache.
// Issue 17: hub ids and URLs, an existing huggingface_hub cache read offline, `vram search`.
// SPDX-License-Identifier: Apache-2.0
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "hub/hub.hpp"
#include "hub_fixture.hpp"
#include "test_support.hpp"

using namespace vram::test;
namespace fs = std::filesystem;

namespace {

// The tiny Llama of hub_fixture.hpp: 106,816 parameters, 213,632 bytes in BF16.
const char* kConfig = kTinyLlamaConfig;

void write_safetensors(const fs::path& path) { vram::test::write_safetensors(path, tiny_llama_tensors()); }

fs::path make_hub_root() {
    const fs::path root = fs::temp_directory_path() / ("vram-hub-" + std::to_string(::getpid()));
    fs::remove_all(root);
    const fs::path tiny = root / "acme" / "tiny-llama" / "resolve" / "main";
    fs::create_directories(tiny);
    std::ofstream(tiny / "config.json") << kConfig;
    write_safetensors(tiny / "model.safetensors");
    // ModelScope's default branch is master (issue 17): the same files under that name.
    fs::create_directories(root / "acme" / "tiny-llama" / "resolve" / "master");
    fs::copy(tiny, root / "acme" / "tiny-llama" / "resolve" / "master", fs::copy_options::recursive);
    const fs::path gated = root / "acme" / "gated" / "resolve" / "main";
    fs::create_directories(gated);
    std::ofstream(root / "acme" / "gated" / "GATED") << "";
    std::ofstream(gated / "config.json") << kConfig;
    return root;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hub)

BOOST_AUTO_TEST_CASE(issue12_fetch_then_same_answer_offline_from_cache) {
    const fs::path root = make_hub_root();
    const std::string home = (root / "hf-home").string();
    HubServer server(root);
    const std::map<std::string, std::string> online{{"HF_ENDPOINT", server.endpoint()}, {"HF_HOME", home}};

    const CliResult first = run_cli({"inspect", "hf:acme/tiny-llama", "--format", "json"}, online);
    BOOST_REQUIRE_MESSAGE(first.rc == 0, first.err);
    BOOST_TEST(first.out.find("\"parameters\": 106816") != std::string::npos);
    BOOST_TEST(first.out.find("checkpoint: 213632 tensor bytes") != std::string::npos);
    BOOST_TEST(fs::exists(root / "hf-home" / "hub" / "models--acme--tiny-llama" / "snapshots" / "main" / "config.json"));

    // A scenario with model.hub: weights come from the headers (213,632 B) and --explain says so.
    const std::string scenario = write_scenario("model: {hub: acme/tiny-llama}\nworkload: {batch_size: 1, sequence_length: 16}\n");
    const CliResult run = run_cli({"run", scenario, "--format", "json", "--explain"}, online);
    BOOST_REQUIRE_MESSAGE(run.rc == 0, run.err);
    BOOST_TEST(run.out.find("\"bytes\": 213632") != std::string::npos);
    BOOST_TEST(run.out.find("real tensor sizes from the safetensors headers") != std::string::npos);

    server.stop();
    std::map<std::string, std::string> offline = online;
    offline["HF_HUB_OFFLINE"] = "1";
    const CliResult again = run_cli({"inspect", "hf:acme/tiny-llama", "--format", "json"}, offline);
    BOOST_REQUIRE_MESSAGE(again.rc == 0, again.err);
    BOOST_TEST(again.out == first.out);

    // Not cached and offline: one line naming the cache.
    const CliResult not_cached = run_cli({"inspect", "hf:acme/other"}, offline);
    BOOST_TEST(not_cached.rc == 1);
    BOOST_TEST(not_cached.out.empty());
    BOOST_TEST(not_cached.err.find("offline") != std::string::npos);
    BOOST_TEST(std::count(not_cached.err.begin(), not_cached.err.end(), '\n') == 1);
    fs::remove_all(root);
}

BOOST_AUTO_TEST_CASE(issue12_missing_repository_and_gated_repository_are_one_line_errors) {
    const fs::path root = make_hub_root();
    HubServer server(root);
    const std::map<std::string, std::string> env{{"HF_ENDPOINT", server.endpoint()},
                                                 {"HF_HOME", (root / "hf-home").string()}};
    const CliResult missing = run_cli({"inspect", "hf:acme/does-not-exist"}, env);
    BOOST_TEST(missing.rc == 1);
    BOOST_TEST(missing.out.empty());
    BOOST_TEST(std::count(missing.err.begin(), missing.err.end(), '\n') == 1);
    BOOST_TEST(missing.err.find("acme/does-not-exist") != std::string::npos);
    BOOST_TEST(missing.err.find("404") != std::string::npos);

    const CliResult gated = run_cli({"inspect", "hf:acme/gated"}, env);
    BOOST_TEST(gated.rc == 1);
    BOOST_TEST(gated.err.find("HF_TOKEN") != std::string::npos);
    auto with_token = env;
    with_token["HF_TOKEN"] = "test-token";
    const CliResult ok = run_cli({"inspect", "hf:acme/gated", "--format", "json"}, with_token);
    BOOST_TEST_MESSAGE(ok.err);
    BOOST_TEST(ok.rc == 0);
    BOOST_TEST(ok.out.find("\"parameters\": 106816") != std::string::npos);

    // ModelScope ids use the same layout through MODELSCOPE_ENDPOINT.
    const CliResult ms = run_cli({"inspect", "ms:acme/tiny-llama", "--format", "json"},
                                 {{"MODELSCOPE_ENDPOINT", server.endpoint()}, {"MODELSCOPE_CACHE", (root / "ms").string()}});
    BOOST_REQUIRE_MESSAGE(ms.rc == 0, ms.err);
    BOOST_TEST(ms.out.find("\"parameters\": 106816") != std::string::npos);

    // Nothing listens here: the error says how to go offline.
    server.stop();
    const CliResult down = run_cli({"inspect", "hf:acme/tiny-llama"}, {{"HF_ENDPOINT", "http://127.0.0.1:1"},
                                                                      {"HF_HOME", (root / "empty").string()}});
    BOOST_TEST(down.rc == 1);
    BOOST_TEST(down.err.find("HF_HUB_OFFLINE=1") != std::string::npos);
    fs::remove_all(root);
}

// ---------------------------------------------------------------------------------------------
// Issue 17: hub conventions.

namespace {

struct Ref {
    std::string hub, repo, revision;
    bool given;
};

Ref parsed(const std::string& text) {
    auto r = vram::parse_hub_reference(text);
    BOOST_REQUIRE_MESSAGE(r, "not read as a hub reference: " + text);
    return {r->hub, r->repo, r->revision, r->revision_given};
}

void check(const std::string& text, const std::string& hub, const std::string& repo, const std::string& revision,
           bool given) {
    BOOST_TEST_CONTEXT(text) {
        const Ref r = parsed(text);
        BOOST_TEST(r.hub == hub);
        BOOST_TEST(r.repo == repo);
        BOOST_TEST(r.revision == revision);
        BOOST_TEST(r.given == given);
    }
}

std::string error_of(const std::string& text) {
    try {
        (void)vram::parse_hub_reference(text);
    } catch (const vram::ScenarioError& e) {
        return e.what();
    }
    BOOST_ERROR("no error for " + text);
    return "";
}

constexpr const char* kCommit = "8cca527612d856d7d32bd94f8103728d614eb852";

/// A cache as huggingface_hub writes it: refs/main holds the commit, snapshots/COMMIT/config.json is
/// a relative symlink to blobs/<git sha of the file>.
fs::path make_hf_cache(const fs::path& hub_cache) {
    const fs::path repo = hub_cache / "models--meta-llama--Llama-2-7b-hf";
    fs::remove_all(repo);
    fs::create_directories(repo / "blobs");
    fs::create_directories(repo / "refs");
    fs::create_directories(repo / "snapshots" / kCommit);
    const std::string blob = "cd6c07a2b4b1d1e5bd0d1c1b4b1b5c4e0a7b0e1f";
    fs::copy_file(data_path("configs/meta-llama-llama-2-7b-hf.json"), repo / "blobs" / blob);
    std::ofstream(repo / "refs" / "main") << kCommit;  // no newline, as huggingface_hub writes it
    fs::create_symlink(fs::path("..") / ".." / "blobs" / blob, repo / "snapshots" / kCommit / "config.json");
    return repo;
}

boost::json::array json_rows(const std::string& text) {
    boost::json::value v = boost::json::parse(text);
    BOOST_REQUIRE(v.is_array());
    return v.as_array();
}

}  // namespace

BOOST_AUTO_TEST_CASE(issue17_hub_ids_prefixes_and_urls_read_by_one_parser) {
    check("meta-llama/Llama-2-7b-hf", "hf", "meta-llama/Llama-2-7b-hf", "main", false);
    check("meta-llama/Llama-2-7b-hf@v1.0", "hf", "meta-llama/Llama-2-7b-hf", "v1.0", true);
    check("hf:meta-llama/Llama-2-7b-hf", "hf", "meta-llama/Llama-2-7b-hf", "main", false);
    check("HF:org/name@refs/pr/1", "hf", "org/name", "refs/pr/1", true);
    check("ms:qwen/Qwen2-7B", "ms", "qwen/Qwen2-7B", "master", false);
    check("ms:qwen/Qwen2-7B@v1.0.0", "ms", "qwen/Qwen2-7B", "v1.0.0", true);
    // Hugging Face URLs, with and without scheme, www, the short host and trailing slashes.
    check("https://huggingface.co/org/name", "hf", "org/name", "main", false);
    check("http://huggingface.co/org/name/", "hf", "org/name", "main", false);
    check("huggingface.co/org/name", "hf", "org/name", "main", false);
    check("https://www.huggingface.co/org/name", "hf", "org/name", "main", false);
    check("hf.co/org/name", "hf", "org/name", "main", false);
    check("https://hf.co/org/name//", "hf", "org/name", "main", false);
    check("https://huggingface.co/org/name/tree/dev", "hf", "org/name", "dev", true);
    check("https://huggingface.co/org/name/tree/refs%2Fpr%2F3/", "hf", "org/name", "refs/pr/3", true);
    check("https://hf.co/org/name/tree/main/subfolder", "hf", "org/name", "main", true);
    check("https://huggingface.co/org/name/blob/v2/config.json", "hf", "org/name", "v2", true);
    check(std::string("https://huggingface.co/org/name/resolve/") + kCommit + "/config.json", "hf", "org/name", kCommit, true);
    check("https://huggingface.co/org/name?library=transformers#model-card", "hf", "org/name", "main", false);
    // ModelScope URLs: model pages live under /models/; /files and /summary are tabs of the page.
    check("https://modelscope.cn/models/qwen/Qwen2-7B", "ms", "qwen/Qwen2-7B", "master", false);
    check("modelscope.cn/models/qwen/Qwen2-7B/", "ms", "qwen/Qwen2-7B", "master", false);
    check("https://www.modelscope.cn/models/qwen/Qwen2-7B/files", "ms", "qwen/Qwen2-7B", "master", false);
    check("https://modelscope.cn/models/qwen/Qwen2-7B/summary", "ms", "qwen/Qwen2-7B", "master", false);
    check("https://modelscope.cn/models/qwen/Qwen2-7B/files?revision=v1.0.1", "ms", "qwen/Qwen2-7B", "v1.0.1", true);
    check("https://www.modelscope.cn/models/Qwen/Qwen3-8B/file/view/master/config.json?status=1", "ms", "Qwen/Qwen3-8B",
          "master", true);
    check("https://www.modelscope.cn/qwen/Qwen2-7B.git", "ms", "qwen/Qwen2-7B", "master", false);

    // Not hub references at all: preset names and paths go on to their own lookups.
    for (const char* text : {"llama-3.1-8b", "./org/name", "/abs/org/name", "configs/x.json", "a/b/c", "~/org/name", ""})
        BOOST_TEST(!vram::parse_hub_reference(text).has_value(), text);

    // Malformed URLs and prefixed ids: one line that says what is wrong and what is allowed.
    const std::vector<std::pair<std::string, std::string>> bad{
        {"https://example.com/org/name", "host 'example.com'"},
        {"https://github.com/org/name", "host 'github.com'"},
        {"https://huggingface.co/org", "names no model"},
        {"https://huggingface.co/", "names no model"},
        {"hf.co/org/", "names no model"},
        {"https://huggingface.co/datasets/org/name", "dataset"},
        {"https://huggingface.co/spaces/org/name", "Space"},
        {"https://huggingface.co/org/name/discussions", "'/discussions'"},
        {"https://huggingface.co/org/name/tree", "names no revision"},
        {"https://modelscope.cn/org/name", "modelscope.cn/models/"},
        {"https://modelscope.cn/models/qwen", "names no model"},
        {"https://huggingface.co/org/na me", "invalid org/name"},
        {"hf:org", "not a valid Hugging Face id"},
        {"ms:", "not a valid ModelScope id"},
        {"hf:org/name@../../etc", "not a valid Hugging Face id"},
    };
    for (const auto& [text, what] : bad) {
        const std::string e = error_of(text);
        BOOST_TEST_CONTEXT(text) {
            BOOST_TEST(e.find(what) != std::string::npos, e);
            BOOST_TEST(e.find("allowed: org/name, hf:org/name, ms:org/name") != std::string::npos, e);
            BOOST_TEST(e.find('\n') == std::string::npos);
        }
    }
    std::string hub, repo, revision;
    BOOST_TEST(!vram::parse_hub_id("https://example.com/org/name", hub, repo, revision));
    BOOST_TEST(vram::parse_hub_id("hf.co/org/name/tree/v1", hub, repo, revision));
    BOOST_TEST(revision == "v1");

    // On the command line: one line on stderr, exit 1, nothing on stdout.
    const CliResult r = run_cli({"inspect", "https://example.com/org/name"}, {{"HF_HUB_OFFLINE", "1"}});
    BOOST_TEST(r.rc == 1);
    BOOST_TEST(r.out.empty());
    BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    BOOST_TEST(r.err.find("allowed:") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(issue17_offline_hf_cache_gives_exact_count) {
    const fs::path root = fs::temp_directory_path() / ("vram-hfcache-" + std::to_string(::getpid()));
    fs::remove_all(root);
    make_hf_cache(root / "hub");
    // Offline, nothing listening at the endpoint: only the cache can answer.
    const std::map<std::string, std::string> env{{"HF_HUB_CACHE", (root / "hub").string()},
                                                 {"HF_HOME", (root / "unused-home").string()},
                                                 {"HF_HUB_OFFLINE", "1"},
                                                 {"HF_ENDPOINT", "http://127.0.0.1:1"}};
    for (const std::string& arg : std::vector<std::string>{"meta-llama/Llama-2-7b-hf", "hf:meta-llama/Llama-2-7b-hf",
                                  "https://huggingface.co/meta-llama/Llama-2-7b-hf", "hf.co/meta-llama/Llama-2-7b-hf",
                                  "huggingface.co/meta-llama/Llama-2-7b-hf/", "https://hf.co/meta-llama/Llama-2-7b-hf/tree/main",
                                  std::string("hf:meta-llama/Llama-2-7b-hf@") + kCommit}) {
        BOOST_TEST_CONTEXT(arg) {
            const CliResult r = run_cli({"inspect", arg, "--format", "json"}, env);
            BOOST_REQUIRE_MESSAGE(r.rc == 0, r.err);
            BOOST_TEST(r.out.find("\"parameters\": 6738415616") != std::string::npos);
            BOOST_TEST(r.out.find(kCommit) != std::string::npos);  // the source names the snapshot read
        }
    }
    // HF_HOME/hub when HF_HUB_CACHE is unset, as huggingface_hub resolves it.
    const CliResult home = run_cli({"inspect", "hf.co/meta-llama/Llama-2-7b-hf", "--format", "json"},
                                   {{"HF_HUB_CACHE", ""}, {"HF_HOME", root.string()}, {"HF_HUB_OFFLINE", "1"}});
    BOOST_REQUIRE_MESSAGE(home.rc == 0, home.err);
    BOOST_TEST(home.out.find("\"parameters\": 6738415616") != std::string::npos);
    // A scenario's model.hub takes the URL forms too.
    const std::string scenario = write_scenario(
        "model: {hub: 'https://huggingface.co/meta-llama/Llama-2-7b-hf'}\nworkload: {batch_size: 1, sequence_length: 16}\n");
    const CliResult run = run_cli({"run", scenario, "--format", "json"}, env);
    BOOST_REQUIRE_MESSAGE(run.rc == 0, run.err);
    BOOST_TEST(run.out.find("\"parameters\": 6738415616") != std::string::npos);
    // A revision the cache does not have: one line naming the cache.
    const CliResult missing = run_cli({"inspect", "hf:meta-llama/Llama-2-7b-hf@dev"}, env);
    BOOST_TEST(missing.rc == 1);
    BOOST_TEST(missing.err.find("offline") != std::string::npos);
    BOOST_TEST(std::count(missing.err.begin(), missing.err.end(), '\n') == 1);
    fs::remove_all(root);
}

BOOST_AUTO_TEST_CASE(issue17_fetch_writes_refs_and_commit_snapshot_as_huggingface_hub_does) {
    const fs::path root = make_hub_root();
    std::ofstream(root / "acme" / "tiny-llama" / "COMMIT") << kCommit;
    HubServer server(root);
    const fs::path cache = root / "hf-cache";
    const std::map<std::string, std::string> online{{"HF_ENDPOINT", server.endpoint()}, {"HF_HUB_CACHE", cache.string()}};
    const CliResult first = run_cli({"inspect", "https://huggingface.co/acme/tiny-llama", "--format", "json"}, online);
    BOOST_REQUIRE_MESSAGE(first.rc == 0, first.err);
    BOOST_TEST(first.out.find("\"parameters\": 106816") != std::string::npos);
    BOOST_TEST(first.out.find("checkpoint: 213632 tensor bytes") != std::string::npos);
    const fs::path repo = cache / "models--acme--tiny-llama";
    std::ifstream ref(repo / "refs" / "main");
    std::string commit;
    ref >> commit;
    BOOST_TEST(commit == kCommit);
    BOOST_TEST(fs::exists(repo / "snapshots" / kCommit / "config.json"));
    BOOST_TEST(!fs::exists(repo / "snapshots" / "main"));
    // Only repository files in the snapshot; a file the hub lacks is remembered in .no_exist.
    BOOST_TEST(fs::exists(repo / ".no_exist" / kCommit / "model.safetensors.index.json"));
    for (const auto& e : fs::directory_iterator(repo / "snapshots" / kCommit))
        BOOST_TEST((e.path().filename() == "config.json"), e.path().string());

    server.stop();
    auto offline = online;
    offline["HF_HUB_OFFLINE"] = "1";
    const CliResult again = run_cli({"inspect", "hf:acme/tiny-llama", "--format", "json"}, offline);
    BOOST_REQUIRE_MESSAGE(again.rc == 0, again.err);
    BOOST_TEST(again.out == first.out);
    fs::remove_all(root);
}

BOOST_AUTO_TEST_CASE(issue17_modelscope_default_revision_is_master) {
    const fs::path root = make_hub_root();
    HubServer server(root);
    const fs::path cache = root / "ms-cache";
    const CliResult ms = run_cli({"inspect", "https://modelscope.cn/models/acme/tiny-llama/files", "--format", "json"},
                                 {{"MODELSCOPE_ENDPOINT", server.endpoint()}, {"MODELSCOPE_CACHE", cache.string()}});
    BOOST_REQUIRE_MESSAGE(ms.rc == 0, ms.err);
    BOOST_TEST(ms.out.find("\"parameters\": 106816") != std::string::npos);
    BOOST_TEST(ms.out.find("ms:acme/tiny-llama@master") != std::string::npos);
    BOOST_TEST(fs::exists(cache / "models--acme--tiny-llama" / "snapshots" / "master" / "config.json"));
    fs::remove_all(root);
}

BOOST_AUTO_TEST_CASE(issue17_search_against_local_server_documented_format) {
    const fs::path root = make_hub_root();
    fs::create_directories(root / "api");
    // The shapes of the real answers (docs/hub.md): huggingface.co/api/models with expand=config,
    // and ModelScope's /api/v1/dolphin/models.
    std::ofstream(root / "api" / "models.json") << R"([
      {"_id": "1", "id": "acme/tiny-llama", "downloads": 1234, "likes": 5, "pipeline_tag": "text-generation",
       "config": {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}},
      {"_id": "2", "id": "acme/tiny-mystery", "downloads": 10, "likes": 0, "pipeline_tag": "text-generation",
       "config": {"model_type": "no-such-family"}},
      {"_id": "3", "id": "acme/tiny-adapter", "downloads": 7, "likes": 1},
      {"_id": "4", "id": "other/unrelated", "downloads": 99999, "likes": 9, "config": {"model_type": "llama"}}])";
    std::ofstream(root / "api" / "modelscope.json") << R"([
      {"Path": "acme", "Name": "tiny-llama", "ChineseName": "", "Downloads": 99, "Stars": 3, "CreatedTime": 1700000000},
      {"Path": "other", "Name": "unrelated", "Downloads": 1, "Stars": 0}])";
    HubServer server(root);
    const std::map<std::string, std::string> env{{"HF_ENDPOINT", server.endpoint()},
                                                 {"MODELSCOPE_ENDPOINT", server.endpoint()}};

    const CliResult json = run_cli({"search", "tiny", "--format", "json"}, env);
    BOOST_REQUIRE_MESSAGE(json.rc == 0, json.err);
    const boost::json::array rows = json_rows(json.out);
    BOOST_REQUIRE(rows.size() == 4u);
    const std::vector<std::string> fields{"hub", "id", "model", "model_type", "estimable", "downloads", "likes", "pipeline_tag"};
    for (const auto& row : rows) {
        BOOST_REQUIRE(row.is_object());
        BOOST_TEST(row.as_object().size() == fields.size());
        for (const auto& f : fields) BOOST_TEST(row.as_object().contains(f), f);
    }
    const auto& llama = rows[0].as_object();
    BOOST_TEST(llama.at("hub").as_string() == "hf");
    BOOST_TEST(llama.at("id").as_string() == "acme/tiny-llama");
    BOOST_TEST(llama.at("model").as_string() == "hf:acme/tiny-llama");
    BOOST_TEST(llama.at("model_type").as_string() == "llama");
    BOOST_TEST(llama.at("estimable").as_bool() == true);
    BOOST_TEST(llama.at("downloads").as_int64() == 1234);
    BOOST_TEST(llama.at("likes").as_int64() == 5);
    BOOST_TEST(llama.at("pipeline_tag").as_string() == "text-generation");
    const auto& mystery = rows[1].as_object();
    BOOST_TEST(mystery.at("estimable").as_bool() == false);
    BOOST_TEST(mystery.at("model_type").as_string() == "no-such-family");
    const auto& adapter = rows[2].as_object();
    BOOST_TEST(adapter.at("model_type").is_null());
    BOOST_TEST(adapter.at("estimable").is_null());
    BOOST_TEST(adapter.at("pipeline_tag").is_null());
    const auto& ms = rows[3].as_object();
    BOOST_TEST(ms.at("hub").as_string() == "ms");
    BOOST_TEST(ms.at("model").as_string() == "ms:acme/tiny-llama");
    BOOST_TEST(ms.at("downloads").as_int64() == 99);
    BOOST_TEST(ms.at("likes").as_int64() == 3);
    BOOST_TEST(ms.at("estimable").is_null());

    // What was asked: the Hub's listing with expand=config, ModelScope's PUT with the name.
    std::ifstream log(root / "api" / "requests.log");
    const std::string requests((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    BOOST_TEST(requests.find("GET /api/models?search=tiny&limit=20") != std::string::npos, requests);
    BOOST_TEST(requests.find("expand=config") != std::string::npos, requests);
    BOOST_TEST(requests.find("PUT /api/v1/dolphin/models {\"Name\": \"tiny\"") != std::string::npos, requests);
    BOOST_TEST(requests.find("\"PageSize\": 20") != std::string::npos, requests);

    const CliResult table = run_cli({"search", "tiny", "--format", "table"}, env);
    BOOST_REQUIRE_MESSAGE(table.rc == 0, table.err);
    BOOST_TEST(table.out.rfind("MODEL ", 0) == 0, table.out);
    for (const char* text : {"MODEL_TYPE", "VRAM", "DOWNLOADS", "hf:acme/tiny-llama", "ms:acme/tiny-llama", "llama", "yes",
                             "no-such-family", "1234", "text-generation"})
        BOOST_TEST(table.out.find(text) != std::string::npos, text);

    const CliResult csv = run_cli({"search", "tiny", "--hub", "hf", "--limit", "1", "--format", "csv"}, env);
    BOOST_REQUIRE_MESSAGE(csv.rc == 0, csv.err);
    BOOST_TEST(csv.out == "hub,id,model,model_type,estimable,downloads,likes,pipeline_tag\n"
                          "hf,acme/tiny-llama,hf:acme/tiny-llama,llama,true,1234,5,text-generation\n");
    const CliResult md = run_cli({"search", "tiny", "--hub", "ms", "--format", "markdown"}, env);
    BOOST_REQUIRE_MESSAGE(md.rc == 0, md.err);
    BOOST_TEST(md.out.find("| ms:acme/tiny-llama | ? | ? | 99 | 3 |") != std::string::npos, md.out);

    // One hub down: the other's results, and a warning line.
    auto half = env;
    half["MODELSCOPE_ENDPOINT"] = "http://127.0.0.1:1";
    const CliResult partial = run_cli({"search", "tiny", "--format", "json"}, half);
    BOOST_REQUIRE_MESSAGE(partial.rc == 0, partial.err);
    BOOST_TEST(json_rows(partial.out).size() == 3u);
    BOOST_TEST(partial.err.find("warning") != std::string::npos);

    // Errors: offline, bad options, no query. One line each, nothing on stdout.
    auto offline = env;
    offline["HF_HUB_OFFLINE"] = "1";
    const std::vector<std::pair<std::vector<std::string>, int>> errors{
        {{"search", "tiny", "--hub", "hf"}, 1},
        {{"search", "tiny", "--hub", "xx"}, 2},
        {{"search", "tiny", "--limit", "0"}, 2},
        {{"search"}, 2},
    };
    for (const auto& [args, rc] : errors) {
        const CliResult r = run_cli(args, offline);
        BOOST_TEST(r.rc == rc, r.err);
        BOOST_TEST(r.out.empty());
        BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1, r.err);
    }
    fs::remove_all(root);
}

BOOST_AUTO_TEST_SUITE_END()
