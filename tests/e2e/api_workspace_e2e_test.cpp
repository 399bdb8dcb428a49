// The workspace edited through /v1 against the real binary: a flow and a keyword created by
// the API and texted by a member, versions and roll-back, answers exported, settings and
// chapters and events edited item by item, revisions guarding concurrent edits, idempotent
// creates, and per-organization reloads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "e2e/api_e2e_fixture.hpp"
#include "e2e/webhook_client.hpp"

namespace chorus::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kPetition = R"({
  "slug": "petition",
  "steps": [
    { "id": "sign", "kind": "ASK", "answer": "YES_NO",
      "text": { "en": "Will you sign the rent petition? Reply YES or NO" }, "next": "thanks" },
    { "id": "thanks", "kind": "END", "text": { "en": "Thank you, your answer is counted." } }
  ]
})";

constexpr const char* kPetitionV2 = R"({
  "slug": "petition",
  "steps": [
    { "id": "sign", "kind": "ASK", "answer": "YES_NO",
      "text": { "en": "Second draft: sign the petition? YES or NO" }, "next": "thanks" },
    { "id": "thanks", "kind": "END", "text": { "en": "Thank you, your answer is counted." } }
  ]
})";

class ChorusApiWorkspaceE2eTest : public ChorusApiE2eTest {
 protected:
  transport::HttpResponseSpec Send(const std::string& method, const std::string& path,
                                   const std::string& token, const std::string& body,
                                   const std::string& if_match = "") {
    transport::HttpRequestSpec request;
    request.method = method;
    request.url = server_->base_url + path;
    request.headers.emplace_back("Content-Type", "application/json");
    request.headers.emplace_back("Authorization", "Bearer " + token);
    if (!if_match.empty()) request.headers.emplace_back("If-Match", if_match);
    request.body = body;
    return http_.Send(std::move(request));
  }

  static std::string Field(const std::string& body, const std::string& name) {
    std::smatch m;
    const std::regex pattern("\"" + name + "\":\"?([^\",}]*)\"?");
    return std::regex_search(body, m, pattern) ? m[1].str() : "";
  }

  // Whether `text` reaches the member's phone; what did reach it, when it does not.
  ::testing::AssertionResult Received(const std::string& member, const std::string& text) {
    const bool arrived = Eventually([&] {
      const auto bodies = BodiesTo(member);
      return std::find(bodies.begin(), bodies.end(), text) != bodies.end();
    });
    if (arrived) return ::testing::AssertionSuccess();
    auto failure = ::testing::AssertionFailure() << "received instead:";
    for (const auto& body : BodiesTo(member)) failure << " [" << body << "]";
    return failure;
  }
};

TEST_F(ChorusApiWorkspaceE2eTest, AFlowAndAKeywordMadeThroughTheApiAnswerAMembersText) {
  const std::string organizer = Token({"--role", "organizer"});
  const auto saved = Post("/v1/flows?activate=true", organizer, kPetition);
  ASSERT_EQ(saved.status, 201) << saved.body;
  EXPECT_EQ(Field(saved.body, "version"), "1");
  EXPECT_EQ(Field(saved.body, "active_version"), "1");
  const auto keyword = Post("/v1/keywords", organizer, R"({"word": "SIGN", "flow": "petition"})",
                            "sign-keyword-1");
  ASSERT_EQ(keyword.status, 201) << keyword.body;
  EXPECT_EQ(Field(keyword.body, "revision"), "1");

  // Live on the server without a restart: the member texts it and answers.
  const std::string member = Member(31);
  Text(member, "SIGN");
  ASSERT_TRUE(Received(member, "Will you sign the rent petition? Reply YES or NO"));
  Text(member, "yes");
  ASSERT_TRUE(Received(member, "Thank you, your answer is counted."));

  // The flow's answers, as CSV: the member's answer, audited as an export.
  const auto csv = Get("/v1/flows/petition/answers?format=csv", organizer);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_THAT(csv.body, HasSubstr("id,member_id,phone,flow,version,step,field,value,channel"));
  EXPECT_THAT(csv.body, HasSubstr(member + ",petition,1,sign,sign,yes,"));
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'answers.export'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'keyword.create'"), 1);
}

