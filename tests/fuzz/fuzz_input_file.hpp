// The fuzz input as a file: the .npy reader and the profile loader take a path, so the bytes go
// into an anonymous in-memory file (memfd) reached by its /proc/self/fd path. No disk, no name to
// clean up, and the reader runs exactly as it does on a user's file.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace opusim::fuzz {

class InputFile {
  public:
    InputFile(const std::uint8_t* data, std::size_t size) : fd_(::memfd_create("fuzz", 0)) {
        if (fd_ < 0) throw std::runtime_error("memfd_create failed");
        std::size_t written = 0;
        while (written < size) {
            const ssize_t n = ::write(fd_, data + written, size - written);
            if (n <= 0) throw std::runtime_error("write to memfd failed");
            written += static_cast<std::size_t>(n);
        }
    }
    ~InputFile() { ::close(fd_); }
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;

    std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

  private:
    int fd_;
};

}  // namespace opusim::fuzz
