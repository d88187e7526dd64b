#include "opusim/driver/dma_memory.hpp"

#include <cstring>

#include "opusim/driver/errors.hpp"

namespace opusim::driver {

namespace {
constexpr std::uint64_t kPage = 4096;
}

std::uint64_t DmaMemory::map(std::uint8_t* host, std::size_t bytes, bool coherent) {
    if (host == nullptr || bytes == 0) {
        throw UsageError("DMA buffer: cannot map a null pointer or 0 bytes");
    }
    const std::lock_guard<std::mutex> guard(mutex_);
    const std::uint64_t address = next_address_;
    // One guard page between buffers, so an overrun of one never lands in the next.
    next_address_ += (static_cast<std::uint64_t>(bytes) + kPage - 1) / kPage * kPage + kPage;
    regions_.emplace(address, Region{host, bytes, coherent, coherent});
    return address;
}

void DmaMemory::unmap(std::uint64_t address) {
    const std::lock_guard<std::mutex> guard(mutex_);
    regions_.erase(address);
}

void DmaMemory::set_device_owned(std::uint64_t address, bool device_owned) {
    const std::lock_guard<std::mutex> guard(mutex_);
    const auto it = regions_.find(address);
    if (it == regions_.end()) throw UsageError("DMA buffer: sync of an unmapped buffer");
    if (!it->second.coherent) it->second.device_owned = device_owned;
}

DmaMemory::Region* DmaMemory::accessible(std::uint64_t address, std::size_t bytes,
                                         std::uint64_t* base) {
    auto it = regions_.upper_bound(address);
    if (it == regions_.begin()) return nullptr;
    --it;
    Region& region = it->second;
    const std::uint64_t offset = address - it->first;
    if (offset > region.bytes || bytes > region.bytes - offset) return nullptr;
    if (!region.device_owned) return nullptr;
    *base = it->first;
    return &region;
}

bool DmaMemory::device_read(std::uint64_t address, void* out, std::size_t bytes) {
    const std::lock_guard<std::mutex> guard(mutex_);
    std::uint64_t base = 0;
    Region* region = accessible(address, bytes, &base);
    if (region == nullptr) return false;
    if (bytes > 0) std::memcpy(out, region->host + (address - base), bytes);
    return true;
}

bool DmaMemory::device_write(std::uint64_t address, const void* data, std::size_t bytes) {
    const std::lock_guard<std::mutex> guard(mutex_);
    std::uint64_t base = 0;
    Region* region = accessible(address, bytes, &base);
    if (region == nullptr) return false;
    if (bytes > 0) std::memcpy(region->host + (address - base), data, bytes);
    return true;
}

std::size_t DmaMemory::mapped_buffers() const {
    const std::lock_guard<std::mutex> guard(mutex_);
    return regions_.size();
}

}  // namespace opusim::driver
