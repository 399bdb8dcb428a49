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

#include "e2e/api_e2e_fixture.hpp"

namespace chorus::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;


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
  const std::string pune_conversation = HandOff(pune_member_, "Who runs the Pune chapter?");
  ASSERT_FALSE(pune_conversation.empty());
  const std::vector<Operation> ops = DocumentedOperations(pune_id, pune_conversation);
  ASSERT_GE(ops.size(), 8u);
  for (const Operation& op : ops) {
    const auto r = Call(op, leader);
    EXPECT_THAT(r.body, Not(HasSubstr(pune_member_))) << op.method << " " << op.path;
    EXPECT_THAT(r.body, Not(HasSubstr("\"pune\""))) << op.method << " " << op.path;
    EXPECT_THAT(r.body, Not(HasSubstr("Pune chapter"))) << op.method << " " << op.path;
    const bool names_pune = op.path == "/v1/members/" + pune_id ||
                            op.path.rfind("/v1/conversations/" + pune_conversation, 0) == 0;
    if (names_pune) {
      EXPECT_EQ(r.status, 403) << op.method << " " << op.path;
    }
  }
  // Nothing the walk posted reached the Pune member, nor erased them, and their conversation
  // is still open.
  EXPECT_EQ(Count("SELECT count(*) FROM members WHERE erased_at IS NOT NULL"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM member_events WHERE kind = 'organizer_reply'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM conversations WHERE status = 'open'"), 1);
  // Outside the chapter and not there at all: the same answer.
  EXPECT_EQ(Get("/v1/members/987654321", leader).status, 403);
  EXPECT_EQ(Get("/v1/members/" + pune_id, leader).status, 403);
  EXPECT_EQ(Get("/v1/conversations/987654321", leader).status, 403);
  EXPECT_EQ(Get("/v1/members?chapter=pune", leader).status, 403);
  EXPECT_EQ(Get("/v1/members?chapter=atlantis", leader).status, 403);
  // Inside: their member, phone number included.
  const auto inside = Get("/v1/members/" + MemberId(nyc_member_), leader);
  EXPECT_EQ(inside.status, 200);
  EXPECT_THAT(inside.body, HasSubstr(nyc_member_));
}

TEST_F(ChorusApiE2eTest, AViewerReadsNoPersonalDataWritesNothingAndNobodyGetsInWithoutAToken) {
  const std::string viewer = Token({"--role", "viewer"});
  const std::string forged = viewer.substr(0, viewer.size() - 1) + (viewer.back() == 'A' ? "B" : "A");
  const std::string conversation = HandOff(nyc_member_, "My heating is broken");
  const std::vector<Operation> ops = DocumentedOperations(MemberId(pune_member_), conversation);
  for (const Operation& op : ops) {
    const auto seen = Call(op, viewer);
    if (op.method != "get") {
      EXPECT_EQ(seen.status, 403) << op.method << " " << op.path;
    } else {
      // {id} is a member's id: as a broadcast's it names none (404 says nothing personal).
      const bool broadcast = op.path.rfind("/v1/broadcasts/", 0) == 0;
      EXPECT_TRUE(seen.status == 200 || seen.status == 403 || (broadcast && seen.status == 404))
          << op.path << " " << seen.status;
    }
    EXPECT_THAT(seen.body, Not(HasSubstr(pune_member_))) << op.path;
    EXPECT_THAT(seen.body, Not(HasSubstr(nyc_member_))) << op.path;
    EXPECT_THAT(seen.body, Not(HasSubstr("heating"))) << op.path;
    for (const std::string& token : {std::string(), forged, std::string("not-a-token")}) {
      const auto refused = Call(op, token);
      EXPECT_EQ(refused.status, 401) << op.path;
      EXPECT_THAT(refused.body, HasSubstr(R"("code":"unauthenticated")")) << op.path;
    }
  }
  EXPECT_EQ(Count("SELECT count(*) FROM member_events WHERE kind = 'organizer_reply'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM conversations WHERE status = 'open'"), 1);
}

TEST_F(ChorusApiE2eTest, AnOrganizerReadsTheInboxAndRepliesOnceWhateverTheRetries) {
  const std::string organizer = Token({"--role", "organizer"});
  const std::string conversation = HandOff(nyc_member_, "Can someone call me about my landlord?");
  ASSERT_FALSE(conversation.empty());

  const auto inbox = Get("/v1/conversations", organizer);
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  EXPECT_THAT(inbox.body, HasSubstr(R"("id":")" + conversation + "\""));
  EXPECT_THAT(inbox.body, HasSubstr(nyc_member_));
  const auto thread = Get("/v1/conversations/" + conversation, organizer);
  ASSERT_EQ(thread.status, 200);
  EXPECT_THAT(thread.body, HasSubstr("Can someone call me about my landlord?"));

  const std::string reply = R"({"text":"We will call you today."})";
  const auto first = Post("/v1/conversations/" + conversation + "/reply", organizer, reply, "k-1");
  ASSERT_EQ(first.status, 202) << first.body;
  const auto again = Post("/v1/conversations/" + conversation + "/reply", organizer, reply, "k-1");
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(again.body, first.body);
  ASSERT_TRUE(Eventually([&] {
    const auto bodies = BodiesTo(nyc_member_);
    return std::count(bodies.begin(), bodies.end(), "We will call you today.") == 1;
  }));
  // The same key for another request is refused; bad bodies name their field.
  const auto reused = Post("/v1/conversations/987/reply", organizer, reply, "k-1");
  EXPECT_EQ(reused.status, 409);
  EXPECT_THAT(reused.body, HasSubstr("Idempotency-Key"));
  const auto empty = Post("/v1/conversations/" + conversation + "/reply", organizer, R"({"text":""})");
  EXPECT_EQ(empty.status, 400);
  EXPECT_THAT(empty.body, HasSubstr(R"("field":"text")"));
  EXPECT_EQ(Post("/v1/conversations/" + conversation + "/reply", organizer, "not json").status, 400);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'conversation.reply'"
                  " AND detail NOT LIKE '%call you%'"),
            1);

  // Closed: the member's next message goes to the keywords again, and replies are refused.
  const auto closed = Post("/v1/conversations/" + conversation + "/close", organizer, "");
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_THAT(closed.body, HasSubstr(R"("status":"closed")"));
  EXPECT_EQ(Post("/v1/conversations/" + conversation + "/reply", organizer, reply).status, 409);
  const std::string events = Text(nyc_member_, "EVENTS");
  ASSERT_TRUE(WaitProcessed({events}));
  EXPECT_EQ(ProcessedOutcome(events), "keyword");
}

