// hub_loader.cpp - the framework's side of the hub: hub ids, settings from the environment, and
// fetch_hub_model(), which loads libvram_hub.so (libcurl) on first use. Keeping libcurl out of
// libvram_framework.so saves every other start the cost of mapping it and its ~40 dependencies.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "hub/hub_api.hpp"
#include "vram/error.hpp"
#include "vram/version.hpp"

namespace dll = boost::dll;
namespace fs = std::filesystem;

namespace vram {
namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

bool env_true(const char* name) {
    std::string v = env(name);
    std::transform(v.begin(), v.end(), v.begin(), ::tolower);
    return v == "1" || v == "true" || v == "yes" || v == "on";
}

std::string home() {
    const std::string h = env("HOME");
    return h.empty() ? "/root" : h;
}

constexpr const char* kHubLibrary = "libvram_hub.so";

/// Where libvram_hub.so may be: next to libvram_framework.so (the build tree and the install
/// tree both put them in lib/), then the install layout relative to the executable
/// (bin/../lib), for a framework that was copied or linked statically elsewhere.
std::vector<fs::path> hub_library_candidates() {
    std::vector<fs::path> paths;
    std::error_code ec;
    const fs::path own = dll::this_line_location(ec).parent_path() / kHubLibrary;
    if (!ec) paths.push_back(own.lexically_normal());
    const fs::path exe = dll::program_location(ec);
    if (!ec) {
        const fs::path installed = (exe.parent_path() / ".." / VRAM_INSTALL_LIBDIR / kHubLibrary).lexically_normal();
        if (std::find(paths.begin(), paths.end(), installed) == paths.end()) paths.push_back(installed);
    }
    return paths;
}

[[noreturn]] void unavailable(const std::string& reason) {
    throw ScenarioError("", "hub support is unavailable: " + reason + "; reinstall vram with its " + kHubLibrary);
}

/// Loaded once and never unloaded (as plugins are): a HubModel's strings may not outlive the code
/// that made them otherwise. A failure is remembered and reported again on every later call.
struct HubLibrary {
    dll::shared_library library;
    const vram_hub_api* api = nullptr;
    std::string error;
};

HubLibrary load_hub_library() {
    HubLibrary h;
    const auto candidates = hub_library_candidates();
    std::error_code ec;
    auto found = std::find_if(candidates.begin(), candidates.end(), [&](const fs::path& p) { return fs::exists(p, ec); });
    if (found == candidates.end()) {
        h.error = "no " + std::string(kHubLibrary) + " in ";
        for (std::size_t i = 0; i < candidates.size(); ++i)
            h.error += (i ? " or " : "") + candidates[i].parent_path().string();
        return h;
    }
    const std::string path = found->string();
    try {
        // rtld_now: a library with a missing dependency (libcurl) fails here, with dlerror's text,
        // not later in the middle of a download.
        h.library = dll::shared_library(path, dll::load_mode::rtld_now);
        if (!h.library.has(VRAM_HUB_ENTRY_POINT)) {
            h.error = path + " does not export " + std::string(VRAM_HUB_ENTRY_POINT);
            return h;
        }
        const vram_hub_api* api = h.library.get<const vram_hub_api*()>(VRAM_HUB_ENTRY_POINT)();
        if (!api || api->api_version != VRAM_HUB_API_VERSION)
            h.error = path + " has hub API version " + (api ? std::to_string(api->api_version) : std::string("none")) +
                      ", this framework needs " + std::to_string(VRAM_HUB_API_VERSION);
        else if (!api->vram_version || std::string(api->vram_version) != VRAM_VERSION_STRING ||
                 api->settings_size != sizeof(HubSettings) || api->model_size != sizeof(HubModel) || !api->fetch)
            h.error = path + " was built for vram " + (api->vram_version ? api->vram_version : "?") +
                      ", not this framework (" VRAM_VERSION_STRING ")";
        else
            h.api = api;
    } catch (const std::exception& e) {
        h.error = "cannot load " + path + " (" + e.what() + ")";
    }
    return h;
}

const vram_hub_api& hub_api() {
    static const HubLibrary library = load_hub_library();  // thread-safe, once per process
    if (!library.api) unavailable(library.error);
    return *library.api;
}

}  // namespace

HubSettings HubSettings::from_environment(const std::string& hub) {
    HubSettings s;
    s.hub = hub;
    if (hub == "ms") {
        s.endpoint = env("MODELSCOPE_ENDPOINT");
        if (s.endpoint.empty()) s.endpoint = env("MODELSCOPE_DOMAIN");
        if (s.endpoint.empty()) s.endpoint = "https://modelscope.cn";
        if (s.endpoint.find("://") == std::string::npos) s.endpoint = "https://" + s.endpoint;
        s.token = env("MODELSCOPE_API_TOKEN");
        s.offline = env_true("MODELSCOPE_OFFLINE") || env_true("HF_HUB_OFFLINE");
        s.cache_dir = env("MODELSCOPE_CACHE");
        if (s.cache_dir.empty()) s.cache_dir = home() + "/.cache/modelscope/hub";
    } else {
        s.endpoint = env("HF_ENDPOINT");
        if (s.endpoint.empty()) s.endpoint = "https://huggingface.co";
        s.token = env("HF_TOKEN");
        if (s.token.empty()) s.token = env("HUGGING_FACE_HUB_TOKEN");
        s.offline = env_true("HF_HUB_OFFLINE");
        s.cache_dir = env("HF_HUB_CACHE");
        if (s.cache_dir.empty()) {
            const std::string hf_home = env("HF_HOME");
            s.cache_dir = (hf_home.empty() ? home() + "/.cache/huggingface" : hf_home) + "/hub";
        }
    }
    return s;
}

bool parse_hub_id(const std::string& text, std::string& hub, std::string& repo, std::string& revision) {
    std::string t = text;
    hub = "hf";
    if (t.rfind("hf:", 0) == 0) t.erase(0, 3);
    else if (t.rfind("ms:", 0) == 0) { hub = "ms"; t.erase(0, 3); }
    else if (t.find('/') == std::string::npos || t.find(".json") != std::string::npos || t[0] == '.' || t[0] == '/')
        return false;
    revision = "main";
    if (auto at = t.find('@'); at != std::string::npos) {
        revision = t.substr(at + 1);
        t.resize(at);
    }
    const auto slash = t.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == t.size() || t.find('/', slash + 1) != std::string::npos)
        return false;
    for (char c : t)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/')) return false;
    repo = t;
    return !revision.empty();
}

HubModel fetch_hub_model(const HubSettings& settings, const std::string& repo, const std::string& revision) {
    const vram_hub_api& api = hub_api();
    HubModel model;
    HubFailure failure;
    if (api.fetch(&settings, repo.c_str(), revision.c_str(), &model, &failure)) return model;
    if (failure.scenario_error) throw ScenarioError(failure.where, failure.detail);
    throw std::runtime_error(failure.detail);
}

}  // namespace vram
