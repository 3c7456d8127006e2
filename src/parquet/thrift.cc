#include "parquet/thrift.h"

namespace floe::parquet::thrift {

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void CompactWriter::FieldHeader(int16_t id, Type type) {
  int delta = id - last_id_;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<uint8_t>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    PutVarint(out_, ZigZag(id));
  }
  last_id_ = id;
}

void CompactWriter::BeginStruct() {
  stack_.push_back(last_id_);
  last_id_ = 0;
}

void CompactWriter::EndStruct() {
  out_->push_back(0);  // stop
  last_id_ = stack_.empty() ? 0 : stack_.back();
  if (!stack_.empty()) stack_.pop_back();
}

void CompactWriter::I16(int16_t id, int16_t v) {
  FieldHeader(id, Type::kI16);
  PutVarint(out_, ZigZag(v));
}

void CompactWriter::I32(int16_t id, int32_t v) {
  FieldHeader(id, Type::kI32);
  PutVarint(out_, ZigZag(v));
}

void CompactWriter::I64(int16_t id, int64_t v) {
  FieldHeader(id, Type::kI64);
  PutVarint(out_, ZigZag(v));
}

void CompactWriter::Bool(int16_t id, bool v) { FieldHeader(id, v ? Type::kBoolTrue : Type::kBoolFalse); }

void CompactWriter::Binary(int16_t id, std::string_view v) {
  FieldHeader(id, Type::kBinary);
  PutVarint(out_, v.size());
  out_->append(v);
}

void CompactWriter::BeginStructField(int16_t id) {
  FieldHeader(id, Type::kStruct);
  BeginStruct();
}

void CompactWriter::BeginList(int16_t id, Type element, size_t size) {
  FieldHeader(id, Type::kList);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | static_cast<uint8_t>(element)));
  } else {
    out_->push_back(static_cast<char>(0xf0 | static_cast<uint8_t>(element)));
    PutVarint(out_, size);
  }
}

void CompactWriter::ListI32(int32_t v) { PutVarint(out_, ZigZag(v)); }

void CompactWriter::ListBinary(std::string_view v) {
  PutVarint(out_, v.size());
  out_->append(v);
}

}  // namespace floe::parquet::thrift
