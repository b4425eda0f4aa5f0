#include "ldap/addressbook/search.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/strings.hpp"
#include "ldap/addressbook/fold.hpp"
#include "ldap/protocol/response.hpp"

namespace sb::addressbook {

using ldapproto::ResultCode;
using ldapproto::SearchScope;

namespace {

constexpr int64_t kNoKey = std::numeric_limits<int64_t>::min();

// FNV-1a over the parts of a request a paged-results cookie belongs to.
uint64_t hash_bytes(uint64_t h, std::string_view s) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    h ^= 0xFF;  // separator
    h *= 1099511628211ull;
    return h;
}

// RFC 2696 cookie: where the previous page ended. Opaque to the client.
struct Cookie {
    uint64_t hash = 0;
    uint8_t stage = 0;  // 0 nothing sent, 1 root sent, 2 in a book, 3 sorted
    BookId book;
    int64_t key = kNoKey;  // stage 2: last entry key sent, kNoKey = only the container
    uint64_t sent = 0;     // entries sent by earlier pages
    uint64_t offset = 0;   // stage 3: next position in the sorted list

    std::string encode() const {
        std::string s;
        auto put = [&](uint64_t v, size_t n) {
            for (size_t i = 0; i < n; ++i)
                s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
        };
        put(hash, 8);
        put(stage, 1);
        put(static_cast<uint64_t>(book.kind), 1);
        put(static_cast<uint64_t>(book.owner), 8);
        put(static_cast<uint64_t>(book.folder), 8);
        put(static_cast<uint64_t>(key), 8);
        put(sent, 8);
        put(offset, 8);
        return s;
    }
    static std::optional<Cookie> decode(std::string_view s) {
        if (s.size() != 50) return std::nullopt;
        size_t pos = 0;
        auto get = [&](size_t n) {
            uint64_t v = 0;
            for (size_t i = 0; i < n; ++i)
                v |= uint64_t{static_cast<uint8_t>(s[pos + i])} << (8 * i);
            pos += n;
            return v;
        };
        Cookie c;
        c.hash = get(8);
        c.stage = static_cast<uint8_t>(get(1));
        c.book.kind = static_cast<BookId::Kind>(get(1));
        c.book.owner = static_cast<int64_t>(get(8));
        c.book.folder = static_cast<int64_t>(get(8));
        c.key = static_cast<int64_t>(get(8));
        c.sent = get(8);
        c.offset = get(8);
        if (c.stage > 3) return std::nullopt;
        return c;
    }
};

bool is_case_ignore_ordering(std::string_view rule) {
    return rule.empty() || iequals(rule, "caseIgnoreOrderingMatch") || rule == "2.5.13.3";
}
bool is_case_exact_ordering(std::string_view rule) {
    return iequals(rule, "caseExactOrderingMatch") || rule == "2.5.13.6";
}

// The smallest value of a sort key as the entry presents it ("" and false when it has none).
bool sort_key_of(const Presented& p, Attr a, bool exact, std::string& out) {
    out.clear();
    const AttrInfo& info = attr_info(a);
    if (info.indexed && !exact) {
        if (!p.entry->has(a)) return false;
        out = p.entry->sort_key(a);
        return true;
    }
    bool any = false;
    std::string scratch, folded;
    p.each_value(
        a,
        [&](std::string_view v) {
            folded.clear();
            if (exact)
                folded.assign(v);
            else
                fold_for(info, v, folded);
            if (!any || folded < out) out = folded;
            any = true;
            return true;
        },
        scratch);
    return any;
}

}  // namespace

// Walks the entries a search covers, in a fixed order (root, then per book its container and its
// entries by key), returning those the filter matches. Uses the shard indexes for candidates.
struct SearchCursor::Scanner {
    enum class Stage : uint8_t { root, container, entries, single, done };

