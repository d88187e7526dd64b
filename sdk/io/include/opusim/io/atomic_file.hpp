// Writing an output file so that a failure never leaves a partial file under its name: the bytes
// go to a temporary in the same folder (hidden, named after the target and the process), which
// is flushed, synced and renamed over the target only when everything was written. A failed
// write (a full disk, an exception) removes the temporary and leaves the old file, or none; a
// SIGINT, SIGTERM or SIGHUP while a temporary exists removes it before the process ends.
// Every file opusim writes goes through here (io::write_npy, sidecars, traces).
#pragma once

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace opusim::io {

class AtomicFileError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The temporary that will become PATH: registered for removal on a terminating signal until it
// is committed or destroyed. Not copyable; one per output file.
class PendingFile {
  public:
    // SUFFIX ends the temporary's name, for writers that insist on an extension (SystemC's VCD
    // trace appends ".vcd" to any name that lacks it).
    explicit PendingFile(std::filesystem::path target, const std::string& suffix = "");
    ~PendingFile();  // removes the temporary unless committed
    PendingFile(const PendingFile&) = delete;
    PendingFile& operator=(const PendingFile&) = delete;

    const std::filesystem::path& temporary() const { return temporary_; }
    const std::filesystem::path& target() const { return target_; }
    // Syncs the temporary to disk and renames it to the target. Throws AtomicFileError.
    void commit();

  private:
    std::filesystem::path target_;
    std::filesystem::path temporary_;
    int slot_ = -1;  // in the signal handler's table
    bool committed_ = false;
};

// Writes PATH through WRITE (given a binary stream on the temporary); any failure (WRITE
// throws, the stream fails, the disk is full at flush or close) throws AtomicFileError naming
// PATH, and PATH keeps what it held before.
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write);

}  // namespace opusim::io
