// vram/bytes.hpp - byte counts: checked 64-bit arithmetic and GiB rendering
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>

#include "vram/export.hpp"

namespace vram {

/// A byte count. Always an integer; never silently wraps (the helpers below throw).
using Bytes = std::uint64_t;

inline constexpr double kGiB = 1073741824.0;  ///< 2^30
inline constexpr double kMiB = 1048576.0;     ///< 2^20

/// a + b; throws vram::EstimateError on overflow.
VRAM_API Bytes add_bytes(Bytes a, Bytes b);
/// a * b; throws vram::EstimateError on overflow.
VRAM_API Bytes mul_bytes(Bytes a, Bytes b);
/// Rounds a non-negative finite value up to whole bytes; throws vram::EstimateError when the
/// value is negative, NaN, infinite or beyond 2^63. `what` names the term for the message.
VRAM_API Bytes to_bytes(double value, const char* what);
/// "14.96 GiB" (two decimals, binary units).
VRAM_API std::string format_gib(Bytes bytes);
/// "13,476,831,232" (thousands separators), for exact counts in human output.
VRAM_API std::string format_count(std::uint64_t value);
/// Shortest round-trip rendering of a number for formulas ("2", "0.9", "4.127").
VRAM_API std::string format_number(double value);

}  // namespace vram