    const View& view;
    const Matcher& matcher;
    SearchCursor& cursor;
    // what the scope covers
    bool include_root = false;
    size_t book_begin = 0, book_end = 0;
    bool containers = false, entries = false;
    Presented single{};
    // position
    Stage stage = Stage::done;
    size_t book = 0, shard = 0;
    bool planned = false, shard_all = false;
    std::vector<uint64_t> bits;
    std::vector<uint16_t> candidates;  // of the current shard, ascending (unless shard_all)
    // Next entry (shard_all) or next candidate to test; resume_pos: first entry a cookie allows.
    size_t pos = 0, resume_pos = 0;
    // the last match returned, for cookies
    uint8_t last_stage = 0;
    BookId last_book;
    int64_t last_key = kNoKey;
    bool timed_out = false;

    Scanner(const View& v, const Matcher& m, SearchCursor& c) : view(v), matcher(m), cursor(c) {}

    void begin() {
        if (stage == Stage::single) return;
        stage = include_root ? Stage::root : Stage::container;
        book = book_begin;
    }

    bool test(const Presented& p) {
        if ((++cursor.checks_ & 255) == 0 && cursor.over_time()) {
            timed_out = true;
            stage = Stage::done;
            return false;
        }
        return matcher.matches(p);
    }

    // Resumes after the position a cookie recorded; false if that book no longer exists.
    bool seek(const Cookie& c) {
        if (c.stage == 0) return true;
        if (stage == Stage::single) {
            stage = Stage::done;
            return true;
        }
        if (c.stage == 1) {
            stage = Stage::container;
            book = book_begin;
            last_stage = 1;
            return true;
        }
        const long b = view.find_book(c.book);
        if (b < 0 || static_cast<size_t>(b) < book_begin || static_cast<size_t>(b) >= book_end)
            return false;
        book = static_cast<size_t>(b);
        stage = Stage::entries;
        last_stage = 2;
        last_book = c.book;
        last_key = c.key;
        if (!entries) {
            ++book;
            stage = Stage::container;
            return true;
        }
        shard = 0;
        resume_pos = 0;
        if (c.key != kNoKey) {
            const Book& bk = *view.books()[book].book;
            if (bk.shards().empty()) return true;
            shard = bk.shard_of(c.key);
            const auto& es = bk.shards()[shard]->entries;
            auto it = std::upper_bound(es.begin(), es.end(), c.key,
                                       [](int64_t k, const EntryPtr& e) { return k < e->key(); });
            resume_pos = static_cast<size_t>(it - es.begin());
        }
        return true;
    }

    bool next(Presented& out) {
        for (;;) {
            switch (stage) {
                case Stage::done:
                    return false;
                case Stage::single:
                    stage = Stage::done;
                    if (test(single)) {
                        out = single;
                        last_stage = 1;
                        return true;
                    }
                    continue;
                case Stage::root: {
                    stage = Stage::container;
                    book = book_begin;
                    Presented p = Presented::root(view);
                    if (test(p)) {
                        out = p;
                        last_stage = 1;
                        return true;
                    }
                    continue;
                }
                case Stage::container: {
                    if (book >= book_end) {
                        stage = Stage::done;
                        continue;
                    }
                    stage = entries ? Stage::entries : Stage::container;
                    shard = 0;
                    planned = false;
                    resume_pos = 0;
                    const size_t b = book;
                    if (!entries) ++book;
                    if (containers) {
                        Presented p = Presented::container(view, b);
                        if (test(p)) {
                            out = p;
                            last_stage = 2;
                            last_book = view.books()[b].book->id();
                            last_key = kNoKey;
                            return true;
                        }
                    }
                    continue;
                }
                case Stage::entries:
                    if (next_entry(out)) return true;
                    if (stage == Stage::done) return false;
                    ++book;
                    stage = Stage::container;
                    continue;
            }
        }
    }

    // Entries are tested and encoded a few candidates after their memory was asked for: the
    // loads of several entries then overlap instead of each stalling the search in turn.
    static constexpr size_t kPrefetchAhead = 4;

