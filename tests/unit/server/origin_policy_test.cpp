// Origin and Host allow-lists: parsing, patterns, the same-origin default and loopback hosts.
#include <gtest/gtest.h>

#include "origin_policy.hpp"

namespace rtcwire::server {
namespace {

TEST(ParseOrigin, FillsTheDefaultPortAndLowerCases) {
  EXPECT_EQ(parse_origin("HTTPS://App.Example.COM"),
            (OriginParts{"https", "app.example.com", 443}));
  EXPECT_EQ(parse_origin("http://127.0.0.1:8080"), (OriginParts{"http", "127.0.0.1", 8080}));
  EXPECT_EQ(parse_origin("http://[::1]:3000"), (OriginParts{"http", "::1", 3000}));
  EXPECT_EQ(parse_origin("https://*.example.com", true),
            (OriginParts{"https", "example.com", 443, true}));
}

TEST(ParseOrigin, RefusesWhatIsNotAnOrigin) {
  for (const char* bad :
       {"null", "", "example.com", "ftp://example.com", "https://", "https://a.com/",
        "https://a.com?x", "https://user@a.com", "https://a.com:0", "https://a.com:99999",
        "https://a.com:", "https://a..com", "https://[::1", "https://::1", "https://*.example.com",
        "https:// a.com"}) {
    EXPECT_FALSE(parse_origin(bad)) << bad;
  }
  EXPECT_FALSE(parse_origin("https://*", true));
  EXPECT_FALSE(parse_origin("https://a.*.com", true));
}

TEST(OriginPolicy, DefaultsToTheRequestsOwnOriginAndNonBrowsers) {
  const OriginPolicy policy({}, {}, false);
  EXPECT_TRUE(policy.allows_origin(std::nullopt, "127.0.0.1:8080", false));
  EXPECT_TRUE(policy.allows_origin("http://127.0.0.1:8080", "127.0.0.1:8080", false));
  EXPECT_TRUE(policy.allows_origin("https://site.example", "site.example", true));
  EXPECT_TRUE(policy.allows_origin("https://site.example:443", "SITE.example:443", true));
  EXPECT_FALSE(policy.allows_origin("http://site.example", "site.example", true));    // scheme
  EXPECT_FALSE(policy.allows_origin("https://site.example", "site.example", false));  // scheme
  EXPECT_FALSE(policy.allows_origin("http://127.0.0.1:8081", "127.0.0.1:8080", false));
  EXPECT_FALSE(policy.allows_origin("http://localhost:8080", "127.0.0.1:8080", false));
  EXPECT_FALSE(policy.allows_origin("null", "127.0.0.1:8080", false));
  EXPECT_FALSE(policy.allows_origin("http://127.0.0.1:8080", "", false));
}

TEST(OriginPolicy, PatternsMatchSubdomainsOnly) {
  const OriginPolicy policy({"https://app.example.com", "https://*.example.org"}, {}, false);
  EXPECT_TRUE(policy.allows_origin("https://app.example.com", "signal.example.com", true));
  EXPECT_TRUE(policy.allows_origin("https://a.example.org", "x", true));
  EXPECT_TRUE(policy.allows_origin("https://a.b.example.org", "x", true));
  EXPECT_FALSE(policy.allows_origin("https://example.org", "x", true));
  EXPECT_FALSE(policy.allows_origin("https://evilexample.org", "x", true));
  EXPECT_FALSE(policy.allows_origin("https://a.example.org.evil.example", "x", true));
  EXPECT_FALSE(policy.allows_origin("http://a.example.org", "x", true));
  EXPECT_FALSE(policy.allows_origin("https://a.example.org:8443", "x", true));
  EXPECT_FALSE(policy.allows_origin("https://signal.example.com", "signal.example.com", true));
}

TEST(OriginPolicy, StarAllowsEveryOrigin) {
  const OriginPolicy policy({"*"}, {}, false);
  EXPECT_TRUE(policy.allows_origin("https://anything.example", "x", false));
  EXPECT_TRUE(policy.allows_origin("null", "x", false));
}

TEST(OriginPolicy, LoopbackBindingAllowsOnlyLoopbackHosts) {
  const OriginPolicy policy({}, {}, true);
  for (const char* host :
       {"localhost", "LOCALHOST:8080", "127.0.0.1", "127.0.0.1:1", "[::1]:8080"}) {
    EXPECT_TRUE(policy.allows_host(host)) << host;
  }
  for (const char* host : {"", "attacker.example", "localhost.attacker.example", "127.0.0.2",
                           "[::2]", "localhost:x", "a b"}) {
    EXPECT_FALSE(policy.allows_host(host)) << host;
  }
  EXPECT_TRUE(OriginPolicy({}, {}, false).allows_host("anything.example"));
  const OriginPolicy listed({}, {"signal.example.com", "[::1]"}, false);
  EXPECT_TRUE(listed.allows_host("signal.example.com:443"));
  EXPECT_TRUE(listed.allows_host("[::1]"));
  EXPECT_FALSE(listed.allows_host("localhost"));
}

}  // namespace
}  // namespace rtcwire::server
