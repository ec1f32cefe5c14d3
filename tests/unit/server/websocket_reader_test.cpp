// The server's websocket reader on byte inputs: one test per rule of RFC 6455 it enforces, and
// the buffering rules (nothing held between messages, a message split across reads).
#include "websocket_reader.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace rtcwire::server {
namespace {

constexpr std::size_t kLimit = 1000;
constexpr char kMask[4] = {0x37, static_cast<char>(0xfa), 0x21, 0x3d};

// A client frame: `first` is the FIN/RSV/opcode byte; masked unless `masked` is false.
std::string frame(unsigned first, std::string_view payload, bool masked = true) {
  std::string out;
  out.push_back(static_cast<char>(first));
  const char mask_bit = masked ? static_cast<char>(0x80) : 0;
  if (payload.size() < 126) {
    out.push_back(static_cast<char>(mask_bit | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      out.push_back(
          static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> shift) & 0xFF));
    }
  }
  if (!masked) return out + std::string(payload);
  out.append(kMask, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) out.push_back(payload[i] ^ kMask[i % 4]);
  return out;
}

std::string text(std::string_view payload) { return frame(0x81, payload); }
std::string close_frame(std::uint16_t code, std::string_view reason = "") {
  std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  return frame(0x88, payload + std::string(reason));
}

// What the reader makes of `bytes` fed in pieces of `piece` bytes, as printable lines.
std::vector<std::string> read(const std::string& bytes, std::size_t piece = 0,
                              std::size_t limit = kLimit) {
  WebSocketReader reader(limit);
  std::vector<std::string> events;
  std::string copy = bytes;
  if (piece == 0) piece = copy.size() == 0 ? 1 : copy.size();
  for (std::size_t start = 0; start < copy.size(); start += piece) {
    std::string chunk = copy.substr(start, piece);
    reader.feed(chunk.data(), chunk.size());
    for (;;) {
      const WebSocketEvent event = reader.next();
      if (std::holds_alternative<WebSocketNeedMore>(event)) break;
      if (const auto* message = std::get_if<WebSocketMessage>(&event)) {
        events.push_back((message->binary ? "binary:" : "text:") + std::string(message->payload));
      } else if (const auto* ping = std::get_if<WebSocketPing>(&event)) {
        events.push_back("ping:" + std::string(ping->payload));
      } else if (const auto* close = std::get_if<WebSocketClientClose>(&event)) {
        events.push_back("close:" + std::to_string(close->code) + ":" + std::string(close->reason));
      } else if (const auto* failure = std::get_if<WebSocketFailure>(&event)) {
        events.push_back("fail:" + std::to_string(static_cast<int>(failure->code)));
      }
    }
  }
  return events;
}

using Events = std::vector<std::string>;

TEST(WebSocketReaderTest, MaskedTextAndBinaryMessagesAreUnmasked) {
  EXPECT_EQ(read(text("4hello") + frame(0x82, std::string("\x00\xff", 2))),
            (Events{"text:4hello", "binary:" + std::string("\x00\xff", 2)}));
}

TEST(WebSocketReaderTest, AnUnmaskedClientFrameIsAProtocolError) {
  EXPECT_EQ(read(frame(0x81, "4hi", false)), Events{"fail:1002"});
}

TEST(WebSocketReaderTest, ReservedBitsAreRefusedWithNoExtensionAgreed) {
  EXPECT_EQ(read(frame(0xC1, "4hi")), Events{"fail:1002"});  // RSV1 (permessage-deflate)
  EXPECT_EQ(read(frame(0xA1, "4hi")), Events{"fail:1002"});
  EXPECT_EQ(read(frame(0x91, "4hi")), Events{"fail:1002"});
}

TEST(WebSocketReaderTest, UnknownOpcodesAreProtocolErrors) {
  for (const unsigned opcode : {0x3u, 0x7u, 0xBu, 0xFu}) {
    EXPECT_EQ(read(frame(0x80 | opcode, "")), Events{"fail:1002"}) << opcode;
  }
}

TEST(WebSocketReaderTest, FragmentsMakeOneMessageWithControlFramesBetweenThem) {
  EXPECT_EQ(read(frame(0x01, "4he") + frame(0x89, "p") + frame(0x00, "ll") + frame(0x80, "o")),
            (Events{"ping:p", "text:4hello"}));
  EXPECT_EQ(read(frame(0x02, "ab") + frame(0x80, "c")), Events{"binary:abc"});
}

TEST(WebSocketReaderTest, AContinuationOutsideAMessageIsAProtocolError) {
  EXPECT_EQ(read(frame(0x80, "x")), Events{"fail:1002"});
}

