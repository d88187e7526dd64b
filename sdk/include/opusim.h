/* opusim C API: the OPU simulator's SDK for C programs (and any language with a C FFI).
 *
 * Opaque handles, status codes, and a per-thread last-error message:
 *
 *   opusim_opu* opu = NULL;
 *   if (opusim_open("sim:gen2", 1000, &opu) != OPUSIM_OK) {
 *       fprintf(stderr, "%s\n", opusim_last_error());
 *       return 1;
 *   }
 *   opusim_fit1d(opu, n_features);
 *   opusim_transform(opu, x, n_rows, n_features, y, &context);   // y: n_rows x 1000 uint16
 *   opusim_close(opu);
 *
 * Every function returning opusim_status leaves a message naming the problem in
 * opusim_last_error() when it fails. Handles are not shared between threads without a lock.
 */
#ifndef OPUSIM_H
#define OPUSIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct opusim_opu opusim_opu;

typedef enum opusim_status {
    OPUSIM_OK = 0,
    OPUSIM_ERROR_INVALID_ARGUMENT = 1, /* bad shape, non-binary input, NaN, too many features */
    OPUSIM_ERROR_NOT_FITTED = 2,       /* transform before fit */
    OPUSIM_ERROR_URI = 3,              /* unknown transport, option or profile */
    OPUSIM_ERROR_DEVICE_BUSY = 4,      /* another process (named in the message) holds it */
    OPUSIM_ERROR_TIMEOUT = 5,          /* no completion in time; the device was reset */
    OPUSIM_ERROR_DMA = 6,              /* the device's DMA faulted */
    OPUSIM_ERROR_INPUT_FORMAT = 7,     /* the device rejected an input frame */
    OPUSIM_ERROR_DEVICE = 8,           /* any other device-reported failure */
    OPUSIM_ERROR_INTERNAL = 9          /* anything else (message says what) */
} opusim_status;

/* What a result was measured under and what it cost (see opusim/context.hpp). */
typedef struct opusim_context {
    double exposure_us;
    double frametime_us;
    double start_s; /* simulated device time */
    double end_s;
    double wall_time_s;
    uint64_t frames;
    uint64_t saturated_pixels;
    uint64_t lit_mirrors_min;
    uint64_t lit_mirrors_max;
    double lit_mirrors_mean;
    uint32_t roi_x, roi_y, roi_width, roi_height;
    uint64_t dmd_features; /* features on the DMD (linear mode: signal + reference) */
    uint64_t replication;
    uint64_t first_mirror;
    unsigned bits;
    /* Device failures recovered (a pass run again, outputs unchanged) and what they cost: frames
     * (included in FRAMES) and device time (included in END_S - START_S). */
    uint64_t retries;
    uint64_t retry_frames;
    double retry_time_s;
} opusim_context;

/* Opens DEVICE_URI (NULL or "": $OPUSIM_DEVICE, else "sim:gen2") with N_COMPONENTS outputs. */
opusim_status opusim_open(const char* device_uri, size_t n_components, opusim_opu** out);
/* Releases the device; NULL is accepted. */
void opusim_close(opusim_opu* opu);

/* The largest n_features fit accepts (default 1000) and the input ROI strategy
 * ("full", "small", "auto"); both take effect at the next fit. */
opusim_status opusim_set_max_n_features(opusim_opu* opu, size_t max_n_features);
opusim_status opusim_set_input_roi_strategy(opusim_opu* opu, const char* strategy);
/* Per-call camera settings for the following calls; a value <= 0 restores the device's. */
opusim_status opusim_set_exposure_us(opusim_opu* opu, double exposure_us);

opusim_status opusim_fit1d(opusim_opu* opu, size_t n_features);
size_t opusim_n_components(const opusim_opu* opu);

/* X: N_ROWS x N_FEATURES values 0/1 (row-major); OUT: N_ROWS x n_components camera values.
 * CONTEXT may be NULL. */
opusim_status opusim_transform(opusim_opu* opu, const uint8_t* x, size_t n_rows, size_t n_features,
                               uint16_t* out, opusim_context* context);
/* X: N_ROWS x N_FEATURES finite floats; OUT: N_ROWS x n_components floats, the projection by a
 * real Gaussian matrix with N(0, 1/2) entries. */
opusim_status opusim_linear_transform(opusim_opu* opu, const float* x, size_t n_rows,
                                      size_t n_features, float* out, opusim_context* context);

/* The SDK's checks at each fit (docs/sdk.md "Automatic exposure", "Device defects"), as
 * OpuSettings: ENABLED 0 turns one off, anything else on; they take effect at the next fit.
 * Automatic exposure (default on) at DENSITY, the expected fraction of lit features (0, 1];
 * hot and dead pixels masked (on); the camera's trigger lag compensated (on); stuck mirrors
 * found and the features moved off them (off: it costs n_features frames at every fit). */
opusim_status opusim_set_auto_exposure(opusim_opu* opu, int enabled, double density);
opusim_status opusim_set_mask_defective_pixels(opusim_opu* opu, int enabled);
opusim_status opusim_set_detect_trigger_lag(opusim_opu* opu, int enabled);
opusim_status opusim_set_detect_stuck_mirrors(opusim_opu* opu, int enabled);

/* Fields of the last successful transform's context (opusim/context.hpp) that opusim_context
 * does not carry (it keeps its layout for binary compatibility). Before any transform, and for
 * a NULL handle: "" or 0. Strings stay valid until the next call on OPU. */
const char* opusim_context_exposure_source(const opusim_opu* opu); /* auto, user, device */
const char* opusim_context_exposure_warning(const opusim_opu* opu);
double opusim_context_exposure_signal_dn(const opusim_opu* opu);
double opusim_context_linear_error_limit(const opusim_opu* opu); /* linear transforms */
size_t opusim_context_hot_pixels(const opusim_opu* opu);         /* counts of pixels masked */
size_t opusim_context_dead_pixels(const opusim_opu* opu);
unsigned opusim_context_trigger_lag_frames(const opusim_opu* opu);
/* The stuck feature slots found: writes at most CAPACITY into SLOTS (may be NULL when 0) and
 * returns how many there are. */
size_t opusim_context_stuck_features(const opusim_opu* opu, uint64_t* slots, size_t capacity);
const char* opusim_context_stuck_mirror_warning(const opusim_opu* opu);

/* The message of this thread's last failure ("" if none). Valid until the next call. */
const char* opusim_last_error(void);
const char* opusim_status_name(opusim_status status);

/* The library's version, "MAJOR.MINOR.PATCH" (static storage; never NULL). */
const char* opusim_version(void);

#ifdef __cplusplus
}
#endif

#endif /* OPUSIM_H */
