#pragma once
// Thin RAII helpers over liblber, the reference BER implementation the codec is compared with.
#include <lber.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sb::ber::test {

struct BerElementFree {
    void operator()(BerElement* b) const { ber_free(b, 1); }
};
using BerPtr = std::unique_ptr<BerElement, BerElementFree>;

// A liblber encoder; LBER_USE_DER gives minimal lengths, 0 the long forms liblber uses
// by default for constructed elements.
inline BerPtr lber_writer(int options = LBER_USE_DER) {
    BerPtr ber(ber_alloc_t(options));
    if (!ber) throw std::runtime_error("ber_alloc_t");
    return ber;
}

inline std::string lber_bytes(BerElement* ber) {
    struct berval* bv = nullptr;
    if (ber_flatten(ber, &bv) != 0) throw std::runtime_error("ber_flatten");
    std::string s(bv->bv_val, bv->bv_len);
    ber_bvfree(bv);
    return s;
}

// ber_printf with the given format, returning the encoding.
template <class... Args>
std::string lber_encode(int options, const char* format, Args... args) {
    BerPtr ber = lber_writer(options);
    if (ber_printf(ber.get(), format, args...) == -1) throw std::runtime_error("ber_printf");
    return lber_bytes(ber.get());
}

// A liblber decoder over a copy of `bytes`.
inline BerPtr lber_reader(std::string_view bytes) {
    struct berval bv;
    bv.bv_len = bytes.size();
    bv.bv_val = const_cast<char*>(bytes.data());
    BerPtr ber(ber_init(&bv));
    if (!ber) throw std::runtime_error("ber_init");
    return ber;
}

inline std::string as_string(const struct berval& bv) {
    return bv.bv_val ? std::string(bv.bv_val, bv.bv_len) : std::string();
}

}  // namespace sb::ber::test
