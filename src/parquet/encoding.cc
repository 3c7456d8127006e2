#include "parquet/encoding.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <memory>

#include "parquet/thrift.h"

namespace floe::parquet {

int BitWidth(uint64_t max_value) {
  int w = 0;
  while (max_value != 0) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

namespace {

template <typename T>
void BitPack(const T* values, size_t count, size_t padded, int bit_width, std::string* out) {
  uint64_t acc = 0;
  int bits = 0;
  for (size_t k = 0; k < padded; ++k) {
    uint64_t v = k < count ? static_cast<uint64_t>(values[k]) : 0;
    acc |= v << bits;
    bits += bit_width;
    while (bits >= 8) {
      out->push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out->push_back(static_cast<char>(acc & 0xff));
}

template <typename T>
void Hybrid(const T* v, size_t n, int bit_width, std::string* out) {
  const size_t value_bytes = (bit_width + 7) / 8;
  auto literal = [&](size_t begin, size_t end) {
    size_t groups = (end - begin + 7) / 8;
    thrift::PutVarint(out, (groups << 1) | 1);
    BitPack(v + begin, end - begin, groups * 8, bit_width, out);
  };
  auto run = [&](T value, size_t count) {
    thrift::PutVarint(out, count << 1);
    uint64_t x = value;
    for (size_t b = 0; b < value_bytes; ++b) out->push_back(static_cast<char>((x >> (8 * b)) & 0xff));
  };
  size_t i = 0, lit_start = 0;
  while (i < n) {
    size_t j = i + 1;
    while (j < n && v[j] == v[i]) ++j;
    size_t len = j - i;
    if (len >= 8) {
      // Literal groups hold exactly 8 values: top up the pending literals from the run.
      size_t pending = (i - lit_start) % 8;
      if (pending != 0) {
        i += 8 - pending;
        len -= 8 - pending;
      }
      if (len >= 8) {
        if (i > lit_start) literal(lit_start, i);
        run(v[i], len);
        lit_start = j;
      }
    }
    i = j;
  }
  if (lit_start < n) literal(lit_start, n);
}

}  // namespace

void EncodeHybrid(const uint8_t* values, size_t n, int bit_width, std::string* out) {
  Hybrid(values, n, bit_width, out);
}
void EncodeHybrid(const uint32_t* values, size_t n, int bit_width, std::string* out) {
  Hybrid(values, n, bit_width, out);
}

void EncodeBooleans(const uint8_t* values, size_t n, std::string* out) {
  size_t start = out->size();
  out->resize(start + (n + 7) / 8, '\0');
  char* p = out->data() + start;
  for (size_t i = 0; i < n; ++i) {
    if (values[i]) p[i >> 3] = static_cast<char>(p[i >> 3] | (1 << (i & 7)));
  }
}

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += len;
  }
  return true;
}

namespace {

class NoCompression : public Compressor {
 public:
  Status Compress(std::string_view in, std::string* out) override {
    out->assign(in);
    return Status::Ok();
  }
};

class SnappyCompressor : public Compressor {
 public:
  Status Compress(std::string_view in, std::string* out) override {
    out->resize(snappy::MaxCompressedLength(in.size()));
    size_t len = 0;
    snappy::RawCompress(in.data(), in.size(), out->data(), &len);
    out->resize(len);
    return Status::Ok();
  }
};

class ZstdCompressor : public Compressor {
 public:
  explicit ZstdCompressor(int level) : level_(level), ctx_(ZSTD_createCCtx()) {}
  ~ZstdCompressor() override { ZSTD_freeCCtx(ctx_); }
  Status Compress(std::string_view in, std::string* out) override {
    out->resize(ZSTD_compressBound(in.size()));
    size_t len = ZSTD_compressCCtx(ctx_, out->data(), out->size(), in.data(), in.size(), level_);
    if (ZSTD_isError(len)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(len));
    out->resize(len);
    return Status::Ok();
  }

 private:
  int level_;
  ZSTD_CCtx* ctx_;
};

// GZIP is a gzip stream (RFC 1952), not a bare zlib stream: windowBits 15 + 16.
class GzipCompressor : public Compressor {
 public:
  explicit GzipCompressor(int level) : level_(level) {}
  ~GzipCompressor() override {
    if (initialized_) deflateEnd(&stream_);
  }
  Status Compress(std::string_view in, std::string* out) override {
    if (!initialized_) {
      std::memset(&stream_, 0, sizeof(stream_));
      if (deflateInit2(&stream_, level_, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return Status::Internal("gzip: deflateInit2 failed");
      }
      initialized_ = true;
    } else if (deflateReset(&stream_) != Z_OK) {
      return Status::Internal("gzip: deflateReset failed");
    }
    out->resize(deflateBound(&stream_, in.size()) + 32);
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    stream_.avail_in = static_cast<uInt>(in.size());
    stream_.next_out = reinterpret_cast<Bytef*>(out->data());
    stream_.avail_out = static_cast<uInt>(out->size());
    if (deflate(&stream_, Z_FINISH) != Z_STREAM_END) return Status::Internal("gzip: deflate did not finish");
    out->resize(stream_.total_out);
    return Status::Ok();
  }

 private:
  int level_;
  bool initialized_ = false;
  z_stream stream_;
};

}  // namespace

Result<std::unique_ptr<Compressor>> Compressor::Make(Codec codec, int level) {
  switch (codec) {
    case Codec::kUncompressed: return std::unique_ptr<Compressor>(new NoCompression());
    case Codec::kSnappy: return std::unique_ptr<Compressor>(new SnappyCompressor());
    case Codec::kZstd:
      if (level == 0) level = 3;
      if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
        return Status::InvalidArgument("zstd compression level must be between " + std::to_string(ZSTD_minCLevel()) +
                                       " and " + std::to_string(ZSTD_maxCLevel()));
      }
      return std::unique_ptr<Compressor>(new ZstdCompressor(level));
    case Codec::kGzip:
      if (level == 0) level = 6;
      if (level < 1 || level > 9) return Status::InvalidArgument("gzip compression level must be between 1 and 9");
      return std::unique_ptr<Compressor>(new GzipCompressor(level));
  }
  return Status::InvalidArgument("unknown codec");
}

}  // namespace floe::parquet
