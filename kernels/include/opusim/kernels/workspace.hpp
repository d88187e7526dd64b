// Scratch buffers of the kernels, counted: every temporary an attention kernel allocates goes
// through Buffer<T>, which adds its bytes to a process-wide counter while it lives. The
// benchmarks read the peak to report the real working set of each kernel (inputs and outputs
// are not counted: they are the same for every method). BLAS-internal buffers are not counted.
#pragma once

#include <cstddef>
#include <vector>

namespace opusim::kernels {

class WorkspaceCounter {
  public:
    static std::size_t current_bytes();
    static std::size_t peak_bytes();
    // Sets the peak to the current value, so the next peak_bytes() is that of what follows.
    static void reset_peak();

    static void add(std::size_t bytes);
    static void remove(std::size_t bytes);
};

// A zero-initialised, counted, fixed-size array.
template <class T>
class Buffer {
  public:
    Buffer() = default;
    explicit Buffer(std::size_t count) : values_(count, T{}) { WorkspaceCounter::add(bytes()); }
    ~Buffer() { WorkspaceCounter::remove(bytes()); }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    Buffer(Buffer&& other) noexcept : values_(std::move(other.values_)) { other.values_.clear(); }
    Buffer& operator=(Buffer&& other) noexcept {
        if (this != &other) {
            WorkspaceCounter::remove(bytes());
            values_ = std::move(other.values_);
            other.values_.clear();
        }
        return *this;
    }

    T* data() { return values_.data(); }
    const T* data() const { return values_.data(); }
    std::size_t size() const { return values_.size(); }
    T& operator[](std::size_t i) { return values_[i]; }
    const T& operator[](std::size_t i) const { return values_[i]; }
    T* begin() { return values_.data(); }
    T* end() { return values_.data() + values_.size(); }

  private:
    std::size_t bytes() const { return values_.size() * sizeof(T); }
    std::vector<T> values_;
};

}  // namespace opusim::kernels
