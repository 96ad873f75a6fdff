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

/// "~/x" -> "$HOME/x", as huggingface_hub's os.path.expanduser does for its cache variables.
std::string expand_home(const std::string& path) {
    if (path == "~" || path.rfind("~/", 0) == 0) return home() + path.substr(1);
    return path;
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
                 api->settings_size != sizeof(HubSettings) || api->model_size != sizeof(HubModel) || !api->fetch ||
                 api->search_hit_size != sizeof(HubSearchHit) || !api->search)
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
        s.cache_dir = expand_home(env("MODELSCOPE_CACHE"));
        if (s.cache_dir.empty()) s.cache_dir = home() + "/.cache/modelscope/hub";
    } else {
        s.endpoint = env("HF_ENDPOINT");
        if (s.endpoint.empty()) s.endpoint = "https://huggingface.co";
        s.token = env("HF_TOKEN");
        if (s.token.empty()) s.token = env("HUGGING_FACE_HUB_TOKEN");
        // huggingface_hub's constants.py: TRANSFORMERS_OFFLINE counts too, and the cache is
        // HF_HUB_CACHE, else the legacy HUGGINGFACE_HUB_CACHE, else HF_HOME/hub, where HF_HOME
        // defaults to $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface.
        s.offline = env_true("HF_HUB_OFFLINE") || env_true("TRANSFORMERS_OFFLINE");
        s.cache_dir = expand_home(env("HF_HUB_CACHE"));
        if (s.cache_dir.empty()) s.cache_dir = expand_home(env("HUGGINGFACE_HUB_CACHE"));
        if (s.cache_dir.empty()) {
            std::string hf_home = expand_home(env("HF_HOME"));
            if (hf_home.empty()) {
                const std::string xdg = expand_home(env("XDG_CACHE_HOME"));
                hf_home = (xdg.empty() ? home() + "/.cache" : xdg) + "/huggingface";
            }
            s.cache_dir = hf_home + "/hub";
        }
    }
    return s;
}

std::string default_revision(const std::string& hub) { return hub == "ms" ? "master" : "main"; }

namespace {

constexpr const char* kAllowedForms =
    "allowed: org/name, hf:org/name, ms:org/name (each with @REVISION), https://huggingface.co/org/name, "
    "hf.co/org/name (with /tree/REVISION), https://modelscope.cn/models/org/name (with /files, /summary or "
    "?revision=REVISION)";

[[noreturn]] void bad_reference(const std::string& text, const std::string& why) {
    throw ScenarioError("", "'" + text + "' " + why + "; " + kAllowedForms);
}

bool valid_part(const std::string& p) {
    if (p.empty() || p == "." || p == "..") return false;
    return std::all_of(p.begin(), p.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
}

// Revisions become cache paths (refs/REV, snapshots/REV): branch, tag and commit names, "refs/pr/1"
// included, but nothing that climbs out of the cache.
bool valid_revision(const std::string& r) {
    if (r.empty() || r.front() == '/' || r.back() == '/' || r.find("..") != std::string::npos) return false;
    return std::none_of(r.begin(), r.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) || c == '\\' || c == '?' || c == '#' || c == '%';
    });
}

std::string url_decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += s[i] == '+' ? ' ' : s[i];
        }
    }
    return out;
}

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t slash = std::min(path.find('/', start), path.size());
        if (slash > start) parts.push_back(path.substr(start, slash - start));  // skips empty: trailing and double slashes
        start = slash + 1;
    }
    return parts;
}

