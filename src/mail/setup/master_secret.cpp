#include "mail/setup/master_secret.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/random.hpp"
#include "core/strings.hpp"

namespace sb::mail {
namespace {

Result<std::string> read_secret(const std::string& path, int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return fail(Errc::io_error, fmt::format("{} is not a regular file", path));
    if (st.st_mode & 077)
        return fail(Errc::permission_denied,
                    fmt::format("{} may be read by other users (mode {:o}); make it 0600", path,
                                st.st_mode & 0777));
    std::string text(256, '\0');
    ssize_t n = ::read(fd, text.data(), text.size());
    if (n < 0)
        return fail(Errc::io_error, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    text.resize(static_cast<size_t>(n));
    std::string secret(trim(text));
    if (secret.size() < 16)
        return fail(Errc::invalid_argument,
                    fmt::format("{} holds no usable secret (at least 16 characters)", path));
    return secret;
}

}  // namespace

Result<std::string> ensure_master_secret(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        auto r = read_secret(path, fd);
        ::close(fd);
        return r;
    }
    if (errno != ENOENT)
        return fail(Errc::io_error, fmt::format("cannot open {}: {}", path, std::strerror(errno)));
    const std::string secret = crypto::random_password(40);
    const std::string tmp = path + ".new";
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return fail(Errc::io_error, fmt::format("cannot create {}: {}", tmp, std::strerror(errno)));
    const std::string line = secret + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                    ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return fail(Errc::io_error, fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    }
    return secret;
}

}  // namespace sb::mail