TEST_F(ChorusApiE2eTest, AReplyAfterTheMembersStopIsNeverSent) {
  const std::string organizer = Token({"--role", "organizer"});
  const std::string conversation = HandOff(nyc_member_, "Please help with my lease");
  ASSERT_TRUE(WaitProcessed({Text(nyc_member_, "STOP")}));
  // The STOP closed the conversation: the reply is refused, and nothing follows the
  // confirmation.
  const auto refused =
      Post("/v1/conversations/" + conversation + "/reply", organizer, R"({"text":"Still there?"})");
  EXPECT_EQ(refused.status, 409);
  // An event queued before the STOP was processed would be suppressed in processing: the same
  // decision, tested where it is made (a reply event written straight after the STOP).
  Query("INSERT INTO member_events (organization_id, member_id, kind, channel_id, payload)"
        " SELECT m.organization_id, m.id, 'organizer_reply', c.channel_id,"
        "        jsonb_build_object('text', 'Still there?')"
        "   FROM members m JOIN conversations c ON c.organization_id = m.organization_id"
        "    AND c.member_id = m.id WHERE m.phone_e164 = $1",
        nyc_member_);
  ASSERT_TRUE(Eventually([&] {
    return Count("SELECT count(*) FROM member_events WHERE kind = 'organizer_reply'"
                 " AND outcome = 'suppressed'") == 1;
  }));
  const auto bodies = BodiesTo(nyc_member_);
  EXPECT_EQ(std::count(bodies.begin(), bodies.end(), "Still there?"), 0);
}

