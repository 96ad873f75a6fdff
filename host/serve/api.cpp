// serve/api.cpp - routing and handlers of `vram serve`: the page's files and /api/v1/...
// Each handler parses its input, checks what a remote caller may not do, and calls the same
// function as the CLI command (commands.hpp) for the output.
// SPDX-License-Identifier: Apache-2.0
#include "api.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../commands.hpp"
#include "model/model_loader.hpp"
#include "report/json_writer.hpp"
#include "scenario/scenario_loader.hpp"
#include "scenario/schema_export.hpp"
#include "vram/error.hpp"
#include "vram/version.hpp"

namespace fs = std::filesystem;

namespace vram::cli::serve {
namespace {

// Thrown by handlers for a response other than 200 (the message becomes the error JSON).
struct HttpError {
    int status;
    std::string message;
    std::string path;
};

std::string content_type_of(const fs::path& file) {
    const std::string ext = file.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".json") return "application/json";
    if (ext == ".ico") return "image/x-icon";
    return "application/octet-stream";
}

std::string first(const std::multimap<std::string, std::string>& query, const std::string& key,
                  const std::string& fallback = {}) {
    auto it = query.find(key);
    return it == query.end() ? fallback : it->second;
}

std::int64_t integer(const std::multimap<std::string, std::string>& query, const std::string& key,
                     std::int64_t fallback) {
    const std::string text = first(query, key);
    if (text.empty()) return fallback;
    try {
        std::size_t used = 0;
        const long long v = std::stoll(text, &used);
        if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    throw HttpError{400, key + "=" + text + ": expected a whole number", {}};
}

// Keys that would make the server open a file it holds: a scenario sent over HTTP brings its
// config.json inline (model.architecture) instead, and gets no plugins or extra catalogs.
void reject_server_files(const ConfigNode& root, const std::string& where) {
    if (!root.is_map()) throw HttpError{400, where + ": expected a scenario (a mapping of keys such as model, workload)", {}};
    auto refuse = [&](const char* path, const char* instead) {
        if (root.find_path(path))
            throw HttpError{400, where + ": " + path + ": a scenario sent to the server may not name files on it; " + instead,
                            path};
    };
    refuse("model.config", "send the config.json's keys as model.architecture");
    refuse("plugins", "plugins are those the server was started with");
    refuse("hardware.catalog", "use the catalogs the server has (GET /api/v1/gpus)");
}

// The scenario in a body: JSON (application/json) or YAML (application/yaml; also the default,
// since JSON is YAML).
ConfigNode parse_body(const Request& request) {
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos)
        throw HttpError{400, "<request>: the body is empty; send a scenario as JSON or YAML", {}};
    std::string type = request.content_type.substr(0, request.content_type.find(';'));
    type.erase(std::remove(type.begin(), type.end(), ' '), type.end());
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (type == "application/json") return parse_json_text(request.body, "<request>");
    if (type.empty() || type == "application/yaml" || type == "application/x-yaml" || type == "text/yaml" ||
        type == "text/plain")
        return parse_yaml_text(request.body, "<request>");
    throw HttpError{415, "Content-Type " + type + ": send application/json or application/yaml", {}};
}

std::string label_of(const ConfigNode& root, const std::string& fallback) {
    if (const ConfigNode* name = root.find("name"); name && name->is_string() && !name->as_string().empty())
        return name->as_string();
    return fallback;
}

// A scenario without a name is titled by what it asks, as a flags-only `vram run` is
// ("llama-3.1-8b on H100"), instead of by the stand-in file name "<request>".
ConfigNode with_name(ConfigNode root) {
    if (const ConfigNode* name = root.find("name"); name && name->is_string() && !name->as_string().empty()) return root;
    std::string title = "inline architecture";
    for (const char* key : {"model.preset", "model.hub"})
        if (const ConfigNode* m = root.find_path(key); m && m->is_string()) title = m->as_string();
    if (const ConfigNode* gpu = root.find_path("hardware.gpu"); gpu && gpu->is_string()) title += " on " + gpu->as_string();
    root.set("name", ConfigNode::make_string(title));
    return root;
}

ScenarioInput scenario_input(const ConfigNode& root, const std::string& fallback_label) {
    reject_server_files(root, "<request>");
    ConfigNode named = with_name(root);
    std::string label = label_of(root, fallback_label);
    return ScenarioInput(std::move(named), "<request>", std::move(label));
}

void require(const std::string& method, const char* wanted) {
    if (method != wanted) throw HttpError{405, std::string("use ") + wanted + " for this path", {}};
}

const char* reason(int status) {
    switch (status) {
        case 400: return "bad request";
        case 404: return "not found";
        case 405: return "method not allowed";
        case 413: return "request body too large";
        case 415: return "unsupported media type";
        default: return "error";
    }
}

}  // namespace

