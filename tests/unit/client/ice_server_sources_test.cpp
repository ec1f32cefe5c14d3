// The three sources of ICE servers and when each is asked again.
#include "rtcwire/client/ice_server_sources.hpp"

#include <gtest/gtest.h>

namespace rtcwire::client {

using base::Millis;

namespace {

using Json = nlohmann::json;
using Due = IceServerSources::Due;

const Json kApp = Json::parse(R"([{"urls":"stun:app"}])");
const Json kServer =
    Json::parse(R"([{"urls":["turn:srv:3478"],"username":"1:me","credential":"c"}])");

TEST(IceServerSourcesTest, TheEffectiveListIsAppThenProviderThenServer) {
  IceServerSources sources(kApp, false, true);
  ASSERT_TRUE(sources.server_list(kServer, 10000, Millis(0)).ok());
  ASSERT_TRUE(sources.provider_answer(R"({"iceServers":{"urls":"stun:prov"}})", Millis(0)).ok());
  EXPECT_EQ(sources.effective(), Json::parse(R"([{"urls":"stun:app"},{"urls":"stun:prov"},
    {"urls":["turn:srv:3478"],"username":"1:me","credential":"c"}])"));
}

TEST(IceServerSourcesTest, TheAppListIsCheckedAndABadOneChangesNothing) {
  IceServerSources sources(kApp, false, false);
  const auto refused = sources.set_app(Json::parse(R"([{"urls":"turn:t"}])"), true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, base::ErrorCode::invalid_argument);
  EXPECT_EQ(sources.effective(), kApp);
  EXPECT_FALSE(sources.relay_only());
  ASSERT_TRUE(sources.set_app(Json::array(), true).ok());
  EXPECT_TRUE(sources.relay_only());
  ASSERT_TRUE(sources.set_app(Json::array(), std::nullopt).ok());
  EXPECT_TRUE(sources.relay_only());  // no policy given: kept
}

TEST(IceServerSourcesTest, ServerCredentialsAreAskedAgainAt80PercentAtLeastASecondLater) {
  IceServerSources sources(Json::array(), false, false);
  ASSERT_TRUE(sources.server_list(kServer, 3600000, Millis(100)).ok());
  EXPECT_EQ(sources.deadline(), Millis(100 + 2880000));
  ASSERT_TRUE(sources.server_list(kServer, 10, Millis(100)).ok());
  EXPECT_EQ(sources.deadline(), Millis(1100));
  EXPECT_TRUE(sources.take_due(Millis(1099)).empty());
  EXPECT_EQ(sources.take_due(Millis(1100)), std::vector<Due>{Due::server_request});
}

TEST(IceServerSourcesTest, ABadServerListIsInvalidIceServersAndTheLastGoodOneStays) {
  IceServerSources sources(Json::array(), false, false);
  ASSERT_TRUE(sources.server_list(kServer, 10000, Millis(0)).ok());
  sources.server_asked();
  const auto refused =
      sources.server_list(Json::parse(R"([{"urls":"turn:x"}])"), 10000, Millis(8000));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, base::ErrorCode::invalid_ice_servers);
  EXPECT_EQ(refused.error().origin, base::ErrorOrigin::remote);
  EXPECT_EQ(sources.effective(), kServer);
  EXPECT_FALSE(sources.server_answer_awaited());
  EXPECT_EQ(sources.deadline(), Millis(13000));  // asked again in 5 s
}

TEST(IceServerSourcesTest, ARefusalRetriesIn5sUnlessTheServerHasNoTurn) {
  IceServerSources sources(Json::array(), false, false);
  sources.server_asked();
  sources.server_refused(base::ErrorCode::rate_limited, Millis(100));
  EXPECT_EQ(sources.deadline(), Millis(5100));
  sources.server_refused(base::ErrorCode::turn_not_configured, Millis(200));
  EXPECT_FALSE(sources.deadline());
}

TEST(IceServerSourcesTest, ProviderShapesArrayObjectAndOneServer) {
  IceServerSources sources(Json::array(), false, true);
  ASSERT_TRUE(sources.provider_answer(R"([{"urls":"stun:a"}])", Millis(0)).ok());
  EXPECT_EQ(sources.effective(), Json::parse(R"([{"urls":"stun:a"}])"));
  EXPECT_FALSE(sources.deadline());  // no ttl: never asked again
  ASSERT_TRUE(
      sources
          .provider_answer(
              R"({"iceServers":[{"urls":"turn:t","username":"u","credential":"c"}],"ttl":100})",
              Millis(0))
          .ok());
  EXPECT_EQ(sources.effective()[0]["urls"], "turn:t");
  EXPECT_EQ(sources.deadline(), Millis(80000));
  EXPECT_EQ(sources.take_due(Millis(80000)), std::vector<Due>{Due::provider_request});
}

TEST(IceServerSourcesTest, AProviderFailureKeepsTheListAndBacksOffTo60s) {
  IceServerSources sources(Json::array(), false, true);
  ASSERT_TRUE(sources.provider_answer(R"([{"urls":"stun:good"}])", Millis(0)).ok());
  Millis now{0};
  std::vector<int64_t> waits;
  for (const char* answer :
       {"not json", R"({"iceServers":[{"urls":"http://x"}]})", R"({"iceServers":[],"ttl":-1})",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]"
        "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        "{}"}) {
    sources.provider_asked();
    const auto refused = sources.provider_answer(answer, now);
    ASSERT_FALSE(refused.ok()) << answer;
    EXPECT_EQ(refused.error().code, base::ErrorCode::ice_servers_unavailable);
    EXPECT_FALSE(sources.provider_answer_awaited());
    waits.push_back((*sources.deadline() - now).count());
  }
  const base::Error failed = sources.provider_failed("HTTP 503", now);
  EXPECT_NE(failed.message.find("HTTP 503"), std::string::npos);
  waits.push_back((*sources.deadline() - now).count());
  sources.provider_failed("timeout", now);
  waits.push_back((*sources.deadline() - now).count());
  EXPECT_EQ(waits, (std::vector<int64_t>{2000, 4000, 8000, 16000, 32000, 60000, 60000}));
  EXPECT_EQ(sources.effective(), Json::parse(R"([{"urls":"stun:good"}])"));
  // A success starts the backoff over.
  ASSERT_TRUE(sources.provider_answer("[]", now).ok());
  sources.provider_failed("again", now);
  EXPECT_EQ(*sources.deadline() - now, Millis(2000));
}

}  // namespace
}  // namespace rtcwire::client
