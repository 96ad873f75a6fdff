// expression.cpp - scenario formulas: compile (parser.cpp), bind symbol names to Context
// indices, and a fixed-stack interpreter for the hot path (docs/research.md).
// SPDX-License-Identifier: Apache-2.0
#include "expression/expression.hpp"

#include <algorithm>
#include <array>

#include "expression/program.hpp"
#include "plugin/registry.hpp"
#include "text/edit_distance.hpp"

namespace vram {

using namespace expr;  // this file is the interpreter of expr::Program

namespace {

// Symbols are short ("h", "n_kv"), so plain edit distance alone suggests every one-letter name
// for a two-letter typo. Close spellings come first, then names starting with the same letter.
std::vector<std::string> suggest_symbols(std::string_view wanted, const Context& ctx) {
    std::vector<std::pair<std::size_t, std::string>> close, same_start;
    const std::size_t budget = std::max<std::size_t>(1, wanted.size() / 3);
    for (std::size_t i = 0; i < ctx.symbol_count(); ++i) {
        const std::string& name = ctx.info(i).name;
        const std::size_t d = edit_distance(wanted, name);
        if (d <= budget) close.emplace_back(d, name);
        else if (!wanted.empty() && !name.empty() && name[0] == wanted[0]) same_start.emplace_back(d, name);
    }
    auto by_distance = [](const auto& x, const auto& y) { return x.first < y.first; };
    std::stable_sort(close.begin(), close.end(), by_distance);
    std::stable_sort(same_start.begin(), same_start.end(), by_distance);
    std::vector<std::string> out;
    for (auto* list : {&close, &same_start})
        for (auto& [d, n] : *list)
            if (out.size() < 3) out.push_back(n);
    return out;
}

}  // namespace

ExpressionError::ExpressionError(std::size_t column, const std::string& message)
    : Error("column " + std::to_string(column) + ": " + message), column_(column), detail_(message) {}
ExpressionError::~ExpressionError() = default;

struct Expression::Impl : expr::Program {};

Expression::Expression() : impl_(std::make_unique<Impl>()) {}
Expression::~Expression() = default;
Expression::Expression(const Expression& other) : impl_(std::make_unique<Impl>(*other.impl_)) {}
Expression& Expression::operator=(const Expression& other) {
    if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
    return *this;
}
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;

Expression Expression::compile(std::string_view text) {
    Expression e;
    e.impl_->text = std::string(text);
    expr::parse(*e.impl_);
    // Folding may have removed symbol loads (none today: symbols are never constant), so keep
    // only uses that still point at symbol instructions.
    auto& uses = e.impl_->uses;
    uses.erase(std::remove_if(uses.begin(), uses.end(),
                              [&](const expr::Program::SymbolUse& u) {
                                  return u.instr >= e.impl_->code.size() || !reads_symbol(e.impl_->code[u.instr].op);
                              }),
               uses.end());
    return e;
}

void Expression::bind(const Context& ctx) {
    Impl& d = *impl_;
    d.bound = false;
    d.slots.assign(d.names.size(), 0);
    for (std::size_t i = 0; i < d.names.size(); ++i) {
        const auto index = ctx.find(d.names[i]);
        if (!index) {
            std::string msg = "unknown symbol '" + d.names[i] + "'";
            const auto close = suggest_symbols(d.names[i], ctx);
            if (!close.empty()) {
                msg += "; did you mean: ";
                for (std::size_t k = 0; k < close.size(); ++k) msg += (k ? ", " : "") + close[k];
            } else {
                msg += "; `vram symbols SCENARIO` lists them";
            }
            throw ExpressionError(column_of(d.text, d.name_offset[i]), msg);
        }
        d.slots[i] = *index;
    }
    for (const auto& u : d.uses) d.code[u.instr].arg = static_cast<std::uint32_t>(d.slots[u.symbol]);
    d.bound = true;
}

bool Expression::bound() const noexcept { return impl_->bound; }

double Expression::evaluate(const Context& ctx) const noexcept {
    const Impl& d = *impl_;
    // The top of the stack lives in `top` (a register); `st` holds the values below it. One case
    // per opcode: a dense switch compiles to a jump table.
    std::array<double, kMaxStack> st;
    std::size_t sp = 0;
    double top = 0;
    for (const Instr& in : d.code) {
        switch (in.op) {
            case Op::constant: st[sp++] = top; top = in.value; break;
            case Op::symbol: st[sp++] = top; top = ctx.value(in.arg); break;
            case Op::add_sym: top += ctx.value(in.arg); break;
            case Op::sub_sym: top -= ctx.value(in.arg); break;
            case Op::mul_sym: top *= ctx.value(in.arg); break;
            case Op::div_sym: top /= ctx.value(in.arg); break;
            case Op::add_const: top += in.value; break;
            case Op::sub_const: top -= in.value; break;
            case Op::mul_const: top *= in.value; break;
            case Op::div_const: top /= in.value; break;
            case Op::add: top = st[--sp] + top; break;
            case Op::sub: top = st[--sp] - top; break;
            case Op::mul: top = st[--sp] * top; break;
            case Op::div: top = st[--sp] / top; break;
            case Op::pow: case Op::lt: case Op::le: case Op::gt: case Op::ge: case Op::eq: case Op::ne:
            case Op::land: case Op::lor: case Op::min: case Op::max:
                top = apply2(in.op, st[--sp], top);
                break;
            case Op::neg: top = -top; break;
            case Op::lnot: case Op::ceil: case Op::floor: case Op::round: case Op::abs: case Op::sqrt: case Op::log2:
                top = apply1(in.op, top);
                break;
            case Op::select: {
                const double if_true = st[--sp];
                const double cond = st[--sp];
                top = cond != 0 ? if_true : top;
                break;
            }
        }
    }
    return top;
}

std::string Expression::substitute(const Context& ctx) const {
    const Impl& d = *impl_;
    std::string out;
    std::size_t at = 0;
    for (const auto& s : d.spans) {
        out.append(d.text, at, s.offset - at);
        out += d.bound ? format_number(ctx.value(d.slots[s.symbol])) : d.names[s.symbol];
        at = s.offset + s.length;
    }
    out.append(d.text, at, std::string::npos);
    return out;
}

const std::string& Expression::text() const noexcept { return impl_->text; }
std::vector<std::string> Expression::symbols() const { return impl_->names; }
std::size_t Expression::code_size() const noexcept { return impl_->code.size(); }

}  // namespace vram