TEST(WebSocketReaderTest, ANewMessageInsideAFragmentedOneIsAProtocolError) {
  EXPECT_EQ(read(frame(0x01, "4a") + text("4b")), Events{"fail:1002"});
}

TEST(WebSocketReaderTest, PingsAreReportedWithTheirPayloadAndPongsIgnored) {
  EXPECT_EQ(read(frame(0x89, "are you there") + frame(0x8A, "late pong") + text("4x")),
            (Events{"ping:are you there", "text:4x"}));
}

TEST(WebSocketReaderTest, FragmentedControlFramesAreProtocolErrors) {
  EXPECT_EQ(read(frame(0x09, "p")), Events{"fail:1002"});
  EXPECT_EQ(read(frame(0x08, "")), Events{"fail:1002"});
}

TEST(WebSocketReaderTest, ControlFramesOver125BytesAreProtocolErrors) {
  EXPECT_EQ(read(frame(0x89, std::string(125, 'p'))), Events{"ping:" + std::string(125, 'p')});
  EXPECT_EQ(read(frame(0x89, std::string(126, 'p'))), Events{"fail:1002"});
}

TEST(WebSocketReaderTest, ACloseFrameGivesItsCodeAndReasonAndEndsTheReading) {
  EXPECT_EQ(read(close_frame(1000, "bye") + text("4after")), Events{"close:1000:bye"});
  EXPECT_EQ(read(close_frame(4001)), Events{"close:4001:"});
}

TEST(WebSocketReaderTest, AnEmptyCloseFrameReportsNoStatus) {
  EXPECT_EQ(read(frame(0x88, "")), Events{"close:1005:"});
}

TEST(WebSocketReaderTest, CloseCodesThatMayNotBeSentAreProtocolErrors) {
  for (const std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000}) {
    EXPECT_EQ(read(close_frame(code)), Events{"fail:1002"}) << code;
  }
  for (const std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1011, 3000, 4999}) {
    EXPECT_EQ(read(close_frame(code)), Events{"close:" + std::to_string(code) + ":"}) << code;
  }
}

TEST(WebSocketReaderTest, ACloseFrameOfOneByteIsAProtocolError) {
  EXPECT_EQ(read(frame(0x88, "\x03")), Events{"fail:1002"});
}

TEST(WebSocketReaderTest, ACloseReasonMustBeUtf8) {
  EXPECT_EQ(read(close_frame(1000, "\xff")), Events{"fail:1007"});
}

TEST(WebSocketReaderTest, TextMessagesMustBeUtf8) {
  EXPECT_EQ(read(text("4caf\xc3\xa9 \xf0\x9f\x98\x80")),
            Events{"text:4caf\xc3\xa9 \xf0\x9f\x98\x80"});
  for (const std::string bad : {"\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80",
                                "\xe0\x80\xaf", "aaaaaaaa\xfe"}) {
    EXPECT_EQ(read(text("4" + bad)), Events{"fail:1007"}) << bad;
  }
  EXPECT_EQ(read(frame(0x82, "\xff")), Events{"binary:\xff"}) << "binary is not checked";
}

TEST(WebSocketReaderTest, Utf8IsCheckedOnTheWholeMessageNotPerFragment) {
  // U+00E9 split between two fragments.
  EXPECT_EQ(read(frame(0x01, "4caf\xc3") + frame(0x80, "\xa9")), Events{"text:4caf\xc3\xa9"});
  EXPECT_EQ(read(frame(0x01, "4caf") + frame(0x80, "\xc3")), Events{"fail:1007"});
}

TEST(WebSocketReaderTest, AMessageOverTheLimitIsRefusedWith1009) {
  EXPECT_EQ(read(text(std::string(kLimit, 'a'))), Events{"text:" + std::string(kLimit, 'a')});
  EXPECT_EQ(read(text(std::string(kLimit + 1, 'a'))), Events{"fail:1009"});
}

TEST(WebSocketReaderTest, AFragmentedMessageOverTheLimitIsRefusedWith1009) {
  const std::string half(kLimit / 2, 'a');
  EXPECT_EQ(read(frame(0x01, half) + frame(0x00, half) + frame(0x80, "a")), Events{"fail:1009"});
}

