// The OPU register map: 32-bit registers on a 4 KiB MMIO window, little-endian, accessed as
// aligned 32-bit words. 64-bit quantities are two registers (_LO at the lower offset, then _HI).
// Offsets, fields, reset values and access types are documented in docs/device-abi.md; the table
// kRegisterTable at the end lists every register once, for tests and tools.
#pragma once

#include <array>
#include <cstdint>

#include "opusim/contract/data_format.hpp"

namespace opusim::contract {

inline constexpr std::uint32_t kDeviceId = 0x4F505531;  // "OPU1"
inline constexpr std::uint32_t kAbiVersionMajor = 1;
inline constexpr std::uint32_t kAbiVersionMinor =
    3;  // 1.1: ROI strategy, lit-mirror window, statistics, fault injection; 1.2: packed-features
        // input (CAP_INPUT_FORMATS), error INTERNAL, frame trace (TRACE_*); 1.3: MODE.IDEAL and
        // float intensities (CAP_OUTPUT_FORMATS), the parts' power (CAP_POWER_*)
inline constexpr std::uint32_t kAbiVersion = (kAbiVersionMajor << 16) | kAbiVersionMinor;
inline constexpr std::uint32_t kMmioWindowBytes = 4096;

namespace reg {
// -- identification and capabilities (read-only; values come from the device profile) --
inline constexpr std::uint32_t kId = 0x000;
inline constexpr std::uint32_t kVersion = 0x004;  // [31:16] major, [15:0] minor
inline constexpr std::uint32_t kCapDmdColumns = 0x008;
inline constexpr std::uint32_t kCapDmdRows = 0x00C;
inline constexpr std::uint32_t kCapMaxMirrors = 0x010;  // columns * rows
inline constexpr std::uint32_t kCapCameraWidth = 0x014;
inline constexpr std::uint32_t kCapCameraHeight = 0x018;
inline constexpr std::uint32_t kCapMaxPixels = 0x01C;        // width * height
inline constexpr std::uint32_t kCapBitDepth = 0x020;         // 8, 10 or 12
inline constexpr std::uint32_t kCapBytesPerPixel = 0x024;    // 1 (8-bit) or 2 (10/12-bit)
inline constexpr std::uint32_t kCapInputFrameBytes = 0x028;  // ceil(mirrors / 8)
inline constexpr std::uint32_t kCapClockKhz = 0x02C;         // controller clock
inline constexpr std::uint32_t kCapMinExposureNs = 0x030;
inline constexpr std::uint32_t kCapMaxExposureNs = 0x034;
inline constexpr std::uint32_t kCapBufferFrames = 0x038;  // [15:0] input, [31:16] output
inline constexpr std::uint32_t kCapRoiIncrement = 0x03C;  // ROI width/height granularity

// -- control and status --
inline constexpr std::uint32_t kControl = 0x040;         // WO, self-clearing, reads 0
inline constexpr std::uint32_t kStatus = 0x044;          // RO
inline constexpr std::uint32_t kIrqStatus = 0x048;       // RW1C
inline constexpr std::uint32_t kIrqEnable = 0x04C;       // RW: the interrupt mask, 1 = enabled
inline constexpr std::uint32_t kErrorCode = 0x050;       // RO, DeviceError of the last failure
inline constexpr std::uint32_t kErrorDetail = 0x054;     // RO, meaning depends on ERROR_CODE
inline constexpr std::uint32_t kErrorAddressLo = 0x058;  // RO, faulting DMA address
inline constexpr std::uint32_t kErrorAddressHi = 0x05C;

// -- capabilities, continued (read-only; ABI 1.1) --
inline constexpr std::uint32_t kCapRoiStrategy =
    0x060;                                             // roi_strategy:: the sensor's ROI placement
inline constexpr std::uint32_t kCapOnesMinLo = 0x064;  // lit-mirror window for good signal
inline constexpr std::uint32_t kCapOnesMinHi = 0x068;
inline constexpr std::uint32_t kCapOnesMaxLo = 0x06C;
inline constexpr std::uint32_t kCapOnesMaxHi = 0x070;
// input_formats:: bits, the input formats the device accepts (data_format.hpp; perf range 0x074-)
inline constexpr std::uint32_t kCapInputFormats = 0x074;

// -- configuration (RW; latched when a job starts, so writes while BUSY affect the next job) --
inline constexpr std::uint32_t kNFeatures = 0x080;    // input features (DMD feature blocks)
inline constexpr std::uint32_t kReplication = 0x084;  // mirrors per feature
inline constexpr std::uint32_t kFirstMirror = 0x088;  // first mirror of feature 0 (row-major)
inline constexpr std::uint32_t kRoiX = 0x08C;         // output ROI on the camera, pixels
inline constexpr std::uint32_t kRoiY = 0x090;
inline constexpr std::uint32_t kRoiWidth = 0x094;
inline constexpr std::uint32_t kRoiHeight = 0x098;
inline constexpr std::uint32_t kNComponents = 0x09C;  // first N pixels of the ROI, row-major
inline constexpr std::uint32_t kExposureNs = 0x0A0;
inline constexpr std::uint32_t kFrametimeNs =
    0x0A4;  // minimum frame period (0: as fast as possible)
inline constexpr std::uint32_t kMediumSeedLo = 0x0A8;
inline constexpr std::uint32_t kMediumSeedHi = 0x0AC;
inline constexpr std::uint32_t kNoiseSeedLo = 0x0B0;
inline constexpr std::uint32_t kNoiseSeedHi = 0x0B4;
inline constexpr std::uint32_t kMode = 0x0B8;

// -- job ring (descriptors in host memory, see job_descriptor.hpp) --
inline constexpr std::uint32_t kRingBaseLo = 0x0C0;  // RW, 64-byte aligned device address
inline constexpr std::uint32_t kRingBaseHi = 0x0C4;
inline constexpr std::uint32_t kRingSize = 0x0C8;  // RW, entries, 1..kMaxRingEntries
inline constexpr std::uint32_t kRingHead = 0x0CC;  // RO, next entry the device will run
inline constexpr std::uint32_t kRingTail = 0x0D0;  // RW, one past the last entry the host queued

// -- counters and time (RO; counters since reset, wrap at 2^32) --
inline constexpr std::uint32_t kFramesIn = 0x100;   // input frames fetched by DMA
inline constexpr std::uint32_t kFramesOut = 0x104;  // output frames written by DMA
inline constexpr std::uint32_t kFramesDropped = 0x108;
inline constexpr std::uint32_t kJobsDone = 0x10C;  // jobs ended (completed or failed)
inline constexpr std::uint32_t kLastJobIdLo = 0x110;
inline constexpr std::uint32_t kLastJobIdHi = 0x114;
inline constexpr std::uint32_t kTimeNsLo = 0x118;  // device time; reading LO latches HI
inline constexpr std::uint32_t kTimeNsHi = 0x11C;
inline constexpr std::uint32_t kLastJobStartNsLo = 0x120;  // device time the last job started
inline constexpr std::uint32_t kLastJobStartNsHi = 0x124;
inline constexpr std::uint32_t kLastJobEndNsLo = 0x128;  // ... and ended
inline constexpr std::uint32_t kLastJobEndNsHi = 0x12C;

// -- statistics (RO, 64-bit, picoseconds or counts since reset; ABI 1.1). The device copies its
// measurements here when the host writes CONTROL.SNAPSHOT, so a read of several registers sees
// one consistent snapshot. Stages are numbered by stage:: below. --
inline constexpr std::uint32_t kStatFramePeriodFsLo =
    0x200;  // steady-state output spacing, femtoseconds
inline constexpr std::uint32_t kStatActivePsLo =
    0x208;  // sum over jobs: first input to last output
inline constexpr std::uint32_t kStatJobTimePsLo = 0x210;  // sum over jobs: START to write-back end
inline constexpr std::uint32_t kStatLatencyP50PsLo = 0x218;  // per frame: input DMA to output DMA
inline constexpr std::uint32_t kStatLatencyP99PsLo = 0x220;
inline constexpr std::uint32_t kStatLatencyMaxPsLo = 0x228;
inline constexpr std::uint32_t kStatFramesInLo = 0x230;
inline constexpr std::uint32_t kStatFramesOutLo = 0x238;
inline constexpr std::uint32_t kStatFramesDroppedLo = 0x240;
inline constexpr std::uint32_t kStatJobsLo = 0x248;
inline constexpr std::uint32_t kStatBusyPsLo = 0x280;      // + 8 * stage, resource stages only
inline constexpr std::uint32_t kStatCriticalPsLo = 0x2C0;  // + 8 * stage, every stage
// (each _LO above has its _HI at +4)

// -- debug (ABI 1.1): error injection, as hardware exposes for driver testing --
inline constexpr std::uint32_t kDebugFaultInject = 0x300;  // RW, fault:: taken by the next job

// -- frame trace (additive; ABI 1.2): when each of the last frames the device
// scheduled started and ended each operation, frozen by CONTROL.SNAPSHOT, read through a window:
// write TRACE_SELECT = i (0 = oldest of TRACE_COUNT), then read TRACE_FRAME and the times. --
inline constexpr std::uint32_t kTraceDepth = 0x400;   // RO: frames the trace holds (trace::kDepth)
inline constexpr std::uint32_t kTraceCount = 0x404;   // RO: frames in the snapshot, <= depth
inline constexpr std::uint32_t kTraceSelect = 0x408;  // RW: the frame the window shows
inline constexpr std::uint32_t kTraceFrame = 0x40C;   // RO: its index within its job
inline constexpr std::uint32_t kTraceStartPsLo = 0x410;  // + 8 * op: op start, ps of device time
inline constexpr std::uint32_t kTraceEndPsLo = 0x450;    // + 8 * op: op end

// -- device fidelity (additive; ABI 1.3) --
// output_formats:: bits, the output formats the device can write (data_format.hpp)
inline constexpr std::uint32_t kCapOutputFormats = 0x500;
// Electrical power of the device's parts while it is on, milliwatts (0: not stated).
inline constexpr std::uint32_t kCapPowerLaserMw = 0x504;
inline constexpr std::uint32_t kCapPowerDmdMw = 0x508;
inline constexpr std::uint32_t kCapPowerCameraMw = 0x50C;
inline constexpr std::uint32_t kCapPowerControllerMw = 0x510;
inline constexpr std::uint32_t kCapPowerLinkMw = 0x514;
}  // namespace reg

// Operations of a frame in the trace registers' order (the DMD stage is load, then settle).
namespace trace {
inline constexpr std::uint32_t kDepth = 16;  // frames the device's trace keeps
inline constexpr std::uint32_t kOps = 7;
inline constexpr std::array<const char*, kOps> kOpNames{
    "link_in", "dmd_load", "dmd_settle", "exposure", "frame_overhead", "readout", "link_out"};
}  // namespace trace

// Stages of the frame pipeline, in the order of the STAT_BUSY/STAT_CRITICAL registers. The
// resource stages are the first kResourceStages; `frametime` (the FRAMETIME register's minimum
// period) only appears on the critical path.
namespace stage {
inline constexpr std::uint32_t kResourceStages = 6;
inline constexpr std::uint32_t kStages = 7;
inline constexpr std::array<const char*, kStages> kNames{
    "link_in", "dmd", "exposure", "frame_overhead", "readout", "link_out", "frametime"};
}  // namespace stage

// CAP_ROI_STRATEGY values (contract::OutputRoiStrategy)
namespace roi_strategy {
inline constexpr std::uint32_t kMidWidth = 0;
inline constexpr std::uint32_t kMidSquare = 1;
}  // namespace roi_strategy

// DEBUG_FAULT_INJECT values: the next job meets this fault; reset clears it.
namespace fault {
inline constexpr std::uint32_t kNone = 0;
inline constexpr std::uint32_t kDmaReadError = 1;     // the input DMA fails
inline constexpr std::uint32_t kDmaWriteError = 2;    // the output DMA fails
inline constexpr std::uint32_t kDropFrame = 3;        // a frame is lost before the output DMA
inline constexpr std::uint32_t kHangNoInterrupt = 4;  // the sequencer stops, no interrupt
inline constexpr std::uint32_t kOutOfMemory = 5;  // the sequencer's compute throws std::bad_alloc
inline constexpr std::uint32_t kLast = kOutOfMemory;
}  // namespace fault

inline constexpr std::uint32_t kMaxRingEntries = 65536;

// CONTROL bits (write 1 to act; several bits in one write act in the order RESET, ABORT, START)
namespace control {
inline constexpr std::uint32_t kReset = 1u << 0;     // stop, clear state, restore every reset value
inline constexpr std::uint32_t kStart = 1u << 1;     // run descriptors from RING_HEAD to RING_TAIL
inline constexpr std::uint32_t kAbort = 1u << 2;     // stop the running job at a frame boundary
inline constexpr std::uint32_t kSnapshot = 1u << 3;  // copy the measurements into STAT_* (1.1)
}  // namespace control

// STATUS bits
namespace status {
inline constexpr std::uint32_t kReady = 1u << 0;  // powered on and idle: START is accepted
inline constexpr std::uint32_t kBusy = 1u << 1;   // running the ring
inline constexpr std::uint32_t kError = 1u << 2;  // ERROR_CODE != NONE
}  // namespace status

// IRQ_STATUS / IRQ_ENABLE bits. The interrupt line is high while (IRQ_STATUS & IRQ_ENABLE) != 0.
namespace irq {
inline constexpr std::uint32_t kJobDone = 1u << 0;  // a job with job_flags::kInterrupt completed
inline constexpr std::uint32_t kError = 1u << 1;    // a job failed (any descriptor flags)
inline constexpr std::uint32_t kIdle = 1u << 2;     // the ring drained or was aborted; BUSY fell
inline constexpr std::uint32_t kAll = kJobDone | kError | kIdle;
}  // namespace irq

// MODE bits
namespace mode {
inline constexpr std::uint32_t kNoiseEnable = 1u << 0;  // camera noise on (off: noiseless camera)
inline constexpr std::uint32_t kTimingOnly = 1u << 1;   // model timing only: no data is moved
// Ideal mode (additive, CAP_OUTPUT_FORMATS.FLOAT_INTENSITIES): the output frames carry each
// pixel's optical intensity as a float32, unquantised and without noise (NOISE_ENABLE ignored).
inline constexpr std::uint32_t kIdeal = 1u << 2;
inline constexpr std::uint32_t kValidMask = kNoiseEnable | kTimingOnly | kIdeal;
}  // namespace mode

enum class Access : std::uint8_t { ReadOnly, ReadWrite, WriteOnly, ReadWrite1Clear };

// Where a register's reset value comes from.
// NotReset: a free-running value (device time) that reset does not change.
enum class ResetSource : std::uint8_t { Constant, Profile, NotReset };

struct RegisterInfo {
    const char* name;
    std::uint32_t offset;
    Access access;
    ResetSource reset_source;
    std::uint32_t reset_value;  // meaningful when reset_source == Constant
};

inline constexpr std::array<RegisterInfo, 147> kRegisterTable{{
    {"ID", reg::kId, Access::ReadOnly, ResetSource::Constant, kDeviceId},
    {"VERSION", reg::kVersion, Access::ReadOnly, ResetSource::Constant, kAbiVersion},
    {"CAP_DMD_COLUMNS", reg::kCapDmdColumns, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_DMD_ROWS", reg::kCapDmdRows, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_MAX_MIRRORS", reg::kCapMaxMirrors, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_CAMERA_WIDTH", reg::kCapCameraWidth, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_CAMERA_HEIGHT", reg::kCapCameraHeight, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_MAX_PIXELS", reg::kCapMaxPixels, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_BIT_DEPTH", reg::kCapBitDepth, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_BYTES_PER_PIXEL", reg::kCapBytesPerPixel, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_INPUT_FRAME_BYTES", reg::kCapInputFrameBytes, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_CLOCK_KHZ", reg::kCapClockKhz, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_MIN_EXPOSURE_NS", reg::kCapMinExposureNs, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_MAX_EXPOSURE_NS", reg::kCapMaxExposureNs, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_BUFFER_FRAMES", reg::kCapBufferFrames, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_ROI_INCREMENT", reg::kCapRoiIncrement, Access::ReadOnly, ResetSource::Profile, 0},
    {"CONTROL", reg::kControl, Access::WriteOnly, ResetSource::Constant, 0},
    {"STATUS", reg::kStatus, Access::ReadOnly, ResetSource::Constant, status::kReady},
    {"IRQ_STATUS", reg::kIrqStatus, Access::ReadWrite1Clear, ResetSource::Constant, 0},
    {"IRQ_ENABLE", reg::kIrqEnable, Access::ReadWrite, ResetSource::Constant, 0},
    {"ERROR_CODE", reg::kErrorCode, Access::ReadOnly, ResetSource::Constant, 0},
    {"ERROR_DETAIL", reg::kErrorDetail, Access::ReadOnly, ResetSource::Constant, 0},
    {"ERROR_ADDRESS_LO", reg::kErrorAddressLo, Access::ReadOnly, ResetSource::Constant, 0},
    {"ERROR_ADDRESS_HI", reg::kErrorAddressHi, Access::ReadOnly, ResetSource::Constant, 0},
    {"CAP_ROI_STRATEGY", reg::kCapRoiStrategy, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_ONES_MIN_LO", reg::kCapOnesMinLo, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_ONES_MIN_HI", reg::kCapOnesMinHi, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_ONES_MAX_LO", reg::kCapOnesMaxLo, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_ONES_MAX_HI", reg::kCapOnesMaxHi, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_INPUT_FORMATS", reg::kCapInputFormats, Access::ReadOnly, ResetSource::Constant,
     input_formats::kDmdPattern | input_formats::kPackedFeatures},
    {"N_FEATURES", reg::kNFeatures, Access::ReadWrite, ResetSource::Constant, 0},
    {"REPLICATION", reg::kReplication, Access::ReadWrite, ResetSource::Constant, 1},
    {"FIRST_MIRROR", reg::kFirstMirror, Access::ReadWrite, ResetSource::Constant, 0},
    {"ROI_X", reg::kRoiX, Access::ReadWrite, ResetSource::Constant, 0},
    {"ROI_Y", reg::kRoiY, Access::ReadWrite, ResetSource::Constant, 0},
    {"ROI_WIDTH", reg::kRoiWidth, Access::ReadWrite, ResetSource::Profile, 0},
    {"ROI_HEIGHT", reg::kRoiHeight, Access::ReadWrite, ResetSource::Profile, 0},
    {"N_COMPONENTS", reg::kNComponents, Access::ReadWrite, ResetSource::Constant, 0},
    {"EXPOSURE_NS", reg::kExposureNs, Access::ReadWrite, ResetSource::Profile, 0},
    {"FRAMETIME_NS", reg::kFrametimeNs, Access::ReadWrite, ResetSource::Profile, 0},
    {"MEDIUM_SEED_LO", reg::kMediumSeedLo, Access::ReadWrite, ResetSource::Profile, 0},
    {"MEDIUM_SEED_HI", reg::kMediumSeedHi, Access::ReadWrite, ResetSource::Profile, 0},
    {"NOISE_SEED_LO", reg::kNoiseSeedLo, Access::ReadWrite, ResetSource::Profile, 0},
    {"NOISE_SEED_HI", reg::kNoiseSeedHi, Access::ReadWrite, ResetSource::Profile, 0},
    {"MODE", reg::kMode, Access::ReadWrite, ResetSource::Constant, mode::kNoiseEnable},
    {"RING_BASE_LO", reg::kRingBaseLo, Access::ReadWrite, ResetSource::Constant, 0},
    {"RING_BASE_HI", reg::kRingBaseHi, Access::ReadWrite, ResetSource::Constant, 0},
    {"RING_SIZE", reg::kRingSize, Access::ReadWrite, ResetSource::Constant, 0},
    {"RING_HEAD", reg::kRingHead, Access::ReadOnly, ResetSource::Constant, 0},
    {"RING_TAIL", reg::kRingTail, Access::ReadWrite, ResetSource::Constant, 0},
    {"FRAMES_IN", reg::kFramesIn, Access::ReadOnly, ResetSource::Constant, 0},
    {"FRAMES_OUT", reg::kFramesOut, Access::ReadOnly, ResetSource::Constant, 0},
    {"FRAMES_DROPPED", reg::kFramesDropped, Access::ReadOnly, ResetSource::Constant, 0},
    {"JOBS_DONE", reg::kJobsDone, Access::ReadOnly, ResetSource::Constant, 0},
    {"LAST_JOB_ID_LO", reg::kLastJobIdLo, Access::ReadOnly, ResetSource::Constant, 0},
    {"LAST_JOB_ID_HI", reg::kLastJobIdHi, Access::ReadOnly, ResetSource::Constant, 0},
    {"TIME_NS_LO", reg::kTimeNsLo, Access::ReadOnly, ResetSource::NotReset, 0},
    {"TIME_NS_HI", reg::kTimeNsHi, Access::ReadOnly, ResetSource::NotReset, 0},
    {"LAST_JOB_START_NS_LO", reg::kLastJobStartNsLo, Access::ReadOnly, ResetSource::Constant, 0},
    {"LAST_JOB_START_NS_HI", reg::kLastJobStartNsHi, Access::ReadOnly, ResetSource::Constant, 0},
    {"LAST_JOB_END_NS_LO", reg::kLastJobEndNsLo, Access::ReadOnly, ResetSource::Constant, 0},
    {"LAST_JOB_END_NS_HI", reg::kLastJobEndNsHi, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_FRAME_PERIOD_FS_LO", reg::kStatFramePeriodFsLo, Access::ReadOnly, ResetSource::Constant,
     0},
    {"STAT_FRAME_PERIOD_FS_HI", reg::kStatFramePeriodFsLo + 4, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_ACTIVE_PS_LO", reg::kStatActivePsLo, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_ACTIVE_PS_HI", reg::kStatActivePsLo + 4, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_JOB_TIME_PS_LO", reg::kStatJobTimePsLo, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_JOB_TIME_PS_HI", reg::kStatJobTimePsLo + 4, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_LATENCY_P50_PS_LO", reg::kStatLatencyP50PsLo, Access::ReadOnly, ResetSource::Constant,
     0},
    {"STAT_LATENCY_P50_PS_HI", reg::kStatLatencyP50PsLo + 4, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_LATENCY_P99_PS_LO", reg::kStatLatencyP99PsLo, Access::ReadOnly, ResetSource::Constant,
     0},
    {"STAT_LATENCY_P99_PS_HI", reg::kStatLatencyP99PsLo + 4, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_LATENCY_MAX_PS_LO", reg::kStatLatencyMaxPsLo, Access::ReadOnly, ResetSource::Constant,
     0},
    {"STAT_LATENCY_MAX_PS_HI", reg::kStatLatencyMaxPsLo + 4, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_FRAMES_IN_LO", reg::kStatFramesInLo, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_FRAMES_IN_HI", reg::kStatFramesInLo + 4, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_FRAMES_OUT_LO", reg::kStatFramesOutLo, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_FRAMES_OUT_HI", reg::kStatFramesOutLo + 4, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_FRAMES_DROPPED_LO", reg::kStatFramesDroppedLo, Access::ReadOnly, ResetSource::Constant,
     0},
    {"STAT_FRAMES_DROPPED_HI", reg::kStatFramesDroppedLo + 4, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_JOBS_LO", reg::kStatJobsLo, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_JOBS_HI", reg::kStatJobsLo + 4, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_BUSY_PS_LINK_IN_LO", reg::kStatBusyPsLo + 0, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_BUSY_PS_LINK_IN_HI", reg::kStatBusyPsLo + 4, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_BUSY_PS_DMD_LO", reg::kStatBusyPsLo + 8, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_BUSY_PS_DMD_HI", reg::kStatBusyPsLo + 12, Access::ReadOnly, ResetSource::Constant, 0},
    {"STAT_BUSY_PS_EXPOSURE_LO", reg::kStatBusyPsLo + 16, Access::ReadOnly, ResetSource::Constant,
     0},
    {"STAT_BUSY_PS_EXPOSURE_HI", reg::kStatBusyPsLo + 20, Access::ReadOnly, ResetSource::Constant,
     0},
    {"STAT_BUSY_PS_FRAME_OVERHEAD_LO", reg::kStatBusyPsLo + 24, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_BUSY_PS_FRAME_OVERHEAD_HI", reg::kStatBusyPsLo + 28, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_BUSY_PS_READOUT_LO", reg::kStatBusyPsLo + 32, Access::ReadOnly, ResetSource::Constant,
     0},
    {"STAT_BUSY_PS_READOUT_HI", reg::kStatBusyPsLo + 36, Access::ReadOnly, ResetSource::Constant,
     0},
    {"STAT_BUSY_PS_LINK_OUT_LO", reg::kStatBusyPsLo + 40, Access::ReadOnly, ResetSource::Constant,
     0},
    {"STAT_BUSY_PS_LINK_OUT_HI", reg::kStatBusyPsLo + 44, Access::ReadOnly, ResetSource::Constant,
     0},
    {"STAT_CRITICAL_PS_LINK_IN_LO", reg::kStatCriticalPsLo + 0, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_CRITICAL_PS_LINK_IN_HI", reg::kStatCriticalPsLo + 4, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_CRITICAL_PS_DMD_LO", reg::kStatCriticalPsLo + 8, Access::ReadOnly, ResetSource::Constant,
     0},
    {"STAT_CRITICAL_PS_DMD_HI", reg::kStatCriticalPsLo + 12, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_CRITICAL_PS_EXPOSURE_LO", reg::kStatCriticalPsLo + 16, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_CRITICAL_PS_EXPOSURE_HI", reg::kStatCriticalPsLo + 20, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_CRITICAL_PS_FRAME_OVERHEAD_LO", reg::kStatCriticalPsLo + 24, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_CRITICAL_PS_FRAME_OVERHEAD_HI", reg::kStatCriticalPsLo + 28, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_CRITICAL_PS_READOUT_LO", reg::kStatCriticalPsLo + 32, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_CRITICAL_PS_READOUT_HI", reg::kStatCriticalPsLo + 36, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_CRITICAL_PS_LINK_OUT_LO", reg::kStatCriticalPsLo + 40, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_CRITICAL_PS_LINK_OUT_HI", reg::kStatCriticalPsLo + 44, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_CRITICAL_PS_FRAMETIME_LO", reg::kStatCriticalPsLo + 48, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"STAT_CRITICAL_PS_FRAMETIME_HI", reg::kStatCriticalPsLo + 52, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"DEBUG_FAULT_INJECT", reg::kDebugFaultInject, Access::ReadWrite, ResetSource::Constant, 0},
    {"TRACE_DEPTH", reg::kTraceDepth, Access::ReadOnly, ResetSource::Constant, trace::kDepth},
    {"TRACE_COUNT", reg::kTraceCount, Access::ReadOnly, ResetSource::Constant, 0},
    {"TRACE_SELECT", reg::kTraceSelect, Access::ReadWrite, ResetSource::Constant, 0},
    {"TRACE_FRAME", reg::kTraceFrame, Access::ReadOnly, ResetSource::Constant, 0},
    {"TRACE_START_PS_LINK_IN_LO", reg::kTraceStartPsLo + 0, Access::ReadOnly, ResetSource::Constant,
     0},
    {"TRACE_START_PS_LINK_IN_HI", reg::kTraceStartPsLo + 4, Access::ReadOnly, ResetSource::Constant,
     0},
    {"TRACE_START_PS_DMD_LOAD_LO", reg::kTraceStartPsLo + 8, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_START_PS_DMD_LOAD_HI", reg::kTraceStartPsLo + 12, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_START_PS_DMD_SETTLE_LO", reg::kTraceStartPsLo + 16, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_START_PS_DMD_SETTLE_HI", reg::kTraceStartPsLo + 20, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_START_PS_EXPOSURE_LO", reg::kTraceStartPsLo + 24, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_START_PS_EXPOSURE_HI", reg::kTraceStartPsLo + 28, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_START_PS_FRAME_OVERHEAD_LO", reg::kTraceStartPsLo + 32, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_START_PS_FRAME_OVERHEAD_HI", reg::kTraceStartPsLo + 36, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_START_PS_READOUT_LO", reg::kTraceStartPsLo + 40, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_START_PS_READOUT_HI", reg::kTraceStartPsLo + 44, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_START_PS_LINK_OUT_LO", reg::kTraceStartPsLo + 48, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_START_PS_LINK_OUT_HI", reg::kTraceStartPsLo + 52, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_END_PS_LINK_IN_LO", reg::kTraceEndPsLo + 0, Access::ReadOnly, ResetSource::Constant, 0},
    {"TRACE_END_PS_LINK_IN_HI", reg::kTraceEndPsLo + 4, Access::ReadOnly, ResetSource::Constant, 0},
    {"TRACE_END_PS_DMD_LOAD_LO", reg::kTraceEndPsLo + 8, Access::ReadOnly, ResetSource::Constant,
     0},
    {"TRACE_END_PS_DMD_LOAD_HI", reg::kTraceEndPsLo + 12, Access::ReadOnly, ResetSource::Constant,
     0},
    {"TRACE_END_PS_DMD_SETTLE_LO", reg::kTraceEndPsLo + 16, Access::ReadOnly, ResetSource::Constant,
     0},
    {"TRACE_END_PS_DMD_SETTLE_HI", reg::kTraceEndPsLo + 20, Access::ReadOnly, ResetSource::Constant,
     0},
    {"TRACE_END_PS_EXPOSURE_LO", reg::kTraceEndPsLo + 24, Access::ReadOnly, ResetSource::Constant,
     0},
    {"TRACE_END_PS_EXPOSURE_HI", reg::kTraceEndPsLo + 28, Access::ReadOnly, ResetSource::Constant,
     0},
    {"TRACE_END_PS_FRAME_OVERHEAD_LO", reg::kTraceEndPsLo + 32, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_END_PS_FRAME_OVERHEAD_HI", reg::kTraceEndPsLo + 36, Access::ReadOnly,
     ResetSource::Constant, 0},
    {"TRACE_END_PS_READOUT_LO", reg::kTraceEndPsLo + 40, Access::ReadOnly, ResetSource::Constant,
     0},
    {"TRACE_END_PS_READOUT_HI", reg::kTraceEndPsLo + 44, Access::ReadOnly, ResetSource::Constant,
     0},
    {"TRACE_END_PS_LINK_OUT_LO", reg::kTraceEndPsLo + 48, Access::ReadOnly, ResetSource::Constant,
     0},
    {"TRACE_END_PS_LINK_OUT_HI", reg::kTraceEndPsLo + 52, Access::ReadOnly, ResetSource::Constant,
     0},
    {"CAP_OUTPUT_FORMATS", reg::kCapOutputFormats, Access::ReadOnly, ResetSource::Constant,
     output_formats::kCameraValues | output_formats::kFloatIntensities},
    {"CAP_POWER_LASER_MW", reg::kCapPowerLaserMw, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_POWER_DMD_MW", reg::kCapPowerDmdMw, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_POWER_CAMERA_MW", reg::kCapPowerCameraMw, Access::ReadOnly, ResetSource::Profile, 0},
    {"CAP_POWER_CONTROLLER_MW", reg::kCapPowerControllerMw, Access::ReadOnly, ResetSource::Profile,
     0},
    {"CAP_POWER_LINK_MW", reg::kCapPowerLinkMw, Access::ReadOnly, ResetSource::Profile, 0},
}};

}  // namespace opusim::contract
