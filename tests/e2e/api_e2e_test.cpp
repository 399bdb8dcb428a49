// The organizer API through the real binary: tokens made by `chorus token create`, member
// search by chapter and tag, and the chapter scope walked over every path of the OpenAPI
// document, so a new endpoint cannot forget it.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <string>
#include <vector>

#include "e2e/e2e_fixture.hpp"

namespace chorus::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::chrono::seconds kCommandTimeout{60};

class ChorusApiE2eTest : public ChorusE2eTest {
 protected:
  std::string CampaignJson() const override {
    return R"(,
  "chapters": [
    { "slug": "us", "name": "United States" },
    { "slug": "ny", "name": "New York State", "parent": "us", "postal_codes": ["1"] },
    { "slug": "nyc", "name": "New York City", "parent": "ny", "postal_codes": ["100"] },
    { "slug": "pune", "name": "Pune", "country": "IN", "postal_codes": ["411"] }
  ])";
  }

  void SetUp() override {
    ChorusE2eTest::SetUp();
    if (HasFatalFailure()) return;
    server_ = StartServer();
    ASSERT_NE(server_, nullptr);
    nyc_member_ = Member(11);
    pune_member_ = Member(12);
    ASSERT_TRUE(WaitProcessed({Text(nyc_member_, "JOIN"), Text(pune_member_, "JOIN")}));
    Place(nyc_member_, "nyc", "volunteer");
    Place(pune_member_, "pune", "volunteer");
  }

  // Arranges membership directly: placing by flow is the flows tests' subject.
  void Place(const std::string& phone, const std::string& chapter, const std::string& tag) {
    Query("INSERT INTO member_chapters (organization_id, member_id, chapter_id)"
          " SELECT m.organization_id, m.id, c.id FROM members m JOIN chapters c"
          "   ON c.organization_id = m.organization_id AND c.slug = $2 WHERE m.phone_e164 = $1",
          phone, chapter);
    Query("UPDATE members SET tags = ARRAY[$2] WHERE phone_e164 = $1", phone, tag);
  }

  std::string MemberId(const std::string& phone) {
    return Value("SELECT id::text FROM members WHERE phone_e164 = $1", phone).value_or("");
  }

  // `chorus token create ...`: the token printed on stdout.
  std::string Token(std::vector<std::string> args) {
    args.insert(args.begin(), {"token", "create", "--org", "e2e"});
    CommandResult r = RunCommand(ChorusBinary(), args, ApplyEnv(), kCommandTimeout);
    EXPECT_TRUE(r.ok()) << r.output;
    std::smatch m;
    static const std::regex kToken("chorus_[0-9]+_[A-Za-z0-9_-]{43}");
    return std::regex_search(r.output, m, kToken) ? m.str() : "";
  }

  transport::HttpResponseSpec Get(const std::string& path, const std::string& token) {
    transport::HttpRequestSpec request;
    request.method = "GET";
    request.url = server_->base_url + path;
    if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
    return http_.Send(std::move(request));
  }

  // Every GET path the served OpenAPI document lists, with {id} filled in.
  std::vector<std::string> DocumentedPaths(const std::string& id) {
    const auto doc = http_.Get(server_->base_url + "/v1/openapi.json");
    EXPECT_EQ(doc.status, 200);
    google::protobuf::Struct parsed;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(doc.body, &parsed).ok());
    std::vector<std::string> out;
    for (const auto& [path, item] : parsed.fields().at("paths").struct_value().fields()) {
      if (!item.struct_value().fields().contains("get")) continue;
      out.push_back(std::regex_replace(path, std::regex("\\{id\\}"), id));
    }
    return out;
  }

  ChorusServer* server_ = nullptr;
  std::string nyc_member_, pune_member_;
};