std::string error_json(const std::string& message, const std::string& path) {
    std::string line = message;
    std::replace(line.begin(), line.end(), '\n', ' ');
    std::replace(line.begin(), line.end(), '\r', ' ');
    JsonWriter w;
    w.object().key("error").object(JsonWriter::Layout::line).field("message", line).key("path");
    if (path.empty()) w.null();
    else w.value(path);
    w.end().end();
    return w.str();
}

std::string key_path_of(const std::string& message) {
    // The messages read "<request>:3:14: workload.batch_size: must be ..."; the first dotted
    // lower-case word followed by a colon is the key (file names never occur over HTTP).
    // Scanned by hand: <regex> trips GCC 12's -Wmaybe-uninitialized in sanitizer builds.
    auto lower = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    for (std::size_t start = 0; start < message.size(); ++start) {
        if (!lower(message[start]) || (start > 0 && std::string(" :'(").find(message[start - 1]) == std::string::npos))
            continue;
        std::size_t i = start;
        while (i < message.size() && (lower(message[i]) || std::isdigit(static_cast<unsigned char>(message[i])))) ++i;
        bool dotted = false;
        for (;;) {
            if (i + 1 < message.size() && message[i] == '.' && word(message[i + 1])) {
                ++i;
                while (i < message.size() && word(message[i])) ++i;
                dotted = true;
            } else if (i + 2 < message.size() && message[i] == '[' && std::isdigit(static_cast<unsigned char>(message[i + 1]))) {
                std::size_t j = i + 1;
                while (j < message.size() && std::isdigit(static_cast<unsigned char>(message[j]))) ++j;
                if (j >= message.size() || message[j] != ']') break;
                i = j + 1;
                dotted = true;
            } else {
                break;
            }
        }
        if (dotted && i < message.size() && message[i] == ':') return message.substr(start, i - start);
    }
    return {};
}

bool url_decode(const std::string& in, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '+') {
            out += ' ';
        } else if (in[i] == '%') {
            if (i + 2 >= in.size() || !std::isxdigit(static_cast<unsigned char>(in[i + 1])) ||
                !std::isxdigit(static_cast<unsigned char>(in[i + 2])))
                return false;
            out += static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += in[i];
        }
    }
    return true;
}

StaticFiles::StaticFiles(const std::string& dir) {
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec)) return;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
        std::ifstream in(it->path(), std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        const std::string url = "/" + fs::relative(it->path(), dir, ec).generic_string();
        files_[url] = Response{200, content_type_of(it->path()), text.str()};
    }
}

const Response* StaticFiles::find(const std::string& path) const {
    auto it = files_.find(path == "/" ? "/index.html" : path);
    return it == files_.end() ? nullptr : &it->second;
}

Api::Api(App& app, CommonOptions common, const std::string& web_dir)
    : app_(app), common_(std::move(common)), files_(web_dir) {
    schema_ = scenario_json_schema(schema_plugins(app_.registry(), app_.loader().loaded()));
}

