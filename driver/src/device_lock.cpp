#include "opusim/driver/device_lock.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>

#include "opusim/driver/device_uri.hpp"
#include "opusim/driver/errors.hpp"

namespace opusim::driver {

namespace {

namespace fs = std::filesystem;

// How long an open waits in silence before saying whom it waits for.
constexpr double kQuietWaitS = 1.0;

// Keys held by this process: a second open in the same process is refused like one from another.
std::mutex& held_mutex() {
    static std::mutex mutex;
    return mutex;
}
std::set<std::string>& held_keys() {
    static std::set<std::string> keys;
    return keys;
}

std::string user_name(uid_t uid) {
    struct passwd entry {};
    struct passwd* found = nullptr;
    char buffer[1024];
    if (::getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr) {
        return found->pw_name;
    }
    return "uid " + std::to_string(uid);
}

[[noreturn]] void unsafe_folder(const fs::path& dir, const std::string& why) {
    throw DriverError("device lock folder " + dir.string() + " " + why +
                      "; set OPUSIM_LOCK_DIR to a folder of your own");
}

// Makes DIR (mode 0700) if missing, then checks it is a real folder (not a symlink) owned by us
// and closed to others: another user must not be able to plant or hold our lock files.
fs::path private_folder(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        unsafe_folder(dir, "cannot be created (" + std::string(std::strerror(errno)) + ")");
    }
    struct stat info {};
    if (::lstat(dir.c_str(), &info) != 0) unsafe_folder(dir, "cannot be examined");
    if (S_ISLNK(info.st_mode)) unsafe_folder(dir, "is a symlink");
    if (!S_ISDIR(info.st_mode)) unsafe_folder(dir, "is not a folder");
    if (info.st_uid != ::geteuid()) {
        unsafe_folder(dir, "belongs to " + user_name(info.st_uid) + ", not to you");
    }
    if ((info.st_mode & 077) != 0)
        unsafe_folder(dir, "is open to other users (expected mode 0700)");
    return dir;
}

// FNV-1a, 64 bits: a fixed-length name for any key (not a security measure: the folder is ours).
std::string hash_hex(const std::string& text) {
    std::uint64_t hash = 14695981039346656037ull;
    for (const unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
    return hex;
}

// What a lock file says of its holder: "pid uid user".
struct Holder {
    long pid = -1;
    std::string user;
    std::string text() const {
        if (pid <= 0) return "another process (pid unknown)";
        return "process " + std::to_string(pid) + (user.empty() ? "" : " of user " + user);
    }
};

Holder read_holder(const fs::path& lock_path) {
    Holder holder;
    const int fd = ::open(lock_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return holder;
    char buffer[256] = {};
    const ssize_t got = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    if (got <= 0) return holder;
    std::istringstream in(std::string(buffer, static_cast<std::size_t>(got)));
    long uid = -1;
    in >> holder.pid >> uid >> holder.user;
    return holder;
}

// Opens (creating, mode 0600) the lock file without following a symlink planted in its place.
int open_lock_file(const fs::path& lock_path) {
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw DriverError("cannot open the device lock file " + lock_path.string() + " (" +
                          std::strerror(errno) + "; set OPUSIM_LOCK_DIR to a writable folder)");
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        throw DriverError("device lock file " + lock_path.string() + " is not a regular file");
    }
    return fd;
}

void write_holder(int fd) {
    const uid_t uid = ::geteuid();
    const std::string text =
        std::to_string(::getpid()) + " " + std::to_string(uid) + " " + user_name(uid) + "\n";
    if (::ftruncate(fd, 0) == 0) {
        const ssize_t ignored = ::pwrite(fd, text.data(), text.size(), 0);
        (void)ignored;  // the holder's name is a courtesy; the flock is the lock
    }
}

}  // namespace

struct DeviceLock::State {
    std::string key;
    std::string path;
    int fd = -1;
};

std::string DeviceLock::key_of(const DeviceUri& uri) {
    std::string target = uri.target;
    // A profile file is one device however it is spelled; a built-in name is itself.
    if (target.find('/') != std::string::npos || fs::path(target).extension() == ".json") {
        std::error_code error;
        const fs::path canonical = fs::weakly_canonical(fs::path(target), error);
        if (!error) target = canonical.string();
    }
    // No option names another device: seed, noise_seed and noise are configuration registers
    // any holder writes, lock_wait and vcd say how to open it. (Keying on them let `opusim timing
    // --profile gen2`, which spells out the profile's seeds, and `opusim info --device sim:gen2`
    // hold the one device at once.)
    return uri.transport + ":" + target;
}

fs::path DeviceLock::directory() {
    const char* explicit_dir = std::getenv("OPUSIM_LOCK_DIR");
    if (explicit_dir != nullptr && *explicit_dir != '\0') {
        const fs::path dir(explicit_dir);
        std::error_code error;
        fs::create_directories(dir, error);
        return dir;  // the user's choice; files in it are still opened without following links
    }
    const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
    if (runtime_dir != nullptr && *runtime_dir != '\0' && fs::is_directory(runtime_dir)) {
        return private_folder(fs::path(runtime_dir) / "opusim");
    }
    return private_folder(fs::temp_directory_path() / ("opusim-" + std::to_string(::geteuid())));
}

std::string DeviceLock::file_name(const std::string& key) {
    std::string readable;
    for (const char c : key) {
        if (readable.size() >= 40) break;
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
        readable += keep ? c : '_';
    }
    return "opusim-" + readable + "-" + hash_hex(key) + ".lock";
}

DeviceLock::DeviceLock(const std::string& key, double wait_s) : state_(std::make_unique<State>()) {
    state_->key = key;
    {
        const std::lock_guard<std::mutex> guard(held_mutex());
        if (!held_keys().insert(key).second) {
            throw DeviceBusyError("device " + key + " is already open in this process (pid " +
                                      std::to_string(::getpid()) +
                                      "); close the other handle first",
                                  static_cast<long>(::getpid()));
        }
    }
    try {
        const fs::path lock_path = directory() / file_name(key);
        state_->path = lock_path.string();
        state_->fd = open_lock_file(lock_path);
        const auto start = std::chrono::steady_clock::now();
        const auto waited = [&] {
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        };
        bool said = false;
        while (::flock(state_->fd, LOCK_EX | LOCK_NB) != 0) {
            if (errno != EWOULDBLOCK && errno != EINTR) {
                throw DriverError("device " + key + ": cannot lock " + state_->path + " (" +
                                  std::strerror(errno) + ")");
            }
            if (waited() >= wait_s) {
                const Holder holder = read_holder(lock_path);
                std::ostringstream message;
                message << "device " << key << " is in use by " << holder.text() << " (lock "
                        << state_->path << "); waited " << wait_s
                        << " s (URI option lock_wait=SECONDS waits longer)";
                throw DeviceBusyError(message.str(), holder.pid);
            }
            if (!said && waited() >= kQuietWaitS) {
                said = true;
                std::cerr << "opusim: device " << key << " is in use by "
                          << read_holder(lock_path).text() << "; waiting up to " << wait_s
                          << " s for it (URI option lock_wait)\n";
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        write_holder(state_->fd);
    } catch (...) {
        if (state_->fd >= 0) ::close(state_->fd);
        const std::lock_guard<std::mutex> guard(held_mutex());
        held_keys().erase(key);
        throw;
    }
}

DeviceLock::~DeviceLock() {
    if (!state_) return;
    if (::ftruncate(state_->fd, 0) != 0) {
        // The next holder overwrites the name anyway.
    }
    ::close(state_->fd);  // releases the flock
    const std::lock_guard<std::mutex> guard(held_mutex());
    held_keys().erase(state_->key);
}

const std::string& DeviceLock::key() const {
    return state_->key;
}
const std::string& DeviceLock::path() const {
    return state_->path;
}

}  // namespace opusim::driver
