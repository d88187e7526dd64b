#include "opusim/io/npy.hpp"

#include "opusim/io/atomic_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <numeric>
#include <sstream>

namespace opusim::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

struct DTypeInfo {
    DType dtype;
    const char* descr;
    const char* name;
    std::size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::Bool, "|b1", "bool", 1},       {DType::UInt8, "|u1", "uint8", 1},
    {DType::UInt16, "<u2", "uint16", 2},   {DType::Int32, "<i4", "int32", 4},
    {DType::Int64, "<i8", "int64", 8},     {DType::Float32, "<f4", "float32", 4},
    {DType::Float64, "<f8", "float64", 8}, {DType::Complex64, "<c8", "complex64", 8},
};

const DTypeInfo& info(DType dtype) {
    for (const auto& entry : kDTypes) {
        if (entry.dtype == dtype) return entry;
    }
    throw NpyError("unknown dtype");
}

DType parse_descr(const std::string& descr, const std::filesystem::path& path) {
    // NumPy writes single-byte types as "|u1" but also accepts "<u1"; normalise the byte order.
    std::string normalised = descr;
    if (normalised.size() == 3 && normalised[2] == '1' && normalised[0] != '>') normalised[0] = '|';
    for (const auto& entry : kDTypes) {
        if (normalised == entry.descr) return entry.dtype;
    }
    throw NpyError(path.string() + ": unsupported dtype '" + descr +
                   "' (expected little-endian bool, uint8, uint16, int32, int64, float32, "
                   "float64 or complex64)");
}

// The text of KEY's value in the header dict: a quoted string, a bare word (True/False) or a
// parenthesised tuple, returned without its quotes or parentheses. Hand-parsed: the header is a
// tiny fixed-form Python dict literal.
std::string header_field(const std::string& header, const std::string& key,
                         const std::filesystem::path& path) {
    const std::string quoted_key = "'" + key + "'";
    std::size_t at = header.find(quoted_key);
    if (at == std::string::npos) {
        throw NpyError(path.string() + ": header has no '" + key + "' field");
    }
    at = header.find(':', at + quoted_key.size());
    if (at == std::string::npos) throw NpyError(path.string() + ": malformed '" + key + "' field");
    at = header.find_first_not_of(" \t", at + 1);
    if (at == std::string::npos) throw NpyError(path.string() + ": malformed '" + key + "' field");
    const char opening = header[at];
    const char closing = opening == '\'' ? '\'' : opening == '(' ? ')' : '\0';
    if (closing != '\0') {
        const std::size_t end = header.find(closing, at + 1);
        if (end == std::string::npos) {
            throw NpyError(path.string() + ": unterminated '" + key + "' field");
        }
        return header.substr(at + 1, end - at - 1);
    }
    const std::size_t end = header.find_first_of(",}", at);
    std::string word = header.substr(at, end == std::string::npos ? std::string::npos : end - at);
    word.erase(word.find_last_not_of(" \t") + 1);
    return word;
}

std::vector<std::size_t> parse_shape(const std::string& text, const std::filesystem::path& path) {
    std::vector<std::size_t> shape;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ',')) {
        item.erase(std::remove_if(item.begin(), item.end(), ::isspace), item.end());
        if (item.empty()) continue;
        if (!std::all_of(item.begin(), item.end(), ::isdigit)) {
            throw NpyError(path.string() + ": bad shape entry '" + item + "'");
        }
        errno = 0;
        const unsigned long long extent = std::strtoull(item.c_str(), nullptr, 10);
        if (errno == ERANGE || extent > std::numeric_limits<std::size_t>::max()) {
            throw NpyError(path.string() + ": shape entry '" + item + "' is too large");
        }
        shape.push_back(static_cast<std::size_t>(extent));
    }
    return shape;
}

// The data size of SHAPE x ITEM_SIZE bytes, refusing a product that would wrap around (a crafted
// or corrupt header must not turn into a small buffer described by a huge shape).
std::size_t checked_data_bytes(const std::vector<std::size_t>& shape, std::size_t item_size,
                               const std::filesystem::path& path) {
    std::size_t bytes = item_size;
    for (const std::size_t extent : shape) {
        if (extent != 0 && bytes > std::numeric_limits<std::size_t>::max() / extent) {
            throw NpyError(path.string() + ": the shape's size overflows");
        }
        bytes *= extent;
    }
    if (std::find(shape.begin(), shape.end(), std::size_t{0}) != shape.end()) return 0;
    return bytes;
}

std::size_t element_count(const std::vector<std::size_t>& shape) {
    return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

}  // namespace

