// Tokenizer and recursive-descent parser for condition, update and projection expressions,
// plus the parse cache. Grammar (precedence low to high: OR, AND, NOT, comparisons):
//   condition := or ; or := and (OR and)* ; and := not (AND not)* ; not := NOT not | primary
//   primary   := '(' or ')' | function | operand (cmp operand | BETWEEN operand AND operand
//                | IN '(' operand (',' operand)* ')')
//   operand   := path | ':value' | function ; function := identifier '(' operand (',' operand)* ')'
//   path      := (identifier | '#name') ('.' (identifier | '#name') | '[' digits ']')*
//   update    := (SET set (',' set)* | REMOVE path (',' path)* | ADD path ':v' (, ...)*
//                | DELETE path ':v' (, ...)*)+
//   set       := path '=' value ; value := uoperand (('+' | '-') uoperand)?
//   uoperand  := path | ':value' | function | '(' value ')'
//   projection:= path (',' path)*
#include <cctype>
#include <mutex>
#include <unordered_map>

#include "common/ascii.h"
#include "dynamo/expression.h"

namespace floe::dynamo::expr {

namespace {

constexpr size_t kMaxExpressionBytes = 4096;
constexpr int kMaxOperators = 300;
constexpr int kMaxInOperands = 100;
constexpr size_t kMaxPathDepth = 32;
// Parentheses, NOT and function calls nest at most this deep. The parser and every pass over
// the tree (resolution, validation, evaluation, destruction) recurse once per level, so this
// bound, not the thread's stack, limits them. DynamoDB's own limit is not documented; a
// 4 KB expression could otherwise nest ~4,000 levels.
constexpr int kMaxNesting = 100;

enum class Tok {
  kIdent,
  kName,
  kValue,
  kNumber,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kPlus,
  kMinus,
  kEof,
  kBad
};

struct Token {
  Tok type;
  size_t pos;
  size_t len;
};

bool IdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::vector<Token> Tokenize(const std::string& s) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    if (i >= s.size()) {
      out.push_back({Tok::kEof, s.size(), 0});
      return out;
    }
    const size_t start = i;
    const char c = s[i];
    auto single = [&](Tok t) {
      out.push_back({t, start, 1});
      ++i;
    };
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (i < s.size() && IdentChar(s[i])) ++i;
      out.push_back({Tok::kIdent, start, i - start});
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      out.push_back({Tok::kNumber, start, i - start});
    } else if (c == '#' || c == ':') {
      ++i;
      while (i < s.size() && IdentChar(s[i])) ++i;
      if (i == start + 1) {
        out.push_back({Tok::kBad, start, 1});
      } else {
        out.push_back({c == '#' ? Tok::kName : Tok::kValue, start, i - start});
      }
    } else if (c == '<') {
      if (i + 1 < s.size() && s[i + 1] == '>') {
        out.push_back({Tok::kNe, start, 2});
        i += 2;
      } else if (i + 1 < s.size() && s[i + 1] == '=') {
        out.push_back({Tok::kLe, start, 2});
        i += 2;
      } else {
        single(Tok::kLt);
      }
    } else if (c == '>') {
      if (i + 1 < s.size() && s[i + 1] == '=') {
        out.push_back({Tok::kGe, start, 2});
        i += 2;
      } else {
        single(Tok::kGt);
      }
    } else {
      switch (c) {
        case '(': single(Tok::kLParen); break;
        case ')': single(Tok::kRParen); break;
        case '[': single(Tok::kLBracket); break;
        case ']': single(Tok::kRBracket); break;
        case ',': single(Tok::kComma); break;
        case '.': single(Tok::kDot); break;
        case '=': single(Tok::kEq); break;
        case '+': single(Tok::kPlus); break;
        case '-': single(Tok::kMinus); break;
        default: {
          // One UTF-8 character.
          size_t n = 1;
          while (start + n < s.size() && (static_cast<unsigned char>(s[start + n]) & 0xC0) == 0x80) ++n;
          out.push_back({Tok::kBad, start, n});
          i += n;
        }
      }
    }
  }
}

