#include "ldap/addressbook/dn.hpp"

#include <fmt/format.h>

#include "core/hex.hpp"
#include "ldap/addressbook/entry.hpp"
#include "ldap/addressbook/fold.hpp"

namespace sb::addressbook {
namespace {

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
class Parser {
  public:
    explicit Parser(std::string_view s) : s_(s) {}

    Result<std::vector<Rdn>> run(const DnLimits& limits) {
        std::vector<Rdn> out;
        skip_spaces();
        if (at_end()) return out;
        for (;;) {
            if (out.size() >= limits.max_rdns)
                return fail(Errc::limit_exceeded,
                            fmt::format("DN has more than {} RDNs", limits.max_rdns));
            Rdn rdn;
            for (;;) {
                SB_TRY_ASSIGN(auto ava, parse_ava());
                rdn.push_back(std::move(ava));
                skip_spaces();
                if (!at_end() && s_[pos_] == '+') {
                    ++pos_;
                    skip_spaces();
                    continue;
                }
                break;
            }
            out.push_back(std::move(rdn));
            if (at_end()) break;
            if (s_[pos_] != ',' && s_[pos_] != ';') return error("',' expected");
            ++pos_;
            skip_spaces();
        }
        return out;
    }

  private:
    bool at_end() const { return pos_ >= s_.size(); }
    void skip_spaces() {
        while (!at_end() && s_[pos_] == ' ')
            ++pos_;
    }
    tl::unexpected<Error> error(std::string_view what) const {
        return fail(Errc::parse_error, fmt::format("invalid DN at offset {}: {}", pos_, what));
    }

    // numericoid = number 1*( DOT number ), number = DIGIT / ( LDIGIT 1*DIGIT ) (RFC 4512 1.4).
    bool scan_numericoid() {
        size_t numbers = 0;
        for (;;) {
            const size_t first = pos_;
            while (!at_end() && is_digit(s_[pos_]))
                ++pos_;
            if (pos_ == first || (pos_ - first > 1 && s_[first] == '0')) return false;
            ++numbers;
            if (at_end() || s_[pos_] != '.') break;
            ++pos_;
        }
        return numbers >= 2;
    }

    Result<Ava> parse_ava() {
        Ava ava;
        const size_t start = pos_;
        if (at_end()) return error("attribute type expected");
        if (s_.substr(pos_, 4) == "OID." ||
            s_.substr(pos_, 4) == "oid.") {  // RFC 1779 "OID.2.5.4.3"
            pos_ += 4;
            if (!scan_numericoid()) return error("bad numeric OID");
        } else if (is_alpha(s_[pos_])) {  // descr = leadkeychar *keychar
            while (!at_end() && (is_alpha(s_[pos_]) || is_digit(s_[pos_]) || s_[pos_] == '-'))
                ++pos_;
        } else if (is_digit(s_[pos_])) {
            if (!scan_numericoid()) return error("bad numeric OID");
        } else {
            return error("attribute type expected");
        }
        ava.type = std::string(s_.substr(start, pos_ - start));
        // "OID.2.5.4.3" (RFC 1779) is the OID.
        if (ava.type.size() > 4 &&
            (ava.type.compare(0, 4, "OID.") == 0 || ava.type.compare(0, 4, "oid.") == 0))
            ava.type = ava.type.substr(4);
        skip_spaces();
        if (at_end() || s_[pos_] != '=') return error("'=' expected");
        ++pos_;
        skip_spaces();
        SB_TRY_ASSIGN(auto v, parse_value());
        ava.value = std::move(v);
        return ava;
    }

    Result<std::string> parse_value() {
        std::string v;
        if (at_end()) return v;
        if (s_[pos_] == '#') {  // hexstring: the BER encoding of the value
            ++pos_;
            std::string raw;
            while (!at_end() && hex_value(s_[pos_]) >= 0) {
                if (pos_ + 1 >= s_.size() || hex_value(s_[pos_ + 1]) < 0)
                    return error("odd hex string");
                raw.push_back(
                    static_cast<char>(hex_value(s_[pos_]) * 16 + hex_value(s_[pos_ + 1])));
                pos_ += 2;
            }
            if (raw.size() < 2) return error("empty hex string");
            // Take the contents of a primitive element with a short length.
            const auto len = static_cast<unsigned char>(raw[1]);
            if (len >= 0x80 || len + 2u != raw.size()) return error("unsupported hex string");
            return raw.substr(2);
        }
        if (s_[pos_] == '"') {  // RFC 1779 quoted value
            ++pos_;
            while (!at_end() && s_[pos_] != '"') {
                if (s_[pos_] == '\\') {
                    SB_TRY(escape(v));
                } else {
                    v.push_back(s_[pos_++]);
                }
            }
            if (at_end()) return error("unterminated quoted value");
            ++pos_;
            return v;
        }
        size_t trailing_spaces = 0;  // unescaped spaces at the end are not part of the value
        while (!at_end()) {
            const char c = s_[pos_];
            if (c == ',' || c == ';' || c == '+') break;
            if (c == '\\') {
                SB_TRY(escape(v));
                trailing_spaces = 0;
                continue;
            }
            if (c == '"' || c == '<' || c == '>' || c == '=' || c == '\0')
                return error(fmt::format("'{}' must be escaped",
                                         c == '\0' ? std::string("NUL") : std::string(1, c)));
            v.push_back(c);
            trailing_spaces = c == ' ' ? trailing_spaces + 1 : 0;
            ++pos_;
        }
        v.resize(v.size() - trailing_spaces);
        return v;
    }

    // pair = ESC ( ESC / special / hexpair )
    Result<void> escape(std::string& v) {
        ++pos_;
        if (at_end()) return error("dangling escape");
        const char c = s_[pos_];
        if (hex_value(c) >= 0 && pos_ + 1 < s_.size() && hex_value(s_[pos_ + 1]) >= 0) {
            v.push_back(static_cast<char>(hex_value(c) * 16 + hex_value(s_[pos_ + 1])));
            pos_ += 2;
            return {};
        }
        if (std::string_view(" \"#+,;<=>\\").find(c) == std::string_view::npos)
            return error("bad escape");
        v.push_back(c);
        ++pos_;
        return {};
    }

    std::string_view s_;
    size_t pos_ = 0;
};

}  // namespace

Result<std::vector<Rdn>> parse_dn(std::string_view dn, const DnLimits& limits) {
    if (dn.size() > limits.max_size)
        return fail(Errc::limit_exceeded,
                    fmt::format("DN longer than {} characters", limits.max_size));
    return Parser(dn).run(limits);
}

bool rdn_is(const Rdn& rdn, Attr attr, std::string_view folded_value) {
    if (rdn.size() != 1) return false;
    const AttrInfo* info = find_attr(rdn.front().type);
    if (!info || info->id != attr) return false;
    return fold(rdn.front().value) == folded_value;
}

std::string dn_string(const std::vector<Rdn>& rdns, size_t from) {
    std::string out;
    for (size_t i = from; i < rdns.size(); ++i) {
        if (i > from) out.push_back(',');
        for (size_t k = 0; k < rdns[i].size(); ++k) {
            if (k) out.push_back('+');
            out += rdns[i][k].type;
            out.push_back('=');
            out += escape_dn_value(rdns[i][k].value);
        }
    }
    return out;
}

}  // namespace sb::addressbook
