#include "core/error.hpp"

namespace sb {

std::string_view errc_name(Errc c) {
    switch (c) {
        case Errc::invalid_argument:
            return "invalid_argument";
        case Errc::not_found:
            return "not_found";
        case Errc::already_exists:
            return "already_exists";
        case Errc::parse_error:
            return "parse_error";
        case Errc::limit_exceeded:
            return "limit_exceeded";
        case Errc::auth_failed:
            return "auth_failed";
        case Errc::throttled:
            return "throttled";
        case Errc::permission_denied:
            return "permission_denied";
        case Errc::unavailable:
            return "unavailable";
        case Errc::io_error:
            return "io_error";
        case Errc::internal:
            return "internal";
    }
    return "internal";
}

}  // namespace sb
