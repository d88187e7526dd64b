// A DMA buffer object, in the manner of xrt::bo: host memory the device reaches at a device
// address, either allocated by the driver or registered from the application's own memory
// (zero copy; the application keeps it alive). Explicit ownership transfer:
//   sync(ToDevice)   before a job reads or writes it (the device may DMA; the host must not touch)
//   sync(FromDevice) after the job, before the host reads what the device wrote.
// A job touching a buffer that is not synced to the device fails with a DmaError.
// Movable, not copyable; unmapped when destroyed (a later DMA to its address faults).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "opusim/driver/dma_memory.hpp"

namespace opusim::driver {

enum class SyncDirection { ToDevice, FromDevice };

class Buffer {
  public:
    Buffer() = default;
    ~Buffer();
    Buffer(Buffer&& other) noexcept;
    Buffer& operator=(Buffer&& other) noexcept;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;

    // Allocated by the driver (zero-filled), or the application's memory registered as is.
    static Buffer allocate(std::shared_ptr<DmaMemory> memory, std::size_t bytes, bool coherent);
    static Buffer register_memory(std::shared_ptr<DmaMemory> memory, void* host, std::size_t bytes);

    bool valid() const { return memory_ != nullptr; }
    std::size_t size() const { return bytes_; }
    std::uint64_t device_address() const { return address_; }
    std::uint8_t* data() { return host_; }
    const std::uint8_t* data() const { return host_; }
    template <class T>
    T* as() {
        return reinterpret_cast<T*>(host_);
    }
    bool device_owned() const { return device_owned_; }

    void sync(SyncDirection direction);

  private:
    void release() noexcept;

    std::shared_ptr<DmaMemory> memory_;
    SharedAllocation storage_;  // the driver's own memory; empty for registered memory
    std::uint8_t* host_ = nullptr;
    std::size_t bytes_ = 0;
    std::uint64_t address_ = 0;
    bool coherent_ = false;
    bool device_owned_ = false;
};

}  // namespace opusim::driver
