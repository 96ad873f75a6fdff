// cmd_search.cpp - vram search QUERY: models on the Hugging Face Hub and ModelScope whose name
// matches, each marked with whether the loaded model adapters can estimate it (issue 17).
// The HTTP goes through libvram_hub.so (search_hub), so this file and the framework stay free of libcurl.
// SPDX-License-Identifier: Apache-2.0
#include <iostream>
#include <set>

#include "app.hpp"
#include "hub/hub.hpp"
#include "report/report.hpp"
#include "vram/error.hpp"

namespace vram::cli {
namespace {

struct Row {
    HubSearchHit hit;
    int estimable = -1;  ///< 1 yes, 0 no, -1 unknown (the hub reports no model_type)
};

std::string reference(const HubSearchHit& h) { return h.hub + ":" + h.id; }

std::string estimable_text(int e) { return e == 1 ? "yes" : e == 0 ? "no" : "?"; }

std::string count_text(std::int64_t n) { return n < 0 ? "" : std::to_string(n); }

std::string csv(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string markdown(const std::string& text) {
    std::string out;
    for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
    return out;
}

std::string to_json(const std::vector<Row>& rows) {
    JsonWriter w;
    w.array();
    for (const auto& r : rows) {
        const HubSearchHit& h = r.hit;
        w.object(JsonWriter::Layout::line).field("hub", h.hub).field("id", h.id).field("model", reference(h));
        // Fields are always present; what a hub does not report is null, never 0 or "".
        auto text = [&](const char* key, const std::string& v) {
            w.key(key);
            if (v.empty()) w.null();
            else w.value(v);
        };
        auto count = [&](const char* key, std::int64_t v) {
            w.key(key);
            if (v < 0) w.null();
            else w.value(v);
        };
        text("model_type", h.model_type);
        w.key("estimable");
        if (r.estimable < 0) w.null();
        else w.value(r.estimable == 1);
        count("downloads", h.downloads);
        count("likes", h.likes);
        text("pipeline_tag", h.pipeline_tag);
        w.end();
    }
    w.end();
    return w.str();
}

std::string to_table(const std::vector<Row>& rows, const std::string& query) {
    if (rows.empty()) return "no hub model matches '" + query + "'\n";
    const std::vector<std::string> head{"MODEL", "MODEL_TYPE", "VRAM", "DOWNLOADS", "LIKES", "TASK"};
    std::vector<std::vector<std::string>> cells;
    for (const auto& r : rows)
        cells.push_back({reference(r.hit), r.hit.model_type.empty() ? "?" : r.hit.model_type, estimable_text(r.estimable),
                         count_text(r.hit.downloads), count_text(r.hit.likes), r.hit.pipeline_tag});
    std::vector<std::size_t> width(head.size());
    for (std::size_t c = 0; c < head.size(); ++c) {
        width[c] = head[c].size();
        for (const auto& row : cells) width[c] = std::max(width[c], row[c].size());
    }
    auto line = [&](const std::vector<std::string>& v) {
        std::string out;
        for (std::size_t c = 0; c < v.size(); ++c) {
            const bool number = c == 3 || c == 4;  // counts align right
            const std::string pad(width[c] - v[c].size(), ' ');
            out += (c ? "  " : "") + (number ? pad + v[c] : (c + 1 == v.size() ? v[c] : v[c] + pad));
        }
        return out + "\n";
    };
    std::string out = line(head);
    for (const auto& row : cells) out += line(row);
    out += "\nVRAM: yes = `vram inspect MODEL` can estimate it, no = its model_type has no model adapter, "
           "? = the hub does not report the model_type (ModelScope): try `vram inspect MODEL`\n";
    return out;
}

std::string to_csv(const std::vector<Row>& rows) {
    std::string out = "hub,id,model,model_type,estimable,downloads,likes,pipeline_tag\n";
    for (const auto& r : rows) {
        const HubSearchHit& h = r.hit;
        out += csv(h.hub) + "," + csv(h.id) + "," + csv(reference(h)) + "," + csv(h.model_type) + "," +
               (r.estimable < 0 ? "" : r.estimable ? "true" : "false") + "," + count_text(h.downloads) + "," +
               count_text(h.likes) + "," + csv(h.pipeline_tag) + "\n";
    }
    return out;
}

std::string to_markdown(const std::vector<Row>& rows) {
    std::string out = "| model | model_type | vram | downloads | likes | task |\n|---|---|---|---:|---:|---|\n";
    for (const auto& r : rows)
        out += "| " + markdown(reference(r.hit)) + " | " + markdown(r.hit.model_type.empty() ? "?" : r.hit.model_type) +
               " | " + estimable_text(r.estimable) + " | " + count_text(r.hit.downloads) + " | " +
               count_text(r.hit.likes) + " | " + markdown(r.hit.pipeline_tag) + " |\n";
    return out;
}

}  // namespace

int cmd_search(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    std::vector<std::string> words;
    std::string hub = "all";
    int limit = 20;
    po::options_description desc("options");
    desc.add_options()("query", po::value(&words)->composing(), "text to find in model names (\"llama 8b\", \"qwen3\")")
        ("hub", po::value(&hub), "hf | ms | all: which hub's search API to ask (default all)")
        ("limit,n", po::value(&limit), "at most N models per hub, 1 to 100 (default 20)");
    add_common_options(desc, common, CommandTraits{{"table", "json", "csv", "markdown"}, "", false, false});
    po::positional_options_description pos;
    pos.add("query", -1);
    parse_command("search", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("search", "QUERY... [--hub hf|ms|all] [--limit N] [--format table|json|csv|markdown]",
                                  desc);
        return 0;
    }
    std::string query;
    for (const auto& w : words) query += (query.empty() ? "" : " ") + w;
    if (query.empty()) throw UsageError("vram search: missing QUERY (see vram search --help)");
    if (hub != "hf" && hub != "ms" && hub != "all")
        throw UsageError("--hub " + hub + ": unknown hub; allowed: hf, ms, all");
    if (limit < 1 || limit > 100) throw UsageError("--limit " + std::to_string(limit) + ": allowed: 1 to 100");
    const std::string format = output_format(common);
    app.load_plugins(common);

    // What the loaded adapters read: a hit is estimable when its model_type is one of these.
    std::set<std::string> known;
    for (const auto& e : app.registry().model_adapters.entries())
        for (const auto& t : e.item->model_types()) known.insert(t);

    std::vector<Row> rows;
    std::vector<std::string> failures;
    const std::vector<std::string> hubs = hub == "all" ? std::vector<std::string>{"hf", "ms"} : std::vector<std::string>{hub};
    for (const auto& h : hubs) {
        try {
            for (auto& hit : search_hub(HubSettings::from_environment(h), query, static_cast<std::size_t>(limit))) {
                Row r;
                r.estimable = hit.model_type.empty() ? -1 : known.count(hit.model_type) ? 1 : 0;
                r.hit = std::move(hit);
                rows.push_back(std::move(r));
            }
        } catch (const Error& e) {
            failures.push_back(e.what());
        }
    }
    // One hub failing while the other answered is reported, not fatal: the answer is still useful.
    if (failures.size() == hubs.size()) {
        std::string all;
        for (std::size_t i = 0; i < failures.size(); ++i) all += (i ? "; " : "") + failures[i];
        throw ScenarioError("", all);
    }
    for (const auto& f : failures) std::cerr << "vram: warning: " << f << " (showing the other hub's results)\n";

    const std::string out = format == "json"       ? to_json(rows)
                            : format == "csv"      ? to_csv(rows)
                            : format == "markdown" ? to_markdown(rows)
                                                   : to_table(rows, query);
    emit(common, out);
    return 0;
}

}  // namespace vram::cli
