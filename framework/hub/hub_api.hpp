// hub/hub_api.hpp - the one entry point of libvram_hub.so, the library that holds libcurl.
// The framework loads it only when a model comes from a hub, so `vram --version` or a preset
// run never pays for libcurl and the ~40 libraries behind it (issue 16).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hub/hub.hpp"

namespace vram {

/// A failure inside the hub library, carried across the boundary as data: an exception
/// never unwinds through the C entry point.
struct HubFailure {
    bool scenario_error = false;  ///< true: rethrow as ScenarioError(where, detail)
    std::string where;
    std::string detail;           ///< ScenarioError::detail(), or what() of any other exception
};

}  // namespace vram

/// Bumped whenever a field below changes meaning or type.
#define VRAM_HUB_API_VERSION 2  // 2: search (vram search, issue 17)
#define VRAM_HUB_ENTRY_POINT "vram_hub_get_api"

extern "C" {

/// A C-style table: the version first, so any library can be checked before anything else is read.
/// The function takes framework types (HubSettings, HubModel), so the library must come from the
/// same build: the version string and the struct sizes catch a stale copy.
struct vram_hub_api {
    int api_version;                 ///< VRAM_HUB_API_VERSION
    const char* vram_version;        ///< VRAM_VERSION_STRING the library was built with
    std::size_t settings_size;       ///< sizeof(vram::HubSettings)
    std::size_t model_size;          ///< sizeof(vram::HubModel)
    /// Fills `out`, or `failure` and returns false. Never throws.
    bool (*fetch)(const vram::HubSettings* settings, const char* repo, const char* revision, vram::HubModel* out,
                  vram::HubFailure* failure) noexcept;
    std::size_t search_hit_size;     ///< sizeof(vram::HubSearchHit)
    /// Fills `out` with at most `limit` models matching `query` on settings->hub, or `failure` and
    /// returns false. Never throws.
    bool (*search)(const vram::HubSettings* settings, const char* query, std::size_t limit,
                   std::vector<vram::HubSearchHit>* out, vram::HubFailure* failure) noexcept;
};

using vram_hub_get_api_fn = const vram_hub_api* (*)();

}  // extern "C"
