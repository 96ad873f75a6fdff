// expression.cpp - scenario formulas: a recursive-descent parser emitting postfix code over
// Context symbol indices, and a fixed-stack interpreter for the hot path (docs/research.md).
// SPDX-License-Identifier: Apache-2.0
#include "expression/expression.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "plugin/registry.hpp"

namespace vram {
namespace {

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

int arity(Op op) noexcept {
    if (op == Op::constant || op == Op::symbol) return 0;
    if (op >= Op::add && op <= Op::max) return 2;
    if (op >= Op::neg && op <= Op::log2) return 1;
    if (op == Op::select) return 3;
    return 1;  // fused: one stack operand, the other inline
}

bool reads_symbol(Op op) noexcept {
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

enum class Tok { end, number, name, op, lparen, rparen, comma, question, colon };

struct Token {
    Tok kind = Tok::end;
    std::size_t offset = 0;   // byte offset in the text
    std::size_t length = 0;   // bytes
    std::string_view text;
    double number = 0;
};

struct Function {
    const char* name;
    Op op;
    int min_args;
    int max_args;  // -1 = any (folded pairwise)
};

constexpr Function kFunctions[] = {
    {"min", Op::min, 2, -1}, {"max", Op::max, 2, -1}, {"ceil", Op::ceil, 1, 1},
    {"floor", Op::floor, 1, 1}, {"round", Op::round, 1, 1}, {"abs", Op::abs, 1, 1},
    {"sqrt", Op::sqrt, 1, 1}, {"log2", Op::log2, 1, 1}, {"if", Op::select, 3, 3},
};

std::string function_list() {
    std::string out;
    for (const auto& f : kFunctions) out += std::string(out.empty() ? "" : ", ") + f.name;
    return out;
}

std::size_t column_of(std::string_view text, std::size_t offset) {
    std::size_t col = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++col;  // skip UTF-8 continuations
    return col;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

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

namespace {

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

class Parser {
public:
    explicit Parser(Program& out) : out_(out), text_(out.text) { next(); }

    void parse() {
        if (tok_.kind == Tok::end) fail(0, "empty formula");
        conditional();
        if (tok_.kind != Tok::end) fail(tok_.offset, "unexpected '" + std::string(tok_.text) +
                                                      "' after a complete formula (missing an operator?)");
    }

private:
    [[noreturn]] void fail(std::size_t offset, const std::string& message) const {
        throw ExpressionError(column_of(text_, offset), message);
    }

    static bool ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
    static bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

    void next() {
        std::size_t i = pos_;
        while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
        tok_ = Token{};
        tok_.offset = i;
        if (i >= text_.size()) {
            pos_ = i;
            tok_.text = "end of formula";
            return;
        }
        const char c = text_[i];
        auto take = [&](Tok kind, std::size_t n) {
            tok_.kind = kind;
            tok_.length = n;
            tok_.text = text_.substr(i, n);
            pos_ = i + n;
        };
        auto starts = [&](std::string_view s) { return text_.substr(i, s.size()) == s; };
        if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && i + 1 < text_.size() &&
                                                             std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
            std::size_t j = i;
            while (j < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[j])) || text_[j] == '.')) ++j;
            if (j < text_.size() && (text_[j] == 'e' || text_[j] == 'E')) {
                std::size_t k = j + 1;
                if (k < text_.size() && (text_[k] == '+' || text_[k] == '-')) ++k;
                if (k < text_.size() && std::isdigit(static_cast<unsigned char>(text_[k]))) {
                    j = k;
                    while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
                }
            }
            double v = 0;
            const auto r = std::from_chars(text_.data() + i, text_.data() + j, v);
            if (r.ec != std::errc() || r.ptr != text_.data() + j)
                fail(i, "malformed number '" + std::string(text_.substr(i, j - i)) + "'");
            if (j < text_.size() && ident_start(text_[j]))
                fail(j, "a number is followed by '" + std::string(1, text_[j]) +
                            "'; write the multiplication: 2 * h, not 2h");
            take(Tok::number, j - i);
            tok_.number = v;
            return;
        }
        if (ident_start(c)) {
            std::size_t j = i + 1;
            while (j < text_.size() && ident_char(text_[j])) ++j;
            take(Tok::name, j - i);
            return;
        }
        // Two-character operators first, then the typographic ones people paste from papers.
        for (std::string_view op : {"**", "<=", ">=", "==", "!=", "&&", "||"})
            if (starts(op)) return take(Tok::op, 2);
        if (starts("\xC3\x97") || starts("\xC3\xB7") || starts("\xC2\xB7")) return take(Tok::op, 2);  // × ÷ ·
        if (starts("\xE2\x88\x92")) return take(Tok::op, 3);                                          // −
        switch (c) {
            case '+': case '-': case '*': case '/': case '^': case '<': case '>': case '!':
                return take(Tok::op, 1);
            case '(': return take(Tok::lparen, 1);
            case ')': return take(Tok::rparen, 1);
            case ',': return take(Tok::comma, 1);
            case '?': return take(Tok::question, 1);
            case ':': return take(Tok::colon, 1);
            default: break;
        }
        std::size_t n = 1;
        while (i + n < text_.size() && (static_cast<unsigned char>(text_[i + n]) & 0xC0) == 0x80) ++n;
        fail(i, "unexpected character '" + std::string(text_.substr(i, n)) +
                    "'; allowed: numbers, symbols, + - * / ^ ( ) , < <= > >= == != && || ! ? : and functions");
    }

