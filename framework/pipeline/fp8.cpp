// fp8.cpp - the fp8 stage: what FP8 / FP4 training of the decoder's Linear layers stores, as the
// recipe, the library and the GPU decide it (docs/training.md §10). Runs after the runtime stage
// (the framework picks the library) and before the rank stage (which caches the weight bytes).
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cctype>
#include <cmath>

#include "pipeline/estimator_impl.hpp"
#include "pipeline/fp8.hpp"

namespace vram {
namespace {

// Bytes of one layout of a rows × cols weight in the recipe, scales included (Transformer
// Engine tensor storage: float8_tensor.py one fp32 scale_inv per tensor; float8_blockwise_tensor
// 128 × 128 weight tiles with an fp32 scale each; mxfp8_tensor.py one E8M0 byte per 32 elements
// along the GEMM's reduction dimension; nvfp4_tensor.py two E2M1 values per byte, one E4M3
// byte per 16 elements and one fp32 global amax). Scale padding TE adds for its kernels is not
// counted.
double one_layout(const std::string& recipe, double rows, double cols) {
    if (recipe == "blockwise") return rows * cols + std::ceil(rows / 128) * std::ceil(cols / 128) * 4;
    if (recipe == "mxfp8") return rows * cols + rows * std::ceil(cols / 32);
    if (recipe == "nvfp4") return rows * cols / 2 + rows * std::ceil(cols / 16) + 4;
    return rows * cols + 4;  // delayed, tensorwise (TE Float8Tensor), torchao tensorwise
}

}  // namespace

// FP8 tensor cores by GPU generation, from the catalog name: 10 = Blackwell (SM100 / SM120:
// an FP8 GEMM takes its operands in any layout), 9 = Hopper and 8.9 = Ada (FP8 GEMM takes only
// TN operands, so a transposed copy is needed for the backward GEMMs), 0 = pre-Ada NVIDIA
// (no FP8), -1 = unknown (another vendor, or a name this table does not know).
// Transformer Engine: fp8.py check_fp8_support (compute capability >= 8.9),
// csrc/extensions/util.cpp non_tn_fp8_gemm_supported (major >= 10).

double nvidia_generation(const GpuSpec* gpu) {
    if (!gpu || gpu->vendor != "NVIDIA") return -1;
    std::string n;
    for (char c : gpu->name) n += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto has = [&](const char* s) { return n.find(s) != std::string::npos; };
    if (has("blackwell") || has(" b100") || has(" b200") || has(" b300") || has("gb200") || has("gb300") ||
        has("rtx 50") || has("rtx pro") || has("dgx spark") || has("gb10") || has("thor"))
        return 10;
    if (has("xavier") || has("orin") || has("jetson nano") || has("jetson tx")) return 0;  // Volta / Ampere SoCs
    if (has(" h100") || has(" h200") || has(" h800") || has(" h20") || has("gh200")) return 9;
    if (has(" ada") || has("rtx 40") || has(" l4") || has(" l40") || has(" l20")) return 8.9;
    if (has(" a100") || has(" a800") || has(" a10") || has(" a30") || has(" a40") || has(" a16") || has(" a2 ") ||
        has(" v100") || has(" t4") || has(" p100") || has(" p40") || has("rtx 30") || has("rtx 20") ||
        has("rtx a") || has("titan") || has("gtx"))
        return 0;
    return -1;
}

bool gpu_runs_fp8_recipe(const GpuSpec& gpu, const std::string& recipe) {
    if (recipe.empty() || recipe == "none") return true;
    if (gpu.vendor != "NVIDIA") return gpu.vendor == "AMD" && recipe != "mxfp8" && recipe != "nvfp4" &&
                                       gpu.name.find("MI3") != std::string::npos;
    const double gen = nvidia_generation(&gpu);
    if (gen == 0) return false;
    if ((recipe == "mxfp8" || recipe == "nvfp4") && gen > 0 && gen < 10) return false;
    return true;
}

void Estimator::Impl::fp8_stage() {
    ctx.fp8 = Fp8Facts{};
    const Scenario& s = scenario;
    const TrainingSpec& tr = s.training;
    if (tr.fp8_recipe == "none") {
        if (tr.fp8_param_gather)
            fail_at("training.fp8_param_gather",
                    "training.fp8_param_gather: true needs an FP8 recipe (training.fp8_recipe is none)");
        return;
    }
    ctx.begin_stage("core.fp8");
    const std::string key = "training.fp8_recipe";
    if (!s.training_run())
        fail_at(key, key + ": FP8 training needs workload.type training; for FP8 weights at inference use "
                           "precision.weights (fp8, fp8-block ...)");
    if (tr.mixed_precision == "none")
        fail_at(key, key + ": FP8 training runs inside bf16 or fp16 mixed precision (Megatron --bf16 with "
                           "--fp8-format; torchao converts the Linears of a bf16 model); set "
                           "training.mixed_precision: bf16");
    std::string backend = tr.fp8_backend;
    if (backend == "auto") backend = s.runtime.framework == "torchtitan" ? "torchao" : "transformer_engine";
    const std::string& r = tr.fp8_recipe;
    const bool ao = backend == "torchao";
    if (ao && r != "tensorwise" && r != "rowwise")
        fail_at(key, key + ": '" + r + "' is a Transformer Engine recipe; torchao Float8 has tensorwise and rowwise "
                               "(training.fp8_backend: " + backend + ")");
    if (!ao && r == "rowwise")
        fail_at(key, key + ": rowwise is torchao's recipe; Transformer Engine has delayed, tensorwise, blockwise, "
                           "mxfp8, nvfp4 (or set training.fp8_backend: torchao)");
    const double gen = nvidia_generation(ctx.gpu);
    const std::string gpu_name = ctx.gpu ? ctx.gpu->name : std::string("the GPU");
    if (gen == 0)
        fail_at(key, key + ": " + gpu_name + " has no FP8 tensor cores (compute capability below 8.9; Transformer "
                               "Engine: 'Device compute capability 8.9 or higher required for FP8 execution'); "
                               "allowed on Ada, Hopper and Blackwell GPUs");
    if (ctx.gpu && !ctx.gpu->vendor.empty() && ctx.gpu->vendor != "NVIDIA" && !gpu_runs_fp8_recipe(*ctx.gpu, r))
        fail_at(key, key + ": " + gpu_name + " runs none of the FP8 training stacks vram models (Transformer "
                               "Engine and torchao on NVIDIA Ada, Hopper, Blackwell; Transformer Engine on ROCm for "
                               "AMD Instinct MI300-series, FP8 recipes only)");
    if ((r == "mxfp8" || r == "nvfp4") && gen > 0 && gen < 10)
        fail_at(key, key + ": " + r + " needs Blackwell tensor cores (compute capability 10 or 12); " + gpu_name +
                         " has " + (gen == 9 ? "Hopper" : "Ada") + " FP8 only; allowed there: delayed, tensorwise, "
                         "blockwise");
    if (tr.fp8_param_gather && ao && s.parallelism.fsdp != "full_shard")
        fail_at("training.fp8_param_gather",
                "training.fp8_param_gather: torchao's enable_fsdp_float8_all_gather is an FSDP2 option; it needs "
                "parallelism.fsdp: full_shard");
    if (tr.fp8_param_gather && ao && r != "tensorwise")
        fail_at("training.fp8_param_gather", "training.fp8_param_gather: torchao gathers FP8 with tensorwise "
                                             "scaling only (float8 config enable_fsdp_float8_all_gather)");
    if (tr.fp8_param_gather && !ao && ctx[Sym::zero] < 1)
        fail_at("training.fp8_param_gather",
                "training.fp8_param_gather: Megatron runs --fp8-param-gather only with its distributed optimizer "
                "(megatron/training/arguments.py L1095-1097); set parallelism.zero: 1");
    if (tr.fp8_param_gather && !ao && ctx[Sym::zero] >= 3)
        fail_at("training.fp8_param_gather",
                "training.fp8_param_gather: Megatron's --fp8-param-gather is modelled with its distributed optimizer "
                "(parallelism.zero 0-2, no FSDP / ZeRO-3); got ZeRO-" + format_number(ctx[Sym::zero]));

    Fp8Facts& f = ctx.fp8;
    f.recipe = r;
    f.backend = backend;
    f.param_gather = tr.fp8_param_gather;
    // Transformer Engine quantizes each weight for the forward GEMM (rowwise) and for the
    // backward's dgrad (columnwise) -- linear.py: the weight quantizer's columnwise usage is on
    // whenever the input needs a gradient. Per-tensor FP8 on SM >= 10 serves both from one
    // buffer; below it a transposed copy is made; block-scaled recipes scale along the reduction
    // dimension, which differs between the two GEMMs, so both layouts always exist.
    const bool one_buffer = (r == "delayed" || r == "tensorwise") && gen >= 10;
    const int layouts = ao ? 1 : (one_buffer ? 1 : 2);
    if (ao)
        f.layouts = "torchao Float8Linear saves its bf16 input and weight (float8_linear.py L45) and casts per "
                    "GEMM: nothing quantized is kept" +
                    std::string(f.param_gather ? "; FSDP2 gathers the weights in FP8 (1 B + an fp32 scale)" : "");
    else if (one_buffer)
        f.layouts = "one FP8 buffer serves the forward and backward GEMMs on " + gpu_name +
                    " (SM >= 10: non-TN FP8 GEMM)";
    else
        f.layouts = std::string("rowwise + columnwise copies (") +
                    (r == "delayed" || r == "tensorwise"
                         ? (gen < 0 ? "assumed as on Hopper: " + gpu_name + " is not in vram's FP8 table"
                                    : "FP8 GEMM on SM < 10 takes only TN operands")
                         : "block scales run along each GEMM's reduction dimension") + ")";
    f.weight_copy.assign(model.tensors.size(), 0);
    if (!ao || f.param_gather)
        for (std::size_t i = 0; i < model.tensors.size(); ++i) {
            const Tensor& t = model.tensors[i];
            if (!fp8_linear(t)) continue;
            const double one = one_layout(ao ? std::string("tensorwise") : r, static_cast<double>(t.rows),
                                          static_cast<double>(t.cols));
            f.weight_copy[i] = to_bytes(one * layouts * static_cast<double>(t.copies), "fp8 weight copy");
        }
    // A Linear's input is saved in one layout (linear.py: the rowwise data is discarded, or the
    // columnwise when sequence parallelism re-gathers it): per element 1 B (per-tensor), 1 + 4/128
    // (1 × 128 tiles, fp32 scales), 1 + 1/32 (MXFP8), 0.5 + 1/16 (NVFP4).
    if (!ao)
        f.saved_input_bytes = r == "blockwise" ? 1 + 4.0 / 128 : r == "mxfp8" ? 1 + 1.0 / 32 : r == "nvfp4" ? 0.5 + 1.0 / 16 : 1;

    // Megatron --fp8-param-gather: the parameters are the quantized tensors; no 16-bit weight.
    if (f.param_gather && !ao) {
        double before = 0, after = 0;
        for (std::size_t i = 0; i < model.tensors.size() && i < ctx.tensor_bytes.size(); ++i) {
            if (f.weight_copy[i] == 0 || ctx.tensor_bytes[i] == 0) continue;
            before += static_cast<double>(ctx.tensor_bytes[i]);
            after += static_cast<double>(f.weight_copy[i]);
            ctx.tensor_bytes[i] = f.weight_copy[i];
        }
        ctx.weight_format += "+fp8-" + r;
        ctx.set(Sym::W, ctx[Sym::W] - before + after);
        ctx.set(Sym::bytes_w, ctx[Sym::P_total] > 0 ? ctx[Sym::W] / ctx[Sym::P_total] : 0);
        ctx.notes.push_back("training.fp8_param_gather: the decoder's Linear weights are stored as " + r +
                            " FP8 tensors (" + f.layouts + "): " + format_count(static_cast<std::uint64_t>(before)) +
                            " B of 16-bit weights become " + format_count(static_cast<std::uint64_t>(after)) + " B");
    }
}

}  // namespace vram
