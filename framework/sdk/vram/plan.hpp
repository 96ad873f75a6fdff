// vram/plan.hpp - typed facts one plan stage hands to the next (docs/architecture.md "Plan")
// SPDX-License-Identifier: Apache-2.0
//
// Stages never talk through names: a training method fills MethodFacts, the runtime profile
// EngineFacts, the objective ObjectiveFacts, and the terms that depend on them (model states,
// activations, adapters, logits) read these structs. A third-party method gets exactly the
// treatment of a built-in one by filling the same struct.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vram/bytes.hpp"
#include "vram/export.hpp"
#include "vram/model.hpp"

namespace vram {

/// Which inputs of a decoder layer's Linears autograd keeps for backward when the base weights
/// are frozen. PyTorch's mm keeps `self` only when `mat2` needs a gradient (derivatives.yaml), so
/// a frozen Linear keeps its input only when another consumer needs it (an adapter reading it).
struct KeptInputs {
    bool attn_in = true;   ///< the attention norm output, read by q/k/v (MLA: q_a/kv_a)
    bool attn_out = true;  ///< the attention output, read by o_proj
    bool mlp_in = true;    ///< the MLP norm output, read by gate/up (fc1); routed copies for experts
    bool mlp_mid = true;   ///< act(gate)·up, read by down_proj (fc2)
};

/// Tensors one adapted Linear keeps for backward per token, beyond what the frozen base keeps.
struct AdapterActivation {
    std::int32_t layer = -1;       ///< decoder layer of the adapted Linear (-1: outside the layers)
    std::int64_t token_copies = 1; ///< copies of each token the Linear sees (routed experts: top-k)
    double elements = 0;           ///< elements per token in the compute dtype (LoRA: r, + d_in with dropout)
    double mask_bytes = 0;         ///< 1-byte entries per token (dropout masks)
};

/// A base tensor the method copies and trains as it is stored, beside the frozen original (PEFT
/// modules_to_save: ModulesToSaveWrapper deep-copies the module and trains the copy).
struct TrainedCopy {
    Tensor tensor;                  ///< the original's shape and placement
    double bytes_per_element = 0;   ///< the stored dtype the copy keeps (and its gradient, its states)
};

/// What the training method decided (method stage). Read by the model-state, activation and
/// adapter terms. `trainable_bytes` must be set whenever Context::trainable_tensors is not empty.
struct MethodFacts {
    bool frozen_base = false;       ///< base weights get no gradients and no optimizer states
    double trainable_bytes = 0;     ///< stored bytes per element of Context::trainable_tensors
    std::int64_t adapter_params = 0;///< trainable parameters stored outside the model's weights
    KeptInputs kept_inputs;         ///< read when frozen_base: which Linear inputs stay saved
    std::vector<AdapterActivation> adapter_activations;  ///< one entry per adapted Linear copy
    /// Trained full copies of base tensors, outside Context::trainable_tensors (their dtype is
    /// their own, not trainable_bytes); the trained-copy terms count weights, gradients, states.
    std::vector<TrainedCopy> trained_copies;
    std::string explain;            ///< one line for --explain: what trains and in which dtype
};

/// What the engine's library versions and modules imply (runtime stage).
struct EngineFacts {
    bool rmsnorm = false;              ///< RMSNorm written in PyTorch ops (transformers), not fused
    bool rmsnorm_upcast = true;        ///< it computes in fp32 and saves that copy (LlamaRMSNorm)
    bool mean_saves_input = false;     ///< torch.mean saves its input for backward (PyTorch < 2.2)
    bool bnb_4bit_saves_input = false; ///< bitsandbytes < 0.43.2 MatMul4Bit saves every 4-bit input
    /// Bytes the engine process holds in CPU memory on the most loaded GPU's behalf: tensors it
    /// keeps on the host (llama.cpp token_embd and layers not offloaded). The `host_bytes` view;
    /// never part of the GPU total.
    double host_bytes = 0;
    /// The engine loads the model's multi-token-prediction layers (tensors of group "mtp"):
    /// vLLM with MTP speculative decoding. transformers ignores them when loading, llama.cpp's
    /// converter drops them, vLLM without speculative decoding skips them; the exact parameter
    /// count keeps them either way.
    bool loads_mtp_layers = false;
    /// Bytes of weights each engine process moves to pinned host memory as it builds the model
    /// (vLLM and SGLang `--cpu-offload-gb`: maybe_offload_to_cpu walks the decoder layers of its
    /// pipeline stage in order and moves parameter after parameter while the bytes moved so far
    /// are under this budget). weight_bytes_on_rank then counts only what stays on the GPU, and
    /// core.weights reports the rest in the `host_bytes` view. 0 = nothing offloaded.
    double weight_offload_budget = 0;
};

/// FP8 / FP4 training as the scenario's recipe, backend and GPU imply it (fp8 stage, after the
/// runtime). Bytes include the block scales.
struct Fp8Facts {
    std::string recipe;              ///< "" without FP8 training, else training.fp8_recipe
    std::string backend;             ///< transformer_engine | torchao
    bool param_gather = false;       ///< the decoder Linear weights are stored (or gathered) quantized
    /// Per model tensor (ModelSpec::tensors order, all copies): bytes of its quantized form with
    /// every layout the step needs (both where the GPU's FP8 GEMM takes only TN operands); 0 for
    /// tensors FP8 training does not quantize. Transformer Engine keeps this copy for the step
    /// (its weight workspace) or, with param_gather, stores only it; torchao gathers it.
    std::vector<Bytes> weight_copy;
    /// A Linear input saved for backward in the quantized layout, bytes per element (one layout
    /// + scales); 0 = the input stays in the compute dtype (torchao saves the high-precision input).
    double saved_input_bytes = 0;
    std::string layouts;             ///< for --explain: which layouts and why
};

/// A weight FP8 training quantizes: a Linear of the decoder stack (attention, MLP, experts, SSM
/// projections; Megatron builds them from Transformer Engine modules, torchao swaps them for
/// Float8Linear). Not the router (an fp32 matmul), embeddings, the LM head or encoder towers.
VRAM_API bool fp8_linear(const Tensor& t) noexcept;

/// What the optimizer decided from its options (its prepare(), after the objective).
struct OptimizerFacts {
    /// GaLore: rank r of the projected states of the matrices it targets (0 = every state full).
    std::int64_t projection_rank = 0;
    /// Substrings of Tensor::name selecting the projected Linear weights ("attn", "mlp").
    std::vector<std::string> projected_modules;
    /// Each parameter steps in its post-accumulate-grad hook and frees its gradient at once
    /// (GaLore's layer-wise mode): one gradient is alive at a time.
    bool steps_per_parameter = false;
};

/// What the training objective decided (objective stage).
struct ObjectiveFacts {
    double logits_tokens = 0;       ///< positions per sequence the LM head computes (0: all of s)
    bool separate_reference = false;///< a frozen reference copy of the model is loaded
    /// Models whose forward over the same sequences autograd keeps for one backward: 1, or 2 for
    /// PPO (TRL's PolicyAndValueWrapper runs the policy and the value model, both trained). The
    /// activation terms scale by it; logits stay the policy's (the value head emits one number).
    double trained_models = 1;
    /// The trained model ends in a value head (one number per position: a PPO critic, built as a
    /// sequence-regression model of the policy's backbone) instead of the LM head. The framework
    /// then drops the LM head's weights and trainable tensors, and no vocabulary logits exist;
    /// the objective adds its head.
    bool value_head = false;
    /// Bytes per element of the [tokens, V / t] logits at the loss's peak, when the objective's
    /// own loss path decides it (OpenRLHF's actor keeps an fp32 copy: 4 + 4 + bytes_act); 0: the
    /// training convention's (transformers' cross-entropy, Megatron's vocab-parallel one).
    double logits_element_bytes = 0;
};

/// The KeptInputs implied by adapters on `linears` (PEFT's LoRA/DoRA layout): without dropout
/// an adapter's A matrix reads the base Linear's input itself, so autograd keeps that input; with
/// dropout it reads the dropped copy instead and the base input is free.
VRAM_API KeptInputs kept_inputs_of_adapters(const ModelSpec& model, const std::vector<const Tensor*>& linears,
                                            bool dropout);

}  // namespace vram
