#include "gathering_stream.hpp"

#include <boost/asio/write.hpp>

namespace rtcwire::server {

void GatheringStream::flush_next_turn() {
  if (flush_queued_) return;
  flush_queued_ = true;
  boost::asio::post(get_executor(), [this, owner = owner_.lock()] {
    flush_queued_ = false;
    flush();
  });
}

void GatheringStream::flush() {
  if (sending_now_ || pending_.empty()) return;
  sending_now_ = true;
  std::swap(pending_, sending_);
  auto sent = [this, owner = owner_.lock()](boost::beast::error_code error, std::size_t) {
    on_sent(error);
  };
  // As for reads: a plain connection writes the socket itself.
  if (next_.tls()) {
    boost::asio::async_write(next_, boost::asio::buffer(sending_), std::move(sent));
  } else {
    boost::asio::async_write(next_.socket(), boost::asio::buffer(sending_), std::move(sent));
  }
}

void GatheringStream::on_sent(boost::beast::error_code error) {
  sending_now_ = false;
  // Given back at once: most connections are idle most of the time, and the next flush swaps
  // this empty string in for gathering.
  std::string().swap(sending_);
  if (error && !write_error_) {
    write_error_ = error;
    pending_.clear();
  }
  flush();
  // The completion is posted, not run here, so it does not re-enter this function.
  if (blocked_writer_ && pending_.size() < kGatherBytes) std::exchange(blocked_writer_, nullptr)();
  if (waiting_teardown_ && !sending_now_) std::exchange(waiting_teardown_, nullptr)();
}

}  // namespace rtcwire::server
