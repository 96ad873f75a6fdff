// family_file.cpp - model families as data (format: docs/models.md "Family files"): the
// adapter the registry holds, the header scan that keeps start-up from parsing every family, and
// loading a directory of family files. Reading a file: family_reader.cpp; evaluating it over a
// config.json: family_evaluator.cpp; the expression language: family_expression.hpp.
// SPDX-License-Identifier: Apache-2.0
#include "model/family_file.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "model/family_definition.hpp"
#include "plugin/registry.hpp"
#include "vram/error.hpp"

namespace fs = std::filesystem;

namespace vram {

FamilyFileAdapter::FamilyFileAdapter(std::shared_ptr<const FamilyDefinition> definition)
    : path_(definition->path), header_{definition->name, definition->model_types, definition->covers},
      qualified_("family." + definition->name), def_(std::move(definition)) {
    std::call_once(parsed_, [] {});
}
FamilyFileAdapter::FamilyFileAdapter(std::string path, FamilyHeader header)
    : path_(std::move(path)), header_(std::move(header)), qualified_("family." + header_.family) {}
FamilyFileAdapter::~FamilyFileAdapter() = default;
std::string_view FamilyFileAdapter::name() const { return qualified_; }
std::vector<std::string> FamilyFileAdapter::model_types() const { return header_.model_types; }
const std::string& FamilyFileAdapter::family() const noexcept { return header_.family; }
const std::string& FamilyFileAdapter::path() const noexcept { return path_; }
const std::vector<std::string>& FamilyFileAdapter::covers() const noexcept { return header_.covers; }

const FamilyDefinition& FamilyFileAdapter::definition() const {
    // A throwing parse leaves the flag unset: the next use reports the same error again.
    std::call_once(parsed_, [this] {
        std::shared_ptr<const FamilyDefinition> d = parse_family(path_);
        // The scan read the same keys the parser did; a disagreement would be a scanner bug.
        if (d->name != header_.family || d->model_types != header_.model_types || d->covers != header_.covers)
            throw ScenarioError(path_, "family, model_types or covers read differently by the header scan and the "
                                       "parser; write them as one-line values or flow lists");
        def_ = std::move(d);
    });
    return *def_;
}

void FamilyFileAdapter::check() const { definition(); }

ModelSpec FamilyFileAdapter::build(const ConfigNode& config, const std::string& where) const {
    return evaluate_family(definition(), where, config);
}

std::unique_ptr<FamilyFileAdapter> load_family_file(const std::string& path) {
    return std::make_unique<FamilyFileAdapter>(parse_family(path));
}

namespace {

std::string_view trim(std::string_view text) {
    std::size_t a = 0, b = text.size();
    while (a < b && std::isspace(static_cast<unsigned char>(text[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(text[b - 1]))) --b;
    return text.substr(a, b - a);
}

// A plain or quoted scalar without a comment; false for anything a full YAML reader is needed for.
bool header_scalar(std::string_view text, std::string& out) {
    std::string_view t = trim(text);
    if (const auto hash = t.find(" #"); hash != std::string_view::npos) t = trim(t.substr(0, hash));
    if (t.size() >= 2 && (t.front() == '"' || t.front() == '\'') && t.back() == t.front()) t = t.substr(1, t.size() - 2);
    for (char c : t)
        if (c == '"' || c == '\'' || c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == '&' || c == '*' ||
            c == '#')
            return false;
    out = std::string(t);
    return !out.empty();
}

// The line that starts at `at` (without its newline); `at` moves past it.
std::string_view next_line(std::string_view text, std::size_t& at) {
    const std::size_t begin = at;
    const std::size_t end = text.find('\n', begin);
    at = end == std::string_view::npos ? text.size() + 1 : end + 1;
    return text.substr(begin, (end == std::string_view::npos ? text.size() : end) - begin);
}

// One read of the whole file: an ifstream read through istreambuf_iterator cost 16 instructions
// a byte, most of start-up's family scan (docs/performance.md "Cold start").
bool read_whole_file(const std::string& path, std::string& text) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    text.clear();
    char buffer[16384];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) text.append(buffer, n);
    const bool ok = !std::ferror(f);
    std::fclose(f);
    return ok;
}

}  // namespace

bool scan_family_header(const std::string& file_text, FamilyHeader& out) {
    out = FamilyHeader{};
    const std::string_view text = file_text;
    bool have_family = false, have_types = false;
    // Only top-level lines can hold the header keys; indented lines and comments are skipped
    // without copying (the scan runs over every family file at every start).
    for (std::size_t at = 0; at <= text.size();) {
        const std::string_view line = next_line(text, at);
        if (line.empty() || line[0] == '#' || std::isspace(static_cast<unsigned char>(line[0]))) continue;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string_view key = line.substr(0, colon);
        if (key != "family" && key != "model_types" && key != "covers") continue;
        std::string_view value = trim(line.substr(colon + 1));
        if (const auto hash = value.find(" #"); hash != std::string_view::npos && value.front() != '[')
            value = trim(value.substr(0, hash));
        std::vector<std::string> items;
        if (key == "family") {
            if (!header_scalar(value, out.family)) return false;
            have_family = true;
            continue;
        }
        if (value.empty()) {
            // Block list: the indented "- item" lines that follow.
            for (std::size_t j = at; j <= text.size();) {
                const std::string_view raw = next_line(text, j);
                const std::string_view item = trim(raw);
                if (item.empty() || item[0] == '#') continue;
                if (!std::isspace(static_cast<unsigned char>(raw[0])) || item[0] != '-') break;
                std::string v;
                if (!header_scalar(item.substr(1), v)) return false;
                items.push_back(std::move(v));
            }
        } else {
            if (value.front() != '[') return false;
            const auto close = value.find(']');
            if (close == std::string_view::npos || !trim(value.substr(close + 1)).empty()) {
                const std::string_view rest = trim(value.substr(close == std::string_view::npos ? 0 : close + 1));
                if (close == std::string_view::npos || rest.front() != '#') return false;
            }
            const std::string_view inner = value.substr(1, close - 1);
            for (std::size_t p = 0; p <= inner.size();) {
                const auto comma = inner.find(',', p);
                const std::string_view piece = inner.substr(p, comma == std::string_view::npos ? std::string_view::npos : comma - p);
                if (!trim(piece).empty()) {
                    std::string v;
                    if (!header_scalar(piece, v)) return false;
                    items.push_back(std::move(v));
                }
                if (comma == std::string_view::npos) break;
                p = comma + 1;
            }
        }
        if (key == "model_types") {
            out.model_types = std::move(items);
            have_types = !out.model_types.empty();
        } else {
            out.covers = std::move(items);
        }
    }
    for (char c : out.family)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
    return have_family && have_types;
}

std::string family_directory(const std::string& preset_dir) { return (fs::path(preset_dir) / "families").string(); }

std::size_t load_family_directory(Registry& registry, const std::string& directory) {
    std::error_code ec;
    if (!fs::is_directory(directory, ec)) return 0;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(directory, ec))
        if (e.path().extension() == ".yaml" && e.is_regular_file(ec)) files.push_back(e.path());
    std::sort(files.begin(), files.end());  // deterministic order, as for plugin libraries
    std::string text;  // one buffer for every file
    // Which family serves each model_type so far: asked once per adapter, not once per file.
    std::map<std::string, std::pair<std::string, std::string>, std::less<>> claimed;
    for (const auto& e : registry.model_adapters.entries())
        for (const auto& t : e.item->model_types()) claimed.emplace(t, std::make_pair(std::string(e.item->name()), e.origin));
    for (const auto& f : files) {
        const std::string path = f.string();
        // Start-up reads only each file's header; the rest is parsed when a model needs the
        // family (a `vram run` touches one family of dozens). A header the scan cannot read is
        // parsed in full now, so its error names file:line at once.
        std::shared_ptr<FamilyFileAdapter> adapter;
        FamilyHeader header;
        if (!read_whole_file(path, text) || !scan_family_header(text, header)) adapter = load_family_file(path);
        else adapter = std::make_shared<FamilyFileAdapter>(path, std::move(header));
        // A model_type has one family: a second claim is an error naming both, never a silent
        // override (the family C++ plugins and earlier files registered stays authoritative).
        for (const auto& type : adapter->model_types())
            if (const auto owner = claimed.find(type); owner != claimed.end())
                throw ScenarioError(path, "model_type '" + type + "' is already served by " + owner->second.first +
                                              " (" + owner->second.second +
                                              "); a family file never replaces another family: remove it "
                                              "from model_types, or reuse that family with model.family");
        const std::string name = std::string(adapter->name());
        if (const ModelAdapter* other = registry.model_adapters.find(name))
            throw ScenarioError(path, "family '" + adapter->family() + "' is already defined by " +
                                          registry.model_adapters.origin(name) + " (" + std::string(other->name()) + ")");
        for (const auto& type : adapter->model_types()) claimed.emplace(type, std::make_pair(name, path));
        registry.model_adapters.add(adapter, name, {}, path);
    }
    return files.size();
}

}  // namespace vram
