// Whether two DOMs are the same value in every detail nlohmann's == glosses over: the same types
// (== mixes number types), doubles bit for bit, object keys in the same order. For checking
// base::parse_json against nlohmann's parser (unit test and differential fuzz target).
#pragma once

#include <cstring>
#include <nlohmann/json.hpp>

namespace rtcwire::testing {

inline bool same_json(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_number_float()) {
    const double x = a.get<double>();
    const double y = b.get<double>();
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  if (a.is_structured()) {
    if (a.size() != b.size()) return false;
    for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j) {
      if ((a.is_object() && i.key() != j.key()) || !same_json(*i, *j)) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace rtcwire::testing
