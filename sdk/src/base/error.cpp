#include "rtcwire/base/error.hpp"

#include <array>

namespace rtcwire::base {
namespace {

constexpr std::array kCodeNames{
    std::pair{ErrorCode::malformed_packet, std::string_view{"malformed_packet"}},
    std::pair{ErrorCode::malformed_json, std::string_view{"malformed_json"}},
    std::pair{ErrorCode::invalid_envelope, std::string_view{"invalid_envelope"}},
    std::pair{ErrorCode::unsupported_version, std::string_view{"unsupported_version"}},
    std::pair{ErrorCode::unknown_type, std::string_view{"unknown_type"}},
    std::pair{ErrorCode::message_too_large, std::string_view{"message_too_large"}},
    std::pair{ErrorCode::invalid_room, std::string_view{"invalid_room"}},
    std::pair{ErrorCode::invalid_peer, std::string_view{"invalid_peer"}},
    std::pair{ErrorCode::not_in_room, std::string_view{"not_in_room"}},
    std::pair{ErrorCode::peer_not_found, std::string_view{"peer_not_found"}},
    std::pair{ErrorCode::not_connected, std::string_view{"not_connected"}},
    std::pair{ErrorCode::invalid_state, std::string_view{"invalid_state"}},
    std::pair{ErrorCode::handshake_timeout, std::string_view{"handshake_timeout"}},
    std::pair{ErrorCode::ping_timeout, std::string_view{"ping_timeout"}},
    std::pair{ErrorCode::transport_closed, std::string_view{"transport_closed"}},
    std::pair{ErrorCode::transport_error, std::string_view{"transport_error"}},
    std::pair{ErrorCode::server_closed, std::string_view{"server_closed"}},
    std::pair{ErrorCode::invalid_argument, std::string_view{"invalid_argument"}},
    std::pair{ErrorCode::internal, std::string_view{"internal"}},
    std::pair{ErrorCode::session_expired, std::string_view{"session_expired"}},
    std::pair{ErrorCode::buffer_overflow, std::string_view{"buffer_overflow"}},
    std::pair{ErrorCode::buffer_full, std::string_view{"buffer_full"}},
    std::pair{ErrorCode::invalid_sequence, std::string_view{"invalid_sequence"}},
    std::pair{ErrorCode::going_away, std::string_view{"going_away"}},
    std::pair{ErrorCode::too_many_sessions, std::string_view{"too_many_sessions"}},
    std::pair{ErrorCode::rate_limited, std::string_view{"rate_limited"}},
    std::pair{ErrorCode::server_busy, std::string_view{"server_busy"}},
    std::pair{ErrorCode::unauthorized, std::string_view{"unauthorized"}},
    std::pair{ErrorCode::token_expired, std::string_view{"token_expired"}},
    std::pair{ErrorCode::forbidden_room, std::string_view{"forbidden_room"}},
    std::pair{ErrorCode::forbidden_publish, std::string_view{"forbidden_publish"}},
    std::pair{ErrorCode::hash_mismatch, std::string_view{"hash_mismatch"}},
    std::pair{ErrorCode::transfer_rejected, std::string_view{"transfer_rejected"}},
    std::pair{ErrorCode::transfer_cancelled, std::string_view{"transfer_cancelled"}},
    std::pair{ErrorCode::invalid_transfer, std::string_view{"invalid_transfer"}},
    std::pair{ErrorCode::too_many_transfers, std::string_view{"too_many_transfers"}},
    std::pair{ErrorCode::invalid_signal, std::string_view{"invalid_signal"}},
    std::pair{ErrorCode::ice_failed, std::string_view{"ice_failed"}},
    std::pair{ErrorCode::channel_closed, std::string_view{"channel_closed"}},
    std::pair{ErrorCode::negotiation_failed, std::string_view{"negotiation_failed"}},
    std::pair{ErrorCode::peer_closed, std::string_view{"peer_closed"}},
    std::pair{ErrorCode::turn_not_configured, std::string_view{"turn_not_configured"}},
    std::pair{ErrorCode::turn_failed, std::string_view{"turn_failed"}},
    std::pair{ErrorCode::ice_servers_unavailable, std::string_view{"ice_servers_unavailable"}},
    std::pair{ErrorCode::invalid_ice_servers, std::string_view{"invalid_ice_servers"}},
};

}  // namespace

std::string_view to_string(ErrorCode code) {
  for (const auto& [value, name] : kCodeNames) {
    if (value == code) return name;
  }
  return "internal";
}

std::optional<ErrorCode> error_code_from_string(std::string_view name) {
  for (const auto& [value, known] : kCodeNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

std::string_view to_string(ErrorOrigin origin) {
  switch (origin) {
    case ErrorOrigin::local:
      return "local";
    case ErrorOrigin::remote:
      return "remote";
    case ErrorOrigin::transport:
      return "transport";
  }
  return "local";
}

}  // namespace rtcwire::base
