// The EMVA 1288 photon-transfer curve: pairs of flat fields (opusim flatfield) at a sweep of
// exposures under one irradiance, and a dark pair at each exposure. Per exposure, the mean
// mu_y = mean of the pair and the temporal variance sigma_y^2 = var(frame A - frame B) / 2 (the
// standard's difference method, which removes the fixed-pattern noise). Fitted as the standard
// does: the system gain K is the slope of sigma_y^2 - sigma_y.dark^2 against mu_y - mu_y.dark
// over the points below 70 % of saturation; the dark noise sigma_d = sqrt(sigma_y.dark^2 - 1/12)
// / K electrons; saturation is the mean where the variance peaks.
#include <algorithm>
#include <cmath>
#include <iterator>

#include "figure.hpp"
#include "opusim/io/npy.hpp"
#include "opusim_subprocess.hpp"
#include "svg_plot.hpp"

namespace opusim::cli::report {
namespace {

constexpr std::size_t kPixels = 20000;
// Exposures as fractions of the one that fills the full well (a geometric-ish sweep that puts
// points on both sides of saturation).
constexpr double kFractions[] = {0.02, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.75, 0.9, 1.0, 1.15, 1.4};

struct PairStats {
    double mean = 0;
    double variance = 0;
};

PairStats pair_stats(const io::NpyArray& frames) {
    const std::size_t n = frames.shape.at(1);
    const auto value = [&](std::size_t i) {
        return frames.dtype == io::DType::UInt8 ? double(frames.data<std::uint8_t>()[i])
                                                : double(frames.data<std::uint16_t>()[i]);
    };
    double sum = 0, diff_sum = 0, diff_square = 0;
    for (std::size_t j = 0; j < n; ++j) {
        const double a = value(j), b = value(n + j);
        sum += a + b;
        diff_sum += a - b;
        diff_square += (a - b) * (a - b);
    }
    const double mean_diff = diff_sum / double(n);
    return {sum / double(2 * n), (diff_square / double(n) - mean_diff * mean_diff) / 2};
}

}  // namespace

Figure photon_transfer_figure(const ReportDevice& device, const FigureProgress& progress) {
    const auto& camera = device.profile.camera;
    const double saturation_photons = camera.full_well_electrons / camera.quantum_efficiency;
    // The exposure that fills the full well: the profile's, unless the shortest fractions of it
    // would fall below the camera's minimum exposure.
    const double full_well_exposure =
        std::min(std::max(camera.exposure_us, camera.min_exposure_us / kFractions[0]),
                 camera.max_exposure_us / kFractions[std::size(kFractions) - 1]);
    const double photons_per_us = saturation_photons / full_well_exposure;
    std::vector<double> means, variances, dark_means, dark_variances, exposures;
    std::vector<std::string> commands;
    for (const double fraction : kFractions) {
        const double exposure = std::clamp(full_well_exposure * fraction, camera.min_exposure_us,
                                           camera.max_exposure_us);
        for (const bool dark : {false, true}) {
            const auto out = device.scratch / "flatfield.npy";
            std::vector<std::string> args{"flatfield"};
            for (const auto& a : device.device_args()) args.push_back(a);
            const double photons = dark ? 0.0 : photons_per_us * exposure;
            args.insert(args.end(), {"--photons", std::to_string(photons), "--frames", "2",
                                     "--pixels", std::to_string(kPixels), "--exposure-us",
                                     std::to_string(exposure), "--out", out.string()});
            run_opusim_json(args);
            const PairStats stats = pair_stats(io::read_npy(out));
            (dark ? dark_means : means).push_back(stats.mean);
            (dark ? dark_variances : variances).push_back(stats.variance);
            if (commands.size() < 2) commands.push_back(device.shown_command(args));
        }
        exposures.push_back(exposure);
        progress("photon transfer");
    }
    // Saturation: the mean where the variance peaks.
    const std::size_t peak =
        std::size_t(std::max_element(variances.begin(), variances.end()) - variances.begin());
    const double saturation_dn = means[peak];
    // Gain: least-squares slope of (sigma^2 - dark) on (mu - dark) over the points below 70 % of
    // the saturation signal. With an intercept: at 8 bits the ADC's quantisation adds up to 1/12
    // DN^2 to the light points that the dark pair (whose noise is below a DN) does not carry.
    double n = 0, sx = 0, sy = 0, sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < means.size(); ++i) {
        const double x = means[i] - dark_means[i], y = variances[i] - dark_variances[i];
        if (i < peak && x < 0.7 * (saturation_dn - dark_means[i])) {
            n += 1;
            sx += x;
            sy += y;
            sxy += x * y;
            sxx += x * x;
        }
    }
    const double denominator = n * sxx - sx * sx;
    const double gain = n >= 2 && denominator > 0 ? (n * sxy - sx * sy) / denominator : 0.0;
    // Dark noise: resolvable only above the quantisation noise (EMVA 1288: sigma_y.dark must
    // exceed about 0.5 DN); else null, with the measured dark variance reported.
    const double dark_variance = dark_variances.front();
    const nlohmann::json dark_noise_e =
        gain > 0 && dark_variance > 0.25
            ? nlohmann::json(std::sqrt(dark_variance - 1.0 / 12) / gain)
            : nlohmann::json(nullptr);
    const std::string dark_text =
        dark_noise_e.is_null()
            ? "dark noise not resolvable (sigma_y.dark^2 = " + std::to_string(dark_variance) +
                  " DN^2, below the ADC's quantisation limit of 0.25 DN^2)"
            : "dark noise " + std::to_string(dark_noise_e.get<double>()) + " e-";
    const double full_scale = std::pow(2.0, camera.bits) - 1;
    const double profile_saturation =
        std::min(full_scale, camera.offset_dn +
                                 camera.system_gain_dn_per_electron * camera.full_well_electrons);

