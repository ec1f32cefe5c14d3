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
  // The end-of-candidates of this gathering.
  void gathering_ended() { ended_ = true; }
  // An ICE restart gathers anew.
  void restart();

  bool relay_gathered() const;
  // True once per gathering, when it ended without a relay candidate and a TURN server reported
  // an error (in either order). Without that error the gathering may only have been cut short: a
  // rolled-back offer (glare, as when both sides restart at once) ends its gathering at once.
  bool take_turn_failure();
  // Says which servers `ice_servers` configure (URLs only, never credentials), which candidate
  // types were gathered and, when TURN was configured and no relay gathered, that the TURN
  // credential or server is the likely cause, with the candidate errors seen.
  std::string describe(const nlohmann::json& ice_servers) const;

 private:
  static constexpr std::size_t kKeptErrors = 4;
  uint8_t types_ = 0;  // a bit per kCandidateTypes entry
  std::vector<std::string> errors_;
  bool turn_error_ = false;  // an error from a turn: or turns: URL
  bool ended_ = false;
  bool turn_failure_told_ = false;
};

// Any turn: or turns: URL in the list.
bool has_turn_server(const nlohmann::json& ice_servers);

}  // namespace rtcwire::peer
