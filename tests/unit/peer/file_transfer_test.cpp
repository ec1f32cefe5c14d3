#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "peer/file_link.hpp"
#include "rtcwire/base/json_parse.hpp"
#include "rtcwire/peer/file_transfer_encoding.hpp"
#include "rtcwire/peer/file_transfers.hpp"

namespace rtcwire::peer {

using base::ErrorCode;

namespace {

using testing::ChunkFrame;
using testing::fake_digest;
using testing::FileLink;
using testing::LinkSide;
using testing::make_file;

// The core's own encodings, read back to check their fields.
nlohmann::json parse(std::string_view text) { return base::parse_json(text, 32); }

template <typename T>
std::vector<T> events_of(const LinkSide& side) {
  std::vector<T> found;
  for (const auto& event : side.events) {
    if (const auto* e = std::get_if<T>(&event)) found.push_back(*e);
  }
  return found;
}

template <typename T>
std::vector<T> controls_of(const LinkSide& side) {
  std::vector<T> found;
  for (const auto& message : side.sent_controls) {
    if (const auto* m = std::get_if<T>(&message)) found.push_back(*m);
  }
  return found;
}

// Progress on one side only grows and ends at the total.
void expect_monotonic_progress(const LinkSide& side, std::uint64_t total) {
  const auto progress = events_of<file_event::Progress>(side);
  ASSERT_FALSE(progress.empty());
  for (std::size_t i = 1; i < progress.size(); ++i) {
    EXPECT_GT(progress[i].bytes, progress[i - 1].bytes);
  }
  EXPECT_EQ(progress.back().bytes, total);
  EXPECT_EQ(progress.back().total, total);
}

// The file arrived whole, once, in order, and both sides say done with the same digest.
void expect_delivered(const FileLink& link, const std::string& file) {
  const auto received = events_of<file_event::Offered>(link.b);
  ASSERT_EQ(received.size(), 1u);
  const std::uint32_t handle = received.front().transfer;
  EXPECT_EQ(link.b.stored.at(handle).size(), file.size());
  EXPECT_TRUE(link.b.stored.at(handle) == file);
  const auto sender_done = events_of<file_event::Done>(link.a);
  const auto receiver_done = events_of<file_event::Done>(link.b);
  ASSERT_EQ(sender_done.size(), 1u);
  ASSERT_EQ(receiver_done.size(), 1u);
  EXPECT_EQ(sender_done.front().sha256, fake_digest(file));
  EXPECT_EQ(receiver_done.front().sha256, fake_digest(file));
  EXPECT_EQ(receiver_done.front().bytes, file.size());
  EXPECT_TRUE(events_of<file_event::Failed>(link.a).empty());
  EXPECT_TRUE(events_of<file_event::Failed>(link.b).empty());
  EXPECT_EQ(link.a.files.active_outgoing(), 0u);
  EXPECT_EQ(link.b.files.active_incoming(), 0u);
}

TEST(FileTransferTest, DeliversFilesOfEverySizeAroundTheChunkAndWindow) {
  const std::uint32_t chunk = 64 * 1024 - chunk_header_bytes;
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{1}, std::size_t{chunk - 1}, std::size_t{chunk},
        std::size_t{chunk + 1}, std::size_t{1024 * 1024}, std::size_t{3 * 1024 * 1024 + 7}}) {
    SCOPED_TRACE(size);
    FileLink link;
    link.open();
    const std::string file = make_file(size, size);
    ASSERT_NE(link.send_file(link.a, file), 0u);
    link.run();
    expect_delivered(link, file);
    if (size > 0) {
      expect_monotonic_progress(link.a, size);
      expect_monotonic_progress(link.b, size);
    }
  }
}

