// hub_client.cpp - the only file with libcurl: config.json and safetensors headers from a model hub.
// Built into libvram_hub.so (not the framework) and reached through vram_hub_get_api(), so
// libcurl is mapped only when a hub model is used (hub_loader.cpp loads it).
// SPDX-License-Identifier: Apache-2.0
#include <curl/curl.h>

#include <algorithm>
#include <cstdlib>
#include <cctype>
#include <cstdio>
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
    std::string error;   ///< curl's message when the transfer itself failed
    std::string commit;  ///< X-Repo-Commit: the commit a /resolve/ request was served from
};

/// A request body (ModelScope's search is a PUT with JSON).
struct Upload {
    std::string method;  ///< "PUT"
    std::string json;
};

size_t header_cb(char* data, size_t size, size_t n, void* user) {
    const size_t len = size * n;
    std::string line(data, len);
    // Both hubs name the commit of a /resolve/ answer in X-Repo-Commit (huggingface_hub's
    // constants.py: HUGGINGFACE_HEADER_X_REPO_COMMIT); header names are case-insensitive.
    const std::string name = "x-repo-commit:";
    if (line.size() > name.size()) {
        std::string head = line.substr(0, name.size());
        std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (head == name) {
            std::string value = line.substr(name.size());
            while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
            while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.erase(0, 1);
            static_cast<Response*>(user)->commit = value;
        }
    }
    return len;
}

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

    Response get(const HubSettings& s, const std::string& url, std::uint64_t limit, const std::string& range = {},
                 const Upload* upload = nullptr) {
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
        curl_easy_setopt(handle_, CURLOPT_HEADERFUNCTION, header_cb);
        curl_easy_setopt(handle_, CURLOPT_HEADERDATA, &r);
        curl_easy_setopt(handle_, CURLOPT_USERAGENT, "vram/0.1");
        curl_easy_setopt(handle_, CURLOPT_NOSIGNAL, 1L);
        // TLS verification stays on (libcurl's default); never disabled.
        curl_easy_setopt(handle_, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(handle_, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_slist* headers = nullptr;
        if (!s.token.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + s.token).c_str());
        if (upload) {
            headers = curl_slist_append(headers, "Content-Type: application/json");
            curl_easy_setopt(handle_, CURLOPT_CUSTOMREQUEST, upload->method.c_str());
            curl_easy_setopt(handle_, CURLOPT_POSTFIELDS, upload->json.c_str());
            curl_easy_setopt(handle_, CURLOPT_POSTFIELDSIZE, static_cast<long>(upload->json.size()));
        }
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
    // A revision like refs/pr/1 is one path segment: its slashes are escaped, as huggingface_hub does.
    std::string segment;
    for (char c : rev) segment += c == '/' ? std::string("%2F") : std::string(1, c);
    return base + prefix + repo + "/resolve/" + segment + "/" + file;
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
        CheckpointTensor entry{name, dtype->text(), {}, 0};
        for (const auto& d : shape->items()) {
            if (!d.is_integer() || d.as_integer() < 0)
                throw ScenarioError(where, "tensor '" + name + "': shape holds '" + d.text() +
                                               "', expected non-negative integers");
            entry.shape.push_back(d.as_integer());
        }
        const auto begin = static_cast<std::uint64_t>(offsets->items()[0].as_number());
        const auto end = static_cast<std::uint64_t>(offsets->items()[1].as_number());
        if (end < begin) throw ScenarioError(where, "tensor '" + name + "': data_offsets decrease");
        entry.bytes = end - begin;
        const std::uint64_t numel = entry.elements();
        info.bytes += end - begin;
        info.elements += numel;
        ++info.tensors;
        add_to(info.bytes_by_dtype, dtype->text(), end - begin);
        add_to(info.elements_by_dtype, dtype->text(), numel);
        info.entries.push_back(std::move(entry));
        (void)dtype_bytes;
    }
}

bool is_commit_hash(const std::string& text) {
    return text.size() == 40 && std::all_of(text.begin(), text.end(), [](char c) {
               return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
           });
}

std::string trimmed(std::string text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.erase(0, 1);
    return text;
}

