#include "http/router.hpp"

#include <gtest/gtest.h>

namespace chorus::http {
namespace {

Handler Named(std::string name) {
  return [name](const Request&, RequestContext&) -> asio::awaitable<Response> {
    Response response;
    response.body() = name;
    co_return response;
  };
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add(Verb::get, "/healthz", Named("healthz"));
    router_.Add(Verb::get, "/", Named("root"));
    router_.Add(Verb::post, "/webhooks/twilio/{channel}/inbound", Named("inbound"));
    router_.Add(Verb::get, "/members/{id}", Named("member"));
    router_.Add(Verb::get, "/members/new", Named("new-member-form"));
    router_.Add(Verb::delete_, "/members/{id}", Named("delete-member"));
    router_.Add(Verb::get, "/a/{x}/b/{y}", Named("two"));
  }

  // Find() returns a pointer to the stored handler; its identity is the route pattern.
  std::string RouteOf(Verb method, std::string_view path) {
    auto match = router_.Find(method, path);
    return match.handler == nullptr ? "<none>" : match.route;
  }

  Router router_;
};

TEST_F(RouterTest, LiteralPathMatchesExactly) {
  EXPECT_EQ(RouteOf(Verb::get, "/healthz"), "/healthz");
  EXPECT_EQ(RouteOf(Verb::get, "/"), "/");
  EXPECT_EQ(RouteOf(Verb::get, "/healthzz"), "<none>");
  EXPECT_EQ(RouteOf(Verb::get, "/HEALTHZ"), "<none>");
}

TEST_F(RouterTest, TrailingSlashIsADifferentPath) {
  auto match = router_.Find(Verb::get, "/healthz/");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_FALSE(match.path_known);
  EXPECT_EQ(RouteOf(Verb::get, "//healthz"), "<none>");
}

TEST_F(RouterTest, PlaceholderCapturesOneNonEmptySegment) {
  auto match = router_.Find(Verb::post, "/webhooks/twilio/ch_42/inbound");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.route, "/webhooks/twilio/{channel}/inbound");
  EXPECT_EQ(match.path_params, std::vector<std::string>{"ch_42"});

  EXPECT_EQ(RouteOf(Verb::post, "/webhooks/twilio//inbound"), "<none>");
  EXPECT_EQ(RouteOf(Verb::post, "/webhooks/twilio/a/b/inbound"), "<none>");
}

TEST_F(RouterTest, ParamsComeInPatternOrder) {
  auto match = router_.Find(Verb::get, "/a/1/b/2");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.path_params, (std::vector<std::string>{"1", "2"}));
}

TEST_F(RouterTest, LiteralSegmentBeatsPlaceholderWhateverTheOrderAdded) {
  EXPECT_EQ(RouteOf(Verb::get, "/members/new"), "/members/new");
  auto match = router_.Find(Verb::get, "/members/17");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.route, "/members/{id}");
  EXPECT_EQ(match.path_params, std::vector<std::string>{"17"});
}

TEST_F(RouterTest, ParamsArePercentDecoded) {
  auto match = router_.Find(Verb::get, "/members/a%20b%2Fc%3f+d");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.path_params, std::vector<std::string>{"a b/c?+d"});
}

TEST_F(RouterTest, MalformedPercentEncodingDoesNotMatch) {
  EXPECT_EQ(RouteOf(Verb::get, "/members/%"), "<none>");
  EXPECT_EQ(RouteOf(Verb::get, "/members/%2"), "<none>");
  EXPECT_EQ(RouteOf(Verb::get, "/members/%zz"), "<none>");
}

TEST_F(RouterTest, UnknownPathIsNotFound) {
  auto match = router_.Find(Verb::get, "/nope");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_FALSE(match.path_known);
}

TEST_F(RouterTest, KnownPathWithOtherMethodIsMethodNotAllowed) {
  auto match = router_.Find(Verb::post, "/healthz");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_TRUE(match.path_known);
}

TEST_F(RouterTest, SamePatternDispatchesOnMethod) {
  EXPECT_EQ(RouteOf(Verb::delete_, "/members/9"), "/members/{id}");
  auto get = router_.Find(Verb::get, "/members/9");
  auto del = router_.Find(Verb::delete_, "/members/9");
  ASSERT_NE(get.handler, nullptr);
  ASSERT_NE(del.handler, nullptr);
  EXPECT_NE(get.handler, del.handler);
}

TEST_F(RouterTest, PathWithoutLeadingSlashNeverMatches) {
  EXPECT_EQ(RouteOf(Verb::get, ""), "<none>");
  EXPECT_EQ(RouteOf(Verb::get, "healthz"), "<none>");
  EXPECT_EQ(RouteOf(Verb::get, "*"), "<none>");
}

}  // namespace
}  // namespace chorus::http
