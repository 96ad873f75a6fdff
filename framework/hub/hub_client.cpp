// hub_client.cpp - the only file with libcurl: config.json and safetensors headers from a model hub.
// Built into libvram_hub.so (not the framework) and reached through vram_hub_get_api(), so
// libcurl is mapped only when a hub model is used (hub_loader.cpp loads it).
// SPDX-License-Identifier: Apache-2.0
#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "vram/error.hpp"
#include "hub/hub_api.hpp"
#include "vram/version.hpp"
#include "scenario/scenario_loader.hpp"

namespace fs = std::filesystem;

namespace vram {
namespace {

struct Response {
    long status = 0;
    std::string body;
    std::string error;  ///< curl's message when the transfer itself failed
};

struct Sink {
    std::string* body;
    std::uint64_t limit;
    bool overflow = false;
};

size_t write_cb(char* data, size_t size, size_t n, void* user) {
    auto* sink = static_cast<Sink*>(user);
    const size_t len = size * n;
    if (sink->body->size() + len > sink->limit) {
        sink->overflow = true;
        return 0;  // abort the transfer
    }
    sink->body->append(data, len);
    return len;
}

class Http {
public:
    Http() {
        static const bool init = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
        (void)init;
        handle_ = curl_easy_init();
        if (!handle_) throw ScenarioError("", "hub: cannot initialise libcurl");
    }
    ~Http() { curl_easy_cleanup(handle_); }
    Http(const Http&) = delete;
    Http& operator=(const Http&) = delete;

