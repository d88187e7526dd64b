// Medium drift (docs/device-physics.md "Medium drift"): the schedule, the matrix's statistics at
// every moment, the lag correlation cos(delta theta), and intensities that are a pure function of
// the frames' sequence numbers, whatever the chunking.
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "opusim/physics/medium_drift.hpp"

namespace opusim::physics {
namespace {

constexpr double kQuarterTurn = 1.57079632679489661923;  // pi / 2
constexpr std::uint64_t kSegment = 1000;                 // frames per drift segment in these tests
constexpr std::size_t kPixels = 64;
constexpr std::size_t kFeatures = 256;

contract::InputLayout one_mirror_per_feature() {
    contract::InputLayout layout;
    layout.n_features = kFeatures;
    layout.replication = 1;
    layout.first_mirror = 0;
    layout.total_mirrors = 4096;
    return layout;
}

std::vector<std::uint64_t> pixels() {
    std::vector<std::uint64_t> p(kPixels);
    for (std::size_t j = 0; j < kPixels; ++j) p[j] = 7 * j + 3;
    return p;
}

MediumParams params(const char* storage) {
    MediumParams p;
    p.seed = 17;
    p.storage = storage;
    return p;
}

DriftingMedium drifting(const char* storage) {
    return DriftingMedium(Medium(params(storage), 17), one_mirror_per_feature(), pixels(), 2000,
                          DriftSchedule(kSegment));
}

TEST(MediumDrift, ScheduleFollowsTheDecorrelationTime) {
    // 1 s at 500 us per frame is 2000 frames; a segment spans pi/2 / acos(1/e) of that.
    const double expected = 2000 * kQuarterTurn / std::acos(std::exp(-1.0));
    EXPECT_EQ(DriftSchedule::segment_frames_for(1.0, 500), std::uint64_t(std::round(expected)));
    EXPECT_THROW(DriftSchedule::segment_frames_for(0, 500), std::invalid_argument);
    EXPECT_THROW(DriftSchedule(0), std::invalid_argument);

    const DriftSchedule schedule(kSegment);
    EXPECT_EQ(schedule.segment(999), 0u);
    EXPECT_EQ(schedule.segment(1000), 1u);
    EXPECT_DOUBLE_EQ(schedule.angle(1000), 0.0);
    EXPECT_DOUBLE_EQ(schedule.angle(500), kQuarterTurn / 2);
    // The SDK's calibration stream (bit 62) sits at the position of its low bits.
    EXPECT_EQ(DriftSchedule::position((std::uint64_t{1} << 62) + 1500), 1500u);
    EXPECT_EQ(DriftSchedule::segment_seed(17, 0), 17u);
    EXPECT_NE(DriftSchedule::segment_seed(17, 1), DriftSchedule::segment_seed(17, 2));
    EXPECT_NE(DriftSchedule::segment_seed(17, 1), DriftSchedule::segment_seed(18, 1));
}

TEST(MediumDrift, ProfileKeyIsOptionalAndOffByDefault) {
    DeviceProfile profile = DeviceProfile::load("gen2");
    EXPECT_EQ(profile.medium.decorrelation_time_s, 0.0);
    EXPECT_FALSE(DriftSchedule::from_profile(profile));
    EXPECT_FALSE(profile.to_json().at("medium").contains("decorrelation_time_s"));

    nlohmann::json document = profile.to_json();
    document["medium"]["decorrelation_time_s"] = 3600.0;
    const DeviceProfile drifting_profile = DeviceProfile::from_json(document);
    EXPECT_EQ(drifting_profile.medium.decorrelation_time_s, 3600.0);
    ASSERT_TRUE(DriftSchedule::from_profile(drifting_profile));
    EXPECT_EQ(drifting_profile.to_json().at("medium").at("decorrelation_time_s"), 3600.0);

    document["medium"]["decorrelation_time_s"] = -1.0;
    try {
        DeviceProfile::from_json(document);
        FAIL() << "a negative decorrelation time must be refused";
    } catch (const ProfileError& error) {
        EXPECT_NE(std::string(error.what()).find("medium.decorrelation_time_s"), std::string::npos);
    }
}

// Bit-identity of every other result depends on it: no built-in profile drifts.
TEST(MediumDrift, OffInEveryBuiltInProfile) {
    std::size_t profiles = 0;
    for (const auto& entry : std::filesystem::directory_iterator(OPUSIM_PROFILE_DIR)) {
        if (entry.path().extension() != ".json") continue;
        const DeviceProfile profile = DeviceProfile::load(entry.path().stem().string());
        EXPECT_EQ(profile.medium.decorrelation_time_s, 0.0) << entry.path();
        EXPECT_FALSE(DriftSchedule::from_profile(profile)) << entry.path();
        ++profiles;
    }
    EXPECT_GE(profiles, 2u);  // gen2 and gen3 at least
}

// Statistics of N = 64 x 256 = 16,384 circular Gaussian entries of variance 1. Tolerances are
// 5 standard errors: Var|R|^2 = 1 (exponential), Var|R|^4 = E|R|^8 - (E|R|^4)^2 = 24 - 4 = 20,
// Var Re(a conj b) = (1 + rho^2) / 2 <= 1 for a, b of correlation rho.
constexpr double kEntries = double(kPixels * kFeatures);
const double kStandardError = 1 / std::sqrt(kEntries);

TEST(MediumDrift, EntriesKeepTheirGaussianStatisticsAtEveryMoment) {
    const DriftingMedium medium = drifting("float32");
    for (const std::uint64_t sequence : {0ull, 250ull, 500ull, 1700ull}) {
        const auto matrix = medium.oracle_matrix(sequence);
        std::complex<double> mean = 0;
        double power = 0, fourth = 0;
        for (const auto& entry : matrix) {
            mean += std::complex<double>(entry);
            power += std::norm(entry);
            fourth += std::norm(entry) * std::norm(entry);
        }
        mean /= kEntries;
        EXPECT_LT(std::abs(mean), 5 * kStandardError) << "sequence " << sequence;
        EXPECT_NEAR(power / kEntries, 1.0, 5 * kStandardError) << "sequence " << sequence;
        EXPECT_NEAR(fourth / kEntries, 2.0, 5 * std::sqrt(20.0) * kStandardError)
            << "sequence " << sequence;
    }
}

TEST(MediumDrift, LagCorrelationIsTheCosineOfTheAngle) {
    const DriftingMedium medium = drifting("float32");
    const std::uint64_t start = 100;
    const auto first = medium.oracle_matrix(start);
    for (const std::uint64_t lag : {0ull, 100ull, 400ull, 800ull}) {
        const auto later = medium.oracle_matrix(start + lag);
        double correlation = 0;
        for (std::size_t e = 0; e < first.size(); ++e) {
            correlation +=
                (std::complex<double>(first[e]) * std::conj(std::complex<double>(later[e]))).real();
        }
        correlation /= kEntries;
        const double expected = std::cos(kQuarterTurn * double(lag) / double(kSegment));
        EXPECT_NEAR(correlation, expected, 5 * kStandardError) << "lag " << lag;
    }
    // A whole segment on, the matrix is an independent one.
    const auto next = medium.oracle_matrix(start + 2 * kSegment);
    double correlation = 0;
    for (std::size_t e = 0; e < first.size(); ++e) {
        correlation +=
            (std::complex<double>(first[e]) * std::conj(std::complex<double>(next[e]))).real();
    }
    EXPECT_NEAR(correlation / kEntries, 0.0, 5 * kStandardError);
}

std::vector<std::uint8_t> random_frames(std::size_t n_frames, unsigned seed) {
    std::mt19937 random(seed);
    std::vector<std::uint8_t> bits(n_frames * kFeatures);
    for (auto& bit : bits) bit = static_cast<std::uint8_t>(random() & 1u);
    return bits;
}

TEST(MediumDrift, IntensitiesAreTheFieldOfTheMatrixAtTheFramesSequence) {
    const DriftingMedium medium = drifting("float32");
    const auto frames = random_frames(3, 5);
    const std::uint64_t sequences[] = {0, 333, 1999};
    for (std::size_t f = 0; f < 3; ++f) {
        std::vector<float> intensity(kPixels);
        medium.intensities(frames.data() + f * kFeatures, 1, sequences[f], intensity.data());
        const auto matrix = medium.oracle_matrix(sequences[f]);
        const auto leakage = medium.oracle_leakage_field(sequences[f]);
        const double on = 1 - 1 / std::sqrt(2000.0);
        for (std::size_t j = 0; j < kPixels; ++j) {
            std::complex<double> field = std::complex<double>(leakage[j]);
            for (std::size_t i = 0; i < kFeatures; ++i) {
                if (frames[f * kFeatures + i])
                    field += on * std::complex<double>(matrix[j * kFeatures + i]);
            }
            // float32 matrix and field: relative error a few float epsilons times sqrt(n).
            EXPECT_NEAR(intensity[j], std::norm(field), 1e-4 * (1 + std::norm(field)))
                << "frame " << f << " pixel " << j;
        }
    }
}

TEST(MediumDrift, FramesAreBitIdenticalWhateverTheChunkingOrThreads) {
    const std::size_t n_frames = 40;
    const std::uint64_t first = 980;  // crosses the segment boundary at 1000
    const auto frames = random_frames(n_frames, 9);
    std::vector<float> whole(n_frames * kPixels), one_by_one(n_frames * kPixels);
    drifting("int8").intensities(frames.data(), n_frames, first, whole.data());

    Medium threaded(params("int8"), 17);
    threaded.set_generation_options(GenerationOptions{1, 4096});
    const DriftingMedium split(threaded, one_mirror_per_feature(), pixels(), 2000,
                               DriftSchedule(kSegment));
    for (std::size_t f = n_frames; f-- > 0;) {  // backwards: the segment cache is revisited
        split.intensities(frames.data() + f * kFeatures, 1, first + f,
                          one_by_one.data() + f * kPixels);
    }
    EXPECT_EQ(whole, one_by_one);

    // And the drift is real: the same frame at another moment differs.
    std::vector<float> later(kPixels);
    split.intensities(frames.data(), 1, first + 300, later.data());
    EXPECT_NE(std::vector<float>(whole.begin(), whole.begin() + kPixels), later);
}

TEST(MediumDrift, AtTheStartTheMediumIsTheUndriftedOne) {
    const DriftingMedium medium = drifting("int8");
    const EffectiveMedium fixed(Medium(params("int8"), 17), one_mirror_per_feature(), pixels(),
                                2000);
    EXPECT_EQ(medium.oracle_matrix(0), fixed.oracle_matrix());
}

}  // namespace
}  // namespace opusim::physics
