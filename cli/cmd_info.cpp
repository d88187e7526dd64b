// opusim info: the device's identification, capabilities and configuration, as the driver reads
// them from its registers at open, and the transport. For a simulated device, what no register
// carries comes from the profile its URI names, read here as a tool reads it: the "profile"
// section, and the link's name and bandwidth (kept under "capabilities", where the JSON has
// always had them).
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "device_option.hpp"
#include "json_report.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/driver/daemon_client.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/model/profile_limits.hpp"
#include "opusim/physics/profile.hpp"
#include "opusim/version.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

// What the registers do not say about a simulated device (its profile's name, description and
// link) comes from the profile its URI names: the simulator's description, read as a tool does.
physics::DeviceProfile described_profile(const driver::Device& device) {
    return profile_of(device.uri());
}

nlohmann::json info_json(driver::Device& device) {
    const auto& i = device.info();
    const auto c = device.config();
    const physics::DeviceProfile p = described_profile(device);
    nlohmann::json j;
    j["uri"] = i.uri;
    j["transport"] = device.transport_description();
    j["profile"] = {{"name", p.name}, {"description", p.description}};
    std::ostringstream id;
    id << "0x" << std::hex << std::uppercase << i.id;
    j["identification"] = {{"id", id.str()},
                           {"abi_version", std::to_string(i.abi_version >> 16) + "." +
                                               std::to_string(i.abi_version & 0xFFFFu)},
                           {"simulator_version", opusim::version()}};
    j["capabilities"] = {{"dmd_columns", i.dmd_columns},
                         {"dmd_rows", i.dmd_rows},
                         {"max_mirrors", i.max_mirrors},
                         {"camera_width", i.camera_width},
                         {"camera_height", i.camera_height},
                         {"max_pixels", i.max_pixels},
                         {"bit_depth", i.bit_depth},
                         {"bytes_per_pixel", i.bytes_per_pixel},
                         {"input_frame_bytes", i.input_frame_bytes},
                         {"clock_mhz", i.clock_mhz},
                         {"min_exposure_us", i.min_exposure_us},
                         {"max_exposure_us", i.max_exposure_us},
                         {"input_buffer_frames", i.input_buffer_frames},
                         {"output_buffer_frames", i.output_buffer_frames},
                         {"roi_increment", i.roi_increment},
                         {"roi_strategy", contract::to_string(i.sensor.roi_strategy)},
                         {"ones_min", i.ones_min},
                         {"ones_max", i.ones_max},
                         {"link", p.link.name},
                         {"link_bandwidth_gb_per_s", p.link.bandwidth_gb_per_s}};
    j["configuration"] = {
        {"exposure_us", c.exposure_us},
        {"frametime_us", c.frametime_us},
        {"roi", {{"x", c.roi_x}, {"y", c.roi_y}, {"width", c.roi_width}, {"height", c.roi_height}}},
        {"medium_seed", c.medium_seed},
        {"noise_seed", c.noise_seed},
        {"noise", c.noise},
        {"ring_entries", i.ring_entries}};
    return j;
}

// A device served by opusimd (via= or $OPUSIM_DAEMON): the daemon's devices, their clients,
// queue depths and utilisation, as the daemon reports them.
void print_daemon(std::ostream& out, const nlohmann::json& daemon) {
    out << "opusimd " << daemon["socket"].get<std::string>() << " (pid " << daemon["pid"] << ", up "
        << daemon["uptime_s"].get<double>() << " s)\n";
    for (const auto& device : daemon["devices"]) {
        out << "  device " << device["device"].get<std::string>() << ": "
            << device["clients"].size() << " clients, queue depth " << device["queue_depth"] << ", "
            << device["jobs"] << " jobs, utilisation " << device["utilisation"].get<double>()
            << " of " << device["device_time_s"] << " s device time\n";
        for (const auto& client : device["clients"]) {
            out << "    client " << client["id"] << ": pid " << client["pid"] << " user "
                << client["user"].get<std::string>()
                << (client["exclusive"].get<bool>() ? " exclusive" : "") << ", "
                << client["queued_jobs"] << " queued, " << client["jobs_done"] << " done\n";
        }
    }
}

void print_section(std::ostream& out, const std::string& title, const nlohmann::json& section) {
    out << title << "\n";
    for (const auto& [key, value] : section.items()) {
        out << "  " << std::left << std::setw(24) << key;
        if (value.is_object()) {
            for (const auto& [k, v] : value.items()) out << k << "=" << v.dump() << " ";
            out << "\n";
        } else {
            out << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
        }
    }
}

int run_info(const Command& command, const Arguments& args) {
    po::options_description options("options");
    options.add_options()("device", po::value<std::string>()->default_value(""),
                          "device URI (default: $OPUSIM_DEVICE, else sim:gen2)")(
        "json", "print one JSON object");
    add_set_option(options);
    const auto vm = parse_options(command, args, options);
    if (!vm) return 0;
    const auto device =
        driver::Device::open(device_uri_with_set((*vm)["device"].as<std::string>(), *vm));
    auto j = info_json(*device);
    if (const auto socket = driver::daemon_socket_of(device->uri())) {
        j["daemon"] = nlohmann::json::parse(driver::daemon_status_json(*socket));
    }
    if (vm->count("json")) {
        print_json_report(j);
        return 0;
    }
    std::cout << "device " << j["uri"].get<std::string>() << " — "
              << j["transport"].get<std::string>() << "\n"
              << "profile " << j["profile"]["name"].get<std::string>() << ": "
              << j["profile"]["description"].get<std::string>() << "\n";
    print_section(std::cout, "identification", j["identification"]);
    print_section(std::cout, "capabilities", j["capabilities"]);
    print_section(std::cout, "configuration (reset values + URI options)", j["configuration"]);
    if (j.contains("daemon")) print_daemon(std::cout, j["daemon"]);
    return 0;
}

const Command kInfo{"info", "opusim info [--device URI] [--set KEY=VALUE ...] [--json]",
                    "the device's identification, capabilities and configuration", nullptr};

const CommandRegistrar registrar{
    Command{kInfo.name, kInfo.synopsis, kInfo.summary,
            [](const Arguments& args) { return run_info(kInfo, args); }}};

}  // namespace
}  // namespace opusim::cli
