// family_expression.cpp - the parser of the family-file expression language
// (family_expression.hpp): precedence climbing over ?: ?? || && comparisons + - * / // % unary,
// members, indexes and calls, with a depth limit.
// SPDX-License-Identifier: Apache-2.0
#include "model/family_expression.hpp"

namespace vram::family_detail {
namespace {

class Parser {
public:
    explicit Parser(std::string_view text) : t_(text) {}

    ExprPtr parse() {
        ExprPtr e = conditional();
        skip();
        if (p_ < t_.size()) fail("unexpected '" + std::string(t_.substr(p_, 12)) + "' at column " + std::to_string(p_ + 1));
        return e;
    }

private:
    std::string_view t_;
    std::size_t p_ = 0;
    int depth_ = 0;

    void skip() {
        while (p_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[p_]))) ++p_;
    }
    bool eat(std::string_view tok) {
        skip();
        if (t_.substr(p_, tok.size()) != tok) return false;
        // `?` must not eat the first half of `??`, `/` not the first half of `//` ...
        if (tok == "?" && t_.substr(p_, 2) == "??") return false;
        if (tok == "/" && t_.substr(p_, 2) == "//") return false;
        if ((tok == "<" || tok == ">" || tok == "!" ) && t_.substr(p_ + 1, 1) == "=") return false;
        if (tok == "*" && t_.substr(p_, 2) == "**") return false;
        p_ += tok.size();
        return true;
    }
    void expect(std::string_view tok) {
        if (!eat(tok)) fail("expected '" + std::string(tok) + "' at column " + std::to_string(p_ + 1));
    }
    static ExprPtr make(Expr::Op op, std::vector<ExprPtr> args, std::string text = {}) {
        auto e = std::make_shared<Expr>();
        e->op = op;
        e->args = std::move(args);
        e->text = std::move(text);
        return e;
    }
    struct Depth {
        int& d;
        explicit Depth(int& x) : d(x) {
            if (++d > 64) fail("expression nested too deeply");
        }
        ~Depth() { --d; }
    };

