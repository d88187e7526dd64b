// Every register's reset value from the profile and its behaviour, in one place: the contract
// says where a register is and who may read or write it (contract/registers.hpp); this says what
// the simulated device does with it. A register bound to nothing is plain storage with the
// contract's constant reset value.
#include <cmath>

#include "../controller/sequencer.hpp"
#include "host_interface.hpp"
#include "opusim/contract/data_format.hpp"
#include "opusim/physics/device_geometry.hpp"

namespace opusim::model {
namespace {

using physics::DeviceProfile;
using namespace contract::reg;

std::uint32_t nanoseconds(double microseconds) {
    return static_cast<std::uint32_t>(std::llround(microseconds * 1e3));
}

std::uint32_t low(std::uint64_t value) {
    return static_cast<std::uint32_t>(value);
}

std::uint32_t high(std::uint64_t value) {
    return static_cast<std::uint32_t>(value >> 32);
}

RegisterBehaviour from_profile(std::function<std::uint32_t(const DeviceProfile&)> reset) {
    RegisterBehaviour behaviour;
    behaviour.reset = std::move(reset);
    return behaviour;
}

// A 64-bit value from the profile, as its _LO and _HI registers.
void bind_profile64(RegisterFile& registers, std::uint32_t lo_offset,
                    std::function<std::uint64_t(const DeviceProfile&)> value) {
    registers.bind(lo_offset,
                   from_profile([value](const DeviceProfile& p) { return low(value(p)); }));
    registers.bind(lo_offset + 4,
                   from_profile([value](const DeviceProfile& p) { return high(value(p)); }));
}

void bind_capabilities(RegisterFile& r) {
    r.bind(kCapDmdColumns, from_profile([](const DeviceProfile& p) { return p.dmd.columns; }));
    r.bind(kCapDmdRows, from_profile([](const DeviceProfile& p) { return p.dmd.rows; }));
    r.bind(kCapMaxMirrors, from_profile([](const DeviceProfile& p) {
               return static_cast<std::uint32_t>(p.dmd.mirrors());
           }));
    r.bind(kCapCameraWidth, from_profile([](const DeviceProfile& p) { return p.camera.width; }));
    r.bind(kCapCameraHeight, from_profile([](const DeviceProfile& p) { return p.camera.height; }));
    r.bind(kCapMaxPixels,
           from_profile([](const DeviceProfile& p) { return p.camera.width * p.camera.height; }));
    r.bind(kCapBitDepth, from_profile([](const DeviceProfile& p) { return p.camera.bits; }));
    r.bind(kCapBytesPerPixel, from_profile([](const DeviceProfile& p) {
               return contract::bytes_per_pixel(p.camera.bits);
           }));
    r.bind(kCapInputFrameBytes, from_profile([](const DeviceProfile& p) {
               return static_cast<std::uint32_t>(contract::input_frame_bytes(p.dmd.mirrors()));
           }));
    r.bind(kCapClockKhz, from_profile([](const DeviceProfile& p) {
               return static_cast<std::uint32_t>(std::llround(p.controller.clock_mhz * 1e3));
           }));
    r.bind(kCapMinExposureNs, from_profile([](const DeviceProfile& p) {
               return nanoseconds(p.camera.min_exposure_us);
           }));
    r.bind(kCapMaxExposureNs, from_profile([](const DeviceProfile& p) {
               return nanoseconds(p.camera.max_exposure_us);
           }));
    r.bind(kCapBufferFrames, from_profile([](const DeviceProfile& p) {
               return (p.controller.output_buffer_frames << 16) |
                      (p.controller.input_buffer_frames & 0xFFFF);
           }));
    r.bind(kCapRoiIncrement,
           from_profile([](const DeviceProfile& p) { return p.camera.roi_increment; }));
    r.bind(kCapRoiStrategy, from_profile([](const DeviceProfile& p) {
               return physics::sensor_geometry(p.camera).roi_strategy ==
                              contract::OutputRoiStrategy::MidSquare
                          ? contract::roi_strategy::kMidSquare
                          : contract::roi_strategy::kMidWidth;
           }));
    bind_profile64(r, kCapOnesMinLo, [](const DeviceProfile& p) { return p.dmd.ones_min; });
    bind_profile64(r, kCapOnesMaxLo, [](const DeviceProfile& p) { return p.dmd.ones_max; });
}

// The configuration registers whose reset values are the profile's defaults.
void bind_configuration_defaults(RegisterFile& r) {
    r.bind(kRoiWidth, from_profile([](const DeviceProfile& p) { return p.camera.width; }));
    r.bind(kRoiHeight, from_profile([](const DeviceProfile& p) { return p.camera.height; }));
    r.bind(kExposureNs,
           from_profile([](const DeviceProfile& p) { return nanoseconds(p.camera.exposure_us); }));
    r.bind(kFrametimeNs,
           from_profile([](const DeviceProfile& p) { return nanoseconds(p.camera.frametime_us); }));
    bind_profile64(r, kMediumSeedLo, [](const DeviceProfile& p) { return p.medium.seed; });
    bind_profile64(r, kNoiseSeedLo, [](const DeviceProfile& p) { return p.camera.noise_seed; });
}

}  // namespace

void HostInterface::bind_registers() {
    bind_capabilities(registers_);
    bind_configuration_defaults(registers_);

    RegisterBehaviour control;  // WO: act in the order RESET, ABORT, START, SNAPSHOT
    control.written = [this](std::uint32_t value, const sc_core::sc_time& delay) {
        if (value & contract::control::kReset) sequencer_->request_reset(delay);
        if (value & contract::control::kAbort) sequencer_->request_abort(delay);
        if (value & contract::control::kStart) sequencer_->request_start(delay);
        if (value & contract::control::kSnapshot) snapshot_statistics();
    };
    registers_.bind(kControl, std::move(control));

    RegisterBehaviour status;
    status.read = [this](std::uint64_t) {
        const bool busy = sequencer_ && sequencer_->busy();
        std::uint32_t value = busy ? contract::status::kBusy : contract::status::kReady;
        if (registers_.get(kErrorCode) != 0) value |= contract::status::kError;
        return value;
    };
    registers_.bind(kStatus, std::move(status));

    RegisterBehaviour interrupt_line;  // IRQ_STATUS (W1C) and IRQ_ENABLE move the line
    interrupt_line.written = [this](std::uint32_t, const sc_core::sc_time&) { update_irq(); };
    registers_.bind(kIrqStatus, interrupt_line);
    registers_.bind(kIrqEnable, interrupt_line);

    RegisterBehaviour doorbell;
    doorbell.written = [this](std::uint32_t, const sc_core::sc_time& delay) {
        sequencer_->doorbell(delay);
    };
    registers_.bind(kRingTail, std::move(doorbell));

    // The frame counters are live: the ledger knows when each frame crossed each stage.
    RegisterBehaviour frames_in;
    frames_in.read = [this](std::uint64_t at) {
        return static_cast<std::uint32_t>(ledger_->frames_in(at));
    };
    registers_.bind(kFramesIn, std::move(frames_in));
    RegisterBehaviour frames_out;
    frames_out.read = [this](std::uint64_t at) {
        return static_cast<std::uint32_t>(ledger_->frames_out(at));
    };
    registers_.bind(kFramesOut, std::move(frames_out));
    RegisterBehaviour frames_dropped;
    frames_dropped.read = [this](std::uint64_t at) {
        return static_cast<std::uint32_t>(ledger_->frames_dropped(at));
    };
    registers_.bind(kFramesDropped, std::move(frames_dropped));

    // Device time: reading LO latches HI, so a LO-then-HI read is one consistent value.
    RegisterBehaviour time_lo;
    time_lo.read = [this](std::uint64_t at) {
        const std::uint64_t time_ns = at / 1000;
        latched_time_hi_ = high(time_ns);
        return low(time_ns);
    };
    registers_.bind(kTimeNsLo, std::move(time_lo));
    RegisterBehaviour time_hi;
    time_hi.read = [this](std::uint64_t) { return latched_time_hi_; };
    registers_.bind(kTimeNsHi, std::move(time_hi));

    RegisterBehaviour fault;
    fault.written = [this](std::uint32_t value, const sc_core::sc_time&) { arm_fault(value); };
    registers_.bind(kDebugFaultInject, std::move(fault));

    RegisterBehaviour trace_select;  // the frame trace's window follows the selection
    trace_select.written = [this](std::uint32_t, const sc_core::sc_time&) { show_trace_frame(); };
    registers_.bind(kTraceSelect, std::move(trace_select));
}

}  // namespace opusim::model
