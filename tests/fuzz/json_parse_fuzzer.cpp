// Differential target: base::parse_json must accept exactly what nlohmann's parser accepts and
// build the same value (same types, same numbers bit for bit, same keys and order).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "base/same_json.hpp"
#include "rtcwire/base/json_parse.hpp"

namespace {

using Json = nlohmann::json;

// Above any nesting an 8 KiB input can have: the reader itself is compared, not the depth check.
constexpr int kAnyDepth = 100000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Json ours = rtcwire::base::parse_json(text, kAnyDepth);
  const Json theirs = Json::parse(text.begin(), text.end(), nullptr, false);
  if (ours.is_discarded() != theirs.is_discarded()) std::abort();
  if (!ours.is_discarded() && !rtcwire::testing::same_json(ours, theirs)) std::abort();
  return 0;
}
