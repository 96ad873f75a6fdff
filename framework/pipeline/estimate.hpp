// pipeline/estimate.hpp - host side: Scenario -> resolve -> plan (Context stages) -> evaluate
// -> Estimate, the snapshot every report and command reads
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
// Part of this API since before the stages had their own units: callers include estimate.hpp.
#include "pipeline/attention.hpp"
#include "pipeline/dtype.hpp"

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

/// Bytes of the terms of one phase on one rank.
struct PhaseBytes {
    std::string phase;
    Bytes bytes = 0;
};

/// The breakdown of one GPU rank role (pipeline stage).
struct RankBreakdown {
    std::string label;        ///< "all GPUs", "pipeline stage 0 (first)" ...
    std::int64_t stage = 0;
    std::vector<Term> terms;
    Bytes total = 0;          ///< peak: phase-less terms + the largest phase
    std::vector<PhaseBytes> phases;  ///< in order of first appearance; empty without phased terms
    std::string peak_phase;   ///< the phase that makes the peak ("" without phased terms)
};

/// One symbol of the expression language as the estimate left it (`--explain`, `vram symbols`).
struct SymbolValue {
    std::string name;
    std::string unit;
    std::string meaning;
    bool set = false;         ///< false: no stage set it for this scenario (value is 0)
    double value = 0;
    std::string set_by;       ///< the stage or plugin that set it ("" when unset)
};

/// The same peak seen the way each tool reports it (docs/allocator.md). Each is per GPU, for the
/// most loaded GPU; allocated ≤ reserved ≤ device = Estimate::total_bytes.
struct MemoryViews {
    Bytes allocated_peak = 0;  ///< live tensors: torch.cuda.max_memory_allocated()
    Bytes reserved_peak = 0;   ///< + cached free blocks (category allocator): max_memory_reserved()
    Bytes device = 0;          ///< + outside the allocator (category overhead): what nvidia-smi shows
    Bytes host = 0;            ///< CPU memory the engine holds (EngineFacts::host_bytes); not in device
};

/// The answer to a scenario: a snapshot that owns everything reports and commands read, so
/// that none of them needs the Estimator's live Context.
struct Estimate {
    std::vector<RankBreakdown> ranks;
    std::size_t most_loaded = 0;
    Bytes total_bytes = 0;            ///< peak of the most loaded GPU
    GpuSpec gpu;                      ///< name empty when only memory_gib was given
    Bytes gpu_memory_bytes = 0;       ///< usable bytes per GPU the fit used
    std::int64_t gpu_count = 1;
    double utilization = 0;           ///< total_bytes / gpu_memory_bytes
    bool fits = false;
    /// Why the engine does not run this scenario although the bytes may fit (RuntimeProfile::
    /// admits: vLLM's empty KV pool, a batch the pool cannot hold ...); "" when it does.
    std::string refusal;
    MemoryViews memory;
    // serving (inference)
    Bytes kv_cache_bytes = 0;
    double max_kv_tokens = 0;
    double max_concurrency = 0;
    // training
    std::int64_t trainable_parameters = 0;
    std::int64_t tokens_per_sequence = 0;
    /// workload.lengths: the samples of the peak micro-batch (longest first) and its rows
    /// (tokens_per_sequence each); empty without lengths.
    std::vector<std::int64_t> micro_batch_samples;
    std::int64_t micro_batch_rows = 0;
    /// Per modality: tokens added to the decoder sequence, or for an input that reaches the
    /// decoder only through cross-attention (Whisper audio) the encoder frames it produces.
    std::vector<std::pair<std::string, std::int64_t>> modality_tokens;
    /// The modalities of modality_tokens counted in encoder frames (not in tokens_per_sequence).
    std::vector<std::string> encoder_frame_modalities;
    std::vector<std::string> notes;   ///< conventions named by the stages (--explain)
    /// Categories that cannot be known for this model (a model given by its parameter count:
    /// kv_cache, activations ...); empty for every model with an architecture.
    std::vector<std::string> unknown;
    // what the stages decided
    std::string attention;            ///< "gqa", "mla", "gqa+sliding" ...
    std::int64_t kv_bytes_per_token = 0;  ///< whole model, unsharded, at kv_dtype
    std::string weight_format;        ///< the format's key, or "checkpoint"
    std::string kv_dtype;
    std::string compute_dtype;
    /// Every symbol (set or not) with its value at the most loaded rank.
    std::vector<SymbolValue> symbols;
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
    /// The live Context of the last preparation and evaluation (for plugins' and benchmarks'
    /// eyes); reports and commands read the Estimate snapshot instead.
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
    /// The one verdict every command shares: `peak` (from evaluate_peak for the current
    /// preparation) is within the usable bytes and the engine admits the scenario
    /// (RuntimeProfile::admits). Hot path.
    bool fits(Bytes peak);
    /// Why the engine refuses the current preparation ("" when it admits it). Slow path.
    std::string refusal();
    /// Resolves count: auto for the current numbers (prepares again); returns the GPU count.
    std::int64_t resolve_count();
    /// Peak bytes of the most loaded GPU, and that GPU's bytes per category (sweep rows).
    /// Hot path: no allocation after the first call.
    Bytes evaluate_categories(CategoryBytes& per_category);
    /// The snapshot: every rank role with its terms (formulas, substituted values, sources) and
    /// phases, the serving and training figures, and the symbols at the most loaded rank.
    /// Resolves count: auto first.
    Estimate estimate();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vram
