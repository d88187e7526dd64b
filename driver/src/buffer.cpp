#include "opusim/driver/buffer.hpp"

#include <utility>

#include "opusim/driver/dma_memory.hpp"
#include "opusim/driver/errors.hpp"

namespace opusim::driver {

Buffer Buffer::allocate(std::shared_ptr<DmaMemory> memory, std::size_t bytes, bool coherent) {
    if (bytes == 0) throw UsageError("Buffer::allocate: bytes must be > 0");
    Buffer buffer;
    buffer.storage_ = SharedAllocation::make(bytes);
    buffer.host_ = buffer.storage_.host;
    buffer.bytes_ = bytes;
    buffer.coherent_ = coherent;
    buffer.device_owned_ = coherent;
    buffer.address_ = memory->map(buffer.host_, bytes, coherent, buffer.storage_.fd);
    buffer.memory_ = std::move(memory);
    return buffer;
}

Buffer Buffer::register_memory(std::shared_ptr<DmaMemory> memory, void* host, std::size_t bytes) {
    if (host == nullptr || bytes == 0) {
        throw UsageError("Buffer::register_memory: host must be non-null and bytes > 0");
    }
    Buffer buffer;
    buffer.host_ = static_cast<std::uint8_t*>(host);
    buffer.bytes_ = bytes;
    buffer.address_ = memory->map(buffer.host_, bytes, false);
    buffer.memory_ = std::move(memory);
    return buffer;
}

Buffer::~Buffer() {
    release();
}

Buffer::Buffer(Buffer&& other) noexcept {
    *this = std::move(other);
}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
    if (this != &other) {
        release();
        memory_ = std::move(other.memory_);
        storage_ = other.storage_;
        other.storage_ = SharedAllocation{};
        host_ = other.host_;
        bytes_ = other.bytes_;
        address_ = other.address_;
        coherent_ = other.coherent_;
        device_owned_ = other.device_owned_;
        other.host_ = nullptr;
        other.bytes_ = 0;
        other.address_ = 0;
    }
    return *this;
}

void Buffer::release() noexcept {
    if (memory_) {
        try {
            memory_->unmap(address_);
        } catch (...) {
            // A device that is gone cannot be told; the memory is released all the same.
        }
    }
    memory_.reset();
    storage_.release();
    host_ = nullptr;
}

void Buffer::sync(SyncDirection direction) {
    if (!memory_) throw UsageError("Buffer::sync on an empty buffer");
    if (coherent_) return;
    const bool to_device = direction == SyncDirection::ToDevice;
    memory_->set_device_owned(address_, to_device);
    device_owned_ = to_device;
}

}  // namespace opusim::driver
