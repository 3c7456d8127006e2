#include "parquet/column.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <string_view>

#include "common/hash.h"
#include "parquet/thrift.h"

namespace floe::parquet {

static_assert(std::endian::native == std::endian::little, "the PLAIN encoder copies little-endian memory");

// Parquet's Encoding and PageType values (parquet.thrift; persisted, do not renumber).
namespace enc {
constexpr int32_t kPlain = 0;
constexpr int32_t kRle = 3;
constexpr int32_t kRleDictionary = 8;
}  // namespace enc
namespace page {
constexpr int32_t kData = 0;
constexpr int32_t kDictionary = 2;
}  // namespace page

void DescribeLeaf(Leaf* leaf) {
  const Field& f = *leaf->field;
  switch (f.type) {
    case TypeId::kBoolean:
      leaf->physical = Physical::kBoolean;
      leaf->storage = Storage::kBool;
      break;
    case TypeId::kInt:
    case TypeId::kDate:
      leaf->physical = Physical::kInt32;
      leaf->storage = Storage::kInt32;
      break;
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      leaf->physical = Physical::kInt64;
      leaf->storage = Storage::kInt64;
      break;
    case TypeId::kFloat:
      leaf->physical = Physical::kFloat;
      leaf->storage = Storage::kFloat;
      break;
    case TypeId::kDouble:
      leaf->physical = Physical::kDouble;
      leaf->storage = Storage::kDouble;
      break;
    case TypeId::kDecimal:
      if (f.precision <= 9) {
        leaf->physical = Physical::kInt32;
        leaf->storage = Storage::kInt32;
      } else if (f.precision <= 18) {
        leaf->physical = Physical::kInt64;
        leaf->storage = Storage::kInt64;
      } else {
        leaf->physical = Physical::kFixedLenByteArray;
        leaf->storage = Storage::kInt128;
        leaf->type_length = DecimalBytes(f.precision);
      }
      break;
    case TypeId::kUuid:
      leaf->physical = Physical::kFixedLenByteArray;
      leaf->storage = Storage::kBytes;
      leaf->type_length = 16;
      break;
    case TypeId::kFixed:
      leaf->physical = Physical::kFixedLenByteArray;
      leaf->storage = Storage::kBytes;
      leaf->type_length = f.length;
      break;
    default:  // string, binary
      leaf->physical = Physical::kByteArray;
      leaf->storage = Storage::kBytes;
      break;
  }
}

int CompareBounds(Storage storage, const Bound& a, const Bound& b) {
  switch (storage) {
    case Storage::kFloat:
    case Storage::kDouble: return a.d < b.d ? -1 : (b.d < a.d ? 1 : 0);
    case Storage::kBytes: return a.s.compare(b.s);
    default: return a.i < b.i ? -1 : (b.i < a.i ? 1 : 0);
  }
}

namespace {

void PutLE(std::string* out, uint64_t v, int bytes) {
  for (int k = 0; k < bytes; ++k) out->push_back(static_cast<char>((v >> (8 * k)) & 0xff));
}

// Two's complement, big-endian, `bytes` long (the low bytes of the value).
}  // namespace

std::string ParquetStatBytes(const Leaf& leaf, const Bound& b) {
  std::string out;
  switch (leaf.storage) {
    case Storage::kBool: out.push_back(b.i ? 1 : 0); break;
    case Storage::kInt32: PutLE(&out, static_cast<uint32_t>(static_cast<int32_t>(b.i)), 4); break;
    case Storage::kInt64: PutLE(&out, static_cast<uint64_t>(static_cast<int64_t>(b.i)), 8); break;
    case Storage::kFloat: {
      float f = static_cast<float>(b.d);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      PutLE(&out, bits, 4);
      break;
    }
    case Storage::kDouble: {
      uint64_t bits;
      std::memcpy(&bits, &b.d, 8);
      PutLE(&out, bits, 8);
      break;
    }
    case Storage::kInt128: AppendDecimalBigEndian(b.i, leaf.type_length, &out); break;
    case Storage::kBytes: out = b.s; break;
  }
  return out;
}

std::string IcebergBoundBytes(const Leaf& leaf, const Bound& b) {
  if (leaf.field->type == TypeId::kDecimal) {
    std::string out;
    AppendDecimalBigEndian(b.i, 0, &out);
    return out;
  }
  // Every other type serializes as Parquet's PLAIN statistics do.
  return ParquetStatBytes(leaf, b);
}

ColumnBuffer::ColumnBuffer(const Leaf* leaf) : leaf_(leaf) {}

size_t ColumnBuffer::value_count() const {
  switch (leaf_->storage) {
    case Storage::kBool: return bools_.size();
    case Storage::kInt32: return i32_.size();
    case Storage::kInt64: return i64_.size();
    case Storage::kFloat: return f32_.size();
    case Storage::kDouble: return f64_.size();
    case Storage::kInt128: return i128_.size();
    case Storage::kBytes: return offsets_.size() - 1;
  }
  return 0;
}

size_t ColumnBuffer::EstimatedBytes() const {
  return rep_.size() + def_.size() + bools_.size() + i32_.size() * 4 + i64_.size() * 8 + f32_.size() * 4 +
         f64_.size() * 8 + i128_.size() * 16 + bytes_.size() + (offsets_.size() - 1) * 4;
}

void ColumnBuffer::AppendSlots(const void* values, const uint8_t* valid, size_t n) {
  if (leaf_->max_def > 0) {
    if (valid == nullptr) {
      def_.insert(def_.end(), n, leaf_->max_def);
    } else {
      for (size_t k = 0; k < n; ++k) def_.push_back(valid[k] ? leaf_->max_def : 0);
    }
  }
  entries_ += n;
  auto copy = [&](auto* vec, const auto* src) {
    if (valid == nullptr) {
      vec->insert(vec->end(), src, src + n);
    } else {
      for (size_t k = 0; k < n; ++k) {
        if (valid[k]) vec->push_back(src[k]);
      }
    }
  };
  switch (leaf_->storage) {
    case Storage::kBool: copy(&bools_, static_cast<const uint8_t*>(values)); break;
    case Storage::kInt32: copy(&i32_, static_cast<const int32_t*>(values)); break;
    case Storage::kInt64: copy(&i64_, static_cast<const int64_t*>(values)); break;
    case Storage::kFloat: copy(&f32_, static_cast<const float*>(values)); break;
    case Storage::kDouble: copy(&f64_, static_cast<const double*>(values)); break;
    case Storage::kInt128: copy(&i128_, static_cast<const int128_t*>(values)); break;
    case Storage::kBytes: {
      const auto* src = static_cast<const std::string_view*>(values);
      for (size_t k = 0; k < n; ++k) {
        if (valid == nullptr || valid[k]) PushBytes(src[k].data(), src[k].size());
      }
      break;
    }
  }
}

size_t ColumnBuffer::ValueSize(size_t v) const {
  switch (leaf_->storage) {
    case Storage::kBool: return 1;
    case Storage::kInt32:
    case Storage::kFloat: return 4;
    case Storage::kInt64:
    case Storage::kDouble: return 8;
    case Storage::kInt128: return leaf_->type_length;
    case Storage::kBytes: return offsets_[v + 1] - offsets_[v] + (leaf_->physical == Physical::kByteArray ? 4 : 0);
  }
  return 1;
}

std::vector<ColumnBuffer::PageSpan> ColumnBuffer::CutPages(size_t page_size) const {
  // Entries per page are also capped (as parquet-mr caps rows per page), so that a page of
  // nulls or of tiny values stays small for readers that skip pages.
  constexpr size_t kMaxPageEntries = 20000;  // parquet-mr's page row count limit
  std::vector<PageSpan> spans;
  size_t e = 0, v = 0;
  const bool flat = leaf_->max_def == 0 && leaf_->max_rep == 0;
  while (e < entries_) {
    PageSpan s{e, e, v, v};
    size_t bytes = 0;
    if (flat && leaf_->storage != Storage::kBytes) {
      size_t per_page = std::max<size_t>(1, std::min(kMaxPageEntries, page_size / ValueSize(0)));
      e = std::min(entries_, e + per_page);
      v = e;
    } else {
      while (e < entries_) {
        if (e > s.e0 && (bytes >= page_size || e - s.e0 >= kMaxPageEntries) && (leaf_->max_rep == 0 || rep_[e] == 0)) {
          break;
        }
        if (leaf_->max_def == 0 || def_[e] == leaf_->max_def) bytes += ValueSize(v++);
        ++e;
      }
    }
    s.e1 = e;
    s.v1 = v;
    spans.push_back(s);
  }
  return spans;
}

void ColumnBuffer::ComputeStats(ChunkInfo* info) const {
  info->has_bounds = false;
  info->nan_count = 0;
  size_t n = value_count();
  if (n == 0) return;
  auto ints = [&](const auto& vec) {
    auto lo = vec[0], hi = vec[0];
    for (auto x : vec) {
      lo = x < lo ? x : lo;
      hi = x > hi ? x : hi;
    }
    info->min.i = lo;
    info->max.i = hi;
    info->has_bounds = true;
  };
  auto floats = [&](const auto& vec) {
    bool any = false;
    double lo = 0, hi = 0;
    for (auto x : vec) {
      if (std::isnan(x)) {
        ++info->nan_count;
        continue;
      }
      if (!any) {
        lo = hi = x;
        any = true;
      } else {
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
      }
    }
    if (!any) return;
    // The specification's rule for signed zeros: a zero minimum is written as -0, a zero
    // maximum as +0, so that readers never skip a page holding the other zero.
    if (lo == 0) lo = -0.0;
    if (hi == 0) hi = 0.0;
    info->min.d = lo;
    info->max.d = hi;
    info->has_bounds = true;
  };
  switch (leaf_->storage) {
    case Storage::kBool: ints(bools_); break;
    case Storage::kInt32: ints(i32_); break;
    case Storage::kInt64: ints(i64_); break;
    case Storage::kInt128: ints(i128_); break;
    case Storage::kFloat: floats(f32_); break;
    case Storage::kDouble: floats(f64_); break;
    case Storage::kBytes: {
      auto at = [&](size_t k) { return std::string_view(bytes_.data() + offsets_[k], offsets_[k + 1] - offsets_[k]); };
      std::string_view lo = at(0), hi = at(0);
      for (size_t k = 1; k < n; ++k) {
        std::string_view x = at(k);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      info->min.s.assign(lo);
      info->max.s.assign(hi);
      info->has_bounds = true;
      break;
    }
  }
}

void ColumnBuffer::PlainValues(size_t v0, size_t v1, std::string* out) const {
  size_t n = v1 - v0;
  auto raw = [&](const auto* p) { out->append(reinterpret_cast<const char*>(p), n * sizeof(*p)); };
  switch (leaf_->storage) {
    case Storage::kBool: EncodeBooleans(bools_.data() + v0, n, out); break;
    case Storage::kInt32: raw(i32_.data() + v0); break;
    case Storage::kInt64: raw(i64_.data() + v0); break;
    case Storage::kFloat: raw(f32_.data() + v0); break;
    case Storage::kDouble: raw(f64_.data() + v0); break;
    case Storage::kInt128:
      for (size_t k = v0; k < v1; ++k) AppendDecimalBigEndian(i128_[k], leaf_->type_length, out);
      break;
    case Storage::kBytes:
      if (leaf_->physical == Physical::kFixedLenByteArray) {
        out->append(bytes_.data() + offsets_[v0], offsets_[v1] - offsets_[v0]);
      } else {
        out->reserve(out->size() + offsets_[v1] - offsets_[v0] + 4 * n);
        for (size_t k = v0; k < v1; ++k) {
          uint32_t len = static_cast<uint32_t>(offsets_[k + 1] - offsets_[k]);
          PutLE(out, len, 4);
          out->append(bytes_.data() + offsets_[k], len);
        }
      }
      break;
  }
}

namespace {

uint64_t HashBytes(const char* p, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xc2b2ae3d27d4eb4full);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ Fmix64(w)) * 0x9e3779b97f4a7c15ull;
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  return Fmix64(h ^ tail ^ (n << 56));
}

// A dictionary under construction for one column chunk: distinct values in first-seen order.
class Dictionary {
 public:
  virtual ~Dictionary() = default;
  // Appends the dictionary index of values [v0, v1) to *indices, adding new values.
  virtual void Add(size_t v0, size_t v1, std::vector<uint32_t>* indices) = 0;
  virtual size_t size() const = 0;
  virtual size_t plain_bytes() const = 0;
  virtual void WritePlain(std::string* out) const = 0;
};

// Open addressing over slot ids (0 = empty), load factor at most 1/2.
class SlotTable {
 public:
  SlotTable() : slots_(1024, 0), mask_(1023) {}
  // Finds the slot for hash h whose id satisfies eq(id), or the empty slot to fill.
  template <typename Eq>
  uint32_t* Find(uint64_t h, Eq eq) {
    size_t i = h & mask_;
    while (true) {
      uint32_t s = slots_[i];
      if (s == 0 || eq(s - 1)) return &slots_[i];
      i = (i + 1) & mask_;
    }
  }
  bool NeedsGrow(size_t count) const { return (count + 1) * 2 > slots_.size(); }
  template <typename HashOf>
  void Grow(size_t count, HashOf hash_of) {
    slots_.assign(slots_.size() * 2, 0);
    mask_ = slots_.size() - 1;
    for (uint32_t id = 0; id < count; ++id) {
      size_t i = hash_of(id) & mask_;
      while (slots_[i] != 0) i = (i + 1) & mask_;
      slots_[i] = id + 1;
    }
  }

