#include "dynamo/attribute_value.h"

#include <algorithm>

#include "dynamo/decimal.h"

namespace floe::dynamo {

const char* AttrTypeName(AttrType t) {
  switch (t) {
    case AttrType::kS: return "S";
    case AttrType::kN: return "N";
    case AttrType::kB: return "B";
    case AttrType::kBool: return "BOOL";
    case AttrType::kNull: return "NULL";
    case AttrType::kM: return "M";
    case AttrType::kL: return "L";
    case AttrType::kSS: return "SS";
    case AttrType::kNS: return "NS";
    case AttrType::kBS: return "BS";
  }
  return "?";
}

AttributeValue AttributeValue::S(std::string s) {
  AttributeValue v;
  v.type = AttrType::kS;
  v.scalar = std::move(s);
  return v;
}
AttributeValue AttributeValue::N(std::string canonical) {
  AttributeValue v;
  v.type = AttrType::kN;
  v.scalar = std::move(canonical);
  return v;
}
AttributeValue AttributeValue::B(std::string bytes) {
  AttributeValue v;
  v.type = AttrType::kB;
  v.scalar = std::move(bytes);
  return v;
}
AttributeValue AttributeValue::Bool(bool b) {
  AttributeValue v;
  v.type = AttrType::kBool;
  v.boolean = b;
  return v;
}
AttributeValue AttributeValue::Null() {
  AttributeValue v;
  v.type = AttrType::kNull;
  v.boolean = true;
  return v;
}

bool operator==(const AttributeValue& a, const AttributeValue& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case AttrType::kS:
    case AttrType::kN:
    case AttrType::kB: return a.scalar == b.scalar;
    case AttrType::kBool: return a.boolean == b.boolean;
    case AttrType::kNull: return true;
    case AttrType::kM: return a.map == b.map;
    case AttrType::kL: return a.list == b.list;
    case AttrType::kSS:
    case AttrType::kNS:
    case AttrType::kBS: {
      if (a.set.size() != b.set.size()) return false;
      std::vector<std::string> x = a.set, y = b.set;
      std::sort(x.begin(), x.end());
      std::sort(y.begin(), y.end());
      return x == y;
    }
  }
  return false;
}

namespace {
// A number's size: one byte per two significant digits, plus one (DynamoDB's documented
// approximation), plus one for a negative sign.
size_t NumberSize(const std::string& canonical) {
  size_t digits = 0;
  bool leading = true;
  size_t last_nonzero = 0;
  for (char c : canonical) {
    if (c < '0' || c > '9') continue;
    if (leading && c == '0') continue;
    leading = false;
    ++digits;
    if (c != '0') last_nonzero = digits;
  }
  digits = last_nonzero;  // trailing zeros of an integer are not significant
  if (digits == 0) return 1;
  return 1 + (digits + 1) / 2 + (canonical[0] == '-' ? 1 : 0);
}
}  // namespace

size_t AttributeValueSize(const AttributeValue& v) {
  switch (v.type) {
    case AttrType::kS:
    case AttrType::kB: return v.scalar.size();
    case AttrType::kN: return NumberSize(v.scalar);
    case AttrType::kBool:
    case AttrType::kNull: return 1;
    case AttrType::kSS:
    case AttrType::kBS: {
      size_t n = 0;
      for (const auto& s : v.set) n += s.size();
      return n;
    }
    case AttrType::kNS: {
      size_t n = 0;
      for (const auto& s : v.set) n += NumberSize(s);
      return n;
    }
    case AttrType::kL: {
      size_t n = 3;
      for (const auto& e : v.list) n += 1 + AttributeValueSize(e);
      return n;
    }
    case AttrType::kM: {
      size_t n = 3;
      for (const auto& [name, e] : v.map) n += 1 + name.size() + AttributeValueSize(e);
      return n;
    }
  }
  return 0;
}

int NestingDepth(const AttributeValue& v) {
  int deepest = 0;
  if (v.type == AttrType::kL) {
    for (const auto& e : v.list) deepest = std::max(deepest, NestingDepth(e));
  } else if (v.type == AttrType::kM) {
    for (const auto& [k, e] : v.map) deepest = std::max(deepest, NestingDepth(e));
  } else {
    return 0;
  }
  return deepest + 1;
}

std::optional<int> CompareScalars(const AttributeValue& a, const AttributeValue& b) {
  if (a.type != b.type) return std::nullopt;
  if (a.type == AttrType::kN) {
    auto x = Decimal::Parse(a.scalar), y = Decimal::Parse(b.scalar);
    if (!x.ok() || !y.ok()) return std::nullopt;
    return x->Compare(*y);
  }
  if (a.type == AttrType::kS || a.type == AttrType::kB) {
    int c = a.scalar.compare(b.scalar);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

size_t ItemSize(const Item& item) {
  size_t n = 0;
  for (const auto& [name, v] : item) n += name.size() + AttributeValueSize(v);
  return n;
}

}  // namespace floe::dynamo