int FunctionArity(std::string_view name, bool update) {
  if (update) {
    if (name == "if_not_exists" || name == "list_append") return 2;
    return -1;
  }
  if (name == "attribute_exists" || name == "attribute_not_exists" || name == "size") return 1;
  if (name == "attribute_type" || name == "begins_with" || name == "contains") return 2;
  return -1;
}

// Thrown only inside the parser (never escapes it) to unwind on the first syntax error.
struct SyntaxError {
  size_t tok;
};

class Parser {
 public:
  Parser(const std::string& text, ExprKind kind) : text_(text), kind_(kind), toks_(Tokenize(text)) {}

  Result<Node> ParseConditionText() {
    return Run<Node>([&] {
      Node n = Or();
      Expect(Tok::kEof);
      if (n.kind == NodeKind::kFunction && n.op == "size") Misused("size");
      return n;
    });
  }

  Result<ParsedUpdate> ParseUpdateText() {
    return Run<ParsedUpdate>([&] { return Update(); });
  }

  Result<std::vector<Path>> ParseProjectionText() {
    return Run<std::vector<Path>>([&] {
      std::vector<Path> paths{ParsePath()};
      while (Peek().type == Tok::kComma) {
        Next();
        paths.push_back(ParsePath());
      }
      Expect(Tok::kEof);
      return paths;
    });
  }

 private:
  template <typename T, typename F>
  Result<T> Run(F body) {
    const std::string prefix = std::string("Invalid ") + ExprKindName(kind_) + ": ";
    if (text_.empty()) return Status::InvalidArgument(prefix + "The expression can not be empty;");
    if (text_.size() > kMaxExpressionBytes) {
      return Status::InvalidArgument(
          prefix +
          "Expression size has exceeded the maximum allowed size; expression size: " + std::to_string(text_.size()));
    }
    T result;
    try {
      result = body();
    } catch (const TooDeep&) {
      return Status::InvalidArgument(
          prefix + "The expression has too many nesting levels; maximum: " + std::to_string(kMaxNesting));
    } catch (const SyntaxError& e) {
      const Token& t = toks_[e.tok];
      std::string tok = t.type == Tok::kEof ? "<EOF>" : text_.substr(t.pos, t.len);
      size_t near_start = e.tok > 0 ? toks_[e.tok - 1].pos : t.pos;
      std::string near = text_.substr(near_start, t.pos + t.len - near_start);
      return Status::InvalidArgument(prefix + "Syntax error; token: \"" + tok + "\", near: \"" + near + "\"");
    }
    // Structural errors, in DynamoDB's order of precedence.
    for (const auto* e :
         {&redundant_parens_, &unknown_function_, &misused_function_, &reserved_, &operand_, &section_, &depth_}) {
      if (!e->empty()) return Status::InvalidArgument(prefix + *e);
    }
    if (operators_ > kMaxOperators) {
      return Status::InvalidArgument(
          prefix + "The expression contains too many operators; operator count: " + std::to_string(operators_));
    }
    return result;
  }

  const Token& Peek(size_t ahead = 0) const { return toks_[std::min(i_ + ahead, toks_.size() - 1)]; }
  const Token& Next() { return toks_[std::min(i_++, toks_.size() - 1)]; }
  [[noreturn]] void Fail() { throw SyntaxError{std::min(i_, toks_.size() - 1)}; }
  // Thrown past kMaxNesting levels: the parse stops there.
  struct TooDeep {};
  // One level of nesting for the guard's lifetime.
  class Nest {
   public:
    explicit Nest(Parser* p) : p_(p) {
      if (++p_->nesting_ > kMaxNesting) throw TooDeep{};
    }
    ~Nest() { --p_->nesting_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    Parser* p_;
  };
  void Expect(Tok t) {
    if (Peek().type != t) Fail();
    Next();
  }
  std::string Text(const Token& t) const { return text_.substr(t.pos, t.len); }
  bool IsKeyword(const Token& t, std::string_view kw) const {
    return t.type == Tok::kIdent && EqualsIgnoreCase(std::string_view(text_).substr(t.pos, t.len), kw);
  }
  static void SetOnce(std::string& slot, std::string msg) {
    if (slot.empty()) slot = std::move(msg);
  }
  void Misused(const std::string& fn) {
    SetOnce(misused_function_, "The function is not allowed to be used this way in an expression; function: " + fn);
  }

