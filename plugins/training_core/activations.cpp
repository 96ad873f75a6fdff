// activations.cpp - activations saved for backward and the logits / loss buffers of one training
// step (formulas.md §5.3-5.4), from the model's real shape.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>

#include "activation_shape.hpp"
#include "methods.hpp"
#include "model_states.hpp"
#include "vram/error.hpp"
#include "vram/sharding.hpp"

namespace vram::plugins::training {
namespace {

// What one decoder layer saves for backward, per token, split by how tensor parallelism treats
// it (Korthikanti et al. 2022, arXiv 2205.05198 §4: without sequence parallelism the norm inputs,
// the attention / MLP block inputs and the dropout masks are replicated on every TP rank; the rest
// is split over t; with sequence parallelism everything is split).
struct LayerSaved {
    double replicated = 0;    // elements per token in the compute dtype
    double split = 0;         // elements per token in the compute dtype, split over t
    double replicated_bytes = 0;  // other dtypes (dropout masks 1 B, fp32 router probabilities)
    double split_bytes = 0;   // flash-attention log-sum-exp (fp32)
    double quadratic = 0;     // bytes per (b · s_local · s) without flash attention, split over t
};

// Which tensors the framework's own modules keep, decided once per evaluation.
struct SavePolicy {
    // transformers' RMSNorm (LlamaRMSNorm and its copies) upcasts its input to fp32 and saves that
    // copy (pow and mul need it); under PyTorch < 2.2 mean() also saved its fp32 x² (PR #109935).
    // Megatron's fused norms and nn.LayerNorm save the input in the compute dtype.
    bool rms = false;         // transformers-style RMSNorm written in PyTorch ops (not fused)
    bool rms_upcast = true;   // it computes in fp32 (LlamaRMSNorm); LitGPT's 2023 RMSNorm did not
    bool mean_saves_input = false;
    bool norm_trainable = true;   // a trainable norm weight also needs the normalized tensor
    double residual_bytes = 2;    // dtype of the residual stream (fp32 with fp32 weights)
    // A Linear's input is saved only when something needs it in backward: the Linear's own weight
    // gradient (trainable base), a LoRA A reading it directly (lora_dropout 0), or a matmul that
    // saves it regardless (bitsandbytes < 0.43.2 MatMul4Bit). PyTorch's mm saves `self` only when
    // `mat2` needs a gradient (derivatives.yaml mm: self is used through its sizes and strides).
    bool attn_in = true;    // norm output read by q, k, v (and MLA's q_a / kv_a)
    bool attn_out = true;   // attention output read by o_proj (flash/SDPA keeps it anyway)
    bool mlp_in = true;     // norm output read by gate/up (fc1), and the routed copies for experts
    bool mlp_mid = true;    // act·up read by down_proj (fc2)
    // FP8 training with Transformer Engine: a trainable Linear saves its input quantized, bytes
    // per element (Fp8Facts::saved_input_bytes); 0 = in the compute dtype.
    double fp8_input = 0;
    // A frozen quantized base that keeps more than its inputs for backward (the kernels that can
    // train): GPTQModel's TorchQuantLinear saves the dequantized weight its matmul used, AutoAWQ's
    // WQLinearMMFunction saves its input cast to fp16 (a copy unless the compute dtype is fp16).
    bool gptq_dequant = false;
    bool awq_fp16_copies = false;
    // torch.compile (training.torch_compile): AOTAutograd's min-cut partitioner saves what only a
    // matmul or attention can produce and recomputes pointwise ops (norms, activations) in backward.
    bool compiled = false;
};

SavePolicy save_policy(const Context& ctx) {
    SavePolicy p;
    const Convention c = convention(ctx);
    // Typed facts of the runtime stage (EngineFacts) and of the method (MethodFacts).
    p.rms = c != Convention::megatron && ctx.engine.rmsnorm;
    p.compiled = ctx.scenario().training.torch_compile != "none";
    p.rms_upcast = ctx.engine.rmsnorm_upcast;
    p.mean_saves_input = ctx.engine.mean_saves_input;
    p.residual_bytes = ctx.weight_format == "fp32" ? 4.0 : ctx[Sym::bytes_act];
    // A frozen TE Linear needs no weight gradient, so it saves no input (linear.py
    // backward_needs_input); adapters read their own 16-bit copy.
    if (!ctx.method.frozen_base) p.fp8_input = ctx.fp8.saved_input_bytes;
    if (ctx.method.frozen_base) {
        p.norm_trainable = false;
        const std::string& f = ctx.weight_format;
        const bool bnb4 = f.rfind("nf4", 0) == 0 || f.rfind("fp4", 0) == 0;
        bool saves_all = bnb4 && ctx.engine.bnb_4bit_saves_input;
        // GPTQModel trains through TorchQuantLinear only (SUPPORTS_TRAINING; the other kernels
        // switch to it for training): _forward is weights = dequantize_weight().to(x.dtype);
        // torch.matmul(x, weights), so autograd keeps `weights` for the input gradient
        // (gptqmodel/nn_modules/qlinear/torch.py). AutoAWQ (awq/modules/linear/gemm.py @ d9dc8e5):
        // WQLinear_GEMM.forward casts x.half() and WQLinearMMFunction saves that x.
        if (f.rfind("gptq", 0) == 0) p.gptq_dequant = true;
        if (f.rfind("awq", 0) == 0) {
            if (ctx.compute_dtype == "fp16") saves_all = true;
            else p.awq_fp16_copies = true;
        }
        const KeptInputs& k = ctx.method.kept_inputs;
        p.attn_in = saves_all || k.attn_in;
        p.attn_out = saves_all || k.attn_out;
        p.mlp_in = saves_all || k.mlp_in;
        p.mlp_mid = saves_all || k.mlp_mid;
    }
    return p;
}

LayerSaved layer_saved(const Context& ctx, const SavePolicy& p, std::size_t i) {
    const ModelSpec& m = ctx.model();
    const LayerSpec& l = m.layer_specs[i];
    const double ba = ctx[Sym::bytes_act];
    const auto h = static_cast<double>(m.hidden);
    const auto nq = static_cast<double>(m.heads);
    const auto nkv = static_cast<double>(m.kv_heads);
    const auto d = static_cast<double>(m.head_dim);
    const auto dv = static_cast<double>(m.v_head_dim > 0 ? m.v_head_dim : m.head_dim);
    const double mlp_mats = m.gated_mlp ? 4.0 : 2.0;  // gate, up, act(gate), act·up  |  fc1 out, act out
    const double mid = p.mlp_mid ? 1.0 : 0.0;          // act·up / act out = the down_proj (fc2) input
    LayerSaved s;
    // The two norms (replicated under TP without SP): their inputs, or for transformers' RMSNorm
    // the fp32 copy (+ x² before torch 2.2, + the normalized tensor for a trainable weight).
    // In the compute dtype without the upcast: x (for x·x and x·rsqrt), x² before torch 2.2 and
    // the normalized tensor for a trainable weight.
    const double extra = (p.mean_saves_input ? 1.0 : 0.0);
    // Compiled, each norm keeps its input (the residual stream) and one fp32 statistic per token;
    // the upcast copy and the normalized tensor are recomputed from them.
    if (p.compiled)
        s.replicated_bytes += 2 * (h * p.residual_bytes + 4);
    else if (p.rms && p.rms_upcast)
        s.replicated_bytes += 2 * h * (4 + 4 * extra + (p.norm_trainable ? p.residual_bytes : 0));
    else if (p.rms)
        s.replicated += 2 * h * (1 + extra + (p.norm_trainable ? 1.0 : 0.0));
    else
        s.replicated += 2 * h;
    // The attention and MLP block inputs (the norm outputs), when a consumer keeps them; under
    // FP8 training the quantized copy the Linear (TE LayerNormLinear) saves instead.
    const double q8 = p.fp8_input;
    if (q8 > 0) s.replicated_bytes += q8 * ((p.attn_in ? h : 0) + (p.mlp_in ? h : 0));
    else if (!p.compiled) s.replicated += (p.attn_in ? h : 0) + (p.mlp_in ? h : 0);
    // o_proj's input: flash attention saves its output in the compute dtype for its own
    // backward; an FP8 o_proj saves its quantized copy besides.
    if (q8 > 0 && p.attn_out && l.attention != LayerAttention::ssm && l.attention != LayerAttention::none)
        s.split_bytes += q8 * nq * dv;
    bool attends = true;
    switch (l.attention) {
        case LayerAttention::mla: {
            // DeepSeek MLA: the latent projections are replicated per TP rank (Megatron), the
            // per-head q, k, v and the attention output are split.
            const auto qr = static_cast<double>(m.q_lora_rank), kr = static_cast<double>(m.kv_lora_rank);
            const auto rope = static_cast<double>(m.qk_rope_head_dim);
            const double dqk = static_cast<double>(m.qk_nope_head_dim) + rope;
            s.replicated += (qr > 0 ? 2 * qr : 0) + (kr + rope) + kr;  // q_a out, q_b in, kv_a out, kv_b in
            s.split += nq * dqk * 2 + nq * dv * 2;                      // q, k, v, o_proj input
            break;
        }
        case LayerAttention::ssm:
            // Mamba block: in_proj output (x, z), conv/activation output, gated output = out_proj
            // input: 4 · d_inner [DER, to calibrate].
            s.split += 4 * static_cast<double>(m.ssm_inner);
            attends = false;
            break;
        case LayerAttention::none:
            // Encoder-only layers (BERT) attend bidirectionally but cache nothing: standard
            // attention for training. Otherwise the layer mixes no tokens.
            if (m.encoder_only) s.split += nq * d + nkv * d + nkv * dv + nq * dv;
            else attends = false;
            break;
        default:
            // q, k, v as SDPA saves them (after RoPE) and the attention output: flash/SDPA saves it
            // for its backward; eager attention's PV matmul does not, only o_proj's weight gradient.
            s.split += nq * d + nkv * d + nkv * dv + ((ctx[Sym::flash] > 0 || (p.attn_out && q8 == 0)) ? nq * dv : 0);
            break;
    }
    if (attends) {
        if (ctx[Sym::flash] > 0) {
            s.split_bytes += 4 * nq;  // softmax log-sum-exp, fp32, per head and token
        } else {
            // Eager attention: fp32 softmax output (saved by softmax), the probabilities in the
            // compute dtype (saved by the PV matmul; the same tensor in fp32 training without
            // dropout) and the attention-dropout mask.
            const bool drop = m.attention_dropout > 0;
            s.quadratic = nq * (4 + (ba != 4 || drop ? ba : 0) + (drop ? 1 : 0));
        }
    }
    if (l.moe) {
        // Routed tokens: each token's hidden state is copied to its top-k experts, which save
        // their own input and intermediates; the router keeps fp32 probabilities.
        const auto k = static_cast<double>(m.experts_per_token);
        const auto fe = static_cast<double>(m.moe_intermediate), fs = static_cast<double>(m.shared_intermediate);
        if (q8 > 0) {
            // TE GroupedLinear: the routed inputs and the down_proj inputs quantized.
            s.split += k * (mlp_mats - 1) * fe + (m.shared_experts > 0 ? (mlp_mats - 1) * fs : 0);
            s.split_bytes += q8 * (k * ((p.mlp_in ? h : 0) + mid * fe) + (m.shared_experts > 0 ? mid * fs : 0));
        } else {
            s.split += k * ((p.mlp_in ? h : 0) + (mlp_mats - 1 + mid) * fe);
            if (m.shared_experts > 0) s.split += (mlp_mats - 1 + mid) * fs;
        }
        s.replicated_bytes += 4 * static_cast<double>(m.experts);
    } else if (m.intermediate > 0) {
        const auto f = static_cast<double>(m.intermediate);
        // Compiled: gate and up (fc1's output) are matmul outputs and stay; act(gate) and act·up
        // (down_proj's input) are recomputed from them.
        if (p.compiled) s.split += (m.gated_mlp ? 2.0 : 1.0) * f;
        else s.split += (mlp_mats - 1 + (q8 > 0 ? 0 : mid)) * f;
        if (q8 > 0) s.split_bytes += q8 * mid * f;  // down_proj (fc2) saves its quantized input
    }
    if (m.hidden_dropout > 0) s.replicated_bytes += 2 * h;  // residual dropout masks after attention and MLP
    return s;
}

// What a frozen quantized base's Linears of layer i keep besides the usual (SavePolicy): GPTQ each
// dequantized weight once per micro-batch; AWQ under bf16 each Linear's own fp16 input copy per
// token (q, k, v each cast theirs; routed experts per copy). Quantized: < 2 bytes per weight.
double quantized_base_saved(const Context& ctx, const SavePolicy& p, const Shape& x, std::size_t i) {
    const ModelSpec& m = ctx.model();
    const auto t_size = static_cast<std::int64_t>(x.t), ep = static_cast<std::int64_t>(std::max(1.0, ctx[Sym::ep]));
    double v = 0;
    for (std::size_t j = 0; j < m.tensors.size(); ++j) {
        const Tensor& t = m.tensors[j];
        if (t.layer != static_cast<std::int32_t>(i) || !quantized_linear(ctx, j)) continue;
        const double n = static_cast<double>(t.numel()) * static_cast<double>(t.copies);
        if (p.gptq_dequant) v += n * x.ba / tensor_parallel_divisor(t, t_size, ep);
        // Column-parallel inputs (d_in = h) are whole on every TP rank unless sequence parallel.
        const double div = t.cols == m.hidden ? (x.sp ? x.t : 1.0) : x.t;
        if (p.awq_fp16_copies)
            v += x.b * x.s_local * static_cast<double>(t.cols) * static_cast<double>(t.active_copies) * 2 / div;
    }
    return v;
}

double layer_bytes(const Context& ctx, const SavePolicy& p, const Shape& x, std::size_t i, bool quadratic) {
    const LayerSaved l = layer_saved(ctx, p, i);
    const double rep_div = x.sp ? x.t : 1.0;
    double v = x.b * x.s_local *
               (x.ba * (l.replicated / rep_div + l.split / x.t) + l.replicated_bytes / rep_div + l.split_bytes / x.t);
    if (quadratic) v += x.b * x.s_local * x.s * l.quadratic / x.t;
    if (p.gptq_dequant || p.awq_fp16_copies) v += quantized_base_saved(ctx, p, x, i);
    return v;
}

// Micro-batches whose activations a pipeline stage holds at its peak under 1F1B: the first stage
// runs p forwards before its first backward, stage i runs p - i (Megatron compute_activation_memory).
double in_flight(const Context& ctx) {
    const double p = std::max(1.0, ctx[Sym::p]);
    const auto mb = static_cast<double>(ctx.scenario().parallelism.microbatches);
    const double m = mb > 0 ? mb : p;
    return std::max(1.0, std::min(m, p - ctx[Sym::stage]));
}

// torchtitan's op-level selective activation checkpointing (gradient_checkpointing: op;
// torchtitan/models/llama3/infra/parallelize.py _apply_op_sac): inside each checkpointed block the
// outputs of the ops in its save list are kept -- the SDPA/flash attention output and its fp32
// log-sum-exp, and aten.mm except every second one (mm_count % 2 == 0 is recomputed; the count
// restarts per block) -- and everything else is recomputed in the block's backward. A Llama-style
// block runs its matmuls in the order wq, wk, wv, wo, w1 (gate), w3 (up), w2 (down), so the
// outputs of wq, wv, w1 and w2 are kept; a non-gated MLP runs fc1 then fc2. Bytes per token in
// the compute dtype, besides the block input the checkpoint itself keeps.
double op_sac_saved(const Context& ctx, const SavePolicy&, const Shape& x, std::size_t i) {
    const ModelSpec& m = ctx.model();
    const LayerSpec& l = m.layer_specs[i];
    if (l.moe || l.attention == LayerAttention::mla || l.attention == LayerAttention::ssm ||
        l.attention == LayerAttention::none)
        throw ParamError("training.gradient_checkpointing",
                         "op (torchtitan's op-level selective AC) is modelled for "
                         "dense attention layers with a Linear MLP; layer " + std::to_string(i) + " of this model is " +
                             (l.moe ? "a mixture-of-experts layer" : "not standard attention") +
                             "; use full or selective");
    if (x.t > 1)
        throw ParamError("training.gradient_checkpointing",
                         "op is modelled without tensor parallelism (under TP "
                         "torchtitan also keeps the reduce-scatter outputs of its row-parallel layers); use full "
                         "or parallelism.tensor: 1");
    if (ctx[Sym::flash] <= 0)
        throw ParamError("training.gradient_checkpointing",
                         "op keeps the SDPA attention op's outputs; it needs "
                         "training.flash_attention: true (torchtitan always runs SDPA or flex attention)");
    const auto h = static_cast<double>(m.hidden);
    const auto nq = static_cast<double>(m.heads), nkv = static_cast<double>(m.kv_heads);
    const auto d = static_cast<double>(m.head_dim);
    const auto dv = static_cast<double>(m.v_head_dim > 0 ? m.v_head_dim : m.head_dim);
    const auto f = static_cast<double>(m.intermediate);
    std::vector<double> mm = {nq * d, nkv * d, nkv * dv, h};  // wq, wk, wv, wo outputs
    if (m.gated_mlp) mm.insert(mm.end(), {f, f, h});         // w1, w3, w2
    else mm.insert(mm.end(), {f, h});                        // fc1, fc2
    double kept = h;                                         // the block input (checkpoint input)
    for (std::size_t k = 0; k < mm.size(); k += 2) kept += mm[k];  // 1st, 3rd, 5th, 7th mm
    kept += nq * dv;                                         // attention output
    return x.b * x.s_local * (x.ba * kept + 4 * nq);         // + fp32 log-sum-exp per head
}

struct StageActs {
    std::int64_t layers = 0;
    std::int64_t checkpointed = 0;  // layers whose input alone is kept (full) or op-level saved
    double per_mb = 0;      // saved bytes of one micro-batch on this stage
    double recompute = 0;   // what one recompute group rebuilds during its backward (full, op)
    double embed = 0;       // first stage: token ids and embedding dropout mask, per micro-batch
    double largest = 0;     // largest single layer (for --explain)
    double in_flight = 1;
    double offloaded = 0;   // kept bytes of one micro-batch moved to the host (activation_offload)
    double reload = 0;      // the largest of them, copied back to the GPU for its backward
    double total = 0;
};

StageActs stage_acts(const Context& ctx) {
    const ModelSpec& m = ctx.model();
    const Shape x = shape(ctx);
    const std::string& mode = ctx.scenario().training.gradient_checkpointing;
    const auto p = static_cast<std::int64_t>(ctx[Sym::p]);
    const auto stage = static_cast<std::int64_t>(ctx[Sym::stage]);
    const SavePolicy policy = save_policy(ctx);
    StageActs a;
    a.in_flight = in_flight(ctx);
    std::vector<std::size_t> mine;
    for (std::size_t i = 0; i < m.layer_specs.size(); ++i)
        if (pipeline_stage_of(static_cast<std::int64_t>(i), m.layers, p) == stage) mine.push_back(i);
    a.layers = static_cast<std::int64_t>(mine.size());
    const std::vector<std::int64_t> group = recompute_groups(ctx, a.layers);
    // The checkpoint keeps each group's input (the residual stream); split by t only with
    // sequence parallelism.
    const double input = x.b * x.s_local * static_cast<double>(m.hidden) * x.ba / (x.sp ? x.t : 1.0);
    // activation_offload: what a checkpoint keeps (checkpoints), or every saved tensor (all), is
    // copied to the host in the forward and back to the GPU for its layer's backward.
    const std::string& offload = ctx.scenario().training.activation_offload;
    const auto keep = [&](double bytes, bool checkpoint) {
        if (offload == "all" || (offload == "checkpoints" && checkpoint)) {
            a.offloaded += bytes;
            a.reload = std::max(a.reload, bytes);
        } else {
            a.per_mb += bytes;
        }
    };
    std::int64_t current = -1;
    double group_bytes = 0;
    for (std::size_t j = 0; j < mine.size(); ++j) {
        const std::size_t i = mine[j];
        const double full = layer_bytes(ctx, policy, x, i, true);
        a.largest = std::max(a.largest, full);
        if (mode == "full" && group[j] >= 0) {
            // Only the group's input is kept; during the group's backward its layers are rebuilt,
            // so one group's full activations are live on top.
            ++a.checkpointed;
            if (group[j] != current) {
                keep(input, true);
                current = group[j];
                group_bytes = 0;
            }
            group_bytes += full;
            a.recompute = std::max(a.recompute, group_bytes);
        } else if (mode == "op") {
            // The saved op outputs stay; the block's backward rebuilds the rest of one block.
            const double kept = op_sac_saved(ctx, policy, x, i);
            ++a.checkpointed;
            keep(kept, true);
            a.recompute = std::max(a.recompute, full - kept);
        } else if (mode == "selective") {
            // Megatron selective recomputation: the attention core (the s² terms) is recomputed.
            keep(layer_bytes(ctx, policy, x, i, false), false);
        } else {
            keep(full, false);
        }
    }
    if (stage == 0) {
        a.embed = x.b * x.s_local * 8;  // int64 input ids (Megatron counts 8·s·b per micro-batch)
        if (m.hidden_dropout > 0) a.embed += x.b * x.s_local * static_cast<double>(m.hidden) / (x.sp ? x.t : 1.0);
    }
    a.total = (a.per_mb + a.embed) * a.in_flight + a.reload + a.recompute;
    return a;
}

// With full checkpointing one layer's activations are rebuilt inside that layer's backward. The
// loss and the LM head run their backward first and free the logits before the last layer is
// recomputed, so on the stage that holds the logits the recomputed layer adds only what it
// exceeds them by: the step's peak is checkpoints + max(logits, one layer), not their sum. PPO's
// two models run their backward one after the other: one recomputed layer at a time.
double recompute_counted(const Context& ctx, const StageActs& a) {
    const double transient = a.recompute + a.reload;
    if (transient <= 0) return 0;
    return std::max(0.0, transient - (logits_on_stage(ctx) ? logits_bytes(ctx) : 0.0));
}

}  // namespace

// LLaMA-Pro's inserted layers (layer_methods.cpp): what a layer whose weights all train saves,
// per token, in compute-dtype elements (other dtypes converted at bytes_act), before any split.
// The s² scores of eager attention are not in it.
double trainable_layer_elements(const Context& ctx, std::size_t layer) {
    SavePolicy p;
    const LayerSaved l = layer_saved(ctx, p, layer);
    const double ba = std::max(1.0, ctx[Sym::bytes_act]);
    return l.replicated + l.split + (l.replicated_bytes + l.split_bytes) / ba;
}

// Which layers of a stage full checkpointing covers (training.recompute_method): for each layer
// in the stage's order, the index of its recompute group, or -1 when the layer keeps everything.
// Megatron megatron/core/recompute.py (checkpointed forward; transformer_block.py
// _checkpointed_forward before core 0.14): uniform runs chunks of recompute_num_layers layers
// through tensor_parallel.checkpoint, so a chunk keeps its input and is recomputed as a whole;
// block checkpoints layer by layer only the first recompute_num_layers layers of the stage.
// torchtitan apply_ac (layer SAC, selective_ac_option N): a counter starting at 1 wraps every
// block whose count is a multiple of N.
std::vector<std::int64_t> recompute_groups(const Context& ctx, std::int64_t layers) {
    const TrainingSpec& t = ctx.scenario().training;
    const std::int64_t n = std::max<std::int64_t>(1, t.recompute_num_layers);
    std::vector<std::int64_t> g(static_cast<std::size_t>(layers), -1);
    for (std::int64_t j = 0; j < layers; ++j) {
        if (t.recompute_method == "block") g[static_cast<std::size_t>(j)] = j < n ? j : -1;
        else if (t.recompute_method == "interval") g[static_cast<std::size_t>(j)] = (j + 1) % n == 0 ? j : -1;
        else g[static_cast<std::size_t>(j)] = j / n;
    }
    return g;
}

bool ActivationsTerm::applies(const Context& ctx) const { return ctx[Sym::training] > 0; }
Bytes ActivationsTerm::host_bytes(const Context& ctx) const {
    if (ctx.scenario().training.activation_offload == "none") return 0;
    const StageActs a = stage_acts(ctx);
    return to_bytes(a.offloaded * a.in_flight * std::max(1.0, ctx.objective.trained_models), kId.data());
}
Bytes ActivationsTerm::compute(const Context& ctx, std::string* explain) const {
    check_checkpoint_keys(ctx);
    check_compile_keys(ctx);
    const StageActs a = stage_acts(ctx);
    const double models = std::max(1.0, ctx.objective.trained_models);
    const double recompute = recompute_counted(ctx, a);
    const Bytes bytes = to_bytes((a.total - a.recompute - a.reload) * models + recompute, kId.data());
    if (!explain) return bytes;
    const Shape x = shape(ctx);
    const std::string& mode = ctx.scenario().training.gradient_checkpointing;
    std::string s = format_number(a.in_flight) + " micro-batch(es) in flight × (" + std::to_string(a.layers) +
                    " layers × ";
    const TrainingSpec& t = ctx.scenario().training;
    if (mode == "full" && t.recompute_method == "uniform" && t.recompute_num_layers == 1)
        s += "checkpointed input b·s·h·bytes_act";
    else if (mode == "full")
        s += "checkpointed input b·s·h·bytes_act per recompute group (recompute_method " + t.recompute_method + ", " +
             std::to_string(t.recompute_num_layers) + "; " + std::to_string(a.checkpointed) + " layers checkpointed), "
             "A_layer for the others";
    else if (mode == "op")
        s += "op-level SAC kept outputs (input, wq, wv, attention out + lse, w1, w2)";
    else s += mode == "selective" ? "A_layer without s² terms" : "A_layer";
    s += " = " + format_count(static_cast<std::uint64_t>(a.per_mb + 0.5)) + " B";
    if (a.offloaded > 0)
        s += "; offloaded to the host (activation_offload " + t.activation_offload + "): " +
             format_count(static_cast<std::uint64_t>(a.offloaded + 0.5)) + " B, the largest " +
             format_count(static_cast<std::uint64_t>(a.reload + 0.5)) + " B copied back for its backward";
    if (a.embed > 0) s += " + ids/embedding " + format_count(static_cast<std::uint64_t>(a.embed + 0.5)) + " B";
    s += ")";
    if (a.recompute > 0)
        s += std::string(t.recompute_num_layers > 1 && t.recompute_method == "uniform" ? " + one recompute group rebuilt "
                                                                                      : " + one layer recomputed ") +
             format_count(static_cast<std::uint64_t>(a.recompute + 0.5)) + " B" +
             (recompute < a.recompute ? " less the logits backward has freed by then = " +
                                            format_count(static_cast<std::uint64_t>(recompute + 0.5)) + " B"
                                      : std::string());
    s += " with b=" + format_number(x.b) + ", s=" + format_number(x.s);
    if (ctx[Sym::cp] > 1) s += "/cp=" + format_number(ctx[Sym::cp]);
    s += ", bytes_act=" + format_number(x.ba) + (ctx[Sym::flash] > 0 ? ", flash" : ", eager attention (s² terms)");
    if (x.t > 1) s += std::string(", t=") + format_number(x.t) + (x.sp ? " with sequence parallel" : " without sequence parallel");
    s += "; largest layer " + format_count(static_cast<std::uint64_t>(a.largest + 0.5)) + " B";
    const SavePolicy p = save_policy(ctx);
    if (p.compiled)
        s += "; torch.compile: norms keep their input and an fp32 statistic, q, k, v, the attention output and "
             "the MLP's matmul outputs are saved, norm outputs and activations recomputed";
    else if (p.rms)
        s += std::string(p.rms_upcast ? "; RMSNorm saves its fp32 input" : "; RMSNorm (no upcast) saves its input") + (p.mean_saves_input ? " and x² (torch < 2.2)" : "") +
             (p.norm_trainable ? " and the normalized tensor" : "");
    std::string dropped;
    for (const auto& [kept, label] : {std::pair{p.attn_in, "attention input"}, std::pair{p.attn_out, "o_proj input"},
                                      std::pair{p.mlp_in, "MLP input"}, std::pair{p.mlp_mid, "down_proj input"}})
        if (!kept) dropped += std::string(dropped.empty() ? "" : ", ") + label;
    if (!dropped.empty()) s += "; frozen Linears keep no input: " + dropped;
    else if (ctx.method.frozen_base) s += "; every frozen Linear input kept (LoRA reads it, or a 4-bit matmul saves it)";
    if (p.gptq_dequant) s += "; GPTQ (TorchQuantLinear): each layer's dequantized weights kept for its backward";
    if (p.awq_fp16_copies) s += "; AWQ (WQLinearMMFunction): an fp16 copy of each quantized Linear's input kept";
    if (p.fp8_input > 0)
        s += "; FP8 (Transformer Engine): trainable Linear inputs saved at " + format_number(p.fp8_input) + " B per element";
    if (models > 1) s += "; × " + format_number(models) + " models trained on the same sequences (policy and value model)";
    *explain = s + " = " + format_count(bytes) + " B";
    return bytes;
}

}  // namespace vram::plugins::training