Response Api::handle(const Request& request) {
    const std::string& target = request.target;
    const auto q = target.find('?');
    const std::string path = target.substr(0, q);
    try {
        if (path.rfind("/api/", 0) != 0) {
            if (request.method != "GET" && request.method != "HEAD")
                throw HttpError{405, "use GET for the page and its files", {}};
            if (const Response* file = files_.find(path)) return *file;
            throw HttpError{404, "no such file (the server has only the page and its assets)", {}};
        }
        std::multimap<std::string, std::string> query;
        if (q != std::string::npos) {
            std::stringstream parts(target.substr(q + 1));
            for (std::string part; std::getline(parts, part, '&');) {
                if (part.empty()) continue;
                const auto eq = part.find('=');
                std::string key, value;
                if (!url_decode(part.substr(0, eq), key) ||
                    !url_decode(eq == std::string::npos ? "" : part.substr(eq + 1), value))
                    throw HttpError{400, "malformed query string", {}};
                query.emplace(std::move(key), std::move(value));
            }
        }
        const std::lock_guard<std::mutex> lock(engine_);
        return api(request.method, path, query, request);
    } catch (const HttpError& e) {
        return {e.status, "application/json", error_json(e.message.empty() ? reason(e.status) : e.message, e.path)};
    } catch (const ParamError& e) {
        return {400, "application/json", error_json(e.what(), e.key_path())};
    } catch (const ScenarioError& e) {
        return {400, "application/json", error_json(e.what(), key_path_of(e.what()))};
    } catch (const UsageError& e) {
        return {400, "application/json", error_json(e.what(), key_path_of(e.what()))};
    } catch (const EstimateError& e) {
        return {400, "application/json", error_json(e.what(), key_path_of(e.what()))};
    } catch (const UnknownComponentError& e) {
        return {400, "application/json", error_json(e.what(), key_path_of(e.what()))};
    } catch (const std::bad_alloc&) {
        return {503, "application/json", error_json("out of memory", {})};
    } catch (const std::exception& e) {
        return {500, "application/json", error_json(std::string("internal error: ") + e.what(), {})};
    }
}

