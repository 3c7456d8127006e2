#pragma once
// Every fuzz target runs its inputs on one thread with the stack the node's request threads
// have (common/thread.h: kRequestThreadStackBytes), so that a recursion bound that holds here
// holds in the node, whatever libFuzzer's own thread has. Under ASan frames are larger than in
// the node, so the margin shown here is a lower bound.
#include <condition_variable>
#include <functional>
#include <mutex>

#include "common/thread.h"

namespace floe::fuzz {

// Runs fn on the request-stack thread and waits for it.
inline void RunOnRequestStack(const std::function<void()>& fn) {
  struct Runner {
    std::mutex mu;
    std::condition_variable cv;
    const std::function<void()>* job = nullptr;
    bool done = false;
    StackThread thread;
    Runner() {
      thread = StackThread(kRequestThreadStackBytes, [this] {
        std::unique_lock<std::mutex> l(mu);
        for (;;) {
          cv.wait(l, [this] { return job != nullptr; });
          (*job)();
          job = nullptr;
          done = true;
          cv.notify_all();
        }
      });
    }
  };
  static Runner* runner = new Runner();  // never joined: the process exits with it running
  std::unique_lock<std::mutex> l(runner->mu);
  runner->job = &fn;
  runner->done = false;
  runner->cv.notify_all();
  runner->cv.wait(l, [&] { return runner->done; });
}

}  // namespace floe::fuzz
