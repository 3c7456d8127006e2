#include "pipeline/transform.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <stdexcept>

// Debian's liblua5.4-c++: Lua compiled as C++, so that Lua errors unwind as exceptions
// through C++ frames (no longjmp over destructors). Its headers need no extern "C".
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "dynamo/attribute_json.h"
#include "json/json.h"

namespace floe::pipeline {
namespace {

constexpr int kMaxDepth = 100;

struct Limits {
  size_t used = 0;
  size_t limit = 0;
  std::chrono::steady_clock::time_point deadline;
  bool timed_out = false;
};

void* Alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* lim = static_cast<Limits*>(ud);
  if (ptr == nullptr) osize = 0;
  if (nsize == 0) {
    std::free(ptr);
    lim->used -= osize;
    return nullptr;
  }
  if (nsize > osize && lim->used + (nsize - osize) > lim->limit) return nullptr;
  void* p = std::realloc(ptr, nsize);
  if (p != nullptr) lim->used = lim->used - osize + nsize;
  return p;
}

void Hook(lua_State* L, lua_Debug*) {
  Limits* lim = nullptr;
  lua_getallocf(L, reinterpret_cast<void**>(&lim));
  if (std::chrono::steady_clock::now() > lim->deadline) {
    lim->timed_out = true;
    luaL_error(L, "the transform ran past its timeout");
  }
}

void PushJson(lua_State* L, const json::Value& v, int depth) {
  luaL_checkstack(L, 4, "nesting");
  switch (v.type()) {
    case json::Type::kNull: lua_pushnil(L); break;
    case json::Type::kBool: lua_pushboolean(L, v.as_bool()); break;
    case json::Type::kNumber: {
      int64_t i;
      double d;
      if (v.AsInt64(&i))
        lua_pushinteger(L, i);
      else if (v.AsDouble(&d))
        lua_pushnumber(L, d);
      else
        lua_pushnil(L);
      break;
    }
    case json::Type::kString: lua_pushlstring(L, v.str().data(), v.str().size()); break;
    case json::Type::kArray: {
      lua_createtable(L, static_cast<int>(v.items().size()), 0);
      lua_Integer n = 1;
      for (const auto& x : v.items()) {
        PushJson(L, x, depth + 1);
        lua_rawseti(L, -2, n++);
      }
      break;
    }
    case json::Type::kObject: {
      lua_createtable(L, 0, static_cast<int>(v.members().size()));
      for (const auto& [k, x] : v.members()) {
        lua_pushlstring(L, k.data(), k.size());
        PushJson(L, x, depth + 1);
        lua_rawset(L, -3);
      }
      break;
    }
  }
}

// The Lua value at idx as JSON. An empty table is an array when array_hint is set (the
// value of an L, SS, NS or BS member), an object otherwise.
Result<json::Value> ToJson(lua_State* L, int idx, int depth, bool array_hint) {
  if (depth > kMaxDepth) return Status::InvalidArgument("data nested too deeply");
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
    case LUA_TNIL: return json::Value::Null();
    case LUA_TBOOLEAN: return json::Value::Bool(lua_toboolean(L, idx) != 0);
    case LUA_TNUMBER: {
      if (lua_isinteger(L, idx)) return json::Value::Number(std::to_string(lua_tointeger(L, idx)));
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", lua_tonumber(L, idx));
      return json::Value::Number(buf);
    }
    case LUA_TSTRING: {
      size_t n;
      const char* s = lua_tolstring(L, idx, &n);
      return json::Value::String(std::string(s, n));
    }
    case LUA_TTABLE: {
      if (!lua_checkstack(L, 4)) return Status::InvalidArgument("data nested too deeply");
      const lua_Unsigned len = lua_rawlen(L, idx);
      size_t count = 0;
      lua_pushnil(L);
      while (lua_next(L, idx) != 0) {
        ++count;
        lua_pop(L, 1);
      }
      if ((len > 0 && count == len) || (count == 0 && array_hint)) {
        std::vector<json::Value> items;
        for (lua_Unsigned i = 1; i <= len; ++i) {
          lua_rawgeti(L, idx, static_cast<lua_Integer>(i));
          auto x = ToJson(L, -1, depth + 1, false);
          lua_pop(L, 1);
          if (!x.ok()) return x.status();
          items.push_back(std::move(x).value());
        }
        return json::Value::Array(std::move(items));
      }
      std::vector<json::Value::Member> members;
      lua_pushnil(L);
      while (lua_next(L, idx) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING) {
          lua_pop(L, 2);
          return Status::InvalidArgument("a table mixes string keys with other keys");
        }
        std::string key = lua_tostring(L, -2);
        bool hint = key == "L" || key == "SS" || key == "NS" || key == "BS";
        auto x = ToJson(L, -1, depth + 1, hint);
        lua_pop(L, 1);
        if (!x.ok()) {
          lua_pop(L, 1);
          return x.status();
        }
        members.emplace_back(std::move(key), std::move(x).value());
      }
      return json::Value::Object(std::move(members));
    }
    default: return Status::InvalidArgument(std::string("data holds a ") + luaL_typename(L, idx));
  }
}

