// The embind surface of the client core: events in, actions out, nothing else.
// Everything crosses as plain values: strings, numbers, and JSON text for structured data, so JS
// never holds a C++ object other than the ClientCore itself and C++ never holds a JS object.
// Every input (app command or platform event) replies with one JSON text: its error or result and
// the outputs it produced (client::encode_reply), so a call costs one crossing each way. Parsing
// the config, checking app data and encoding the replies live in the sdk (client/config,
// client/event_encoding).
#include <emscripten/bind.h>

#include <optional>
#include <string>
#include <utility>

#include "rtcwire/base/error.hpp"
#include "rtcwire/client/client.hpp"
#include "rtcwire/client/config.hpp"
#include "rtcwire/client/event_encoding.hpp"
#include "rtcwire/peer/file_transfer_encoding.hpp"
#include "rtcwire/peer/peer_event.hpp"

namespace rtcwire::bindings {

using base::Error;
using base::ErrorCode;
using base::local_error;
using base::Millis;
using base::Result;
using base::Status;
using client::Client;
using client::ClientConfig;
using client::encode_reply;
using client::encode_result_reply;
using client::millis_from_js;
using client::parse_app_data;
using client::parse_channel_options;
using client::parse_client_config;
using client::parse_local_tracks;

namespace {

Millis to_millis(double now) { return millis_from_js(now); }

bool is_size(double value) {
  return value >= 0 && value <= 9007199254740991.0 &&
         value == static_cast<double>(static_cast<uint64_t>(value));
}

Error size_error() {
  return local_error(ErrorCode::invalid_argument, "sizes and offsets are whole numbers of bytes");
}

class ClientCore {
 public:
  explicit ClientCore(const std::string& config_json)
      : ClientCore(parse_client_config(config_json)) {}

  std::string connect(double now) {
    if (config_error_) return reply(*config_error_);
    return reply(client_.connect(to_millis(now)));
  }
  // result: the request id that the `joined` or `error` event answering it will carry.
  std::string join(std::string room, double now) {
    return reply(client_.join(std::move(room), to_millis(now)));
  }
  std::string leave(double now) { return reply(client_.leave(to_millis(now))); }
  std::string publish(const std::string& data_json, double now) {
    auto data = parse_app_data(data_json);
    if (!data) return reply(data.error());
    return reply(client_.publish(std::move(data.value()), to_millis(now)));
  }
  std::string send(std::string peer, const std::string& data_json, double now) {
    auto data = parse_app_data(data_json);
    if (!data) return reply(data.error());
    return reply(client_.send(std::move(peer), std::move(data.value()), to_millis(now)));
  }
  std::string signal(std::string peer, const std::string& data_json, double now) {
    auto data = parse_app_data(data_json);
    if (!data) return reply(data.error());
    return reply(client_.signal(std::move(peer), std::move(data.value()), to_millis(now)));
  }
  std::string close(double now) {
    client_.close(to_millis(now));
    return reply();
  }
  std::string setToken(std::string token, double now) {
    return reply(client_.set_token(std::move(token), to_millis(now)));
  }
  // policy: '' (unchanged), 'all' or 'relay'.
  std::string setIceServers(const std::string& servers_json, const std::string& policy,
                            double now) {
    auto servers = parse_app_data(servers_json);
    if (!servers) return reply(servers.error());
    return reply(client_.set_ice_servers(std::move(servers.value()), policy, to_millis(now)));
  }
  std::string iceServersProvided(const std::string& json, double now) {
    client_.ice_servers_provided(json, to_millis(now));
    return reply();
  }
  std::string iceServersFailed(const std::string& reason, double now) {
    client_.ice_servers_failed(reason, to_millis(now));
    return reply();
  }
  // The peer layer (docs/architecture.md, "Peers"): what the RTCPeerConnections did, and the
  // app's peer commands.
  std::string peerEvent(const std::string& event_json, double now) {
    auto event = peer::parse_peer_event(event_json);
    if (!event) return reply(event.error());
    client_.handle_peer_event(event.value(), to_millis(now));
    return reply();
  }
  std::string peerConnect(const std::string& peer, double now) {
    return reply(client_.peer_connect(peer, to_millis(now)));
  }
  std::string peerClose(const std::string& peer, double now) {
    return reply(client_.peer_close(peer, to_millis(now)));
  }
  std::string peerRestartIce(const std::string& peer, double now) {
    return reply(client_.peer_restart_ice(peer, to_millis(now)));
  }
  // result: the channel's handle.
  std::string channelOpen(const std::string& peer, std::string label,
                          const std::string& options_json, double now) {
    auto options = parse_channel_options(options_json);
    if (!options) return reply(options.error());
    return reply(
        client_.channel_open(peer, std::move(label), std::move(options.value()), to_millis(now)));
  }
  std::string channelClose(uint32_t channel, double now) {
    return reply(client_.channel_close(channel, to_millis(now)));
  }
  std::string channelEnqueue(uint32_t channel, double bytes, double now) {
    if (!(bytes >= 0 && bytes <= 9007199254740991.0)) {
      return reply(local_error(ErrorCode::invalid_argument, "bytes must be a size"));
    }
    return reply(client_.channel_enqueue(channel, static_cast<uint64_t>(bytes), to_millis(now)));
  }
  std::string setLocalTracks(const std::string& tracks_json, double now) {
    auto tracks = parse_local_tracks(tracks_json);
    if (!tracks) return reply(tracks.error());
    return reply(client_.set_local_tracks(std::move(tracks.value()), to_millis(now)));
  }
  std::string replaceTrack(uint32_t old, uint32_t replacement, double now) {
    return reply(client_.replace_track(old, replacement, to_millis(now)));
  }
  // result: the op id the `peer-stats` event answering it will carry.
  std::string peerStats(const std::string& peer, double now) {
    return reply(client_.peer_stats(peer, to_millis(now)));
  }