TEST(FileTransferTest, TheOfferCarriesNameSizeAndTypeAndWaitsForTheApp) {
  FileLink link;
  link.b.auto_accept = false;
  link.open();
  const std::uint32_t id = link.a.files.send("report é.pdf", 10, "application/pdf").value();
  link.flush();
  link.run();
  const auto offered = events_of<file_event::Offered>(link.b);
  ASSERT_EQ(offered.size(), 1u);
  EXPECT_EQ(offered.front().name, "report é.pdf");
  EXPECT_EQ(offered.front().size, 10u);
  EXPECT_EQ(offered.front().type, "application/pdf");
  EXPECT_NE(offered.front().transfer, id);  // the receiver's own handle
  EXPECT_TRUE(link.a.reads.empty());        // nothing is read before the app accepts
}

TEST(FileTransferTest, ChunksFollowTheChannelsMaxMessageSize) {
  FileLink link;
  link.open(16 * 1024);
  link.send_file(link.a, make_file(100'000, 1));
  link.run();
  // Read lengths were bounded by the frame size: 16 KiB frames carry 16 KiB - 12 bytes.
  const auto done = events_of<file_event::Done>(link.b);
  ASSERT_EQ(done.size(), 1u);
  const auto acks = controls_of<file_control::Ack>(link.b);
  ASSERT_FALSE(acks.empty());
  EXPECT_EQ(acks.back().offset, 100'000u);
}

TEST(FileTransferTest, TheSenderNeverReadsMoreThanTheWindowPastTheAck) {
  FileTransferLimits limits;
  limits.window_bytes = 200'000;
  limits.ack_every_bytes = 50'000;
  FileLink link(limits);
  link.open();
  const std::string file = make_file(2'000'000, 2);
  const std::uint32_t id = link.send_file(link.a, file);
  std::uint64_t acked = 0;
  std::uint64_t most_ahead = 0;
  bool moved = true;
  while (moved) {
    for (const auto& read : link.a.reads) {
      most_ahead = std::max(most_ahead, read.offset + read.length - acked);
    }
    moved = link.step();
    for (const auto& progress : events_of<file_event::Progress>(link.a)) {
      if (progress.transfer == id) acked = std::max(acked, progress.bytes);
    }
  }
  expect_delivered(link, file);
  EXPECT_LE(most_ahead, limits.window_bytes);
  EXPECT_GT(most_ahead, limits.window_bytes / 2);  // the window is used, not just bounded
}

TEST(FileTransferTest, RejectEndsBothSidesAndNothingIsRead) {
  FileLink link;
  link.b.auto_accept = false;
  link.open();
  link.send_file(link.a, make_file(1000, 3));
  link.run();
  const std::uint32_t handle = events_of<file_event::Offered>(link.b).front().transfer;
  ASSERT_TRUE(link.b.files.reject(handle).ok());
  link.flush();
  link.run();
  const auto sender_failed = events_of<file_event::Failed>(link.a);
  ASSERT_EQ(sender_failed.size(), 1u);
  EXPECT_EQ(sender_failed.front().error.code, ErrorCode::transfer_rejected);
  EXPECT_EQ(sender_failed.front().error.origin, base::ErrorOrigin::remote);
  const auto receiver_failed = events_of<file_event::Failed>(link.b);
  ASSERT_EQ(receiver_failed.size(), 1u);
  EXPECT_EQ(receiver_failed.front().error.origin, base::ErrorOrigin::local);
  EXPECT_TRUE(link.a.reads.empty());
  EXPECT_EQ(link.a.files.active_outgoing(), 0u);
  // Answering again is a local error, not a second answer on the wire.
  EXPECT_EQ(link.b.files.accept(handle, link.now).error().code, ErrorCode::invalid_argument);
}

// Runs a 1 MiB transfer until `stored` bytes have reached the receiver, then lets `who` cancel.
void cancel_midway(bool sender_cancels) {
  FileLink link;
  link.open();
  const std::uint32_t id = link.send_file(link.a, make_file(1024 * 1024, 4));
  while (link.b.stored.empty() || link.b.stored.begin()->second.size() < 300'000) {
    ASSERT_TRUE(link.step());
  }
  const std::uint32_t handle = link.b.stored.begin()->first;
  if (sender_cancels) {
    ASSERT_TRUE(link.a.files.cancel(id).ok());
  } else {
    ASSERT_TRUE(link.b.files.cancel(handle).ok());
  }
  link.flush();
  link.run();
  for (const LinkSide* side : {&link.a, &link.b}) {
    const auto failed = events_of<file_event::Failed>(*side);
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed.front().error.code, ErrorCode::transfer_cancelled);
    const bool cancelled_here = (side == &link.a) == sender_cancels;
    EXPECT_EQ(failed.front().error.origin,
              cancelled_here ? base::ErrorOrigin::local : base::ErrorOrigin::remote);
    EXPECT_TRUE(events_of<file_event::Done>(*side).empty());
  }
  EXPECT_LT(link.b.stored.at(handle).size(), 1024u * 1024u);
  EXPECT_EQ(link.a.files.active_outgoing(), 0u);
  EXPECT_EQ(link.b.files.active_incoming(), 0u);
  EXPECT_TRUE(link.a.errors.empty());  // late acks and chunks are expected, not errors
  EXPECT_TRUE(link.b.errors.empty());
}

TEST(FileTransferTest, TheSenderCancelsMidway) { cancel_midway(true); }
TEST(FileTransferTest, TheReceiverCancelsMidway) { cancel_midway(false); }

TEST(FileTransferTest, DuplicatesAreDroppedAndGapsRefusedWithOneResume) {
  FileLink link;
  link.open();
  link.a.auto_accept = false;
  ASSERT_TRUE(
      link.b.files
          .handle_control(R"({"t":"offer","transfer":7,"name":"x","size":300,"mime":""})", link.now)
          .ok());
  link.flush();
  const std::uint32_t handle = events_of<file_event::Offered>(link.b).front().transfer;
  auto chunk = [&](std::uint64_t offset, std::uint32_t length) {
    return link.b.files.handle_chunk(7, offset, length, link.now).value().verdict;
  };
  EXPECT_EQ(chunk(0, 100), ChunkVerdict::store);
  EXPECT_EQ(chunk(0, 100), ChunkVerdict::duplicate);
  EXPECT_EQ(chunk(50, 50), ChunkVerdict::duplicate);
  EXPECT_EQ(chunk(200, 50), ChunkVerdict::refused);  // a gap
  EXPECT_EQ(chunk(250, 50), ChunkVerdict::refused);
  EXPECT_EQ(chunk(50, 100), ChunkVerdict::refused);  // overlaps what is stored
  link.flush();
  const auto resumes = controls_of<file_control::Resume>(link.b);
  ASSERT_EQ(resumes.size(), 1u);  // one per stall, not one per refused chunk
  EXPECT_EQ(resumes.front().offset, 100u);
  EXPECT_EQ(chunk(100, 200), ChunkVerdict::store);
  EXPECT_EQ(link.b.files.handle_chunk(7, 100, 200, link.now).value().transfer, handle);
  EXPECT_TRUE(events_of<file_event::Failed>(link.b).empty());
}

TEST(FileTransferTest, ResumesAfterTheChannelClosesAtSeveralOffsets) {
  const std::string file = make_file(700'000, 5);
  for (const std::uint64_t close_at : {0u, 1u, 65'524u, 300'000u, 699'999u, 700'000u}) {
    SCOPED_TRACE(close_at);
    FileLink link;
    link.open();
    link.send_file(link.a, file);
    while (link.b.stored.empty() || link.b.stored.begin()->second.size() < close_at) {
      if (!link.step()) break;
    }
    link.close();
    link.run();  // JS finishes its reads on the dead channel
    link.open();
    link.run();
    expect_delivered(link, file);
    expect_monotonic_progress(link.a, file.size());
    expect_monotonic_progress(link.b, file.size());
  }
}

// The property: whatever the interleaving and however often the channel closes, every byte is
// stored exactly once, in order, and both sides end done with the same digest; a file goes each
// way at once.
TEST(FileTransferTest, EveryByteExactlyOnceInOrderOverManySeedsWithChannelCloses) {
  int closes = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t refused = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(seed);
    base::RandomSource random(seed);
    FileTransferLimits limits;
    limits.window_bytes = static_cast<std::uint64_t>(random.uniform(2'000, 100'000));
    // The protocol's one rule between the two: a receiver acks within a sender's window.
    limits.ack_every_bytes = static_cast<std::uint64_t>(
        random.uniform(1, static_cast<int64_t>(limits.window_bytes) + 1));
    FileLink link(limits);
    link.open(static_cast<std::uint32_t>(random.uniform(1024, 20'000)));
    const std::string file = make_file(static_cast<std::size_t>(random.uniform(0, 200'000)), seed);
    const std::string back = make_file(static_cast<std::size_t>(random.uniform(0, 30'000)), ~seed);
    link.send_file(link.a, file);
    link.send_file(link.b, back);
    link.run_random(random, static_cast<int>(random.uniform(0, 30)));
    if (!link.is_open()) link.open();
    link.run();
    for (const auto& arrival : {std::pair{&link.b, &file}, std::pair{&link.a, &back}}) {
      LinkSide* side = arrival.first;
      const std::string& expected = *arrival.second;
      ASSERT_EQ(side->stored.size(), 1u);
      EXPECT_TRUE(side->stored.begin()->second == expected);
      const auto done = events_of<file_event::Done>(*side);
      ASSERT_EQ(done.size(), 2u);  // one sent, one received
      EXPECT_TRUE(std::any_of(done.begin(), done.end(),
                              [&](const auto& d) { return d.sha256 == fake_digest(expected); }));
      EXPECT_TRUE(events_of<file_event::Failed>(*side).empty());
      EXPECT_TRUE(side->errors.empty());
      EXPECT_EQ(side->files.active_incoming() + side->files.active_outgoing(), 0u);
    }
    closes += link.closes;
    duplicates += link.b.duplicates;
    refused += link.b.refused;
  }
  // The seeds do exercise what they are here for.
  EXPECT_GT(closes, 300);
  EXPECT_GT(duplicates, 0u);
  EXPECT_GT(refused, 0u);
}

TEST(FileTransferTest, SeveralTransfersBothWaysAtOnce) {
  FileLink link;
  link.open();
  const std::string one = make_file(150'000, 6);
  const std::string two = make_file(90'000, 7);
  const std::string back = make_file(120'000, 8);
  link.send_file(link.a, one);
  link.send_file(link.a, two);
  link.send_file(link.b, back);
  base::RandomSource random(9);
  link.run_random(random, 5);
  if (!link.is_open()) link.open();
  link.run();
  EXPECT_EQ(events_of<file_event::Done>(link.a).size(), 3u);  // two sent, one received
  EXPECT_EQ(events_of<file_event::Done>(link.b).size(), 3u);
  std::vector<std::string> received_by_b;
  for (const auto& [handle, bytes] : link.b.stored) received_by_b.push_back(bytes);
  EXPECT_NE(std::find(received_by_b.begin(), received_by_b.end(), one), received_by_b.end());
  EXPECT_NE(std::find(received_by_b.begin(), received_by_b.end(), two), received_by_b.end());
  ASSERT_EQ(link.a.stored.size(), 1u);
  EXPECT_TRUE(link.a.stored.begin()->second == back);
}

TEST(FileTransferTest, AHashMismatchFailsBothSidesAndDeliversNothing) {
  FileLink link;
  link.open();
  link.b.corrupt = "not the bytes that were sent";
  link.send_file(link.a, make_file(100'000, 10));
  link.run();
  for (const LinkSide* side : {&link.a, &link.b}) {
    const auto failed = events_of<file_event::Failed>(*side);
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed.front().error.code, ErrorCode::hash_mismatch);
    EXPECT_TRUE(events_of<file_event::Done>(*side).empty());
  }
}

TEST(FileTransferTest, ClosingThePeerFailsEveryActiveTransfer) {
  FileLink link;
  link.b.auto_accept = false;
  link.open();
  link.send_file(link.a, make_file(10, 11));
  link.run();
  link.a.files.close();
  link.b.files.close();
  link.flush();
  for (const LinkSide* side : {&link.a, &link.b}) {
    const auto failed = events_of<file_event::Failed>(*side);
    ASSERT_EQ(failed.size(), 1u);
    EXPECT_EQ(failed.front().error.code, ErrorCode::transport_closed);
  }
}

TEST(FileTransferTest, AppArgumentsAreChecked) {
  FileLink link;
  auto& files = link.a.files;
  EXPECT_EQ(files.send("", 1, "").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(files.send(std::string(256, 'n'), 1, "").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(files.send("a\u202Egnp.exe", 1, "").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(files.send("a", 1, "text/\x01").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(files.send("a", max_file_size + 1, "").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(files.accept(12345, link.now).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(files.cancel(12345).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(files.handle_digest(12345, fake_digest("")).error().code, ErrorCode::invalid_argument);
  const std::uint32_t id = files.send("a", 1, "").value();
  EXPECT_EQ(files.handle_digest(id, "ABC").error().code, ErrorCode::invalid_argument);
  for (std::size_t i = 1; i < FileTransferLimits{}.max_transfers_each_way; ++i) {
    ASSERT_TRUE(files.send("a", 1, "").ok());
  }
  EXPECT_EQ(files.send("a", 1, "").error().code, ErrorCode::too_many_transfers);
  EXPECT_EQ(files.active_outgoing(), FileTransferLimits{}.max_transfers_each_way);
}

// A receiver-side core fed by a hostile sender.
class HostileSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    link.open();
    link.b.auto_accept = true;
    offer(7, 1000);
    handle = events_of<file_event::Offered>(link.b).back().transfer;
  }
  base::Status control(const std::string& text) {
    base::Status handled = link.b.files.handle_control(text, link.now);
    link.flush();
    return handled;
  }
  void offer(std::uint32_t id, std::uint64_t size) {
    ASSERT_TRUE(control(R"({"t":"offer","transfer":)" + std::to_string(id) +
                        R"(,"name":"x","size":)" + std::to_string(size) + R"(,"mime":""})")
                    .ok());
  }
  ErrorCode failure() {
    const auto failed = events_of<file_event::Failed>(link.b);
    return failed.empty() ? ErrorCode::internal : failed.back().error.code;
  }
  FileLink link;
  std::uint32_t handle = 0;
};

TEST_F(HostileSenderTest, AChunkPastTheEndFailsTheTransfer) {
  EXPECT_EQ(link.b.files.handle_chunk(7, 900, 200, link.now).value().verdict,
            ChunkVerdict::refused);
  link.flush();
  EXPECT_EQ(failure(), ErrorCode::invalid_transfer);
  const auto told = controls_of<file_control::CancelReceive>(link.b);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told.front().code, ErrorCode::invalid_transfer);
}

TEST_F(HostileSenderTest, AChunkForAnUnknownTransferIsAnError) {
  auto answer = link.b.files.handle_chunk(99, 0, 10, link.now);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::invalid_transfer);
  EXPECT_EQ(answer.error().origin, base::ErrorOrigin::remote);
  EXPECT_EQ(link.b.files.handle_chunk(7, 0, 0, link.now).value().verdict, ChunkVerdict::refused);
}

TEST_F(HostileSenderTest, AnOfferThatChangesFailsTheTransfer) {
  offer(7, 2000);
  EXPECT_EQ(failure(), ErrorCode::invalid_transfer);
}

TEST_F(HostileSenderTest, AnOldUnknownIdIsRefused) {
  const base::Status handled =
      control(R"({"t":"offer","transfer":3,"name":"x","size":1,"mime":""})");
  EXPECT_EQ(handled.error().code, ErrorCode::invalid_transfer);
  EXPECT_TRUE(events_of<file_event::Offered>(link.b).size() == 1u);
}

TEST_F(HostileSenderTest, TooManyOffersAreRefusedOnTheWireAndToTheApp) {
  for (std::uint32_t id = 8; id < 8 + 15; ++id) offer(id, 10);
  EXPECT_EQ(link.b.files.active_incoming(), 16u);
  const base::Status handled =
      control(R"({"t":"offer","transfer":100,"name":"x","size":1,"mime":""})");
  EXPECT_EQ(handled.error().code, ErrorCode::too_many_transfers);
  EXPECT_EQ(link.b.files.active_incoming(), 16u);
  EXPECT_EQ(controls_of<file_control::CancelReceive>(link.b).back().code,
            ErrorCode::too_many_transfers);
}

TEST_F(HostileSenderTest, UndecodableControlIsAnErrorAndChangesNothing) {
  for (const std::string& text : std::vector<std::string>{
           "", "not json", "[]", R"({"t":"offer"})", R"({"t":"zap","transfer":7})",
           R"({"t":"done","transfer":7,"sha256":"xyz"})", std::string(5000, ' ') + "{}"}) {
    SCOPED_TRACE(text.substr(0, 40));
    EXPECT_FALSE(control(text).ok());
  }
  EXPECT_TRUE(events_of<file_event::Failed>(link.b).empty());
  EXPECT_EQ(link.b.files.active_incoming(), 1u);
}

// A sender-side core fed by a hostile receiver.
class HostileReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    link.open();
    id = link.send_file(link.a, make_file(500'000, 12));
    link.a.inbox.clear();
    link.b.inbox.clear();
  }
  base::Status control(const std::string& text) {
    base::Status handled = link.a.files.handle_control(text, link.now);
    link.flush();
    return handled;
  }
  std::string with_id(const std::string& head, const std::string& tail = "}") {
    return head + std::to_string(id) + tail;
  }
  ErrorCode failure() {
    const auto failed = events_of<file_event::Failed>(link.a);
    return failed.empty() ? ErrorCode::internal : failed.back().error.code;
  }
  FileLink link;
  std::uint32_t id = 0;
};

TEST_F(HostileReceiverTest, AnAckBeforeAcceptFailsTheTransfer) {
  ASSERT_TRUE(control(with_id(R"({"t":"ack","offset":10,"transfer":)")).ok());
  EXPECT_EQ(failure(), ErrorCode::invalid_transfer);
  EXPECT_EQ(controls_of<file_control::CancelSend>(link.a).back().code, ErrorCode::invalid_transfer);
}

TEST_F(HostileReceiverTest, AnAckPastWhatWasSentFailsTheTransfer) {
  ASSERT_TRUE(control(with_id(R"({"t":"accept","transfer":)")).ok());
  link.do_read(link.a, link.b);
  ASSERT_TRUE(control(with_id(R"({"t":"ack","offset":499999,"transfer":)")).ok());
  EXPECT_EQ(failure(), ErrorCode::invalid_transfer);
}

TEST_F(HostileReceiverTest, AResumeBelowItsOwnAckFailsTheTransfer) {
  ASSERT_TRUE(control(with_id(R"({"t":"accept","transfer":)")).ok());
  while (link.do_read(link.a, link.b)) {
  }
  ASSERT_TRUE(control(with_id(R"({"t":"ack","offset":100000,"transfer":)")).ok());
  ASSERT_TRUE(control(with_id(R"({"t":"resume","offset":5,"transfer":)")).ok());
  EXPECT_EQ(failure(), ErrorCode::invalid_transfer);
}

TEST_F(HostileReceiverTest, AConfirmBeforeDoneFailsTheTransfer) {
  ASSERT_TRUE(control(with_id(R"({"t":"accept","transfer":)")).ok());
  ASSERT_TRUE(control(with_id(R"({"t":"confirm","transfer":)")).ok());
  EXPECT_EQ(failure(), ErrorCode::invalid_transfer);
  EXPECT_TRUE(events_of<file_event::Done>(link.a).empty());
}

TEST_F(HostileReceiverTest, MessagesForUnknownTransfersAreErrorsAndAskingForBytesIsRefused) {
  const base::Status handled = control(R"({"t":"resume","offset":0,"transfer":4000})");
  EXPECT_EQ(handled.error().code, ErrorCode::invalid_transfer);
  EXPECT_EQ(controls_of<file_control::CancelSend>(link.a).back().transfer, 4000u);
  EXPECT_EQ(control(R"({"t":"ack","offset":0,"transfer":4000})").error().code,
            ErrorCode::invalid_transfer);
  EXPECT_EQ(failure(), ErrorCode::internal);  // the real transfer is untouched
}

TEST_F(HostileReceiverTest, ARemoteEndCodeIsPassedOnAndOthersAreRefused) {
  EXPECT_EQ(control(with_id(R"({"t":"cancel-receive","code":"internal","transfer":)")).error().code,
            ErrorCode::invalid_transfer);
  ASSERT_TRUE(control(with_id(R"({"t":"cancel-receive","code":"hash_mismatch","transfer":)")).ok());
  EXPECT_EQ(failure(), ErrorCode::hash_mismatch);
}

TEST(FileTransferEncodingTest, ActionsAndEventsAreTheJsonJsReads) {
  const auto read = parse(encode_file_action(file_action::Read{3, 65524, 100}, 9));
  EXPECT_EQ(read["type"], "file-read");
  EXPECT_EQ(read["channel"], 9);
  EXPECT_EQ(read["transfer"], 3);
  EXPECT_EQ(read["offset"], 65524);
  EXPECT_EQ(read["length"], 100);
  const auto control = parse(encode_file_action(file_action::SendControl{R"({"t":"confirm"})"}, 9));
  EXPECT_EQ(control["type"], "file-control");
  EXPECT_EQ(control["channel"], 9);
  EXPECT_EQ(control["text"], R"({"t":"confirm"})");

  const auto offered =
      parse(encode_file_event(file_event::Offered{4, "na\"me", max_file_size, "text/plain"}, "p1"));
  EXPECT_EQ(offered["type"], "transfer");
  EXPECT_EQ(offered["peer"], "p1");
  EXPECT_EQ(offered["name"], "na\"me");
  EXPECT_EQ(offered["size"], max_file_size);
  EXPECT_EQ(offered["mime"], "text/plain");
  const auto progress = parse(encode_file_event(file_event::Progress{4, 10, 20, 1000}, "p1"));
  EXPECT_EQ(progress["type"], "transfer-progress");
  EXPECT_EQ(progress["rate"], 1000);
  const auto done = parse(encode_file_event(file_event::Done{4, 20, fake_digest("")}, "p1"));
  EXPECT_EQ(done["type"], "transfer-done");
  EXPECT_EQ(done["sha256"], fake_digest(""));
  const auto failed = parse(encode_file_event(
      file_event::Failed{4, base::remote_error(ErrorCode::hash_mismatch, "m")}, "p1"));
  EXPECT_EQ(failed["type"], "transfer-failed");
  EXPECT_EQ(failed["error"]["code"], "hash_mismatch");
  EXPECT_EQ(failed["error"]["origin"], "remote");
  const auto answer = parse(encode_chunk_answer({ChunkVerdict::duplicate, 4}));
  EXPECT_EQ(answer["verdict"], "duplicate");
  EXPECT_EQ(answer["transfer"], 4);
}

}  // namespace
}  // namespace rtcwire::peer
