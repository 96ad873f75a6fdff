// family_file.cpp - model families as data (format: docs/models.md "Family files"): the
// adapter the registry holds, the header scan that keeps start-up from parsing every family, and
// loading a directory of family files. Reading a file: family_reader.cpp; evaluating it over a
// config.json: family_evaluator.cpp; the expression language: family_expression.hpp.
// SPDX-License-Identifier: Apache-2.0
#include "model/family_file.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
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

std::string trim(std::string_view text) {
    std::size_t a = 0, b = text.size();
    while (a < b && std::isspace(static_cast<unsigned char>(text[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(text[b - 1]))) --b;
    return std::string(text.substr(a, b - a));
}

// A plain or quoted scalar without a comment; false for anything a full YAML reader is needed for.
bool header_scalar(std::string_view text, std::string& out) {
    std::string t = trim(text);
    if (const auto hash = t.find(" #"); hash != std::string::npos) t = trim(std::string_view(t).substr(0, hash));
    if (t.size() >= 2 && (t.front() == '"' || t.front() == '\'') && t.back() == t.front()) t = t.substr(1, t.size() - 2);
    for (char c : t)
        if (c == '"' || c == '\'' || c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == '&' || c == '*' ||
            c == '#')
            return false;
    out = t;
    return !out.empty();
}

}  // namespace

bool scan_family_header(const std::string& text, FamilyHeader& out) {
    out = FamilyHeader{};
    std::vector<std::string> lines;
    for (std::size_t at = 0; at <= text.size();) {
        const auto end = text.find('\n', at);
        lines.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
        if (end == std::string::npos) break;
        at = end + 1;
    }
    bool have_family = false, have_types = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (line.empty() || line[0] == '#' || std::isspace(static_cast<unsigned char>(line[0]))) continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string key = line.substr(0, colon);
        if (key != "family" && key != "model_types" && key != "covers") continue;
        std::string value = trim(std::string_view(line).substr(colon + 1));
        if (const auto hash = value.find(" #"); hash != std::string::npos && value.front() != '[') value = trim(value.substr(0, hash));
        std::vector<std::string> items;
        if (key == "family") {
            if (!header_scalar(value, out.family)) return false;
            have_family = true;
            continue;
        }
        if (value.empty()) {
            // Block list: the indented "- item" lines that follow.
            for (std::size_t j = i + 1; j < lines.size(); ++j) {
                const std::string item = trim(lines[j]);
                if (item.empty() || item[0] == '#') continue;
                if (!std::isspace(static_cast<unsigned char>(lines[j][0])) || item[0] != '-') break;
                std::string v;
                if (!header_scalar(std::string_view(item).substr(1), v)) return false;
                items.push_back(v);
            }
        } else {
            if (value.front() != '[') return false;
            const auto close = value.find(']');
            if (close == std::string::npos || !trim(std::string_view(value).substr(close + 1)).empty()) {
                const std::string rest = trim(std::string_view(value).substr(close == std::string::npos ? 0 : close + 1));
                if (close == std::string::npos || rest.front() != '#') return false;
            }
            const std::string inner = value.substr(1, close - 1);
            for (std::size_t at = 0; at <= inner.size();) {
                const auto comma = inner.find(',', at);
                const std::string piece = inner.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
                if (!trim(piece).empty()) {
                    std::string v;
                    if (!header_scalar(piece, v)) return false;
                    items.push_back(v);
                }
                if (comma == std::string::npos) break;
                at = comma + 1;
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
    for (const auto& f : files) {
        const std::string path = f.string();
        // Start-up reads only each file's header; the rest is parsed when a model needs the
        // family (a `vram run` touches one family of dozens). A header the scan cannot read is
        // parsed in full now, so its error names file:line at once.
        std::shared_ptr<FamilyFileAdapter> adapter;
        FamilyHeader header;
        std::ifstream in(f, std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (in.bad() || !scan_family_header(text, header)) adapter = load_family_file(path);
        else adapter = std::make_shared<FamilyFileAdapter>(path, std::move(header));
        // A model_type has one family: a second claim is an error naming both, never a silent
        // override (the family C++ plugins and earlier files registered stays authoritative).
        for (const auto& type : adapter->model_types())
            for (const auto& e : registry.model_adapters.entries())
                for (const auto& t : e.item->model_types())
                    if (t == type)
                        throw ScenarioError(path, "model_type '" + type + "' is already served by " +
                                                      std::string(e.item->name()) + " (" + e.origin +
                                                      "); a family file never replaces another family: remove it "
                                                      "from model_types, or reuse that family with model.family");
        const std::string name = std::string(adapter->name());
        if (const ModelAdapter* other = registry.model_adapters.find(name))
            throw ScenarioError(path, "family '" + adapter->family() + "' is already defined by " +
                                          registry.model_adapters.origin(name) + " (" + std::string(other->name()) + ")");
        registry.model_adapters.add(adapter, name, {}, path);
    }
    return files.size();
}

}  // namespace vram
