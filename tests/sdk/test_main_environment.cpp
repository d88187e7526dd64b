// Every test process gets its own device-lock folder, so test processes that ctest runs in
// parallel never contend for sim:gen2; the cross-process lock test shares its folder with the
// child it starts on purpose.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace {

struct PrivateLockDir {
    PrivateLockDir() {
        const auto dir = std::filesystem::temp_directory_path() /
                         ("opusim-test-sdk-locks-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        ::setenv("OPUSIM_LOCK_DIR", dir.c_str(), 1);
    }
    ~PrivateLockDir() {
        std::error_code error;
        if (const char* dir = std::getenv("OPUSIM_LOCK_DIR")) {
            std::filesystem::remove_all(dir, error);
        }
    }
};

const PrivateLockDir g_private_lock_dir;

}  // namespace
