// opusim::Opu for the Python OPU (opusim/opu.py). Every call that reaches the device releases
// the GIL; inputs are read in place (C-contiguous numpy buffers) and results are handed to numpy
// without a copy (8-bit cameras: narrowed once to uint8, as lightonml's device returns).
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/opu.hpp"

namespace opusim::python {

namespace {

using Uint8Array = py::array_t<std::uint8_t, py::array::c_style>;
using FloatArray = py::array_t<float, py::array::c_style>;

Overrides make_overrides(std::optional<double> exposure_us, std::optional<double> frametime_us) {
    Overrides overrides;
    overrides.exposure_us = exposure_us;
    overrides.frametime_us = frametime_us;
    return overrides;
}

// Camera values in the camera's integer type: uint8 up to 8 bits, uint16 beyond.
py::array camera_values(Array<std::uint16_t>&& values, unsigned bits) {
    if (bits > 8) return to_numpy(std::move(values));
    std::vector<std::uint8_t> narrow(values.values.begin(), values.values.end());
    return to_numpy(std::move(narrow), values.shape);
}

// A Python callable as the SDK's progress callback. The SDK calls it with the GIL released, so
// it takes the GIL to call, and the callable is released under the GIL too.
ProgressCallback progress_from(const py::object& callable) {
    if (callable.is_none()) return {};
    auto held = std::shared_ptr<py::object>(new py::object(callable), [](py::object* p) {
        const py::gil_scoped_acquire gil;
        delete p;
    });
    return [held](std::uint64_t done, std::uint64_t total) {
        const py::gil_scoped_acquire gil;
        (*held)(done, total);
    };
}

std::unique_ptr<Opu> make_opu(std::size_t n_components, const std::string& device,
                              std::size_t max_n_features, const std::string& input_roi_strategy,
                              std::size_t n_samples_by_pass, const std::string& noise,
                              bool auto_exposure, double auto_exposure_density,
                              bool mask_defective_pixels, bool detect_trigger_lag,
                              bool detect_stuck_mirrors) {
    OpuSettings settings;
    settings.auto_exposure = auto_exposure;
    settings.auto_exposure_density = auto_exposure_density;
    settings.mask_defective_pixels = mask_defective_pixels;
    settings.detect_trigger_lag = detect_trigger_lag;
    settings.detect_stuck_mirrors = detect_stuck_mirrors;
    settings.noise = noise;
    settings.n_components = n_components;
    settings.device = device;
    settings.max_n_features = max_n_features;
    settings.input_roi_strategy =
        parse_input_roi_strategy(input_roi_strategy, "input_roi_strategy");
    settings.n_samples_by_pass = n_samples_by_pass;
    settings.open_at_init = false;  // opened by open(), with the GIL released
    return std::make_unique<Opu>(std::move(settings));
}

py::dict device_info_dict(Opu& opu) {
    const driver::DeviceInfo* info = nullptr;
    {
        const py::gil_scoped_release release;
        info = &opu.device_info();
    }
    py::dict d;
    d["uri"] = info->uri;
    d["transport"] = info->transport;
    d["profile_name"] = info->profile_name;
    d["abi_version"] = info->abi_version;
    d["dmd_columns"] = info->dmd_columns;
    d["dmd_rows"] = info->dmd_rows;
    d["max_mirrors"] = info->max_mirrors;
    d["camera_width"] = info->camera_width;
    d["camera_height"] = info->camera_height;
    d["max_pixels"] = info->max_pixels;
    d["bit_depth"] = info->bit_depth;
    d["min_exposure_us"] = info->min_exposure_us;
    d["max_exposure_us"] = info->max_exposure_us;
    d["ones_min"] = info->ones_min;
    d["ones_max"] = info->ones_max;
    return d;
}

py::tuple transform(Opu& opu, const Uint8Array& x, std::optional<double> exposure_us,
                    std::optional<double> frametime_us) {
    Result<std::uint16_t> result;
    {
        const py::gil_scoped_release release;
        result = opu.transform(view_of(x), make_overrides(exposure_us, frametime_us));
    }
    const unsigned bits = result.context.bits;
    return py::make_tuple(camera_values(std::move(result.output), bits),
                          context_to_dict(result.context));
}

py::tuple float_result(Result<float>&& result) {
    return py::make_tuple(to_numpy(std::move(result.output)), context_to_dict(result.context));
}

py::tuple transform_rescaled(Opu& opu, const Uint8Array& x, std::optional<double> exposure_us,
                             std::optional<double> frametime_us) {
    Result<float> result;
    {
        const py::gil_scoped_release release;
        result = opu.transform_rescaled(view_of(x), make_overrides(exposure_us, frametime_us));
    }
    return float_result(std::move(result));
}

py::tuple linear_transform(Opu& opu, const FloatArray& x, std::optional<double> exposure_us,
                           std::optional<double> frametime_us) {
    Result<float> result;
    {
        const py::gil_scoped_release release;
        result = opu.linear_transform(view_of(x), make_overrides(exposure_us, frametime_us));
    }
    return float_result(std::move(result));
}

}  // namespace

void bind_opu(py::module_& module) {
    using py::arg;
    const auto no_gil = py::call_guard<py::gil_scoped_release>();
    py::class_<Opu>(module, "_Opu", "opusim::Opu (docs/sdk.md); use opusim.OPU")
        .def(py::init(&make_opu), arg("n_components"), arg("device"), arg("max_n_features"),
             arg("input_roi_strategy"), arg("n_samples_by_pass"), arg("noise") = "",
             arg("auto_exposure") = true, arg("auto_exposure_density") = 0.5,
             arg("mask_defective_pixels") = true, arg("detect_trigger_lag") = true,
             arg("detect_stuck_mirrors") = false)
        .def("open", &Opu::open, no_gil)
        .def("close", &Opu::close, no_gil)
        .def("is_open", &Opu::is_open)
        .def("n_components", &Opu::n_components)
        .def("set_n_components", &Opu::set_n_components, arg("n_components"))
        .def("max_n_features", &Opu::max_n_features)
        .def("input_roi_strategy",
             [](const Opu& opu) { return to_string(opu.input_roi_strategy()); })
        .def(
            "set_input_roi_strategy",
            [](Opu& opu, const std::string& strategy) {
                opu.set_input_roi_strategy(
                    parse_input_roi_strategy(strategy, "input_roi_strategy"));
            },
            arg("input_roi_strategy"))
        .def("device_uri", &Opu::device_uri)
        .def("device_info", &device_info_dict)
        .def("fitted", &Opu::fitted)
        .def("n_features", &Opu::n_features)
        .def("next_sequence", &Opu::next_sequence)
        .def(
            "set_progress",
            [](Opu& opu, const py::object& callable) { opu.set_progress(progress_from(callable)); },
            arg("callback"))
        .def(
            "fit1d",
            [](Opu& opu, std::size_t n_features, bool packed, std::optional<double> exposure_us,
               std::optional<double> frametime_us) {
                opu.fit1d(n_features, packed, make_overrides(exposure_us, frametime_us));
            },
            arg("n_features"), arg("packed"), arg("exposure_us"), arg("frametime_us"), no_gil)
        .def(
            "fit2d",
            [](Opu& opu, std::size_t rows, std::size_t cols, bool packed,
               std::optional<double> exposure_us, std::optional<double> frametime_us) {
                opu.fit2d(rows, cols, packed, make_overrides(exposure_us, frametime_us));
            },
            arg("rows"), arg("cols"), arg("packed"), arg("exposure_us"), arg("frametime_us"),
            no_gil)
        .def("transform", &transform, arg("x"), arg("exposure_us"), arg("frametime_us"))
        .def("transform_rescaled", &transform_rescaled, arg("x"), arg("exposure_us"),
             arg("frametime_us"))
        .def("linear_transform", &linear_transform, arg("x"), arg("exposure_us"),
             arg("frametime_us"));
}

}  // namespace opusim::python