std::size_t dtype_size(DType dtype) {
    return info(dtype).size;
}
std::string dtype_descr(DType dtype) {
    return info(dtype).descr;
}
std::string dtype_name(DType dtype) {
    return info(dtype).name;
}

std::size_t NpyArray::size() const {
    return element_count(shape);
}

void NpyArray::check_type(DType wanted) const {
    if (wanted != dtype) {
        throw NpyError("array has dtype " + dtype_name(dtype) + ", not " + dtype_name(wanted));
    }
}

std::vector<double> NpyArray::to_double() const {
    const std::size_t n = size();
    std::vector<double> out(n);
    auto convert = [&](auto tag) {
        using T = decltype(tag);
        for (std::size_t i = 0; i < n; ++i) {
            T value;
            std::memcpy(&value, bytes.data() + i * sizeof(T), sizeof(T));
            out[i] = static_cast<double>(value);
        }
    };
    switch (dtype) {
        case DType::Bool:
        case DType::UInt8:
            convert(std::uint8_t{});
            break;
        case DType::UInt16:
            convert(std::uint16_t{});
            break;
        case DType::Int32:
            convert(std::int32_t{});
            break;
        case DType::Int64:
            convert(std::int64_t{});
            break;
        case DType::Float32:
            convert(float{});
            break;
        case DType::Float64:
            convert(double{});
            break;
        case DType::Complex64:
            throw NpyError("a complex64 array cannot be read as real numbers");
    }
    return out;
}

double NpyArray::value_at(std::size_t i) const {
    auto read = [&](auto tag) {
        using T = decltype(tag);
        T value;
        std::memcpy(&value, bytes.data() + i * sizeof(T), sizeof(T));
        return static_cast<double>(value);
    };
    switch (dtype) {
        case DType::Bool:
        case DType::UInt8:
            return read(std::uint8_t{});
        case DType::UInt16:
            return read(std::uint16_t{});
        case DType::Int32:
            return read(std::int32_t{});
        case DType::Int64:
            return read(std::int64_t{});
        case DType::Float32:
            return read(float{});
        case DType::Float64:
            return read(double{});
        case DType::Complex64:
            break;
    }
    throw NpyError("a complex64 array cannot be read as real numbers");
}

std::vector<float> NpyArray::to_float() const {
    if (dtype == DType::Float32) {
        std::vector<float> out(size());
        if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());  // no null ptrs
        return out;
    }
    const auto values = to_double();
    return {values.begin(), values.end()};
}

namespace {

// A header longer than this is not one NumPy writes for an array it can load (np.load refuses
// headers over 10000 bytes by default); refusing it first keeps a crafted length from becoming
// a large allocation.
constexpr std::size_t kMaxHeaderBytes = 65536;
// Data from a stream of unknown size (a pipe) is read in pieces of this size, so memory grows
// with the bytes that really arrive, never with what the header claims.
constexpr std::size_t kStreamChunkBytes = std::size_t{16} << 20;

// Bytes left in FILE from its current position, or -1 when it cannot tell (a pipe).
std::int64_t bytes_remaining(std::ifstream& file) {
    const auto here = file.tellg();
    if (here < 0 || !file.seekg(0, std::ios::end)) {
        file.clear();
        return -1;
    }
    const auto end = file.tellg();
    file.seekg(here);
    if (end < here) return -1;
    return static_cast<std::int64_t>(end - here);
}

std::size_t read_header_length(std::ifstream& file, unsigned version,
                               const std::filesystem::path& path) {
    unsigned char length[4] = {0, 0, 0, 0};
    const std::streamsize width = version == 1 ? 2 : 4;
    if (!file.read(reinterpret_cast<char*>(length), width)) {
        throw NpyError(path.string() + ": truncated header");
    }
    std::size_t header_length = 0;
    for (int i = static_cast<int>(width) - 1; i >= 0; --i) {
        header_length = (header_length << 8) | length[i];
    }
    return header_length;
}

void read_data(std::ifstream& file, std::int64_t remaining, std::size_t data_bytes,
               std::vector<unsigned char>& bytes, const std::filesystem::path& path) {
    const auto truncated = [&](std::uint64_t available) {
        return NpyError(path.string() + ": data truncated (expected " + std::to_string(data_bytes) +
                        " bytes, the file holds " + std::to_string(available) + ")");
    };
    if (remaining >= 0) {  // a file of known size: compare before allocating
        if (static_cast<std::uint64_t>(remaining) < data_bytes) throw truncated(remaining);
        bytes.resize(data_bytes);
        if (data_bytes > 0 && !file.read(reinterpret_cast<char*>(bytes.data()),
                                         static_cast<std::streamsize>(data_bytes))) {
            throw truncated(static_cast<std::uint64_t>(file.gcount()));
        }
        return;
    }
    while (bytes.size() < data_bytes) {  // a pipe: grow with what arrives
        const std::size_t done = bytes.size();
        const std::size_t piece = std::min(kStreamChunkBytes, data_bytes - done);
        bytes.resize(done + piece);
        file.read(reinterpret_cast<char*>(bytes.data() + done),
                  static_cast<std::streamsize>(piece));
        const auto got = static_cast<std::size_t>(file.gcount());
        if (got < piece) throw truncated(done + got);
    }
}

}  // namespace