TEST_F(ChorusApiE2eTest, ActionsExportAsCsvScopedAuditedAndSafeForSpreadsheets) {
  // Signatures arranged directly: recording them is the flows tests' subject.
  for (const std::string& phone : {nyc_member_, pune_member_}) {
    Query("INSERT INTO actions (organization_id, member_id, kind, target, value)"
          " SELECT organization_id, id, 'petition', 'rent-freeze', '=HYPERLINK(\"x\")'"
          "   FROM members WHERE phone_e164 = $1",
          phone);
  }
  const std::string organizer = Token({"--role", "organizer"});
  const auto all = Get("/v1/actions?format=csv&kind=petition", organizer);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.body.rfind("id,member_id,phone,kind,target,event,value,channel,created_at\r\n", 0), 0u);
  EXPECT_EQ(std::count(all.body.begin(), all.body.end(), '\n'), 3) << all.body;
  EXPECT_THAT(all.body, HasSubstr(nyc_member_));
  EXPECT_THAT(all.body, HasSubstr(pune_member_));
  EXPECT_THAT(all.body, HasSubstr(R"csv("'=HYPERLINK(""x"")")csv")) << "never a live formula";
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'actions.export'"
                  " AND detail = 'rows:2 with_phone kind:petition'"),
            1);

  const std::string leader = Token({"--role", "chapter_leader", "--chapter", "ny"});
  const auto mine = Get("/v1/actions?format=csv", leader);
  ASSERT_EQ(mine.status, 200);
  EXPECT_THAT(mine.body, HasSubstr(nyc_member_));
  EXPECT_THAT(mine.body, Not(HasSubstr(pune_member_)));

  const std::string viewer = Token({"--role", "viewer"});
  EXPECT_EQ(Get("/v1/actions?format=csv", viewer).status, 403);
  const auto listed = Get("/v1/actions", viewer);
  ASSERT_EQ(listed.status, 200);
  EXPECT_THAT(listed.body, HasSubstr("rent-freeze"));
  EXPECT_THAT(listed.body, Not(HasSubstr(nyc_member_)));

  // The audit log: the organizer reads it, a leader may not.
  const auto audit = Get("/v1/audit?limit=100", organizer);
  ASSERT_EQ(audit.status, 200);
  EXPECT_THAT(audit.body, HasSubstr(R"("action":"token.create")"));
  EXPECT_THAT(audit.body, HasSubstr(R"("action":"actions.export")"));
  EXPECT_EQ(Get("/v1/audit", leader).status, 403);
  EXPECT_EQ(Get("/v1/audit", viewer).status, 403);
}

