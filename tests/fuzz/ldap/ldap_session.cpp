// Fuzz target: a whole LDAP connection without the socket. The input is the byte stream a client
// sends after a successful bind; it is framed and decoded as the network layer does, and every
// request runs through the session and the search engine against a small address book (so
// filters, controls, sort, VLV, paging and DNs from the input all execute). Responses must
// always be well-formed BER.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "ldap/addressbook/fold.hpp"
#include "ldap/addressbook/person.hpp"
#include "ldap/ber/framer.hpp"
#include "ldap/session/session.hpp"

#include <spdlog/spdlog.h>

using namespace sb;
using namespace sb::addressbook;

namespace {

addressbook::ViewBook book(const NamingContext& ctx, BookPtr b, std::string label) {
    ViewBook vb;
    vb.book = std::move(b);
    vb.container_dn = "ou=" + escape_dn_value(label) + "," + ctx.dn;
    vb.label_key = fold(label);
    vb.container = View::make_container(label);
    vb.label = std::move(label);
    return vb;
}

class Backend final : public ldap::Backend {
  public:
    Backend() {
        ctx_ = std::make_shared<const NamingContext>(
            *NamingContext::make("o=switchboard", Attr::office));
        std::vector<EntryPtr> gal, own;
        const char* first[] = {"Ada", "Alan", "Grace", "Edsger", "Barbara", "Ken", "Søren", "Zoë"};
        const char* last[] = {"Lovelace", "Turing",   "Hopper",     "Dijkstra",
                              "Liskov",   "Thompson", "Kierkegaard"};
        for (int i = 0; i < 300; ++i) {
            AccountRecord a;
            a.id = i + 1;
            a.address =
                std::string(first[i % 8]) + "." + last[i % 7] + std::to_string(i) + "@example.com";
            a.attrs["givenName"] = {first[i % 8]};
            a.attrs["sn"] = {last[i % 7]};
            if (i % 3) a.attrs["title"] = {"Engineer"};
            gal.push_back(entry_from_account(a));
        }
        for (int i = 0; i < 20; ++i) {
            mailbox::Contact c;
            c.id = 257 + i;
            c.fields = {{"firstName", first[i % 8]},
                        {"lastName", last[(i + 3) % 7]},
                        {"email", "c" + std::to_string(i) + "@x.org"}};
            own.push_back(entry_from_contact(c));
        }
        std::vector<ViewBook> books;
        books.push_back(book(*ctx_, Book::build({BookId::Kind::folder, 1, 7}, own), "/Contacts"));
        books.push_back(
            book(*ctx_, Book::build({BookId::Kind::gal, 1, 0}, gal), "InternalGAL/example.com"));
        view_ = std::make_shared<const View>(
            ctx_, 1, "ada@example.com",
            "uid=ada@example.com,ou=InternalGAL/example.com,o=switchboard", std::move(books));
    }
    Result<ViewPtr> view(int64_t) override { return view_; }
    const NamingContext& naming_context() const override { return *ctx_; }
    ldap::BindResult authenticate(std::string_view, std::string_view password,
                                  std::string_view) override {
        if (password == "pw") return ldap::BoundAccount{1, "ada@example.com"};
        return fail(Errc::auth_failed, "wrong password");
    }

  private:
    std::shared_ptr<const NamingContext> ctx_;
    ViewPtr view_;
};

// Every response must frame as complete BER elements.
void check_output(std::string_view out) {
    while (!out.empty()) {
        auto f = ber::frame(out, 1u << 30);
        if (!f || !f->complete) std::abort();
        out.remove_prefix(f->size);
    }
}

void run(ldap::Session& s, ldap::Backend& backend, ldap::Session::Step step) {
    std::string out = std::move(step.out);
    if (step.action == ldap::Session::Action::bind) {
        auto r = backend.authenticate(step.bind_name, step.bind_password, "fuzz");
        out += s.bind_done(step.message_id, step.bind_name, r).out;
    } else if (step.action == ldap::Session::Action::search) {
        for (int rounds = 0; !step.cursor->pump(out, 512); ++rounds)
            if (rounds > 100000) std::abort();  // a search must end
    }
    check_output(out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool quiet = [] {
        spdlog::set_level(spdlog::level::off);  // binds log every time
        return true;
    }();
    (void)quiet;
    static Backend backend;
    static const ldap::SessionConfig config = [] {
        ldap::SessionConfig c;
        c.limits.max_message_size = 64 * 1024;
        c.search.max_size_limit = 400;
        return c;
    }();
    ldap::Session session(backend, config, true, "fuzz");
    // Bound first, so searches reach the engine.
    static const std::string bind("\x30\x0e\x02\x01\x01\x60\x09\x02\x01\x03\x04\x00\x80\x02pw", 16);
    auto bm = ldapproto::decode_message(bind, config.limits);
    run(session, backend, session.handle(*bm));
    std::string_view in(reinterpret_cast<const char*>(data), size);
    for (int messages = 0; !in.empty() && messages < 64; ++messages) {
        auto f = ldapproto::frame_message(in, config.limits);
        if (!f) {
            run(session, backend, session.fatal(f.error()));
            break;
        }
        if (!f->complete) break;
        const std::string frame(in.substr(0, f->size));
        in.remove_prefix(f->size);
        auto m = ldapproto::decode_message(frame, config.limits);
        auto step = m ? session.handle(*m) : session.handle_malformed(frame, m.error());
        const bool close = step.action == ldap::Session::Action::close;
        run(session, backend, std::move(step));
        if (close) break;
    }
    return 0;
}
