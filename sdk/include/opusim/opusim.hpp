// Everything an application needs: the Opu, encoders/decoders, results, errors.
#pragma once

#include "opusim/array.hpp"
#include "opusim/context.hpp"
#include "opusim/driver/device.hpp"
#include "opusim/encoders.hpp"
#include "opusim/errors.hpp"
#include "opusim/layout_choice.hpp"
#include "opusim/opu.hpp"
#include "opusim/version.hpp"
