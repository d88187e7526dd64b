// NumPy .npy files (format versions 1.0-3.0, little-endian, C order): what the `opusim` command
// reads and writes, so arrays move between NumPy and opusim without conversion scripts.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace opusim::io {

class NpyError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class DType { Bool, UInt8, UInt16, Int32, Int64, Float32, Float64, Complex64 };

std::size_t dtype_size(DType dtype);
std::string dtype_descr(DType dtype);  // NumPy descr, e.g. "<f4"
std::string dtype_name(DType dtype);   // e.g. "float32"

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<bool>() {
    return DType::Bool;
}
template <>
constexpr DType dtype_of<std::uint8_t>() {
    return DType::UInt8;
}
template <>
constexpr DType dtype_of<std::uint16_t>() {
    return DType::UInt16;
}
template <>
constexpr DType dtype_of<std::int32_t>() {
    return DType::Int32;
}
template <>
constexpr DType dtype_of<std::int64_t>() {
    return DType::Int64;
}
template <>
constexpr DType dtype_of<float>() {
    return DType::Float32;
}
template <>
constexpr DType dtype_of<double>() {
    return DType::Float64;
}
template <>
constexpr DType dtype_of<std::complex<float>>() {
    return DType::Complex64;
}

struct NpyArray {
    DType dtype = DType::Float32;
    std::vector<std::size_t> shape;
    std::vector<unsigned char> bytes;  // C-order element data

    std::size_t size() const;  // number of elements
    // Typed view; throws NpyError when T does not match dtype.
    template <class T>
    const T* data() const {
        check_type(dtype_of<T>());
        return reinterpret_cast<const T*>(bytes.data());
    }
    // Every element converted to double (any real dtype; bool and integers exactly).
    std::vector<double> to_double() const;
    // Element I as a double, read from the stored dtype (no float32 rounding in between: a
    // float64 1.0000000001 stays itself). Throws NpyError for complex64.
    double value_at(std::size_t i) const;
    std::vector<float> to_float() const;

  private:
    void check_type(DType wanted) const;
};

// Throws NpyError naming the file and what is wrong (missing, not .npy, big-endian, Fortran
// order, unsupported dtype, truncated data).
NpyArray read_npy(const std::filesystem::path& path);

// Writes atomically (io/atomic_file.hpp): a failure leaves PATH as it was, or absent.
void write_npy(const std::filesystem::path& path, DType dtype,
               const std::vector<std::size_t>& shape, const void* data);
// The same bytes to OUT (NpyError when OUT fails).
void write_npy(std::ostream& out, DType dtype, const std::vector<std::size_t>& shape,
               const void* data);

template <class T>
void write_npy(const std::filesystem::path& path, const std::vector<std::size_t>& shape,
               const std::vector<T>& values) {
    write_npy(path, dtype_of<T>(), shape, values.data());
}

}  // namespace opusim::io
