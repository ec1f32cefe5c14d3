// What one ICE gathering of a connection produced, for the error that explains a failure: the
// local candidate types gathered and the last candidate errors (icecandidateerror) seen.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtcwire/peer/peer_event.hpp"

namespace rtcwire::peer {

class IceDiagnosis {
 public:
  // A local candidate as RTCIceCandidate.toJSON() gives it (already checked).
  void gathered(const nlohmann::json& candidate);
  void candidate_error(const event::CandidateError& error);
  // An ICE restart gathers anew.
  void restart();

  bool relay_gathered() const;
  // Says which servers `ice_servers` configure (URLs only, never credentials), which candidate
  // types were gathered and, when TURN was configured and no relay gathered, that the TURN
  // credential or server is the likely cause, with the candidate errors seen.
  std::string describe(const nlohmann::json& ice_servers) const;

 private:
  static constexpr std::size_t kKeptErrors = 4;
  uint8_t types_ = 0;  // a bit per kCandidateTypes entry
  std::vector<std::string> errors_;
};

// Any turn: or turns: URL in the list.
bool has_turn_server(const nlohmann::json& ice_servers);

}  // namespace rtcwire::peer
