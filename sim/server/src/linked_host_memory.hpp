// Host memory as the device server reaches it: regions the driver announced over the link. A
// shared region is mapped into this process and copied directly; any other region (memory an
// application registered from its own address space) is read and written by asking the host over
// the link. Ownership follows the driver's sync calls, as an IOMMU would enforce it: a DMA to a
// region the host owns, or outside every region, fails and the device reports a DMA error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>

#include "opusim/contract/wire_protocol.hpp"
#include "opusim/model/simulated_device.hpp"

namespace opusim::server {

class LinkedHostMemory final : public model::HostMemory {
  public:
    explicit LinkedHostMemory(contract::wire::Channel& link) : link_(link) {}
    ~LinkedHostMemory() override;
    LinkedHostMemory(const LinkedHostMemory&) = delete;
    LinkedHostMemory& operator=(const LinkedHostMemory&) = delete;

    // Link messages that change the map. MAP takes ownership of FD (-1 when not shared).
    void map(const contract::wire::RegionMessage& region, int fd);
    void unmap(std::uint64_t address);
    void set_ownership(std::uint64_t address, std::uint32_t flags);

    bool read(std::uint64_t device_address, void* out, std::size_t bytes) override;
    bool write(std::uint64_t device_address, const void* data, std::size_t bytes) override;

  private:
    struct Region {
        std::uint64_t bytes = 0;
        std::uint32_t flags = 0;
        std::uint8_t* mapped = nullptr;  // this process's view of a shared region, else null
    };
    // The region holding [address, address + bytes) that the device may access, or null.
    Region* accessible(std::uint64_t address, std::size_t bytes, std::uint64_t* base);
    bool ask_host(contract::wire::MessageType type, std::uint64_t address, void* data,
                  std::size_t bytes);

    contract::wire::Channel& link_;
    std::map<std::uint64_t, Region> regions_;  // by base address
};

}  // namespace opusim::server
