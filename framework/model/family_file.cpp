// family_file.cpp - model families as data (format: docs/models.md "Family files"): the
// adapter the registry holds, the header scan that keeps start-up from parsing every family, and
// loading a directory of family files. Reading a file: family_reader.cpp; evaluating it over a
// config.json: family_evaluator.cpp; the expression language: family_expression.hpp.
// SPDX-License-Identifier: Apache-2.0
#include "model/family_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/family_definition.hpp"
#include "scenario/config_cache.hpp"
#include "scenario/scenario_loader.hpp"
#include "plugin/registry.hpp"
#include "vram/error.hpp"

namespace fs = std::filesystem;

namespace vram {

FamilyFileAdapter::FamilyFileAdapter(std::shared_ptr<const FamilyDefinition> definition)
    : path_(definition->path), header_{definition->name, definition->model_types, definition->covers},
      qualified_("family." + definition->name), def_(std::move(definition)) {
    std::call_once(parsed_, [] {});
}
FamilyFileAdapter::FamilyFileAdapter(std::string path, FamilyHeader header, bool header_from_index)
    : path_(std::move(path)), header_(std::move(header)), qualified_("family." + header_.family),
      header_from_index_(header_from_index) {}
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
        // The scan read the same keys the parser did; a disagreement is a scanner bug, or a file
        // edited after the build wrote the directory's index.
        if (d->name != header_.family || d->model_types != header_.model_types || d->covers != header_.covers) {
            if (header_from_index_)
                throw ScenarioError(path_, std::string("family, model_types or covers differ from the directory's ") +
                                               kFamilyIndexName + ", written when vram was built; rebuild, or delete " +
                                               kFamilyIndexName + " to read every file's header");
            throw ScenarioError(path_, "family, model_types or covers read differently by the header scan and the "
                                       "parser; write them as one-line values or flow lists");
        }
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

// The whole file with open, read and close: three system calls where an ifstream (or fopen)
// adds an fstat and a second read; the scan runs over every family file at every start, and on
// a VM system calls are what it costs (docs/performance.md "Cold start").
bool read_whole_file(const std::string& path, std::string& text) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    text.resize(std::max<std::size_t>(text.capacity(), 16384));
    std::size_t used = 0;
    bool ok = true;
    for (;;) {
        if (used == text.size()) text.resize(text.size() * 2);
        const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) ok = false;
        if (n <= 0) break;
        used += static_cast<std::size_t>(n);
        if (used < text.size()) break;  // a regular file: a short read is its end
    }
    ::close(fd);
    text.resize(used);
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

