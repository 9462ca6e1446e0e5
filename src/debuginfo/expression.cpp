// SPDX-License-Identifier: GPL-3.0-or-later
// A C expression evaluator: recursive descent that evaluates as it parses. Values stay lvalues
// (typed addresses) until their bytes are needed. Errors inside the parser are thrown as
// EvalError and become a Result at evaluate(): the only exception path, kept in this file.
#include <cctype>
#include <cstring>

#include <fmt/format.h>

#include "kdive/object.hpp"

namespace kdive {

namespace {

struct EvalError {
    Error error;
};

[[noreturn]] void error(std::string what, std::string where = {}) {
    throw EvalError{Error{std::move(what), std::move(where)}};
}

template <typename T>
T check(Result<T> r) {
    if (!r) throw EvalError{r.error()};
    return std::move(r).value();
}

enum class Tok { End, Ident, Number, Char, Punct };

struct Token {
    Tok kind = Tok::End;
    std::string text;
    std::uint64_t number = 0;
    bool is_unsigned = false, is_long = false;
    std::size_t pos = 0;
};

class Lexer {
public:
    explicit Lexer(std::string_view s) : s_(s) { advance(); }
    const Token& peek() const { return cur_; }
    const Token& peek2() {
        if (!has_next_) {
            std::size_t save = i_;
            Token t = cur_;
            advance();
            next_ = cur_;
            cur_ = t;
            i_ = save;
            has_next_ = true;
        }
        return next_;
    }
    Token take() {
        Token t = cur_;
        if (has_next_) {
            cur_ = next_;
            has_next_ = false;
            // i_ was restored by peek2: skip past the next token again.
            skip_token();
        } else {
            advance();
        }
        return t;
    }
    bool is(std::string_view punct) const { return cur_.kind == Tok::Punct && cur_.text == punct; }
    bool accept(std::string_view punct) {
        if (!is(punct)) return false;
        take();
        return true;
    }
    void expect(std::string_view punct) {
        if (!accept(punct))
            error(fmt::format("expected '{}' at column {}", punct, cur_.pos + 1),
                  cur_.kind == Tok::End ? "end of expression" : cur_.text);
    }
    std::string_view rest() const { return s_.substr(std::min(cur_.pos, s_.size())); }

private:
    void skip_token() {
        // Re-lex to move i_ past cur_ (cheap: expressions are short).
        Token keep = cur_;
        i_ = keep.pos;
        advance();
        cur_ = keep;
    }
    void advance() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
        cur_ = Token{};
        cur_.pos = i_;
        if (i_ >= s_.size()) return;
        const char c = s_[i_];
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
            std::size_t b = i_;
            while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' || s_[i_] == '$')) ++i_;
            cur_.kind = Tok::Ident;
            cur_.text = std::string(s_.substr(b, i_ - b));
            return;
        }
        if (std::isdigit(static_cast<unsigned char>(c))) {
            std::size_t b = i_;
            int base = 10;
            if (c == '0' && i_ + 1 < s_.size() && (s_[i_ + 1] == 'x' || s_[i_ + 1] == 'X')) {
                base = 16;
                i_ += 2;
            } else if (c == '0' && i_ + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_ + 1]))) {
                base = 8;
                ++i_;
            }
            std::uint64_t v = 0;
            bool any = base == 8;
            for (; i_ < s_.size(); ++i_) {
                int d;
                char ch = static_cast<char>(std::tolower(static_cast<unsigned char>(s_[i_])));
                if (ch >= '0' && ch <= '9') d = ch - '0';
                else if (base == 16 && ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
                else break;
                if (d >= base) error("bad digit in number", std::string(s_.substr(b, i_ - b + 1)));
                if (v > (~0ULL - static_cast<unsigned>(d)) / static_cast<unsigned>(base))
                    error("number too large", std::string(s_.substr(b)));
                v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
                any = true;
            }
            if (!any) error("bad number", std::string(s_.substr(b, i_ - b)));
            while (i_ < s_.size() && (s_[i_] == 'u' || s_[i_] == 'U' || s_[i_] == 'l' || s_[i_] == 'L')) {
                if (s_[i_] == 'u' || s_[i_] == 'U') cur_.is_unsigned = true;
                else cur_.is_long = true;
                ++i_;
            }
            if (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_'))
                error("bad number", std::string(s_.substr(b, i_ - b + 1)));
            cur_.kind = Tok::Number;
            cur_.number = v;
            cur_.text = std::string(s_.substr(b, i_ - b));
            return;
        }
        if (c == '\'') {
            std::size_t b = i_++;
            if (i_ >= s_.size()) error("unterminated character constant");
            char ch = s_[i_++];
            if (ch == '\\' && i_ < s_.size()) {
                char e = s_[i_++];
                ch = e == 'n' ? '\n' : e == 't' ? '\t' : e == '0' ? '\0' : e;
            }
            if (i_ >= s_.size() || s_[i_] != '\'') error("bad character constant", std::string(s_.substr(b)));
            ++i_;
            cur_.kind = Tok::Char;
            cur_.number = static_cast<unsigned char>(ch);
            cur_.text = std::string(s_.substr(b, i_ - b));
            return;
        }
        static const char* puncts[] = {"->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
                                       "(", ")", "[", "]", ".", "*", "&", "+", "-", "~", "!",
                                       "/", "%", "<", ">", "^", "|", "?", ":", ","};
        for (const char* p : puncts) {
            std::size_t n = std::strlen(p);
            if (s_.substr(i_, n) == p) {
                cur_.kind = Tok::Punct;
                cur_.text = p;
                i_ += n;
                return;
            }
        }
        error(fmt::format("unexpected character '{}' at column {}", c, i_ + 1));
    }

    std::string_view s_;
    std::size_t i_ = 0;
    Token cur_, next_;
    bool has_next_ = false;
};