NpyArray read_npy(const std::filesystem::path& path) {
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
        throw NpyError(path.string() + ": is a folder, expected a .npy file");
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) throw NpyError(path.string() + ": cannot open for reading");
    char magic[kMagicSize];
    unsigned char version[2];
    if (!file.read(magic, kMagicSize) || std::memcmp(magic, kMagic, kMagicSize) != 0 ||
        !file.read(reinterpret_cast<char*>(version), 2)) {
        throw NpyError(path.string() + ": not a NumPy .npy file (bad magic)");
    }
    if (version[0] < 1 || version[0] > 3) {
        throw NpyError(path.string() + ": unsupported .npy format version " +
                       std::to_string(version[0]));
    }
    const std::size_t header_length = read_header_length(file, version[0], path);
    const std::int64_t after_length = bytes_remaining(file);
    if (header_length > kMaxHeaderBytes ||
        (after_length >= 0 && header_length > static_cast<std::uint64_t>(after_length))) {
        throw NpyError(path.string() + ": truncated header (its length field says " +
                       std::to_string(header_length) + " bytes, " +
                       (after_length >= 0
                            ? "the file holds " + std::to_string(after_length)
                            : std::string("expected at most ") + std::to_string(kMaxHeaderBytes)) +
                       ")");
    }
    std::string header(header_length, '\0');
    if (!file.read(header.data(), static_cast<std::streamsize>(header_length))) {
        throw NpyError(path.string() + ": truncated header");
    }
    NpyArray array;
    array.dtype = parse_descr(header_field(header, "descr", path), path);
    if (header_field(header, "fortran_order", path) != "False") {
        throw NpyError(path.string() +
                       ": Fortran-order arrays are not supported (save with "
                       "numpy.ascontiguousarray)");
    }
    array.shape = parse_shape(header_field(header, "shape", path), path);
    const std::size_t data_bytes = checked_data_bytes(array.shape, dtype_size(array.dtype), path);
    read_data(file, after_length < 0 ? -1 : bytes_remaining(file), data_bytes, array.bytes, path);
    return array;
}

void write_npy(std::ostream& out, DType dtype, const std::vector<std::size_t>& shape,
               const void* data) {
    std::string shape_text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        shape_text += std::to_string(shape[i]);
        if (shape.size() == 1 || i + 1 < shape.size()) shape_text += ",";
        if (i + 1 < shape.size()) shape_text += " ";
    }
    shape_text += ")";
    std::string header = "{'descr': '" + dtype_descr(dtype) +
                         "', 'fortran_order': False, 'shape': " + shape_text + ", }";
    // Pad with spaces so the data starts on a 64-byte boundary, newline-terminated (format 1.0).
    const std::size_t preamble = kMagicSize + 2 + 2;
    const std::size_t total = ((preamble + header.size() + 1 + 63) / 64) * 64;
    header.append(total - preamble - header.size() - 1, ' ');
    header.push_back('\n');
    if (header.size() > 65535) throw NpyError("shape too long for a .npy header");

    out.write(kMagic, kMagicSize);
    const unsigned char version_and_length[4] = {1, 0,
                                                 static_cast<unsigned char>(header.size() & 0xff),
                                                 static_cast<unsigned char>(header.size() >> 8)};
    out.write(reinterpret_cast<const char*>(version_and_length), 4);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    const std::size_t data_bytes = element_count(shape) * dtype_size(dtype);
    if (data_bytes > 0)
        out.write(static_cast<const char*>(data), static_cast<std::streamsize>(data_bytes));
    if (!out) throw NpyError("write failed");
}

void write_npy(const std::filesystem::path& path, DType dtype,
               const std::vector<std::size_t>& shape, const void* data) {
    try {
        write_file_atomically(path, [&](std::ostream& out) { write_npy(out, dtype, shape, data); });
    } catch (const AtomicFileError& error) {
        throw NpyError(error.what());
    }
}

}  // namespace opusim::io
