#pragma once
// The one mapping from a failed call (mailbox, store) to what an EAS client is told: the Status
// of each command family (MS-ASCMD 2.2.3.177) and the HTTP status of a failed command. Commands
// report failures through it and never look at an error code themselves.
#include <optional>
#include <utility>

#include "core/error.hpp"

namespace sb::eas {

// MS-ASCMD 2.2.3.177.3, .4 and .6: FolderCreate, FolderDelete and FolderUpdate share one set.
namespace folder_status {
inline constexpr int kOk = 1;
inline constexpr int kExists = 2;
inline constexpr int kSystemFolder = 3;
inline constexpr int kNotFound = 4;
inline constexpr int kParentNotFound = 5;
inline constexpr int kServerError = 6;
inline constexpr int kInvalidKey = 9;
inline constexpr int kBadRequest = 10;
}  // namespace folder_status

// MS-ASCMD 2.2.3.177.17: Sync, for the request, a collection or an item.
namespace sync_status {
inline constexpr int kOk = 1;
inline constexpr int kInvalidKey = 3;
inline constexpr int kProtocolError = 4;
inline constexpr int kServerError = 5;
inline constexpr int kConversionError = 6;
inline constexpr int kNotFound = 8;
inline constexpr int kHierarchyChanged = 12;
inline constexpr int kIncompleteRequest = 13;
inline constexpr int kBadWaitInterval = 14;
inline constexpr int kTooManyCollections = 15;
}  // namespace sync_status

// What the device asked the mailbox to do when the call failed.
enum class Operation {
    folder_create,  // FolderCreate
    folder_update,  // FolderUpdate (rename or move)
    folder_delete,  // FolderDelete
    item_write,     // a Sync Add or Change
};

// The Status a failed operation answers with (the command's "server error" for a failure that
// is the server's own).
int eas_status(Operation op, const Error& e);

// The HTTP status of a command that failed as a whole: 400 when the request was at fault
// (malformed, over a limit), 500 otherwise.
int http_status_of_failure(const Error& e);

// A call on something the device names, which may be gone meanwhile: not_found becomes an empty
// optional (the caller tells the device), any other error stays an error.
template <class T>
Result<std::optional<T>> if_found(Result<T> r) {
    if (r) return std::optional<T>(std::move(*r));
    if (r.error().code == Errc::not_found) return std::optional<T>();
    return tl::unexpected<Error>(std::move(r).error());
}
// For a call without a value: true when it was done, false when its target was gone.
Result<bool> if_found(Result<void> r);

}  // namespace sb::eas
