/* opusim from C: random features of binary data and a linear projection, with error handling.
 * Built against the installed package by tests/sdk/install_test.sh (find_package and
 * pkg-config), so this program is what docs/sdk.md shows and it cannot rot.
 *
 *   example_c [DEVICE_URI]      (default: $OPUSIM_DEVICE, else sim:gen2)
 */
#include <stdio.h>
#include <stdlib.h>

#include <opusim.h>

enum { N_SAMPLES = 50, N_FEATURES = 300, N_COMPONENTS = 128 };

int main(int argc, char** argv) {
    static uint8_t x[N_SAMPLES * N_FEATURES];
    static uint16_t y[N_SAMPLES * N_COMPONENTS];
    static float v[4 * N_FEATURES];
    static float z[4 * N_COMPONENTS];
    opusim_opu* opu = NULL;
    opusim_context context;
    unsigned seed = 7;
    size_t i;

    if (opusim_open(argc > 1 ? argv[1] : NULL, N_COMPONENTS, &opu) != OPUSIM_OK) {
        fprintf(stderr, "open: %s\n", opusim_last_error());
        return 1;
    }
    for (i = 0; i < N_SAMPLES * N_FEATURES; ++i) {
        seed = seed * 1103515245u + 12345u;
        x[i] = (uint8_t)((seed >> 16) & 1u);
    }
    for (i = 0; i < 4 * N_FEATURES; ++i) v[i] = (float)((int)(i % 17) - 8) / 8.0f;

    if (opusim_fit1d(opu, N_FEATURES) != OPUSIM_OK ||
        opusim_transform(opu, x, N_SAMPLES, N_FEATURES, y, &context) != OPUSIM_OK) {
        fprintf(stderr, "transform: %s\n", opusim_last_error());
        opusim_close(opu);
        return 1;
    }
    printf("transform: %d x %d values, %llu frames, device time %.6f s, exposure %.1f us\n",
           N_SAMPLES, N_COMPONENTS, (unsigned long long)context.frames,
           context.end_s - context.start_s, context.exposure_us);

    if (opusim_linear_transform(opu, v, 4, N_FEATURES, z, &context) != OPUSIM_OK) {
        fprintf(stderr, "linear_transform: %s\n", opusim_last_error());
        opusim_close(opu);
        return 1;
    }
    printf("linear_transform: z[0] = %f, %llu frames\n", z[0], (unsigned long long)context.frames);

    /* Errors come back as codes with a message: a value that is not 0/1. */
    x[0] = 7;
    if (opusim_transform(opu, x, N_SAMPLES, N_FEATURES, y, NULL) != OPUSIM_ERROR_INVALID_ARGUMENT) {
        fprintf(stderr, "a non-binary input was accepted\n");
        opusim_close(opu);
        return 1;
    }
    printf("rejected as expected: %s\n", opusim_last_error());
    opusim_close(opu);
    printf("ok\n");
    return 0;
}