TEST_F(ChorusApiWorkspaceE2eTest, CreatesRepeatOnceAndEditsNameTheRevisionTheyReplace) {
  const std::string organizer = Token({"--role", "organizer"});
  const std::string body = R"({"word": "RENT", "reply": "Rent clinic: Tuesdays at 6."})";
  const auto first = Post("/v1/keywords", organizer, body, "rent-1");
  const auto again = Post("/v1/keywords", organizer, body, "rent-1");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(again.status, 201) << again.body;
  const std::string id = Field(first.body, "id");
  EXPECT_EQ(Field(again.body, "id"), id);
  EXPECT_EQ(Count("SELECT count(*) FROM keywords WHERE word = 'rent'"), 1);
  // The same key for another body is refused; the same word without a key is a conflict.
  EXPECT_EQ(Post("/v1/keywords", organizer, R"({"word": "OTHER", "reply": "x"})", "rent-1").status,
            409);
  const auto twice = Post("/v1/keywords", organizer, body);
  EXPECT_EQ(twice.status, 409);
  EXPECT_EQ(Field(twice.body, "field"), "word");

  const std::string edited = R"({"word": "RENT", "reply": "Rent clinic: Wednesdays at 6."})";
  const auto replaced = Send("PUT", "/v1/keywords/" + id, organizer, edited, "1");
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(Field(replaced.body, "revision"), "2");
  const auto stale = Send("PUT", "/v1/keywords/" + id, organizer, edited, "1");
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(Field(stale.body, "code"), "revision_changed");

  const std::string member = Member(32);
  Text(member, "RENT");
  EXPECT_TRUE(Received(member, "Rent clinic: Wednesdays at 6."));

  EXPECT_EQ(Send("DELETE", "/v1/keywords/" + id, organizer, "", "2").status, 200);
  EXPECT_EQ(Count("SELECT count(*) FROM keywords WHERE word = 'rent'"), 0);
  EXPECT_EQ(Send("DELETE", "/v1/keywords/" + id, organizer, "").status, 404);
}

TEST_F(ChorusApiWorkspaceE2eTest, AFlowsVersionsAreKeptActivatedAndRolledBack) {
  const std::string organizer = Token({"--role", "organizer"});
  ASSERT_EQ(Post("/v1/flows?activate=true", organizer, kPetition).status, 201);
  ASSERT_EQ(Post("/v1/keywords", organizer, R"({"word": "SIGN", "flow": "petition"})").status, 201);
  // A second version is stored without going live until it is activated.
  const auto v2 = Post("/v1/flows", organizer, kPetitionV2);
  ASSERT_EQ(v2.status, 201) << v2.body;
  EXPECT_EQ(Field(v2.body, "version"), "2");
  EXPECT_EQ(Field(v2.body, "active_version"), "1");
  const std::string first = Member(33);
  Text(first, "SIGN");
  ASSERT_TRUE(Received(first, "Will you sign the rent petition? Reply YES or NO"));

  const auto live = Post("/v1/flows/petition/activate", organizer, R"({"version": 2})");
  ASSERT_EQ(live.status, 200) << live.body;
  const std::string second = Member(34);
  Text(second, "SIGN");
  ASSERT_TRUE(Received(second, "Second draft: sign the petition? YES or NO"));

  const auto back = Post("/v1/flows/petition/rollback", organizer, "");
  ASSERT_EQ(back.status, 200) << back.body;
  const std::string third = Member(35);
  Text(third, "SIGN");
  ASSERT_TRUE(Received(third, "Will you sign the rent petition? Reply YES or NO"));

  const auto versions = Get("/v1/flows/petition/versions", organizer);
  EXPECT_THAT(versions.body, HasSubstr(R"("version":1,)"));
  EXPECT_THAT(versions.body, HasSubstr(R"("version":2,)"));
  const auto v1 = Get("/v1/flows/petition/versions/1", organizer);
  EXPECT_THAT(v1.body, HasSubstr("Will you sign the rent petition?"));
  EXPECT_EQ(Get("/v1/flows/petition/versions/9", organizer).status, 404);
  // No version before the first: nothing to roll back to.
  EXPECT_EQ(Post("/v1/flows/petition/rollback", organizer, "").status, 404);
}

