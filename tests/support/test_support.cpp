// test_support.cpp - helpers shared by the suites.
// SPDX-License-Identifier: Apache-2.0
#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <sys/wait.h>

#include "model/family_file.hpp"
#include "model/model_loader.hpp"
#include "scenario/scenario_loader.hpp"

namespace fs = std::filesystem;

namespace vram::test {
namespace {

struct Loaded {
    Registry registry;
    PluginLoader loader{registry};
    Loaded() {
        loader.load_directory(VRAM_TEST_PLUGIN_DIR, false);
        load_family_directory(registry, family_directory(VRAM_TEST_PRESET_DIR));  // shipped family files
    }
};

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

fs::path temp_dir() {
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("vram-tests-" + std::to_string(::getpid()));
        // A folder of that name is left from an earlier process that had this PID; its
        // configs link may point into a checkout that is gone, so start from an empty one.
        std::error_code ec;
        fs::remove_all(d, ec);
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

}  // namespace

const Registry& core_registry() {
    static Loaded* loaded = new Loaded();  // never destroyed: objects may outlive static teardown
    return loaded->registry;
}

std::string preset_dir() { return VRAM_TEST_PRESET_DIR; }
std::string data_path(const std::string& relative) { return std::string(VRAM_TEST_DATA_DIR) + "/" + relative; }
std::string shared_path(const std::string& relative) { return std::string(VRAM_TEST_SHARED_DIR) + "/" + relative; }
std::string source_path(const std::string& relative) { return std::string(VRAM_TEST_SOURCE_DIR) + "/" + relative; }

CliResult run_cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                  const std::string& cwd) {
    static int counter = 0;
    const fs::path base = temp_dir() / ("cli" + std::to_string(counter++));
    std::string cmd = "cd " + quote(cwd.empty() ? std::string(VRAM_TEST_SOURCE_DIR) : cwd) + " && env";
    for (const auto& [k, v] : env) cmd += " " + k + "=" + quote(v);
    cmd += " " + quote(VRAM_TEST_BINARY);
    for (const auto& a : args) cmd += " " + quote(a);
    cmd += " > " + quote(base.string() + ".out") + " 2> " + quote(base.string() + ".err") + " < /dev/null";
    const int status = std::system(cmd.c_str());
    CliResult r;
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(base.string() + ".out");
    r.err = slurp(base.string() + ".err");
    return r;
}

std::string write_scenario(const std::string& yaml, const std::string& name) {
    static int counter = 0;
    // Written beside tests/data so `config: configs/x.json` resolves like a real scenario.
    const fs::path dir = temp_dir() / "scenarios";
    fs::create_directories(dir);
    const fs::path path = dir / (name + std::to_string(counter++) + ".yaml");
    std::ofstream(path) << yaml;
    // A temp folder of an earlier run (another checkout's, whose PID this run reuses) may hold a
    // link to that checkout's configs, or a dangling one (creating it again then fails): the link
    // must point at this checkout's tests/data/configs.
    std::error_code ec;
    if (fs::read_symlink(dir / "configs", ec) != fs::path(data_path("configs"))) {
        fs::remove(dir / "configs", ec);
        fs::create_directory_symlink(data_path("configs"), dir / "configs");
    }
    return path.string();
}

double Result::total_gib() const { return static_cast<double>(estimate.total_bytes) / kGiB; }

Bytes Result::bytes(const std::string& id) const {
    const auto& terms = estimate.ranks[estimate.most_loaded].terms;
    for (const auto& t : terms)
        if (t.id == id) return t.bytes;
    // An unknown id is a failure, not 0: a renamed or vanished component must not pass as "absent"
    // (absence is checked with has()).
    std::string present;
    for (const auto& t : terms) present += (present.empty() ? "" : ", ") + t.id;
    BOOST_FAIL("no component \"" << id << "\" on the most loaded rank; present: " << present);
    return 0;
}

bool Result::has(const std::string& id) const {
    for (const auto& t : estimate.ranks[estimate.most_loaded].terms)
        if (t.id == id) return true;
    // `!r.has(id)` must not pass because the id is misspelt or was renamed: an absent id has to be
    // one a loaded plugin registers (scenario-defined components are always present when declared).
    if (!core_registry().components.find(id))
        BOOST_FAIL("has(\"" << id << "\"): no loaded plugin registers a component with this id");
    return false;
}

Bytes Result::category(Category c) const {
    Bytes sum = 0;
    for (const auto& t : estimate.ranks[estimate.most_loaded].terms)
        if (t.category == c) sum += t.bytes;
    return sum;
}

CliResult run_scenario(const std::string& yaml, const std::string& name) {
    return run_cli({"run", write_scenario(yaml, name)});
}

Result estimate_yaml(const std::string& yaml, const std::vector<std::string>& overrides) {
    const std::string path = write_scenario(yaml);
    Scenario s = load_scenario(path, overrides);
    Estimator est(core_registry(), std::move(s), preset_dir());
    return Result{est.estimate()};
}

ModelSpec load_model(const std::string& argument) {
    const std::string json = data_path("configs/" + argument + ".json");
    if (fs::exists(json)) return load_model_argument(core_registry(), json, preset_dir());
    return load_model_argument(core_registry(), argument, preset_dir());
}

}  // namespace vram::test
