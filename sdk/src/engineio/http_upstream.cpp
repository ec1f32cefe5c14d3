#include "rtcwire/engineio/http_upstream.hpp"

#include <iterator>

namespace rtcwire::engineio {

void HttpUpstream::set_url(std::string url, int64_t max_payload) {
  url_ = std::move(url);
  max_payload_ = max_payload;
}

void HttpUpstream::enqueue(Packet packet) {
  // The close packet is the last thing a transport sends.
  closing_ = closing_ || packet.type == PacketType::close;
  queue_.push_back(std::move(packet));
}

std::optional<HttpRequest> HttpUpstream::next_request(uint32_t generation, uint32_t id) {
  if (in_flight_ || queue_.empty() || url_.empty()) return std::nullopt;
  // Batch as many packets as fit in maxPayload; a single larger packet still goes alone (the
  // connection refuses to send messages over maxPayload, so this only covers framing bytes).
  std::vector<Packet> batch;
  int64_t size = 0;
  while (!queue_.empty()) {
    const Packet& packet = queue_.front();
    const auto data_size = static_cast<int64_t>(packet.data.size());
    // Encoded size: type digit or 'b', the (base64) data, and a separator after the first.
    const int64_t packet_size =
        1 + (packet.binary ? (data_size + 2) / 3 * 4 : data_size) + (batch.empty() ? 0 : 1);
    if (!batch.empty() && size + packet_size > max_payload_) break;
    size += packet_size;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  queue_.compact();  // what did not fit waits for the next request
  in_flight_ = id;
  return post(generation, id, batch, closing_ && queue_.empty());
}

std::optional<HttpRequest> HttpUpstream::take_parting(uint32_t generation, uint32_t id) {
  if (!closing_ || queue_.empty() || url_.empty()) return std::nullopt;
  std::vector<Packet> rest(std::make_move_iterator(queue_.begin()),
                           std::make_move_iterator(queue_.end()));
  queue_.clear();
  return post(generation, id, rest, true);
}

HttpRequest HttpUpstream::post(uint32_t generation, uint32_t id, const std::vector<Packet>& packets,
                               bool parting) const {
  return HttpRequest{generation, id, HttpMethod::post, url_, encode_payload(packets), parting};
}

base::Status HttpUpstream::on_response(uint32_t id, int status, std::string_view body) {
  if (in_flight_ != id) return base::ok();
  in_flight_.reset();
  if (status != 200) {
    return base::transport_error(
        status == 0 ? base::ErrorCode::transport_closed : base::ErrorCode::transport_error,
        "POST failed: " + describe_http_failure(status, body));
  }
  return base::ok();
}

std::string describe_http_failure(int status, std::string_view body) {
  if (status == 0) return "network error";
  std::string text = "HTTP status " + std::to_string(status);
  if (!body.empty()) text += ": " + std::string(body.substr(0, 200));
  return text;
}

}  // namespace rtcwire::engineio
