#include "log.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

namespace rtcwire::server {
namespace {

TEST(Log, ControlCharactersCannotForgeLines) {
  EXPECT_EQ(escaped_for_log("unknown type 'x\n2026 connect sid=fake'"),
            "unknown type 'x\\x0a2026 connect sid=fake'");
  EXPECT_EQ(escaped_for_log(std::string("a\0b\r\x7f", 5)), "a\\x00b\\x0d\\x7f");
}

TEST(Log, PrintableTextAndUtf8PassThrough) {
  EXPECT_EQ(escaped_for_log("peer=abc room=caf\xc3\xa9 \"quoted\""),
            "peer=abc room=caf\xc3\xa9 \"quoted\"");
}

TEST(Log, InvisibleAndReorderingCharactersAreEscaped) {
  // U+202E (right-to-left override), U+2028 (line separator), U+0085 (next line), U+200B
  // (zero-width space), U+FEFF; an invalid byte.
  EXPECT_EQ(escaped_for_log("a\u202eb\u2028c\u0085d\u200be\ufefff\xff"),
            "a\\u{202e}b\\u{2028}c\\u{0085}d\\u{200b}e\\u{feff}f\\xff");
}

TEST(Log, EveryFormatCharacterIsEscaped) {
  // U+180E (Mongolian vowel separator), U+E0001 and U+E007F (tags), U+061C (Arabic letter mark),
  // U+2066 (left-to-right isolate), U+FFF9 (interlinear annotation anchor), U+00AD (soft hyphen).
  EXPECT_EQ(escaped_for_log("a\u180eb\U000E0001c\U000E007Fd\u061ce\u2066f\ufff9g\u00adh"),
            "a\\u{180e}b\\u{e0001}c\\u{e007f}d\\u{061c}e\\u{2066}f\\u{fff9}g\\u{00ad}h");
  // Visible neighbours pass through: U+180D, U+E0100 (a variation selector), U+2070.
  EXPECT_EQ(escaped_for_log("\u180d\U000E0100\u2070"), "\u180d\U000E0100\u2070");
}

TEST(Log, FieldValuesCannotForgeFields) {
  const std::string forged = "x code=ok message=\"forged\" peer=ADMIN";
  EXPECT_EQ(format_text("error", {{"peer", "abc123"}, {"room", forged}, {"code", "unknown_type"}}),
            "error peer=abc123 room=\"x code=ok message=\\\"forged\\\" peer=ADMIN\" "
            "code=unknown_type");
  EXPECT_EQ(format_text("e", {{"room", "a\\\" b"}}), "e room=\"a\\\\\\\" b\"");
  EXPECT_EQ(format_text("e", {{"room", ""}}), "e room=\"\"");
  EXPECT_EQ(format_text("e", {{"reason", "ping", true}}), "e reason=\"ping\"");
  EXPECT_EQ(format_text("e", {{"remote", "[::1]:80"}}), "e remote=[::1]:80");
  EXPECT_EQ(format_text("e", {{"room", "a\nb"}}), "e room=\"a\\x0ab\"");
}

TEST(Log, JsonLinesAreOneObjectWithEveryStringEscaped) {
  const std::string line =
      format_json("2026-01-01T00:00:00.000Z", "error", {{"room", "x\n\"y\u202e"}, {"bad", "\xff"}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  for (const char c : line) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << line;
  const auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["ts"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(parsed["event"], "error");
  EXPECT_EQ(parsed["room"], "x\n\"y\u202e");
  EXPECT_TRUE(parsed["bad"].is_string());
}

// Byte for byte the line nlohmann's ordered DOM wrote (ensure_ascii, invalid UTF-8 replaced),
// including a key given twice and a field named like "ts".
TEST(Log, JsonLinesAreNlohmannsEnsureAsciiDump) {
  const auto nlohmann_line = [](std::string_view ts, std::string_view event,
                                const LogFields& fields) {
    nlohmann::ordered_json line{{"ts", ts}, {"event", event}};
    for (const LogField& field : fields) line[field.key] = field.value;
    return line.dump(-1, ' ', true, nlohmann::ordered_json::error_handler_t::replace);
  };
  const std::vector<LogFields> cases = {
      {},
      {{"remote", "[::1]:80"}, {"code", "3"}, {"message", "Bad request", true}},
      {{"room", "caf\xc3\xa9 \xf0\x9f\x98\x80 \x7f\x01\t\"\\ \xe2\x80\xae"}},
      {{"bad", "\xff\xe2\x82 \xed\xa0\x80 \xc0\xaf"}, {"k\xc3\xa9y\n", "v"}},
      {{"a", "1"}, {"b", "2"}, {"a", "3"}, {"ts", "forged"}, {"event", "e2"}},
  };
  for (const LogFields& fields : cases) {
    EXPECT_EQ(format_json("2026-01-01T00:00:00.000Z", "error", fields),
              nlohmann_line("2026-01-01T00:00:00.000Z", "error", fields));
  }
  EXPECT_EQ(format_json("t", "e", {{"a", "1"}, {"a", "\xc3\xa9"}}),
            R"({"ts":"t","event":"e","a":"\u00e9"})");
}

}  // namespace
}  // namespace rtcwire::server
