// Differential target: base::parse_json must accept exactly what nlohmann's parser accepts and
// build the same value (same types, same numbers bit for bit, same keys and order).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>

#include "rtcwire/base/json_parse.hpp"

namespace {

using Json = nlohmann::json;

// Above any nesting an 8 KiB input can have: the reader itself is compared, not the depth check.
constexpr int kAnyDepth = 100000;

bool same(const Json& a, const Json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_number_float()) {
    const double x = a.get<double>();
    const double y = b.get<double>();
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  if (a.is_array() || a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
      if (a.is_object() && i.key() != j.key()) return false;
      if (!same(*i, *j)) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Json ours = rtcwire::base::parse_json(text, kAnyDepth);
  const Json theirs = Json::parse(text.begin(), text.end(), nullptr, false);
  if (ours.is_discarded() != theirs.is_discarded()) std::abort();
  if (!ours.is_discarded() && !same(ours, theirs)) std::abort();
  return 0;
}