TEST(WebSocketReaderTest, TheLimitIsCheckedFromTheHeaderBeforeThePayloadArrives) {
  WebSocketReader reader(kLimit);
  std::string header = frame(0x81, std::string(70000, 'a')).substr(0, 14);  // 64-bit length
  reader.feed(header.data(), header.size());
  const WebSocketEvent event = reader.next();
  ASSERT_TRUE(std::holds_alternative<WebSocketFailure>(event));
  EXPECT_EQ(std::get<WebSocketFailure>(event).code, WebSocketCloseCode::message_too_big);
}

TEST(WebSocketReaderTest, LengthsMustBeInTheirShortestForm) {
  // 5 bytes announced with the 16-bit form, then with the 64-bit form.
  std::string sixteen = std::string("\x81\xfe\x00\x05", 4) + std::string(kMask, 4) + "abcde";
  EXPECT_EQ(read(sixteen), Events{"fail:1002"});
  std::string sixty_four =
      std::string("\x82\xff\x00\x00\x00\x00\x00\x00\x00\x05", 10) + std::string(kMask, 4) + "abcde";
  EXPECT_EQ(read(sixty_four), Events{"fail:1002"});
}

TEST(WebSocketReaderTest, A64BitLengthWithItsTopBitSetIsAProtocolError) {
  std::string huge = std::string("\x82\xff\x80\x00\x00\x00\x00\x00\x00\x00", 10);
  EXPECT_EQ(read(huge + std::string(kMask, 4), 0, ~std::size_t{0}), Events{"fail:1002"});
}

TEST(WebSocketReaderTest, LongLengthFormsAreRead) {
  const std::string medium(300, 'm');
  const std::string large(70000, 'l');
  EXPECT_EQ(read(frame(0x82, medium) + frame(0x82, large), 0, 100000),
            (Events{"binary:" + medium, "binary:" + large}));
}

TEST(WebSocketReaderTest, FramesSplitAcrossReadsAtEveryByteGiveTheSameEvents) {
  const std::string bytes = text("4first") + frame(0x01, "4se") + frame(0x89, "p") +
                            frame(0x80, "cond") + frame(0x82, std::string(300, 'b')) +
                            close_frame(1001, "away");
  const Events whole = read(bytes);
  ASSERT_EQ(whole.size(), 5u);
  for (std::size_t piece = 1; piece < 20; ++piece) EXPECT_EQ(read(bytes, piece), whole) << piece;
}

TEST(WebSocketReaderTest, NothingIsBufferedBetweenMessages) {
  // Longer than a string's inline capacity, so what is held is on the heap.
  const std::string head(40, 'h');
  const std::string tail(40, 't');
  WebSocketReader reader(kLimit);
  std::string first = text("4hello") + frame(0x01, "4" + head);
  reader.feed(first.data(), first.size());
  EXPECT_TRUE(std::holds_alternative<WebSocketMessage>(reader.next()));
  EXPECT_TRUE(std::holds_alternative<WebSocketNeedMore>(reader.next()));
  EXPECT_GT(reader.buffered_bytes(), 0u) << "a message is unfinished";
  const std::string next = text("4" + tail);
  std::string rest = frame(0x80, tail) + next.substr(0, 20);
  reader.feed(rest.data(), rest.size());
  const WebSocketEvent message = reader.next();
  ASSERT_TRUE(std::holds_alternative<WebSocketMessage>(message));
  EXPECT_EQ(std::get<WebSocketMessage>(message).payload, "4" + head + tail);
  EXPECT_TRUE(std::holds_alternative<WebSocketNeedMore>(reader.next()));
  EXPECT_GT(reader.buffered_bytes(), 0u) << "a frame is unfinished";
  std::string end = next.substr(20);
  reader.feed(end.data(), end.size());
  const WebSocketEvent last = reader.next();
  ASSERT_TRUE(std::holds_alternative<WebSocketMessage>(last));
  EXPECT_EQ(std::get<WebSocketMessage>(last).payload, "4" + tail);
  EXPECT_TRUE(std::holds_alternative<WebSocketNeedMore>(reader.next()));
  EXPECT_EQ(reader.buffered_bytes(), 0u);
}

TEST(WebSocketReaderTest, NothingIsReadAfterAFailure) {
  WebSocketReader reader(kLimit);
  std::string bytes = frame(0x81, "4x", false);
  reader.feed(bytes.data(), bytes.size());
  EXPECT_TRUE(std::holds_alternative<WebSocketFailure>(reader.next()));
  std::string more = text("4y");
  reader.feed(more.data(), more.size());
  EXPECT_TRUE(std::holds_alternative<WebSocketNeedMore>(reader.next()));
  EXPECT_EQ(reader.buffered_bytes(), 0u);
}

}  // namespace
}  // namespace rtcwire::server
