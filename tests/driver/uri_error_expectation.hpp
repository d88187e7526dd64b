// Expects DeviceUri::parse(TEXT) to refuse TEXT with a UriError whose message contains FRAGMENT
// (the argument it names and what it expected), shared by the URI tests of the driver binary.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "opusim/driver/device.hpp"
#include "opusim/driver/errors.hpp"

inline void expect_uri_error(const std::string& text, const std::string& fragment) {
    try {
        opusim::driver::DeviceUri::parse(text);
        ADD_FAILURE() << text << " was accepted";
    } catch (const opusim::driver::UriError& error) {
        EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
    }
}
