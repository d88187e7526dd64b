#include "opusim/io/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <system_error>

namespace opusim::io {
namespace {

namespace fs = std::filesystem;

// The temporaries a terminating signal must remove. Fixed storage, written before a slot is
// published (release) and read by the handler (acquire): the handler calls only unlink() and
// raise(), which are async-signal-safe.
constexpr std::size_t kSlots = 16;
constexpr std::size_t kPathBytes = 4096;
struct Slot {
    std::atomic<bool> used{false};
    std::array<char, kPathBytes> path{};
};
std::array<Slot, kSlots> g_slots;
constexpr std::array<int, 3> kTerminatingSignals{SIGINT, SIGTERM, SIGHUP};

void remove_temporaries_and_die(int signal_number) {
    for (auto& slot : g_slots) {
        if (slot.used.load(std::memory_order_acquire)) ::unlink(slot.path.data());
    }
    ::signal(signal_number, SIG_DFL);  // then end as the signal would have ended us
    ::raise(signal_number);
}

// Installed only where the signal still has its default action: a program with its own handler
// (Python's KeyboardInterrupt, a server's shutdown) keeps it, and unwinds through ~PendingFile;
// one that ignores the signal keeps ignoring it. Checked at each new temporary, so a program that
// resets a signal to its default later is covered too.
void install_handlers() {
    for (const int signal_number : kTerminatingSignals) {
        struct sigaction current {};
        if (::sigaction(signal_number, nullptr, &current) != 0) continue;
        if ((current.sa_flags & SA_SIGINFO) == 0 && current.sa_handler == SIG_DFL) {
            struct sigaction action {};
            action.sa_handler = remove_temporaries_and_die;
            sigemptyset(&action.sa_mask);
            ::sigaction(signal_number, &action, nullptr);
        }
    }
}

int register_temporary(const fs::path& temporary) {
    install_handlers();
    const std::string text = temporary.string();
    if (text.size() >= kPathBytes) return -1;
    static std::mutex claim;
    const std::lock_guard<std::mutex> lock(claim);
    for (std::size_t i = 0; i < kSlots; ++i) {
        if (g_slots[i].used.load(std::memory_order_relaxed)) continue;
        std::memcpy(g_slots[i].path.data(), text.c_str(), text.size() + 1);
        g_slots[i].used.store(true, std::memory_order_release);
        return static_cast<int>(i);
    }
    return -1;  // more than kSlots at once: still removed on failure, not on a signal
}

void unregister_temporary(int slot) {
    if (slot >= 0)
        g_slots[static_cast<std::size_t>(slot)].used.store(false, std::memory_order_release);
}

fs::path temporary_beside(const fs::path& target, const std::string& suffix) {
    static std::atomic<unsigned> counter{0};
    return target.parent_path() /
           ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter++) + suffix);
}

// fsync of PATH's data, so the rename never publishes a file whose blocks are not on disk.
void sync_file(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "open for sync");
    const int result = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    if (result != 0) throw std::system_error(error, std::generic_category(), "fsync");
}

}  // namespace

PendingFile::PendingFile(fs::path target, const std::string& suffix)
    : target_(std::move(target)), temporary_(temporary_beside(target_, suffix)) {
    slot_ = register_temporary(temporary_);
}

PendingFile::~PendingFile() {
    if (!committed_) {
        std::error_code ignored;
        fs::remove(temporary_, ignored);
    }
    unregister_temporary(slot_);
}

void PendingFile::commit() {
    try {
        sync_file(temporary_);
        fs::rename(temporary_, target_);
    } catch (const std::exception& error) {
        throw AtomicFileError(target_.string() + ": cannot be written (" + error.what() + ")");
    }
    committed_ = true;
}

void write_file_atomically(const fs::path& path, const std::function<void(std::ostream&)>& write) {
    PendingFile pending(path);
    try {
        std::ofstream file(pending.temporary(), std::ios::binary | std::ios::trunc);
        if (!file) throw std::runtime_error("cannot create " + pending.temporary().string());
        write(file);
        file.flush();
        file.close();  // a full disk shows here at the latest
        if (!file) throw std::runtime_error("write failed (disk full?)");
    } catch (const AtomicFileError&) {
        throw;
    } catch (const std::exception& error) {
        throw AtomicFileError(path.string() + ": cannot be written (" + error.what() + ")");
    }
    pending.commit();
}

}  // namespace opusim::io
