// Device errors as Python exceptions: every driver error is an opusim.OpuError, with the
// driver's message; busy, timeout and device faults are its subclasses (the timeout is also a
// builtin TimeoutError). Invalid arguments (std::invalid_argument) stay pybind11's ValueError.
#include <string>

#include "bindings.hpp"
#include "opusim/errors.hpp"

namespace opusim::python {

namespace {

// Throws the driver error KIND ("busy", "timeout", "fault", "driver") with MESSAGE: for the
// tests of the translation above (the simulated device has no switch to make each happen).
[[noreturn]] void throw_driver_error(const std::string& kind, const std::string& message) {
    using contract::DeviceError;
    if (kind == "busy") throw driver::DeviceBusyError(message, 1);
    if (kind == "timeout") throw driver::TimeoutError(DeviceError::Stalled, 0, 0, message);
    if (kind == "fault") throw driver::DmaError(DeviceError::DmaRead, 0, 0, message);
    if (kind == "driver") throw driver::DriverError(message);
    throw std::invalid_argument("kind: expected busy, timeout, fault or driver, got " + kind);
}

}  // namespace

void bind_errors(py::module_& module) {
    static py::exception<driver::DriverError> opu_error(module, "OpuError", PyExc_RuntimeError);
    static py::exception<driver::DeviceBusyError> busy(module, "DeviceBusyError", opu_error.ptr());
    const py::tuple timeout_bases = py::make_tuple(opu_error, py::handle(PyExc_TimeoutError));
    static py::exception<driver::TimeoutError> timeout(module, "DeviceTimeoutError",
                                                       timeout_bases.ptr());
    static py::exception<driver::DeviceError> fault(module, "DeviceFaultError", opu_error.ptr());
    py::register_exception_translator([](std::exception_ptr error) {
        try {
            if (error) std::rethrow_exception(error);
        } catch (const driver::DeviceBusyError& e) {
            busy(e.what());
        } catch (const driver::TimeoutError& e) {
            timeout(e.what());
        } catch (const driver::DeviceError& e) {
            fault(e.what());
        } catch (const driver::DriverError& e) {
            opu_error(e.what());
        }
    });
    module.def_submodule("_testing", "for opusim's tests only")
        .def("throw_driver_error", &throw_driver_error, py::arg("kind"), py::arg("message"));
}

}  // namespace opusim::python
