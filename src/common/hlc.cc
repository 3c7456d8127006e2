#include "common/hlc.h"

namespace floe {

uint64_t Hlc::Now() {
  const uint64_t wall = Make(static_cast<uint64_t>(clock_->NowMillis()), 0);
  uint64_t prev = last_.load(std::memory_order_relaxed);
  while (true) {
    const uint64_t next = wall > prev ? wall : prev + 1;
    if (last_.compare_exchange_weak(prev, next, std::memory_order_relaxed)) return next;
  }
}

void Hlc::Observe(uint64_t remote) {
  uint64_t prev = last_.load(std::memory_order_relaxed);
  while (remote > prev && !last_.compare_exchange_weak(prev, remote, std::memory_order_relaxed)) {
  }
}

}  // namespace floe
