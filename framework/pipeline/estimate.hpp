// pipeline/estimate.hpp - host side: Scenario -> Context stages -> components -> breakdown
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vram/bytes.hpp"
#include "vram/component.hpp"
#include "vram/context.hpp"
#include "vram/export.hpp"
#include "vram/gpu_catalog.hpp"
#include "vram/model.hpp"
#include "vram/scenario.hpp"

namespace vram {

class Registry;

/// One evaluated term.
struct Term {
    std::string id;
    Category category = Category::other;
    Bytes bytes = 0;
    std::string formula;
    std::string substituted;
    std::string source;
    std::string phase;
};

/// The breakdown of one GPU rank role (pipeline stage).
struct RankBreakdown {
    std::string label;        ///< "all GPUs", "pipeline stage 0 (first)" ...
    std::int64_t stage = 0;
    std::vector<Term> terms;
    Bytes total = 0;          ///< peak: phase-less terms + the largest phase
};

/// The answer to a scenario.
struct Estimate {
    std::vector<RankBreakdown> ranks;
    std::size_t most_loaded = 0;
    Bytes total_bytes = 0;            ///< peak of the most loaded GPU
    GpuSpec gpu;                      ///< name empty when only memory_gib was given
    Bytes gpu_memory_bytes = 0;       ///< usable bytes per GPU the fit used
    std::int64_t gpu_count = 1;
    double utilization = 0;           ///< total_bytes / gpu_memory_bytes
    bool fits = false;
    // serving (inference)
    Bytes kv_cache_bytes = 0;
    double max_kv_tokens = 0;
    double max_concurrency = 0;
    // training
    std::int64_t trainable_parameters = 0;
    std::int64_t tokens_per_sequence = 0;
    std::vector<std::pair<std::string, std::int64_t>> modality_tokens;
    std::vector<std::string> notes;
};

/// Bytes per breakdown category, indexed by static_cast<std::size_t>(Category).
using CategoryBytes = std::array<Bytes, static_cast<std::size_t>(Category::other) + 1>;

/// A prepared scenario. Construction parses nothing: it resolves the model, the stages and the
/// components once; prepare() runs the stages; evaluate_peak() is the allocation-free hot path
/// used by fit and sweep.
class VRAM_API Estimator {
public:
    /// Throws ScenarioError / UnknownComponentError / ParamError (with file:line:col).
    Estimator(const Registry& registry, Scenario scenario, const std::string& preset_dir);
    ~Estimator();
    Estimator(const Estimator&) = delete;
    Estimator& operator=(const Estimator&) = delete;

    /// The scenario; change numbers, then call prepare() again.
    Scenario& scenario() noexcept;
    const ModelSpec& model() const noexcept;
    const Context& context() const noexcept;
    /// Re-reads plugin option blocks after scenario changes to them (slow path).
    void revalidate();
    /// Runs the context stages (attention ... runtime). Cheap; no parsing.
    void prepare();
    /// Peak bytes of the most loaded GPU for the current preparation. Hot path.
    Bytes evaluate_peak();
    /// GPUs the scenario runs on (resolves count: auto).
    std::int64_t gpu_count() const noexcept;
    /// Usable bytes per GPU that fits are judged against (0 without hardware).
    Bytes usable_bytes() const noexcept;
    /// Resolves count: auto for the current numbers (prepares again); returns the GPU count.
    std::int64_t resolve_count();
    /// Peak bytes of the most loaded GPU, and that GPU's bytes per category (sweep rows).
    /// Hot path: no allocation after the first call.
    Bytes evaluate_categories(CategoryBytes& per_category);
    /// Full breakdown with formulas, for reports. Resolves count: auto first.
    Estimate estimate();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vram

namespace vram {

/// How a model's layers cache tokens at a KV dtype.
struct AttentionSummary {
    std::string label;                 ///< "gqa", "mla", "gqa+sliding" ...
    std::vector<KvGroup> groups;
    std::int64_t kv_bytes_per_token = 0;  ///< all layers, unsharded, windows ignored
};

/// Runs the attention stage alone (for `vram inspect`).
VRAM_API AttentionSummary describe_attention(const Registry& registry, const ModelSpec& model,
                                             const std::string& kv_dtype);
/// Bytes per KV element of a dtype name (bf16 2, fp8 1, q8_0 34/32 ...); throws ScenarioError.
VRAM_API double kv_dtype_bytes(const std::string& dtype, const std::string& where);

}  // namespace vram