bool is_type_keyword(std::string_view w) {
    static const char* kw[] = {"struct", "union", "enum", "unsigned", "signed", "int", "long",
                               "short", "char", "void", "_Bool", "const", "volatile", "float",
                               "double"};
    for (const char* k : kw)
        if (w == k) return true;
    return false;
}

class Evaluator {
public:
    Evaluator(Session& s, DebugInfo& di, std::string_view text) : s_(s), di_(di), lex_(text) {}

    Object run() {
        Object v = ternary();
        if (lex_.peek().kind != Tok::End)
            error(fmt::format("unexpected '{}' at column {}", lex_.peek().text, lex_.peek().pos + 1));
        return v;
    }

private:
    // --- values -------------------------------------------------------------------------
    Object make_int(std::uint64_t v, const Type* t) { return Object::from_u64(s_, t, v); }
    const Type* int_t() { return di_.base_type("int"); }
    const Type* long_t() { return di_.base_type("long"); }
    const Type* ulong_t() { return di_.base_type("unsigned long"); }

    std::uint64_t scalar(const Object& v) { return check(v.to_u64()); }

    const Type* stripped(const Object& v) { return v.underlying(); }
    // The size of t's definition: a pointer's target is often a declaration in the pointer's
    // compile unit (`const struct sched_class *`), whose own size is 0.
    std::uint64_t size_of(const Type* t) { return type_size(di_.complete(strip_typedefs(t))); }

    // Arrays become pointers to their first element; functions, pointers to themselves.
    Object decay(const Object& v) { return check(v.decay()); }

    bool is_pointer(const Object& v) {
        const Type* t = stripped(v);
        return t && t->kind == TypeKind::Pointer;
    }
    bool is_integer(const Object& v) {
        const Type* t = stripped(v);
        return t && t->is_integer();
    }
    void require_scalar(const Object& v, std::string_view op) {
        const Type* t = stripped(v);
        if (!t || !t->is_scalar())
            error(fmt::format("operator {} needs a number or pointer, not {}", op, type_name(v.type())));
    }

