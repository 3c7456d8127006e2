#pragma once
// A background thread that runs a task every interval until stopped, or sooner when woken.
// Start, Wake and Stop may be called from any thread; Stop waits for a running pass to
// finish. The destructor stops.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace floe {

class PeriodicTask {
 public:
  PeriodicTask(int64_t interval_ms, std::function<void()> task) : interval_ms_(interval_ms), task_(std::move(task)) {}
  ~PeriodicTask() { Stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  void Start() {
    std::lock_guard<std::mutex> l(mu_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] {
      std::unique_lock<std::mutex> l(mu_);
      while (!stopping_) {
        cv_.wait_for(l, std::chrono::milliseconds(interval_ms_), [this] { return stopping_ || woken_; });
        if (stopping_) break;
        woken_ = false;
        l.unlock();
        task_();
        l.lock();
      }
    });
  }

  // Runs the task soon (once, however many wakes come before it starts).
  void Wake() {
    {
      std::lock_guard<std::mutex> l(mu_);
      woken_ = true;
    }
    cv_.notify_all();
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  const int64_t interval_ms_;
  const std::function<void()> task_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace floe
