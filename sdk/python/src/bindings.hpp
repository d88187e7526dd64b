// What the pieces of the _opusim extension share: one bind function per concept, and the
// conversions between numpy arrays and the SDK's arrays.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <utility>
#include <vector>

#include "opusim/array.hpp"
#include "opusim/context.hpp"

namespace opusim::python {

namespace py = pybind11;

void bind_errors(py::module_& module);
void bind_opu(py::module_& module);
void bind_encoders(py::module_& module);
void bind_attention(py::module_& module);

// The context of a result as a dict with the SDK's field names (opusim.context builds
// lightonml's view of it).
py::dict context_to_dict(const Context& context);

// A C-contiguous numpy array seen by the SDK without a copy.
template <class T>
ArrayView<T> view_of(const py::array_t<T, py::array::c_style>& array) {
    return ArrayView<T>(array.data(), Shape(array.shape(), array.shape() + array.ndim()));
}

// A numpy array that takes over VALUES (moved, never copied); SHAPE must match their count.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& values, const Shape& shape) {
    auto* owned = new std::vector<T>(std::move(values));
    const py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    return py::array_t<T>(std::vector<py::ssize_t>(shape.begin(), shape.end()), owned->data(),
                          owner);
}

template <class T>
py::array_t<T> to_numpy(Array<T>&& array) {
    return to_numpy(std::move(array.values), array.shape);
}

}  // namespace opusim::python
