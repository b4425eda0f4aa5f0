#pragma once
// Result and error types shared by every module. Codecs and store calls return Result<T>;
// exceptions are used only above the dispatchers (admin commands, protocol handlers).
#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace sb {

enum class Errc {
    invalid_argument,   // bad input from a user or client
    not_found,          // the named object does not exist
    already_exists,     // a unique name is taken
    parse_error,        // malformed input to a parser (the message says where)
    limit_exceeded,     // an explicit limit of a parser or service was hit
    auth_failed,        // credentials rejected
    throttled,          // too many failures; try later
    permission_denied,  // authenticated but not allowed
    unavailable,        // a dependency (store, remote directory) cannot be reached
    io_error,           // file or socket I/O failed
    internal,           // a bug or an impossible state
};

std::string_view errc_name(Errc c);

struct Error {
    Errc code = Errc::internal;
    std::string message;
};

// A value or an Error. [[nodiscard]]: an ignored Result is an ignored failure, so the compiler
// refuses to let a caller drop one silently (cast to void where ignoring is deliberate).
template <class T>
class [[nodiscard]] Result : public tl::expected<T, Error> {
  public:
    using Base = tl::expected<T, Error>;
    using Base::Base;
    Result(const Base& b) : Base(b) {}
    Result(Base&& b) : Base(std::move(b)) {}
};

inline tl::unexpected<Error> fail(Errc code, std::string message) {
    return tl::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace sb

// Propagate an error from an expression returning Result<T>.
#define SB_TRY(expr)                                                          \
    do {                                                                      \
        if (auto sb_try_r_ = (expr); !sb_try_r_)                              \
            return tl::unexpected<::sb::Error>(std::move(sb_try_r_).error()); \
    } while (0)

// Binds the value of an expression returning Result<T>, or propagates its error:
//   SB_TRY_ASSIGN(auto rows, tx.query(...));   // rows is the value (Rows), not the Result
#define SB_TRY_ASSIGN(decl, expr) SB_TRY_ASSIGN_(SB_TRY_CONCAT_(sb_try_v_, __LINE__), decl, expr)
#define SB_TRY_CONCAT_(a, b) SB_TRY_CONCAT2_(a, b)
#define SB_TRY_CONCAT2_(a, b) a##b
#define SB_TRY_ASSIGN_(tmp, decl, expr)                                   \
    auto tmp = (expr);                                                    \
    if (!tmp) return tl::unexpected<::sb::Error>(std::move(tmp).error()); \
    decl = std::move(tmp).value()
