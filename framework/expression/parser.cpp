// parser.cpp - scenario formulas: the lexer and a recursive-descent parser emitting postfix
// code over symbol names (bound to Context indices later), with constant folding and fused
// operand instructions for the interpreter in expression.cpp.
// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cctype>
#include <charconv>

#include "expression/expression.hpp"
#include "expression/program.hpp"

namespace vram::expr {
namespace {

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

std::size_t column_of(std::string_view text, std::size_t offset) {
    std::size_t col = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++col;  // skip UTF-8 continuations
    return col;
}

void parse(Program& out) { Parser(out).parse(); }

}  // namespace vram::expr