    bool next_entry(Presented& out) {
        const ViewBook& vb = view.books()[book];
        const auto& shards = vb.book->shards();
        while (shard < shards.size()) {
            const Shard& sh = *shards[shard];
            if (!planned) plan(sh);
            const size_t n = shard_all ? sh.entries.size() : candidates.size();
            while (pos < n) {
                const size_t k = pos++;
                if (k + kPrefetchAhead < n)
                    sh.entries[shard_all ? k + kPrefetchAhead : candidates[k + kPrefetchAhead]]
                        ->prefetch();
                if (match_at(sh, shard_all ? k : candidates[k], out)) return true;
                if (stage == Stage::done) return false;
            }
            ++shard;
            planned = false;
        }
        return false;
    }

    bool match_at(const Shard& sh, size_t i, Presented& out) {
        Presented p = Presented::person(view, book, sh.entries[i].get());
        if (!test(p)) return false;
        out = p;
        last_stage = 2;
        last_book = view.books()[book].book->id();
        last_key = sh.entries[i]->key();
        return true;
    }

    void plan(const Shard& sh) {
        planned = true;
        const size_t from = resume_pos;
        resume_pos = 0;
        Matcher::Plan p = matcher.plan(sh);
        shard_all = p.all;
        candidates.clear();
        if (p.all) {
            pos = from;
        } else {
            // The union of the posting lists, in entry order.
            bits.assign((sh.entries.size() + 63) / 64, 0);
            for (auto list : p.lists)
                for (uint16_t i : list)
                    bits[i / 64] |= uint64_t{1} << (i % 64);
            for (size_t w = from / 64; w < bits.size(); ++w) {
                uint64_t word = bits[w];
                if (w == from / 64) word &= ~uint64_t{0} << (from % 64);
                while (word) {
                    candidates.push_back(
                        static_cast<uint16_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(word))));
                    word &= word - 1;
                }
            }
            pos = 0;
        }
        const size_t n = shard_all ? sh.entries.size() : candidates.size();
        for (size_t k = pos; k < n && k < pos + kPrefetchAhead; ++k)
            sh.entries[shard_all ? k : candidates[k]]->prefetch();
    }

    // Estimated candidates over all books in scope (for choosing how to sort).
    size_t estimate() const {
        size_t n = 0;
        for (size_t b = book_begin; b < book_end && entries; ++b)
            for (const auto& sh : view.books()[b].book->shards()) {
                auto p = matcher.plan(*sh);
                n += p.all ? sh->entries.size() : std::min(p.cost(), sh->entries.size());
            }
        return n;
    }
};