/// "org/name[@rev]" after a prefix or as a bare id. Returns false when malformed.
bool parse_plain(std::string t, const std::string& hub, HubReference& ref) {
    ref.hub = hub;
    ref.revision = default_revision(hub);
    ref.revision_given = false;
    if (auto at = t.find('@'); at != std::string::npos) {
        ref.revision = t.substr(at + 1);
        ref.revision_given = true;
        t.resize(at);
        if (!valid_revision(ref.revision)) return false;
    }
    while (!t.empty() && t.back() == '/') t.pop_back();
    const auto slash = t.find('/');
    if (slash == std::string::npos || t.find('/', slash + 1) != std::string::npos) return false;
    if (!valid_part(t.substr(0, slash)) || !valid_part(t.substr(slash + 1))) return false;
    ref.repo = t;
    return true;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

HubReference parse_url(const std::string& text, std::string rest) {
    // rest: host[/path][?query][#fragment]
    if (auto hash = rest.find('#'); hash != std::string::npos) rest.resize(hash);
    std::string query;
    if (auto q = rest.find('?'); q != std::string::npos) {
        query = rest.substr(q + 1);
        rest.resize(q);
    }
    const auto slash = rest.find('/');
    const std::string host = lower(rest.substr(0, slash));
    const std::string path = slash == std::string::npos ? "" : rest.substr(slash);
    std::string hub;
    if (host == "huggingface.co" || host == "www.huggingface.co" || host == "hf.co") hub = "hf";
    else if (host == "modelscope.cn" || host == "www.modelscope.cn") hub = "ms";
    else bad_reference(text, "is not a model URL of a supported hub (host '" + host + "')");
    std::vector<std::string> parts = split_path(path);
    HubReference ref;
    ref.hub = hub;
    ref.revision = default_revision(hub);
    std::size_t first = 0;  // index of org
    if (hub == "hf") {
        if (!parts.empty() && (parts[0] == "datasets" || parts[0] == "spaces"))
            bad_reference(text, "is a Hugging Face " + std::string(parts[0] == "spaces" ? "Space" : "dataset") +
                                    ", not a model");
    } else {
        // Model pages are modelscope.cn/models/org/name; git clone URLs are modelscope.cn/org/name.git.
        if (parts.size() == 2 && parts[1].size() > 4 && parts[1].ends_with(".git")) parts.insert(parts.begin(), "models");
        if (parts.empty() || parts[0] != "models")
            bad_reference(text, "is not a ModelScope model URL (they start modelscope.cn/models/)");
        first = 1;
    }
    if (parts.size() < first + 2) bad_reference(text, "names no model (expected org/name after the host)");
    std::string name = parts[first + 1];
    if (name.size() > 4 && name.ends_with(".git")) name.resize(name.size() - 4);
    if (!valid_part(parts[first]) || !valid_part(name))
        bad_reference(text, "has an invalid org/name '" + parts[first] + "/" + name + "'");
    ref.repo = parts[first] + "/" + name;
    const std::vector<std::string> tail(parts.begin() + static_cast<std::ptrdiff_t>(first + 2), parts.end());
    auto take_revision = [&](std::size_t at) {
        if (tail.size() <= at) bad_reference(text, "names no revision after /" + tail[at - 1]);
        ref.revision = url_decode(tail[at]);  // huggingface.co writes refs/pr/1 as refs%2Fpr%2F1
        ref.revision_given = true;
    };
    if (!tail.empty()) {
        const std::string& what = tail[0];
        if (hub == "hf" && (what == "tree" || what == "blob" || what == "resolve" || what == "commit"))
            take_revision(1);
        else if (hub == "ms" && (what == "files" || what == "summary") && tail.size() == 1)
            ;  // the model's file list or card: the default revision
        else if (hub == "ms" && what == "file" && tail.size() >= 2 && tail[1] == "view")
            take_revision(2);
        else if (hub == "ms" && what == "resolve")
            take_revision(1);
        else
            bad_reference(text, "has '/" + what + "' after the model name");
    }
    for (std::size_t start = 0; start < query.size();) {
        std::size_t amp = std::min(query.find('&', start), query.size());
        const std::string pair = query.substr(start, amp - start);
        if (pair.rfind("revision=", 0) == 0 || pair.rfind("Revision=", 0) == 0) {
            ref.revision = url_decode(pair.substr(9));
            ref.revision_given = true;
        }
        start = amp + 1;
    }
    if (!valid_revision(ref.revision)) bad_reference(text, "has an invalid revision '" + ref.revision + "'");
    return ref;
}

}  // namespace

std::optional<HubReference> parse_hub_reference(const std::string& input) {
    std::string text = input;
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.erase(0, 1);
    if (text.empty()) return std::nullopt;
    const std::string low = lower(text);
    for (const char* prefix : {"hf:", "ms:"}) {
        if (low.rfind(prefix, 0) != 0) continue;
        const std::string hub(prefix, 2);
        HubReference ref;
        if (!parse_plain(text.substr(3), hub, ref))
            bad_reference(text, "is not a valid " + std::string(hub == "hf" ? "Hugging Face" : "ModelScope") + " id");
        return ref;
    }
    for (const char* scheme : {"https://", "http://"})
        if (low.rfind(scheme, 0) == 0) return parse_url(text, text.substr(std::string(scheme).size()));
    // Without a scheme, only the hubs' own hosts make a URL: "a.b/c" may be a relative path.
    for (const char* host : {"huggingface.co/", "www.huggingface.co/", "hf.co/", "modelscope.cn/", "www.modelscope.cn/"})
        if (low.rfind(host, 0) == 0) return parse_url(text, text);
    if (text.find('/') == std::string::npos || text.find(".json") != std::string::npos || text[0] == '.' ||
        text[0] == '/' || text[0] == '~')
        return std::nullopt;
    HubReference ref;
    if (!parse_plain(text, "hf", ref)) return std::nullopt;
    return ref;
}

bool parse_hub_id(const std::string& text, std::string& hub, std::string& repo, std::string& revision) {
    try {
        auto ref = parse_hub_reference(text);
        if (!ref) return false;
        hub = ref->hub;
        repo = ref->repo;
        revision = ref->revision;
        return true;
    } catch (const ScenarioError&) {
        return false;
    }
}

namespace {

[[noreturn]] void rethrow(const HubFailure& failure) {
    if (failure.scenario_error) throw ScenarioError(failure.where, failure.detail);
    throw std::runtime_error(failure.detail);
}

}  // namespace

HubModel fetch_hub_model(const HubSettings& settings, const std::string& repo, const std::string& revision) {
    const vram_hub_api& api = hub_api();
    HubModel model;
    HubFailure failure;
    if (api.fetch(&settings, repo.c_str(), revision.c_str(), &model, &failure)) return model;
    rethrow(failure);
}

std::vector<HubSearchHit> search_hub(const HubSettings& settings, const std::string& query, std::size_t limit) {
    const vram_hub_api& api = hub_api();
    std::vector<HubSearchHit> hits;
    HubFailure failure;
    if (api.search(&settings, query.c_str(), limit, &hits, &failure)) return hits;
    rethrow(failure);
}

}  // namespace vram
