#include "virtual_device.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "opusim/contract/errors.hpp"
#include "opusim/contract/registers.hpp"

namespace opusim::daemon {

namespace reg = contract::reg;
using contract::daemon::kMaxClientAddress;

namespace {

// Where a descriptor's out-of-window address goes: window 0 below the daemon's ring, mapped to
// nothing, so the device reports the DMA error the client's own device would.
constexpr std::uint64_t kUnmappedAddress = 0x1000;

bool in_config(std::uint32_t offset) {
    return offset >= kConfigFirst && offset <= kConfigLast;
}

// ADDRESS moved into WINDOW when the whole span [address, address + stride * frames) stays
// below the client's limit; otherwise an unmapped address.
std::uint64_t into_window(std::uint64_t window, std::uint64_t address, std::uint32_t stride,
                          std::uint32_t frames) {
    if (address >= kMaxClientAddress) return kUnmappedAddress;
    const std::uint64_t room = kMaxClientAddress - address;
    if (frames > 0 && std::uint64_t{stride} > room / frames) return kUnmappedAddress;
    return window + address;
}

}  // namespace

VirtualDevice::VirtualDevice(std::uint64_t window, const ConfigRegisters& reset_config)
    : window_(window), reset_config_(reset_config), config_(reset_config) {}

VirtualDevice::~VirtualDevice() {
    for (auto& [address, region] : regions_) {
        if (region.view != nullptr) ::munmap(region.view, region.bytes);
    }
}

bool VirtualDevice::is_own(std::uint32_t offset) {
    if (in_config(offset)) return true;
    switch (offset) {
        case reg::kControl:
        case reg::kStatus:
        case reg::kIrqStatus:
        case reg::kIrqEnable:
        case reg::kErrorCode:
        case reg::kErrorDetail:
        case reg::kErrorAddressLo:
        case reg::kErrorAddressHi:
        case reg::kRingBaseLo:
        case reg::kRingBaseHi:
        case reg::kRingSize:
        case reg::kRingHead:
        case reg::kRingTail:
        case reg::kLastJobIdLo:
        case reg::kLastJobIdHi:
        case reg::kLastJobStartNsLo:
        case reg::kLastJobStartNsHi:
        case reg::kLastJobEndNsLo:
        case reg::kLastJobEndNsHi:
        case reg::kDebugFaultInject:
            return true;
        default:
            return false;
    }
}

std::uint32_t VirtualDevice::read(std::uint32_t offset) const {
    const auto low = [](std::uint64_t v) { return static_cast<std::uint32_t>(v); };
    const auto high = [](std::uint64_t v) { return static_cast<std::uint32_t>(v >> 32); };
    if (in_config(offset)) return config_[(offset - kConfigFirst) / 4];
    switch (offset) {
        case reg::kStatus:
            return contract::status::kReady | (running_ ? contract::status::kBusy : 0u) |
                   (error_code_ != 0 ? contract::status::kError : 0u);
        case reg::kIrqStatus:
            return irq_status_;
        case reg::kIrqEnable:
            return irq_enable_;
        case reg::kErrorCode:
            return error_code_;
        case reg::kErrorDetail:
            return error_detail_;
        case reg::kErrorAddressLo:
            return low(error_address_);
        case reg::kErrorAddressHi:
            return high(error_address_);
        case reg::kRingBaseLo:
            return ring_base_lo_;
        case reg::kRingBaseHi:
            return ring_base_hi_;
        case reg::kRingSize:
            return ring_size_;
        case reg::kRingHead:
            return ring_head_;
        case reg::kRingTail:
            return ring_tail_;
        case reg::kLastJobIdLo:
            return low(last_job_id_);
        case reg::kLastJobIdHi:
            return high(last_job_id_);
        case reg::kLastJobStartNsLo:
            return low(last_start_ns_);
        case reg::kLastJobStartNsHi:
            return high(last_start_ns_);
        case reg::kLastJobEndNsLo:
            return low(last_end_ns_);
        case reg::kLastJobEndNsHi:
            return high(last_end_ns_);
        case reg::kDebugFaultInject:
            return fault_;
        default:
            return 0;  // CONTROL reads 0
    }
}

ControlEffects VirtualDevice::write(std::uint32_t offset, std::uint32_t value) {
    ControlEffects effects;
    if (in_config(offset)) {
        config_[(offset - kConfigFirst) / 4] = value;
        return effects;
    }
    switch (offset) {
        case reg::kControl:
            if ((value & contract::control::kReset) != 0) reset();
            if ((value & contract::control::kAbort) != 0 && running_) {
                running_ = false;  // no job of this client is on the device between requests
                raise(contract::irq::kIdle);
            }
            if ((value & contract::control::kStart) != 0 && !running_) {
                running_ = true;
                error_code_ = 0;
                if (!runnable()) {
                    running_ = false;
                    raise(contract::irq::kIdle);
                }
            }
            effects.snapshot = (value & contract::control::kSnapshot) != 0;
            break;
        case reg::kIrqStatus:
            irq_status_ &= ~value;
            break;
        case reg::kIrqEnable:
            irq_enable_ = value & contract::irq::kAll;
            break;
        case reg::kRingBaseLo:
            ring_base_lo_ = value;
            break;
        case reg::kRingBaseHi:
            ring_base_hi_ = value;
            break;
        case reg::kRingSize:
            ring_size_ = value;
            break;
        case reg::kRingTail:
            ring_tail_ = value;
            break;
        case reg::kDebugFaultInject:
            fault_ = value;
            break;
        default:
            break;  // read-only registers ignore writes
    }
    return effects;
}

void VirtualDevice::reset() {
    config_ = reset_config_;
    irq_status_ = irq_enable_ = 0;
    error_code_ = error_detail_ = 0;
    error_address_ = 0;
    ring_base_lo_ = ring_base_hi_ = ring_size_ = ring_head_ = ring_tail_ = 0;
    last_job_id_ = last_start_ns_ = last_end_ns_ = 0;
    fault_ = 0;
    running_ = stalled_ = false;
}

bool VirtualDevice::runnable() const {
    return running_ && !stalled_ && ring_head_ != ring_tail_;
}

std::uint32_t VirtualDevice::queued_jobs() const {
    if (!running_ || ring_size_ == 0 || ring_head_ >= ring_size_ || ring_tail_ >= ring_size_) {
        return 0;
    }
    return (ring_tail_ + ring_size_ - ring_head_) % ring_size_;
}

contract::JobDescriptor* VirtualDevice::ring_entry(std::uint32_t index) const {
    const std::uint64_t address =
        ring_base() + std::uint64_t{index} * sizeof(contract::JobDescriptor);
    auto it = regions_.upper_bound(address);
    if (it == regions_.begin()) return nullptr;
    --it;
    const Region& region = it->second;
    const std::uint64_t offset = address - it->first;
    if (region.view == nullptr || offset > region.bytes ||
        region.bytes - offset < sizeof(contract::JobDescriptor)) {
        return nullptr;
    }
    return reinterpret_cast<contract::JobDescriptor*>(region.view + offset);
}

NextJob VirtualDevice::next_job() const {
    NextJob next;
    if (ring_size_ == 0 || ring_size_ > contract::kMaxRingEntries) {
        next.ring_fault_register = reg::kRingSize;
    } else if (ring_base() % sizeof(contract::JobDescriptor) != 0) {
        next.ring_fault_register = reg::kRingBaseLo;
    } else if (ring_head_ >= ring_size_) {
        next.ring_fault_register = reg::kRingHead;
    } else if (ring_tail_ >= ring_size_) {
        next.ring_fault_register = reg::kRingTail;
    }
    if (next.ring_fault_register != 0) return next;
    const contract::JobDescriptor* entry = ring_entry(ring_head_);
    contract::JobDescriptor descriptor{};
    if (entry != nullptr) {
        std::memcpy(&descriptor, entry, sizeof descriptor);
        descriptor.input_address = into_window(window_, descriptor.input_address,
                                               descriptor.input_stride, descriptor.frame_count);
        descriptor.output_address = into_window(window_, descriptor.output_address,
                                                descriptor.output_stride, descriptor.frame_count);
    } else {
        // A ring outside the client's shared memory: the fetch faults as on its own device.
        descriptor.input_address = descriptor.output_address = kUnmappedAddress;
        descriptor.frame_count = 0;
    }
    next.descriptor = descriptor;
    return next;
}

void VirtualDevice::ring_fault(std::uint32_t register_offset) {
    error_code_ = static_cast<std::uint32_t>(contract::DeviceError::BadRing);
    error_detail_ = register_offset;
    error_address_ = 0;
    running_ = false;
    raise(contract::irq::kError | contract::irq::kIdle);
}

void VirtualDevice::job_ended(const JobOutcome& outcome) {
    if (contract::JobDescriptor* entry = ring_entry(ring_head_)) {
        std::memcpy(reinterpret_cast<std::uint8_t*>(entry) + contract::kDescriptorWritebackOffset,
                    reinterpret_cast<const std::uint8_t*>(&outcome.written_back) +
                        contract::kDescriptorWritebackOffset,
                    contract::kDescriptorWritebackBytes);
    }
    last_job_id_ = outcome.last_job_id;
    last_start_ns_ = outcome.start_ns;
    last_end_ns_ = outcome.end_ns;
    fault_ = 0;  // an armed fault is taken by the job
    ring_head_ = (ring_head_ + 1) % ring_size_;
    ++jobs_done_;
    if (outcome.job_done_interrupt) raise(contract::irq::kJobDone);
    if (outcome.failed) {
        error_code_ = outcome.error_code;
        error_detail_ = outcome.error_detail;
        const std::uint64_t address = outcome.error_address;
        error_address_ = address >= window_ && address - window_ < kMaxClientAddress
                             ? address - window_
                             : address;
        running_ = false;  // a failed job stops the ring
        raise(contract::irq::kError | contract::irq::kIdle);
    } else if (ring_head_ == ring_tail_) {
        running_ = false;
        raise(contract::irq::kIdle);
    }
}

void VirtualDevice::job_hung() {
    fault_ = 0;
    stalled_ = true;
}

std::uint64_t VirtualDevice::map(const contract::wire::RegionMessage& message, int fd) {
    unmap(message.address);
    Region region;
    region.bytes = message.bytes;
    namespace flags = contract::wire::region_flags;
    if (fd >= 0 && (message.flags & flags::kCoherent) != 0 &&
        (message.flags & flags::kShared) != 0 && message.bytes > 0) {
        void* view = ::mmap(nullptr, message.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (view != MAP_FAILED) region.view = static_cast<std::uint8_t*>(view);
    }
    regions_[message.address] = region;
    return message.address + window_;
}

std::uint64_t VirtualDevice::unmap(std::uint64_t address) {
    const auto it = regions_.find(address);
    if (it != regions_.end()) {
        if (it->second.view != nullptr) ::munmap(it->second.view, it->second.bytes);
        regions_.erase(it);
    }
    return address + window_;
}

}  // namespace opusim::daemon