    ExprPtr conditional() {
        Depth guard(depth_);
        ExprPtr c = coalesce();
        if (eat("?")) {
            ExprPtr a = conditional();
            expect(":");
            ExprPtr b = conditional();
            return make(Expr::Op::cond, {c, a, b});
        }
        return c;
    }
    ExprPtr coalesce() {
        ExprPtr a = logic_or();
        while (eat("??")) a = make(Expr::Op::coalesce, {a, logic_or()});
        return a;
    }
    ExprPtr logic_or() {
        ExprPtr a = logic_and();
        while (eat("||")) a = make(Expr::Op::lor, {a, logic_and()});
        return a;
    }
    ExprPtr logic_and() {
        ExprPtr a = comparison();
        while (eat("&&")) a = make(Expr::Op::land, {a, comparison()});
        return a;
    }
    ExprPtr comparison() {
        ExprPtr a = additive();
        static const std::pair<const char*, Expr::Op> ops[] = {{"==", Expr::Op::eq}, {"!=", Expr::Op::ne},
                                                               {"<=", Expr::Op::le}, {">=", Expr::Op::ge},
                                                               {"<", Expr::Op::lt},  {">", Expr::Op::gt}};
        for (const auto& [tok, op] : ops)
            if (eat(tok)) return make(op, {a, additive()});
        return a;
    }
    ExprPtr additive() {
        ExprPtr a = multiplicative();
        for (;;) {
            if (eat("+")) a = make(Expr::Op::add, {a, multiplicative()});
            else if (eat("-")) a = make(Expr::Op::sub, {a, multiplicative()});
            else return a;
        }
    }
    ExprPtr multiplicative() {
        ExprPtr a = unary();
        for (;;) {
            if (eat("*")) a = make(Expr::Op::mul, {a, unary()});
            else if (eat("//")) a = make(Expr::Op::idiv, {a, unary()});
            else if (eat("/")) a = make(Expr::Op::div, {a, unary()});
            else if (eat("%")) a = make(Expr::Op::mod, {a, unary()});
            else return a;
        }
    }
    ExprPtr unary() {
        Depth guard(depth_);
        if (eat("-")) return make(Expr::Op::neg, {unary()});
        if (eat("!")) return make(Expr::Op::lnot, {unary()});
        return postfix();
    }
    ExprPtr postfix() {
        ExprPtr e = primary();
        for (;;) {
            skip();
            if (p_ < t_.size() && t_[p_] == '.' && p_ + 1 < t_.size() && !std::isdigit(static_cast<unsigned char>(t_[p_ + 1]))) {
                ++p_;
                e = make(Expr::Op::member, {e}, identifier());
            } else if (eat("[")) {
                ExprPtr i = conditional();
                expect("]");
                e = make(Expr::Op::index, {e, i});
            } else {
                return e;
            }
        }
    }
    std::string identifier() {
        skip();
        const std::size_t start = p_;
        while (p_ < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[p_])) || t_[p_] == '_')) ++p_;
        if (start == p_ || std::isdigit(static_cast<unsigned char>(t_[start])))
            fail("expected a name at column " + std::to_string(start + 1));
        return std::string(t_.substr(start, p_ - start));
    }
    ExprPtr primary() {
        skip();
        if (p_ >= t_.size()) fail("unexpected end of the expression");
        const char c = t_[p_];
        if (eat("(")) {
            ExprPtr e = conditional();
            expect(")");
            return e;
        }
        if (c == '"' || c == '\'') {
            const std::size_t end = t_.find(c, p_ + 1);
            if (end == std::string_view::npos) fail("unterminated string at column " + std::to_string(p_ + 1));
            auto e = std::make_shared<Expr>();
            e->value = Value::string(std::string(t_.substr(p_ + 1, end - p_ - 1)));
            p_ = end + 1;
            return e;
        }
        if (std::isdigit(static_cast<unsigned char>(c))) {
            std::size_t end = p_;
            bool real = false;
            while (end < t_.size() && (std::isdigit(static_cast<unsigned char>(t_[end])) || t_[end] == '.' ||
                                       t_[end] == 'e' || t_[end] == 'E' || t_[end] == '_' ||
                                       ((t_[end] == '-' || t_[end] == '+') && end > p_ &&
                                        (t_[end - 1] == 'e' || t_[end - 1] == 'E')))) {
                real = real || t_[end] == '.' || t_[end] == 'e' || t_[end] == 'E';
                ++end;
            }
            std::string digits;
            for (std::size_t k = p_; k < end; ++k)
                if (t_[k] != '_') digits += t_[k];
            p_ = end;
            auto e = std::make_shared<Expr>();
            try {
                e->value = real ? Value::real(std::stod(digits)) : Value::integer(std::stoll(digits));
            } catch (const std::exception&) {
                fail("bad number '" + digits + "'");
            }
            return e;
        }
        const std::string id = identifier();
        if (id == "true" || id == "false") {
            auto e = std::make_shared<Expr>();
            e->value = Value::boolean(id == "true");
            return e;
        }
        if (id == "null" || id == "None") return std::make_shared<Expr>();
        if (eat("(")) {
            static const char* known[] = {"min", "max", "ceil", "floor", "round", "abs", "len", "int",
                                          "contains", "any_contains", "count"};
            if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return id == k; }) ==
                std::end(known))
                fail("unknown function '" + id + "'; known: min, max, ceil, floor, round, abs, len, int, contains, "
                     "any_contains, count");
            std::vector<ExprPtr> args;
            if (!eat(")")) {
                do args.push_back(conditional());
                while (eat(","));
                expect(")");
            }
            return make(Expr::Op::call, std::move(args), id);
        }
        return make(Expr::Op::name, {}, id);
    }
};

}  // namespace

ExprPtr parse_expression(std::string_view text) { return Parser(text).parse(); }

Template parse_template(const std::string& text) {
    Template t;
    std::size_t p = 0;
    while (p < text.size()) {
        const std::size_t open = text.find('{', p);
        if (open == std::string::npos) {
            t.parts.emplace_back(text.substr(p), nullptr);
            break;
        }
        if (open > p) t.parts.emplace_back(text.substr(p, open - p), nullptr);
        const std::size_t close = text.find('}', open);
        if (close == std::string::npos) fail("'{' without '}' in '" + text + "'");
        t.parts.emplace_back(std::string(), parse_expression(std::string_view(text).substr(open + 1, close - open - 1)));
        p = close + 1;
    }
    return t;
}

}  // namespace vram::family_detail
