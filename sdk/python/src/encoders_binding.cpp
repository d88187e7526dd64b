// The C++ encoders (opusim/encoders.hpp), for tests that check the Python encoders
// (opusim.encoding.base, numpy) agree with them, and for users who want the C++ ones.
#include <pybind11/stl.h>

#include <cstdint>

#include "bindings.hpp"
#include "opusim/encoders.hpp"

namespace opusim::python {

namespace {

using FloatArray = py::array_t<float, py::array::c_style>;

// Binds fit / transform / fit_transform of ENCODER (float32 in, uint8 out).
template <class Encoder, class Class>
void bind_encoding_methods(Class& cls) {
    cls.def(
           "fit",
           [](Encoder& encoder, const FloatArray& x) -> Encoder& {
               return encoder.fit(view_of(x));
           },
           py::arg("x"), py::return_value_policy::reference_internal)
        .def(
            "transform",
            [](const Encoder& encoder, const FloatArray& x) {
                return to_numpy(encoder.transform(view_of(x)));
            },
            py::arg("x"))
        .def(
            "fit_transform",
            [](Encoder& encoder, const FloatArray& x) {
                return to_numpy(encoder.fit_transform(view_of(x)));
            },
            py::arg("x"));
}

}  // namespace

void bind_encoders(py::module_& module) {
    auto cpp = module.def_submodule("cpp_encoders", "the C++ SDK's encoders (opusim/encoders.hpp)");

    py::class_<BinaryThresholdEncoder> binary(cpp, "BinaryThresholdEncoder");
    binary.def(py::init<>()).def(py::init<float>(), py::arg("threshold"));
    binary.def_property_readonly("thresholds", &BinaryThresholdEncoder::thresholds);
    bind_encoding_methods<BinaryThresholdEncoder>(binary);

    py::class_<MultiThresholdEncoder> multi(cpp, "MultiThresholdEncoder");
    multi.def(py::init<unsigned>(), py::arg("n_bins") = 8);
    multi.def_property_readonly("thresholds", &MultiThresholdEncoder::thresholds);
    bind_encoding_methods<MultiThresholdEncoder>(multi);

    py::class_<SequentialBaseTwoEncoder> sequential(cpp, "SequentialBaseTwoEncoder");
    sequential.def(py::init<unsigned>(), py::arg("n_gray_levels") = 16);
    bind_encoding_methods<SequentialBaseTwoEncoder>(sequential);

    py::class_<SeparatedBitPlanEncoder> planes(cpp, "SeparatedBitPlanEncoder");
    planes.def(py::init<unsigned>(), py::arg("precision") = 6);
    planes.def_property_readonly("positive_max", &SeparatedBitPlanEncoder::positive_max)
        .def_property_readonly("negative_max", &SeparatedBitPlanEncoder::negative_max);
    bind_encoding_methods<SeparatedBitPlanEncoder>(planes);

    py::class_<SeparatedBitPlanDecoder>(cpp, "SeparatedBitPlanDecoder")
        .def(py::init<const SeparatedBitPlanEncoder&>(), py::arg("encoder"))
        .def(
            "transform",
            [](const SeparatedBitPlanDecoder& decoder, const FloatArray& y) {
                return to_numpy(decoder.transform(view_of(y)));
            },
            py::arg("y"));
}

}  // namespace opusim::python
