// One figure of a report or sweep page: its SVG, the commands whose --json output its numbers
// are, and those numbers (written into the page too, so a test or a reader can check them).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "opusim/physics/profile.hpp"

namespace opusim::cli::report {

struct Figure {
    std::string id;                     // anchor and file stem: "speckle"
    std::string title;                  // heading
    std::vector<std::string> svgs;      // one or more plots
    std::string caption;                // what it shows, with its key numbers
    std::vector<std::string> commands;  // reproduce its numbers (their --json output)
    nlohmann::json numbers;             // the numbers drawn
};

// The device a report is about, as its figures' commands name it.
struct ReportDevice {
    std::string uri;  // canonical, with seeds and set= overrides
    physics::DeviceProfile profile;
    std::filesystem::path scratch;  // a private folder for the .npy files commands write

    std::vector<std::string> device_args() const { return {"--device", uri}; }
    // The command line of ARGS as a figure shows it: files in the scratch folder by their names
    // alone (the command reproduces the numbers when run where those files are).
    std::string shown_command(const std::vector<std::string>& args) const;
};

// Progress: called after each command a figure runs (done, planned for this figure).
using FigureProgress = std::function<void(const std::string& step)>;

Figure speckle_figure(const ReportDevice& device, const FigureProgress& progress);
Figure photon_transfer_figure(const ReportDevice& device, const FigureProgress& progress);
Figure timeline_figure(const ReportDevice& device, const FigureProgress& progress);
Figure throughput_figure(const ReportDevice& device, const FigureProgress& progress);

struct AttentionWorkload {
    std::size_t seq_len = 1024, dim = 64, heads = 4;
    std::vector<std::size_t> features{64, 128, 256};
    double scale = 0.25;
};
Figure attention_figure(const ReportDevice& device, const AttentionWorkload& workload,
                        const FigureProgress& progress);

}  // namespace opusim::cli::report
