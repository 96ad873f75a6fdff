// expression/program.hpp - the compiled form of a formula, shared by the parser (parser.cpp)
// and the interpreter (expression.cpp); internal, not installed.
// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vram::expr {

// Deep enough for any formula a person writes; fixed so evaluation never allocates.
constexpr std::size_t kMaxStack = 64;

enum class Op : std::uint8_t {
    constant, symbol,
    add, sub, mul, div, pow, lt, le, gt, ge, eq, ne, land, lor, min, max,  // binary
    neg, lnot, ceil, floor, round, abs, sqrt, log2,                          // unary
    select,                                                                 // ternary
    // Fused "operand then arithmetic" forms: most formulas are products and sums of symbols,
    // so these halve the instructions the interpreter dispatches.
    add_sym, sub_sym, mul_sym, div_sym, add_const, sub_const, mul_const, div_const,
};

struct Instr {
    Op op;
    std::uint32_t arg;  ///< symbol: Context index once bound
    double value;       ///< constant
};

inline int arity(Op op) noexcept {
    if (op == Op::constant || op == Op::symbol) return 0;
    if (op >= Op::add && op <= Op::max) return 2;
    if (op >= Op::neg && op <= Op::log2) return 1;
    if (op == Op::select) return 3;
    return 1;  // fused: one stack operand, the other inline
}

inline bool reads_symbol(Op op) noexcept {
    return op == Op::symbol || op == Op::add_sym || op == Op::sub_sym || op == Op::mul_sym || op == Op::div_sym;
}

inline double apply1(Op op, double a) noexcept {
    switch (op) {
        case Op::neg: return -a;
        case Op::lnot: return a == 0 ? 1.0 : 0.0;
        case Op::ceil: return std::ceil(a);
        case Op::floor: return std::floor(a);
        case Op::round: return std::round(a);
        case Op::abs: return std::fabs(a);
        case Op::sqrt: return std::sqrt(a);
        case Op::log2: return std::log2(a);
        default: return a;
    }
}

inline double apply2(Op op, double a, double b) noexcept {
    switch (op) {
        case Op::add: return a + b;
        case Op::sub: return a - b;
        case Op::mul: return a * b;
        case Op::div: return a / b;
        case Op::pow: return std::pow(a, b);
        case Op::lt: return a < b ? 1.0 : 0.0;
        case Op::le: return a <= b ? 1.0 : 0.0;
        case Op::gt: return a > b ? 1.0 : 0.0;
        case Op::ge: return a >= b ? 1.0 : 0.0;
        case Op::eq: return a == b ? 1.0 : 0.0;
        case Op::ne: return a != b ? 1.0 : 0.0;
        case Op::land: return (a != 0 && b != 0) ? 1.0 : 0.0;
        case Op::lor: return (a != 0 || b != 0) ? 1.0 : 0.0;
        // std::fmin/fmax would hide a NaN operand; keep it visible so the caller rejects it.
        case Op::min: return (a != a || b != b) ? a + b : (b < a ? b : a);
        case Op::max: return (a != a || b != b) ? a + b : (b > a ? b : a);
        default: return a;
    }
}

// The compiled form; Expression::Impl is this, kept out of the header.
struct Program {
    struct SymbolUse {
        std::size_t instr;    // index in code
        std::size_t symbol;   // index in names
    };
    struct Span {
        std::size_t offset, length, symbol;
    };
    std::string text;
    std::vector<Instr> code;
    std::vector<std::string> names;      // distinct symbol names
    std::vector<std::size_t> name_offset;  // first use, for error columns
    std::vector<std::size_t> slots;      // Context index per name (after bind)
    std::vector<SymbolUse> uses;
    std::vector<Span> spans;             // every symbol occurrence, for substitute()
    bool bound = false;
};

/// 1-based column of a byte offset, counting UTF-8 code points (what an editor shows).
std::size_t column_of(std::string_view text, std::size_t offset);

/// Parses `out.text` into `out` (postfix code, symbol names, uses and spans); throws
/// ExpressionError with the column.
void parse(Program& out);

}  // namespace vram::expr
