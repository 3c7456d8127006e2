#pragma once
// The record transformation step (Firehose's data-transformation contract) as a sandboxed
// Lua 5.4 function. It is called with a batch of records
//   { {recordId = "...", data = {eventName = "INSERT"|"MODIFY"|"REMOVE"|"SNAPSHOT",
//      SequenceNumber = "...", ApproximateCreationDateTime = <epoch seconds>,
//      Keys = {...}, NewImage = {...}, OldImage = {...}}}, ... }
// where images are in DynamoDB JSON ({pk = {S = "a"}, qty = {N = "3"}}, B as base64), and
// returns one result per record: {recordId = ..., result = "Ok"|"Dropped"|"ProcessingFailed",
// data = {...}} (data in the same shape; required for Ok). A record missing from the result,
// a malformed result, an error raised by the function, a timeout or exhausted memory fails
// the records of the call (ProcessingFailed, with the reason), which go to the backup.
//
// The sandbox has only the base (without load, loadfile, dofile, require), string (without
// dump), table, math and utf8 libraries; no io, os or debug. Not thread-safe: one per
// replication.
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "pipeline/config.h"
#include "pipeline/mapping.h"

namespace floe::pipeline {

class Transformer {
 public:
  // Compiles the code and checks that it defines the function. Errors: kInvalidArgument.
  static Result<std::unique_ptr<Transformer>> Make(const TransformSettings& settings);
  ~Transformer();

  struct Outcome {
    enum class Result { kOk, kDropped, kFailed } result = Result::kOk;
    Change change;      // transformed (kOk), or the input (kDropped, kFailed)
    std::string error;  // kFailed
  };
  // One outcome per change, in order; calls the function batch_records at a time.
  std::vector<Outcome> Apply(const std::vector<Change>& changes);

 private:
  struct State;
  Transformer() = default;
  std::vector<Outcome> ApplyBatch(const std::vector<Change>& changes, size_t begin, size_t end);
  std::vector<Outcome> ApplyBatchUnsafe(const std::vector<Change>& changes, size_t begin, size_t end);
  std::unique_ptr<State> state_;
  TransformSettings settings_;
};

}  // namespace floe::pipeline