 private:
  std::vector<uint32_t> slots_;
  size_t mask_;
};

// K: the value's bit pattern (floats by their bits: -0 and +0 and NaN payloads stay apart).
template <typename K, typename Src>
class FixedDictionary : public Dictionary {
 public:
  FixedDictionary(const Src* src, int width, bool big_endian_fixed) : src_(src), width_(width), be_(big_endian_fixed) {}

  void Add(size_t v0, size_t v1, std::vector<uint32_t>* indices) override {
    for (size_t k = v0; k < v1; ++k) {
      K key;
      std::memcpy(&key, &src_[k], sizeof(K));
      if (table_.NeedsGrow(values_.size())) {
        table_.Grow(values_.size(), [&](uint32_t id) { return HashKey(values_[id]); });
      }
      uint32_t* slot = table_.Find(HashKey(key), [&](uint32_t id) { return values_[id] == key; });
      if (*slot == 0) {
        values_.push_back(key);
        *slot = static_cast<uint32_t>(values_.size());
      }
      indices->push_back(*slot - 1);
    }
  }
  size_t size() const override { return values_.size(); }
  size_t plain_bytes() const override { return values_.size() * width_; }
  void WritePlain(std::string* out) const override {
    if (!be_) {
      out->append(reinterpret_cast<const char*>(values_.data()), values_.size() * sizeof(K));
      return;
    }
    for (K v : values_) AppendDecimalBigEndian(static_cast<int128_t>(v), width_, out);
  }