HubModel fetch_from_hub(const HubSettings& s, const std::string& repo, const std::string& revision) {
    HubModel m;
    m.hub = s.hub;
    m.repo = repo;
    m.revision = revision;
    // huggingface_hub's cache (file_download.py): models--org--name/refs/REV holds the commit hash
    // REV points at, and snapshots/COMMIT/FILE the files of that commit (symlinks into blobs/).
    // A revision without a ref is looked up as snapshots/REV: a commit hash, or vram's layout
    // before issue 17 (snapshots/main).
    std::string folder_name = "models--" + repo;
    for (std::size_t i = folder_name.find('/'); i != std::string::npos; i = folder_name.find('/')) folder_name.replace(i, 1, "--");
    const fs::path folder = fs::path(s.cache_dir) / folder_name;
    std::string snapshot = revision;
    if (auto ref = read_file(folder / "refs" / revision)) {
        const std::string commit = trimmed(*ref);
        if (is_commit_hash(commit)) snapshot = commit;
    }
    fs::path snap = folder / "snapshots" / snapshot;
    std::string url_revision = revision;
    m.cache_dir = snap.string();
    const std::string who = label(s, repo, revision);
    std::optional<Http> http;
    if (!s.offline) http.emplace();

    // huggingface_hub remembers a file the hub does not have as .no_exist/COMMIT/FILE; vram wrote
    // SNAPSHOT/FILE.missing before issue 17 and still reads it.
    auto no_exist = [&](const std::string& file) { return folder / ".no_exist" / snapshot / file; };
    auto known_missing = [&](const std::string& file) {
        return fs::exists(no_exist(file)) || fs::exists(snap / (file + ".missing"));
    };
    // vram's own derived files (safetensors headers) are not repository files: they live beside the
    // snapshots, so a snapshot folder holds only what huggingface_hub would put there.
    auto derived = [&](const std::string& file) { return folder / ".vram" / snapshot / file; };

    // Returns the file's text (cached or fetched); nullopt when the hub says 404 and `optional`.
    auto fetch = [&](const std::string& file, bool optional) -> std::optional<std::string> {
        const fs::path cached = snap / file;
        if (auto c = read_file(cached)) return c;
        if (optional && known_missing(file)) return std::nullopt;
        if (s.offline) {
            if (optional) return std::nullopt;
            throw ScenarioError("", who + " " + file + ": offline (" +
                                        (s.hub == "ms" ? std::string("MODELSCOPE_OFFLINE") : std::string("HF_HUB_OFFLINE")) +
                                        ") and not in the cache " + cached.string());
        }
        Response r = http->get(s, file_url(s, repo, url_revision, file), s.max_file_bytes);
        if (r.status == 404 && optional) {
            write_file(no_exist(file), "");  // remember the absence for offline runs
            return std::nullopt;
        }
        if (r.status != 200 || !r.error.empty()) http_fail(s, repo, revision, file, r);
        // The first answer names the commit: the files go to snapshots/COMMIT and refs/REV points
        // there, as huggingface_hub writes them, and the later files are asked for at that commit so
        // that a branch moving meanwhile cannot mix two commits.
        const std::string commit = trimmed(r.commit);
        bool new_ref = false;
        if (url_revision == revision && is_commit_hash(commit)) {
            url_revision = commit;
            if (snapshot != commit) {
                snapshot = commit;
                snap = folder / "snapshots" / snapshot;
                m.cache_dir = snap.string();
            }
            new_ref = revision != commit;
        }
        write_file(snap / file, r.body);
        // The ref after the file it leads to: a reader (vram, or huggingface_hub's scan-cache) never
        // finds a ref to a missing snapshot.
        if (new_ref) write_file(folder / "refs" / revision, commit);
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
        std::optional<std::string> header = read_file(derived(header_file));
        if (!header) header = read_file(snap / header_file);  // where vram kept it before issue 17
        if (!header && !s.offline && !known_missing(shard)) {
            // 8-byte little-endian header length, then the JSON header (safetensors format).
            // Error pages can be longer than the 8 bytes asked for: allow 1 MiB before judging.
            Response len = http->get(s, file_url(s, repo, url_revision, shard), 1u << 20, "0-7");
            if (len.status == 404 && shards.size() == 1) {
                write_file(no_exist(shard), "");
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
            Response h = http->get(s, file_url(s, repo, url_revision, shard), n + 8, "8-" + std::to_string(8 + n - 1));
            if ((h.status != 206 && h.status != 200) || !h.error.empty()) http_fail(s, repo, revision, shard, h);
            if (h.status == 200) h.body = h.body.substr(8, n);  // server ignored the range
            write_file(derived(header_file), h.body);
            header = h.body;
        }
        if (!header) continue;
        add_header(info, parse_json_text(*header, who + " " + shard + " header"), who + " " + shard);
        ++info.files;
    }
    if (info.files > 0) {
        // Packed quantized weights (GPTQ/AWQ int32, bitsandbytes uint8) hold no element per
        // parameter: the comparison with the family needs to know, and config.json says so.
        if (const ConfigNode* q = m.config.is_map() ? m.config.find("quantization_config") : nullptr; q && q->is_map()) {
            const ConfigNode* method = q->find("quant_method");
            info.quantization = method && method->is_string() && !method->as_string().empty() ? method->as_string()
                                                                                             : "quantization_config";
        }
        info.source = who + " (" + std::to_string(info.files) + " safetensors file" + (info.files > 1 ? "s" : "") +
                      ", " + std::to_string(info.tensors) + " tensors)";
        m.checkpoint = info;
    }
    return m;
}

std::string escape(const std::string& text) {
    char* e = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
    std::string out = e ? e : "";
    curl_free(e);
    return out;
}

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string text_of(const ConfigNode& item, const char* key) {
    const ConfigNode* v = item.find(key);
    return v && v->is_string() ? v->as_string() : "";
}

std::int64_t count_of(const ConfigNode& item, const char* key) {
    const ConfigNode* v = item.find(key);
    return v && v->is_number() ? static_cast<std::int64_t>(v->as_number()) : -1;
}

std::string api_base(const HubSettings& s) {
    std::string base = s.endpoint;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base;
}

[[noreturn]] void search_fail(const HubSettings& s, const std::string& url, const Response& r) {
    const std::string who = std::string(s.hub == "ms" ? "ModelScope" : "Hugging Face") + " search (" + url + ")";
    if (!r.error.empty() && r.status == 0)
        throw ScenarioError("", who + ": cannot reach " + s.endpoint + " (" + r.error + ")");
    if (r.status == 429) throw ScenarioError("", who + ": HTTP 429 rate limited; retry later or set a token");
    if (r.status == 401 || r.status == 403)
        throw ScenarioError("", who + ": HTTP " + std::to_string(r.status) + " unauthorized; check " +
                                    (s.hub == "ms" ? "MODELSCOPE_API_TOKEN" : "HF_TOKEN"));
    throw ScenarioError("", who + ": HTTP " + std::to_string(r.status) + (r.error.empty() ? "" : " (" + r.error + ")"));
}

std::vector<HubSearchHit> search_models(const HubSettings& s, const std::string& query, std::size_t limit) {
    if (s.offline)
        throw ScenarioError("", std::string("search needs the network, and ") +
                                    (s.hub == "ms" ? "MODELSCOPE_OFFLINE or HF_HUB_OFFLINE" : "HF_HUB_OFFLINE") +
                                    " is set; unset it to search");
    Http http;
    std::vector<HubSearchHit> hits;
    if (s.hub == "ms") {
        // ModelScope's model search: the PUT its web site and its MCP server (modelscope-mcp-server,
        // tools/model.py) send; the answer is {"Success": true, "Data": {"Model": {"Models": [{"Path":
        // org, "Name": name, "Downloads": n, "Stars": n, ...}]}}}.
        const std::string url = api_base(s) + "/api/v1/dolphin/models";
        Upload put{"PUT", "{\"Name\": " + json_string(query) + ", \"Criterion\": [], \"SingleCriterion\": [], "
                          "\"SortBy\": \"DownloadsCount\", \"PageNumber\": 1, \"PageSize\": " + std::to_string(limit) + "}"};
        Response r = http.get(s, url, s.max_file_bytes, {}, &put);
        if (r.status != 200 || !r.error.empty()) search_fail(s, url, r);
        const ConfigNode root = parse_json_text(r.body, "ModelScope search answer");
        const ConfigNode* ok = root.find("Success");
        if (ok && ok->is_bool() && !ok->as_bool())
            throw ScenarioError("", "ModelScope search (" + url + "): the hub answered Success: false (" +
                                        text_of(root, "Message") + ")");
        const ConfigNode* data = root.find("Data");
        const ConfigNode* model = data ? data->find("Model") : nullptr;
        const ConfigNode* models = model ? model->find("Models") : nullptr;
        if (!models || !models->is_list())
            throw ScenarioError("", "ModelScope search (" + url + "): the answer has no Data.Model.Models list");
        for (const auto& item : models->items()) {
            HubSearchHit h;
            h.hub = "ms";
            const std::string org = text_of(item, "Path"), name = text_of(item, "Name");
            if (org.empty() || name.empty()) continue;
            h.id = org + "/" + name;
            h.downloads = count_of(item, "Downloads");
            h.likes = count_of(item, "Stars");
            hits.push_back(std::move(h));
        }
    } else {
        // The Hub's model listing (hub-docs api.md, GET /api/models): `search` matches the id, `expand`
        // picks the fields, and `config` carries config.json's model_type.
        const std::string url = api_base(s) + "/api/models?search=" + escape(query) + "&limit=" + std::to_string(limit) +
                                "&sort=downloads&direction=-1&expand=downloads&expand=likes&expand=pipeline_tag"
                                "&expand=config";
        Response r = http.get(s, url, s.max_file_bytes);
        if (r.status != 200 || !r.error.empty()) search_fail(s, url, r);
        const ConfigNode root = parse_json_text(r.body, "Hugging Face search answer");
        if (!root.is_list()) throw ScenarioError("", "Hugging Face search (" + url + "): the answer is not a JSON list");
        for (const auto& item : root.items()) {
            HubSearchHit h;
            h.hub = "hf";
            h.id = text_of(item, "id");
            if (h.id.empty()) continue;
            h.downloads = count_of(item, "downloads");
            h.likes = count_of(item, "likes");
            h.pipeline_tag = text_of(item, "pipeline_tag");
            if (const ConfigNode* config = item.find("config"); config && config->is_map())
                h.model_type = text_of(*config, "model_type");
            hits.push_back(std::move(h));
        }
    }
    if (hits.size() > limit) hits.resize(limit);
    return hits;
}

bool search_entry(const HubSettings* settings, const char* query, std::size_t limit, std::vector<HubSearchHit>* out,
                  HubFailure* failure) noexcept {
    try {
        *out = search_models(*settings, query, limit);
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
                           &fetch_entry, sizeof(HubSearchHit), &search_entry};

}  // namespace
}  // namespace vram

extern "C" __attribute__((visibility("default"))) const vram_hub_api* vram_hub_get_api() { return &vram::kApi; }
