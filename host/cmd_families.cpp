// cmd_families.cpp - vram families: every model family (C++ adapter or family file), the
// model_type values it serves, where it comes from and what it covers (issue 17).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <iostream>
#include <map>

#include "app.hpp"
#include "model/family_file.hpp"
#include "report/json_writer.hpp"

namespace vram::cli {
namespace {

// What the first-party C++ adapters cover. The ModelAdapter interface has no such query (adding
// one would change the plugin ABI for a listing), so the host keeps this table for its own
// plugin; family files declare `covers:` themselves, third-party adapters show none.
const std::map<std::string, std::vector<std::string>>& cpp_covers() {
    static const std::map<std::string, std::vector<std::string>> table = {
        {"core.model.llama", {"text", "dense", "sliding"}},
        {"core.model.gemma", {"text", "dense", "sliding"}},
        {"core.model.phi3", {"text", "dense"}},
        {"core.model.baichuan", {"text", "dense"}},
        {"core.model.chatglm", {"text", "dense"}},
        {"core.model.glm", {"text", "dense"}},
        {"core.model.mixtral", {"text", "moe"}},
        {"core.model.qwen_moe", {"text", "moe"}},
        {"core.model.deepseek", {"text", "moe", "mla", "mtp"}},
        {"core.model.gpt_oss", {"text", "moe", "sliding"}},
        {"core.model.gpt2", {"text", "dense"}},
        {"core.model.gpt_neox", {"text", "dense"}},
        {"core.model.gptj", {"text", "dense"}},
        {"core.model.bloom", {"text", "dense"}},
        {"core.model.opt", {"text", "dense"}},
        {"core.model.falcon", {"text", "dense"}},
        {"core.model.bert", {"text", "encoder"}},
        {"core.model.mamba", {"text", "ssm"}},
        {"core.model.jamba", {"text", "ssm", "moe", "hybrid"}},
        {"core.model.llava", {"multimodal", "vision"}},
        {"core.model.qwen2_vl", {"multimodal", "vision", "video"}},
        {"core.model.gemma3", {"multimodal", "vision", "sliding"}},
        {"core.model.whisper", {"multimodal", "audio", "encoder-decoder"}},
        {"mm.model.qwen2_audio", {"multimodal", "audio"}},
    };
    return table;
}

std::string join(const std::vector<std::string>& items, const char* separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i];
    return out;
}

struct Row {
    std::string name;     ///< short name: llama, olmo2
    std::string adapter;  ///< registered name: core.model.llama, family.olmo2
    std::string kind;     ///< "c++" or "file"
    std::string source;   ///< plugin file or family file
    std::vector<std::string> model_types, covers;
};

}  // namespace

int cmd_families(App& app, int argc, const char* const* argv) {
    CommonOptions common;
    po::options_description desc("options");
    add_common_options(desc, common, CommandTraits{{"table", "json"}, "", false, false});
    po::positional_options_description pos;
    parse_command("families", argc, argv, desc, pos);
    if (common.help) {
        std::cout << command_help("families", "[--plugin-dir DIR]", desc);
        return 0;
    }
    const std::string format = output_format(common);
    app.load_plugins(common);
    std::vector<Row> rows;
    std::size_t types = 0;
    for (const auto& e : app.registry().model_adapters.entries()) {
        Row r;
        r.adapter = std::string(e.item->name());
        r.name = r.adapter.substr(r.adapter.rfind('.') == std::string::npos ? 0 : r.adapter.rfind('.') + 1);
        r.model_types = e.item->model_types();
        r.source = e.origin;
        types += r.model_types.size();
        if (const auto* file = dynamic_cast<const FamilyFileAdapter*>(e.item.get())) {
            file->check();  // start-up read only its header: the list vouches for the whole file
            r.kind = "file";
            r.covers = file->covers();
        } else {
            r.kind = "c++";
            if (auto it = cpp_covers().find(r.adapter); it != cpp_covers().end()) r.covers = it->second;
        }
        rows.push_back(std::move(r));
    }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.name < b.name; });
    const auto files = static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](const Row& r) { return r.kind == "file"; }));
    std::string out;
    if (format == "json") {
        JsonWriter w;
        w.object().field("count", static_cast<std::int64_t>(rows.size()))
            .field("family_files", static_cast<std::int64_t>(files))
            .field("model_types", static_cast<std::int64_t>(types));
        w.key("families").array();
        for (const auto& r : rows) {
            w.object(JsonWriter::Layout::line).field("name", r.name).field("adapter", r.adapter).field("kind", r.kind);
            w.key("model_types").array();
            for (const auto& t : r.model_types) w.value(t);
            w.end().key("covers").array();
            for (const auto& c : r.covers) w.value(c);
            w.end().field("source", r.source).end();
        }
        w.end().end();
        out = w.str();
    } else {
        std::size_t wn = 6, wt = 11, wc = 6;
        for (const auto& r : rows) {
            wn = std::max(wn, r.name.size());
            wt = std::max(wt, join(r.model_types, ", ").size());
            wc = std::max(wc, join(r.covers, ", ").size());
        }
        wt = std::min<std::size_t>(wt, 48);
        const auto pad = [](const std::string& s, std::size_t w) { return s + std::string(s.size() < w ? w - s.size() : 0, ' '); };
        out += pad("family", wn) + "  " + pad("model_types", wt) + "  " + pad("covers", wc) + "  source\n";
        for (const auto& r : rows)
            out += pad(r.name, wn) + "  " + pad(join(r.model_types, ", "), wt) + "  " + pad(join(r.covers, ", "), wc) +
                   "  " + (r.kind == "file" ? r.source : "C++ " + r.adapter + " (" + r.source + ")") + "\n";
        out += std::to_string(rows.size()) + " families (" + std::to_string(rows.size() - files) + " C++, " +
               std::to_string(files) + " family files), " + std::to_string(types) + " model_types\n";
    }
    emit(common, out);
    return 0;
}

}  // namespace vram::cli