    // Usual arithmetic conversions, simplified to the kernel's cases: 64-bit if either is,
    // unsigned if the wider (or either equal-width) operand is.
    const Type* common_type(const Object& a, const Object& b) {
        const Type* ta = stripped(a);
        const Type* tb = stripped(b);
        std::uint64_t sa = std::max<std::uint64_t>(4, ta->size), sb = std::max<std::uint64_t>(4, tb->size);
        bool ua = !ta->is_signed() && ta->size >= 4, ub = !tb->is_signed() && tb->size >= 4;
        std::uint64_t size = std::max(sa, sb);
        bool uns = (sa == size && ua) || (sb == size && ub);
        if (size >= 8) return uns ? ulong_t() : long_t();
        return uns ? di_.base_type("unsigned int") : int_t();
    }

    // --- grammar ------------------------------------------------------------------------
    Object ternary() {
        Nesting nest(depth_);
        Object c = logical_or();
        if (!lex_.accept("?")) return c;
        require_scalar(c, "?:");
        const bool cond = scalar(c) != 0;
        Object a = ternary();
        lex_.expect(":");
        Object b = ternary();
        return cond ? a : b;
    }

    Object logical_or() {
        Object l = logical_and();
        while (lex_.accept("||")) {
            Object r = logical_and();
            require_scalar(l, "||");
            require_scalar(r, "||");
            l = make_int((scalar(l) != 0 || scalar(r) != 0) ? 1 : 0, int_t());
        }
        return l;
    }

    Object logical_and() {
        Object l = binary(0);
        while (lex_.accept("&&")) {
            Object r = binary(0);
            require_scalar(l, "&&");
            require_scalar(r, "&&");
            l = make_int((scalar(l) != 0 && scalar(r) != 0) ? 1 : 0, int_t());
        }
        return l;
    }