 private:
  static uint64_t HashKey(K k) {
    if constexpr (sizeof(K) <= 8) {
      return Fmix64(static_cast<uint64_t>(k));
    } else {
      return Fmix64(static_cast<uint64_t>(k) ^ Fmix64(static_cast<uint64_t>(k >> 64)));
    }
  }
  const Src* src_;
  int width_;
  bool be_;
  SlotTable table_;
  std::vector<K> values_;
};

class BytesDictionary : public Dictionary {
 public:
  BytesDictionary(const std::string* bytes, const std::vector<uint64_t>* offsets, bool fixed)
      : bytes_(bytes), offsets_(offsets), fixed_(fixed) {}

  void Add(size_t v0, size_t v1, std::vector<uint32_t>* indices) override {
    for (size_t k = v0; k < v1; ++k) {
      std::string_view x = At(k);
      uint64_t h = HashBytes(x.data(), x.size());
      if (table_.NeedsGrow(ids_.size())) table_.Grow(ids_.size(), [&](uint32_t id) { return hashes_[id]; });
      uint32_t* slot = table_.Find(h, [&](uint32_t id) { return hashes_[id] == h && At(ids_[id]) == x; });
      if (*slot == 0) {
        ids_.push_back(k);
        hashes_.push_back(h);
        plain_bytes_ += x.size() + (fixed_ ? 0 : 4);
        *slot = static_cast<uint32_t>(ids_.size());
      }
      indices->push_back(*slot - 1);
    }
  }
  size_t size() const override { return ids_.size(); }
  size_t plain_bytes() const override { return plain_bytes_; }
  void WritePlain(std::string* out) const override {
    out->reserve(out->size() + plain_bytes_);
    for (size_t id : ids_) {
      std::string_view x = At(id);
      if (!fixed_) PutLE(out, x.size(), 4);
      out->append(x);
    }
  }

