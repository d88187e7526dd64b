// exp over float arrays, branch-free so the compiler vectorises it (public for its accuracy test).
// The feature maps take L x m exponentials per head, which with libm's scalar exp cost more than
// all the matrix products of FAVOR+ together.
#pragma once

#include <cstddef>

namespace opusim::kernels {

// values[i] = exp(values[i]) with relative error below 4e-7 (a few float ulp) for arguments in
// [-87, 88]; arguments below -87 give exp(-87) ~ 1.6e-38 (negligible next to any epsilon or
// feature), above 88 give exp(88). Inputs must not be NaN.
void exp_in_place(float* values, std::size_t count);

}  // namespace opusim::kernels
