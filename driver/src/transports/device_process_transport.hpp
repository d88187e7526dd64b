// A device served by another process over the device link (contract/wire_protocol.hpp): the
// driver's side of it. The DMA buffers the driver allocates are shared with that process; DMA to
// registered application memory is served here while a request waits for its reply.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "opusim/contract/wire_protocol.hpp"
#include "opusim/driver/dma_memory.hpp"
#include "opusim/driver/transport.hpp"

namespace opusim::driver {

class DeviceProcessTransport final : public Transport, private DmaMapListener {
  public:
    // Starts PROGRAM with ARGUMENTS plus `--link-fd N` and waits for the device to be ready.
    // Throws UriError with the device's own message when it refuses to start (a bad profile),
    // DriverError when the program cannot be started or dies.
    DeviceProcessTransport(const std::string& program, std::vector<std::string> arguments,
                           std::shared_ptr<DmaMemory> memory, std::string description,
                           std::string uri_text);
    // A device served by opusimd over LINK, already Ready at DEVICE_TIME_S (daemon_transport.hpp).
    DeviceProcessTransport(std::unique_ptr<contract::wire::Channel> link, double device_time_s,
                           std::shared_ptr<DmaMemory> memory, std::string description,
                           std::string uri_text);
    ~DeviceProcessTransport() override;
    DeviceProcessTransport(const DeviceProcessTransport&) = delete;
    DeviceProcessTransport& operator=(const DeviceProcessTransport&) = delete;

    std::string description() const override { return description_; }
    std::uint32_t read_register(std::uint32_t offset) override;
    void write_register(std::uint32_t offset, std::uint32_t value) override;
    bool wait_for_interrupt(double timeout_s) override;
    double device_time_s() const override;
    bool shared_by_service() const override { return through_daemon_; }
    void read_registers(const std::uint32_t* offsets, std::uint32_t* values,
                        std::size_t count) override;

  private:
    void region_mapped(std::uint64_t address, std::size_t bytes, bool coherent, bool device_owned,
                       int fd) override;
    void region_unmapped(std::uint64_t address) override;
    void ownership_changed(std::uint64_t address, bool device_owned) override;

    static constexpr std::chrono::seconds kExitGrace{2};

    void spawn(const std::string& program, std::vector<std::string> arguments);
    void await_ready(const std::string& program);
    // Sends a request and waits for its reply of type EXPECTED, serving DMA meanwhile; the
    // reply's payload after the Reply header goes to TAIL when given.
    contract::wire::Reply call(contract::wire::MessageType type, const void* payload,
                               std::size_t bytes, contract::wire::MessageType expected,
                               std::vector<std::uint8_t>* tail = nullptr);
    void serve_dma(const contract::wire::Message& request);
    [[noreturn]] void lost(const std::string& what);
    std::string exit_text();

    std::shared_ptr<DmaMemory> memory_;
    std::string description_;
    std::string uri_text_;
    std::unique_ptr<contract::wire::Channel> link_;
    pid_t pid_ = -1;
    mutable std::mutex mutex_;  // one request on the link at a time
    double device_time_s_ = 0;
    std::string failure_;  // set once the device or the link failed
    bool through_daemon_ = false;
};

}  // namespace opusim::driver