    bool is_op(std::string_view s) const { return tok_.kind == Tok::op && tok_.text == s; }

    void emit(Op op, std::size_t offset, double value = 0) {
        const int n = arity(op);
        // Constant folding: the operands of an op are the last `n` instructions when they are all
        // constants, so `2^30 * b` evaluates one multiplication.
        if (n > 0 && out_.code.size() >= static_cast<std::size_t>(n)) {
            bool all_const = true;
            for (int k = 1; k <= n; ++k) all_const = all_const && out_.code[out_.code.size() - k].op == Op::constant;
            if (all_const) {
                const std::size_t base = out_.code.size() - n;
                double v = 0;
                if (n == 1) v = apply1(op, out_.code[base].value);
                else if (n == 2) v = apply2(op, out_.code[base].value, out_.code[base + 1].value);
                else v = out_.code[base].value != 0 ? out_.code[base + 1].value : out_.code[base + 2].value;
                out_.code.resize(base);
                depth_ -= n;
                out_.code.push_back({Op::constant, 0, v});
                ++depth_;
                return;
            }
        }
        depth_ += 1 - n;
        // Fuse a binary + - * / whose right operand is a lone symbol or constant into one
        // instruction (the operand instruction is rewritten in place, so symbol uses stay valid).
        if (n == 2 && !out_.code.empty() && (op == Op::add || op == Op::sub || op == Op::mul || op == Op::div)) {
            Instr& right = out_.code.back();
            const int k = op == Op::add ? 0 : op == Op::sub ? 1 : op == Op::mul ? 2 : 3;
            if (right.op == Op::symbol || right.op == Op::constant) {
                const Op base = right.op == Op::symbol ? Op::add_sym : Op::add_const;
                right.op = static_cast<Op>(static_cast<int>(base) + k);
                return;
            }
        }
        out_.code.push_back({op, 0, value});
        if (depth_ > kMaxStack) fail(offset, "formula nested too deeply (more than 64 pending values)");
    }

    // Bounds the parser's recursion: a formula is data from a file, and "((((…" must not be able
    // to exhaust the stack.
    struct Nest {
        Parser& p;
        explicit Nest(Parser& parser) : p(parser) {
            if (++p.nesting_ > 512) p.fail(p.tok_.offset, "formula nested too deeply (parentheses or signs)");
        }
        ~Nest() { --p.nesting_; }
        Nest(const Nest&) = delete;
        Nest& operator=(const Nest&) = delete;
    };

