// An opusimd of the test's own on a socket in a fresh folder, and small helpers around it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

class DaemonProcess {
  public:
    explicit DaemonProcess(std::string socket);
    ~DaemonProcess();
    // Starts opusimd --foreground and waits until its socket answers.
    void start();
    // SIGTERM, then its exit status (0 after a clean shutdown).
    int stop();
    pid_t pid() const { return pid_; }
    const std::string& socket() const { return socket_; }

  private:
    std::string socket_;
    pid_t pid_ = -1;
};

// A folder of its own under the system's temporary folder, removed by the destructor.
class ScratchFolder {
  public:
    ScratchFolder();
    ~ScratchFolder();
    std::string path(const std::string& name) const { return folder_ + "/" + name; }

  private:
    std::string folder_;
};

// ROWS random binary rows of N features, reproducibly from SEED.
std::vector<std::uint8_t> random_rows(std::size_t rows, std::size_t n, std::uint32_t seed);

// The frames of opusim's transform of X (ROWS x N) on DEVICE, with 64 components.
std::vector<std::uint16_t> transform_on(const std::string& device,
                                        const std::vector<std::uint8_t>& x, std::size_t rows,
                                        std::size_t n);

// FNV-1a of the frames: the hash both sides are compared by.
std::uint64_t frames_hash(const std::vector<std::uint16_t>& frames);