namespace {

std::vector<fs::path> family_files(const std::string& directory) {
    std::error_code ec;
    std::vector<fs::path> files;
    if (!fs::is_directory(directory, ec)) return files;
    for (const auto& e : fs::directory_iterator(directory, ec))
        if (e.path().extension() == ".yaml" && e.is_regular_file(ec)) files.push_back(e.path());
    std::sort(files.begin(), files.end());  // deterministic order, as for plugin libraries
    return files;
}

std::string join_items(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
    return out;
}

std::vector<std::string> split_items(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        out.emplace_back(text.substr(0, comma));
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

// The headers of `files` from the directory's index, when it lists exactly those files (an index
// with a file missing, added or renamed is ignored: each file is then scanned). An entry without
// a header ("-") maps to nothing: that file is parsed in full, as without an index.
bool read_family_index(const std::string& directory, const std::vector<fs::path>& files,
                       std::map<std::string, std::optional<FamilyHeader>, std::less<>>& out) {
    std::string text;
    if (!read_whole_file((fs::path(directory) / kFamilyIndexName).string(), text)) return false;
    for (std::size_t at = 0; at < text.size();) {
        const std::string_view line = next_line(text, at);
        if (line.empty() || line[0] == '#') continue;
        std::vector<std::string_view> cells;
        for (std::string_view rest = line;;) {
            const auto tab = rest.find('\t');
            cells.push_back(rest.substr(0, tab));
            if (tab == std::string_view::npos) break;
            rest.remove_prefix(tab + 1);
        }
        if (cells.size() == 2 && cells[1] == "-") {
            out.emplace(std::string(cells[0]), std::nullopt);
        } else if (cells.size() == 4 && !cells[1].empty() && !cells[2].empty()) {
            out.emplace(std::string(cells[0]),
                        FamilyHeader{std::string(cells[1]), split_items(cells[2]), split_items(cells[3])});
        } else {
            return false;  // not an index this version wrote
        }
    }
    if (out.size() != files.size()) return false;
    for (const auto& f : files)
        if (out.find(f.filename().string()) == out.end()) return false;
    return true;
}

bool index_safe(const std::string& value) { return value.find_first_of("\t\n\r,") == std::string::npos; }

}  // namespace

std::string family_index_text(const std::string& directory) {
    std::string out = std::string("# ") + kFamilyIndexName +
                      ": each family file's header, written by `vram --generate family-index DIR` when vram was "
                      "built (docs/models.md). Delete it to read every file's header at start.\n";
    std::string text;
    for (const auto& f : family_files(directory)) {
        FamilyHeader h;
        bool ok = read_whole_file(f.string(), text) && scan_family_header(text, h) && index_safe(h.family);
        for (const auto* list : {&h.model_types, &h.covers})
            for (const auto& v : *list) ok = ok && index_safe(v);
        out += f.filename().string() + "\t";
        out += ok ? h.family + "\t" + join_items(h.model_types) + "\t" + join_items(h.covers) : std::string("-");
        out += "\n";
    }
    return out;
}

namespace {
fs::path family_cache_path(const fs::path& family_file) {
    return family_file.parent_path() / "families.cache" / (family_file.filename().string() + ".json");
}
}  // namespace

std::optional<ConfigNode> read_family_cache(const std::string& path, const std::string& text) {
    std::string cache;
    if (!read_whole_file(family_cache_path(path).string(), cache)) return std::nullopt;
    return read_config_cache(cache, text_hash(text));
}

void write_family_caches(const std::string& directory) {
    std::string text;
    for (const auto& f : family_files(directory)) {
        if (!read_whole_file(f.string(), text)) continue;
        ConfigNode tree;
        try {
            tree = parse_yaml_text(text, f.string());
        } catch (const Error&) {
            continue;  // a file with an error keeps being parsed, and its error reported, at run time
        }
        const fs::path out = family_cache_path(f);
        std::error_code ec;
        fs::create_directories(out.parent_path(), ec);
        std::FILE* file = std::fopen(out.string().c_str(), "wb");
        if (!file) throw Error("cannot write " + out.string());
        const std::string cache = config_cache_text(tree, text_hash(text));
        const bool ok = std::fwrite(cache.data(), 1, cache.size(), file) == cache.size();
        if (std::fclose(file) != 0 || !ok) throw Error("cannot write " + out.string());
    }
}

std::string family_directory(const std::string& preset_dir) { return (fs::path(preset_dir) / "families").string(); }

std::size_t load_family_directory(Registry& registry, const std::string& directory) {
    const std::vector<fs::path> files = family_files(directory);
    std::map<std::string, std::optional<FamilyHeader>, std::less<>> indexed;
    const bool use_index = !files.empty() && read_family_index(directory, files, indexed);
    std::string text;  // one buffer for every file
    // Which family serves each model_type so far: asked once per adapter, not once per file.
    std::map<std::string, std::pair<std::string, std::string>, std::less<>> claimed;
    for (const auto& e : registry.model_adapters.entries())
        for (const auto& t : e.item->model_types()) claimed.emplace(t, std::make_pair(std::string(e.item->name()), e.origin));
    for (const auto& f : files) {
        const std::string path = f.string();
        // Start-up reads only each file's header (from the index when there is one); the rest is
        // parsed when a model needs the family (a `vram run` touches one family of dozens). A
        // header the scan cannot read is parsed in full now, so its error names file:line at once.
        std::shared_ptr<FamilyFileAdapter> adapter;
        FamilyHeader header;
        if (use_index) {
            const auto& entry = indexed.find(f.filename().string())->second;
            if (entry) adapter = std::make_shared<FamilyFileAdapter>(path, *entry, true);
            else adapter = load_family_file(path);
        } else if (!read_whole_file(path, text) || !scan_family_header(text, header)) {
            adapter = load_family_file(path);
        } else {
            adapter = std::make_shared<FamilyFileAdapter>(path, std::move(header));
        }
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
