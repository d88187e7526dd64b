// The attention kernels (opusim/kernels, docs/kernels.md): projections (CPU and on the device)
// and FAVOR+ / exact attention on float32 (batch, heads, length, dim) arrays. The kernels own
// their tensors, so inputs are copied in once and results out once; the GIL is released while
// they compute (and while a device projection runs).
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "opusim/kernels/device_projection.hpp"
#include "opusim/kernels/exact_attention.hpp"
#include "opusim/kernels/favor_attention.hpp"
#include "opusim/kernels/projection.hpp"

namespace opusim::python {

namespace {

namespace k = opusim::kernels;
using FloatArray = py::array_t<float, py::array::c_style>;

k::Tensor4 tensor_of(const FloatArray& array, const char* name) {
    if (array.ndim() != 4) {
        throw std::invalid_argument(std::string(name) +
                                    ": expected 4 dimensions (batch, heads, length, dim), got " +
                                    std::to_string(array.ndim()));
    }
    const k::Shape4 shape{std::size_t(array.shape(0)), std::size_t(array.shape(1)),
                          std::size_t(array.shape(2)), std::size_t(array.shape(3))};
    return k::Tensor4(shape, std::vector<float>(array.data(), array.data() + array.size()));
}

py::array_t<float> array_of(const k::Tensor4& tensor) {
    const auto& s = tensor.shape();
    return py::array_t<float>(std::vector<py::ssize_t>{py::ssize_t(s.batch), py::ssize_t(s.heads),
                                                       py::ssize_t(s.length), py::ssize_t(s.dim)},
                              tensor.data());
}

py::dict cost_dict(const k::ProjectionCost& cost) {
    py::dict d;
    d["calls"] = cost.calls;
    d["rows"] = cost.rows;
    d["frames"] = cost.frames;
    d["device_time_s"] = cost.device_time_s;
    d["host_time_s"] = cost.host_time_s;
    return d;
}

py::array_t<float> project(k::Projection& projection, const FloatArray& x) {
    if (x.ndim() != 2) {
        throw std::invalid_argument("x: expected a (rows, " +
                                    std::to_string(projection.input_dim()) + ") matrix, got " +
                                    std::to_string(x.ndim()) + " dimensions");
    }
    const auto rows = std::size_t(x.shape(0));
    std::vector<float> out(rows * projection.output_dim());
    {
        const py::gil_scoped_release release;
        projection.project(k::dense(x.data(), rows, std::size_t(x.shape(1))),
                           k::dense(out.data(), rows, projection.output_dim()));
    }
    return to_numpy(std::move(out), Shape{rows, projection.output_dim()});
}

py::tuple favor(const FloatArray& q, const FloatArray& key, const FloatArray& v,
                k::Projection& projection, const std::string& kernel, bool causal,
                std::size_t chunk) {
    k::FavorOptions options;
    options.kernel = k::parse_feature_kernel(kernel);
    options.causal = causal;
    options.chunk = chunk;
    const auto tq = tensor_of(q, "q");
    const auto tk = tensor_of(key, "k");
    const auto tv = tensor_of(v, "v");
    k::FavorReport report;
    k::Tensor4 out;
    {
        const py::gil_scoped_release release;
        out = k::favor_attention(tq, tk, tv, projection, options, &report);
    }
    py::dict report_dict = cost_dict(report.projection);
    report_dict["features"] = report.features;
    return py::make_tuple(array_of(out), report_dict);
}

py::array_t<float> exact(const FloatArray& q, const FloatArray& key, const FloatArray& v,
                         bool causal) {
    k::ExactOptions options;
    options.causal = causal;
    const auto tq = tensor_of(q, "q");
    const auto tk = tensor_of(key, "k");
    const auto tv = tensor_of(v, "v");
    k::Tensor4 out;
    {
        const py::gil_scoped_release release;
        out = k::exact_attention(tq, tk, tv, options);
    }
    return array_of(out);
}

template <class T, class... Args>
std::shared_ptr<T> make_released(Args&&... args) {
    const py::gil_scoped_release release;  // a device projection opens its device
    return std::make_shared<T>(std::forward<Args>(args)...);
}

}  // namespace

void bind_attention(py::module_& module) {
    using py::arg;
    auto m = module.def_submodule("kernels", "FAVOR+ and exact attention (docs/kernels.md)");

    py::class_<k::Projection, std::shared_ptr<k::Projection>>(m, "Projection")
        .def("project", &project, arg("x"))
        .def_property_readonly("input_dim", &k::Projection::input_dim)
        .def_property_readonly("output_dim", &k::Projection::output_dim)
        .def_property_readonly(
            "output_kind",
            [](const k::Projection& p) {
                return p.output_kind() == k::ProjectionOutput::Linear ? "linear" : "intensity";
            })
        .def("describe", &k::Projection::describe)
        .def("total_cost", [](const k::Projection& p) { return cost_dict(p.total_cost()); })
        .def("reset_cost", &k::Projection::reset_cost);

    m.def(
        "iid_projection",
        [](std::size_t m_, std::size_t d, std::uint64_t seed) -> std::shared_ptr<k::Projection> {
            return k::make_iid_projection(m_, d, seed);
        },
        arg("m"), arg("d"), arg("seed"));
    m.def(
        "orthogonal_projection",
        [](std::size_t m_, std::size_t d, std::uint64_t seed) -> std::shared_ptr<k::Projection> {
            return k::make_orthogonal_projection(m_, d, seed);
        },
        arg("m"), arg("d"), arg("seed"));
    m.def(
        "complex_intensity_projection",
        [](std::size_t m_, std::size_t d, std::uint64_t seed) -> std::shared_ptr<k::Projection> {
            return std::make_shared<k::ComplexIntensityProjection>(m_, d, seed);
        },
        arg("m"), arg("d"), arg("seed"));

    py::class_<k::DeviceLinearProjection, k::Projection,
               std::shared_ptr<k::DeviceLinearProjection>>(m, "DeviceLinearProjection")
        .def(py::init([](std::size_t m_, std::size_t d, const std::string& device) {
                 return make_released<k::DeviceLinearProjection>(m_, d, device);
             }),
             arg("m"), arg("d"), arg("device") = "")
        .def_property_readonly("max_features", &k::DeviceLinearProjection::max_features);
    py::class_<k::DeviceIntensityProjection, k::Projection,
               std::shared_ptr<k::DeviceIntensityProjection>>(m, "DeviceIntensityProjection")
        .def(py::init([](std::size_t m_, std::size_t d, const std::string& device,
                         std::vector<float> thresholds) {
                 return make_released<k::DeviceIntensityProjection>(m_, d, device,
                                                                    std::move(thresholds));
             }),
             arg("m"), arg("d"), arg("device") = "", arg("thresholds") = std::vector<float>{0.0f});

    m.def("favor_attention", &favor, arg("q"), arg("k"), arg("v"), arg("projection"),
          arg("kernel") = "softmax", arg("causal") = false, arg("chunk") = 64);
    m.def("exact_attention", &exact, arg("q"), arg("k"), arg("v"), arg("causal") = false);
}

}  // namespace opusim::python