  // ---- conditions ----
  // Left-associative binary keyword operator (OR over AND, AND over NOT).
  Node Binary(std::string_view keyword, NodeKind kind, Node (Parser::*operand)()) {
    Node left = (this->*operand)();
    while (IsKeyword(Peek(), keyword)) {
      Next();
      ++operators_;
      Node right = (this->*operand)();
      Node n;
      n.kind = kind;
      n.args.push_back(std::move(left));
      n.args.push_back(std::move(right));
      left = std::move(n);
    }
    return left;
  }
  Node Or() { return Binary("OR", NodeKind::kOr, &Parser::And); }
  Node And() { return Binary("AND", NodeKind::kAnd, &Parser::Not); }

  Node Not() {
    if (IsKeyword(Peek(), "NOT")) {
      Nest nest(this);
      Next();
      ++operators_;
      Node n;
      n.kind = NodeKind::kNot;
      n.args.push_back(Not());
      return n;
    }
    return Primary();
  }

  Node Primary() {
    if (Peek().type == Tok::kLParen) {
      Nest nest(this);
      Next();
      const bool doubled = Peek().type == Tok::kLParen;
      Node inner = Or();
      Expect(Tok::kRParen);
      if (doubled && last_was_parenthesized_) SetOnce(redundant_parens_, "The expression has redundant parentheses;");
      last_was_parenthesized_ = true;
      return inner;
    }
    last_was_parenthesized_ = false;
    Node left = Operand(false);
    const Token& t = Peek();
    auto check_operands = [&](const Node& n) {
      for (const auto& a : n.args) {
        if (a.kind == NodeKind::kFunction && a.op != "size") Misused(a.op);
      }
    };
    Node n;
    if (t.type == Tok::kEq || t.type == Tok::kNe || t.type == Tok::kLt || t.type == Tok::kLe || t.type == Tok::kGt ||
        t.type == Tok::kGe) {
      Next();
      ++operators_;
      n.kind = NodeKind::kCompare;
      n.op = Text(t);
      n.args.push_back(std::move(left));
      n.args.push_back(Operand(false));
      check_operands(n);
      CheckDistinct(n, n.op);
      return n;
    }
    if (IsKeyword(t, "BETWEEN")) {
      Next();
      ++operators_;
      n.kind = NodeKind::kBetween;
      n.args.push_back(std::move(left));
      n.args.push_back(Operand(false));
      if (!IsKeyword(Peek(), "AND")) Fail();
      Next();
      n.args.push_back(Operand(false));
      check_operands(n);
      return n;
    }
    if (IsKeyword(t, "IN")) {
      Next();
      ++operators_;
      n.kind = NodeKind::kIn;
      n.args.push_back(std::move(left));
      Expect(Tok::kLParen);
      n.args.push_back(Operand(false));
      while (Peek().type == Tok::kComma) {
        Next();
        n.args.push_back(Operand(false));
      }
      Expect(Tok::kRParen);
      if (n.args.size() - 1 > kMaxInOperands) {
        SetOnce(operand_, "Too many operands for the IN operator; operand count: " + std::to_string(n.args.size() - 1) +
                              ", maximum: " + std::to_string(kMaxInOperands));
      }
      check_operands(n);
      return n;
    }
    if (left.kind == NodeKind::kFunction) {
      if (left.op == "size") Misused("size");
      return left;
    }
    Fail();
  }

  void CheckDistinct(const Node& n, const std::string& op) {
    if (n.args.size() != 2 || n.args[0].kind != NodeKind::kPath || n.args[1].kind != NodeKind::kPath) return;
    if (!(n.args[0].path == n.args[1].path)) return;
    SetOnce(operand_,
            "The first operand must be distinct from the remaining operands for this operator or function; operator: " +
                op + ", first operand: " + PathToString(n.args[0].path));
  }

