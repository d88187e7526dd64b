// A minimal PNG encoder for 8-bit grayscale images (the report's speckle frame, embedded in SVG
// as a data: URI). The image data is zlib "stored" (uncompressed) blocks: valid PNG that any
// decoder reads, with no compression library needed for a few kilobytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace opusim::cli::report {

// PNG file bytes of a ROWS x COLS grayscale image (row-major PIXELS).
std::vector<std::uint8_t> encode_gray_png(const std::vector<std::uint8_t>& pixels,
                                          std::uint32_t rows, std::uint32_t cols);

std::string base64(const std::vector<std::uint8_t>& bytes);

}  // namespace opusim::cli::report