Response Api::api(const std::string& method, const std::string& path,
                  const std::multimap<std::string, std::string>& query, const Request& request) {
    if (path.rfind("/api/v1/", 0) != 0) throw HttpError{404, "unknown API path; see /api/v1/version", {}};
    const std::string name = path.substr(8);
    Response out;
    if (name == "version") {
        require(method, "GET");
        JsonWriter w;
        w.object(JsonWriter::Layout::line).field("version", VRAM_VERSION_STRING).field("api", 1);
        w.field("max_body_bytes", static_cast<std::int64_t>(kMaxBodyBytes));
        w.field("max_sweep_points", static_cast<std::int64_t>(kMaxSweepPoints)).end();
        out.body = w.str();
    } else if (name == "schema") {
        require(method, "GET");
        out.body = schema_;
    } else if (name == "symbols") {
        require(method, "GET");
        out.body = symbols_output(app_, nullptr, "json");
    } else if (name == "presets") {
        require(method, "GET");
        std::vector<std::string> words;
        std::istringstream text(first(query, "q"));
        for (std::string w; text >> w;) words.push_back(w);
        out.body = presets_output(app_, words, "json");
    } else if (name == "scenario") {
        // A scenario preset's keys, so the page can load one into its form.
        require(method, "GET");
        const std::string file = find_scenario_preset(app_.preset_dir(), first(query, "name"));
        if (file.empty()) throw HttpError{404, "no scenario preset '" + first(query, "name") + "' (GET /api/v1/presets)", {}};
        out.body = parse_yaml_file(file).to_json();
    } else if (name == "gpus") {
        require(method, "GET");
        const std::int64_t limit = integer(query, "limit", 0);
        if (limit < 0) throw HttpError{400, "limit: expected 0 (all) or more", {}};
        out.body = gpus_output(app_, first(query, "q"), {}, static_cast<std::size_t>(limit), "json");
    } else if (name == "estimate") {
        require(method, "POST");
        const std::string format = first(query, "format", "json");
        if (format != "json" && format != "markdown" && format != "csv" && format != "html")
            throw HttpError{400, "format=" + format + ": allowed: json, markdown, csv, html", {}};
        const ScenarioInput input = scenario_input(parse_body(request), "request");
        ReportOptions options;
        options.explain = first(query, "explain") == "1" || first(query, "explain") == "true";
        out.body = run_output(app_, input, input.build(), format, options);
        out.content_type = format == "json" ? "application/json"
                           : format == "html" ? "text/html; charset=utf-8"
                           : format == "csv"  ? "text/csv; charset=utf-8"
                                              : "text/markdown; charset=utf-8";
    } else if (name == "fit") {
        require(method, "POST");
        const std::string key = first(query, "maximize", "workload.batch_size");
        ScenarioSession session(app_, common_, scenario_input(parse_body(request), "request"));
        out.body = fit_output(session, key, integer(query, "min", -1), "json");
    } else if (name == "sweep") {
        require(method, "POST");
        SweepRequest sweep;
        for (auto [it, end] = query.equal_range("vary"); it != end; ++it) sweep.varies.push_back(it->second);
        sweep.where = first(query, "where");
        sweep.frontier = first(query, "frontier");
        const std::int64_t limit = integer(query, "limit", 0);
        if (limit < 0) throw HttpError{400, "limit: expected 0 (all) or more", {}};
        sweep.limit = static_cast<std::size_t>(limit);
        sweep.format = first(query, "format", "json");
        if (sweep.format != "json" && sweep.format != "jsonl" && sweep.format != "csv")
            throw HttpError{400, "format=" + sweep.format + ": allowed: json, jsonl, csv", {}};
        const SweepPlan plan = plan_sweep(sweep);
        if (plan.points > kMaxSweepPoints)
            throw HttpError{400, "sweep of " + std::to_string(plan.points) + " points: a request may ask for at most " +
                                     std::to_string(kMaxSweepPoints) + " (vram sweep on the command line has no such cap)",
                            {}};
        ScenarioSession session(app_, common_, scenario_input(parse_body(request), "request"));
        run_sweep(session, plan, out.body, [] {});
        if (sweep.format == "csv") out.content_type = "text/csv; charset=utf-8";
        if (sweep.format == "jsonl") out.content_type = "application/jsonl";
    } else if (name == "recommend") {
        require(method, "POST");
        RecommendRequest rec;
        rec.sort = first(query, "sort", "price");
        rec.kinds = first(query, "kind");
        rec.vendors = first(query, "vendor");
        rec.max_gpus = integer(query, "max_gpus", 0);
        const std::int64_t limit = integer(query, "limit", 0);
        if (limit < 0) throw HttpError{400, "limit: expected 0 (all) or more", {}};
        rec.limit = static_cast<std::size_t>(limit);
        ScenarioSession session(app_, common_, scenario_input(parse_body(request), "request"));
        out.body = recommend_output(app_, session, rec, "json");
    } else if (name == "compare") {
        require(method, "POST");
        const ConfigNode root = parse_body(request);
        const ConfigNode* list = root.is_map() ? root.find("scenarios") : nullptr;
        if (!list || !list->is_list() || list->items().size() < 2 || list->items().size() > kMaxCompareScenarios)
            throw HttpError{400, "<request>: expected {\"scenarios\": [A, B, ...]} with 2 to " +
                                     std::to_string(kMaxCompareScenarios) + " scenarios", "scenarios"};
        std::vector<ScenarioInput> inputs;
        std::vector<Scenario> scenarios;
        std::vector<std::string> names;
        for (std::size_t i = 0; i < list->items().size(); ++i) {
            names.push_back("scenario " + std::to_string(i + 1));
            inputs.push_back(scenario_input(list->items()[i], names.back()));
            scenarios.push_back(inputs.back().build());
        }
        const std::string format = first(query, "format", "json");
        if (format != "json" && format != "markdown" && format != "csv" && format != "html")
            throw HttpError{400, "format=" + format + ": allowed: json, markdown, csv, html", {}};
        out.body = compare_output(app_, inputs, std::move(scenarios), names, format, ReportOptions{});
        if (format != "json") out.content_type = format == "html" ? "text/html; charset=utf-8" : "text/plain; charset=utf-8";
    } else {
        throw HttpError{404, "unknown API path /api/v1/" + name + "; see docs/web.md", {}};
    }
    return out;
}

}  // namespace vram::cli::serve
