// A private temporary folder for the files a report's commands write, removed with its contents
// when it goes out of scope.
#pragma once

#include <filesystem>
#include <string>

namespace opusim::cli::report {

class ScratchFolder {
  public:
    explicit ScratchFolder(const std::string& stem);  // TMPDIR/STEM-XXXXXX (mkdtemp)
    ~ScratchFolder();
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace opusim::cli::report
