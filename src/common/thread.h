#pragma once
// Threads with an explicit stack size. Request handling runs on these (the I/O threads and the
// large-request thread) so that its stack is the same whatever `ulimit -s` the node was
// started with; recursion on request input is bounded by explicit depth limits well inside it
// (the fuzz targets run their inputs on a thread of this size).
#include <cstddef>
#include <functional>
#include <memory>

namespace floe {

// The stack of every thread that handles requests.
constexpr size_t kRequestThreadStackBytes = 8 << 20;

class StackThread {
 public:
  StackThread() = default;
  // Starts fn on a new thread with a stack of stack_bytes. Throws std::system_error when the
  // thread cannot be created (as std::thread does).
  StackThread(size_t stack_bytes, std::function<void()> fn);
  ~StackThread();  // REQUIRES: joined (or never started)
  StackThread(StackThread&& other) noexcept;
  StackThread& operator=(StackThread&& other) noexcept;
  StackThread(const StackThread&) = delete;
  StackThread& operator=(const StackThread&) = delete;

  bool joinable() const { return started_; }
  void join();

 private:
  unsigned long handle_ = 0;  // pthread_t
  bool started_ = false;
};

}  // namespace floe
