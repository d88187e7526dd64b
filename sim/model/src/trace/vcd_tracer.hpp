// The optional VCD trace (GTKWave): per-stage activity (1 while the stage works on a frame),
// frame counters and the interrupt line. The sequencer schedules frames ahead of the kernel's time,
// so it hands each frame's stage intervals to this module, whose thread replays them in time
// order; traced values therefore change at their exact simulated times. Costs nothing when off.
#pragma once

#include <array>
#include <cstdint>
#include <queue>
#include <string>
#include <vector>

#include <systemc>

#include "../controller/frame_pipeline.hpp"

namespace opusim::model {

class VcdTracer : public sc_core::sc_module {
  public:
    SC_HAS_PROCESS(VcdTracer);
    explicit VcdTracer(sc_core::sc_module_name name);
    ~VcdTracer() override;

    // Opens PATH (".vcd" is appended by SystemC when missing) and traces IRQ with the stages.
    // Must be called before the simulation first runs.
    void open(const std::string& path, const sc_core::sc_signal_in_if<bool>& irq);
    bool enabled() const { return file_ != nullptr; }
    void frame(const FrameSchedule& schedule, bool dropped);

  private:
    struct Change {
        std::uint64_t time;
        std::uint8_t variable;  // stage index, or one of the counters below
        std::int8_t delta;
    };
    struct Later {
        bool operator()(const Change& a, const Change& b) const { return a.time > b.time; }
    };
    static constexpr std::uint8_t kFramesIn = 100;
    static constexpr std::uint8_t kFramesOut = 101;
    static constexpr std::uint8_t kFramesDropped = 102;

    void play();
    void apply(const Change& change);

    sc_core::sc_trace_file* file_ = nullptr;
    std::priority_queue<Change, std::vector<Change>, Later> changes_;
    sc_core::sc_event pushed_;
    std::array<std::uint32_t, kResourceStageCount> occupancy_{};
    std::array<bool, kResourceStageCount> busy_{};  // traced: occupancy > 0
    std::uint32_t frames_in_ = 0;
    std::uint32_t frames_out_ = 0;
    std::uint32_t frames_dropped_ = 0;
};

}  // namespace opusim::model
