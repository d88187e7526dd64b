// Exclusive access to a device, as the vendor's driver gives it: one holder at a time across
// processes (a Boost.Interprocess file lock) and within a process (a registry of held keys, since
// POSIX record locks do not exclude a second open in the same process). The holder's pid is kept
// in a side file so that a refused open can name it.
//
// Lock files live in $OPUSIM_LOCK_DIR, else the system temporary directory:
//   opusim-<device identity>.lock   (the locked file) and  .owner  (the holder's pid)
#pragma once

#include <memory>
#include <string>

namespace opusim::driver {

class DeviceLock {
  public:
    // Takes the lock for KEY (a device identity such as "sim:gen2"), waiting up to WAIT_S seconds
    // of wall time for a holder to let go. Throws DeviceBusyError naming the holder's pid.
    DeviceLock(const std::string& key, double wait_s);
    ~DeviceLock();
    DeviceLock(const DeviceLock&) = delete;
    DeviceLock& operator=(const DeviceLock&) = delete;

    const std::string& key() const;
    const std::string& path() const;  // the lock file

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace opusim::driver
