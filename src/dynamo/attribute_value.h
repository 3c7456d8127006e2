#pragma once
// DynamoDB's attribute value model. Values held here are always valid: numbers are in
// canonical text (see Decimal), sets are non-empty and duplicate-free, nesting is bounded.
// Construction from untrusted input goes through attribute_json.h, which enforces that.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace floe::dynamo {

// Persisted in the item codec (docs/formats/items.md): do not reorder or renumber.
enum class AttrType : uint8_t {
  kS = 1,
  kN = 2,
  kB = 3,
  kBool = 4,
  kNull = 5,
  kM = 6,
  kL = 7,
  kSS = 8,
  kNS = 9,
  kBS = 10,
};

// "S", "N", ... as on the wire.
const char* AttrTypeName(AttrType t);

struct AttributeValue;
using AttributeMap = std::map<std::string, AttributeValue>;
using Item = AttributeMap;

struct AttributeValue {
  AttrType type = AttrType::kNull;
  bool boolean = false;              // BOOL; NULL is always true
  std::string scalar;                // S (UTF-8), N (canonical decimal text), B (raw bytes)
  std::vector<std::string> set;      // SS, NS (canonical), BS; document order, unique
  std::vector<AttributeValue> list;  // L
  AttributeMap map;                  // M

  static AttributeValue S(std::string s);
  static AttributeValue N(std::string canonical);
  static AttributeValue B(std::string bytes);
  static AttributeValue Bool(bool b);
  static AttributeValue Null();

  bool is_scalar_key_type() const { return type == AttrType::kS || type == AttrType::kN || type == AttrType::kB; }
};

// Deep equality; sets compare as sets.
bool operator==(const AttributeValue& a, const AttributeValue& b);
inline bool operator!=(const AttributeValue& a, const AttributeValue& b) { return !(a == b); }

// Orders two scalars of the same type as DynamoDB does (N numerically, S and B bytewise):
// -1, 0 or 1; nullopt when the types differ or are not S, N or B.
std::optional<int> CompareScalars(const AttributeValue& a, const AttributeValue& b);

// DynamoDB's size accounting, in bytes.
size_t AttributeValueSize(const AttributeValue& v);
size_t ItemSize(const Item& item);
// Container nesting depth: 0 for scalars and sets, 1 + the deepest child for L and M.
int NestingDepth(const AttributeValue& v);

constexpr size_t kMaxItemSize = 400 * 1024;
constexpr int kMaxNestingDepth = 32;
constexpr size_t kMaxPartitionKeyBytes = 2048;
constexpr size_t kMaxSortKeyBytes = 1024;

}  // namespace floe::dynamo
