#include "rtcwire/base/json_fields.hpp"

namespace rtcwire::base {

const nlohmann::json* find_field(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(name);
  return found == object.end() ? nullptr : &*found;
}

std::optional<std::uint64_t> whole_number(const nlohmann::json& value, std::uint64_t max) {
  // The parser stores every non-negative integer as unsigned, so only those are whole numbers.
  const auto* number = value.get_ptr<const nlohmann::json::number_unsigned_t*>();
  if (number == nullptr || *number > max) return std::nullopt;
  return *number;
}

const std::string* short_string(const nlohmann::json& value, std::size_t max_bytes) {
  const auto* text = value.get_ptr<const std::string*>();
  return text != nullptr && text->size() <= max_bytes ? text : nullptr;
}

std::optional<std::uint64_t> whole_number_field(const nlohmann::json& object, const char* name,
                                                std::uint64_t max) {
  const nlohmann::json* field = find_field(object, name);
  return field == nullptr ? std::nullopt : whole_number(*field, max);
}

const std::string* string_field(const nlohmann::json& object, const char* name,
                                std::size_t max_bytes) {
  const nlohmann::json* field = find_field(object, name);
  return field == nullptr ? nullptr : short_string(*field, max_bytes);
}

}  // namespace rtcwire::base
