// The C API over opusim::Opu: every exception becomes a status code and a last-error message.
#include "opusim.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "opusim/errors.hpp"
#include "opusim/opu.hpp"
#include "opusim/version.hpp"

struct opusim_opu {
    std::unique_ptr<opusim::Opu> opu;
    opusim::Overrides overrides;
    opusim::Context last_context;  // the last successful transform's (the opusim_context_* calls)
};

namespace {

thread_local std::string g_last_error;

opusim_status fail(opusim_status status, const std::string& message) {
    g_last_error = message;
    return status;
}

// Runs BODY, mapping every exception to its status.
template <class Body>
opusim_status guarded(Body&& body) {
    try {
        g_last_error.clear();
        body();
        return OPUSIM_OK;
    } catch (const std::invalid_argument& e) {
        return fail(OPUSIM_ERROR_INVALID_ARGUMENT, e.what());
    } catch (const std::out_of_range& e) {
        return fail(OPUSIM_ERROR_INVALID_ARGUMENT, e.what());
    } catch (const std::length_error& e) {
        return fail(OPUSIM_ERROR_INVALID_ARGUMENT, e.what());
    } catch (const std::domain_error& e) {
        return fail(OPUSIM_ERROR_INVALID_ARGUMENT, e.what());
    } catch (const std::logic_error& e) {
        // The SDK raises a plain std::logic_error only for calls before fit1d/fit2d.
        return fail(OPUSIM_ERROR_NOT_FITTED, e.what());
    } catch (const opusim::UriError& e) {
        return fail(OPUSIM_ERROR_URI, e.what());
    } catch (const opusim::DeviceBusyError& e) {
        return fail(OPUSIM_ERROR_DEVICE_BUSY, e.what());
    } catch (const opusim::TimeoutError& e) {
        return fail(OPUSIM_ERROR_TIMEOUT, e.what());
    } catch (const opusim::DmaError& e) {
        return fail(OPUSIM_ERROR_DMA, e.what());
    } catch (const opusim::InputFormatError& e) {
        return fail(OPUSIM_ERROR_INPUT_FORMAT, e.what());
    } catch (const opusim::DriverError& e) {
        return fail(OPUSIM_ERROR_DEVICE, e.what());
    } catch (const std::bad_alloc&) {
        return fail(OPUSIM_ERROR_INTERNAL, "out of memory");
    } catch (const std::exception& e) {
        return fail(OPUSIM_ERROR_INTERNAL, e.what());
    } catch (...) {
        return fail(OPUSIM_ERROR_INTERNAL, "unknown error");
    }
}

opusim_status null_handle() {
    return fail(OPUSIM_ERROR_INVALID_ARGUMENT, "opu: the handle is NULL");
}

void fill(opusim_context* out, const opusim::Context& c) {
    if (out == nullptr) return;
    out->exposure_us = c.exposure_us;
    out->frametime_us = c.frametime_us;
    out->start_s = c.start_s;
    out->end_s = c.end_s;
    out->wall_time_s = c.wall_time_s;
    out->frames = c.frames;
    out->saturated_pixels = c.saturated_pixels;
    out->lit_mirrors_min = c.lit_mirrors_min;
    out->lit_mirrors_max = c.lit_mirrors_max;
    out->lit_mirrors_mean = c.lit_mirrors_mean;
    out->roi_x = c.output_roi.x;
    out->roi_y = c.output_roi.y;
    out->roi_width = c.output_roi.width;
    out->roi_height = c.output_roi.height;
    out->dmd_features = c.input_roi.n_features;
    out->replication = c.input_roi.replication;
    out->first_mirror = c.input_roi.first_mirror;
    out->bits = c.bits;
    out->retries = c.retries;
    out->retry_frames = c.retry_frames;
    out->retry_time_s = c.retry_time_s;
}

// Rebuilds the Opu with changed settings (they take effect at the next fit, as in C++).
void update_settings(opusim_opu* handle, const opusim::OpuSettings& settings) {
    handle->opu->close();
    handle->opu = std::make_unique<opusim::Opu>(settings);
}

// Sets one flag of the settings (next fit) through SET.
template <class Set>
opusim_status set_check(opusim_opu* opu, Set&& set) {
    if (opu == nullptr) return null_handle();
    return guarded([&] {
        opusim::OpuSettings settings = opu->opu->settings();
        set(settings);
        update_settings(opu, settings);
    });
}

}  // namespace

