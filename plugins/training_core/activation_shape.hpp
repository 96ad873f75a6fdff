// activation_shape.hpp - what the activation and logits terms of training_core share: the
// micro-batch's shape on this rank and the logits' bytes (logits.cpp), which full checkpointing
// weighs against the recomputed layer (activations.cpp).
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>

#include "vram/context.hpp"

namespace vram::plugins::training {

/// One micro-batch as this rank sees it.
struct Shape {
    double b, s_local, s, t, ba;
    bool sp;
};

inline Shape shape(const Context& ctx) {
    Shape x;
    x.b = ctx[Sym::b];
    x.s = ctx[Sym::s];
    x.s_local = ctx[Sym::s] / std::max(1.0, ctx[Sym::cp]);  // context parallelism splits the sequence
    x.t = std::max(1.0, ctx[Sym::t]);
    x.ba = ctx[Sym::bytes_act];
    x.sp = ctx.scenario().parallelism.sequence_parallel && x.t > 1;
    return x;
}

/// Positions per sequence the LM head computes: the objective's (GRPO: completions), else all.
inline double logits_tokens(const Context& ctx, double s) {
    return ctx.objective.logits_tokens > 0 ? ctx.objective.logits_tokens : s;
}

/// Bytes of the LM head's inputs, logits and loss buffers at their peak (logits.cpp).
double logits_bytes(const Context& ctx);
/// Whether this rank's pipeline stage computes the logits.
bool logits_on_stage(const Context& ctx);

}  // namespace vram::plugins::training
