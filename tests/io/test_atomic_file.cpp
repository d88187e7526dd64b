// Outputs are written to a temporary beside the target and renamed (issue 13, finding 8): a
// failed write leaves the old file (or none) and no temporary; a SIGINT while writing leaves no
// partial file under any name.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "opusim/io/atomic_file.hpp"
#include "opusim/io/npy.hpp"

namespace {

namespace fs = std::filesystem;
using opusim::io::AtomicFileError;
using opusim::io::write_file_atomically;

// A folder of the test's own (ctest runs tests as parallel processes).
class Folder {
  public:
    Folder() {
        char pattern[] = "/tmp/opusim-atomic-test-XXXXXX";
        path_ = ::mkdtemp(pattern);
    }
    ~Folder() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    fs::path operator/(const std::string& name) const { return path_ / name; }
    std::vector<std::string> names() const {
        std::vector<std::string> names;
        for (const auto& entry : fs::directory_iterator(path_)) {
            names.push_back(entry.path().filename().string());
        }
        return names;
    }

  private:
    fs::path path_;
};

std::string contents(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(AtomicFile, WritesAndReplaces) {
    const Folder folder;
    const auto path = folder / "out.txt";
    write_file_atomically(path, [](std::ostream& out) { out << "first"; });
    write_file_atomically(path, [](std::ostream& out) { out << "second"; });
    EXPECT_EQ(contents(path), "second");
    EXPECT_EQ(folder.names(), std::vector<std::string>{"out.txt"});
}

// A writer that fails half-way (as a full disk does): the old file stays whole.
TEST(AtomicFile, AFailedWriteLeavesTheOldFileAndNoTemporary) {
    const Folder folder;
    const auto path = folder / "out.npy";
    write_file_atomically(path, [](std::ostream& out) { out << "old contents"; });
    // The stream fails as on ENOSPC (badbit), and a writer that throws.
    EXPECT_THROW(write_file_atomically(path,
                                       [](std::ostream& out) {
                                           out << "partial";
                                           out.setstate(std::ios::badbit);
                                       }),
                 AtomicFileError);
    EXPECT_THROW(write_file_atomically(path,
                                       [](std::ostream& out) {
                                           out << "partial";
                                           throw std::runtime_error("no space left on device");
                                       }),
                 AtomicFileError);
    EXPECT_EQ(contents(path), "old contents");
    EXPECT_EQ(folder.names(), std::vector<std::string>{"out.npy"});
    // And with no old file, none appears.
    const auto fresh = folder / "fresh.npy";
    EXPECT_THROW(
        write_file_atomically(fresh, [](std::ostream& out) { out.setstate(std::ios::failbit); }),
        AtomicFileError);
    EXPECT_FALSE(fs::exists(fresh));
    EXPECT_EQ(folder.names(), std::vector<std::string>{"out.npy"});
}

TEST(AtomicFile, AFolderThatCannotBeWrittenIsAnErrorNamingThePath) {
    const Folder folder;
    try {
        write_file_atomically(folder / "missing" / "out.npy", [](std::ostream& out) { out << 1; });
        ADD_FAILURE() << "wrote into a missing folder";
    } catch (const AtomicFileError& error) {
        EXPECT_NE(std::string(error.what()).find("missing/out.npy"), std::string::npos)
            << error.what();
    }
}

// SIGINT while the temporary is being written: the process dies of the signal and neither the
// target nor the temporary exists.
TEST(AtomicFile, SigintWhileWritingLeavesNoFile) {
    const Folder folder;
    const auto path = folder / "interrupted.npy";
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::signal(SIGINT, SIG_DFL);
        write_file_atomically(path, [](std::ostream& out) {
            out << std::string(1 << 20, 'x');
            out.flush();
            ::raise(SIGINT);  // the user presses Ctrl-C half-way
            out << "never";
        });
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child was not ended by SIGINT";
    EXPECT_EQ(WTERMSIG(status), SIGINT);
    EXPECT_TRUE(folder.names().empty()) << folder.names().front();
}

TEST(AtomicFile, WriteNpyIsAtomic) {
    const Folder folder;
    const auto path = folder / "array.npy";
    opusim::io::write_npy(path, {2}, std::vector<float>{1.0f, 2.0f});
    EXPECT_EQ(opusim::io::read_npy(path).to_float(), (std::vector<float>{1.0f, 2.0f}));
    EXPECT_EQ(folder.names(), std::vector<std::string>{"array.npy"});
}

}  // namespace