  // An operand: path, value placeholder or function call.
  Node Operand(bool update) {
    const Token& t = Peek();
    if (t.type == Tok::kValue) {
      Next();
      Node n;
      n.kind = NodeKind::kValue;
      n.value_name = Text(t);
      return n;
    }
    if (t.type == Tok::kIdent && Peek(1).type == Tok::kLParen) return Function(update);
    if (update && t.type == Tok::kLParen) {
      Nest nest(this);
      Next();
      Node inner = UpdateValue();
      Expect(Tok::kRParen);
      return inner;
    }
    if (t.type == Tok::kIdent || t.type == Tok::kName) {
      Node n;
      n.kind = NodeKind::kPath;
      n.path = ParsePath();
      return n;
    }
    Fail();
  }

  Node Function(bool update) {
    Nest nest(this);
    const Token& name_tok = Next();
    std::string name = Text(name_tok);
    Expect(Tok::kLParen);
    Node n;
    n.kind = NodeKind::kFunction;
    n.op = name;
    n.args.push_back(Operand(update));
    while (Peek().type == Tok::kComma) {
      Next();
      n.args.push_back(Operand(update));
    }
    Expect(Tok::kRParen);
    ++operators_;
    const int arity = FunctionArity(name, update);
    if (arity < 0) {
      SetOnce(unknown_function_, "Invalid function name; function: " + name);
      return n;
    }
    for (const auto& a : n.args) {
      if (!update && a.kind == NodeKind::kFunction && a.op != "size") Misused(a.op);
    }
    if (static_cast<int>(n.args.size()) != arity) {
      SetOnce(operand_, "Incorrect number of operands for operator or function; operator or function: " + name +
                            ", number of operands: " + std::to_string(n.args.size()));
      return n;
    }
    if ((name == "attribute_exists" || name == "attribute_not_exists" || name == "if_not_exists") &&
        n.args[0].kind != NodeKind::kPath) {
      SetOnce(operand_, "Operator or function requires a document path; operator or function: " + name);
    }
    if (!update) CheckDistinct(n, name);
    return n;
  }

  Path ParsePath() {
    Path p;
    auto element = [&]() {
      const Token& t = Peek();
      PathElement e;
      if (t.type == Tok::kName) {
        e.name = Text(t);
        e.placeholder = true;
      } else if (t.type == Tok::kIdent) {
        e.name = Text(t);
        if (!std::isalpha(static_cast<unsigned char>(e.name[0]))) Fail();
        if (IsReservedWord(e.name))
          SetOnce(reserved_, "Attribute name is a reserved keyword; reserved keyword: " + e.name);
      } else {
        Fail();
      }
      Next();
      p.push_back(std::move(e));
    };
    element();
    while (true) {
      if (Peek().type == Tok::kDot) {
        Next();
        element();
      } else if (Peek().type == Tok::kLBracket) {
        Next();
        const Token& num = Peek();
        if (num.type != Tok::kNumber || num.len > 9) Fail();
        Next();
        Expect(Tok::kRBracket);
        PathElement e;
        e.index = std::stoll(Text(num));
        p.push_back(std::move(e));
      } else {
        break;
      }
    }
    if (p.size() > kMaxPathDepth) {
      SetOnce(depth_, "The document path has too many nesting levels; nesting levels: " + std::to_string(p.size()));
    }
    return p;
  }

  // ---- updates ----
  ParsedUpdate Update() {
    ParsedUpdate u;
    bool seen[4] = {false, false, false, false};
    const char* names[4] = {"SET", "REMOVE", "ADD", "DELETE"};
    do {
      int section = -1;
      for (int s = 0; s < 4; ++s) {
        if (IsKeyword(Peek(), names[s])) section = s;
      }
      if (section < 0) Fail();
      Next();
      if (seen[section]) {
        SetOnce(section_,
                std::string("The \"") + names[section] + "\" section can only be used once in an update expression;");
      }
      seen[section] = true;
      while (true) {
        UpdateClause c;
        c.action = static_cast<UpdateAction>(section);
        c.path = ParsePath();
        ++operators_;
        if (c.action == UpdateAction::kSet) {
          Expect(Tok::kEq);
          c.value = UpdateValue();
        } else if (c.action == UpdateAction::kAdd || c.action == UpdateAction::kDelete) {
          if (Peek().type != Tok::kValue) Fail();
          c.value.kind = NodeKind::kValue;
          c.value.value_name = Text(Next());
        }
        u.clauses.push_back(std::move(c));
        if (Peek().type != Tok::kComma) break;
        Next();
      }
    } while (Peek().type != Tok::kEof);
    return u;
  }