    PlotOptions options;
    options.title = "Photon transfer (EMVA 1288): temporal variance against mean";
    options.x_label = "mean mu_y (DN)";
    options.y_label = "variance sigma_y^2 (DN^2)";
    options.x = {0, full_scale * 1.05};
    options.y = {0, *std::max_element(variances.begin(), variances.end()) * 1.2};
    options.legend_left = true;
    SvgPlot plot(options);
    plot.scatter(means, variances, series_colour(0), "flat-field pairs");
    plot.scatter(dark_means, dark_variances, series_colour(2), "dark pairs");
    const double x0 = dark_means.front();
    const double intercept = n > 0 ? (sy - gain * sx) / n : 0.0;
    const double y0 = dark_variances.front() + intercept;
    plot.line({x0, saturation_dn}, {y0, y0 + gain * (saturation_dn - x0)}, series_colour(1),
              "fit: K = " + std::to_string(gain).substr(0, 7) + " DN/e-");
    plot.vertical_line(saturation_dn, series_colour(3), "saturation (variance peak)");
    plot.vertical_line(profile_saturation, series_colour(6), "profile: offset + K x full well");

    Figure figure;
    figure.id = "photon_transfer";
    figure.title = "Photon transfer curve";
    figure.svgs = {plot.svg()};
    figure.commands = commands;
    figure.commands.push_back("# ... at exposures (us): " +
                              [&] {
                                  std::string text;
                                  for (const double e : exposures)
                                      text += (text.empty() ? "" : ", ") + std::to_string(e);
                                  return text;
                              }() +
                              "; photons = " + std::to_string(photons_per_us) +
                              " x exposure, 0 for the dark pairs");
    figure.numbers = {{"fitted",
                       {{"system_gain_dn_per_electron", gain},
                        {"dark_noise_electrons", dark_noise_e},
                        {"dark_variance_dn2", dark_variance},
                        {"saturation_dn", saturation_dn}}},
                      {"profile",
                       {{"system_gain_dn_per_electron", camera.system_gain_dn_per_electron},
                        {"read_noise_electrons", camera.read_noise_electrons},
                        {"saturation_dn", profile_saturation}}},
                      {"means_dn", means},
                      {"variances_dn2", variances}};
    figure.caption = "Fitted gain K = " + std::to_string(gain) + " DN/e- (profile " +
                     std::to_string(camera.system_gain_dn_per_electron) + "), " + dark_text +
                     " (profile read noise " + std::to_string(camera.read_noise_electrons) +
                     " e-), saturation at " + std::to_string(saturation_dn) + " DN (profile " +
                     std::to_string(profile_saturation) + " DN).";
    return figure;
}

}  // namespace opusim::cli::report