json::Value ChangeToJson(const Change& c) {
  json::Value data = json::Value::Object({});
  data.Add("eventName", json::Value::String(OpName(c.op)));
  data.Add("SequenceNumber", json::Value::String(c.sequence));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(c.created_ms) / 1000.0);
  data.Add("ApproximateCreationDateTime", json::Value::Number(buf));
  auto add = [&](const char* name, const dynamo::Item& item) {
    auto parsed = json::Parse(ItemToDynamoJson(item));
    if (parsed.ok()) data.Add(name, std::move(parsed).value());
  };
  add("Keys", c.keys);
  if (c.new_image) add("NewImage", *c.new_image);
  if (c.old_image) add("OldImage", *c.old_image);
  return data;
}

Result<Change> ChangeFromJson(const json::Value& data, const Change& original) {
  if (!data.is_object()) return Status::InvalidArgument("data must be a table");
  Change c = original;
  if (const json::Value* e = data.Find("eventName")) {
    if (!e->is_string()) return Status::InvalidArgument("data.eventName must be a string");
    if (e->str() == "INSERT")
      c.op = Change::Op::kInsert;
    else if (e->str() == "MODIFY")
      c.op = Change::Op::kModify;
    else if (e->str() == "REMOVE")
      c.op = Change::Op::kRemove;
    else if (e->str() == "SNAPSHOT")
      c.op = Change::Op::kSnapshot;
    else
      return Status::InvalidArgument("data.eventName must be INSERT, MODIFY, REMOVE or SNAPSHOT");
  }
  auto image = [&](const char* name, std::optional<dynamo::Item>* out) -> Status {
    const json::Value* v = data.Find(name);
    if (v == nullptr || v->is_null()) {
      out->reset();
      return Status::Ok();
    }
    auto m = dynamo::AttributeMapFromJson(*v);
    if (!m.ok()) return Status::InvalidArgument(std::string("data.") + name + ": " + m.status().message());
    *out = std::move(m).value();
    return Status::Ok();
  };
  std::optional<dynamo::Item> keys;
  RETURN_IF_ERROR(image("Keys", &keys));
  if (!keys) return Status::InvalidArgument("data.Keys is required");
  c.keys = std::move(*keys);
  RETURN_IF_ERROR(image("NewImage", &c.new_image));
  RETURN_IF_ERROR(image("OldImage", &c.old_image));
  if (c.op != Change::Op::kRemove && !c.new_image)
    return Status::InvalidArgument("data.NewImage is required for " + std::string(OpName(c.op)));
  return c;
}

// The field of the table on top of the stack, without metamethods.
void RawField(lua_State* L, const char* name) {
  lua_pushstring(L, name);
  lua_rawget(L, -2);
}

