#include "mailbox/migrations.hpp"

namespace sb::mailbox {
namespace {

constexpr std::string_view kV1 = R"SQL(
CREATE INDEX contacts_folder_order ON contacts(account_id, folder_id, id);
DROP INDEX contacts_folder;
)SQL";

}  // namespace

const store::ModuleMigrations& migrations() {
    static const store::ModuleMigrations module{
        "mailbox",
        {
            {1, "contacts of a folder in id order (paged reads)", kV1},
        }};
    return module;
}

}  // namespace sb::mailbox
