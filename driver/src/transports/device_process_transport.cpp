#include "device_process_transport.hpp"

#include <chrono>
#include <new>
#include <system_error>

#include "opusim/contract/device_server_process.hpp"
#include "opusim/driver/errors.hpp"

namespace opusim::driver {

using contract::wire::Message;
using contract::wire::MessageType;
using contract::wire::Reply;

namespace {

std::string text_of(const Message& message) {
    return std::string(message.payload.begin(), message.payload.end());
}

}  // namespace

DeviceProcessTransport::DeviceProcessTransport(const std::string& program,
                                               std::vector<std::string> arguments,
                                               std::shared_ptr<DmaMemory> memory,
                                               std::string description, std::string uri_text)
    : memory_(std::move(memory)),
      description_(std::move(description)),
      uri_text_(std::move(uri_text)) {
    spawn(program, std::move(arguments));
    try {
        await_ready(program);
    } catch (...) {
        // Nothing of a device that never became ready may outlive this constructor.
        link_.reset();
        exit_text();
        throw;
    }
    memory_->set_listener(this);
}

DeviceProcessTransport::DeviceProcessTransport(std::unique_ptr<contract::wire::Channel> link,
                                               double device_time_s,
                                               std::shared_ptr<DmaMemory> memory,
                                               std::string description, std::string uri_text)
    : memory_(std::move(memory)),
      description_(std::move(description)),
      uri_text_(std::move(uri_text)),
      link_(std::move(link)),
      device_time_s_(device_time_s),
      through_daemon_(true) {
    memory_->set_listener(this);
}

void DeviceProcessTransport::await_ready(const std::string& program) {
    Message first;
    try {
        first = link_->receive();
    } catch (const contract::wire::LinkError&) {
        link_.reset();
        const std::string status = exit_text();
        throw DriverError("device URI '" + uri_text_ + "': the device process " + program +
                          " ended before it was ready (" + status + ")");
    }
    if (first.type == MessageType::Failed) {
        throw UriError("device URI '" + uri_text_ + "': " + text_of(first));
    }
    if (first.type != MessageType::Ready ||
        first.payload.size() != sizeof(contract::wire::ReadyMessage)) {
        throw DriverError("device URI '" + uri_text_ + "': the device process " + program +
                          " did not start with a Ready message");
    }
    const auto ready = first.as<contract::wire::ReadyMessage>();
    if (ready.protocol_version != contract::wire::kProtocolVersion) {
        throw DriverError("device URI '" + uri_text_ +
                          "': the device process speaks link protocol " +
                          std::to_string(ready.protocol_version) + ", this driver " +
                          std::to_string(contract::wire::kProtocolVersion));
    }
    device_time_s_ = ready.device_time_s;
}

DeviceProcessTransport::~DeviceProcessTransport() {
    memory_->set_listener(nullptr);
    if (link_) {
        try {
            link_->send(MessageType::Shutdown, nullptr, 0);
        } catch (...) {
            // Already gone: nothing to tell.
        }
        link_.reset();  // closes our end: the device process ends at the end of its link
    }
    if (pid_ > 0) exit_text();
}

void DeviceProcessTransport::spawn(const std::string& program, std::vector<std::string> arguments) {
    try {
        auto server = contract::wire::start_device_server(program, std::move(arguments));
        pid_ = server.pid;
        link_ = std::move(server.link);
    } catch (const std::system_error& error) {
        throw DriverError("device URI '" + uri_text_ + "': " + error.what());
    }
}

// Collects the device process. Its link is closed first by every caller, so a healthy server
// ends at once; one that does not (a model stuck in a loop) is killed after kExitGrace.
std::string DeviceProcessTransport::exit_text() {
    if (through_daemon_) return "served by opusimd, which closed the link";
    const std::string text = contract::wire::collect_device_server(pid_, kExitGrace);
    pid_ = -1;
    return text;
}

void DeviceProcessTransport::lost(const std::string& what) {
    failure_ = "device " + uri_text_ + ": " + what;
    throw DriverError(failure_ + "; close it and open the device again");
}

Reply DeviceProcessTransport::call(MessageType type, const void* payload, std::size_t bytes,
                                   MessageType expected, std::vector<std::uint8_t>* tail) {
    if (!failure_.empty()) throw DriverError(failure_ + "; close it and open the device again");
    try {
        link_->send(type, payload, bytes);
        for (;;) {
            const Message message = link_->receive();
            if (message.type == MessageType::DmaRead || message.type == MessageType::DmaWrite) {
                serve_dma(message);
                continue;
            }
            if (message.type == MessageType::Failed) lost(text_of(message));
            if (message.type == MessageType::Refused) {
                throw UsageError("device " + uri_text_ + ": " + text_of(message));
            }
            if (message.type != expected) {
                lost("the device process answered with message " +
                     std::to_string(static_cast<unsigned>(message.type)));
            }
            if (message.payload.size() < sizeof(Reply) ||
                (tail == nullptr && message.payload.size() != sizeof(Reply))) {
                lost("the device process sent a reply of " +
                     std::to_string(message.payload.size()) + " bytes");
            }
            Reply reply;
            std::memcpy(&reply, message.payload.data(), sizeof reply);
            if (tail != nullptr)
                tail->assign(message.payload.begin() + sizeof reply, message.payload.end());
            device_time_s_ = reply.device_time_s;
            return reply;
        }
    } catch (const contract::wire::LinkError& error) {
        link_.reset();
        lost(std::string(error.what()) + " (the device process: " + exit_text() + ")");
    } catch (const std::bad_alloc&) {
        link_.reset();
        lost("out of memory for a message of the device link (the device process: " + exit_text() +
             ")");
    }
}

void DeviceProcessTransport::serve_dma(const Message& request) {
    if (request.payload.size() < sizeof(contract::wire::DmaRequest)) {
        throw contract::wire::LinkError("device link: a short DMA request");
    }
    contract::wire::DmaRequest dma;
    std::memcpy(&dma, request.payload.data(), sizeof dma);
    if (dma.bytes > contract::wire::kMaxPayloadBytes) {
        throw contract::wire::LinkError("device link: a DMA request of " +
                                        std::to_string(dma.bytes) + " bytes");
    }
    Reply reply{device_time_s_, 0, 0};
    if (request.type == MessageType::DmaRead) {
        std::vector<std::uint8_t> data(dma.bytes);
        reply.value = memory_->device_read(dma.address, data.data(), data.size()) ? 1 : 0;
        link_->send(MessageType::DmaData, &reply, sizeof reply, data.data(),
                    reply.value != 0 ? data.size() : 0);
    } else {
        if (request.payload.size() != sizeof dma + dma.bytes) {
            throw contract::wire::LinkError("device link: a DMA write of the wrong size");
        }
        reply.value =
            memory_->device_write(dma.address, request.payload.data() + sizeof dma, dma.bytes) ? 1
                                                                                               : 0;
        link_->send_value(MessageType::DmaDone, reply);
    }
}

std::uint32_t DeviceProcessTransport::read_register(std::uint32_t offset) {
    const std::lock_guard<std::mutex> guard(mutex_);
    const contract::wire::RegisterAccess access{offset, 0};
    return call(MessageType::ReadRegister, &access, sizeof access, MessageType::RegisterValue)
        .value;
}

void DeviceProcessTransport::write_register(std::uint32_t offset, std::uint32_t value) {
    const std::lock_guard<std::mutex> guard(mutex_);
    const contract::wire::RegisterAccess access{offset, value};
    call(MessageType::WriteRegister, &access, sizeof access, MessageType::Done);
}

bool DeviceProcessTransport::wait_for_interrupt(double timeout_s) {
    const std::lock_guard<std::mutex> guard(mutex_);
    const contract::wire::WaitRequest wait{timeout_s};
    return call(MessageType::WaitInterrupt, &wait, sizeof wait, MessageType::InterruptState)
               .value != 0;
}

void DeviceProcessTransport::read_registers(const std::uint32_t* offsets, std::uint32_t* values,
                                            std::size_t count) {
    if (count == 0) return;
    const std::lock_guard<std::mutex> guard(mutex_);
    std::vector<std::uint8_t> tail;
    const Reply reply = call(MessageType::ReadRegisters, offsets, count * sizeof(std::uint32_t),
                             MessageType::RegisterValues, &tail);
    if (reply.value != count || tail.size() != count * sizeof(std::uint32_t)) {
        lost("the device process answered " + std::to_string(reply.value) + " of " +
             std::to_string(count) + " register reads");
    }
    std::memcpy(values, tail.data(), tail.size());
}

double DeviceProcessTransport::device_time_s() const {
    const std::lock_guard<std::mutex> guard(mutex_);
    return device_time_s_;
}

// Map changes travel without replies; a link that broke is reported by the next request.
void DeviceProcessTransport::region_mapped(std::uint64_t address, std::size_t bytes, bool coherent,
                                           bool device_owned, int fd) {
    const std::lock_guard<std::mutex> guard(mutex_);
    if (!link_) return;
    namespace flags = contract::wire::region_flags;
    const contract::wire::RegionMessage region{address, bytes,
                                               (coherent ? flags::kCoherent : 0u) |
                                                   (device_owned ? flags::kDeviceOwned : 0u) |
                                                   (fd >= 0 ? flags::kShared : 0u),
                                               0};
    try {
        link_->send_value(MessageType::MapRegion, region, fd);
    } catch (const contract::wire::LinkError&) {
    }
}

void DeviceProcessTransport::region_unmapped(std::uint64_t address) {
    const std::lock_guard<std::mutex> guard(mutex_);
    if (!link_) return;
    const contract::wire::RegionMessage region{address, 0, 0, 0};
    try {
        link_->send_value(MessageType::UnmapRegion, region);
    } catch (const contract::wire::LinkError&) {
    }
}

void DeviceProcessTransport::ownership_changed(std::uint64_t address, bool device_owned) {
    const std::lock_guard<std::mutex> guard(mutex_);
    if (!link_) return;
    const contract::wire::RegionMessage region{
        address, 0, device_owned ? contract::wire::region_flags::kDeviceOwned : 0u, 0};
    try {
        link_->send_value(MessageType::SetOwnership, region);
    } catch (const contract::wire::LinkError&) {
    }
}

}  // namespace opusim::driver