int Panic(lua_State* L) {
  const char* msg = lua_tostring(L, -1);
  throw std::runtime_error(std::string("Lua: ") + (msg ? msg : "unprotected error"));
}

struct CallArgs {
  const std::vector<Change>* changes;
  size_t begin, end;
  const std::string* function;
};

// Runs inside lua_pcall: builds the records table and calls the transform, so that any Lua
// error (memory included) is caught by the pcall.
int CallTransform(lua_State* L) {
  auto* a = static_cast<CallArgs*>(lua_touserdata(L, 1));
  lua_getglobal(L, a->function->c_str());
  lua_createtable(L, static_cast<int>(a->end - a->begin), 0);
  for (size_t i = a->begin; i < a->end; ++i) {
    lua_createtable(L, 0, 2);
    std::string id = std::to_string(i - a->begin);
    lua_pushlstring(L, id.data(), id.size());
    lua_setfield(L, -2, "recordId");
    PushJson(L, ChangeToJson((*a->changes)[i]), 0);
    lua_setfield(L, -2, "data");
    lua_rawseti(L, -2, static_cast<lua_Integer>(i - a->begin + 1));
  }
  lua_call(L, 1, 1);
  return 1;
}

}  // namespace

struct Transformer::State {
  Limits limits;
  lua_State* L = nullptr;
  ~State() {
    if (L != nullptr) lua_close(L);
  }
};

Transformer::~Transformer() = default;