  // File transfers: sizes and offsets are JS numbers, checked to be exact integers.
  // result: the transfer id.
  std::string fileSend(const std::string& peer, std::string name, double size, std::string type,
                       double now) {
    if (!is_size(size)) return reply(size_error());
    return reply(client_.file_send(peer, std::move(name), static_cast<uint64_t>(size),
                                   std::move(type), to_millis(now)));
  }
  std::string fileAccept(uint32_t transfer, double now) {
    return reply(client_.file_accept(transfer, to_millis(now)));
  }
  std::string fileReject(uint32_t transfer, double now) {
    return reply(client_.file_reject(transfer, to_millis(now)));
  }
  std::string fileCancel(uint32_t transfer, double now) {
    return reply(client_.file_cancel(transfer, to_millis(now)));
  }
  std::string fileControl(uint32_t channel, const std::string& text, double now) {
    return reply(client_.file_control(channel, text, to_millis(now)));
  }
  // result: {verdict, transfer} (peer::encode_chunk_answer).
  std::string fileChunk(uint32_t channel, uint32_t transfer, double offset, uint32_t length,
                        double now) {
    if (!is_size(offset)) return reply(size_error());
    auto answer = client_.file_chunk(channel, transfer, static_cast<uint64_t>(offset), length,
                                     to_millis(now));
    if (!answer) return reply(answer.error());
    return encode_result_reply(client_, peer::encode_chunk_answer(answer.value()));
  }
  std::string fileSent(uint32_t transfer, double offset, uint32_t length, double now) {
    if (!is_size(offset)) return reply(size_error());
    return reply(
        client_.file_sent(transfer, static_cast<uint64_t>(offset), length, to_millis(now)));
  }
  std::string fileDigest(uint32_t transfer, const std::string& sha256, double now) {
    return reply(client_.file_digest(transfer, sha256, to_millis(now)));
  }

  // Bytes of requests the server has not acknowledged yet (a query: no outputs).
  double bufferedAmount() const { return static_cast<double>(client_.buffered_bytes()); }

