// text/edit_distance.hpp - the one edit distance behind every "did you mean" (internal).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string_view>

#include "vram/export.hpp"

namespace vram {

/// Levenshtein distance, ASCII case-insensitive. With `count_swaps`, a swap of neighbours costs
/// one edit (optimal string alignment): GPU search wants "nvidai" one typo from "nvidia", while
/// name and symbol suggestions keep their plain distance so their rankings stay as documented.
VRAM_API std::size_t edit_distance(std::string_view a, std::string_view b, bool count_swaps = false);

}  // namespace vram