    void conditional() {
        const Nest guard(*this);
        const std::size_t start = tok_.offset;
        logical_or();
        if (tok_.kind != Tok::question) return;
        const std::size_t q = tok_.offset;
        next();
        conditional();
        if (tok_.kind != Tok::colon) fail(tok_.offset, "expected ':' of the '?' at column " + std::to_string(column_of(text_, q)) +
                                                          ", got '" + std::string(tok_.text) + "'");
        next();
        conditional();
        emit(Op::select, start);
    }

    void logical_or() {
        logical_and();
        while (is_op("||")) {
            const std::size_t at = tok_.offset;
            next();
            logical_and();
            emit(Op::lor, at);
        }
    }

    void logical_and() {
        comparison();
        while (is_op("&&")) {
            const std::size_t at = tok_.offset;
            next();
            comparison();
            emit(Op::land, at);
        }
    }

    void comparison() {
        additive();
        while (tok_.kind == Tok::op) {
            Op op;
            if (is_op("<")) op = Op::lt;
            else if (is_op("<=")) op = Op::le;
            else if (is_op(">")) op = Op::gt;
            else if (is_op(">=")) op = Op::ge;
            else if (is_op("==")) op = Op::eq;
            else if (is_op("!=")) op = Op::ne;
            else return;
            const std::size_t at = tok_.offset;
            next();
            additive();
            emit(op, at);
        }
    }

    void additive() {
        multiplicative();
        while (is_op("+") || is_op("-") || is_op("\xE2\x88\x92")) {
            const Op op = is_op("+") ? Op::add : Op::sub;
            const std::size_t at = tok_.offset;
            next();
            multiplicative();
            emit(op, at);
        }
    }

    void multiplicative() {
        unary();
        while (is_op("*") || is_op("/") || is_op("\xC3\x97") || is_op("\xC3\xB7") || is_op("\xC2\xB7")) {
            const Op op = (is_op("/") || is_op("\xC3\xB7")) ? Op::div : Op::mul;
            const std::size_t at = tok_.offset;
            next();
            unary();
            emit(op, at);
        }
    }

    void unary() {
        const Nest guard(*this);
        if (is_op("-") || is_op("\xE2\x88\x92") || is_op("+") || is_op("!")) {
            const bool plus = is_op("+"), lnot = is_op("!");
            const std::size_t at = tok_.offset;
            next();
            unary();
            if (!plus) emit(lnot ? Op::lnot : Op::neg, at);
            return;
        }
        power();
    }

    void power() {
        primary();
        if (is_op("^") || is_op("**")) {
            const std::size_t at = tok_.offset;
            next();
            unary();  // right-associative, and 2^-1 is allowed
            emit(Op::pow, at);
        }
    }

    void primary() {
        const Token t = tok_;
        switch (t.kind) {
            case Tok::number:
                next();
                emit(Op::constant, t.offset, t.number);
                return;
            case Tok::lparen: {
                next();
                conditional();
                if (tok_.kind != Tok::rparen)
                    fail(tok_.offset, "expected ')' to close the '(' at column " + std::to_string(column_of(text_, t.offset)) +
                                          ", got '" + std::string(tok_.text) + "'");
                next();
                return;
            }
            case Tok::name: {
                next();
                if (tok_.kind == Tok::lparen) return call(t);
                symbol(t);
                return;
            }
            default:
                fail(t.offset, "expected a number, a symbol, a function or '(', got '" + std::string(t.text) + "'");
        }
    }

