// Helpers shared by the medium and effective-medium tests.
#pragma once

#include <boost/math/distributions/chi_squared.hpp>

#include <string>

#include "opusim/physics/profile.hpp"

namespace opusim::physics::testing {

// Significance of every statistical test: a correct generator fails one with probability 1e-6
// for a fresh seed (and never for the fixed seeds used here).
constexpr double kSignificance = 1e-6;

inline MediumParams params_with(const std::string& storage) {
    MediumParams params;
    params.storage = storage;
    return params;
}

inline double chi_square_critical(double degrees_of_freedom) {
    return boost::math::quantile(boost::math::chi_squared(degrees_of_freedom), 1 - kSignificance);
}

}  // namespace opusim::physics::testing
