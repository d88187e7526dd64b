#include "shared_device.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "opusim/contract/device_server_process.hpp"
#include "opusim/contract/registers.hpp"

namespace opusim::daemon {

using contract::wire::Message;
using contract::wire::MessageType;
using contract::wire::Reply;
namespace reg = contract::reg;

namespace {

// A device server whose link was closed and is still running after this is killed.
constexpr std::chrono::milliseconds kExitGrace{2000};
constexpr std::uint32_t kRingEntries = 64;
// Window 0 holds the daemon's own ring; clients' windows start at 1 << kClientWindowBits.
constexpr std::uint64_t kRingAddress = std::uint64_t{1} << 32;
// Device time an ABORT gets to write a hung job back before the device is reset.
constexpr double kAbortGraceS = 0.05;

std::string text_of(const Message& message) {
    return std::string(message.payload.begin(), message.payload.end());
}

}  // namespace

SharedDevice::SharedDevice(const std::string& server, std::vector<std::string> arguments) {
    spawn(server, std::move(arguments));
    try {
        start();
    } catch (...) {
        // A server that failed to start (a bad profile) is collected now: the daemon lives long,
        // and every refused open would otherwise leave a zombie and a descriptor behind.
        release();
        throw;
    }
}

void SharedDevice::start() {
    const Message first = link_->receive();
    if (first.type == MessageType::Failed) throw std::runtime_error(text_of(first));
    if (first.type != MessageType::Ready) {
        throw std::runtime_error("the device server did not start with a Ready message");
    }
    const auto ready = first.as<contract::wire::ReadyMessage>();
    if (ready.protocol_version != contract::wire::kProtocolVersion) {
        throw std::runtime_error("the device server speaks link protocol " +
                                 std::to_string(ready.protocol_version));
    }
    now_s_ = ready.device_time_s;
    ring_fd_ = ::memfd_create("opusimd-ring", MFD_CLOEXEC);
    const std::size_t ring_bytes = kRingEntries * sizeof(contract::JobDescriptor);
    if (ring_fd_ < 0 || ::ftruncate(ring_fd_, ring_bytes) != 0) {
        throw std::runtime_error(std::string("the daemon's ring: ") + std::strerror(errno));
    }
    void* view = ::mmap(nullptr, ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, ring_fd_, 0);
    if (view == MAP_FAILED) throw std::runtime_error("the daemon's ring: mmap failed");
    ring_ = static_cast<contract::JobDescriptor*>(view);
    namespace flags = contract::wire::region_flags;
    const contract::wire::RegionMessage region{kRingAddress, ring_bytes,
                                               flags::kCoherent | flags::kShared, 0};
    link_->send_value(MessageType::MapRegion, region, ring_fd_);
    reset();
    for (std::size_t i = 0; i < kConfigCount; ++i) {
        reset_config_[i] = read_register(kConfigFirst + 4 * static_cast<std::uint32_t>(i));
    }
    loaded_config_ = reset_config_;
}

SharedDevice::~SharedDevice() {
    release();
}

void SharedDevice::release() noexcept {
    if (link_) {
        try {
            link_->send(MessageType::Shutdown, nullptr, 0);
        } catch (const contract::wire::LinkError&) {
        }
        link_.reset();
    }
    contract::wire::collect_device_server(pid_, kExitGrace);
    pid_ = -1;
    if (ring_ != nullptr) ::munmap(ring_, kRingEntries * sizeof(contract::JobDescriptor));
    ring_ = nullptr;
    if (ring_fd_ >= 0) ::close(ring_fd_);
    ring_fd_ = -1;
}

void SharedDevice::spawn(const std::string& server, std::vector<std::string> arguments) {
    auto process = contract::wire::start_device_server(server, std::move(arguments));
    pid_ = process.pid;
    link_ = std::move(process.link);
}

// One request, its reply; the device's DMA to memory without shared memory is refused (the
// daemon reaches only clients' shared buffers), so the device reports a DMA error for it.
Reply SharedDevice::call(MessageType type, const void* payload, std::size_t bytes,
                         MessageType expected, std::vector<std::uint8_t>* tail) {
    if (!link_) throw DeviceLost("the device server is gone");
    try {
        link_->send(type, payload, bytes);
    } catch (const contract::wire::LinkError& error) {
        link_.reset();
        throw DeviceLost(error.what());
    }
    for (;;) {
        Message message;
        try {
            message = link_->receive();
            if (message.type == MessageType::DmaRead || message.type == MessageType::DmaWrite) {
                const Reply refused{now_s_, 0, 0};
                link_->send_value(message.type == MessageType::DmaRead ? MessageType::DmaData
                                                                       : MessageType::DmaDone,
                                  refused);
                continue;
            }
        } catch (const contract::wire::LinkError& error) {
            link_.reset();
            throw DeviceLost(error.what());
        }
        if (message.type == MessageType::Failed) {
            link_.reset();
            throw DeviceLost("the simulated device failed: " + text_of(message));
        }
        if (message.type == MessageType::Refused) {
            throw std::invalid_argument(text_of(message));
        }
        if (message.type != expected || message.payload.size() < sizeof(Reply)) {
            link_.reset();
            throw DeviceLost("the device server answered with message " +
                             std::to_string(static_cast<unsigned>(message.type)));
        }
        Reply reply;
        std::memcpy(&reply, message.payload.data(), sizeof reply);
        if (tail != nullptr)
            tail->assign(message.payload.begin() + sizeof reply, message.payload.end());
        now_s_ = reply.device_time_s;
        return reply;
    }
}

std::uint32_t SharedDevice::read_register(std::uint32_t offset) {
    const contract::wire::RegisterAccess access{offset, 0};
    return call(MessageType::ReadRegister, &access, sizeof access, MessageType::RegisterValue)
        .value;
}

void SharedDevice::write_register(std::uint32_t offset, std::uint32_t value) {
    const contract::wire::RegisterAccess access{offset, value};
    call(MessageType::WriteRegister, &access, sizeof access, MessageType::Done);
}

void SharedDevice::read_registers(const std::uint32_t* offsets, std::uint32_t* values,
                                  std::size_t count) {
    if (count == 0) return;
    std::vector<std::uint8_t> tail;
    const Reply reply = call(MessageType::ReadRegisters, offsets, count * sizeof(std::uint32_t),
                             MessageType::RegisterValues, &tail);
    if (reply.value != count || tail.size() != count * sizeof(std::uint32_t)) {
        link_.reset();
        throw DeviceLost("the device server answered a short ReadRegisters");
    }
    std::memcpy(values, tail.data(), tail.size());
}

bool SharedDevice::idle(double seconds) {
    const contract::wire::WaitRequest wait{seconds};
    return call(MessageType::WaitInterrupt, &wait, sizeof wait, MessageType::InterruptState)
               .value != 0;
}

// Map changes have no reply; a device that broke is heard at the next request.
void SharedDevice::send(MessageType type, const contract::wire::RegionMessage& region, int fd) {
    if (!link_) throw DeviceLost("the device server is gone");
    try {
        link_->send_value(type, region, fd);
    } catch (const contract::wire::LinkError& error) {
        link_.reset();
        throw DeviceLost(error.what());
    }
}

void SharedDevice::map(const contract::wire::RegionMessage& region, int fd) {
    try {
        send(MessageType::MapRegion, region, fd);
    } catch (...) {
        if (fd >= 0) ::close(fd);
        throw;
    }
    if (fd >= 0) ::close(fd);
}

void SharedDevice::unmap(std::uint64_t address) {
    send(MessageType::UnmapRegion, contract::wire::RegionMessage{address, 0, 0, 0});
}

void SharedDevice::set_ownership(std::uint64_t address, std::uint32_t flags) {
    send(MessageType::SetOwnership, contract::wire::RegionMessage{address, 0, flags, 0});
}

void SharedDevice::reset() {
    write_register(reg::kControl, contract::control::kReset);
    program_ring();
}

void SharedDevice::program_ring() {
    write_register(reg::kIrqStatus, contract::irq::kAll);
    write_register(reg::kIrqEnable, contract::irq::kAll);
    write_register(reg::kRingBaseLo, static_cast<std::uint32_t>(kRingAddress));
    write_register(reg::kRingBaseHi, static_cast<std::uint32_t>(kRingAddress >> 32));
    write_register(reg::kRingSize, kRingEntries);
    write_register(reg::kRingTail, 0);
    head_ = 0;
    loaded_config_ = reset_config_;
}

JobOutcome SharedDevice::run(const contract::JobDescriptor& descriptor,
                             const ConfigRegisters& config, std::uint32_t fault, double bound_s) {
    for (std::size_t i = 0; i < kConfigCount; ++i) {
        if (loaded_config_[i] == config[i]) continue;
        write_register(kConfigFirst + 4 * static_cast<std::uint32_t>(i), config[i]);
        loaded_config_[i] = config[i];
    }
    if (fault != 0) write_register(reg::kDebugFaultInject, fault);
    const std::uint32_t slot = head_;
    ring_[slot] = descriptor;
    ring_[slot].status = contract::job_status::kPending;
    write_register(reg::kRingTail, (slot + 1) % kRingEntries);
    write_register(reg::kControl, contract::control::kStart);

    JobOutcome outcome;
    std::uint32_t irq = 0;
    const double deadline = now_s_ + bound_s;
    while ((irq & contract::irq::kIdle) == 0) {
        const double remaining = deadline - now_s_;
        if (remaining <= 0 || !idle(remaining)) {
            // No end within the bound: stop it as the driver would, and start over clean.
            write_register(reg::kControl, contract::control::kAbort);
            idle(kAbortGraceS);
            reset();
            return outcome;
        }
        const std::uint32_t raised = read_register(reg::kIrqStatus);
        write_register(reg::kIrqStatus, raised);
        irq |= raised;
    }
    outcome.ended = true;
    outcome.written_back = ring_[slot];
    const std::uint32_t offsets[6] = {reg::kLastJobIdLo,      reg::kLastJobIdHi,
                                      reg::kLastJobStartNsLo, reg::kLastJobStartNsHi,
                                      reg::kLastJobEndNsLo,   reg::kLastJobEndNsHi};
    std::uint32_t words[6] = {};
    read_registers(offsets, words, 6);
    outcome.last_job_id = (std::uint64_t{words[1]} << 32) | words[0];
    outcome.start_ns = (std::uint64_t{words[3]} << 32) | words[2];
    outcome.end_ns = (std::uint64_t{words[5]} << 32) | words[4];
    outcome.job_done_interrupt = (irq & contract::irq::kJobDone) != 0;
    outcome.failed = (irq & contract::irq::kError) != 0;
    head_ = (slot + 1) % kRingEntries;
    if (outcome.failed) {
        const std::uint32_t error_offsets[4] = {reg::kErrorCode, reg::kErrorDetail,
                                                reg::kErrorAddressLo, reg::kErrorAddressHi};
        std::uint32_t error_words[4] = {};
        read_registers(error_offsets, error_words, 4);
        outcome.error_code = error_words[0];
        outcome.error_detail = error_words[1];
        outcome.error_address = (std::uint64_t{error_words[3]} << 32) | error_words[2];
        reset();  // a failed job stops the ring; the next client's job starts clean
    }
    return outcome;
}

}  // namespace opusim::daemon