TEST_F(ChorusApiE2eTest, AnOrganizerSearchesMembersByChapterAndTag) {
  const std::string token = Token({"--role", "organizer"});
  ASSERT_FALSE(token.empty());
  const auto ny = Get("/v1/members?chapter=ny&tag=volunteer", token);
  ASSERT_EQ(ny.status, 200) << ny.body;
  EXPECT_THAT(ny.body, HasSubstr(nyc_member_));   // nyc is below ny
  EXPECT_THAT(ny.body, Not(HasSubstr(pune_member_)));
  EXPECT_THAT(ny.body, HasSubstr(R"("chapters":["nyc"])"));
  const auto all = Get("/v1/members?tag=volunteer&status=active", token);
  ASSERT_EQ(all.status, 200);
  EXPECT_THAT(all.body, HasSubstr(nyc_member_));
  EXPECT_THAT(all.body, HasSubstr(pune_member_));

  const auto one = Get("/v1/members?limit=1", token);
  ASSERT_EQ(one.status, 200);
  std::smatch cursor;
  ASSERT_TRUE(std::regex_search(one.body, cursor, std::regex(R"re("next_cursor":"([^"]+)")re")))
      << one.body;
  const auto next = Get("/v1/members?limit=1&cursor=" + cursor[1].str(), token);
  ASSERT_EQ(next.status, 200);
  EXPECT_NE(one.body, next.body);
}

TEST_F(ChorusApiE2eTest, BadRequestsGetCodeMessageAndField) {
  const std::string token = Token({"--role", "organizer"});
  const auto limit = Get("/v1/members?limit=0", token);
  EXPECT_EQ(limit.status, 400);
  EXPECT_THAT(limit.body, HasSubstr(R"("code":"invalid_argument")"));
  EXPECT_THAT(limit.body, HasSubstr(R"("field":"limit")"));
  const auto twice = Get("/v1/members?tag=a&tag=b", token);
  EXPECT_EQ(twice.status, 400);
  EXPECT_THAT(twice.body, HasSubstr(R"("field":"tag")"));
  const auto unknown = Get("/v1/members?chapter=atlantis", token);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr(R"("field":"chapter")"));
  const auto id = Get("/v1/members/abc", token);
  EXPECT_EQ(id.status, 400);
  EXPECT_THAT(id.body, HasSubstr(R"("field":"id")"));
}

TEST_F(ChorusApiE2eTest, AChapterLeaderIsRefusedOutsideTheirChapterOnEveryDocumentedPath) {
  const std::string leader = Token({"--role", "chapter_leader", "--chapter", "ny"});
  ASSERT_FALSE(leader.empty());
  const std::string pune_id = MemberId(pune_member_);
  const std::vector<std::string> paths = DocumentedPaths(pune_id);
  ASSERT_GE(paths.size(), 4u);
  for (const std::string& path : paths) {
    const auto r = Get(path, leader);
    EXPECT_THAT(r.body, Not(HasSubstr(pune_member_))) << path;
    EXPECT_THAT(r.body, Not(HasSubstr("\"pune\""))) << path;
    if (path.find(pune_id) != std::string::npos) {
      EXPECT_EQ(r.status, 403) << path;
    }
  }
  // Outside the chapter and not there at all: the same answer.
  const auto absent = Get("/v1/members/987654321", leader);
  const auto outside = Get("/v1/members/" + pune_id, leader);
  EXPECT_EQ(absent.status, 403);
  EXPECT_EQ(outside.status, 403);
  EXPECT_EQ(Get("/v1/members?chapter=pune", leader).status, 403);
  EXPECT_EQ(Get("/v1/members?chapter=atlantis", leader).status, 403);
  // Inside: their member, phone number included.
  const auto inside = Get("/v1/members/" + MemberId(nyc_member_), leader);
  EXPECT_EQ(inside.status, 200);
  EXPECT_THAT(inside.body, HasSubstr(nyc_member_));
}

TEST_F(ChorusApiE2eTest, AViewerNeverSeesAPhoneNumberAndNobodyGetsInWithoutAToken) {
  const std::string viewer = Token({"--role", "viewer"});
  const std::string forged = viewer.substr(0, viewer.size() - 1) + (viewer.back() == 'A' ? "B" : "A");
  const std::vector<std::string> paths = DocumentedPaths(MemberId(pune_member_));
  for (const std::string& path : paths) {
    const auto seen = Get(path, viewer);
    EXPECT_EQ(seen.status, 200) << path << " " << seen.body;
    EXPECT_THAT(seen.body, Not(HasSubstr(pune_member_))) << path;
    EXPECT_THAT(seen.body, Not(HasSubstr(nyc_member_))) << path;
    for (const std::string& token : {std::string(), forged, std::string("not-a-token")}) {
      const auto refused = Get(path, token);
      EXPECT_EQ(refused.status, 401) << path;
      EXPECT_THAT(refused.body, HasSubstr(R"("code":"unauthenticated")")) << path;
    }
  }
}

TEST_F(ChorusApiE2eTest, TokenCreateRefusesBadArgumentsWithOneLine) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"token", "create", "--org", "e2e", "--role", "admin"},
           {"token", "create", "--org", "e2e", "--role", "chapter_leader"},
           {"token", "create", "--org", "e2e", "--role", "viewer", "--chapter", "ny"},
           {"token", "create", "--org", "nobody", "--role", "owner"},
           {"token", "create", "--role", "owner"}}) {
    CommandResult r = RunCommand(ChorusBinary(), args, ApplyEnv(), kCommandTimeout);
    EXPECT_TRUE(r.status.exited && r.status.code == 2) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_THAT(r.output, Not(HasSubstr("chorus_"))) << r.output;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM api_tokens"), 0);
}

}  // namespace
}  // namespace chorus::e2e
