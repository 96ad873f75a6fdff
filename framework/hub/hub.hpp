// hub/hub.hpp - host side: models from the Hugging Face Hub and ModelScope (config.json and
// safetensors headers over HTTP range requests, with an offline cache)
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vram/config_node.hpp"
#include "vram/export.hpp"

namespace vram {

/// Tensor sizes read from a checkpoint's safetensors headers.
struct CheckpointInfo {
    std::uint64_t bytes = 0;       ///< tensor payload bytes, all shards
    std::uint64_t elements = 0;    ///< Σ numel (packed int32 weights count as stored)
    std::size_t tensors = 0;
    std::size_t files = 0;
    std::vector<std::pair<std::string, std::uint64_t>> bytes_by_dtype;     ///< "BF16" -> bytes
    std::vector<std::pair<std::string, std::uint64_t>> elements_by_dtype;  ///< "BF16" -> numel
    std::string source;            ///< "hf:org/name@rev (3 safetensors shards)"
};

/// A model fetched from a hub (or its cache).
struct HubModel {
    std::string hub;               ///< "hf" or "ms"
    std::string repo;              ///< "org/name"
    std::string revision;          ///< "main"
    ConfigNode config;             ///< config.json
    std::optional<CheckpointInfo> checkpoint;  ///< when safetensors headers were available
    std::string cache_dir;         ///< where the files are cached
};

/// Where and how to fetch, from the environment users already set:
///  hf: HF_ENDPOINT (default https://huggingface.co), HF_TOKEN, HF_HUB_OFFLINE, HF_HUB_CACHE or
///      HF_HOME/hub (default ~/.cache/huggingface/hub);
///  ms: MODELSCOPE_ENDPOINT or MODELSCOPE_DOMAIN (default https://modelscope.cn), MODELSCOPE_API_TOKEN,
///      MODELSCOPE_OFFLINE (or HF_HUB_OFFLINE), MODELSCOPE_CACHE (default ~/.cache/modelscope/hub).
struct HubSettings {
    std::string hub = "hf";
    std::string endpoint;
    std::string token;
    bool offline = false;
    std::string cache_dir;
    long connect_timeout_s = 10;
    long timeout_s = 60;
    std::uint64_t max_file_bytes = 64ull << 20;     ///< config.json / index files
    std::uint64_t max_header_bytes = 100ull << 20;  ///< safetensors header limit (the format's own)
    static HubSettings from_environment(const std::string& hub);
};

/// Fetches config.json and, where present, the safetensors index and headers (HTTP range
/// requests; weights are never downloaded). Files are cached; offline mode reads only the cache.
/// Throws ScenarioError with one clear line for 401 / 404 / offline / rate limit / network errors.
VRAM_API HubModel fetch_hub_model(const HubSettings& settings, const std::string& repo, const std::string& revision);

/// Splits "hf:org/name[@rev]" / "ms:org/name[@rev]" / "org/name"; returns false if not a hub id.
VRAM_API bool parse_hub_id(const std::string& text, std::string& hub, std::string& repo, std::string& revision);

}  // namespace vram
