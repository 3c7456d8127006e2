#pragma once
// Hybrid logical clock. A timestamp is 64 bits: the high 48 bits are physical milliseconds
// since the Unix epoch, the low 16 bits a logical counter. Timestamps issued by one Hlc are
// strictly increasing, even when the wall clock steps back; Observe() folds in a timestamp
// received from another region so that causally later writes compare greater.
// Thread-safe.
#include <atomic>
#include <cstdint>

#include "common/clock.h"

namespace floe {

class Hlc {
 public:
  explicit Hlc(const Clock* clock) : clock_(clock) {}

  static constexpr int kLogicalBits = 16;
  static uint64_t Physical(uint64_t ts) { return ts >> kLogicalBits; }
  static uint64_t Logical(uint64_t ts) { return ts & ((1u << kLogicalBits) - 1); }
  static uint64_t Make(uint64_t physical_ms, uint64_t logical) { return (physical_ms << kLogicalBits) | logical; }

  // A new timestamp, greater than every one issued or observed before.
  uint64_t Now();
  // Folds in a remote timestamp.
  void Observe(uint64_t remote);
  // The last timestamp issued or observed (0 if none).
  uint64_t Last() const { return last_.load(); }

 private:
  const Clock* clock_;
  std::atomic<uint64_t> last_{0};
};

}  // namespace floe
