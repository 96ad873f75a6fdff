// scenario/config_cache.hpp - a parsed YAML tree saved as JSON, for files read at every start
// (the shipped family files): yaml-cpp spends about 1,000 instructions a byte, Boost.JSON a few,
// and a `vram run` parses one family file (docs/performance.md "Cold start").
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vram/config_node.hpp"
#include "vram/export.hpp"

namespace vram {

/// FNV-1a (64 bits) of a file's text: a cache entry holds the hash of the text it was made from
/// and is used only for that exact text, so a file edited after the build is parsed again.
VRAM_API std::uint64_t text_hash(std::string_view text) noexcept;

/// The tree, every node with its kind, source mark (line, column) and text, and the hash of the
/// text it was parsed from, as one JSON document.
VRAM_API std::string config_cache_text(const ConfigNode& tree, std::uint64_t source_hash);

/// The tree of a cache document made from text whose hash is `source_hash`; nothing when the
/// document was made from other text or is not such a document.
VRAM_API std::optional<ConfigNode> read_config_cache(std::string_view cache, std::uint64_t source_hash);

}  // namespace vram
