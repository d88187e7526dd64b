// Exclusive access to a device, as the vendor's driver gives it: one holder at a time across
// processes (an flock(2) on a lock file) and within a process (a registry of held keys, so a
// second open in the same process is refused at once, naming this process).
//
// The key is the device's identity: the transport and the canonical profile path (a path the
// sim transport opens is resolved, so two spellings of one file are one device). No URI option
// names another device: seed, noise_seed and noise are configuration registers any holder
// writes, lock_wait and vcd say how to open it. The lock file
// is named by a fixed-length hash of the key, so no key is too long for a file name and two keys
// never share a name by folding characters.
//
// Lock files live in $OPUSIM_LOCK_DIR when set, else in a folder of the user's own:
// $XDG_RUNTIME_DIR/opusim, else <temp>/opusim-<uid>, made with mode 0700 and checked to be a
// real folder (not a symlink) owned by the user. Files are opened without following symlinks.
// The holder writes "pid uid user" into the lock file it holds, so a waiting or refused open
// names it; after about a second of waiting, the waiting process says whom it waits for on stderr.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace opusim::driver {

struct DeviceUri;

class DeviceLock {
  public:
    // Takes the lock for KEY, waiting up to WAIT_S seconds of wall time for a holder to let go.
    // Throws DeviceBusyError naming the holder's pid (and user).
    DeviceLock(const std::string& key, double wait_s);
    ~DeviceLock();
    DeviceLock(const DeviceLock&) = delete;
    DeviceLock& operator=(const DeviceLock&) = delete;

    const std::string& key() const;
    const std::string& path() const;  // the lock file

    // The lock key of URI (see above).
    static std::string key_of(const DeviceUri& uri);
    // The folder lock files go to (created and checked on first use; DriverError if unsafe).
    static std::filesystem::path directory();
    // The lock file's name for KEY: "opusim-<readable prefix>-<16 hex digits of a hash>.lock".
    static std::string file_name(const std::string& key);

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace opusim::driver
