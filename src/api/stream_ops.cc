// The DynamoDB Streams API (X-Amz-Target DynamoDBStreams_20120810.*): ListStreams,
// DescribeStream, GetShardIterator, GetRecords.
#include "api/ops.h"
#include "api/params.h"
#include "api/table_indexes.h"
#include "common/hlc.h"
#include "dynamo/attribute_json.h"
#include "streams/streams.h"

namespace floe::api {

namespace {

const char* EventName(dynamo::ChangeKind k) {
  switch (k) {
    case dynamo::ChangeKind::kInsert: return "INSERT";
    case dynamo::ChangeKind::kModify: return "MODIFY";
    case dynamo::ChangeKind::kRemove: return "REMOVE";
  }
  return "MODIFY";
}

void WriteRecord(json::Writer& w, const streams::StreamRecord& rec) {
  using streams::ViewType;
  const dynamo::ChangeRecord& r = rec.change;
  w.StartObject();
  w.Key("eventID");
  w.String(rec.event_id);
  w.Key("eventName");
  w.String(EventName(r.kind));
  w.Key("eventVersion");
  w.String("1.1");
  w.Key("eventSource");
  w.String("aws:dynamodb");
  w.Key("awsRegion");
  w.String(r.region);
  w.Key("dynamodb");
  w.StartObject();
  // Whole seconds, as DynamoDB Streams reports them.
  w.Key("ApproximateCreationDateTime");
  w.Int64(static_cast<int64_t>(Hlc::Physical(r.hlc) / 1000));
  w.Key("Keys");
  dynamo::WriteAttributeMap(w, r.keys);
  if ((rec.view_type == ViewType::kNewImage || rec.view_type == ViewType::kNewAndOldImages) && r.new_image) {
    w.Key("NewImage");
    dynamo::WriteAttributeMap(w, *r.new_image);
  }
  if ((rec.view_type == ViewType::kOldImage || rec.view_type == ViewType::kNewAndOldImages) && r.old_image) {
    w.Key("OldImage");
    dynamo::WriteAttributeMap(w, *r.old_image);
  }
  w.Key("SequenceNumber");
  w.String(streams::FormatSequenceNumber(r.sequence));
  w.Key("SizeBytes");
  w.Uint64(rec.size_bytes);
  w.Key("StreamViewType");
  w.String(streams::ViewTypeName(rec.view_type));
  w.EndObject();
  if (r.by_ttl) {
    w.Key("userIdentity");
    w.StartObject();
    w.Key("PrincipalId");
    w.String("dynamodb.amazonaws.com");
    w.Key("Type");
    w.String("Service");
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace

Status ListStreams(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> table, start;
  std::optional<int64_t> limit;
  RETURN_IF_ERROR(OptString(req, "TableName", &table));
  RETURN_IF_ERROR(OptString(req, "ExclusiveStartStreamArn", &start));
  RETURN_IF_ERROR(OptInt(req, "Limit", &limit));
  Validator v;
  v.TableName(table, "tableName", false);
  v.Min(limit, "limit", 1);
  v.Max(limit, "limit", 100);
  if (start && (start->size() < 37 || start->size() > 1024)) {
    v.Fail(start, "exclusiveStartStreamArn",
           start->size() < 37 ? "Member must have length greater than or equal to 37"
                              : "Member must have length less than or equal to 1024");
  }
  RETURN_IF_ERROR(v.Done());
  std::string last;
  ASSIGN_OR_RETURN(auto list,
                   ctx.services.streams->ListStreams(table, start, static_cast<size_t>(limit.value_or(100)), &last));
  out.StartObject();
  out.Key("Streams");
  out.StartArray();
  for (const auto& s : list) {
    out.StartObject();
    out.Key("StreamArn");
    out.String(s.arn);
    out.Key("TableName");
    out.String(s.table_name);
    out.Key("StreamLabel");
    out.String(s.label);
    out.EndObject();
  }
  out.EndArray();
  if (!last.empty()) {
    out.Key("LastEvaluatedStreamArn");
    out.String(last);
  }
  out.EndObject();
  return Status::Ok();
}

Status DescribeStream(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> arn, start;
  std::optional<int64_t> limit;
  const json::Value* filter = nullptr;
  RETURN_IF_ERROR(OptString(req, "StreamArn", &arn));
  RETURN_IF_ERROR(OptString(req, "ExclusiveStartShardId", &start));
  RETURN_IF_ERROR(OptInt(req, "Limit", &limit));
  RETURN_IF_ERROR(OptObject(req, "ShardFilter", &filter));
  std::optional<std::string> filter_type, filter_shard;
  if (filter) {
    RETURN_IF_ERROR(OptString(*filter, "Type", &filter_type));
    RETURN_IF_ERROR(OptString(*filter, "ShardId", &filter_shard));
  }
  Validator v;
  v.NotNull(arn.has_value(), "streamArn");
  v.Min(limit, "limit", 1);
  v.Max(limit, "limit", 100);
  v.Enum(filter_type, "shardFilter.type", {"CHILD_SHARDS"});
  RETURN_IF_ERROR(v.Done());
  if (filter && (!filter_type || !filter_shard)) {
    return Status::InvalidArgument("ShardFilter requires both Type (CHILD_SHARDS) and ShardId");
  }
  ASSIGN_OR_RETURN(auto d, ctx.services.streams->DescribeStream(*arn, static_cast<size_t>(limit.value_or(100)), start,
                                                                filter_shard));
  out.StartObject();
  out.Key("StreamDescription");
  out.StartObject();
  out.Key("StreamArn");
  out.String(d.arn);
  out.Key("StreamLabel");
  out.String(d.label);
  out.Key("StreamStatus");
  out.String(d.status);
  out.Key("StreamViewType");
  out.String(streams::ViewTypeName(d.view_type));
  out.Key("CreationRequestDateTime");
  out.Double(static_cast<double>(d.created_ms) / 1000.0);
  out.Key("TableName");
  out.String(d.table_name);
  out.Key("KeySchema");
  WriteKeySchema(out, d.hash_key, d.range_key);
  out.Key("Shards");
  out.StartArray();
  for (const auto& sh : d.shards) {
    out.StartObject();
    out.Key("ShardId");
    out.String(sh.shard_id);
    out.Key("SequenceNumberRange");
    out.StartObject();
    out.Key("StartingSequenceNumber");
    out.String(streams::FormatSequenceNumber(sh.starting_sequence));
    if (sh.ending_sequence) {
      out.Key("EndingSequenceNumber");
      out.String(streams::FormatSequenceNumber(*sh.ending_sequence));
    }
    out.EndObject();
    if (!sh.parent_shard_id.empty()) {
      out.Key("ParentShardId");
      out.String(sh.parent_shard_id);
    }
    out.EndObject();
  }
  out.EndArray();
  if (!d.last_evaluated_shard_id.empty()) {
    out.Key("LastEvaluatedShardId");
    out.String(d.last_evaluated_shard_id);
  }
  out.EndObject();
  out.EndObject();
  return Status::Ok();
}

Status GetShardIterator(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> arn, shard, type, seq;
  RETURN_IF_ERROR(OptString(req, "StreamArn", &arn));
  RETURN_IF_ERROR(OptString(req, "ShardId", &shard));
  RETURN_IF_ERROR(OptString(req, "ShardIteratorType", &type));
  RETURN_IF_ERROR(OptString(req, "SequenceNumber", &seq));
  Validator v;
  v.NotNull(arn.has_value(), "streamArn");
  v.NotNull(shard.has_value(), "shardId");
  v.NotNull(type.has_value(), "shardIteratorType");
  v.Enum(type, "shardIteratorType", {"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"});
  if (shard && (shard->size() < 28 || shard->size() > 65)) {
    v.Fail(shard, "shardId",
           shard->size() < 28 ? "Member must have length greater than or equal to 28"
                              : "Member must have length less than or equal to 65");
  }
  RETURN_IF_ERROR(v.Done());
  streams::IteratorType t = streams::IteratorType::kTrimHorizon;
  if (*type == "LATEST")
    t = streams::IteratorType::kLatest;
  else if (*type == "AT_SEQUENCE_NUMBER")
    t = streams::IteratorType::kAtSequence;
  else if (*type == "AFTER_SEQUENCE_NUMBER")
    t = streams::IteratorType::kAfterSequence;
  const bool needs_seq = t == streams::IteratorType::kAtSequence || t == streams::IteratorType::kAfterSequence;
  if (needs_seq && !seq) {
    return Status::InvalidArgument("Must specify a sequence number with ShardIteratorType " + *type);
  }
  if (!needs_seq && seq) {
    return Status::InvalidArgument("Must not specify a sequence number with ShardIteratorType " + *type);
  }
  std::optional<uint64_t> n;
  if (seq) {
    ASSIGN_OR_RETURN(n, streams::ParseSequenceNumber(*seq));
  }
  ASSIGN_OR_RETURN(std::string it, ctx.services.streams->GetShardIterator(*arn, *shard, t, n));
  out.StartObject();
  out.Key("ShardIterator");
  out.String(it);
  out.EndObject();
  return Status::Ok();
}

Status GetRecords(OpContext& ctx, const json::Value& req, json::Writer& out) {
  std::optional<std::string> iterator;
  std::optional<int64_t> limit;
  RETURN_IF_ERROR(OptString(req, "ShardIterator", &iterator));
  RETURN_IF_ERROR(OptInt(req, "Limit", &limit));
  Validator v;
  v.NotNull(iterator.has_value(), "shardIterator");
  if (iterator && (iterator->empty() || iterator->size() > 2048)) {
    v.Fail(iterator, "shardIterator",
           iterator->empty() ? "Member must have length greater than or equal to 1"
                             : "Member must have length less than or equal to 2048");
  }
  v.Min(limit, "limit", 1);
  v.Max(limit, "limit", 1000);
  RETURN_IF_ERROR(v.Done());
  ASSIGN_OR_RETURN(auto page, ctx.services.streams->GetRecords(*iterator, static_cast<size_t>(limit.value_or(1000))));
  out.StartObject();
  out.Key("Records");
  out.StartArray();
  for (const auto& rec : page.records) WriteRecord(out, rec);
  out.EndArray();
  if (page.next_iterator) {
    out.Key("NextShardIterator");
    out.String(*page.next_iterator);
  }
  out.EndObject();
  return Status::Ok();
}

}  // namespace floe::api
