// The .npy reader/writer: round trips of every supported dtype, and clear errors for files it
// cannot read.
#include <gtest/gtest.h>

#include <complex>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <iterator>

#include "opusim/io/npy.hpp"

namespace {

using opusim::io::DType;
using opusim::io::NpyError;
using opusim::io::read_npy;
using opusim::io::write_npy;

// Unique per process and test: ctest runs the tests of this binary as parallel processes.
std::filesystem::path temp_file(const std::string& name) {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::filesystem::temp_directory_path() /
           ("opusim_test_npy_" + std::to_string(::getpid()) + "_" + test->name() + "_" + name);
}

template <class T>
void expect_round_trip(const std::vector<std::size_t>& shape, const std::vector<T>& values) {
    const auto path = temp_file("round_trip.npy");
    write_npy(path, shape, values);
    const auto array = read_npy(path);
    std::filesystem::remove(path);
    EXPECT_EQ(array.dtype, opusim::io::dtype_of<T>());
    EXPECT_EQ(array.shape, shape);
    ASSERT_EQ(array.size(), values.size());
    const T* data = array.data<T>();
    for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(data[i], values[i]) << i;
}

void write_raw(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

std::string npy_bytes(const std::string& header_dict, std::size_t data_bytes) {
    std::string header = header_dict;
    while ((10 + header.size() + 1) % 64 != 0) header.push_back(' ');
    header.push_back('\n');
    std::string bytes = "\x93NUMPY";
    bytes.push_back('\x01');
    bytes.push_back('\x00');
    bytes.push_back(static_cast<char>(header.size() & 0xff));
    bytes.push_back(static_cast<char>(header.size() >> 8));
    return bytes + header + std::string(data_bytes, '\0');
}

TEST(Npy, RoundTripsEveryDType) {
    expect_round_trip<std::uint8_t>({2, 3}, {0, 1, 2, 3, 254, 255});
    expect_round_trip<std::uint16_t>({3}, {0, 1023, 65535});
    expect_round_trip<std::int32_t>({2, 1}, {-7, 1 << 30});
    expect_round_trip<std::int64_t>({1}, {-(std::int64_t{1} << 40)});
    expect_round_trip<float>({2, 2, 1}, {0.5F, -1.25F, 3e30F, -0.0F});
    expect_round_trip<double>({1, 2}, {1e-300, -2.5});
    expect_round_trip<std::complex<float>>({2}, {{1.0F, -2.0F}, {0.0F, 0.5F}});
}

TEST(Npy, ScalarAndEmptyShapes) {
    expect_round_trip<float>({}, {4.0F});
    expect_round_trip<float>({0, 5}, {});
}

TEST(Npy, DataStartsOnA64ByteBoundary) {
    const auto path = temp_file("aligned.npy");
    write_npy<std::uint8_t>(path, {5}, {1, 2, 3, 4, 5});
    EXPECT_EQ(std::filesystem::file_size(path) % 64, 5U);
    std::filesystem::remove(path);
}

TEST(Npy, ConvertsIntegersAndFloatsToDouble) {
    const auto path = temp_file("convert.npy");
    write_npy<std::uint16_t>(path, {3}, {0, 7, 65535});
    const auto values = read_npy(path).to_double();
    std::filesystem::remove(path);
    EXPECT_EQ(values, (std::vector<double>{0.0, 7.0, 65535.0}));
}

TEST(Npy, TypedViewOfTheWrongTypeIsAnError) {
    const auto path = temp_file("wrong_view.npy");
    write_npy<float>(path, {1}, {1.0F});
    const auto array = read_npy(path);
    std::filesystem::remove(path);
    EXPECT_THROW(array.data<double>(), NpyError);
}

TEST(Npy, ReadsAHeaderWrittenByNumPyWithByteOrderForSingleBytes) {
    const auto path = temp_file("numpy_u1.npy");
    write_raw(path, npy_bytes("{'descr': '<u1', 'fortran_order': False, 'shape': (4,), }", 4));
    const auto array = read_npy(path);
    std::filesystem::remove(path);
    EXPECT_EQ(array.dtype, DType::UInt8);
    EXPECT_EQ(array.shape, std::vector<std::size_t>{4});
}

void expect_error_mentioning(const std::string& header_dict, std::size_t data_bytes,
                             const std::string& fragment) {
    const auto path = temp_file("bad.npy");
    write_raw(path, npy_bytes(header_dict, data_bytes));
    try {
        read_npy(path);
        ADD_FAILURE() << "no error for " << header_dict;
    } catch (const NpyError& error) {
        EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    }
    std::filesystem::remove(path);
}

TEST(Npy, RejectsWhatItCannotRead) {
    expect_error_mentioning("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 4,
                            "unsupported dtype");
    expect_error_mentioning("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16,
                            "Fortran");
    expect_error_mentioning("{'descr': '<f4', 'fortran_order': False, 'shape': (8,), }", 4,
                            "truncated");
    expect_error_mentioning("{'descr': '<f4', 'fortran_order': False, }", 4, "'shape'");
    expect_error_mentioning("{'descr': '<f4', 'fortran_order': False, 'shape': (x,), }", 4,
                            "bad shape");
    // 2^62 x 4 float32 wraps size_t to 0 bytes; an entry beyond 2^64 used to escape as
    // std::out_of_range from stoull; a shape of 1e12 x 1e3 used to allocate before reading.
    expect_error_mentioning(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", 0,
        "overflows");
    expect_error_mentioning(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, 1), }", 0,
        "too large");
    expect_error_mentioning(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000, 1000), }", 8,
        "the file holds 8");
}