SearchCursor::SearchCursor(ViewPtr view, const ldapproto::SearchRequest& request,
                           int32_t message_id, const SearchControls& controls,
                           const SearchSettings& settings, Clock::time_point now)
    : view_(std::move(view)),
      message_id_(message_id),
      matcher_(Matcher::compile(request.filter)),
      selection_(Selection::compile(request.attributes)),
      types_only_(request.types_only),
      base_(request.base_object),
      scope_(request.scope),
      settings_(settings),
      client_size_limit_(request.size_limit) {
    size_limit_ = settings.max_size_limit;
    if (request.size_limit > 0)
        size_limit_ = std::min<size_t>(size_limit_, static_cast<size_t>(request.size_limit));
    uint32_t seconds = settings.max_time_limit;
    if (request.time_limit > 0)
        seconds = std::min<uint32_t>(seconds, static_cast<uint32_t>(request.time_limit));
    deadline_ = now + std::chrono::seconds(seconds);

    if (controls.paged) {
        // A paged-results cookie is only valid for the same search (RFC 2696 3).
        uint64_t h = 1469598103934665603ull;
        h = hash_bytes(h, request.base_object);
        h = hash_bytes(h, std::string(1, static_cast<char>(request.scope)));
        h = hash_bytes(h, ldapproto::to_string(request.filter));
        for (auto a : request.attributes)
            h = hash_bytes(h, a);
        if (controls.sort)
            for (const auto& k : controls.sort->keys)
                h = hash_bytes(h, std::string(k.attribute) + (k.reverse ? "-" : "+"));
        request_hash_ = h;
        paged_ = controls.paged;
        paged_cookie_in_ = std::string(controls.paged->cookie);
        paged_->cookie = {};
    }
    if (controls.sort) {
        sort_requested_ = true;
        sort_critical_ = controls.sort_critical;
        for (const auto& k : controls.sort->keys) {
            const AttrInfo* info = find_attr(k.attribute);
            if (!info) {
                sort_result_ = ResultCode::no_such_attribute;
                sort_bad_attr_ = std::string(k.attribute);
                break;
            }
            const bool exact = is_case_exact_ordering(k.ordering_rule);
            if (!exact && !is_case_ignore_ordering(k.ordering_rule)) {
                sort_result_ = ResultCode::inappropriate_matching;
                sort_bad_attr_ = std::string(k.attribute);
                break;
            }
            sort_keys_.push_back({info->id, k.reverse, exact});
        }
        if (sort_result_ != ResultCode::success) sort_keys_.clear();
    }
    if (controls.vlv) {
        vlv_ = controls.vlv;
        vlv_->assertion_value = {};
        vlv_->context_id.reset();
        if (controls.vlv->target == ldapproto::VlvRequest::Target::greater_than_or_equal)
            vlv_assertion_ = std::string(controls.vlv->assertion_value);
    }
}

SearchCursor::~SearchCursor() = default;

bool SearchCursor::over_time() {
    return Clock::now() > deadline_;
}

void SearchCursor::refuse(ResultCode code, std::string diagnostic) {
    done_ = true;
    result_ = code;
    diagnostic_ = std::move(diagnostic);
}

// What the scanner walks: the root, the containers and the entries below the search base.
void SearchCursor::scope_scanner(const View::Target& t) {
    Scanner& s = *scanner_;
    const size_t nbooks = view_->books().size();
    using K = View::Target::Kind;
    const bool subtree = scope_ == SearchScope::whole_subtree;
    const bool children = scope_ == SearchScope::subordinate_subtree;
    const bool one = scope_ == SearchScope::single_level;
    switch (t.kind) {
        case K::root_dse:  // "": the naming context is its only child (RFC 4512 5.1)
            if (one) s.include_root = true;
            if (subtree || children) {
                s.include_root = s.containers = s.entries = true;
                s.book_end = nbooks;
            }
            break;
        case K::root:
            s.include_root = scope_ == SearchScope::base_object || subtree;
            if (!one && scope_ != SearchScope::base_object) s.entries = true;
            if (scope_ != SearchScope::base_object) {
                s.containers = true;
                s.book_end = nbooks;
            }
            break;
        case K::container:
            s.book_begin = t.book;
            s.book_end = t.book + 1;
            s.containers = scope_ == SearchScope::base_object || subtree;
            s.entries = scope_ != SearchScope::base_object;
            break;
        case K::entry:
            if (scope_ == SearchScope::base_object || subtree) {
                s.stage = Scanner::Stage::single;
                s.single = Presented::person(*view_, t.book, t.entry);
            }
            break;
        case K::none:
            break;
    }
}

// Whether the controls of the request go together; refuses the search when not.
bool SearchCursor::controls_agree() {
    if (vlv_ && !sort_requested_) {
        refuse(ResultCode::sort_control_missing,
               "virtual list view needs a server-side sort control");
        vlv_response_.result = ResultCode::sort_control_missing;
        return false;
    }
    if (vlv_ && paged_) {
        refuse(ResultCode::unwilling_to_perform,
               "virtual list view and paged results cannot be combined");
        return false;
    }
    if (sort_requested_ && sort_result_ != ResultCode::success && sort_critical_) {
        refuse(ResultCode::unavailable_critical_extension, "cannot sort on " + sort_bad_attr_);
        return false;
    }
    return true;
}

