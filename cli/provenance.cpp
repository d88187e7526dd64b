#include "provenance.hpp"

#include "opusim/io/atomic_file.hpp"

#include <unistd.h>

#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include <boost/uuid/detail/sha1.hpp>

#include "opusim/version.hpp"

namespace fs = std::filesystem;

namespace opusim::cli {
namespace {

std::vector<std::string>& command_line() {
    static std::vector<std::string> arguments;
    return arguments;
}

// The digest as hex: Boost 1.74 keeps it as five 32-bit words, later releases as 20 bytes;
// printing each element at its full width gives the standard SHA-1 text with either.
template <class Digest>
std::string hex_digest(const Digest& digest) {
    std::ostringstream text;
    for (const auto element : digest) {
        text << std::hex << std::setfill('0') << std::setw(2 * sizeof(element))
             << static_cast<unsigned long long>(element);
    }
    return text.str();
}

class Sha1 {
  public:
    void add(const void* data, std::size_t size) { hash_.process_bytes(data, size); }
    std::string hex() {
        boost::uuids::detail::sha1::digest_type digest;
        hash_.get_digest(digest);
        return hex_digest(digest);
    }

  private:
    boost::uuids::detail::sha1 hash_;
};

std::string file_sha1(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(path.string() + ": cannot be read back to hash it");
    Sha1 hash;
    std::vector<char> buffer(1 << 20);
    while (file.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) ||
           file.gcount() > 0) {
        hash.add(buffer.data(), static_cast<std::size_t>(file.gcount()));
    }
    return hash.hex();
}

// 'it''s' quoting where needed, so "command" can be pasted into a POSIX shell.
std::string shell_quoted(const std::string& argument) {
    const bool plain = !argument.empty() && argument.find_first_not_of(
                                                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx"
                                                "yz0123456789_./:=@%+,-") == std::string::npos;
    if (plain) return argument;
    std::string quoted = "'";
    for (const char c : argument) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

}  // namespace

void record_command_line(int argc, const char* const* argv) {
    command_line().assign(argv, argv + argc);
}

std::string profile_sha1(const physics::DeviceProfile& profile) {
    const std::string dump = profile.to_json().dump();
    Sha1 hash;
    hash.add(dump.data(), dump.size());
    return hash.hex();
}

Provenance provenance_of(const ChosenDevice& device) {
    Provenance provenance;
    provenance.device = device.uri;
    provenance.profile = {{"name", device.profile.name}, {"sha1", profile_sha1(device.profile)}};
    provenance.seeds = {{"medium_seed", device.medium_seed},
                        {"noise_seed", device.noise_seed},
                        {"noise", device.noise}};
    return provenance;
}

Provenance provenance_of_medium(const physics::DeviceProfile* profile, std::uint64_t medium_seed) {
    Provenance provenance;
    if (profile != nullptr) {
        provenance.profile = {{"name", profile->name}, {"sha1", profile_sha1(*profile)}};
    }
    provenance.seeds = {{"medium_seed", medium_seed}};
    return provenance;
}

nlohmann::json sidecar_document(const fs::path& path, const Provenance& provenance) {
    std::string command;
    for (const auto& argument : command_line()) {
        command += (command.empty() ? "" : " ") + shell_quoted(argument);
    }
    std::error_code no_folder;
    const fs::path folder = fs::current_path(no_folder);
    return {{"version", opusim::version()},
            {"file", path.filename().string()},
            {"sha1", file_sha1(path)},
            {"command", command},
            {"argv", command_line()},
            {"working_directory", no_folder ? nlohmann::json(nullptr) : nlohmann::json(folder)},
            {"device", provenance.device},
            {"profile", provenance.profile},
            {"seeds", provenance.seeds},
            {"created_utc", utc_now()}};
}

void write_output_npy(const fs::path& path, io::DType dtype, const std::vector<std::size_t>& shape,
                      const void* data, const Provenance& provenance) {
    // Array first, then its sidecar: a sidecar always describes the array beside it. Both are
    // written atomically (io/atomic_file.hpp).
    io::write_npy(path, dtype, shape, data);
    fs::path sidecar = path;
    sidecar += ".json";
    const std::string text = sidecar_document(path, provenance)
                                 .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
                             "\n";
    io::write_file_atomically(sidecar, [&](std::ostream& out) { out << text; });
}

std::string shell_quote(const std::string& argument) {
    return shell_quoted(argument);
}

}  // namespace opusim::cli