TEST(Npy, MissingFileAndNonNpyFile) {
    EXPECT_THROW(read_npy(temp_file("does_not_exist.npy")), NpyError);
    const auto path = temp_file("not_npy.npy");
    write_raw(path, "just some text");
    EXPECT_THROW(read_npy(path), NpyError);
    std::filesystem::remove(path);
}

// Issue 13, finding 3: an 80-byte file of format 2.0 or 3.0 whose header length field says 4 GiB
// is refused before anything is allocated (the length is compared with the file size).
TEST(Npy, HeaderLongerThanTheFileIsRefusedBeforeAllocating) {
    for (const char version : {'\x01', '\x02', '\x03'}) {
        std::string bytes = "\x93NUMPY";
        bytes.push_back(version);
        bytes.push_back('\x00');
        const std::size_t length_bytes = version == '\x01' ? 2 : 4;
        bytes.append(length_bytes, '\xff');  // 65535 or 4294967295 header bytes claimed
        bytes.resize(80, ' ');
        const auto path = temp_file(std::string("long_header_v") + char('0' + version) + ".npy");
        write_raw(path, bytes);
        try {
            read_npy(path);
            ADD_FAILURE() << "accepted a header longer than its file (version " << int(version)
                          << ")";
        } catch (const NpyError& error) {
            EXPECT_NE(std::string(error.what()).find("truncated header"), std::string::npos)
                << error.what();
        }
        std::filesystem::remove(path);
    }
}

TEST(Npy, AFolderIsAClearError) {
    try {
        read_npy(std::filesystem::temp_directory_path());
        ADD_FAILURE() << "read a folder";
    } catch (const NpyError& error) {
        EXPECT_NE(std::string(error.what()).find("is a folder"), std::string::npos) << error.what();
    }
}

// Input from a pipe (--input /dev/stdin): read in pieces as it arrives, truncation detected.
TEST(Npy, ReadsFromAPipe) {
    const std::vector<float> values{0.5f, 1.5f, -2.0f, 4.0f, 8.0f, 16.0f};
    const auto file = temp_file("piped.npy");
    write_npy(file, {2, 3}, values);
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove(file);
    for (const bool whole : {true, false}) {
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        const std::string sent = whole ? bytes : bytes.substr(0, bytes.size() - 4);
        const pid_t writer = ::fork();
        ASSERT_GE(writer, 0);
        if (writer == 0) {
            ::close(fds[0]);
            const ssize_t ignored = ::write(fds[1], sent.data(), sent.size());
            (void)ignored;
            ::_exit(0);
        }
        ::close(fds[1]);
        const std::string path = "/dev/fd/" + std::to_string(fds[0]);
        if (whole) {
            const auto array = read_npy(path);
            ASSERT_EQ(array.shape, (std::vector<std::size_t>{2, 3}));
            EXPECT_EQ(array.to_float(), values);
        } else {
            EXPECT_THROW(read_npy(path), NpyError);
        }
        ::close(fds[0]);
        int status = 0;
        ::waitpid(writer, &status, 0);
    }
}

// Finding 15: an empty float32 array converts without a memcpy from a null pointer (UBSan).
TEST(Npy, EmptyFloat32ArrayConverts) {
    const auto path = temp_file("empty.npy");
    write_npy(path, DType::Float32, {0, 3}, nullptr);
    const auto array = read_npy(path);
    std::filesystem::remove(path);
    EXPECT_TRUE(array.to_float().empty());
    EXPECT_TRUE(array.to_double().empty());
}

// Finding 13: the stored value, not its float32 rounding.
TEST(Npy, ValueAtReadsTheStoredDType) {
    const auto path = temp_file("doubles.npy");
    write_npy(path, {3}, std::vector<double>{1.0000000001, 1e-50, 1.0});
    const auto array = read_npy(path);
    std::filesystem::remove(path);
    EXPECT_NE(array.value_at(0), 1.0);
    EXPECT_NE(array.value_at(1), 0.0);
    EXPECT_EQ(array.value_at(2), 1.0);
    EXPECT_EQ(array.to_float()[0], 1.0f);  // what the old check saw
}

}  // namespace
