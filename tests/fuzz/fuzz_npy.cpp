// libFuzzer harness: the .npy reader (sdk/io) on arbitrary bytes. Its contract: an array, or an
// NpyError naming what is wrong; never a crash, an undefined behaviour or an allocation the file
// cannot justify (libFuzzer's -malloc_limit_mb catches those).
#include <cstddef>
#include <cstdint>

#include "fuzz_input_file.hpp"
#include "opusim/io/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const opusim::fuzz::InputFile file(data, size);
    try {
        const opusim::io::NpyArray array = opusim::io::read_npy(file.path());
        // What callers do next: convert every element (checks the shape against the bytes).
        if (array.dtype != opusim::io::DType::Complex64) (void)array.to_double();
    } catch (const opusim::io::NpyError&) {
        // the documented refusal
    }
    return 0;
}
