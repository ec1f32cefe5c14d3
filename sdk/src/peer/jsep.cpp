#include "rtcwire/peer/jsep.hpp"

#include <array>
#include <utility>

namespace rtcwire::peer {
namespace {

constexpr std::array kStateNames{
    std::pair{SignalingState::stable, std::string_view{"stable"}},
    std::pair{SignalingState::have_local_offer, std::string_view{"have-local-offer"}},
    std::pair{SignalingState::have_remote_offer, std::string_view{"have-remote-offer"}},
    std::pair{SignalingState::have_local_pranswer, std::string_view{"have-local-pranswer"}},
    std::pair{SignalingState::have_remote_pranswer, std::string_view{"have-remote-pranswer"}},
    std::pair{SignalingState::closed, std::string_view{"closed"}},
};

}  // namespace

std::string_view to_string(SignalingState state) {
  for (const auto& [value, name] : kStateNames) {
    if (value == state) return name;
  }
  return "closed";
}

std::optional<SignalingState> signaling_state_from_string(std::string_view name) {
  for (const auto& [value, known] : kStateNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

std::string_view to_string(DescriptionType type) {
  return type == DescriptionType::offer ? "offer" : "answer";
}

}  // namespace rtcwire::peer
