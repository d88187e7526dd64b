// When each scheduled frame's input DMA and output DMA end, so the FRAMES_* counters read exactly
// at any simulated time even though the sequencer schedules frames ahead of the kernel's time.
#pragma once

#include <cstdint>
#include <deque>

namespace opusim::model {

class FrameLedger {
  public:
    void record(std::uint64_t in_end_ps, std::uint64_t out_end_ps, bool dropped) {
        pending_.push_back({in_end_ps, out_end_ps, dropped});
    }
    // Folds frames whose every event is at or before NOW into the totals.
    void retire(std::uint64_t now_ps);
    void clear() { *this = FrameLedger{}; }

    std::uint64_t frames_in(std::uint64_t now_ps) const;
    std::uint64_t frames_out(std::uint64_t now_ps) const;
    std::uint64_t frames_dropped(std::uint64_t now_ps) const;

  private:
    struct Record {
        std::uint64_t in_end;
        std::uint64_t out_end;
        bool dropped;
    };
    std::deque<Record> pending_;
    std::uint64_t in_ = 0;
    std::uint64_t out_ = 0;
    std::uint64_t dropped_ = 0;
};

}  // namespace opusim::model