void SearchCursor::start() {
    started_ = true;
    scanner_ = std::make_unique<Scanner>(*view_, matcher_, *this);
    Scanner& s = *scanner_;
    Error dn_error;
    const View::Target t = view_->resolve(base_, &dn_error);
    if (t.kind == View::Target::Kind::none) {
        if (dn_error.message.empty())
            refuse(ResultCode::no_such_object, "no such entry in your address book");
        else
            refuse(ResultCode::invalid_dn_syntax, dn_error.message);
        matched_dn_ = t.matched_dn;
        return;
    }
    scope_scanner(t);
    s.begin();
    if (!controls_agree()) return;
    Cookie cookie;
    if (paged_) {
        if (!paged_cookie_in_.empty()) {
            auto c = Cookie::decode(paged_cookie_in_);
            if (!c || c->hash != request_hash_) {
                refuse(ResultCode::unwilling_to_perform,
                       "the paged results cookie does not belong to this search");
                return;
            }
            cookie = *c;
        }
        if (paged_->size <= 0) {  // RFC 2696 3: size 0 abandons the paged search
            done_ = true;
            return;
        }
        total_before_ = cookie.sent;
        // Paging is how a client reads more than the server's cap: the cap bounds each page,
        // the client's own sizeLimit the whole search (as slapd's size.pr).
        page_limit_ = std::min<size_t>(static_cast<size_t>(paged_->size), settings_.max_size_limit);
        size_limit_ = client_size_limit_ > 0 ? static_cast<size_t>(client_size_limit_) : SIZE_MAX;
    }
    sorted_mode_ = !sort_keys_.empty();
    if (sorted_mode_) {
        prepare_sorted();
        if (paged_ && cookie.stage == 3)
            emit_from_ = std::min<size_t>(sorted_count(), cookie.offset);
        emit_pos_ = emit_from_;
        return;
    }
    if (!s.seek(cookie)) s.stage = Scanner::Stage::done;
}

void SearchCursor::prepare_sorted() {
    const SortKeyOwned first = sort_keys_.front();
    const bool simple = sort_keys_.size() == 1 && attr_info(first.attr).indexed && !first.exact;
    size_t total = 0;
    for (size_t b = scanner_->book_begin; b < scanner_->book_end; ++b)
        total += view_->books()[b].book->size();
    // Most entries are candidates: walking each book in its prepared order beats sorting.
    if (simple && scanner_->entries && scanner_->estimate() * 8 > total)
        collect_fast(first.attr);
    else
        collect_general();
    apply_window();
}