    void call(const Token& name) {
        const Function* f = nullptr;
        for (const auto& k : kFunctions)
            if (name.text == k.name) f = &k;
        if (!f) fail(name.offset, "unknown function '" + std::string(name.text) + "'; functions: " + function_list());
        next();  // '('
        int args = 0;
        if (tok_.kind != Tok::rparen) {
            while (true) {
                conditional();
                ++args;
                // Variadic min/max fold pairwise as they go, keeping the stack shallow.
                if (f->max_args < 0 && args >= 2) emit(f->op, name.offset);
                if (tok_.kind == Tok::comma) {
                    next();
                    continue;
                }
                break;
            }
        }
        if (tok_.kind != Tok::rparen)
            fail(tok_.offset, "expected ',' or ')' in " + std::string(f->name) + "(...), got '" + std::string(tok_.text) + "'");
        if (args < f->min_args || (f->max_args >= 0 && args > f->max_args)) {
            std::string want = f->max_args < 0 ? "at least " + std::to_string(f->min_args) : std::to_string(f->min_args);
            fail(name.offset, std::string(f->name) + "() takes " + want + " argument" + (f->min_args == 1 && f->max_args == 1 ? "" : "s") +
                                  ", got " + std::to_string(args));
        }
        next();
        if (f->max_args >= 0) emit(f->op, name.offset);
    }

    void symbol(const Token& t) {
        const std::string name(t.text);
        auto it = std::find(out_.names.begin(), out_.names.end(), name);
        const std::size_t id = static_cast<std::size_t>(it - out_.names.begin());
        if (it == out_.names.end()) {
            out_.names.push_back(name);
            out_.name_offset.push_back(t.offset);
        }
        out_.uses.push_back({out_.code.size(), id});
        out_.spans.push_back({t.offset, t.length, id});
        emit(Op::symbol, t.offset);
    }

    Program& out_;
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t depth_ = 0;
    int nesting_ = 0;
    Token tok_;
};

}  // namespace

