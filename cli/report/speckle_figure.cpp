// The speckle: one camera frame of a random binary input through the device (opusim capture),
// as an image, and its intensity histogram against the exponential law of fully developed
// speckle, p(I) = exp(-I / <I>) / <I>, with I the signal above the black offset.
#include <algorithm>
#include <cmath>
#include <random>

#include "figure.hpp"
#include "opusim/contract/output_roi.hpp"
#include "opusim/io/npy.hpp"
#include "opusim/physics/device_geometry.hpp"
#include "opusim_subprocess.hpp"
#include "svg_plot.hpp"

namespace opusim::cli::report {
namespace {

constexpr std::size_t kFeatures = 1024;  // small: the effective medium is features x pixels
constexpr std::size_t kImageRows = 32;   // rows of the sensor's ROI shown
constexpr std::size_t kImageColumns = 384;
constexpr std::uint64_t kInputSeed = 7;
constexpr std::size_t kBins = 48;

std::vector<double> frame_values(const io::NpyArray& array) {
    std::vector<double> values(array.size());
    if (array.dtype == io::DType::UInt8) {
        std::copy_n(array.data<std::uint8_t>(), values.size(), values.begin());
    } else {
        std::copy_n(array.data<std::uint16_t>(), values.size(), values.begin());
    }
    return values;
}

}  // namespace

Figure speckle_figure(const ReportDevice& device, const FigureProgress& progress) {
    const auto& camera = device.profile.camera;
    const std::size_t pixels = std::size_t{camera.width} * kImageRows;
    const auto input = device.scratch / "speckle_input.npy";
    std::mt19937_64 generator(kInputSeed);
    std::vector<std::uint8_t> bits(kFeatures);
    for (auto& bit : bits) bit = static_cast<std::uint8_t>(generator() & 1u);
    io::write_npy(input, {1, kFeatures}, bits);
    const auto output = device.scratch / "speckle.npy";
    std::vector<std::string> args{"capture"};
    for (const auto& a : device.device_args()) args.push_back(a);
    args.insert(args.end(), {"--input", input.string(), "--n-components", std::to_string(pixels),
                             "--input-roi", "full", "--out", output.string()});
    const nlohmann::json captured = run_opusim_json(args);
    progress("speckle frame");
    const std::vector<double> values = frame_values(io::read_npy(output));

    // The ROI's first rows (outputs are its pixels in row-major order), first columns shown.
    const std::size_t width =
        contract::make_output_roi(physics::sensor_geometry(camera), pixels).width;
    const std::size_t rows = std::min(kImageRows, values.size() / width);
    const std::size_t shown_columns = std::min(kImageColumns, width);
    std::vector<double> image(rows * shown_columns);
    for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < shown_columns; ++c)
            image[r * shown_columns + c] = values[r * width + c];
    }
    const double full_scale = std::pow(2.0, camera.bits) - 1;
    const double offset = camera.offset_dn;
    const double mean = captured.at("mean_dn").get<double>();
    const double signal = std::max(mean - offset, 1e-9);
    const double top = std::min(full_scale, offset + 6 * signal);

    // Histogram of the signal above the offset, as a probability density per DN.
    const double bin = std::max(1.0, std::ceil((top - offset) / kBins));
    std::vector<double> edges, density, law_x, law_y;
    for (std::size_t b = 0; b <= kBins; ++b) edges.push_back(offset - 0.5 + bin * double(b));
    std::vector<double> counts(kBins, 0);
    for (const double v : values) {
        const auto index = static_cast<long>(std::floor((v - edges[0]) / bin));
        if (index >= 0 && index < long(kBins)) counts[std::size_t(index)] += 1;
    }
    double peak = 0;
    for (const double c : counts) {
        density.push_back(c / (double(values.size()) * bin));
        peak = std::max(peak, density.back());
    }
    for (std::size_t i = 0; i <= 200; ++i) {
        const double x = offset + (top - offset) * double(i) / 200;
        law_x.push_back(x);
        law_y.push_back(std::exp(-(x - offset) / signal) / signal);
    }
    double sum = 0, square = 0;
    for (const double v : values) {
        sum += v - offset;
        square += (v - offset) * (v - offset);
    }
    const double n = double(values.size());
    const double contrast =
        std::sqrt(std::max(square / n - (sum / n) * (sum / n), 0.0)) / (sum / n);

    PlotOptions options;
    options.title = "Intensity histogram against the exponential law";
    options.x_label = "pixel value (DN)";
    options.y_label = "probability density (1/DN)";
    options.log_y = true;
    options.x = {offset - 1, top};
    options.y = {peak * 1e-4, peak * 2};
    SvgPlot histogram(options);
    histogram.histogram(edges, density, series_colour(0), "device frame");
    histogram.line(law_x, law_y, series_colour(1), "exp(-I/<I>)/<I>, <I> = mean - offset");

    Figure figure;
    figure.id = "speckle";
    figure.title = "Speckle";
    figure.svgs = {image_svg(image, rows, shown_columns, offset, top, 768,
                             "Camera frame (" + std::to_string(rows) + " x " +
                                 std::to_string(shown_columns) + " pixels of the ROI)"),
                   histogram.svg()};
    figure.commands = {device.shown_command(args),
                       "# " + input.filename().string() + ": 1 x " + std::to_string(kFeatures) +
                           " fair random bits (std::mt19937_64 seed " + std::to_string(kInputSeed) +
                           ", one bit per draw)"};
    figure.numbers = {{"mean_dn", mean},
                      {"offset_dn", offset},
                      {"speckle_contrast", contrast},
                      {"pixels", values.size()},
                      {"saturated_values", captured.at("saturated_values")}};
    figure.caption =
        "A frame of " + std::to_string(values.size()) + " pixels for " + std::to_string(kFeatures) +
        " random binary features: mean " + std::to_string(mean) +
        " DN; contrast std/mean of the signal above the offset " + std::to_string(contrast) +
        " (1 for fully developed speckle; camera noise and the ADC move it a little).";
    return figure;
}

}  // namespace opusim::cli::report