void SearchCursor::collect_fast(Attr attr) {
    fast_sorted_ = true;
    Scanner& s = *scanner_;
    {
        // Root and containers have no names: they sort after every entry, in their own order.
        Scanner only(*view_, matcher_, *this);
        only.include_root = s.include_root;
        only.containers = s.containers;
        only.book_begin = s.book_begin;
        only.book_end = s.book_end;
        only.begin();
        Presented p;
        while (only.next(p))
            specials_.push_back(p);
    }
    // Each book's matches, in its prepared order. A filter that only asks for attributes to be
    // present is decided from the masks beside the order, without touching the entries, and
    // the book keeps that run for the next window.
    const auto presence = matcher_.presence_mask();
    using Run = std::vector<uint32_t>;
    std::vector<std::shared_ptr<const Run>> runs(s.book_end - s.book_begin);
    for (size_t b = s.book_begin; b < s.book_end && result_ == ResultCode::success; ++b) {
        const Book& book = *view_->books()[b].book;
        if (presence) {
            runs[b - s.book_begin] = book.presence_run(attr, *presence);
            continue;
        }
        const auto& order = book.sorted_by(attr);
        auto run = std::make_shared<Run>();
        for (size_t i = 0; i < order.entries.size(); ++i) {
            if ((++checks_ & 255) == 0 && over_time()) {
                result_ = ResultCode::time_limit_exceeded;
                break;
            }
            if (matcher_.matches(Presented::person(*view_, b, order.entries[i])))
                run->push_back(static_cast<uint32_t>(i));
        }
        runs[b - s.book_begin] = std::move(run);
    }
    for (auto& run : runs)
        if (!run) run = std::make_shared<Run>();
    if (runs.empty()) return;
    // The largest run stays as it is; the others' entries are placed into it by binary search
    // (books are few and, but for the GAL, small), equal keys keeping book order.
    size_t largest = 0;
    for (size_t r = 0; r < runs.size(); ++r)
        if (runs[r]->size() > runs[largest]->size()) largest = r;
    const auto entry = [&](size_t r, uint32_t pos) {
        return view_->books()[s.book_begin + r].book->sorted_by(attr).entries[pos];
    };
    const auto less = [attr](const Entry* x, const Entry* y) {
        const bool hx = x->has(attr), hy = y->has(attr);
        if (hx != hy) return hx;
        return x->sort_key(attr) < y->sort_key(attr);
    };
    const Run& big = *runs[largest];
    for (size_t r = 0; r < runs.size(); ++r) {
        if (r == largest) continue;
        for (uint32_t pos : *runs[r]) {
            const Entry* e = entry(r, pos);
            // Before equal keys of later books, after those of earlier ones.
            auto it =
                r < largest
                    ? std::lower_bound(
                          big.begin(), big.end(), e,
                          [&](uint32_t p, const Entry* x) { return less(entry(largest, p), x); })
                    : std::upper_bound(big.begin(), big.end(), e, [&](const Entry* x, uint32_t p) {
                          return less(x, entry(largest, p));
                      });
            placed_.push_back({static_cast<size_t>(it - big.begin()),
                               static_cast<uint32_t>(s.book_begin + r), pos});
        }
    }
    std::stable_sort(placed_.begin(), placed_.end(), [&](const Placed& x, const Placed& y) {
        if (x.at != y.at) return x.at < y.at;
        return less(entry(x.book - s.book_begin, x.pos), entry(y.book - s.book_begin, y.pos));
    });
    big_run_ = runs[largest];
    big_book_ = static_cast<uint32_t>(s.book_begin + largest);
}

void SearchCursor::collect_general() {
    Scanner& s = *scanner_;
    std::vector<Presented> found;
    Presented p;
    while (s.next(p))
        found.push_back(p);
    if (s.timed_out) result_ = ResultCode::time_limit_exceeded;
    struct Keyed {
        size_t hit;
        std::vector<std::string> keys;
        std::vector<char> present;
    };
    std::vector<Keyed> keyed(found.size());
    for (size_t i = 0; i < found.size(); ++i) {
        keyed[i].hit = i;
        keyed[i].keys.resize(sort_keys_.size());
        keyed[i].present.resize(sort_keys_.size());
        for (size_t k = 0; k < sort_keys_.size(); ++k)
            keyed[i].present[k] =
                sort_key_of(found[i], sort_keys_[k].attr, sort_keys_[k].exact, keyed[i].keys[k]);
    }
    std::stable_sort(keyed.begin(), keyed.end(), [&](const Keyed& x, const Keyed& y) {
        for (size_t k = 0; k < sort_keys_.size(); ++k) {
            // RFC 2891 2.2: a missing value sorts after every value (so first, reversed).
            const bool rev = sort_keys_[k].reverse;
            if (x.present[k] != y.present[k]) return rev ? !x.present[k] : bool(x.present[k]);
            if (x.keys[k] != y.keys[k]) return rev ? x.keys[k] > y.keys[k] : x.keys[k] < y.keys[k];
        }
        return false;
    });
    sorted_.reserve(found.size());
    for (auto& k : keyed) {
        sorted_.push_back(found[k.hit]);
        sorted_has_key_.push_back(k.present[0]);
        sorted_keys_.push_back(std::move(k.keys[0]));
    }
}

