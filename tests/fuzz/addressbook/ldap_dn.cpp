// Fuzz target: RFC 4514 DN strings as clients send them (search bases, bind names, compare
// targets). Checks that parsing never fails badly, that the printed form parses back to the same
// RDNs, and that view resolution and bind-name mapping accept whatever parses.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "ldap/addressbook/dn.hpp"
#include "ldap/addressbook/fold.hpp"
#include "ldap/addressbook/person.hpp"
#include "ldap/addressbook/view.hpp"

using namespace sb::addressbook;

namespace {

const View& view() {
    static const auto v = [] {
        auto ctx = std::make_shared<const NamingContext>(
            *NamingContext::make("o=switchboard", Attr::office));
        AccountRecord a;
        a.id = 1;
        a.address = "ada@example.com";
        std::vector<EntryPtr> gal = {entry_from_account(a)};
        ViewBook vb;
        vb.label = "InternalGAL/example.com";
        vb.book = Book::build({BookId::Kind::gal, 1, 0}, gal);
        vb.container_dn = "ou=InternalGAL/example.com,o=switchboard";
        vb.label_key = fold(vb.label);
        vb.container = View::make_container(vb.label);
        return std::make_shared<View>(ctx, 1, "ada@example.com", "", std::vector<ViewBook>{vb});
    }();
    return *v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    DnLimits limits;
    limits.max_size = 2048;
    limits.max_rdns = 16;
    auto dn = parse_dn(text, limits);
    if (dn) {
        const std::string printed = dn_string(*dn);
        auto again = parse_dn(printed, DnLimits{1u << 20, 1024});
        if (!again || again->size() != dn->size()) std::abort();
        for (size_t i = 0; i < dn->size(); ++i) {
            if ((*again)[i].size() != (*dn)[i].size()) std::abort();
            for (size_t k = 0; k < (*dn)[i].size(); ++k)
                if ((*again)[i][k].value != (*dn)[i][k].value) std::abort();
        }
    }
    sb::Error error;
    auto target = view().resolve(text, &error);
    if (target.kind == View::Target::Kind::entry && !target.entry) std::abort();
    (void)login_from_dn(view().context(), "InternalGAL", text);
    (void)fold(text);
    (void)approx_key(text);
    return 0;
}
