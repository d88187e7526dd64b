// Device errors as Python exceptions: every driver error is an opusim.OpuError, with the
// driver's message; busy, timeout and device faults are its subclasses (the timeout is also a
// builtin TimeoutError). Invalid arguments (std::invalid_argument) stay pybind11's ValueError.
#include "bindings.hpp"
#include "opusim/errors.hpp"

namespace opusim::python {

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
}

}  // namespace opusim::python
