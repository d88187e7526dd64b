#include "linked_host_memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace opusim::server {

using contract::wire::MessageType;
namespace flags = contract::wire::region_flags;

LinkedHostMemory::~LinkedHostMemory() {
    for (auto& [base, region] : regions_) {
        if (region.mapped != nullptr) ::munmap(region.mapped, region.bytes);
    }
}

void LinkedHostMemory::map(const contract::wire::RegionMessage& message, int fd) {
    Region region;
    region.bytes = message.bytes;
    region.flags = message.flags;
    if ((message.flags & flags::kShared) != 0) {
        if (fd < 0)
            throw contract::wire::LinkError("device link: a shared region came without memory");
        void* view = ::mmap(nullptr, message.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        ::close(fd);
        if (view == MAP_FAILED) {
            throw contract::wire::LinkError("device link: cannot map a shared region of " +
                                            std::to_string(message.bytes) +
                                            " bytes: " + std::strerror(errno));
        }
        region.mapped = static_cast<std::uint8_t*>(view);
    } else if (fd >= 0) {
        ::close(fd);
    }
    unmap(message.address);
    regions_.emplace(message.address, region);
}

void LinkedHostMemory::unmap(std::uint64_t address) {
    const auto it = regions_.find(address);
    if (it == regions_.end()) return;
    if (it->second.mapped != nullptr) ::munmap(it->second.mapped, it->second.bytes);
    regions_.erase(it);
}

void LinkedHostMemory::set_ownership(std::uint64_t address, std::uint32_t region_flags) {
    const auto it = regions_.find(address);
    if (it == regions_.end()) return;
    it->second.flags =
        (it->second.flags & ~flags::kDeviceOwned) | (region_flags & flags::kDeviceOwned);
}

LinkedHostMemory::Region* LinkedHostMemory::accessible(std::uint64_t address, std::size_t bytes,
                                                       std::uint64_t* base) {
    auto it = regions_.upper_bound(address);
    if (it == regions_.begin()) return nullptr;
    --it;
    Region& region = it->second;
    const std::uint64_t offset = address - it->first;
    if (offset > region.bytes || bytes > region.bytes - offset) return nullptr;
    if ((region.flags & (flags::kCoherent | flags::kDeviceOwned)) == 0) return nullptr;
    *base = it->first;
    return &region;
}

bool LinkedHostMemory::read(std::uint64_t device_address, void* out, std::size_t bytes) {
    std::uint64_t base = 0;
    Region* region = accessible(device_address, bytes, &base);
    if (region == nullptr) return false;
    if (region->mapped == nullptr)
        return ask_host(MessageType::DmaRead, device_address, out, bytes);
    if (bytes > 0) std::memcpy(out, region->mapped + (device_address - base), bytes);
    return true;
}

bool LinkedHostMemory::write(std::uint64_t device_address, const void* data, std::size_t bytes) {
    std::uint64_t base = 0;
    Region* region = accessible(device_address, bytes, &base);
    if (region == nullptr) return false;
    if (region->mapped == nullptr) {
        return ask_host(MessageType::DmaWrite, device_address, const_cast<void*>(data), bytes);
    }
    if (bytes > 0) std::memcpy(region->mapped + (device_address - base), data, bytes);
    return true;
}

bool LinkedHostMemory::ask_host(MessageType type, std::uint64_t address, void* data,
                                std::size_t bytes) {
    const contract::wire::DmaRequest request{address, bytes};
    const bool writing = type == MessageType::DmaWrite;
    link_.send(type, &request, sizeof request, writing ? data : nullptr, writing ? bytes : 0);
    const contract::wire::Message answer = link_.receive();
    const MessageType expected = writing ? MessageType::DmaDone : MessageType::DmaData;
    if (answer.type != expected || answer.payload.size() < sizeof(contract::wire::Reply)) {
        throw contract::wire::LinkError(
            "device link: the host answered a DMA request with message " +
            std::to_string(static_cast<unsigned>(answer.type)));
    }
    contract::wire::Reply reply;
    std::memcpy(&reply, answer.payload.data(), sizeof reply);
    if (reply.value == 0) return false;
    if (!writing) {
        if (answer.payload.size() != sizeof reply + bytes) {
            throw contract::wire::LinkError("device link: a DMA read returned " +
                                            std::to_string(answer.payload.size() - sizeof reply) +
                                            " bytes, expected " + std::to_string(bytes));
        }
        if (bytes > 0) std::memcpy(data, answer.payload.data() + sizeof reply, bytes);
    }
    return true;
}

}  // namespace opusim::server
