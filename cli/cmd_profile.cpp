// opusim profile show NAME|PATH [--json]: a device profile, validated, as a readable table (every
// key of every section, plus a few figures derived from them) or as its JSON.
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "device_option.hpp"
#include "json_report.hpp"
#include "opusim/contract/dmd_format.hpp"
#include "opusim/model/profile_limits.hpp"
#include "opusim/physics/profile.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

std::string value_text(const nlohmann::json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number_float()) {
        std::ostringstream out;
        out << std::setprecision(8) << value.get<double>();
        return out.str();
    }
    return value.dump();
}

void print_row(std::ostream& out, const std::string& key, const std::string& value) {
    out << "  " << std::left << std::setw(36) << key << value << "\n";
}

std::string fixed(double value, int decimals) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(decimals) << value;
    return out.str();
}

// Figures users ask about that follow from the keys (so nobody computes them by hand).
void print_derived(std::ostream& out, const physics::DeviceProfile& p) {
    const auto& cam = p.camera;
    const double max_dn = std::ldexp(1.0, static_cast<int>(cam.bits)) - 1;
    const double half_lit = static_cast<double>(p.dmd.mirrors()) / 2;
    const double half_lit_dn = cam.system_gain_dn_per_electron * cam.quantum_efficiency * half_lit *
                                   cam.exposure_us * p.medium.photons_per_unit_intensity_per_us +
                               cam.offset_dn;
    const double capacity = std::min(
        cam.full_well_electrons, (max_dn - cam.offset_dn + 0.5) / cam.system_gain_dn_per_electron);
    out << "\n[derived]\n";
    print_row(out, "mirrors", std::to_string(p.dmd.mirrors()));
    print_row(out, "packed frame bytes",
              std::to_string(contract::packed_frame_bytes(p.dmd.mirrors())));
    print_row(out, "camera pixels", std::to_string(std::uint64_t{cam.width} * cam.height));
    print_row(
        out, "DMD load + settle (us)",
        fixed(p.dmd.rows * p.dmd.load_clocks_per_row / p.dmd.load_clock_mhz + p.dmd.settle_us, 2));
    print_row(out, "full-sensor readout (us)", fixed(cam.height * cam.row_time_us, 1));
    print_row(out, "saturation capacity (e-)", fixed(capacity, 0));
    print_row(out, "mean DN half-lit (incl. offset)",
              fixed(half_lit_dn, 1) + " of " + fixed(max_dn, 0) + " at the default exposure");
}

void print_table(std::ostream& out, const physics::DeviceProfile& profile) {
    const auto document = profile.to_json();
    out << "profile " << profile.name << "\n" << profile.description << "\n";
    for (const char* section : {"dmd", "medium", "camera", "link", "controller"}) {
        out << "\n[" << section << "]\n";
        for (const auto& item : document.at(section).items()) {
            print_row(out, item.key(), value_text(item.value()));
        }
    }
    print_derived(out, profile);
}

int run_profile(const Command& command, const Arguments& args) {
    po::options_description options("options");
    options.add_options()("json", po::bool_switch(),
                          "print the validated profile as JSON instead of a table");
    add_set_option(options);
    Positionals positionals;
    positionals.hidden.add_options()("action", po::value<std::string>())("profile",
                                                                         po::value<std::string>());
    positionals.positional.add("action", 1).add("profile", 1);
    const auto values = parse_options(command, args, options, positionals);
    if (!values) return 0;
    const auto& vm = *values;
    if (!vm.count("action")) {
        throw UsageError("expected an action: opusim profile show NAME|PATH");
    }
    const std::string action = vm["action"].as<std::string>();
    if (action != "show") {
        throw UsageError("ACTION: expected 'show', got '" + action + "'");
    }
    if (!vm.count("profile")) {
        throw UsageError(
            "expected the profile to show: a built-in NAME (gen2, gen3) or the PATH of a profile "
            ".json, as in opusim profile show gen2");
    }
    physics::DeviceProfile profile;
    try {
        profile = model::load_device_profile(vm["profile"].as<std::string>());
    } catch (const physics::ProfileError& error) {
        throw UsageError(error.what());
    }
    const auto overrides = set_options(vm);
    try {
        profile = physics::with_overrides(profile, overrides);
    } catch (const physics::ProfileOverrideError& error) {
        throw UsageError("--set " + error.override_text() + ": " + error.detail());
    }
    if (vm["json"].as<bool>()) {
        // The profile document itself, plus "version" (which loading a profile ignores), so the
        // output is still a loadable profile.
        print_json_report(profile.to_json());
    } else {
        print_table(std::cout, profile);
    }
    return 0;
}

const Command kProfile{
    "profile",
    "opusim profile show NAME|PATH [--set KEY=VALUE ...] [--json]   (NAME: gen2, gen3; PATH: a "
    "profile .json)",
    "show a device profile (validated) as a table or as JSON", nullptr};

const CommandRegistrar registrar{
    Command{kProfile.name, kProfile.synopsis, kProfile.summary,
            [](const Arguments& args) { return run_profile(kProfile, args); }}};

}  // namespace
}  // namespace opusim::cli
