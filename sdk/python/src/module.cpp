// The _opusim extension: the binary half of the Python package opusim (sdk/python/opusim).
#include "bindings.hpp"
#include "opusim/version.hpp"

PYBIND11_MODULE(_opusim, module) {
    module.doc() = "opusim's C++ SDK and attention kernels, for the Python package opusim";
    module.attr("__version__") = opusim::version();
    opusim::python::bind_errors(module);
    opusim::python::bind_opu(module);
    opusim::python::bind_encoders(module);
    opusim::python::bind_attention(module);
}
