// Reading fields of parsed, untrusted JSON objects. Out of line on purpose: each nlohmann
// lookup or conversion inlined at every field of every decoder costs Wasm size, one shared
// copy does not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace rtcwire::base {

// The field `name` of `object`, or null when `object` is no object or has no such field.
const nlohmann::json* find_field(const nlohmann::json& object, const char* name);

// `value` as a whole number from 0 to `max`, or nothing when it is not one.
std::optional<std::uint64_t> whole_number(const nlohmann::json& value, std::uint64_t max);

// `value` as a string of at most `max_bytes`, or null when it is not one.
const std::string* short_string(const nlohmann::json& value, std::size_t max_bytes);

// The same two for the field `name` of `object`; absent is nothing (or null) too.
std::optional<std::uint64_t> whole_number_field(const nlohmann::json& object, const char* name,
                                                std::uint64_t max);
const std::string* string_field(const nlohmann::json& object, const char* name,
                                std::size_t max_bytes = SIZE_MAX);

}  // namespace rtcwire::base
