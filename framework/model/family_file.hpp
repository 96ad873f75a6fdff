// model/family_file.hpp - model families as data (issue 17): a YAML family file turns a
// config.json into the exact tensor list of its ModelSpec, without a compiler.
//
// The format is documented in docs/models.md ("Family files"). One file is one family: the
// model_type values it serves, the defaults its transformers config class applies, derived
// values and ModelSpec fields as expressions over the config, per-layer facts and the tensors.
// A FamilyFileAdapter is an ordinary ModelAdapter, so everything downstream (counts, formats,
// LoRA targets, the attention stage) reads a data family exactly as it reads a C++ one.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vram/config_node.hpp"
#include "vram/export.hpp"
#include "vram/model_adapter.hpp"

namespace vram {

class Registry;

struct FamilyDefinition;  // the parsed file (family_file.cpp)

/// What the registry needs of a family file before any model asks for it: its name, the
/// model_type values it serves and what it covers (the file's first keys).
struct FamilyHeader {
    std::string family;
    std::vector<std::string> model_types;
    std::vector<std::string> covers;
};

/// Reads family:, model_types: and covers: from a family file's text without parsing the rest
/// (one-line `key: value`, flow lists `[a, b]` or block lists of `- a` lines). False when the
/// text says them in any other way; the caller then parses the whole file, whose reader reports
/// what is wrong with file:line.
VRAM_API bool scan_family_header(const std::string& text, FamilyHeader& out);

/// A model adapter evaluated from a family file.
class VRAM_API FamilyFileAdapter final : public ModelAdapter {
public:
    /// From a parsed file.
    explicit FamilyFileAdapter(std::shared_ptr<const FamilyDefinition> definition);
    /// From a file whose header was scanned: the rest is parsed on first use (check() or
    /// build()), so that start-up reads no family a scenario does not use. Thread-safe.
    FamilyFileAdapter(std::string path, FamilyHeader header, bool header_from_index = false);
    ~FamilyFileAdapter() override;
    std::string_view name() const override;
    std::vector<std::string> model_types() const override;
    ModelSpec build(const ConfigNode& config, const std::string& where) const override;

    /// The family's short name ("olmo2"); name() is "family.olmo2".
    const std::string& family() const noexcept;
    /// The file it was read from.
    const std::string& path() const noexcept;
    /// What it covers, as the file declares it ("text", "dense", "moe", "vision" ...).
    const std::vector<std::string>& covers() const noexcept;
    /// Parses the whole file now if that has not happened; throws ScenarioError("FILE:LINE", ...)
    /// for anything wrong in it (`vram families` checks every file this way).
    void check() const;

private:
    const FamilyDefinition& definition() const;
    std::string path_;
    FamilyHeader header_;
    std::string qualified_;
    bool header_from_index_ = false;  // read from the directory's families.index, not the file
    mutable std::once_flag parsed_;
    mutable std::shared_ptr<const FamilyDefinition> def_;
};

/// Parses one family file; throws ScenarioError("FILE:LINE", what is wrong) on any error.
VRAM_API std::unique_ptr<FamilyFileAdapter> load_family_file(const std::string& path);

/// The name of a directory's header index (written at build time for the shipped families).
inline constexpr const char* kFamilyIndexName = "families.index";

/// The text of `directory`'s families.index: one line per *.yaml file (sorted), "FILE<TAB>family
/// <TAB>type,type<TAB>cover,cover" from scan_family_header, or "FILE<TAB>-" for a file whose header
/// the scan cannot read (parsed in full at start-up). `vram --generate family-index DIR` writes it.
VRAM_API std::string family_index_text(const std::string& directory);

/// The parsed tree of the family file at `path` from its directory's families.cache/FILE.json,
/// written at build time (write_family_caches), when that was made from exactly `text`; nothing
/// otherwise (then the caller parses the YAML).
VRAM_API std::optional<ConfigNode> read_family_cache(const std::string& path, const std::string& text);

/// Writes families.cache/FILE.json for every family file of `directory` that parses as YAML:
/// the tree parse_yaml_text gives and the hash of the text (`vram --generate family-index DIR`).
VRAM_API void write_family_caches(const std::string& directory);

/// Registers every *.yaml family file of `directory` (sorted) in `registry`, origin = the file.
/// When the directory holds a families.index that lists exactly its *.yaml files, the headers
/// come from it (one file read instead of one per family: docs/performance.md "Cold start");
/// otherwise each file's header is scanned.
/// A missing directory is not an error. A family name or model_type that a loaded adapter (C++
/// plugin or earlier file) already has is an error naming both origins: a data family never
/// silently shadows another family. Returns the number of files registered.
VRAM_API std::size_t load_family_directory(Registry& registry, const std::string& directory);

/// The directory of shipped family files under a preset directory: PRESET_DIR/families.
VRAM_API std::string family_directory(const std::string& preset_dir);

}  // namespace vram
