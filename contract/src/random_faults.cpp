#include "opusim/contract/random_faults.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace opusim::contract {
namespace {

std::string known_names() {
    std::string names;
    for (const char* name : kFaultNames) names += (names.empty() ? "" : ", ") + std::string(name);
    return names;
}

std::size_t fault_index(const std::string& name, const std::string& item) {
    for (std::size_t i = 0; i < kFaultNames.size(); ++i) {
        if (name == kFaultNames[i]) return i;
    }
    throw std::invalid_argument("'" + item + "': unknown fault '" + name +
                                "' (known: " + known_names() + ")");
}

double parse_probability(const std::string& value, const std::string& item) {
    errno = 0;
    char* end = nullptr;
    const double parsed = value.empty() ? -1 : std::strtod(value.c_str(), &end);
    if (value.empty() || errno == ERANGE || end == nullptr || *end != '\0' ||
        !std::isfinite(parsed) || parsed < 0 || parsed > 1) {
        throw std::invalid_argument("'" + item +
                                    "': expected a probability per job in [0, 1] after ':', got '" +
                                    value + "'");
    }
    return parsed;
}

}  // namespace

bool FaultRates::any() const {
    for (const double rate : per_job) {
        if (rate > 0) return true;
    }
    return false;
}

std::string FaultRates::to_string() const {
    std::ostringstream text;
    text.precision(17);
    bool first = true;
    for (std::size_t i = 0; i < per_job.size(); ++i) {
        if (!(per_job[i] > 0)) continue;
        text << (first ? "" : ",") << kFaultNames[i] << ':' << per_job[i];
        first = false;
    }
    return text.str();
}

FaultRates parse_fault_rates(const std::string& text) {
    if (text.empty()) {
        throw std::invalid_argument(
            "expected NAME:PROBABILITY[,NAME:PROBABILITY...] with NAME one of " + known_names() +
            ", got nothing");
    }
    FaultRates rates;
    std::array<bool, kFaultNames.size()> seen{};
    double total = 0;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = text.find(',', start);
        const std::string item =
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const std::size_t colon = item.find(':');
        if (colon == std::string::npos) {
            throw std::invalid_argument("'" + item + "': expected NAME:PROBABILITY, NAME one of " +
                                        known_names());
        }
        const std::size_t index = fault_index(item.substr(0, colon), item);
        if (seen[index]) {
            throw std::invalid_argument("fault " + std::string(kFaultNames[index]) +
                                        " is given twice");
        }
        seen[index] = true;
        rates.per_job[index] = parse_probability(item.substr(colon + 1), item);
        total += rates.per_job[index];
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (total > 1) {
        throw std::invalid_argument("the probabilities add up to " + std::to_string(total) +
                                    ": a job meets at most one fault, so their sum must be <= 1");
    }
    return rates;
}

}  // namespace opusim::contract
