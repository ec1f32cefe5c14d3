#include "rtcwire/peer/ice_diagnosis.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "rtcwire/base/json_fields.hpp"
#include "rtcwire/peer/ice_server_list.hpp"

namespace rtcwire::peer {
namespace {

constexpr std::array<std::string_view, 4> kCandidateTypes{"host", "srflx", "prflx", "relay"};
constexpr uint8_t kRelayBit = 1u << 3;
// Enough to name the servers of a usual configuration; the rest are counted.
constexpr std::size_t kNamedUrls = 8;

// "... typ relay raddr ..." -> "relay" (RFC 8839 candidate-attribute).
std::string_view candidate_type(std::string_view candidate) {
  const std::size_t at = candidate.find(" typ ");
  if (at == std::string_view::npos) return {};
  const std::string_view rest = candidate.substr(at + 5);
  return rest.substr(0, rest.find(' '));
}

void append_list(std::string& out, const std::vector<std::string>& items) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
}

}  // namespace

bool has_turn_server(const nlohmann::json& ice_servers) {
  const auto urls = ice_server_urls(ice_servers);
  return std::any_of(urls.begin(), urls.end(), is_turn_url);
}

void IceDiagnosis::gathered(const nlohmann::json& candidate) {
  const std::string* text = base::string_field(candidate, "candidate");
  if (text == nullptr) return;
  const std::string_view type = candidate_type(*text);
  for (std::size_t i = 0; i < kCandidateTypes.size(); ++i) {
    if (kCandidateTypes[i] == type) types_ |= static_cast<uint8_t>(1u << i);
  }
}

void IceDiagnosis::candidate_error(const event::CandidateError& error) {
  if (errors_.size() == kKeptErrors) errors_.erase(errors_.begin());
  errors_.push_back(error.url + " " + std::to_string(error.error_code) + " " + error.error_text);
  if (error.url.starts_with("turn:") || error.url.starts_with("turns:")) turn_error_ = true;
}

void IceDiagnosis::restart() { *this = IceDiagnosis(); }

bool IceDiagnosis::relay_gathered() const { return (types_ & kRelayBit) != 0; }

bool IceDiagnosis::take_turn_failure() {
  if (turn_failure_told_ || !ended_ || !turn_error_ || relay_gathered()) return false;
  turn_failure_told_ = true;
  return true;
}

std::string IceDiagnosis::describe(const nlohmann::json& ice_servers) const {
  std::vector<std::string> urls = ice_server_urls(ice_servers);
  std::string out = "ICE servers: ";
  if (urls.empty()) out += "none";
  const std::size_t unnamed = urls.size() > kNamedUrls ? urls.size() - kNamedUrls : 0;
  urls.resize(urls.size() - unnamed);
  append_list(out, urls);
  if (unnamed > 0) out += " and " + std::to_string(unnamed) + " more";
  out += "; candidate types gathered: ";
  std::vector<std::string> types;
  for (std::size_t i = 0; i < kCandidateTypes.size(); ++i) {
    if (types_ & (1u << i)) types.emplace_back(kCandidateTypes[i]);
  }
  if (types.empty()) out += "none";
  append_list(out, types);
  if (has_turn_server(ice_servers) && !relay_gathered()) {
    out += "; no relay candidate: the TURN credential or server is the likely cause";
  }
  if (!errors_.empty()) {
    out += "; candidate errors: ";
    append_list(out, errors_);
  }
  return out;
}

}  // namespace rtcwire::peer