  Node UpdateValue() {
    Node left = Operand(true);
    if (Peek().type == Tok::kPlus || Peek().type == Tok::kMinus) {
      Node n;
      n.kind = Next().type == Tok::kPlus ? NodeKind::kPlus : NodeKind::kMinus;
      ++operators_;
      n.args.push_back(std::move(left));
      n.args.push_back(Operand(true));
      return n;
    }
    return left;
  }

  const std::string& text_;
  ExprKind kind_;
  std::vector<Token> toks_;
  size_t i_ = 0;
  int operators_ = 0;
  int nesting_ = 0;
  bool last_was_parenthesized_ = false;
  std::string redundant_parens_, unknown_function_, misused_function_, reserved_, operand_, section_, depth_;
};

// A small bounded cache of parsed expressions: identical requests in a hot loop do not
// re-parse. Cleared wholesale when full (simple, and parse is cheap enough to refill).
template <typename T>
class ParseCache {
 public:
  std::shared_ptr<const T> Get(const std::string& key) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : it->second;
  }
  void Put(const std::string& key, std::shared_ptr<const T> v) {
    std::lock_guard<std::mutex> l(mu_);
    if (map_.size() >= 2048) map_.clear();
    map_.emplace(key, std::move(v));
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const T>> map_;
};

}  // namespace

const char* ExprKindName(ExprKind k) {
  switch (k) {
    case ExprKind::kCondition: return "ConditionExpression";
    case ExprKind::kFilter: return "FilterExpression";
    case ExprKind::kKeyCondition: return "KeyConditionExpression";
    case ExprKind::kUpdate: return "UpdateExpression";
    case ExprKind::kProjection: return "ProjectionExpression";
  }
  return "Expression";
}

std::string PathToString(const Path& p) {
  std::string s = "[";
  for (size_t i = 0; i < p.size(); ++i) {
    if (i) s += ", ";
    s += p[i].is_index() ? "[" + std::to_string(p[i].index) + "]" : p[i].name;
  }
  return s + "]";
}

Result<std::shared_ptr<const Node>> ParseCondition(const std::string& text, ExprKind kind) {
  static ParseCache<Node> caches[3];
  auto& cache = caches[kind == ExprKind::kCondition ? 0 : kind == ExprKind::kFilter ? 1 : 2];
  if (auto hit = cache.Get(text)) return hit;
  Parser p(text, kind);
  ASSIGN_OR_RETURN(Node n, p.ParseConditionText());
  auto shared = std::make_shared<const Node>(std::move(n));
  cache.Put(text, shared);
  return shared;
}

Result<std::shared_ptr<const ParsedUpdate>> ParseUpdate(const std::string& text) {
  static ParseCache<ParsedUpdate> cache;
  if (auto hit = cache.Get(text)) return hit;
  Parser p(text, ExprKind::kUpdate);
  ASSIGN_OR_RETURN(ParsedUpdate u, p.ParseUpdateText());
  auto shared = std::make_shared<const ParsedUpdate>(std::move(u));
  cache.Put(text, shared);
  return shared;
}

Result<std::shared_ptr<const std::vector<Path>>> ParseProjection(const std::string& text) {
  static ParseCache<std::vector<Path>> cache;
  if (auto hit = cache.Get(text)) return hit;
  Parser p(text, ExprKind::kProjection);
  ASSIGN_OR_RETURN(std::vector<Path> paths, p.ParseProjectionText());
  auto shared = std::make_shared<const std::vector<Path>>(std::move(paths));
  cache.Put(text, shared);
  return shared;
}

}  // namespace floe::dynamo::expr
