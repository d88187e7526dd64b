// opusim favor: FAVOR+ attention on the user's own (B, H, L, d) tensors with a given projection
// matrix W (m, d), with the conventions of docs/reference/favor.md (performer-pytorch):
// epsilon 1e-4 in the softmax features, no epsilon in the bidirectional denominator, 1e-6 added
// to the causal running key sum. Inputs may be float32 or float64 .npy; the computation and the
// output are float32.
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "command.hpp"
#include "json_report.hpp"
#include "opusim/io/npy.hpp"
#include "opusim/kernels/favor_attention.hpp"
#include "opusim/kernels/validation.hpp"
#include "progress.hpp"
#include "provenance.hpp"

namespace po = boost::program_options;

namespace opusim::cli {
namespace {

std::string shape_text(const std::vector<std::size_t>& shape) {
    std::string text = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        text += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return text + (shape.size() == 1 ? ",)" : ")");
}

io::NpyArray read_real_array(const std::string& option, const std::string& path,
                             std::size_t dimensions, const std::string& layout) {
    io::NpyArray array;
    try {
        array = io::read_npy(path);
    } catch (const io::NpyError& error) {
        throw UsageError("--" + option + ": " + error.what());
    }
    if (array.dtype != io::DType::Float32 && array.dtype != io::DType::Float64) {
        throw UsageError("--" + option + ": expected dtype float32 or float64, got " +
                         io::dtype_name(array.dtype) + " in " + path);
    }
    if (array.shape.size() != dimensions) {
        throw UsageError("--" + option + ": expected " + std::to_string(dimensions) +
                         " dimensions " + layout + ", got shape " + shape_text(array.shape) +
                         " in " + path);
    }
    for (std::size_t extent : array.shape) {
        if (extent == 0) {
            throw UsageError("--" + option + ": expected every dimension >= 1, got shape " +
                             shape_text(array.shape) + " in " + path);
        }
    }
    return array;
}

// Runs CHECK, turning its std::invalid_argument (non-finite values) into a usage error. Float64
// values beyond the float range become inf on conversion and are caught here too.
template <class Check>
void require_finite_values(Check check) {
    try {
        check();
    } catch (const std::invalid_argument& error) {
        throw UsageError(error.what());
    }
}

kernels::Tensor4 read_tensor(const std::string& option, const std::string& path) {
    const io::NpyArray array = read_real_array(option, path, 4, "(B, H, L, d)");
    kernels::Tensor4 tensor({array.shape[0], array.shape[1], array.shape[2], array.shape[3]},
                            array.to_float());
    require_finite_values([&] { kernels::require_finite("--" + option, tensor); });
    return tensor;
}

// Checks that EXTENT of --OPTION equals that of --REFERENCE.
void require_same(const std::string& option, const std::string& what, std::size_t extent,
                  const std::string& reference, std::size_t expected) {
    if (extent != expected) {
        throw UsageError("--" + option + ": expected " + what + " " + std::to_string(expected) +
                         " (that of --" + reference + "), got " + std::to_string(extent));
    }
}

void check_shapes(const kernels::Tensor4& q, const kernels::Tensor4& k, const kernels::Tensor4& v,
                  bool causal) {
    const kernels::Shape4 &qs = q.shape(), &ks = k.shape(), &vs = v.shape();
    require_same("k", "B", ks.batch, "q", qs.batch);
    require_same("k", "H", ks.heads, "q", qs.heads);
    require_same("k", "d", ks.dim, "q", qs.dim);
    require_same("v", "B", vs.batch, "k", ks.batch);
    require_same("v", "H", vs.heads, "k", ks.heads);
    require_same("v", "L", vs.length, "k", ks.length);
    if (causal) require_same("k", "L (--causal)", ks.length, "q", qs.length);
}

int run_favor(const Command& command, const Arguments& args) {
    po::options_description options("options");
    // clang-format off
    options.add_options()
        ("q", po::value<std::string>()->required(), "queries .npy, (B, H, L, d) float32/float64")
        ("k", po::value<std::string>()->required(), "keys .npy, (B, H, Lk, d)")
        ("v", po::value<std::string>()->required(), "values .npy, (B, H, Lk, dv)")
        ("projection-matrix", po::value<std::string>()->required(), "W .npy, (m, d)")
        ("causal", po::bool_switch(), "causal (prefix) attention; needs L == Lk")
        ("kernel", po::value<std::string>()->default_value("softmax"), "softmax or relu")
        ("out", po::value<std::string>()->required(), "output .npy, (B, H, L, dv) float32; "
                                                       "provenance in OUT.json")
        ("json", "print one JSON object summarising what was done");
    // clang-format on
    const auto values = parse_options(command, args, options);
    if (!values) return 0;
    const auto& vm = *values;

    kernels::FavorOptions favor;
    favor.causal = vm["causal"].as<bool>();
    const std::string kernel = vm["kernel"].as<std::string>();
    if (kernel != "softmax" && kernel != "relu") {
        throw UsageError("--kernel: expected softmax or relu, got '" + kernel + "'");
    }
    favor.kernel = kernels::parse_feature_kernel(kernel);

    const kernels::Tensor4 q = read_tensor("q", vm["q"].as<std::string>());
    const kernels::Tensor4 k = read_tensor("k", vm["k"].as<std::string>());
    const kernels::Tensor4 v = read_tensor("v", vm["v"].as<std::string>());
    check_shapes(q, k, v, favor.causal);
    const std::string w_path = vm["projection-matrix"].as<std::string>();
    const io::NpyArray w = read_real_array("projection-matrix", w_path, 2, "(m, d)");
    require_same("projection-matrix", "columns d", w.shape[1], "q", q.shape().dim);
    const std::size_t m = w.shape[0];
    std::vector<float> w_values = w.to_float();
    require_finite_values([&] {
        kernels::require_finite("--projection-matrix",
                                kernels::dense(w_values.data(), m, q.shape().dim));
    });
    kernels::MatrixProjection projection(std::move(w_values), m, q.shape().dim, w_path);

    Progress progress = Progress::on_stderr("opusim favor", "heads", quiet(vm));
    favor.progress = progress.callback();
    const kernels::Tensor4 out = kernels::favor_attention(q, k, v, projection, favor);
    progress.clear();
    const kernels::Shape4& s = out.shape();
    const std::string out_path = vm["out"].as<std::string>();
    // CPU only, from the user's own W: no device, profile or seed to record.
    write_output_npy(out_path, {s.batch, s.heads, s.length, s.dim}, out.values(), Provenance{});
    if (vm.count("json")) {
        print_json_report({{"command", "favor"},
                           {"out", out_path},
                           {"sidecar", out_path + ".json"},
                           {"shape", {s.batch, s.heads, s.length, s.dim}},
                           {"dtype", "float32"},
                           {"kernel", kernel},
                           {"causal", favor.causal},
                           {"features", m},
                           {"projection_matrix", w_path}});
        return 0;
    }
    std::cout << "favor: " << kernel << (favor.causal ? " causal" : " bidirectional") << ", m=" << m
              << ", " << kernels::to_string(s) << " -> " << out_path << "\n";
    return 0;
}

const Command kFavor{
    "favor",
    "opusim favor --q Q.npy --k K.npy --v V.npy --projection-matrix W.npy [--causal] "
    "[--kernel softmax|relu] --out O.npy [--json] [--quiet]",
    "FAVOR+ attention on your own (B, H, L, d) tensors with a given projection matrix", nullptr};

const CommandRegistrar registrar{
    Command{kFavor.name, kFavor.synopsis, kFavor.summary,
            [](const Arguments& args) { return run_favor(kFavor, args); }}};

}  // namespace
}  // namespace opusim::cli