    Response get(const HubSettings& s, const std::string& url, std::uint64_t limit, const std::string& range = {}) {
        Response r;
        Sink sink{&r.body, limit};
        char errbuf[CURL_ERROR_SIZE] = {0};
        curl_easy_reset(handle_);
        curl_easy_setopt(handle_, CURLOPT_URL, url.c_str());
        curl_easy_setopt(handle_, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(handle_, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(handle_, CURLOPT_CONNECTTIMEOUT, s.connect_timeout_s);
        curl_easy_setopt(handle_, CURLOPT_TIMEOUT, s.timeout_s);
        curl_easy_setopt(handle_, CURLOPT_WRITEFUNCTION, write_cb);
        curl_easy_setopt(handle_, CURLOPT_WRITEDATA, &sink);
        curl_easy_setopt(handle_, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(handle_, CURLOPT_USERAGENT, "vram/0.1");
        curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
        // TLS verification stays on (libcurl's default); never disabled.
        curl_easy_setopt(handle_, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(handle_, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_slist* headers = nullptr;
        if (!s.token.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + s.token).c_str());
        curl_easy_setopt(handle_, CURLOPT_HTTPHEADER, headers);
        if (!range.empty()) curl_easy_setopt(handle_, CURLOPT_RANGE, range.c_str());
        const CURLcode rc = curl_easy_perform(handle_);
        curl_slist_free_all(headers);
        curl_easy_getinfo(handle_, CURLINFO_RESPONSE_CODE, &r.status);
        if (sink.overflow) r.error = "response larger than " + std::to_string(limit) + " bytes";
        else if (rc != CURLE_OK) r.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        return r;
    }

private:
    CURL* handle_ = nullptr;
};

std::string label(const HubSettings& s, const std::string& repo, const std::string& rev) {
    return s.hub + ":" + repo + "@" + rev;
}

std::string file_url(const HubSettings& s, const std::string& repo, const std::string& rev, const std::string& file) {
    std::string base = s.endpoint;
    while (!base.empty() && base.back() == '/') base.pop_back();
    // Both hubs serve {endpoint}/{org}/{name}/resolve/{revision}/{file}; ModelScope's web host
    // uses {endpoint}/models/{org}/{name}/resolve/{revision}/{file}.
    const std::string prefix = s.hub == "ms" && base.find("127.0.0.1") == std::string::npos &&
                                       base.find("localhost") == std::string::npos
                                   ? "/models/"
                                   : "/";
    return base + prefix + repo + "/resolve/" + rev + "/" + file;
}

[[noreturn]] void http_fail(const HubSettings& s, const std::string& repo, const std::string& rev,
                            const std::string& file, const Response& r) {
    const std::string who = label(s, repo, rev) + " " + file;
    if (!r.error.empty() && r.status == 0)
        throw ScenarioError("", who + ": cannot reach " + s.endpoint + " (" + r.error + "); set " +
                                    (s.hub == "ms" ? "MODELSCOPE_OFFLINE=1" : "HF_HUB_OFFLINE=1") +
                                    " to use the cache");
    switch (r.status) {
        case 401:
        case 403:
            throw ScenarioError("", who + ": HTTP " + std::to_string(r.status) + " unauthorized; the repository is gated "
                                              "or private: set " + (s.hub == "ms" ? "MODELSCOPE_API_TOKEN" : "HF_TOKEN") +
                                              " to a token with access");
        case 404:
            throw ScenarioError("", who + ": HTTP 404 not found; check the repository name and revision");
        case 429:
            throw ScenarioError("", who + ": HTTP 429 rate limited by " + s.endpoint + "; retry later or set a token");
        default:
            throw ScenarioError("", who + ": HTTP " + std::to_string(r.status) + (r.error.empty() ? "" : " (" + r.error + ")"));
    }
}

void write_file(const fs::path& p, const std::string& data) {
    fs::create_directories(p.parent_path());
    const fs::path tmp = p.string() + ".tmp";
    std::ofstream(tmp, std::ios::binary) << data;
    fs::rename(tmp, p);  // atomic: a concurrent reader never sees half a file
}

std::optional<std::string> read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// safetensors dtype names -> bytes per element.
double dtype_bytes(const std::string& d) {
    static const std::map<std::string, double> t = {
        {"F64", 8}, {"I64", 8}, {"U64", 8}, {"F32", 4}, {"I32", 4}, {"U32", 4}, {"F16", 2}, {"BF16", 2},
        {"I16", 2}, {"U16", 2}, {"F8_E4M3", 1}, {"F8_E5M2", 1}, {"I8", 1}, {"U8", 1}, {"BOOL", 1},
        {"F4", 0.5}, {"F6_E2M3", 0.75}, {"F6_E3M2", 0.75}, {"F8_E8M0", 1}};
    auto it = t.find(d);
    return it == t.end() ? 0 : it->second;
}

void add_to(std::vector<std::pair<std::string, std::uint64_t>>& v, const std::string& k, std::uint64_t n) {
    for (auto& [key, val] : v)
        if (key == k) {
            val += n;
            return;
        }
    v.emplace_back(k, n);
}

void add_header(CheckpointInfo& info, const ConfigNode& header, const std::string& where) {
    if (!header.is_map()) throw ScenarioError(where, "safetensors header is not a JSON object");
    for (const auto& [name, t] : header.entries()) {
        if (name == "__metadata__") continue;
        const ConfigNode* dtype = t.find("dtype");
        const ConfigNode* offsets = t.find("data_offsets");
        const ConfigNode* shape = t.find("shape");
        if (!dtype || !offsets || !offsets->is_list() || offsets->items().size() != 2 || !shape || !shape->is_list())
            throw ScenarioError(where, "tensor '" + name + "': expected dtype, shape and data_offsets");
        const auto begin = static_cast<std::uint64_t>(offsets->items()[0].as_number());
        const auto end = static_cast<std::uint64_t>(offsets->items()[1].as_number());
        if (end < begin) throw ScenarioError(where, "tensor '" + name + "': data_offsets decrease");
        std::uint64_t numel = 1;
        for (const auto& d : shape->items()) numel *= static_cast<std::uint64_t>(d.as_number());
        info.bytes += end - begin;
        info.elements += numel;
        ++info.tensors;
        add_to(info.bytes_by_dtype, dtype->text(), end - begin);
        add_to(info.elements_by_dtype, dtype->text(), numel);
        (void)dtype_bytes;
    }
}

HubModel fetch_from_hub(const HubSettings& s, const std::string& repo, const std::string& revision) {
    HubModel m;
    m.hub = s.hub;
    m.repo = repo;
    m.revision = revision;
    // Cache layout mirrors huggingface_hub's: models--org--name/snapshots/<revision>/<file>.
    std::string folder = "models--" + repo;
    for (std::size_t i = folder.find('/'); i != std::string::npos; i = folder.find('/')) folder.replace(i, 1, "--");
    const fs::path snap = fs::path(s.cache_dir) / folder / "snapshots" / revision;
    m.cache_dir = snap.string();
    const std::string who = label(s, repo, revision);
    std::optional<Http> http;
    if (!s.offline) http.emplace();

    // Returns the file's text (cached or fetched); nullopt when the hub says 404 and `optional`.
    auto fetch = [&](const std::string& file, bool optional) -> std::optional<std::string> {
        const fs::path cached = snap / file;
        if (auto c = read_file(cached)) return c;
        const fs::path missing = snap / (file + ".missing");
        if (optional && fs::exists(missing)) return std::nullopt;
        if (s.offline) {
            if (optional) return std::nullopt;
            throw ScenarioError("", who + " " + file + ": offline (" +
                                        (s.hub == "ms" ? std::string("MODELSCOPE_OFFLINE") : std::string("HF_HUB_OFFLINE")) +
                                        ") and not in the cache " + cached.string());
        }
        Response r = http->get(s, file_url(s, repo, revision, file), s.max_file_bytes);
        if (r.status == 404 && optional) {
            write_file(missing, "");  // remember the absence for offline runs
            return std::nullopt;
        }
        if (r.status != 200 || !r.error.empty()) http_fail(s, repo, revision, file, r);
        write_file(cached, r.body);
        return r.body;
    };

    const std::string config_text = *fetch("config.json", false);
    m.config = parse_json_text(config_text, who + " config.json");

    // Safetensors: the index names the shards; a single-file checkpoint has no index.
    std::vector<std::string> shards;
    if (auto index = fetch("model.safetensors.index.json", true)) {
        ConfigNode idx = parse_json_text(*index, who + " model.safetensors.index.json");
        if (const ConfigNode* map = idx.find("weight_map"); map && map->is_map())
            for (const auto& [tensor, file] : map->entries())
                if (std::find(shards.begin(), shards.end(), file.text()) == shards.end()) shards.push_back(file.text());
    } else {
        shards.push_back("model.safetensors");
    }
    CheckpointInfo info;
    for (const auto& shard : shards) {
        const std::string header_file = shard + ".header.json";
        std::optional<std::string> header;
        if (auto c = read_file(snap / header_file)) header = c;
        else if (!s.offline && !fs::exists(snap / (shard + ".missing"))) {
            // 8-byte little-endian header length, then the JSON header (safetensors format).
            // Error pages can be longer than the 8 bytes asked for: allow 1 MiB before judging.
            Response len = http->get(s, file_url(s, repo, revision, shard), 1u << 20, "0-7");
            if (len.status == 404 && shards.size() == 1) {
                write_file(snap / (shard + ".missing"), "");
                break;
            }
            if ((len.status != 206 && len.status != 200) || len.body.size() < 8) {
                if (len.status == 200 || len.status == 206) throw ScenarioError("", who + " " + shard + ": short safetensors file");
                http_fail(s, repo, revision, shard, len);
            }
            std::uint64_t n = 0;
            for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(len.body[static_cast<std::size_t>(i)]);
            if (n == 0 || n > s.max_header_bytes)
                throw ScenarioError("", who + " " + shard + ": safetensors header of " + std::to_string(n) +
                                            " bytes is beyond the 100 MB limit");
            Response h = http->get(s, file_url(s, repo, revision, shard), n + 8, "8-" + std::to_string(8 + n - 1));
            if ((h.status != 206 && h.status != 200) || !h.error.empty()) http_fail(s, repo, revision, shard, h);
            if (h.status == 200) h.body = h.body.substr(8, n);  // server ignored the range
            write_file(snap / header_file, h.body);
            header = h.body;
        }
        if (!header) continue;
        add_header(info, parse_json_text(*header, who + " " + shard + " header"), who + " " + shard);
        ++info.files;
    }
    if (info.files > 0) {
        info.source = who + " (" + std::to_string(info.files) + " safetensors file" + (info.files > 1 ? "s" : "") +
                      ", " + std::to_string(info.tensors) + " tensors)";
        m.checkpoint = info;
    }
    return m;
}

bool fetch_entry(const HubSettings* settings, const char* repo, const char* revision, HubModel* out,
                 HubFailure* failure) noexcept {
    // Everything the framework would have seen as an exception travels back as data, so no
    // exception unwinds through the extern "C" boundary; the framework rethrows it unchanged.
    try {
        *out = fetch_from_hub(*settings, repo, revision);
        return true;
    } catch (const ScenarioError& e) {
        *failure = HubFailure{true, e.where(), e.detail()};
    } catch (const std::exception& e) {
        *failure = HubFailure{false, "", e.what()};
    } catch (...) {
        *failure = HubFailure{false, "", "unknown exception in the hub library"};
    }
    return false;
}

const vram_hub_api kApi = {VRAM_HUB_API_VERSION, VRAM_VERSION_STRING, sizeof(HubSettings), sizeof(HubModel),
                           &fetch_entry};

}  // namespace
}  // namespace vram

extern "C" __attribute__((visibility("default"))) const vram_hub_api* vram_hub_get_api() { return &vram::kApi; }
