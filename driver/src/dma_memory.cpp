#include "opusim/driver/dma_memory.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "opusim/driver/errors.hpp"

namespace opusim::driver {

namespace {
constexpr std::uint64_t kPage = 4096;
}

SharedAllocation SharedAllocation::make(std::size_t bytes) {
    SharedAllocation allocation;
    allocation.fd = ::memfd_create("opusim-dma", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    // Sealed against shrinking: a device that maps it (a device server, one opusimd shares
    // between processes) can never fault on a page taken away under it.
    if (allocation.fd < 0 || ::ftruncate(allocation.fd, static_cast<off_t>(bytes)) != 0 ||
        ::fcntl(allocation.fd, F_ADD_SEALS, F_SEAL_SHRINK) != 0) {
        const std::string reason = std::strerror(errno);
        allocation.release();
        throw DriverError("DMA buffer: cannot allocate " + std::to_string(bytes) +
                          " bytes of shared memory: " + reason);
    }
    void* view = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, allocation.fd, 0);
    if (view == MAP_FAILED) {
        const std::string reason = std::strerror(errno);
        allocation.release();
        throw DriverError("DMA buffer: cannot map " + std::to_string(bytes) +
                          " bytes of shared memory: " + reason);
    }
    allocation.host = static_cast<std::uint8_t*>(view);  // zero-filled by ftruncate
    allocation.bytes = bytes;
    return allocation;
}

void SharedAllocation::release() noexcept {
    if (host != nullptr) ::munmap(host, bytes);
    if (fd >= 0) ::close(fd);
    host = nullptr;
    fd = -1;
    bytes = 0;
}

std::uint64_t DmaMemory::map(std::uint8_t* host, std::size_t bytes, bool coherent, int fd) {
    if (host == nullptr || bytes == 0) {
        throw UsageError("DMA buffer: cannot map a null pointer or 0 bytes");
    }
    const std::lock_guard<std::mutex> listening(listener_mutex_);
    std::uint64_t address = 0;
    {
        const std::lock_guard<std::mutex> guard(mutex_);
        address = next_address_;
        // One guard page between buffers, so an overrun of one never lands in the next.
        next_address_ += (static_cast<std::uint64_t>(bytes) + kPage - 1) / kPage * kPage + kPage;
        regions_.emplace(address, Region{host, bytes, coherent, coherent, fd});
    }
    if (listener_ != nullptr) listener_->region_mapped(address, bytes, coherent, coherent, fd);
    return address;
}

void DmaMemory::unmap(std::uint64_t address) {
    const std::lock_guard<std::mutex> listening(listener_mutex_);
    {
        const std::lock_guard<std::mutex> guard(mutex_);
        regions_.erase(address);
    }
    if (listener_ != nullptr) listener_->region_unmapped(address);
}

void DmaMemory::set_device_owned(std::uint64_t address, bool device_owned) {
    const std::lock_guard<std::mutex> listening(listener_mutex_);
    {
        const std::lock_guard<std::mutex> guard(mutex_);
        const auto it = regions_.find(address);
        if (it == regions_.end()) throw UsageError("DMA buffer: sync of an unmapped buffer");
        if (it->second.coherent) return;
        it->second.device_owned = device_owned;
    }
    if (listener_ != nullptr) listener_->ownership_changed(address, device_owned);
}

void DmaMemory::set_listener(DmaMapListener* listener) {
    const std::lock_guard<std::mutex> listening(listener_mutex_);
    std::map<std::uint64_t, Region> now;
    {
        const std::lock_guard<std::mutex> guard(mutex_);
        now = regions_;
    }
    listener_ = listener;
    if (listener_ == nullptr) return;
    for (const auto& [address, region] : now) {
        listener_->region_mapped(address, region.bytes, region.coherent, region.device_owned,
                                 region.fd);
    }
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
