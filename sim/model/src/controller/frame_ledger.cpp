#include "frame_ledger.hpp"

namespace opusim::model {

void FrameLedger::retire(std::uint64_t now_ps) {
    while (!pending_.empty() && pending_.front().out_end <= now_ps &&
           pending_.front().in_end <= now_ps) {
        const Record& record = pending_.front();
        ++in_;
        if (record.dropped)
            ++dropped_;
        else
            ++out_;
        pending_.pop_front();
    }
}

std::uint64_t FrameLedger::frames_in(std::uint64_t now_ps) const {
    std::uint64_t count = in_;
    for (const auto& record : pending_) count += record.in_end <= now_ps ? 1 : 0;
    return count;
}

std::uint64_t FrameLedger::frames_out(std::uint64_t now_ps) const {
    std::uint64_t count = out_;
    for (const auto& record : pending_)
        count += !record.dropped && record.out_end <= now_ps ? 1 : 0;
    return count;
}

std::uint64_t FrameLedger::frames_dropped(std::uint64_t now_ps) const {
    std::uint64_t count = dropped_;
    for (const auto& record : pending_) count += record.dropped && record.out_end <= now_ps ? 1 : 0;
    return count;
}

}  // namespace opusim::model
