// The host memory the device reaches by DMA: a map from device addresses to host buffers, with
// the ownership protocol of streaming DMA (as Linux's dma_sync_single_for_device/for_cpu and
// xrt::bo::sync): a buffer is either host-owned (the application reads and writes it) or
// device-owned (the device may DMA to and from it). A DMA access outside every mapped buffer, or
// to a host-owned streaming buffer, fails, and the device reports a DMA error. Coherent buffers
// (the job ring) are always accessible to both sides.
//
// Buffers the driver allocates live in shared memory (a memfd), so a device in another process
// (the simulator, transports/) maps them and copies frames directly; memory an application
// registers from its own address space is reached through device_read/device_write. A transport
// that must mirror the map (a device in another process) listens to its changes.
//
// Device addresses are handed out once and never reused, so a stale address faults.
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

namespace opusim::driver {

// Zero-filled shared memory: BYTES at HOST, backed by the file descriptor FD (which a device
// process maps). Unmapped and closed by release().
struct SharedAllocation {
    std::uint8_t* host = nullptr;
    std::size_t bytes = 0;
    int fd = -1;
    static SharedAllocation make(std::size_t bytes);  // throws DriverError when out of memory
    void release() noexcept;
};

// Told of every change of the map, outside the map's lock, in the order they happen.
class DmaMapListener {
  public:
    virtual ~DmaMapListener() = default;
    // FD: the region's shared memory, or -1 for memory only this process can reach.
    virtual void region_mapped(std::uint64_t address, std::size_t bytes, bool coherent,
                               bool device_owned, int fd) = 0;
    virtual void region_unmapped(std::uint64_t address) = 0;
    virtual void ownership_changed(std::uint64_t address, bool device_owned) = 0;
};

class DmaMemory {
  public:
    // Maps BYTES at HOST (FD: its shared memory, or -1); returns its device address (4 KiB
    // aligned).
    std::uint64_t map(std::uint8_t* host, std::size_t bytes, bool coherent, int fd = -1);
    void unmap(std::uint64_t address);
    void set_device_owned(std::uint64_t address, bool device_owned);

    // The device side: false when [ADDRESS, ADDRESS + BYTES) is not inside one device-accessible
    // mapped buffer.
    bool device_read(std::uint64_t address, void* out, std::size_t bytes);
    bool device_write(std::uint64_t address, const void* data, std::size_t bytes);

    std::size_t mapped_buffers() const;

    // LISTENER (or null) hears every later change, after being told of every region mapped now.
    void set_listener(DmaMapListener* listener);

  private:
    struct Region {
        std::uint8_t* host;
        std::size_t bytes;
        bool coherent;
        bool device_owned;
        int fd;
    };
    // The region holding [address, address + bytes) that the device may access, or nullptr.
    Region* accessible(std::uint64_t address, std::size_t bytes, std::uint64_t* base);

    mutable std::mutex mutex_;
    std::map<std::uint64_t, Region> regions_;  // by base address
    std::uint64_t next_address_ = std::uint64_t{1} << 32;
    DmaMapListener* listener_ = nullptr;
    // Serialises listener calls (made outside mutex_, which the device side's DMA takes).
    std::mutex listener_mutex_;
};

}  // namespace opusim::driver
