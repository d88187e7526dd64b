// Every register's reset value from the profile and its behaviour, in one place: the contract
// says where a register is and who may read or write it (contract/registers.hpp); this says what
// the simulated device does with it. A register bound to nothing is plain storage with the
// contract's constant reset value.
#include <cmath>
#include <limits>
#include <string>

#include "../controller/sequencer.hpp"
#include "host_interface.hpp"
#include "opusim/contract/data_format.hpp"
#include "opusim/physics/device_geometry.hpp"

namespace opusim::model {
namespace {

using physics::DeviceProfile;
using physics::PowerParams;
using namespace contract::reg;

// Whole nanoseconds of MICROSECONDS, saturating (a value past 64 bits cannot fit a register).
std::uint64_t nanoseconds(double microseconds) {
    const double ns = std::round(microseconds * 1e3);
    if (!(ns < 1.8e19)) return std::numeric_limits<std::uint64_t>::max();
    return ns > 0 ? static_cast<std::uint64_t>(ns) : 0;
}

std::uint32_t low(std::uint64_t value) {
    return static_cast<std::uint32_t>(value);
}

std::uint32_t high(std::uint64_t value) {
    return static_cast<std::uint32_t>(value >> 32);
}

const char* register_name(std::uint32_t offset) {
    for (const auto& info : contract::kRegisterTable) {
        if (info.offset == offset) return info.name;
    }
    return "?";
}

// VALUE of the profile's KEYS, checked to fit a register field of BITS bits: the register map,
// not a per-key rule, bounds what a profile may say (a value is never truncated).
std::uint32_t field(std::uint64_t value, unsigned bits, const char* keys, std::uint32_t offset) {
    const std::uint64_t max = (std::uint64_t{1} << bits) - 1;
    if (value > max) {
        throw physics::ProfileError(std::string(keys) + ": expected a value the " +
                                    std::to_string(bits) + "-bit register field " +
                                    register_name(offset) + " holds (at most " +
                                    std::to_string(max) + "), got " + std::to_string(value));
    }
    return static_cast<std::uint32_t>(value);
}

// A 32-bit register whose reset value is the profile's KEYS (computed wide, then checked).
void bind_profile32(RegisterFile& registers, std::uint32_t offset, const char* keys,
                    std::function<std::uint64_t(const DeviceProfile&)> value) {
    RegisterBehaviour behaviour;
    behaviour.reset = [=](const DeviceProfile& p) { return field(value(p), 32, keys, offset); };
    registers.bind(offset, std::move(behaviour));
}

// A 64-bit value from the profile, as its _LO and _HI registers.
void bind_profile64(RegisterFile& registers, std::uint32_t lo_offset,
                    std::function<std::uint64_t(const DeviceProfile&)> value) {
    RegisterBehaviour lo;
    lo.reset = [value](const DeviceProfile& p) { return low(value(p)); };
    registers.bind(lo_offset, std::move(lo));
    RegisterBehaviour hi;
    hi.reset = [value](const DeviceProfile& p) { return high(value(p)); };
    registers.bind(lo_offset + 4, std::move(hi));
}

// CAP_POWER_*: a part's power in milliwatts, 0 when the profile states none.
void bind_power(RegisterFile& r, std::uint32_t offset, const char* key, double PowerParams::*part) {
    bind_profile32(r, offset, key, [part](const DeviceProfile& p) -> std::uint64_t {
        return p.power ? static_cast<std::uint64_t>(std::llround((*p.power).*part * 1000)) : 0;
    });
}

void bind_capabilities(RegisterFile& r) {
    bind_power(r, kCapPowerLaserMw, "power.laser_w", &PowerParams::laser_w);
    bind_power(r, kCapPowerDmdMw, "power.dmd_w", &PowerParams::dmd_w);
    bind_power(r, kCapPowerCameraMw, "power.camera_w", &PowerParams::camera_w);
    bind_power(r, kCapPowerControllerMw, "power.controller_w", &PowerParams::controller_w);
    bind_power(r, kCapPowerLinkMw, "power.link_w", &PowerParams::link_w);
    bind_profile32(r, kCapDmdColumns, "dmd.columns",
                   [](const DeviceProfile& p) { return p.dmd.columns; });
    bind_profile32(r, kCapDmdRows, "dmd.rows", [](const DeviceProfile& p) { return p.dmd.rows; });
    bind_profile32(r, kCapMaxMirrors, "dmd.columns x dmd.rows",
                   [](const DeviceProfile& p) { return p.dmd.mirrors(); });
    bind_profile32(r, kCapCameraWidth, "camera.width",
                   [](const DeviceProfile& p) { return p.camera.width; });
    bind_profile32(r, kCapCameraHeight, "camera.height",
                   [](const DeviceProfile& p) { return p.camera.height; });
    bind_profile32(r, kCapMaxPixels, "camera.width x camera.height", [](const DeviceProfile& p) {
        return std::uint64_t{p.camera.width} * p.camera.height;
    });
    bind_profile32(r, kCapBitDepth, "camera.bits",
                   [](const DeviceProfile& p) { return p.camera.bits; });
    bind_profile32(r, kCapBytesPerPixel, "camera.bits",
                   [](const DeviceProfile& p) { return contract::bytes_per_pixel(p.camera.bits); });
    bind_profile32(
        r, kCapInputFrameBytes, "dmd.columns x dmd.rows / 8",
        [](const DeviceProfile& p) { return contract::input_frame_bytes(p.dmd.mirrors()); });
    bind_profile32(r, kCapClockKhz, "controller.clock_mhz x 1000", [](const DeviceProfile& p) {
        const double khz = std::round(p.controller.clock_mhz * 1e3);
        return khz < 1.8e19 ? static_cast<std::uint64_t>(khz)
                            : std::numeric_limits<std::uint64_t>::max();
    });
    bind_profile32(r, kCapMinExposureNs, "camera.min_exposure_us x 1000",
                   [](const DeviceProfile& p) { return nanoseconds(p.camera.min_exposure_us); });
    bind_profile32(r, kCapMaxExposureNs, "camera.max_exposure_us x 1000",
                   [](const DeviceProfile& p) { return nanoseconds(p.camera.max_exposure_us); });
    RegisterBehaviour buffer_frames;  // two 16-bit fields: [15:0] input, [31:16] output
    buffer_frames.reset = [](const DeviceProfile& p) {
        return (field(p.controller.output_buffer_frames, 16, "controller.output_buffer_frames",
                      kCapBufferFrames)
                << 16) |
               field(p.controller.input_buffer_frames, 16, "controller.input_buffer_frames",
                     kCapBufferFrames);
    };
    r.bind(kCapBufferFrames, std::move(buffer_frames));
    bind_profile32(r, kCapRoiIncrement, "camera.roi_increment",
                   [](const DeviceProfile& p) { return p.camera.roi_increment; });
    bind_profile32(r, kCapRoiStrategy, "camera.roi_strategy", [](const DeviceProfile& p) {
        return physics::sensor_geometry(p.camera).roi_strategy ==
                       contract::OutputRoiStrategy::MidSquare
                   ? contract::roi_strategy::kMidSquare
                   : contract::roi_strategy::kMidWidth;
    });
    bind_profile64(r, kCapOnesMinLo, [](const DeviceProfile& p) { return p.dmd.ones_min; });
    bind_profile64(r, kCapOnesMaxLo, [](const DeviceProfile& p) { return p.dmd.ones_max; });
}

// The configuration registers whose reset values are the profile's defaults.
void bind_configuration_defaults(RegisterFile& r) {
    bind_profile32(r, kRoiWidth, "camera.width",
                   [](const DeviceProfile& p) { return p.camera.width; });
    bind_profile32(r, kRoiHeight, "camera.height",
                   [](const DeviceProfile& p) { return p.camera.height; });
    bind_profile32(r, kExposureNs, "camera.exposure_us x 1000",
                   [](const DeviceProfile& p) { return nanoseconds(p.camera.exposure_us); });
    bind_profile32(r, kFrametimeNs, "camera.frametime_us x 1000",
                   [](const DeviceProfile& p) { return nanoseconds(p.camera.frametime_us); });
    bind_profile64(r, kMediumSeedLo, [](const DeviceProfile& p) { return p.medium.seed; });
    bind_profile64(r, kNoiseSeedLo, [](const DeviceProfile& p) { return p.camera.noise_seed; });
}

}  // namespace

void bind_profile_registers(RegisterFile& registers) {
    bind_capabilities(registers);
    bind_configuration_defaults(registers);
}

void HostInterface::bind_registers() {
    bind_profile_registers(registers_);

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
