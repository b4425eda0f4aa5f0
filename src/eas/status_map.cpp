#include "eas/status_map.hpp"

namespace sb::eas {

int eas_status(Operation op, const Error& e) {
    namespace fs = folder_status;
    namespace ss = sync_status;
    switch (op) {
        case Operation::folder_create:
            switch (e.code) {
                case Errc::already_exists:
                    return fs::kExists;
                case Errc::not_found:
                    return fs::kParentNotFound;
                case Errc::invalid_argument:
                    return fs::kBadRequest;
                default:
                    return fs::kServerError;
            }
        case Operation::folder_update:
            switch (e.code) {
                case Errc::already_exists:
                    return fs::kExists;
                case Errc::not_found:
                    return fs::kNotFound;
                case Errc::invalid_argument:
                case Errc::permission_denied:
                    return fs::kSystemFolder;
                default:
                    return fs::kServerError;
            }
        case Operation::folder_delete:
            return e.code == Errc::not_found ? fs::kNotFound : fs::kServerError;
        case Operation::item_write:
            switch (e.code) {
                case Errc::invalid_argument:
                case Errc::limit_exceeded:
                    return ss::kConversionError;
                default:
                    return ss::kServerError;
            }
    }
    return fs::kServerError;
}

int http_status_of_failure(const Error& e) {
    switch (e.code) {
        case Errc::invalid_argument:
        case Errc::parse_error:
        case Errc::limit_exceeded:
            return 400;
        default:
            return 500;
    }
}

Result<bool> if_found(Result<void> r) {
    if (r) return true;
    if (r.error().code == Errc::not_found) return false;
    return tl::unexpected<Error>(std::move(r).error());
}

}  // namespace sb::eas
