#include "rtcwire/base/json_parse.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "rtcwire/base/json_limits.hpp"
#include "rtcwire/base/utf8.hpp"

namespace rtcwire::base {
namespace {

using Json = nlohmann::json;

// One pass over the text, no recursion: containers being filled are kept on a stack, so nesting
// costs heap, not call stack.
class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  bool read_document(Json& root) {
    if (text_.substr(0, 1) == "\xEF") {
      if (text_.substr(0, 3) != "\xEF\xBB\xBF") return false;
      at_ = 3;
    }
    std::vector<Json*> open;  // innermost last
    Json* slot = &root;
    while (true) {
      if (!read_value(*slot)) return false;
      if (slot->is_structured() && !opened_empty_) {
        open.push_back(slot);
        slot = next_slot(*slot);
        if (!slot) return false;
        continue;
      }
      // After a value: close what ends here, then find the next slot.
      while (true) {
        skip_whitespace();
        // nlohmann reads a NUL byte between tokens as the end of the input.
        if (open.empty()) return peek() <= 0;
        Json& container = *open.back();
        const int c = take();
        if (c == ',') break;
        if (c != (container.is_array() ? ']' : '}')) return false;
        open.pop_back();
      }
      slot = next_slot(*open.back());
      if (!slot) return false;
    }
  }

 private:
  int peek() const { return at_ < text_.size() ? static_cast<unsigned char>(text_[at_]) : -1; }
  int take() {
    const int c = peek();
    if (c >= 0) ++at_;
    return c;
  }
  bool take_if(char c) {
    if (peek() != static_cast<unsigned char>(c)) return false;
    ++at_;
    return true;
  }
  void skip_whitespace() {
    while (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r') ++at_;
  }

  // Where the next element of an open container goes, after its '[', '{' or ','.
  Json* next_slot(Json& container) {
    if (container.is_array()) return &container.get_ref<Json::array_t&>().emplace_back();
    skip_whitespace();
    std::string key;
    if (!take_if('"') || !read_string(key)) return nullptr;
    skip_whitespace();
    if (!take_if(':')) return nullptr;
    // A repeated key's later value replaces the earlier one.
    return &container.get_ref<Json::object_t&>()[std::move(key)];
  }

  // A scalar, or a container's opening bracket (opened_empty_ when it closes right away).
  bool read_value(Json& value) {
    skip_whitespace();
    opened_empty_ = false;
    switch (peek()) {
      case '[':
      case '{': {
        const bool array = take() == '[';
        value = array ? Json::array() : Json::object();
        skip_whitespace();
        opened_empty_ = take_if(array ? ']' : '}');
        return true;
      }
      case '"': {
        ++at_;
        std::string text;
        if (!read_string(text)) return false;
        value = std::move(text);
        return true;
      }
      case 't':
        value = true;
        return take_word("true");
      case 'f':
        value = false;
        return take_word("false");
      case 'n':
        value = nullptr;
        return take_word("null");
      default:
        return read_number(value);
    }
  }

  bool take_word(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  bool take_digits() {
    const std::size_t start = at_;
    while (peek() >= '0' && peek() <= '9') ++at_;
    return at_ > start;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? converted as nlohmann does: an integer as uint64
  // (int64 when negative) when it fits, otherwise a double, which must be finite.
  bool read_number(Json& value) {
    const std::size_t start = at_;
    const bool negative = take_if('-');
    // A leading zero stands alone: "01" ends at "0" and fails at the "1" that follows.
    if (!take_if('0')) {
      if (peek() < '1' || peek() > '9') return false;
      take_digits();
    }
    bool integer = true;
    if (take_if('.')) {
      if (!take_digits()) return false;
      integer = false;
    }
    if (take_if('e') || take_if('E')) {
      if (!take_if('+')) take_if('-');
      if (!take_digits()) return false;
      integer = false;
    }
    const std::string number(text_.substr(start, at_ - start));  // strto* want a terminator
    errno = 0;
    if (integer && !negative) {
      const Json::number_unsigned_t n = std::strtoull(number.c_str(), nullptr, 10);
      if (errno == 0) {
        value = n;
        return true;
      }
    } else if (integer) {
      const Json::number_integer_t n = std::strtoll(number.c_str(), nullptr, 10);
      if (errno == 0) {
        value = n;
        return true;
      }
    }
    const Json::number_float_t n = std::strtod(number.c_str(), nullptr);
    value = n;
    return std::isfinite(n);
  }

  // The rest of a string after its opening quote, unescaped; UTF-8 checked byte by byte.
  bool read_string(std::string& out) {
    while (true) {
      const std::size_t run = at_;
      while (peek() >= 0x20 && peek() < 0x80 && peek() != '"' && peek() != '\\') ++at_;
      out.append(text_.substr(run, at_ - run));
      const int c = take();
      if (c == '"') return true;
      if (c == '\\') {
        if (!read_escape(out)) return false;
      } else if (c < 0x80 || !read_utf8_tail(out)) {
        return false;  // the end, or a control character
      }
    }
  }

  bool read_escape(std::string& out) {
    const int c = take();
    if (c != 'u') {
      constexpr std::string_view kNames = "\"\\/bfnrt";
      constexpr std::string_view kBytes = "\"\\/\b\f\n\r\t";
      const std::size_t i = c < 0 ? kNames.npos : kNames.find(static_cast<char>(c));
      if (i == kNames.npos) return false;
      out += kBytes[i];
      return true;
    }
    long code = read_hex4();
    if (code >= 0xDC00 && code <= 0xDFFF) return false;  // a low surrogate first
    if (code >= 0xD800 && code <= 0xDBFF) {
      if (!take_if('\\') || !take_if('u')) return false;
      const long low = read_hex4();
      if (low < 0xDC00 || low > 0xDFFF) return false;
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    if (code < 0) return false;
    put_utf8(out, static_cast<unsigned long>(code));
    return true;
  }

  // Four hex digits after "\u", or -1.
  long read_hex4() {
    long code = 0;
    for (int i = 0; i < 4; ++i) {
      const int c = take();
      int digit = -1;
      if (c >= '0' && c <= '9') digit = c - '0';
      if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      if (digit < 0) return -1;
      code = code * 16 + digit;
    }
    return code;
  }

  static void put_utf8(std::string& out, unsigned long code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  // The rest of a well-formed UTF-8 character whose lead byte was just taken.
  bool read_utf8_tail(std::string& out) {
    const Utf8Sequence sequence = utf8_sequence(text_.substr(at_ - 1));
    if (!sequence.well_formed) return false;
    out.append(text_.substr(at_ - 1, sequence.length));
    at_ += sequence.length - 1;
    return true;
  }

  std::string_view text_;
  std::size_t at_ = 0;
  bool opened_empty_ = false;
};

}  // namespace

nlohmann::json parse_json(std::string_view text, int max_depth) {
  Json root;
  if (json_nesting_depth(text, max_depth) < 0 || !JsonReader(text).read_document(root)) {
    return Json(Json::value_t::discarded);
  }
  return root;
}

}  // namespace rtcwire::base
