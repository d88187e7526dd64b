// The main of a fuzz harness outside libFuzzer (gcc builds, CTest): feeds every file named on the
// command line, or every file in the folders named, to LLVMFuzzerTestOneInput once, so the seed
// corpus runs as a regression test under the sanitizers of the build. A crash or sanitizer report
// ends the process with a failure, as libFuzzer would.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int run_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
        return 1;
    }
    const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                          std::istreambuf_iterator<char>()};
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    return 0;
}

}  // namespace

int main(int argc, char* argv[]) {
    std::vector<std::filesystem::path> files;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path given = argv[i];
        if (std::filesystem::is_directory(given)) {
            for (const auto& entry : std::filesystem::directory_iterator(given)) {
                if (entry.is_regular_file()) files.push_back(entry.path());
            }
        } else {
            files.push_back(given);
        }
    }
    if (files.empty()) {
        std::fprintf(stderr, "replay: no input files (usage: HARNESS FILE_OR_FOLDER...)\n");
        return 2;
    }
    std::sort(files.begin(), files.end());  // the same order every run
    int failures = 0;
    for (const auto& file : files) failures += run_file(file);
    std::printf("replayed %zu inputs\n", files.size());
    return failures == 0 ? 0 : 1;
}
