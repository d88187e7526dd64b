// libFuzzer harness: the device profile loader (sim/physics) on arbitrary bytes. Its contract: a
// validated profile, or a ProfileError naming the key and what was expected; never a crash, a
// stack overflow or an undefined behaviour.
#include <cstddef>
#include <cstdint>

#include "fuzz_input_file.hpp"
#include "opusim/physics/profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const opusim::fuzz::InputFile file(data, size);
    try {
        const auto profile = opusim::physics::DeviceProfile::load(file.path());
        (void)profile.dmd.mirrors();
    } catch (const opusim::physics::ProfileError&) {
        // the documented refusal
    }
    return 0;
}
