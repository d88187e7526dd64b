// The host memory the device reaches by DMA: a map from device addresses to host buffers, with
// the ownership protocol of streaming DMA (as Linux's dma_sync_single_for_device/for_cpu and
// xrt::bo::sync): a buffer is either host-owned (the application reads and writes it) or
// device-owned (the device may DMA to and from it). A DMA access outside every mapped buffer, or
// to a host-owned streaming buffer, fails, and the device reports a DMA error. Coherent buffers
// (the job ring) are always accessible to both sides.
//
// Device addresses are handed out once and never reused, so a stale address faults.
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

namespace opusim::driver {

class DmaMemory {
  public:
    // Maps BYTES at HOST; returns its device address (4 KiB aligned).
    std::uint64_t map(std::uint8_t* host, std::size_t bytes, bool coherent);
    void unmap(std::uint64_t address);
    void set_device_owned(std::uint64_t address, bool device_owned);

    // The device side: false when [ADDRESS, ADDRESS + BYTES) is not inside one device-accessible
    // mapped buffer.
    bool device_read(std::uint64_t address, void* out, std::size_t bytes);
    bool device_write(std::uint64_t address, const void* data, std::size_t bytes);

    std::size_t mapped_buffers() const;

  private:
    struct Region {
        std::uint8_t* host;
        std::size_t bytes;
        bool coherent;
        bool device_owned;
    };
    // The region holding [address, address + bytes) that the device may access, or nullptr.
    Region* accessible(std::uint64_t address, std::size_t bytes, std::uint64_t* base);

    mutable std::mutex mutex_;
    std::map<std::uint64_t, Region> regions_;  // by base address
    std::uint64_t next_address_ = std::uint64_t{1} << 32;
};

}  // namespace opusim::driver