TEST_F(ChorusApiE2eTest, AnOwnerIssuesAndRevokesTokensAndOthersCannot) {
  const std::string owner = Token({"--role", "owner"});
  const auto created = Post("/v1/tokens", owner, R"({"role":"organizer","name":"phone bank"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(created.body, m, std::regex("chorus_[0-9]+_[A-Za-z0-9_-]{43}")));
  const std::string issued = m.str();
  EXPECT_EQ(Get("/v1/organization", issued).status, 200);

  const auto listed = Get("/v1/tokens", owner);
  ASSERT_EQ(listed.status, 200);
  EXPECT_THAT(listed.body, HasSubstr("phone bank"));
  EXPECT_THAT(listed.body, Not(HasSubstr(issued)));
  EXPECT_THAT(listed.body, Not(HasSubstr(owner)));
  EXPECT_THAT(listed.body, Not(HasSubstr("token_hash")));

  std::smatch id;
  ASSERT_TRUE(std::regex_search(created.body, id, std::regex(R"re("id":"([0-9]+)")re")));
  EXPECT_EQ(Post("/v1/tokens/" + id[1].str() + "/revoke", owner, "").status, 200);
  EXPECT_EQ(Get("/v1/organization", issued).status, 401) << "revoked at once";
  EXPECT_EQ(Post("/v1/tokens/" + id[1].str() + "/revoke", owner, "").status, 200);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'token.revoke'"), 1);

  const auto leaderless = Post("/v1/tokens", owner, R"({"role":"chapter_leader"})");
  EXPECT_EQ(leaderless.status, 400);
  EXPECT_THAT(leaderless.body, HasSubstr(R"("field":"chapter")"));
  EXPECT_EQ(Post("/v1/tokens", owner, R"({"role":"admin"})").status, 400);
  const std::string organizer = Token({"--role", "organizer"});
  EXPECT_EQ(Post("/v1/tokens", organizer, R"({"role":"owner"})").status, 403);
  EXPECT_EQ(Get("/v1/tokens", Token({"--role", "chapter_leader", "--chapter", "ny"})).status, 403);
}

TEST_F(ChorusApiE2eTest, AnOrganizerStartsAFlowForAMemberOnceWhateverTheRetries) {
  const std::string organizer = Token({"--role", "organizer"});
  const std::string path = "/v1/members/" + MemberId(nyc_member_) + "/flows";
  const std::string body = R"({"flow":"human","channel":")" + std::string(ws::kChannel) + R"("})";
  const auto first = Post(path, organizer, body, "start-1");
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(Post(path, organizer, body, "start-1").body, first.body);
  ASSERT_TRUE(Eventually([&] {
    return Count("SELECT count(*) FROM conversations WHERE status = 'open'") == 1;
  }));
  const auto bodies = BodiesTo(nyc_member_);
  EXPECT_EQ(std::count(bodies.begin(), bodies.end(), kHandOff), 1);

  const auto unknown = Post(path, organizer, R"({"flow":"nope","channel":")" +
                                                 std::string(ws::kChannel) + R"("})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr(R"("field":"flow")"));
  EXPECT_EQ(Post(path, organizer, R"({"flow":"human"})").status, 400);
  const std::string leader = Token({"--role", "chapter_leader", "--chapter", "ny"});
  EXPECT_EQ(Post("/v1/members/" + MemberId(pune_member_) + "/flows", leader, body).status, 403);
  EXPECT_EQ(Post(path, Token({"--role", "viewer"}), body).status, 403);
}

TEST_F(ChorusApiE2eTest, AnErasedMemberLeavesNoTraceButTheirOptOut) {
  const std::string story = "My landlord Mr Quigley shut off the heat on 4th street";
  const std::string conversation = HandOff(nyc_member_, story);
  ASSERT_TRUE(WaitProcessed({Text(nyc_member_, "STOP")}));
  const std::string organizer = Token({"--role", "organizer"});
  const std::string id = MemberId(nyc_member_);
  ASSERT_FALSE(ColumnsHolding(nyc_member_).empty()) << "the search must be able to fail";

  transport::HttpRequestSpec leader_try;
  leader_try.method = "DELETE";
  leader_try.url = server_->base_url + "/v1/members/" + id;
  leader_try.headers.emplace_back(
      "Authorization", "Bearer " + Token({"--role", "chapter_leader", "--chapter", "ny"}));
  EXPECT_EQ(http_.Send(leader_try).status, 403) << "erasure is the organization's decision";

  transport::HttpRequestSpec erase = leader_try;
  erase.headers = {{"Authorization", "Bearer " + organizer}};
  const auto erased = http_.Send(erase);
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_THAT(ColumnsHolding(nyc_member_), ::testing::IsEmpty());
  EXPECT_THAT(ColumnsHolding(nyc_member_.substr(1)), ::testing::IsEmpty());
  EXPECT_THAT(ColumnsHolding("Quigley"), ::testing::IsEmpty());
  // What the law needs stays: the opt-out and its consent record, without text.
  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs o JOIN members m ON m.organization_id ="
                  " o.organization_id AND m.id = o.member_id WHERE m.id = $1::bigint",
                  id),
            1);
  EXPECT_EQ(Get("/v1/members/" + id, organizer).status, 404);
  EXPECT_EQ(http_.Send(erase).status, 404) << "erased once";
  EXPECT_EQ(Get("/v1/conversations/" + conversation, organizer).status, 404);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'member.erase'"), 1);
}