 private:
  std::string_view At(size_t k) const {
    return std::string_view(bytes_->data() + (*offsets_)[k], (*offsets_)[k + 1] - (*offsets_)[k]);
  }
  const std::string* bytes_;
  const std::vector<uint64_t>* offsets_;
  bool fixed_;
  SlotTable table_;
  std::vector<size_t> ids_;  // value index of each entry's first occurrence
  std::vector<uint64_t> hashes_;
  size_t plain_bytes_ = 0;
};

void WritePageHeader(std::string* out, int32_t type, size_t uncompressed, size_t compressed, int32_t num_values,
                     int32_t encoding) {
  thrift::CompactWriter w(out);
  w.BeginStruct();
  w.I32(1, type);
  w.I32(2, static_cast<int32_t>(uncompressed));
  w.I32(3, static_cast<int32_t>(compressed));
  if (type == page::kDictionary) {
    w.BeginStructField(7);
    w.I32(1, num_values);
    w.I32(2, enc::kPlain);
    w.EndStruct();
  } else {
    w.BeginStructField(5);
    w.I32(1, num_values);
    w.I32(2, encoding);
    w.I32(3, enc::kRle);
    w.I32(4, enc::kRle);
    w.EndStruct();
  }
  w.EndStruct();
}

}  // namespace

