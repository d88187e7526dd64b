#include "host_interface.hpp"

#include <cmath>

#include "../controller/sequencer.hpp"

namespace opusim::model {

using namespace contract::reg;

HostInterface::HostInterface(sc_core::sc_module_name name)
    : sc_core::sc_module(name), mmio("mmio"), dma("dma"), irq("irq") {
    mmio.register_b_transport(this, &HostInterface::b_transport);
    bind_registers();
}

void HostInterface::power_on(const physics::DeviceProfile& profile, const ControllerClock& clock) {
    profile_ = profile;
    clock_ = clock;
    registers_.reset(profile);
    update_irq();
}

bool HostInterface::irq_level() const {
    return (registers_.get(kIrqStatus) & registers_.get(kIrqEnable)) != 0;
}

void HostInterface::update_irq() {
    const bool level = irq_level();
    if (level != irq_level_) {
        irq_level_ = level;
        irq.write(level);
        if (level && on_irq_rise) on_irq_rise();
    }
}

void HostInterface::raise(std::uint32_t irq_bits) {
    registers_.set(kIrqStatus, registers_.get(kIrqStatus) | irq_bits);
    update_irq();
}

void HostInterface::report_error(contract::DeviceError error, std::uint32_t detail,
                                 std::uint64_t address) {
    registers_.set(kErrorCode, static_cast<std::uint32_t>(error));
    registers_.set(kErrorDetail, detail);
    registers_.set64(kErrorAddressLo, address);
}

void HostInterface::b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
    const std::uint64_t address = payload.get_address();
    if (payload.get_data_length() != 4 || payload.get_streaming_width() < 4 ||
        payload.get_byte_enable_ptr() != nullptr) {
        payload.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    if (address % 4 != 0 || address >= contract::kMmioWindowBytes) {
        payload.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    delay += sc_core::sc_time::from_value(clock_.ps(profile_.controller.register_access_cycles));
    const auto offset = static_cast<std::uint32_t>(address);
    auto* data = payload.get_data_ptr();
    if (payload.is_read()) {
        const std::uint64_t at = (sc_core::sc_time_stamp() + delay).value();
        const std::uint32_t value = registers_.read(offset, at);
        for (int i = 0; i < 4; ++i) data[i] = static_cast<unsigned char>(value >> (8 * i));
    } else if (payload.is_write()) {
        std::uint32_t value = 0;
        for (int i = 0; i < 4; ++i) value |= std::uint32_t{data[i]} << (8 * i);
        registers_.write(offset, value, delay);
    }
    payload.set_response_status(tlm::TLM_OK_RESPONSE);
}

namespace {
std::uint64_t picoseconds(double seconds) {
    return static_cast<std::uint64_t>(std::llround(seconds * 1e12));
}
}  // namespace

void HostInterface::snapshot_statistics() {
    const DeviceStatistics stats = sequencer_->statistics();
    registers_.set64(kStatFramePeriodFsLo,
                     static_cast<std::uint64_t>(std::llround(stats.frame_period_s * 1e15)));
    registers_.set64(kStatActivePsLo, picoseconds(stats.active_time_s));
    registers_.set64(kStatJobTimePsLo, picoseconds(stats.simulated_time_s));
    registers_.set64(kStatLatencyP50PsLo, picoseconds(stats.latency_p50_s));
    registers_.set64(kStatLatencyP99PsLo, picoseconds(stats.latency_p99_s));
    registers_.set64(kStatLatencyMaxPsLo, picoseconds(stats.latency_max_s));
    registers_.set64(kStatFramesInLo, stats.frames_in);
    registers_.set64(kStatFramesOutLo, stats.frames_out);
    registers_.set64(kStatFramesDroppedLo, stats.frames_dropped);
    registers_.set64(kStatJobsLo, stats.jobs);
    for (std::size_t s = 0; s < stats.stages.size() && s < contract::stage::kResourceStages; ++s) {
        registers_.set64(kStatBusyPsLo + 8 * static_cast<std::uint32_t>(s),
                         stats.stages[s].busy_ps);
        registers_.set64(kStatCriticalPsLo + 8 * static_cast<std::uint32_t>(s),
                         stats.stages[s].critical_ps);
    }
    registers_.set64(kStatCriticalPsLo + 8 * contract::stage::kResourceStages,
                     stats.frametime_critical_ps);
    snapshot_trace();
}

void HostInterface::snapshot_trace() {
    trace_snapshot_ = sequencer_->trace().frames();
    registers_.set(kTraceCount, static_cast<std::uint32_t>(trace_snapshot_.size()));
    show_trace_frame();
}

// The window shows the selected frame of the snapshot; a selection past TRACE_COUNT (or a reset
// since the snapshot, which zeroes TRACE_COUNT) shows zeros.
void HostInterface::show_trace_frame() {
    const std::uint32_t selected = registers_.get(kTraceSelect);
    const bool shown = selected < registers_.get(kTraceCount) && selected < trace_snapshot_.size();
    const TracedFrame frame = shown ? trace_snapshot_[selected] : TracedFrame{};
    registers_.set(kTraceFrame, static_cast<std::uint32_t>(frame.index_in_job));
    for (std::uint32_t op = 0; op < contract::trace::kOps; ++op) {
        registers_.set64(kTraceStartPsLo + 8 * op, frame.schedule.start[op]);
        registers_.set64(kTraceEndPsLo + 8 * op, frame.schedule.end[op]);
    }
}

// DEBUG_FAULT_INJECT: an unknown code is kept in the register (the host reads back what it
// wrote) but arms nothing.
void HostInterface::arm_fault(std::uint32_t code) {
    switch (code) {
        case contract::fault::kDmaReadError:
            return sequencer_->inject(InjectedFault::DmaReadError);
        case contract::fault::kDmaWriteError:
            return sequencer_->inject(InjectedFault::DmaWriteError);
        case contract::fault::kDropFrame:
            return sequencer_->inject(InjectedFault::DropFrame);
        case contract::fault::kHangNoInterrupt:
            return sequencer_->inject(InjectedFault::HangNoInterrupt);
        case contract::fault::kOutOfMemory:
            return sequencer_->inject(InjectedFault::OutOfMemory);
        default:
            return sequencer_->inject(InjectedFault::None);
    }
}

bool HostInterface::transfer(tlm::tlm_command command, std::uint64_t address, void* data,
                             std::size_t bytes, sc_core::sc_time delay) {
    tlm::tlm_generic_payload payload;
    payload.set_command(command);
    payload.set_address(address);
    payload.set_data_ptr(static_cast<unsigned char*>(data));
    payload.set_data_length(static_cast<unsigned int>(bytes));
    payload.set_streaming_width(static_cast<unsigned int>(bytes));
    payload.set_byte_enable_ptr(nullptr);
    payload.set_dmi_allowed(false);
    payload.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    dma->b_transport(payload, delay);
    return payload.is_response_ok();
}

bool HostInterface::dma_read(std::uint64_t address, void* data, std::size_t bytes,
                             sc_core::sc_time delay) {
    return transfer(tlm::TLM_READ_COMMAND, address, data, bytes, delay);
}

bool HostInterface::dma_write(std::uint64_t address, const void* data, std::size_t bytes,
                              sc_core::sc_time delay) {
    return transfer(tlm::TLM_WRITE_COMMAND, address, const_cast<void*>(data), bytes, delay);
}

}  // namespace opusim::model