    // Precedence levels from loosest: | ^ & (== !=) (< <= > >=) (<< >>) (+ -) (* / %)
    Object binary(int level) {
        static const std::vector<std::vector<std::string_view>> levels = {
            {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", "<=", ">", ">="}, {"<<", ">>"}, {"+", "-"},
            {"*", "/", "%"}};
        if (level == static_cast<int>(levels.size())) return unary();
        Object l = binary(level + 1);
        for (;;) {
            std::string op;
            for (auto o : levels[static_cast<std::size_t>(level)])
                if (lex_.is(o)) op = std::string(o);
            if (op.empty()) return l;
            lex_.take();
            Object r = binary(level + 1);
            l = apply(op, decay(l), decay(r));
        }
    }

    Object apply(const std::string& op, const Object& l, const Object& r) {
        require_scalar(l, op);
        require_scalar(r, op);
        const bool lp = is_pointer(l), rp = is_pointer(r);
        if (op == "+" || op == "-") {
            if (lp && rp) {
                if (op == "+") error("cannot add two pointers");
                std::uint64_t size = std::max<std::uint64_t>(1, size_of(stripped(l)->target.get()));
                auto diff = static_cast<std::int64_t>(scalar(l) - scalar(r));
                return make_int(static_cast<std::uint64_t>(diff / static_cast<std::int64_t>(size)), long_t());
            }
            if (lp || rp) {
                const Object& p = lp ? l : r;
                const Object& n = lp ? r : l;
                if (op == "-" && rp) error("cannot subtract a pointer from a number");
                std::uint64_t size = std::max<std::uint64_t>(1, size_of(stripped(p)->target.get()));
                std::uint64_t off = scalar(n) * size;
                return make_int(op == "+" ? scalar(p) + off : scalar(p) - off, p.type());
            }
        }
        const Type* t = (lp || rp) ? ulong_t() : common_type(l, r);
        const bool sign = strip_typedefs(t)->is_signed();
        const std::uint64_t a = scalar(l), b = scalar(r);
        const auto sa = static_cast<std::int64_t>(a), sb = static_cast<std::int64_t>(b);
        auto boolean = [&](bool v) { return make_int(v ? 1 : 0, int_t()); };
        if (op == "==") return boolean(a == b);
        if (op == "!=") return boolean(a != b);
        if (op == "<") return boolean(sign ? sa < sb : a < b);
        if (op == "<=") return boolean(sign ? sa <= sb : a <= b);
        if (op == ">") return boolean(sign ? sa > sb : a > b);
        if (op == ">=") return boolean(sign ? sa >= sb : a >= b);
        std::uint64_t v = 0;
        if (op == "+") v = a + b;
        else if (op == "-") v = a - b;
        else if (op == "*") v = a * b;
        else if (op == "/" || op == "%") {
            if (b == 0) error("division by zero");
            // INT64_MIN / -1 overflows (and traps on x86): the wrapped quotient, remainder 0.
            if (sign && sb == -1) v = op == "/" ? 0 - a : 0;
            else if (sign) v = static_cast<std::uint64_t>(op == "/" ? sa / sb : sa % sb);
            else v = op == "/" ? a / b : a % b;
        } else if (op == "&") v = a & b;
        else if (op == "|") v = a | b;
        else if (op == "^") v = a ^ b;
        else if (op == "<<") v = b >= 64 ? 0 : a << b;
        else if (op == ">>") v = b >= 64 ? 0 : (sign ? static_cast<std::uint64_t>(sa >> b) : a >> b);
        return make_int(v, t);
    }

    // Is "(" followed by a type name? Then it is a cast (or sizeof's operand).
    bool type_follows() {
        const Token& t = lex_.peek2();
        if (t.kind != Tok::Ident) return false;
        if (is_type_keyword(t.text)) return true;
        // A typedef, unless a variable of that name shadows it.
        if (di_.find_symbol(t.text)) return false;
        return static_cast<bool>(di_.find_type(t.text));
    }

    const Type* type_name_in_parens() {
        lex_.expect("(");
        std::string name;
        while (lex_.peek().kind == Tok::Ident || lex_.is("*")) {
            if (!name.empty() && lex_.peek().kind == Tok::Ident && name.back() != '*') name += ' ';
            name += lex_.take().text;
        }
        lex_.expect(")");
        auto t = di_.find_type(name);
        if (!t) error(t.error().what, t.error().where);
        return *t;
    }

    Object cast(const Type* to, const Object& from) { return check(from.cast(to)); }

    // Every cycle of the grammar passes through unary() or ternary(): bound the nesting so
    // "((((...", "----...", "1?1:1?1:..." are an error, not a stack overflow.
    struct Nesting {
        explicit Nesting(int& depth) : depth_(depth) {
            if (++depth_ > kMaxNesting) error("expression nested too deeply");
        }
        ~Nesting() { --depth_; }
        int& depth_;
    };
    // 100 parentheses; an ASan build overflows 8 MiB of stack at about 170 (frames of ~25 KiB).
    static constexpr int kMaxNesting = 200;

    Object unary() {
        Nesting nest(depth_);
        if (lex_.peek().kind == Tok::Ident && lex_.peek().text == "sizeof") {
            lex_.take();
            std::uint64_t size;
            if (lex_.is("(") && type_follows()) size = size_of(type_name_in_parens());
            else {
                Object v = unary();
                size = type_size(stripped(v));
            }
            return make_int(size, ulong_t());
        }
        if (lex_.is("(") && type_follows()) {
            const Type* to = type_name_in_parens();
            return cast(to, unary());
        }
        if (lex_.accept("-")) {
            Object v = decay(unary());
            if (!is_integer(v)) error("unary - needs a number");
            const Type* t = common_type(v, v);
            return make_int(0 - scalar(v), t);
        }
        if (lex_.accept("+")) return unary();
        if (lex_.accept("!")) {
            Object v = decay(unary());
            require_scalar(v, "!");
            return make_int(scalar(v) == 0 ? 1 : 0, int_t());
        }
        if (lex_.accept("~")) {
            Object v = decay(unary());
            if (!is_integer(v)) error("~ needs a number");
            const Type* t = common_type(v, v);
            return make_int(~scalar(v), t);
        }
        if (lex_.accept("*")) return deref(unary());
        if (lex_.accept("&")) return check(unary().address_of());
        return postfix(primary());
    }

    Object deref(const Object& raw) {
        Object p = decay(raw);
        if (!is_pointer(p)) error(fmt::format("cannot dereference {}", type_name(raw.type())));
        return check(p.deref());
    }

    // C's `.`: the base must be a struct or union (Object::member also follows pointers).
    Object member(const Object& base, const std::string& name) {
        const Type* t = stripped(base);
        if (!t || (t->kind != TypeKind::Struct && t->kind != TypeKind::Union))
            error(fmt::format("{} is not a struct or union", type_name(base.type())), name);
        return check(base.member(name));
    }

    Object postfix(Object v) {
        for (;;) {
            if (lex_.accept(".")) {
                v = member(v, ident("member name after '.'"));
            } else if (lex_.accept("->")) {
                std::string name = ident("member name after '->'");
                v = member(deref(v), name);
            } else if (lex_.accept("[")) {
                Object index = ternary();
                lex_.expect("]");
                if (!is_integer(index)) error("array index is not a number");
                const Type* t = stripped(v);
                if (t && t->kind == TypeKind::Array && v.is_lvalue()) {
                    v = check(v.index(static_cast<std::int64_t>(scalar(index))));
                } else {
                    Object p = decay(v);
                    if (!is_pointer(p)) error(fmt::format("cannot index {}", type_name(v.type())));
                    v = deref(apply("+", p, index));
                }
            } else {
                return v;
            }
        }
    }

    std::string ident(const char* what) {
        if (lex_.peek().kind != Tok::Ident) error(fmt::format("expected {}", what));
        return lex_.take().text;
    }

    Object primary() {
        const Token& t = lex_.peek();
        if (t.kind == Tok::Number) {
            Token n = lex_.take();
            const Type* ty = n.is_unsigned || n.number > 0x7fffffffffffffffULL
                                 ? ulong_t()
                                 : (n.is_long || n.number > 0x7fffffff ? long_t() : int_t());
            return make_int(n.number, ty);
        }
        if (t.kind == Tok::Char) return make_int(lex_.take().number, di_.base_type("char"));
        if (lex_.accept("(")) {
            Object v = ternary();
            lex_.expect(")");
            return v;
        }
        if (t.kind == Tok::Ident) {
            std::string name = lex_.take().text;
            if (auto v = Object::variable(s_, name)) {
                if (v->is_per_cpu() && lex_.is(":")) {  // crash's NAME:CPU
                    lex_.take();
                    if (lex_.peek().kind != Tok::Number) error("expected a CPU number after ':'", name);
                    const std::uint64_t cpu = lex_.take().number;
                    if (cpu >= s_.num_cpus())
                        error(fmt::format("no CPU {} in this dump ({} CPUs)", cpu, s_.num_cpus()), name);
                    auto off = check(s_.per_cpu_offset(static_cast<unsigned>(cpu)));
                    return Object::at(s_, v->type(), v->address() + off);
                }
                return std::move(*v);
            }
            if (auto e = di_.find_enumerator(name)) return make_int(static_cast<std::uint64_t>(e->second), e->first);
            error("no symbol in the kernel by that name", name);
        }
        if (t.kind == Tok::End) error("expression ends too soon");
        error(fmt::format("unexpected '{}' at column {}", t.text, t.pos + 1));
    }

    Session& s_;
    DebugInfo& di_;
    Lexer lex_;
    int depth_ = 0;
};

}  // namespace

Result<Object> evaluate(Session& session, std::string_view expression) {
    auto di = session.debuginfo();
    if (!di) return di.failure();
    try {
        return Evaluator(session, **di, expression).run();
    } catch (const EvalError& e) {
        return Failure{e.error};
    }
}

}  // namespace kdive
