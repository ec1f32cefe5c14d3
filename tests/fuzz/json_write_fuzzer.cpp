// Differential target: base::json_writer::put_json against nlohmann's dump with
// error_handler_t::replace. For every DOM base::parse_json builds from the input, the text written
// reads back as the same DOM (types exact but for a signed zero, doubles bit for bit, keys in
// order), and without doubles (whose digits may differ from nlohmann's) it is byte for byte
// nlohmann's text. The raw input as a string and as a key (any bytes, invalid UTF-8 too) must be
// written as nlohmann writes it, and by put_ascii_string as nlohmann writes it with ensure_ascii;
// its first eight bytes as a double must read back with the same bits (null if not finite).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/same_json.hpp"
#include "rtcwire/base/json_parse.hpp"
#include "rtcwire/base/json_writer.hpp"

namespace {

using Json = nlohmann::json;

// Above any nesting an 8 KiB input can have.
constexpr int kAnyDepth = 100000;

std::string written(const Json& value) {
  std::string out;
  rtcwire::base::json_writer::put_json(out, value);
  return out;
}

std::string dumped(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

bool has_double(const Json& value) {
  if (value.is_number_float()) return true;
  if (!value.is_structured()) return false;
  for (const Json& member : value) {
    if (has_double(member)) return true;
  }
  return false;
}

// Makes `value` what text can carry: "-0" reads as a signed integer 0, which is written "0" (as
// nlohmann writes it) and reads back unsigned.
void unsign_zeros(Json& value) {
  if (value.is_number_integer() && value.get<std::int64_t>() == 0) value = Json(0u);
  if (!value.is_structured()) return;
  for (Json& member : value) unsign_zeros(member);
}

void check_dom(std::string_view text) {
  const Json dom = rtcwire::base::parse_json(text, kAnyDepth);
  if (dom.is_discarded()) return;
  const std::string ours = written(dom);
  const Json back = rtcwire::base::parse_json(ours, kAnyDepth);
  Json expected = dom;
  unsign_zeros(expected);
  if (back.is_discarded() || !rtcwire::testing::same_json(back, expected)) std::abort();
  if (!has_double(dom) && ours != dumped(dom)) std::abort();
}

void check_raw_string(std::string_view text) {
  const Json string(text);
  if (written(string) != dumped(string)) std::abort();
  std::string ascii;
  rtcwire::base::json_writer::put_ascii_string(ascii, text);
  if (ascii != string.dump(-1, ' ', true, Json::error_handler_t::replace)) std::abort();
  const Json object{{std::string(text), 1}};
  if (written(object) != dumped(object)) std::abort();
}

void check_double_bits(const std::uint8_t* data, std::size_t size) {
  double value;
  if (size < sizeof value) return;
  std::memcpy(&value, data, sizeof value);
  const std::string ours = written(Json(value));
  if (!std::isfinite(value)) {
    if (ours != "null") std::abort();
    return;
  }
  const Json back = rtcwire::base::parse_json(ours, 1);
  if (!back.is_number_float()) std::abort();
  const double read = back.get<double>();
  if (std::memcmp(&read, &value, sizeof value) != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_dom(text);
  check_raw_string(text);
  check_double_bits(data, size);
  return 0;
}
