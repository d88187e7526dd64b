// Provenance of every output file: beside each .npy a command writes, a JSON sidecar named after
// it with ".json" appended (Y.npy -> Y.npy.json, so the pair sorts together and no other file's
// name is taken) holding what is needed to reproduce it months later:
//
//   {"version": "0.1.0", "file": "Y.npy", "sha1": SHA-1 of Y.npy,
//    "command": "opusim transform --input X.npy --out Y.npy", "argv": [...],
//    "working_directory": "/home/me/run",
//    "device": "sim:gen2?seed=2002&noise_seed=1&noise=on" (canonical, with the seeds) or null,
//    "profile": {"name": "gen2", "sha1": SHA-1 of the profile's compact JSON dump} or null,
//    "seeds": {"medium_seed": 2002, "noise_seed": 1, "noise": true} or null,
//    "created_utc": "2026-11-29T05:40:12Z"}
//
// Hashes are SHA-1 (Boost.Uuid's, already a dependency; for identifying, not for security).
// Both files are written to temporaries in the target folder and renamed into place, so a
// failure never leaves a half-written file under either name.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "device_option.hpp"
#include "opusim/io/npy.hpp"
#include "opusim/physics/profile.hpp"

namespace opusim::cli {

// ARGUMENT quoted for a POSIX shell where needed (as the sidecars' "command" is).
std::string shell_quote(const std::string& argument);

// Keeps the command line (main() calls it first) for the sidecars' "command" and "argv".
void record_command_line(int argc, const char* const* argv);

struct Provenance {
    nlohmann::json device = nullptr;   // canonical device URI
    nlohmann::json profile = nullptr;  // {"name", "sha1"}
    nlohmann::json seeds = nullptr;    // {"medium_seed", "noise_seed", "noise"}
};

// The provenance of outputs of DEVICE.
Provenance provenance_of(const ChosenDevice& device);
// Of outputs from PROFILE with a medium seed only (opusim medium), or no profile at all.
Provenance provenance_of_medium(const physics::DeviceProfile* profile, std::uint64_t medium_seed);

// SHA-1 of the profile's compact JSON dump (to_json(), keys sorted), as 40 hex digits.
std::string profile_sha1(const physics::DeviceProfile& profile);

// The sidecar document of PATH (already written, hashed here) from PROVENANCE.
nlohmann::json sidecar_document(const std::filesystem::path& path, const Provenance& provenance);

// Writes the array to PATH and its sidecar to PATH.json, atomically each (see above). A failure
// is a std::runtime_error naming PATH.
void write_output_npy(const std::filesystem::path& path, io::DType dtype,
                      const std::vector<std::size_t>& shape, const void* data,
                      const Provenance& provenance);

template <class T>
void write_output_npy(const std::filesystem::path& path, const std::vector<std::size_t>& shape,
                      const std::vector<T>& values, const Provenance& provenance) {
    write_output_npy(path, io::dtype_of<T>(), shape, values.data(), provenance);
}

}  // namespace opusim::cli
