// Files the report and the sweep write appear whole or not at all: written to a temporary beside
// the target and renamed into place (a rename within a folder is atomic on POSIX).
#pragma once

#include <filesystem>
#include <string>

namespace opusim::cli::report {

// Writes CONTENT to PATH atomically; a failure is a std::runtime_error naming PATH and leaves
// neither PATH changed nor the temporary behind.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace opusim::cli::report