Status ColumnBuffer::Encode(const EncodeOptions& options, Compressor* compressor, std::string* dictionary_page,
                            std::string* data_pages, ChunkInfo* info) {
  dictionary_page->clear();
  data_pages->clear();
  *info = ChunkInfo();
  info->num_values = static_cast<int64_t>(entries_);
  info->null_count = static_cast<int64_t>(entries_ - value_count());
  ComputeStats(info);

  std::unique_ptr<Dictionary> dict;
  if (options.dictionary && value_count() > 0) {
    switch (leaf_->storage) {
      case Storage::kBool: break;
      case Storage::kInt32: dict = std::make_unique<FixedDictionary<uint32_t, int32_t>>(i32_.data(), 4, false); break;
      case Storage::kFloat: dict = std::make_unique<FixedDictionary<uint32_t, float>>(f32_.data(), 4, false); break;
      case Storage::kInt64: dict = std::make_unique<FixedDictionary<uint64_t, int64_t>>(i64_.data(), 8, false); break;
      case Storage::kDouble: dict = std::make_unique<FixedDictionary<uint64_t, double>>(f64_.data(), 8, false); break;
      case Storage::kInt128:
        dict = std::make_unique<FixedDictionary<int128_t, int128_t>>(i128_.data(), leaf_->type_length, true);
        break;
      case Storage::kBytes:
        dict = std::make_unique<BytesDictionary>(&bytes_, &offsets_, leaf_->physical == Physical::kFixedLenByteArray);
        break;
    }
  }
  bool dict_active = dict != nullptr;
  bool evaluated = false;

  std::string body, compressed, header;
  std::vector<uint32_t> indices;
  // The RLE encoding of levels and booleans in v1 pages: a 4-byte length, then the hybrid.
  auto prefixed_hybrid = [&](const uint8_t* values, size_t n, int bit_width) {
    size_t at = body.size();
    body.append(4, '\0');
    EncodeHybrid(values, n, bit_width, &body);
    uint32_t len = static_cast<uint32_t>(body.size() - at - 4);
    std::memcpy(body.data() + at, &len, 4);
  };
  for (const PageSpan& s : CutPages(options.page_size)) {
    body.clear();
    if (leaf_->max_rep > 0) prefixed_hybrid(rep_.data() + s.e0, s.e1 - s.e0, BitWidth(leaf_->max_rep));
    if (leaf_->max_def > 0) prefixed_hybrid(def_.data() + s.e0, s.e1 - s.e0, BitWidth(leaf_->max_def));
    const size_t nv = s.v1 - s.v0;
    int32_t encoding = enc::kPlain;
    // A page of nulls only holds levels: PLAIN with no values, whatever the chunk's encoding.
    if (dict_active && nv > 0) {
      indices.clear();
      dict->Add(s.v0, s.v1, &indices);
      int bw = std::max(1, BitWidth(dict->size() - 1));
      if (!evaluated) {
        // Keep the dictionary only where it pays: dictionary plus indices smaller than PLAIN.
        evaluated = true;
        size_t plain = 0;
        for (size_t k = s.v0; k < s.v1; ++k) plain += ValueSize(k);
        if (dict->plain_bytes() + (nv * bw + 7) / 8 >= plain) {
          dict_active = false;
          dict.reset();
        }
      }
      if (dict_active) {
        body.push_back(static_cast<char>(bw));
        EncodeHybrid(indices.data(), nv, bw, &body);
        encoding = enc::kRleDictionary;
        ++info->dictionary_data_pages;
        // Past the limit, the rest of the chunk falls back to PLAIN.
        if (dict->plain_bytes() > options.dictionary_page_limit) dict_active = false;
      }
    }
    if (encoding == enc::kPlain && leaf_->storage == Storage::kBool && options.boolean_rle) {
      prefixed_hybrid(bools_.data() + s.v0, nv, 1);
      encoding = enc::kRle;
      ++info->rle_data_pages;
    } else if (encoding == enc::kPlain) {
      PlainValues(s.v0, s.v1, &body);
      ++info->plain_data_pages;
    }
    if (body.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
      return Status::InvalidArgument("a data page of column " + leaf_->field->name + " exceeds 2 GB");
    }
    RETURN_IF_ERROR(compressor->Compress(body, &compressed));
    header.clear();
    WritePageHeader(&header, page::kData, body.size(), compressed.size(), static_cast<int32_t>(s.e1 - s.e0), encoding);
    data_pages->append(header);
    data_pages->append(compressed);
    info->uncompressed_size += header.size() + body.size();
  }

  if (info->dictionary_data_pages > 0) {
    body.clear();
    dict->WritePlain(&body);
    RETURN_IF_ERROR(compressor->Compress(body, &compressed));
    header.clear();
    WritePageHeader(&header, page::kDictionary, body.size(), compressed.size(), static_cast<int32_t>(dict->size()),
                    enc::kPlain);
    dictionary_page->append(header);
    dictionary_page->append(compressed);
    info->dictionary_page_size = static_cast<int64_t>(header.size() + compressed.size());
    info->uncompressed_size += header.size() + body.size();
  }
  Clear();
  return Status::Ok();
}

void ColumnBuffer::Clear() {
  entries_ = 0;
  rep_.clear();
  def_.clear();
  bools_.clear();
  i32_.clear();
  i64_.clear();
  f32_.clear();
  f64_.clear();
  i128_.clear();
  bytes_.clear();
  offsets_.assign(1, 0);
}

}  // namespace floe::parquet
