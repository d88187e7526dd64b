#include "opusim/kernels/workspace.hpp"

#include <atomic>

namespace opusim::kernels {
namespace {

std::atomic<std::size_t> current{0};
std::atomic<std::size_t> peak{0};

}  // namespace

std::size_t WorkspaceCounter::current_bytes() {
    return current.load();
}
std::size_t WorkspaceCounter::peak_bytes() {
    return peak.load();
}
void WorkspaceCounter::reset_peak() {
    peak.store(current.load());
}

void WorkspaceCounter::add(std::size_t bytes) {
    const std::size_t now = current.fetch_add(bytes) + bytes;
    std::size_t seen = peak.load();
    while (now > seen && !peak.compare_exchange_weak(seen, now)) {
    }
}

void WorkspaceCounter::remove(std::size_t bytes) {
    current.fetch_sub(bytes);
}

}  // namespace opusim::kernels
