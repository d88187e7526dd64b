#include "opusim/layout_choice.hpp"

#include <cstdio>

#include "opusim/contract/data_format.hpp"
#include "opusim/contract/dmd_format.hpp"

namespace opusim {

namespace {

// Two timing-only jobs per layout: the difference of their durations over the difference of
// their frames is the steady-state period, the pipeline's fill and the job overheads cancelling.
constexpr std::uint32_t kShortJobFrames = 16;
constexpr std::uint32_t kLongJobFrames = 80;
constexpr double kProbeTimeoutS = 1e3;  // of device time: a probe takes well under a second

class PeriodProbe {
  public:
    PeriodProbe(driver::Device& device, const driver::DeviceConfig& config,
                contract::InputFormat format, std::uint64_t n_features)
        : device_(device), config_(config), format_(format) {
        config_.timing_only = true;
        input_bytes_ = static_cast<std::uint32_t>(
            contract::input_frame_bytes(format, device.info().max_mirrors, n_features));
        input_ = device.allocate(input_bytes_);
        output_ = device.allocate(contract::output_frame_bytes(
            config.n_components, device.info().bit_depth, config.ideal));
    }

    // The steady-state frame period of LAYOUT, seconds.
    double period_s(const contract::InputLayout& layout) {
        driver::DeviceConfig config = config_;
        config.n_features = layout.n_features;
        config.replication = layout.replication;
        config.first_mirror = layout.first_mirror;
        device_.configure(config);
        ++probes_;
        const double short_s = job_s(kShortJobFrames);
        const double long_s = job_s(kLongJobFrames);
        return (long_s - short_s) / double(kLongJobFrames - kShortJobFrames);
    }
    std::uint64_t probes() const { return probes_; }

  private:
    double job_s(std::uint32_t frames) {
        driver::Job job;
        job.input = &input_;
        job.input_stride = input_bytes_;
        job.input_format = format_;
        job.output = &output_;
        job.output_stride = static_cast<std::uint32_t>(output_.size());
        job.frames = frames;
        const driver::JobCompletion done = device_.run(job, kProbeTimeoutS);
        return done.end_s - done.start_s;
    }

    driver::Device& device_;
    driver::DeviceConfig config_;
    contract::InputFormat format_;
    std::uint32_t input_bytes_ = 0;
    driver::Buffer input_;
    driver::Buffer output_;
    std::uint64_t probes_ = 0;
};

std::string hz(double period_s) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f Hz", 1.0 / period_s);
    return text;
}

}  // namespace

LayoutChoice choose_auto_layout(driver::Device& device, const driver::DeviceConfig& config,
                                std::uint64_t n_features, contract::InputFormat format) {
    const contract::DmdGeometry dmd = device.info().dmd;
    LayoutChoice choice;
    choice.layout = contract::make_replicated_layout(dmd, n_features, 1);
    choice.full_replication = dmd.mirrors() / n_features;
    if (choice.full_replication < 2) {
        choice.reason = "one mirror per feature: the features fill the DMD";
        return choice;
    }
    PeriodProbe probe(device, config, format, n_features);
    const double small_s = probe.period_s(choice.layout);
    const double full_s =
        probe.period_s(contract::make_replicated_layout(dmd, n_features, choice.full_replication));
    const double bound_s = small_s * (1 + kRateTolerance);
    std::uint64_t good = 1;
    double good_s = small_s;
    if (full_s <= bound_s) {
        good = choice.full_replication;
        good_s = full_s;
    } else {
        // The period grows with the rows the window spans: bisect for the largest replication
        // that keeps it (good keeps it, bad does not).
        std::uint64_t bad = choice.full_replication;
        while (bad - good > 1) {
            const std::uint64_t middle = good + (bad - good) / 2;
            const double middle_s =
                probe.period_s(contract::make_replicated_layout(dmd, n_features, middle));
            if (middle_s <= bound_s) {
                good = middle;
                good_s = middle_s;
            } else {
                bad = middle;
            }
        }
    }
    device.configure(config);
    choice.layout = contract::make_replicated_layout(dmd, n_features, good);
    choice.rate_hz = 1.0 / good_s;
    choice.small_rate_hz = 1.0 / small_s;
    choice.full_rate_hz = 1.0 / full_s;
    choice.probes = probe.probes();
    const std::string full = std::to_string(choice.full_replication) + " mirrors per feature";
    if (good == choice.full_replication) {
        choice.reason = "replicated over the whole DMD (" + full +
                        "): it keeps the device's rate (" + hz(full_s) +
                        ", one mirror per feature " + hz(small_s) + ")";
    } else {
        choice.reason = std::to_string(good) + " mirror" + (good == 1 ? "" : "s") +
                        " per feature: the most replication that keeps the device's rate (" +
                        hz(good_s) + "); the whole DMD (" + full + ") would make the DMD load " +
                        "the bottleneck at " + hz(full_s);
    }
    return choice;
}

}  // namespace opusim