Result<std::unique_ptr<Transformer>> Transformer::Make(const TransformSettings& settings) {
  std::unique_ptr<Transformer> t(new Transformer());
  t->settings_ = settings;
  t->state_ = std::make_unique<State>();
  State& s = *t->state_;
  s.limits.limit = static_cast<size_t>(settings.memory_mb) << 20;
  s.limits.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(settings.timeout_ms);
  s.L = lua_newstate(Alloc, &s.limits);
  if (s.L == nullptr) return Status::Internal("cannot create a Lua state");
  lua_State* L = s.L;
  lua_atpanic(L, Panic);
  const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},
                           {LUA_TABLIBNAME, luaopen_table},
                           {LUA_STRLIBNAME, luaopen_string},
                           {LUA_MATHLIBNAME, luaopen_math},
                           {LUA_UTF8LIBNAME, luaopen_utf8}};
  for (const auto& lib : libs) {
    luaL_requiref(L, lib.name, lib.func, 1);
    lua_pop(L, 1);
  }
  for (const char* name : {"load", "loadfile", "dofile", "require", "collectgarbage"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  lua_getglobal(L, "string");
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  lua_sethook(L, Hook, LUA_MASKCOUNT, 1000);
  if (luaL_loadbufferx(L, settings.code.data(), settings.code.size(), "=transform", "t") != LUA_OK ||
      lua_pcall(L, 0, 0, 0) != LUA_OK) {
    std::string err = lua_tostring(L, -1) ? lua_tostring(L, -1) : "unknown error";
    return Status::InvalidArgument("transform: " + err);
  }
  lua_getglobal(L, settings.function.c_str());
  bool ok = lua_isfunction(L, -1);
  lua_pop(L, 1);
  if (!ok) return Status::InvalidArgument("transform: the code defines no function '" + settings.function + "'");
  return t;
}

std::vector<Transformer::Outcome> Transformer::Apply(const std::vector<Change>& changes) {
  std::vector<Outcome> out;
  out.reserve(changes.size());
  const size_t batch = static_cast<size_t>(settings_.batch_records);
  for (size_t i = 0; i < changes.size(); i += batch) {
    auto part = ApplyBatch(changes, i, std::min(changes.size(), i + batch));
    for (auto& o : part) out.push_back(std::move(o));
  }
  return out;
}

std::vector<Transformer::Outcome> Transformer::ApplyBatch(const std::vector<Change>& changes, size_t begin,
                                                          size_t end) {
  try {
    return ApplyBatchUnsafe(changes, begin, end);
  } catch (const std::exception& e) {
    // An error outside the protected call (Panic): the state may be unusable; start afresh.
    state_->limits.limit = static_cast<size_t>(settings_.memory_mb) << 20;
    std::vector<Outcome> out(end - begin);
    for (size_t i = begin; i < end; ++i) {
      out[i - begin].change = changes[i];
      out[i - begin].result = Outcome::Result::kFailed;
      out[i - begin].error = std::string("the transform failed: ") + e.what();
    }
    lua_settop(state_->L, 0);
    return out;
  }
}

std::vector<Transformer::Outcome> Transformer::ApplyBatchUnsafe(const std::vector<Change>& changes, size_t begin,
                                                                size_t end) {
  lua_State* L = state_->L;
  std::vector<Outcome> out(end - begin);
  for (size_t i = begin; i < end; ++i) {
    out[i - begin].change = changes[i];
    out[i - begin].result = Outcome::Result::kFailed;
  }
  auto fail_all = [&](const std::string& why) {
    for (auto& o : out) {
      if (o.error.empty()) o.error = why;
      o.result = Outcome::Result::kFailed;
    }
    return std::move(out);
  };
  const int top = lua_gettop(L);
  state_->limits.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(settings_.timeout_ms);
  state_->limits.timed_out = false;
  if (!lua_checkstack(L, 8)) return fail_all("the transform's Lua stack is exhausted");
  CallArgs args{&changes, begin, end, &settings_.function};
  lua_pushcfunction(L, CallTransform);
  lua_pushlightuserdata(L, &args);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    std::string err = lua_tostring(L, -1) ? lua_tostring(L, -1) : "error object is not a string";
    lua_settop(L, top);
    return fail_all("the transform failed: " + err);
  }
  if (!lua_istable(L, -1)) {
    lua_settop(L, top);
    return fail_all("the transform must return a table of results");
  }
  // Reading the results allocates a little (field names): not subject to the limit.
  const size_t limit = state_->limits.limit;
  state_->limits.limit = SIZE_MAX;
  std::vector<bool> seen(out.size(), false);
  const lua_Unsigned n = lua_rawlen(L, -1);
  for (lua_Unsigned k = 1; k <= n; ++k) {
    lua_rawgeti(L, -1, static_cast<lua_Integer>(k));
    if (!lua_istable(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    if (!lua_checkstack(L, 8)) break;
    RawField(L, "recordId");
    std::string id = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
    lua_pop(L, 1);
    char* endp = nullptr;
    unsigned long idx = std::strtoul(id.c_str(), &endp, 10);
    if (id.empty() || *endp != '\0' || idx >= out.size() || seen[idx]) {
      lua_pop(L, 1);
      continue;
    }
    seen[idx] = true;
    Outcome& o = out[idx];
    RawField(L, "result");
    std::string result = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
    lua_pop(L, 1);
    if (result == "Dropped") {
      o.result = Outcome::Result::kDropped;
    } else if (result == "ProcessingFailed") {
      o.result = Outcome::Result::kFailed;
      o.error = "the transform returned ProcessingFailed";
    } else if (result == "Ok") {
      RawField(L, "data");
      auto data = ToJson(L, -1, 0, false);
      lua_pop(L, 1);
      auto changed = data.ok() ? ChangeFromJson(*data, o.change) : Result<Change>(data.status());
      if (changed.ok()) {
        o.change = std::move(changed).value();
        o.result = Outcome::Result::kOk;
      } else {
        o.error = "the transform returned bad data: " + changed.status().message();
      }
    } else {
      o.error = "the transform returned result '" + result + "' (expected Ok, Dropped or ProcessingFailed)";
    }
    lua_pop(L, 1);
  }
  lua_settop(L, top);
  state_->limits.limit = limit;
  for (size_t i = 0; i < out.size(); ++i) {
    if (!seen[i]) out[i].error = "the transform returned no result for recordId " + std::to_string(i);
  }
  return out;
}

}  // namespace floe::pipeline