size_t SearchCursor::sorted_count() const {
    if (!fast_sorted_) return sorted_.size();
    return (big_run_ ? big_run_->size() : 0) + placed_.size() + specials_.size();
}

Presented SearchCursor::sorted_at(size_t i) const {
    if (!fast_sorted_) return sorted_[i];
    // The fast path keeps ascending order; a reverse sort reads it backwards.
    if (sort_keys_.front().reverse) i = sorted_count() - 1 - i;
    const size_t merged = sorted_count() - specials_.size();
    if (i >= merged) return specials_[i - merged];
    // placed_[k] is at position placed_[k].at + k of the merged order (positions increase
    // with k): count those before i; if none is at i, the largest run's entry is.
    size_t lo = 0, hi = placed_.size();
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (placed_[mid].at + mid < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    const Attr a = sort_keys_.front().attr;
    if (lo < placed_.size() && placed_[lo].at + lo == i)
        return Presented::person(
            *view_, placed_[lo].book,
            view_->books()[placed_[lo].book].book->sorted_by(a).entries[placed_[lo].pos]);
    return Presented::person(
        *view_, big_book_,
        view_->books()[big_book_].book->sorted_by(a).entries[(*big_run_)[i - lo]]);
}

bool SearchCursor::first_key(size_t i, std::string_view& out) const {
    if (!fast_sorted_) {
        out = sorted_keys_[i];
        return sorted_has_key_[i];
    }
    const Presented p = sorted_at(i);
    const Attr a = sort_keys_.front().attr;
    if (p.kind != Presented::Kind::person || !p.entry->has(a)) return false;
    out = p.entry->sort_key(a);
    return true;
}

void SearchCursor::apply_window() {
    const size_t count = sorted_count();
    emit_from_ = 0;
    emit_to_ = count;
    if (vlv_) {
        auto& r = vlv_response_;
        r.content_count = static_cast<int32_t>(std::min<size_t>(count, ldapproto::kMaxInt));
        size_t target = 0;  // 1-based
        if (vlv_->target == ldapproto::VlvRequest::Target::by_offset) {
            const int64_t offset = vlv_->offset, estimate = vlv_->content_count;
            if (offset <= 0) {
                r.result = ResultCode::offset_range_error;
                result_ = ResultCode::offset_range_error;
                diagnostic_ = "virtual list view offset must be at least 1";
                emit_to_ = 0;
                return;
            }
            // VLV draft 5: Si = Sc * (Ci / Cc); Ci = 1 is the first entry, Ci = Cc the last,
            // Cc = 0 means the client has no estimate and the offset is taken as is.
            if (estimate == 0 || offset == 1)
                target = static_cast<size_t>(offset);
            else if (offset >= estimate)
                target = count;
            else
                target =
                    static_cast<size_t>((static_cast<double>(offset) * static_cast<double>(count)) /
                                            static_cast<double>(estimate) +
                                        0.5);
            if (count == 0)
                target = 0;
            else
                target = std::clamp<size_t>(target, 1, count);
        } else {
            // The first entry whose sort key is >= the assertion value (<= when reversed). The
            // list is sorted, so that is a binary search; entries without the attribute come
            // last ascending (they count as larger) and first descending (they never qualify).
            std::string value;
            fold_for(attr_info(sort_keys_.front().attr), vlv_assertion_, value);
            const bool rev = sort_keys_.front().reverse;
            size_t lo = 0, hi = count;
            while (lo < hi) {
                const size_t mid = lo + (hi - lo) / 2;
                std::string_view k;
                const bool has = first_key(mid, k);
                const bool at_or_after = rev ? has && k <= value : !has || k >= value;
                if (at_or_after)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            target = lo + 1;
        }
        r.target_position = static_cast<int32_t>(std::min<size_t>(target, ldapproto::kMaxInt));
        const size_t before = static_cast<size_t>(std::max(0, vlv_->before_count));
        const size_t after = static_cast<size_t>(std::max(0, vlv_->after_count));
        if (count == 0) {
            emit_to_ = 0;
        } else {
            const size_t t = std::min(target, count + 1);
            emit_from_ = t > before ? t - 1 - before : 0;
            emit_to_ = std::min(count, t - 1 + after + 1);
            if (emit_from_ > emit_to_) emit_from_ = emit_to_;
        }
    }
}

bool SearchCursor::pump(std::string& out, size_t budget) {
    if (!started_) start();
    if (done_) {
        finish(out);
        return true;
    }
    const bool finished = sorted_mode_ ? emit_sorted(out, budget) : emit_sequential(out, budget);
    if (finished) finish(out);
    return finished;
}

bool SearchCursor::emit_sequential(std::string& out, size_t budget) {
    Scanner& s = *scanner_;
    const size_t start_size = out.size();
    Presented p;
    while (out.size() - start_size < budget) {
        const size_t total = total_before_ + sent_;
        const bool size_full = total >= size_limit_;
        const bool page_full = page_limit_ && sent_ >= page_limit_;
        if (size_full || page_full) {
            // Is there more? Look one match ahead (the cookie keeps the last one sent).
            const uint8_t stage = s.last_stage;
            const BookId book = s.last_book;
            const int64_t key = s.last_key;
            const bool more = s.next(p);
            if (s.timed_out) {
                result_ = ResultCode::time_limit_exceeded;
                return true;
            }
            if (!more) return true;
            if (size_full) {
                // macOS Contacts asks for one entry and treats sizeLimitExceeded as a failure.
                if (client_size_limit_ != 1) {
                    result_ = ResultCode::size_limit_exceeded;
                    diagnostic_ = "more entries match; refine the search";
                }
                return true;
            }
            Cookie c;
            c.hash = request_hash_;
            c.stage = stage;
            c.book = book;
            c.key = key;
            c.sent = total;
            cookie_out_ = c.encode();
            return true;
        }
        if (!s.next(p)) {
            if (s.timed_out) result_ = ResultCode::time_limit_exceeded;
            return true;
        }
        selection_.encode(out, message_id_, p, types_only_);
        ++sent_;
    }
    return false;
}

bool SearchCursor::emit_sorted(std::string& out, size_t budget) {
    const size_t start_size = out.size();
    if (result_ != ResultCode::success && result_ != ResultCode::time_limit_exceeded) return true;
    while (out.size() - start_size < budget) {
        if (emit_pos_ >= emit_to_) return true;
        const size_t total = total_before_ + sent_;
        if (total >= size_limit_) {
            if (client_size_limit_ != 1 && result_ == ResultCode::success) {
                result_ = ResultCode::size_limit_exceeded;
                diagnostic_ = "more entries match; refine the search";
            }
            return true;
        }
        if (page_limit_ && sent_ >= page_limit_) {
            Cookie c;
            c.hash = request_hash_;
            c.stage = 3;
            c.offset = emit_pos_;
            c.sent = total;
            cookie_out_ = c.encode();
            return true;
        }
        selection_.encode(out, message_id_, sorted_at(emit_pos_++), types_only_);
        ++sent_;
    }
    return false;
}

void SearchCursor::finish(std::string& out) {
    std::vector<ldapproto::ResponseControl> controls;
    if (sort_requested_) {
        ldapproto::SortResponse r;
        r.result = sort_result_;
        if (!sort_bad_attr_.empty()) r.attribute = sort_bad_attr_;
        controls.emplace_back(r);
    }
    if (vlv_) controls.emplace_back(vlv_response_);
    if (paged_) controls.emplace_back(ldapproto::PagedResults{0, cookie_out_});
    ldapproto::LdapResult res{result_, matched_dn_, diagnostic_};
    ldapproto::encode_search_result_done(out, message_id_, res, controls);
    done_ = true;
}

}  // namespace sb::addressbook
