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

/// One tensor of a safetensors header, as stored: `vram inspect` compares these with the family's
/// tensors (model/checkpoint_compare.hpp), so a wrong family file is caught on first use.
struct CheckpointTensor {
    std::string name;                  ///< full checkpoint name: "model.layers.3.self_attn.q_proj.weight"
    std::string dtype;                 ///< safetensors dtype: "BF16", "I32", "F8_E4M3" ...
    std::vector<std::int64_t> shape;   ///< as stored ([] for a scalar; packed int32 weights as packed)
    std::uint64_t bytes = 0;           ///< data_offsets[1] - data_offsets[0]

    std::uint64_t elements() const noexcept {
        std::uint64_t n = 1;
        for (auto d : shape) n *= static_cast<std::uint64_t>(d);
        return n;
    }
};

/// Tensor sizes read from a checkpoint's safetensors headers.
struct CheckpointInfo {
    std::uint64_t bytes = 0;       ///< tensor payload bytes, all shards
    std::uint64_t elements = 0;    ///< Σ numel (packed int32 weights count as stored)
    std::size_t tensors = 0;
    std::size_t files = 0;
    std::vector<std::pair<std::string, std::uint64_t>> bytes_by_dtype;     ///< "BF16" -> bytes
    std::vector<std::pair<std::string, std::uint64_t>> elements_by_dtype;  ///< "BF16" -> numel
    std::string source;            ///< "hf:org/name@rev (3 safetensors shards)"
    std::vector<CheckpointTensor> entries;  ///< every tensor of every header, in header order
    /// config.json's quantization_config.quant_method ("gptq", "awq", "fp8", "bitsandbytes" ...);
    /// "quantization_config" when the object names no method; "" when the config has none.
    std::string quantization;
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
    VRAM_API static HubSettings from_environment(const std::string& hub);
};

/// Fetches config.json and, where present, the safetensors index and headers (HTTP range
/// requests; weights are never downloaded). Files are cached; offline mode reads only the cache.
/// Throws ScenarioError with one clear line for 401 / 404 / offline / rate limit / network errors.
VRAM_API HubModel fetch_hub_model(const HubSettings& settings, const std::string& repo, const std::string& revision);

/// A model on a hub, as users write it: an id, a prefixed id or a web URL (parse_hub_reference).
struct HubReference {
    std::string hub = "hf";        ///< "hf" or "ms"
    std::string repo;              ///< "org/name"
    std::string revision;          ///< as given, else the hub's default branch (default_revision)
    bool revision_given = false;   ///< the text named a revision (@rev, /tree/rev, ?revision=rev)
};

/// The branch a hub serves when no revision is named: "main" on Hugging Face, "master" on ModelScope.
VRAM_API std::string default_revision(const std::string& hub);

/// Reads every form of a hub model reference:
///   org/name, hf:org/name, ms:org/name (each with an optional @revision);
///   https://huggingface.co/org/name, huggingface.co/..., hf.co/..., https://hf.co/... with an optional
///   /tree/REV (also /blob/REV/FILE, /resolve/REV/FILE);
///   https://modelscope.cn/models/org/name, modelscope.cn/models/... with an optional /files, /summary,
///   /file/view/REV/FILE, /resolve/REV/FILE or ?revision=REV;
///   trailing slashes are ignored. Returns nullopt when the text is not a hub reference at all (a preset
///   name, a path); throws ScenarioError with one line naming the allowed forms for a URL or prefixed id
///   that is malformed (another host, a missing name, a dataset or Space page).
VRAM_API std::optional<HubReference> parse_hub_reference(const std::string& text);

/// Splits "hf:org/name[@rev]" / "ms:org/name[@rev]" / "org/name" and the URL forms above; returns
/// false if not a hub reference or malformed (parse_hub_reference says why).
VRAM_API bool parse_hub_id(const std::string& text, std::string& hub, std::string& repo, std::string& revision);

/// One model found by a hub's search API.
struct HubSearchHit {
    std::string hub;               ///< "hf" or "ms"
    std::string id;                ///< "org/name"
    std::string model_type;        ///< config.json's model_type when the hub reports it, else ""
    std::string pipeline_tag;      ///< "text-generation" ... when the hub reports it, else ""
    std::int64_t downloads = -1;   ///< -1: not reported
    std::int64_t likes = -1;       ///< likes (HF) or stars (ModelScope); -1: not reported
};

/// Lists the models whose name matches `query` on one hub (settings.hub), most downloaded first:
///  hf: GET {endpoint}/api/models?search=Q&limit=N&sort=downloads&direction=-1 with
///      expand=downloads,likes,pipeline_tag,config (config carries model_type);
///  ms: PUT {endpoint}/api/v1/dolphin/models with {"Name": Q, "PageSize": N, "SortBy": "DownloadsCount", ...}
///      (the request ModelScope's own web site and MCP server send; it reports no model_type).
/// Throws ScenarioError with one line when offline or on an HTTP or network error.
VRAM_API std::vector<HubSearchHit> search_hub(const HubSettings& settings, const std::string& query, std::size_t limit);

}  // namespace vram
