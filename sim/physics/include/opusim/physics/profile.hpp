// A device profile: every number that describes one OPU (geometry, optics, sensor, link, timing).
// Profiles are JSON files (sim/profiles/*.json) validated on load; nothing in the simulator
// hard-codes a device figure. The JSON keys are the field names below, grouped in the sections
// `dmd`, `medium`, `camera`, `link`, `controller` (plus top-level `name` and `description`).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace opusim::physics {

// Raised for a profile that cannot be used; the message names the offending key and what was
// expected, e.g. "camera.bits: expected one of 8, 10, 12, got 9".
class ProfileError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct DmdParams {
    std::uint32_t columns = 912;   // mirrors per DMD row
    std::uint32_t rows = 1140;     // DMD rows
    double contrast_ratio = 2000;  // on/off intensity ratio of the optics (off mirrors leak 1/CR)
    // Lit-mirror window [ones_min, ones_max] for good signal (lightonml's `ones_range`).
    std::uint64_t ones_min = 0;
    std::uint64_t ones_max = 0;
    // Timing: the pattern is loaded row by row then all mirrors settle (global reset).
    double load_clock_mhz = 400;  // DMD controller pattern clock
    std::uint32_t load_clocks_per_row = 16;
    double settle_us = 13;      // global reset + mirror settle
    double min_display_us = 0;  // shortest time a pattern must be shown

    std::uint64_t mirrors() const { return std::uint64_t{columns} * rows; }
};

struct MediumParams {
    std::uint64_t seed = 0;           // default medium seed (the device's "paint")
    std::string storage = "int8";     // "int8" (default, exact integer GEMM) or "float32"
    double int8_steps_per_unit = 32;  // quantisation scale of the int8 medium
    // Photons per pixel per microsecond of exposure per unit of optical intensity |Rx|^2 (with
    // E|R_ji|^2 = 1); fixes the laser power. Chosen per profile so a typical input sits well
    // below saturation (see docs/device-physics.md).
    double photons_per_unit_intensity_per_us = 0;
    std::uint64_t tile_memory_mb = 256;  // memory budget for generating the medium in tiles
    // Medium drift (optional key, docs/device-physics.md "Medium drift"): the time over which
    // the transmission matrix decorrelates (entry correlation 1/e), in seconds of the profile's
    // nominal frame period camera.frametime_us per frame. 0 (the default): no drift.
    double decorrelation_time_s = 0;
};

struct CameraParams {
    std::uint32_t width = 2040;
    std::uint32_t height = 1088;
    std::uint32_t bits = 8;  // ADC depth: 8, 10 or 12
    double quantum_efficiency = 0.6;
    double system_gain_dn_per_electron = 0.0189;
    double full_well_electrons = 13500;
    double read_noise_electrons = 13;
    double dark_current_electrons_per_s = 125;
    double offset_dn = 3;
    double prnu_percent = 0.5;               // per-pixel gain non-uniformity (std, % of gain)
    double dsnu_electrons = 2;               // per-pixel dark offset non-uniformity (std, e-)
    double laser_power_fluctuation = 0.002;  // relative std of the per-frame laser power
    std::uint64_t noise_seed = 0;  // default seed of temporal noise; PRNU/DSNU use the device
                                   // seed so they are fixed per device
    std::string roi_strategy = "mid_width";  // "mid_width" or "mid_square"
    std::uint32_t roi_increment = 1;         // ROI width/height granularity in pixels
    // Timing (overlapped global shutter): frame time = overhead + max(readout, exposure),
    // readout = rows in ROI x row time.
    double row_time_us = 0.41;
    double frame_overhead_us = 50;
    double trigger_latency_us = 20;
    double exposure_us = 400;   // default exposure
    double frametime_us = 500;  // default frame period (a minimum, as a register)
    double min_exposure_us = 10;
    double max_exposure_us = 100000;
};

struct LinkParams {
    std::string name = "PCIe Gen2 x4";
    double bandwidth_gb_per_s = 1.6;   // sustained payload bandwidth, 1 GB = 1e9 bytes
    double latency_us = 3;             // hardware latency per transfer
    double software_overhead_us = 25;  // host-side cost per transfer (descriptor, doorbell, IRQ)
    std::uint32_t max_transfer_bytes = 4u << 20;  // a DMA transfer is split at this size
};

struct ControllerParams {
    double clock_mhz = 250;                    // controller clock: every delay is a count of these
    std::uint32_t input_buffer_frames = 4;     // frames the input FIFO (host -> DMD) holds
    std::uint32_t output_buffer_frames = 4;    // frames the output FIFO (camera -> host) holds
    std::uint32_t register_access_cycles = 4;  // cost of one MMIO register access
    // (A profile's controller.bus_width_bytes is accepted and ignored: docs/device-physics.md.)
};

// Electrical power of the device's parts while it is on (docs/device-physics.md "Power"): the
// profile's optional "power" section. Every part draws constant power, so a job's energy is the
// total power times its device time.
struct PowerParams {
    double laser_w = 0;       // laser source and its driver
    double dmd_w = 0;         // DMD and its controller board
    double camera_w = 0;      // camera head
    double controller_w = 0;  // the OPU's FPGA controller
    double link_w = 0;        // host link endpoint
    double total_w() const { return laser_w + dmd_w + camera_w + controller_w + link_w; }
};

// Device defects (docs/device-physics.md "Defects"): the profile's optional "defects" section,
// every value 0 (none) when absent, as in the built-in profiles. Positions are drawn from the
// device seed (medium.seed, or the URI's seed=), so one device has the same defects every run.
struct DefectParams {
    double stuck_mirror_fraction = 0;  // of the DMD's mirrors, each stuck on or off (half each)
    double hot_pixel_fraction = 0;     // of the camera's pixels, reading the ADC maximum always
    double dead_pixel_fraction = 0;    // of the camera's pixels, reading 0 always
    // Camera frames lag the DMD by this many frames: the k-th frame of a job is the pattern of
    // its (k - lag)-th, its first LAG frames are of a dark DMD (lightonml's "trigger issue").
    std::uint32_t trigger_lag_frames = 0;
    bool any() const {
        return stuck_mirror_fraction > 0 || hot_pixel_fraction > 0 || dead_pixel_fraction > 0 ||
               trigger_lag_frames > 0;
    }
};

struct DeviceProfile {
    std::string name;
    std::string description;
    DmdParams dmd;
    MediumParams medium;
    CameraParams camera;
    LinkParams link;
    ControllerParams controller;
    std::optional<PowerParams> power;  // absent: the profile states no power (no energy figures)
    DefectParams defects;              // absent: none

    // Parses and validates; throws ProfileError naming the bad key.
    static DeviceProfile from_json(const nlohmann::json& document);
    // WITH_OPTIONAL_KEYS: optional keys at their defaults too (for overrides); by default they
    // are written only when set, so a profile prints as it was read.
    nlohmann::json to_json(bool with_optional_keys = false) const;
    // NAME is a built-in profile ("gen2", "gen3", looked up in the installed profile folder),
    // anything else is a path to a JSON file.
    static DeviceProfile load(const std::string& name_or_path);
};

// The folder holding the built-in profiles: $OPUSIM_PROFILE_PATH if set and not empty, else
// <datadir>/opusim/profiles found relative to this library's own file (<libdir>/../share/opusim/
// profiles in an install prefix, and the same in the build tree, which has the install layout).
std::filesystem::path builtin_profile_dir();

}  // namespace opusim::physics