extern "C" {

opusim_status opusim_open(const char* device_uri, size_t n_components, opusim_opu** out) {
    if (out == nullptr) return fail(OPUSIM_ERROR_INVALID_ARGUMENT, "out: the pointer is NULL");
    *out = nullptr;
    return guarded([&] {
        opusim::OpuSettings settings;
        settings.device = device_uri == nullptr ? "" : device_uri;
        settings.n_components = n_components;
        auto handle = std::make_unique<opusim_opu>();
        handle->opu = std::make_unique<opusim::Opu>(settings);
        *out = handle.release();
    });
}

void opusim_close(opusim_opu* opu) {
    delete opu;
}

opusim_status opusim_set_max_n_features(opusim_opu* opu, size_t max_n_features) {
    if (opu == nullptr) return null_handle();
    return guarded([&] {
        if (max_n_features == 0) throw std::invalid_argument("max_n_features: expected >= 1");
        opusim::OpuSettings settings = opu->opu->settings();
        settings.max_n_features = max_n_features;
        update_settings(opu, settings);
    });
}

opusim_status opusim_set_input_roi_strategy(opusim_opu* opu, const char* strategy) {
    if (opu == nullptr) return null_handle();
    return guarded([&] {
        if (strategy == nullptr) throw std::invalid_argument("strategy: NULL");
        opu->opu->set_input_roi_strategy(opusim::parse_input_roi_strategy(strategy, "strategy"));
    });
}

opusim_status opusim_set_exposure_us(opusim_opu* opu, double exposure_us) {
    if (opu == nullptr) return null_handle();
    return guarded([&] {
        // NaN would otherwise fall to the "<= 0 restores" branch and be silently ignored.
        if (std::isnan(exposure_us)) {
            throw std::invalid_argument(
                "exposure_us: expected a number (> 0 sets, <= 0 restores the device's), got NaN");
        }
        if (exposure_us > 0) {
            opu->overrides.exposure_us = exposure_us;
        } else {
            opu->overrides.exposure_us.reset();
        }
    });
}

opusim_status opusim_fit1d(opusim_opu* opu, size_t n_features) {
    if (opu == nullptr) return null_handle();
    return guarded([&] { opu->opu->fit1d(n_features, false, opu->overrides); });
}

size_t opusim_n_components(const opusim_opu* opu) {
    return opu == nullptr ? 0 : opu->opu->n_components();
}

opusim_status opusim_transform(opusim_opu* opu, const uint8_t* x, size_t n_rows, size_t n_features,
                               uint16_t* out, opusim_context* context) {
    if (opu == nullptr) return null_handle();
    if (x == nullptr || out == nullptr) {
        return fail(OPUSIM_ERROR_INVALID_ARGUMENT, "x and out must not be NULL");
    }
    return guarded([&] {
        const auto result = opu->opu->transform(
            opusim::ArrayView<std::uint8_t>(x, n_rows, n_features), opu->overrides);
        std::copy(result.output.values.begin(), result.output.values.end(), out);
        fill(context, result.context);
        opu->last_context = result.context;
    });
}

opusim_status opusim_linear_transform(opusim_opu* opu, const float* x, size_t n_rows,
                                      size_t n_features, float* out, opusim_context* context) {
    if (opu == nullptr) return null_handle();
    if (x == nullptr || out == nullptr) {
        return fail(OPUSIM_ERROR_INVALID_ARGUMENT, "x and out must not be NULL");
    }
    return guarded([&] {
        const auto result = opu->opu->linear_transform(
            opusim::ArrayView<float>(x, n_rows, n_features), opu->overrides);
        std::copy(result.output.values.begin(), result.output.values.end(), out);
        fill(context, result.context);
        opu->last_context = result.context;
    });
}

opusim_status opusim_set_auto_exposure(opusim_opu* opu, int enabled, double density) {
    return set_check(opu, [&](opusim::OpuSettings& s) {
        // NaN fails the Opu's own range check, which names the setting.
        s.auto_exposure = enabled != 0;
        s.auto_exposure_density = density;
    });
}

opusim_status opusim_set_mask_defective_pixels(opusim_opu* opu, int enabled) {
    return set_check(opu, [&](opusim::OpuSettings& s) { s.mask_defective_pixels = enabled != 0; });
}

opusim_status opusim_set_detect_trigger_lag(opusim_opu* opu, int enabled) {
    return set_check(opu, [&](opusim::OpuSettings& s) { s.detect_trigger_lag = enabled != 0; });
}

opusim_status opusim_set_detect_stuck_mirrors(opusim_opu* opu, int enabled) {
    return set_check(opu, [&](opusim::OpuSettings& s) { s.detect_stuck_mirrors = enabled != 0; });
}

const char* opusim_context_exposure_source(const opusim_opu* opu) {
    return opu == nullptr ? "" : opu->last_context.exposure_source.c_str();
}

const char* opusim_context_exposure_warning(const opusim_opu* opu) {
    return opu == nullptr ? "" : opu->last_context.exposure_warning.c_str();
}

double opusim_context_exposure_signal_dn(const opusim_opu* opu) {
    return opu == nullptr ? 0.0 : opu->last_context.exposure_signal_dn;
}

double opusim_context_linear_error_limit(const opusim_opu* opu) {
    return opu == nullptr ? 0.0 : opu->last_context.linear_error_limit;
}

size_t opusim_context_hot_pixels(const opusim_opu* opu) {
    return opu == nullptr ? 0 : opu->last_context.hot_pixels.size();
}

size_t opusim_context_dead_pixels(const opusim_opu* opu) {
    return opu == nullptr ? 0 : opu->last_context.dead_pixels.size();
}

unsigned opusim_context_trigger_lag_frames(const opusim_opu* opu) {
    return opu == nullptr ? 0 : opu->last_context.trigger_lag_frames;
}

size_t opusim_context_stuck_features(const opusim_opu* opu, uint64_t* slots, size_t capacity) {
    if (opu == nullptr) return 0;
    const std::vector<std::uint64_t>& stuck = opu->last_context.stuck_features;
    if (slots != nullptr) std::copy_n(stuck.begin(), std::min(capacity, stuck.size()), slots);
    return stuck.size();
}

const char* opusim_context_stuck_mirror_warning(const opusim_opu* opu) {
    return opu == nullptr ? "" : opu->last_context.stuck_mirror_warning.c_str();
}

const char* opusim_last_error(void) {
    return g_last_error.c_str();
}

const char* opusim_version(void) {
    return opusim::version();
}

const char* opusim_status_name(opusim_status status) {
    switch (status) {
        case OPUSIM_OK:
            return "OPUSIM_OK";
        case OPUSIM_ERROR_INVALID_ARGUMENT:
            return "OPUSIM_ERROR_INVALID_ARGUMENT";
        case OPUSIM_ERROR_NOT_FITTED:
            return "OPUSIM_ERROR_NOT_FITTED";
        case OPUSIM_ERROR_URI:
            return "OPUSIM_ERROR_URI";
        case OPUSIM_ERROR_DEVICE_BUSY:
            return "OPUSIM_ERROR_DEVICE_BUSY";
        case OPUSIM_ERROR_TIMEOUT:
            return "OPUSIM_ERROR_TIMEOUT";
        case OPUSIM_ERROR_DMA:
            return "OPUSIM_ERROR_DMA";
        case OPUSIM_ERROR_INPUT_FORMAT:
            return "OPUSIM_ERROR_INPUT_FORMAT";
        case OPUSIM_ERROR_DEVICE:
            return "OPUSIM_ERROR_DEVICE";
        case OPUSIM_ERROR_INTERNAL:
            return "OPUSIM_ERROR_INTERNAL";
    }
    return "OPUSIM_UNKNOWN_STATUS";
}

}  // extern "C"
