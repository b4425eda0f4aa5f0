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

template <class T>
using Result = tl::expected<T, Error>;

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
