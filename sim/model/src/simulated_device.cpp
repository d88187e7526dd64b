#include "opusim/model/simulated_device.hpp"
#include "opusim/model/profile_limits.hpp"

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <systemc>
#include <tlm>

#include "top/opu_top.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace opusim::model {

struct SimulatedDevice::Impl {
    OpuTop top{"opu"};
    bool pause_on_irq = false;
};

namespace {

// SystemC 2.3.4 tells AddressSanitizer about its QuickThreads stack switches through the weak
// fiber API, but describes the main stack as empty (base 0, size 0) when it switches back to it.
// After sc_start() returns, ASan therefore believes this thread's stack is [0, 0): its no-return
// handler (run at every C++ throw) stops clearing the poison of unwound frames, and the next throw
// reports a false stack-use-after-scope. Each time the kernel hands control back, re-announce the
// real main stack with a switch to itself. (Only in sanitizer builds; see docs/performance.md.)
#if defined(__SANITIZE_ADDRESS__)
void restore_main_stack_for_asan() {
    static void* bottom = nullptr;
    static std::size_t size = 0;
    if (bottom == nullptr) {
        pthread_attr_t attributes;
        if (pthread_getattr_np(pthread_self(), &attributes) != 0) return;
        pthread_attr_getstack(&attributes, &bottom, &size);
        pthread_attr_destroy(&attributes);
    }
    void* fake_stack = nullptr;
    __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
    __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
}
#else
void restore_main_stack_for_asan() {}
#endif

void quiet_systemc() {
    // The kernel prints a banner on first use unless told not to; a library must not.
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0);
}

}  // namespace

namespace {

// Set by the first SimulatedDevice of the process and never cleared: SystemC cannot elaborate a
// second model after the first has run (or failed).
std::atomic<bool> g_elaborated{false};

}  // namespace

SimulatedDevice::SimulatedDevice(const physics::DeviceProfile& profile,
                                 const SimulatedDeviceOptions& options) {
    // Before elaborating anything: a refused profile leaves the process free to make a device.
    check_profile_fits_device(profile);
    if (g_elaborated.exchange(true)) {
        throw std::logic_error(
            "SimulatedDevice: SystemC elaborates one model per process; this process already "
            "made one (run each simulated device in its own process, as the driver does)");
    }
    quiet_systemc();
    if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS)) {
        throw std::logic_error("SimulatedDevice: the SystemC time resolution must be 1 ps");
    }
    impl_ = std::make_unique<Impl>();
    impl_->top.host_interface.on_irq_rise = [this] {
        if (impl_->pause_on_irq) sc_core::sc_pause();
    };
    // SystemC traces only from the start of simulation: open the trace before anything runs.
    if (!options.vcd_path.empty()) {
        impl_->top.tracer.open(options.vcd_path, impl_->top.host_interface.irq);
    }
    impl_->top.sequencer.set_random_faults(RandomFaults(options.fault_rates, options.fault_seed));
    impl_->top.power_on(profile);  // throws std::invalid_argument naming a bad profile key
}

SimulatedDevice::~SimulatedDevice() = default;

void SimulatedDevice::attach_host_memory(HostMemory* memory) {
    impl_->top.host_memory.attach(memory);
}

void SimulatedDevice::advance(std::uint64_t picoseconds) {
    if (picoseconds == 0) return;  // nothing to simulate (SystemC warns about an empty sc_start)
    try {
        sc_core::sc_start(sc_core::sc_time::from_value(picoseconds));
    } catch (...) {
        // A failed simulation (an exception out of a SystemC thread) also returns here from a
        // thread's stack: re-announce the main stack before the exception travels on.
        restore_main_stack_for_asan();
        throw;
    }
    restore_main_stack_for_asan();
}

namespace {

[[noreturn]] void throw_bad_offset(std::uint32_t offset) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%03X", offset);
    throw std::out_of_range(std::string("register offset ") + text +
                            ": expected a multiple of 4 below 0x1000");
}

void check_access(std::uint32_t offset) {
    if (offset % 4 != 0 || offset >= contract::kMmioWindowBytes) throw_bad_offset(offset);
}

// One 32-bit register access (little-endian DATA) over the host's MMIO socket; returns the
// access time in picoseconds, which the caller advances the simulation by.
std::uint64_t transport_word(OpuTop& top, tlm::tlm_command command, std::uint32_t offset,
                             unsigned char (&data)[4]) {
    tlm::tlm_generic_payload payload;
    payload.set_command(command);
    payload.set_address(offset);
    payload.set_data_ptr(data);
    payload.set_data_length(4);
    payload.set_streaming_width(4);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    top.host_bus->b_transport(payload, delay);
    return delay.value();
}

}  // namespace

std::uint32_t SimulatedDevice::read_register(std::uint32_t offset) {
    check_access(offset);
    unsigned char data[4] = {};
    advance(transport_word(impl_->top, tlm::TLM_READ_COMMAND, offset, data));
    return std::uint32_t{data[0]} | std::uint32_t{data[1]} << 8 | std::uint32_t{data[2]} << 16 |
           std::uint32_t{data[3]} << 24;
}

void SimulatedDevice::write_register(std::uint32_t offset, std::uint32_t value) {
    check_access(offset);
    unsigned char data[4];
    for (int i = 0; i < 4; ++i) data[i] = static_cast<unsigned char>(value >> (8 * i));
    advance(transport_word(impl_->top, tlm::TLM_WRITE_COMMAND, offset, data));
}

bool SimulatedDevice::run_until_interrupt(double timeout_s) {
    if (!(timeout_s >= 0) || timeout_s > 1e6) {
        throw std::invalid_argument("timeout_s: expected 0 to 1e6 seconds of simulated time, got " +
                                    std::to_string(timeout_s));
    }
    if (impl_->top.host_interface.irq_level()) return true;
    impl_->pause_on_irq = true;
    advance(static_cast<std::uint64_t>(timeout_s * 1e12));
    impl_->pause_on_irq = false;
    return impl_->top.host_interface.irq_level();
}

double SimulatedDevice::now_s() const {
    return sc_core::sc_time_stamp().to_seconds();
}

}  // namespace opusim::model

// libsystemc.so carries a main() that calls sc_main(). Programs using the model have their own
// main() and elaborate by making a SimulatedDevice, but the shared library's reference must
// still resolve; this definition is never called.
int sc_main(int /*argc*/, char* /*argv*/[]) {
    return 1;
}