  std::string transportOpen(uint32_t generation, double now) {
    client_.handle_transport_open(generation, to_millis(now));
    return reply();
  }
  std::string transportText(uint32_t generation, const std::string& frame, double now) {
    client_.handle_transport_text(generation, frame, to_millis(now));
    return reply();
  }
  std::string transportBinary(uint32_t generation, const std::string& frame, double now) {
    client_.handle_transport_binary(generation, frame, to_millis(now));
    return reply();
  }
  std::string transportClosed(uint32_t generation, double now) {
    client_.handle_transport_closed(generation, to_millis(now));
    return reply();
  }
  std::string transportError(uint32_t generation, const std::string& reason, double now) {
    client_.handle_transport_error(generation, reason, to_millis(now));
    return reply();
  }
  // status 0: the request failed without a response.
  std::string httpResponse(uint32_t generation, uint32_t id, int status, const std::string& body,
                           double now) {
    client_.handle_http_response(generation, id, status, body, to_millis(now));
    return reply();
  }
  std::string timerFired(double now) {
    client_.handle_timeout(to_millis(now));
    return reply();
  }
  std::string networkChange(bool online, double now) {
    client_.handle_network_change(online, to_millis(now));
    return reply();
  }

 private:
  std::string reply() { return encode_reply(client_); }
  std::string reply(const Error& error) { return encode_reply(client_, error); }
  std::string reply(const Status& status) { return status ? reply() : reply(status.error()); }
  // A result that is a number: a request id or a handle.
  template <typename Number>
  std::string reply(const Result<Number>& result) {
    if (!result) return reply(result.error());
    return encode_result_reply(client_, std::to_string(result.value()));
  }

  explicit ClientCore(Result<ClientConfig> config)
      : client_(config ? std::move(config.value()) : ClientConfig{}) {
    if (!config) config_error_ = config.error();
  }

  Client client_;
  std::optional<Error> config_error_;
};

}  // namespace
}  // namespace rtcwire::bindings

EMSCRIPTEN_BINDINGS(rtcwire_core) {
  using rtcwire::bindings::ClientCore;
  emscripten::class_<ClientCore>("ClientCore")
      .constructor<const std::string&>()
      .function("connect", &ClientCore::connect)
      .function("join", &ClientCore::join)
      .function("leave", &ClientCore::leave)
      .function("publish", &ClientCore::publish)
      .function("send", &ClientCore::send)
      .function("signal", &ClientCore::signal)
      .function("close", &ClientCore::close)
      .function("setToken", &ClientCore::setToken)
      .function("setIceServers", &ClientCore::setIceServers)
      .function("iceServersProvided", &ClientCore::iceServersProvided)
      .function("iceServersFailed", &ClientCore::iceServersFailed)
      .function("bufferedAmount", &ClientCore::bufferedAmount)
      .function("transportOpen", &ClientCore::transportOpen)
      .function("transportText", &ClientCore::transportText)
      .function("transportBinary", &ClientCore::transportBinary)
      .function("transportClosed", &ClientCore::transportClosed)
      .function("transportError", &ClientCore::transportError)
      .function("httpResponse", &ClientCore::httpResponse)
      .function("timerFired", &ClientCore::timerFired)
      .function("networkChange", &ClientCore::networkChange)
      .function("peerEvent", &ClientCore::peerEvent)
      .function("peerConnect", &ClientCore::peerConnect)
      .function("peerClose", &ClientCore::peerClose)
      .function("peerRestartIce", &ClientCore::peerRestartIce)
      .function("channelOpen", &ClientCore::channelOpen)
      .function("channelClose", &ClientCore::channelClose)
      .function("channelEnqueue", &ClientCore::channelEnqueue)
      .function("setLocalTracks", &ClientCore::setLocalTracks)
      .function("replaceTrack", &ClientCore::replaceTrack)
      .function("peerStats", &ClientCore::peerStats)
      .function("fileSend", &ClientCore::fileSend)
      .function("fileAccept", &ClientCore::fileAccept)
      .function("fileReject", &ClientCore::fileReject)
      .function("fileCancel", &ClientCore::fileCancel)
      .function("fileControl", &ClientCore::fileControl)
      .function("fileChunk", &ClientCore::fileChunk)
      .function("fileSent", &ClientCore::fileSent)
      .function("fileDigest", &ClientCore::fileDigest);
}
