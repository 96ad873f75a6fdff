// rl_common.hpp - small helpers the RL objectives (DPO, GRPO, PPO) share: their declared
// symbols, the ZeRO-3 divisor of frozen copies, number formatting for --explain.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include "vram/bytes.hpp"
#include "vram/context.hpp"

namespace vram::plugins::rl {

/// Value of a symbol this plugin declared (0 when no stage set it).
inline double sym(const Context& ctx, const char* name) { return ctx.get(name, 0.0); }
inline void set_sym(Context& ctx, const char* name, double v) { ctx.set(ctx.symbol(name), v); }
/// A training scenario with this objective.
inline bool is(const Context& ctx, std::string_view objective) {
    return ctx.scenario().training.objective == objective;
}
/// ZeRO-3 shards frozen copies prepared through DeepSpeed over the data-parallel ranks.
inline double zero3(const Context& ctx) { return ctx[Sym::zero] >= 3 && ctx[Sym::dp] > 1 ? ctx[Sym::dp] : 1.0; }
inline std::string n(double v) { return format_number(v); }

}  // namespace vram::plugins::rl
