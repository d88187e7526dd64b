// A minimal fork-join loop for the physics: TASKS independent tasks spread over THREADS workers
// that take the next task from a shared counter. Results never depend on which worker ran a task
// (every task writes its own disjoint output), so the thread count changes speed only.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace opusim::physics::detail {

// BODY(task, worker) for task in [0, tasks); worker in [0, threads) identifies per-worker scratch.
// The first exception thrown by a task is rethrown on the calling thread after all workers stop.
template <class Body>
void parallel_for(std::size_t tasks, unsigned threads, Body&& body) {
    const unsigned workers =
        static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, tasks)));
    if (workers <= 1) {
        for (std::size_t task = 0; task < tasks; ++task) body(task, 0u);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto work = [&](unsigned worker) {
        try {
            for (std::size_t task = next++; task < tasks; task = next++) body(task, worker);
        } catch (...) {
            next = tasks;  // stop handing out work
            std::lock_guard<std::mutex> lock(failure_mutex);
            if (!failure) failure = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(workers - 1);
    for (unsigned worker = 1; worker < workers; ++worker) pool.emplace_back(work, worker);
    work(0);
    for (auto& thread : pool) thread.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace opusim::physics::detail