TEST_F(ChorusApiE2eTest, AnOptOutOnTheMembersBehalfIsHonouredLikeTheirOwnStop) {
  const std::string organizer = Token({"--role", "organizer"});
  const std::string conversation = HandOff(nyc_member_, "Please stop texting me");
  const std::size_t texts_before = BodiesTo(nyc_member_).size();
  const std::string path = "/v1/members/" + MemberId(nyc_member_) + "/opt-out";
  const std::string leader = Token({"--role", "chapter_leader", "--chapter", "ny"});
  EXPECT_EQ(Post("/v1/members/" + MemberId(pune_member_) + "/opt-out", leader, "").status, 403);
  const auto first = Post(path, organizer, "", "out-1");
  ASSERT_EQ(first.status, 202) << first.body;
  EXPECT_EQ(Post(path, organizer, "", "out-1").body, first.body);
  ASSERT_TRUE(Eventually([&] {
    return Count("SELECT count(*) FROM opt_outs o JOIN members m ON m.organization_id ="
                 " o.organization_id AND m.id = o.member_id WHERE m.phone_e164 = $1"
                 " AND o.channel_id IS NULL",
                 nyc_member_) == 1;
  }));
  EXPECT_EQ(Count("SELECT count(*) FROM consent_events WHERE source = 'api' AND kind = 'opt_out'"
                  " AND scope = 'organization'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM conversations WHERE status = 'open'"), 0)
      << "the hand-off closes as with STOP";
  // Nothing more reaches the member: no confirmation, no keyword reply, no organizer reply.
  const std::string events = Text(nyc_member_, "EVENTS");
  ASSERT_TRUE(WaitProcessed({events}));
  EXPECT_EQ(Post("/v1/conversations/" + conversation + "/reply", organizer,
                 R"({"text":"Sorry to see you go"})")
                .status,
            409);
  EXPECT_EQ(BodiesTo(nyc_member_).size(), texts_before);
}

TEST_F(ChorusApiE2eTest, AnOrganizerEditsFieldsAndTagsThroughTheMembersQueue) {
  const std::string organizer = Token({"--role", "organizer"});
  const std::string id = MemberId(nyc_member_);
  const auto patch = [&](const std::string& token, const std::string& member, const std::string& body) {
    transport::HttpRequestSpec request;
    request.method = "PATCH";
    request.url = server_->base_url + "/v1/members/" + member;
    request.headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
    request.body = body;
    return http_.Send(std::move(request));
  };
  const auto queued = patch(organizer, id,
                            R"({"fields":{"zip":"10001","shift":"evening"},"add_tags":["captain"],)"
                            R"("remove_tags":["volunteer"]})");
  ASSERT_EQ(queued.status, 202) << queued.body;
  ASSERT_TRUE(Eventually([&] {
    const auto member = Get("/v1/members/" + id, organizer);
    return member.body.find(R"("shift":"evening")") != std::string::npos &&
           member.body.find(R"("tags":["captain"])") != std::string::npos;
  }));
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'member.update_requested'"
                  " AND detail LIKE 'fields:shift,zip add_tags:captain remove_tags:volunteer%'"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE detail LIKE '%evening%'"), 0)
      << "values are personal: never in the audit log";

  const auto bad_name = patch(organizer, id, R"({"fields":{"Zip Code":"1"}})");
  EXPECT_EQ(bad_name.status, 400);
  EXPECT_THAT(bad_name.body, HasSubstr(R"("field":"fields.Zip Code")"));
  const auto bad_tag = patch(organizer, id, R"({"add_tags":["ok","Not OK"]})");
  EXPECT_EQ(bad_tag.status, 400);
  EXPECT_THAT(bad_tag.body, HasSubstr(R"("field":"add_tags[1]")"));
  EXPECT_EQ(patch(organizer, id, "{}").status, 400);
  const std::string leader = Token({"--role", "chapter_leader", "--chapter", "ny"});
  EXPECT_EQ(patch(leader, MemberId(pune_member_), R"({"add_tags":["x"]})").status, 403);
  EXPECT_EQ(patch(leader, id, R"({"add_tags":["leader-ok"]})").status, 202);
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