TEST_F(ChorusApiWorkspaceE2eTest, BadItemsAreRefusedNamingTheFieldAndChangeNothing) {
  const std::string organizer = Token({"--role", "organizer"});
  const auto stop = Post("/v1/keywords", organizer, R"({"word": "STOP", "reply": "x"})");
  EXPECT_EQ(stop.status, 400);
  EXPECT_EQ(Field(stop.body, "field"), "word");
  const auto no_reply = Post("/v1/keywords", organizer, R"({"word": "HOUSING"})");
  EXPECT_EQ(Field(no_reply.body, "field"), "reply");
  const auto no_flow = Post("/v1/keywords", organizer, R"({"word": "HOUSING", "flow": "nope"})");
  EXPECT_EQ(Field(no_flow.body, "field"), "flow");
  const auto dangling = Post("/v1/flows/validate", organizer,
                             R"({"slug": "broken", "steps": [{"id": "a", "kind": "SEND",
                                 "text": {"en": "Hi"}, "next": "missing"}]})");
  EXPECT_EQ(dangling.status, 400);
  EXPECT_THAT(dangling.body, HasSubstr("missing"));
  EXPECT_EQ(Post("/v1/flows/validate", organizer, kPetition).status, 200);
  const auto zone = Send("PATCH", "/v1/organization", organizer, R"({"time_zone": "Mars/Olympus"})");
  EXPECT_EQ(zone.status, 400);
  EXPECT_EQ(Field(zone.body, "field"), "time_zone");
  const auto hours = Send("PATCH", "/v1/organization", organizer,
                          R"({"quiet_hours": {"start": "25:00", "end": "08:00"}})");
  EXPECT_EQ(Field(hours.body, "field"), "quiet_hours.start");
  const auto cycle = Send("PUT", "/v1/chapters/us", organizer,
                          R"({"name": "United States", "parent": "nyc"})");
  EXPECT_EQ(cycle.status, 400);
  EXPECT_EQ(Field(cycle.body, "field"), "parent");
  EXPECT_EQ(Count("SELECT count(*) FROM flows WHERE slug = 'broken'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM keywords WHERE word = 'housing'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action LIKE 'keyword.%'"
                  " OR action LIKE 'organization.%' OR action LIKE 'chapter.%'"),
            0);
}

TEST_F(ChorusApiWorkspaceE2eTest, SettingsChaptersAndEventsAreEditedItemByItem) {
  const std::string organizer = Token({"--role", "organizer"});
  const auto before = Get("/v1/organization", organizer);
  EXPECT_EQ(Field(before.body, "start"), "21:00");
  const auto changed = Send("PATCH", "/v1/organization", organizer, R"({
    "quiet_hours": {"start": "20:30", "end": "09:00"},
    "texts": {"en": {"help": "Chorus E2E help desk: 555-0100. Reply STOP to opt out.",
                      "opt_out_confirmation": "You are opted out.",
                      "opt_in_confirmation": "Welcome back."}}})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Field(changed.body, "start"), "20:30");
  EXPECT_EQ(Field(changed.body, "revision"), "2");
  const std::string member = Member(36);
  Text(member, "HELP");
  EXPECT_TRUE(Received(member, "Chorus E2E help desk: 555-0100. Reply STOP to opt out."));

  const auto brooklyn = Post("/v1/chapters", organizer,
                             R"({"slug": "brooklyn", "name": "Brooklyn", "parent": "nyc"})");
  ASSERT_EQ(brooklyn.status, 201) << brooklyn.body;
  EXPECT_THAT(Get("/v1/chapters", organizer).body, HasSubstr("brooklyn"));
  EXPECT_EQ(Send("DELETE", "/v1/chapters/nyc", organizer, "").status, 409);  // Brooklyn is below
  EXPECT_EQ(Send("DELETE", "/v1/chapters/brooklyn", organizer, "").status, 200);

  const auto rally = Post("/v1/events", organizer, R"({"slug": "rally", "title": {"en": "Rent rally"},
      "starts_at": "2027-03-01T18:00", "time_zone": "America/New_York", "chapter": "nyc"})");
  ASSERT_EQ(rally.status, 201) << rally.body;
  const auto moved = Send("PUT", "/v1/events/rally", organizer, R"({"title": {"en": "Rent rally"},
      "starts_at": "2027-03-02T18:00", "time_zone": "America/New_York", "chapter": "nyc"})", "1");
  ASSERT_EQ(moved.status, 200) << moved.body;
  const auto events = Get("/v1/events", organizer).body;
  EXPECT_THAT(events, HasSubstr("2027-03-02T18:00"));
  EXPECT_THAT(events, HasSubstr(R"("title":{"en":"Rent rally"})"));
  // Each write reloaded this organization only, never every organization.
  EXPECT_TRUE(Eventually([&] {
    return ReadFile(server_->log_path).find("workspace.reloaded organizations=1") !=
           std::string::npos;
  }));
}

