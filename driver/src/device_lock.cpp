#include "opusim/driver/device_lock.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <boost/interprocess/exceptions.hpp>
#include <boost/interprocess/sync/file_lock.hpp>

#include "opusim/driver/errors.hpp"

namespace opusim::driver {

namespace {

namespace fs = std::filesystem;

// Keys held by this process: a second open in the same process is refused like one from another.
std::mutex& held_mutex() {
    static std::mutex mutex;
    return mutex;
}
std::set<std::string>& held_keys() {
    static std::set<std::string> keys;
    return keys;
}

fs::path lock_directory() {
    const char* env = std::getenv("OPUSIM_LOCK_DIR");
    if (env != nullptr && *env != '\0') return fs::path(env);
    return fs::temp_directory_path();
}

// A file name for KEY: letters, digits, '-', '.', '_' kept, everything else '_'.
std::string file_stem(const std::string& key) {
    std::string stem = "opusim-";
    for (const char c : key) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
        stem += keep ? c : '_';
    }
    return stem;
}

long read_owner_pid(const fs::path& owner_file) {
    std::ifstream in(owner_file);
    long pid = -1;
    if (!(in >> pid)) return -1;
    return pid;
}

std::string holder_text(long pid) {
    return pid > 0 ? "process " + std::to_string(pid) : "another process (pid unknown)";
}

}  // namespace

struct DeviceLock::State {
    std::string key;
    std::string path;
    fs::path owner_path;
    boost::interprocess::file_lock lock;
};

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
        const fs::path dir = lock_directory();
        std::error_code error;
        fs::create_directories(dir, error);
        const fs::path lock_path = dir / (file_stem(key) + ".lock");
        state_->path = lock_path.string();
        state_->owner_path = dir / (file_stem(key) + ".owner");
        { std::ofstream touch(lock_path, std::ios::app); }  // file_lock needs an existing file
        if (!fs::exists(lock_path)) {
            throw DriverError("cannot create the device lock file " + lock_path.string() +
                              " (set OPUSIM_LOCK_DIR to a writable folder)");
        }
        state_->lock = boost::interprocess::file_lock(state_->path.c_str());
        const auto deadline = std::chrono::steady_clock::now() +
                              std::chrono::duration<double>(wait_s > 0 ? wait_s : 0.0);
        while (!state_->lock.try_lock()) {
            if (std::chrono::steady_clock::now() >= deadline) {
                const long pid = read_owner_pid(state_->owner_path);
                std::ostringstream message;
                message << "device " << key << " is in use by " << holder_text(pid) << " (lock "
                        << state_->path << "); waited " << wait_s
                        << " s (URI option lock_wait=SECONDS waits longer)";
                throw DeviceBusyError(message.str(), pid);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        std::ofstream owner(state_->owner_path, std::ios::trunc);
        owner << ::getpid() << "\n";
    } catch (const boost::interprocess::interprocess_exception& error) {
        const std::lock_guard<std::mutex> guard(held_mutex());
        held_keys().erase(key);
        throw DriverError("device " + key + ": cannot use the lock file " + state_->path + ": " +
                          error.what());
    } catch (...) {
        const std::lock_guard<std::mutex> guard(held_mutex());
        held_keys().erase(key);
        throw;
    }
}

DeviceLock::~DeviceLock() {
    if (!state_) return;
    std::error_code error;
    fs::remove(state_->owner_path, error);  // before unlocking: the next holder writes its own
    try {
        state_->lock.unlock();
    } catch (...) {
        // Unlocking a lock we hold cannot fail on POSIX; the process exit releases it anyway.
    }
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