struct Expression::Impl : Program {};

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
    Parser(*e.impl_).parse();
    // Folding may have removed symbol loads (none today: symbols are never constant), so keep
    // only uses that still point at symbol instructions.
    auto& uses = e.impl_->uses;
    uses.erase(std::remove_if(uses.begin(), uses.end(),
                              [&](const Program::SymbolUse& u) {
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

// --- scenario components -------------------------------------------------------------------

ExpressionComponent::ExpressionComponent(const ExpressionSpec& spec, Category category, Expression expression,
                                         std::string where, std::string phase)
    : spec_(spec), category_(category), expression_(std::move(expression)), where_(std::move(where)),
      phase_(std::move(phase)) {
    source_ = spec_.source.empty() ? "scenario " + spec_.path + " (" + where_ + ")" : spec_.source;
}

ExpressionComponent::~ExpressionComponent() = default;

void ExpressionComponent::fail(const std::string& message) const {
    throw ScenarioError(where_, spec_.path + " (" + spec_.name + "): " + message);
}

Bytes ExpressionComponent::evaluate(const Context& ctx) const {
    // Unbound code would read symbol 0 for every name: refuse rather than return a wrong number.
    if (!expression_.bound()) fail("formula evaluated before the scenario was prepared (internal error)");
    const double v = expression_.evaluate(ctx);
    // 2^63: beyond it no GPU exists and the conversion to a byte count is no longer exact.
    if (!(v >= 0) || !std::isfinite(v) || v >= 9.2233720368547758e18) {
        const char* what = std::isnan(v) ? "is not a number" : !std::isfinite(v) ? "is infinite"
                           : v < 0 ? "is negative" : "exceeds 2^63 bytes";
        fail("formula '" + spec_.formula + "' " + what + " (" + format_number(v) + ") for " +
             expression_.substitute(ctx) + "; a component's bytes must be finite and >= 0");
    }
    return static_cast<Bytes>(std::ceil(v));
}

std::string ExpressionComponent::substitute(const Context& ctx) const {
    return expression_.substitute(ctx) + " = " + format_count(evaluate(ctx)) + " B";
}

void ExpressionComponent::bind(const Context& ctx) {
    try {
        expression_.bind(ctx);
    } catch (const ExpressionError& e) {
        fail("formula column " + std::to_string(e.column()) + ": " + e.detail());
    }
}

ScenarioComponents::ScenarioComponents() = default;
ScenarioComponents::~ScenarioComponents() = default;
ScenarioComponents::ScenarioComponents(ScenarioComponents&&) noexcept = default;
ScenarioComponents& ScenarioComponents::operator=(ScenarioComponents&&) noexcept = default;

void ScenarioComponents::resolve(const Scenario& scenario, std::vector<const Component*>& components,
                                 const SymbolTable& symbols) {
    static const ModelSpec kNoModel;
    const Context declared(kNoModel, scenario, &symbols);  // binds names against the declarations only
    items_.clear();
    std::vector<std::string> registered;
    for (const Component* c : components) registered.emplace_back(c->id());
    std::vector<std::pair<std::string, std::string>> replaced;  // id -> path that replaced it
    for (std::size_t i = 0; i < scenario.components.size(); ++i) {
        const ExpressionSpec& spec = scenario.components[i];
        const std::string path = spec.path.empty() ? "components[" + std::to_string(i) + "]" : spec.path;
        const std::string label = path + " (" + spec.name + "): ";
        auto fail = [&](const std::string& key, const std::string& message) {
            throw ScenarioError(scenario.where(key), label + message);
        };
        if (spec.name.empty()) fail(path + ".name", "name: empty; every component needs a name");
        Category category{};
        if (!parse_category(spec.category, category)) {
            std::string allowed;
            for (int k = 0; k <= static_cast<int>(Category::other); ++k)
                allowed += std::string(k ? ", " : "") + to_string(static_cast<Category>(k));
            fail(path + ".category", "unknown category '" + spec.category + "'; allowed: " + allowed);
        }
        for (const auto& item : items_)
            if (item->spec().name == spec.name)
                fail(path + ".name", "name '" + spec.name + "' is already used by " + item->spec().path);
        if (spec.name != spec.replaces &&
            std::find(registered.begin(), registered.end(), spec.name) != registered.end())
            fail(path + ".name", "name '" + spec.name + "' is a built-in component; use replaces: " + spec.name +
                                     " to replace it, or another name");
        Expression expression;
        try {
            expression = Expression::compile(spec.formula);
            expression.bind(declared);
        } catch (const ExpressionError& e) {
            fail(path + ".formula", "formula column " + std::to_string(e.column()) + ": " + e.detail());
        }
        std::size_t position = components.size();
        std::string phase;
        if (!spec.replaces.empty()) {
            auto it = std::find_if(components.begin(), components.end(),
                                   [&](const Component* c) { return c->id() == spec.replaces; });
            if (it == components.end()) {
                for (const auto& [id, by] : replaced)
                    if (id == spec.replaces) fail(path + ".replaces", "replaces: '" + id + "' is already replaced by " + by);
                std::string msg = "replaces: no component '" + spec.replaces + "'";
                const auto close = closest_names(spec.replaces, registered, 3);
                if (!close.empty()) {
                    msg += "; did you mean: ";
                    for (std::size_t k = 0; k < close.size(); ++k) msg += (k ? ", " : "") + close[k];
                } else {
                    msg += "; `vram plugins` lists the registered components";
                }
                fail(path + ".replaces", msg);
            }
            position = static_cast<std::size_t>(it - components.begin());
            phase = std::string((*it)->phase());
            replaced.emplace_back(spec.replaces, path);
        }
        ExpressionSpec copy = spec;
        copy.path = path;
        items_.push_back(std::make_unique<ExpressionComponent>(copy, category, std::move(expression),
                                                               scenario.where(path + ".formula"), phase));
        // A replacement takes the replaced term's place, so the breakdown keeps its order.
        if (position < components.size()) components[position] = items_.back().get();
        else components.push_back(items_.back().get());
    }
}

void ScenarioComponents::bind(const Context& ctx) {
    for (auto& item : items_) item->bind(ctx);
}

}  // namespace vram