TEST_F(ChorusApiWorkspaceE2eTest, AChapterLeaderSeesOnlyTheirChaptersItemsAndChangesNone) {
  const std::string organizer = Token({"--role", "organizer"});
  const std::string leader = Token({"--role", "chapter_leader", "--chapter", "ny"});
  ASSERT_EQ(Post("/v1/keywords", organizer,
                 R"({"word": "JOIN PUNE", "reply": "Welcome to the Pune chapter!", "chapter": "pune"})")
                .status,
            201);
  ASSERT_EQ(Post("/v1/keywords", organizer,
                 R"({"word": "JOIN NYC", "reply": "Welcome to New York City!", "chapter": "nyc"})")
                .status,
            201);
  const auto keywords = Get("/v1/keywords", leader);
  ASSERT_EQ(keywords.status, 200);
  EXPECT_THAT(keywords.body, HasSubstr("Welcome to New York City!"));
  EXPECT_THAT(keywords.body, Not(HasSubstr("pune")));
  EXPECT_EQ(Post("/v1/keywords", leader, R"({"word": "MINE", "reply": "x"})").status, 403);
  EXPECT_EQ(Post("/v1/flows", leader, kPetition).status, 403);
  EXPECT_EQ(Send("PATCH", "/v1/organization", leader, R"({"name": "Taken"})").status, 403);
}

TEST_F(ChorusApiWorkspaceE2eTest, AChannelMadeThroughTheApiTakesTextsAndNeverShowsItsCredentials) {
  const std::string organizer = Token({"--role", "organizer"});
  // The fake Twilio answers API calls made with the account's token: the new channel uses it.
  const std::string secret = auth_token_;
  const std::string sender = "+15005550042";
  const auto created = Post("/v1/channels", organizer, R"({"slug": "e2e-second", "carrier": "twilio",
      "sender": ")" + sender + R"(", "country": "US", "settings": {"account_sid": ")" +
                                  account_sid_ + R"(", "auth_token": ")" + secret +
                                  R"(", "api_base": ")" + CarrierApiBase() + R"("}})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_THAT(created.body, HasSubstr(R"("credentials":["auth_token"])"));
  EXPECT_THAT(created.body, Not(HasSubstr(secret)));
  EXPECT_THAT(Get("/v1/channels", organizer).body, Not(HasSubstr(secret)));
  EXPECT_THAT(ColumnsHolding(secret), ::testing::IsEmpty());  // sealed, never in plain text

  // A webhook signed with the new channel's token is taken and answered through it.
  const std::string member = Member(37);
  const std::string path = "/webhooks/twilio/e2e-second/inbound";
  const auto inbound = http_.Send(TwilioPost(server_->base_url, server_->base_url, path,
                                             InboundForm(NewMessageSid(), account_sid_, member,
                                                         sender, "HELP"),
                                             secret));
  EXPECT_EQ(inbound.status, 200) << inbound.body;
  EXPECT_TRUE(WaitForTexts(member, 1));
  // Signed with another token: refused.
  const auto forged = http_.Send(TwilioPost(server_->base_url, server_->base_url, path,
                                            InboundForm(NewMessageSid(), account_sid_, member,
                                                        sender, "HELP"),
                                            "not-the-channels-token"));
  EXPECT_EQ(forged.status, 403);

  // A replace that sends no credentials keeps them; a viewer reads no credential either.
  const auto replaced = Send("PUT", "/v1/channels/e2e-second", organizer,
                             R"({"carrier": "twilio", "sender": ")" + sender +
                                 R"(", "country": "US", "segments_per_second": 5, "settings": {"account_sid": ")" +
                                 account_sid_ + R"(", "api_base": ")" + CarrierApiBase() + R"("}})",
                             "1");
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_THAT(replaced.body, HasSubstr(R"("credentials":["auth_token"])"));
  const auto again = http_.Send(TwilioPost(server_->base_url, server_->base_url, path,
                                           InboundForm(NewMessageSid(), account_sid_, member,
                                                       sender, "HELP"),
                                           secret));
  EXPECT_EQ(again.status, 200);
  const std::string viewer = Token({"--role", "viewer"});
  EXPECT_THAT(Get("/v1/channels", viewer).body, Not(HasSubstr(secret)));
  EXPECT_EQ(Post("/v1/channels", viewer, "{}").status, 403);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE detail LIKE '%' || $1 || '%'", secret), 0);
}

}  // namespace
}  // namespace chorus::e2e
