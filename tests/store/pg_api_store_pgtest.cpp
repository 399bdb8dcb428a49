// The organizer API's store against PostgreSQL: tokens stored as hashes and scoped to their
// chapter's subtree, and member search that never leaves the caller's reach.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "api/token.hpp"
#include "store/pg/pg_api_store.hpp"
#include "store/store_fixtures.hpp"

namespace chorus::store::pg {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class PgApiStoreTest : public AcmeStoreTest {
 protected:
  void SetUp() override {
    AcmeStoreTest::SetUp();
    store_ = std::make_unique<PgApiStore>(url());
    national_ = Chapter("national", 0);
    maharashtra_ = Chapter("maharashtra", national_);
    pune_ = Chapter("pune", maharashtra_);
    delhi_ = Chapter("delhi", national_);
    in_pune_ = Member(kAlice, pune_, "{volunteer}", R"({"zip": "411001"})");
    in_maharashtra_ = Member(kBob, maharashtra_, "{}", R"({"zip": "400001"})");
    in_delhi_ = Member("+15005550103", delhi_, "{volunteer}", "{}");
    nowhere_ = Member("+15005550104", 0, "{}", "{}");
    Sql("UPDATE members SET joined_at = now(), language = 'hi' WHERE organization_id = $1 AND id = $2",
        org_, in_pune_);
    Sql("UPDATE members SET joined_at = now() WHERE organization_id = $1 AND id IN ($2, $3)", org_,
        in_maharashtra_, in_delhi_);
    Sql("INSERT INTO opt_outs (organization_id, member_id) VALUES ($1, $2)", org_, in_delhi_);
  }

  std::int64_t Chapter(const std::string& slug, std::int64_t parent) {
    return Value<std::int64_t>(
        "INSERT INTO chapters (organization_id, slug, name, parent_id, country)"
        " VALUES ($1, $2, $2, NULLIF($3, 0), 'IN') RETURNING id",
        org_, slug, parent);
  }

  MemberId Member(const std::string& phone, std::int64_t chapter, const std::string& tags,
                  const std::string& fields) {
    const MemberId id = Value<MemberId>(
        "INSERT INTO members (organization_id, phone_e164, tags, fields)"
        " VALUES ($1, $2, $3::text[], $4::jsonb) RETURNING id",
        org_, phone, tags, fields);
    if (chapter != 0) {
      Sql("INSERT INTO member_chapters (organization_id, member_id, chapter_id) VALUES ($1, $2, $3)",
          org_, id, chapter);
    }
    return id;
  }

  api::Principal Login(api::Role role, const std::string& chapter = "") {
    auto created = store_->CreateToken("acme", role, chapter, "test", "test");
    EXPECT_TRUE(created.ok());
    auto presented = api::ReadBearer("Bearer " + created->token);
    EXPECT_TRUE(presented.has_value());
    auto who = store_->Authenticate(presented->hash, presented->organization);
    EXPECT_TRUE(who.ok() && who->has_value());
    return who.ok() && *who ? **who : api::Principal{};
  }

  std::vector<MemberId> Ids(const api::Principal& who, api::MemberQuery query = {}) {
    auto page = store_->SearchMembers(who, query, true);
    EXPECT_TRUE(page.ok());
    std::vector<MemberId> ids;
    if (page.ok()) {
      for (const auto& m : page->members) ids.push_back(m.id);
    }
    return ids;
  }

  std::unique_ptr<PgApiStore> store_;
  std::int64_t national_ = 0, maharashtra_ = 0, pune_ = 0, delhi_ = 0;
  MemberId in_pune_ = 0, in_maharashtra_ = 0, in_delhi_ = 0, nowhere_ = 0;
};

TEST_F(PgApiStoreTest, ATokenIsStoredOnlyAsAHashAndAuthenticatesToItsRole) {
  auto created = store_->CreateToken("acme", api::Role::kOrganizer, "", "ops", "cli");
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(Count("SELECT count(*) FROM api_tokens WHERE token_hash = $1 OR name = $1",
                  created->token),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM api_tokens WHERE token_hash = $1",
                  api::TokenHash(created->token)),
            1);
  auto presented = api::ReadBearer("Bearer " + created->token);
  ASSERT_TRUE(presented.has_value());
  EXPECT_EQ(presented->organization, org_);
  auto who = store_->Authenticate(presented->hash, org_);
  ASSERT_TRUE(who.ok() && who->has_value());
  EXPECT_EQ((*who)->role, api::Role::kOrganizer);
  EXPECT_EQ((*who)->token_id, created->id);
  EXPECT_TRUE((*who)->chapters.empty());
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE organization_id = $1 AND actor = 'cli'"
                  " AND action = 'token.create' AND detail = $2",
                  org_, "token:" + std::to_string(created->id) + " role:organizer"),
            1);

  // The same hash under another organization, a revoked token, a made-up hash: nobody.
  auto elsewhere = store_->Authenticate(presented->hash, org_ + 1000);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE(elsewhere->has_value());
  Sql("UPDATE api_tokens SET revoked_at = now() WHERE organization_id = $1 AND id = $2", org_,
      created->id);
  auto revoked = store_->Authenticate(presented->hash, org_);
  ASSERT_TRUE(revoked.ok());
  EXPECT_FALSE(revoked->has_value());
  auto unknown = store_->Authenticate(std::string(64, 'a'), org_);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
}

TEST_F(PgApiStoreTest, ALeadersTokenReachesTheirChapterAndEveryChapterBelowIt) {
  const api::Principal leader = Login(api::Role::kChapterLeader, "maharashtra");
  EXPECT_EQ(leader.role, api::Role::kChapterLeader);
  EXPECT_THAT(leader.chapters, UnorderedElementsAre(maharashtra_, pune_));
}

TEST_F(PgApiStoreTest, TokenCreationRefusesWhatItCannotScope) {
  auto no_chapter = store_->CreateToken("acme", api::Role::kChapterLeader, "", "", "cli");
  ASSERT_FALSE(no_chapter.ok());
  EXPECT_EQ(no_chapter.error().code, ErrorCode::kInvalidArgument);
  auto stray_chapter = store_->CreateToken("acme", api::Role::kViewer, "pune", "", "cli");
  ASSERT_FALSE(stray_chapter.ok());
  EXPECT_EQ(stray_chapter.error().code, ErrorCode::kInvalidArgument);
  auto no_org = store_->CreateToken("nobody", api::Role::kOwner, "", "", "cli");
  ASSERT_FALSE(no_org.ok());
  EXPECT_EQ(no_org.error().code, ErrorCode::kNotFound);
  auto no_such_chapter = store_->CreateToken("acme", api::Role::kChapterLeader, "mumbai", "", "cli");
  ASSERT_FALSE(no_such_chapter.ok());
  EXPECT_EQ(no_such_chapter.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Count("SELECT count(*) FROM api_tokens"), 0);
}

TEST_F(PgApiStoreTest, ALeaderSearchesOnlyTheirChaptersWhateverTheQuery) {
  const api::Principal leader = Login(api::Role::kChapterLeader, "maharashtra");
  EXPECT_THAT(Ids(leader), ElementsAre(in_pune_, in_maharashtra_));
  api::MemberQuery volunteers;
  volunteers.tag = "volunteer";
  EXPECT_THAT(Ids(leader, volunteers), ElementsAre(in_pune_));  // not the Delhi volunteer
  api::MemberQuery opted_out;
  opted_out.status = api::MemberStatus::kOptedOut;
  EXPECT_THAT(Ids(leader, opted_out), ElementsAre());  // the Delhi member is out of reach

  auto outside = store_->Member(leader, in_delhi_, true);
  ASSERT_TRUE(outside.ok());
  EXPECT_FALSE(outside->has_value());
  auto inside = store_->Member(leader, in_pune_, true);
  ASSERT_TRUE(inside.ok() && inside->has_value());
  EXPECT_EQ((*inside)->phone, kAlice);
}

TEST_F(PgApiStoreTest, AnOrganizerFiltersByChapterSubtreeTagFieldLanguageAndStatus) {
  const api::Principal organizer = Login(api::Role::kOrganizer);
  EXPECT_THAT(Ids(organizer), ElementsAre(in_pune_, in_maharashtra_, in_delhi_, nowhere_));
  api::MemberQuery q;
  q.chapter = "maharashtra";
  EXPECT_THAT(Ids(organizer, q), ElementsAre(in_pune_, in_maharashtra_));
  q = {};
  q.tag = "volunteer";
  EXPECT_THAT(Ids(organizer, q), ElementsAre(in_pune_, in_delhi_));
  q = {};
  q.field_name = "zip";
  q.field_value = "400001";
  EXPECT_THAT(Ids(organizer, q), ElementsAre(in_maharashtra_));
  q = {};
  q.language = "hi";
  EXPECT_THAT(Ids(organizer, q), ElementsAre(in_pune_));
  q = {};
  q.status = api::MemberStatus::kActive;
  EXPECT_THAT(Ids(organizer, q), ElementsAre(in_pune_, in_maharashtra_));
  q.status = api::MemberStatus::kOptedOut;
  EXPECT_THAT(Ids(organizer, q), ElementsAre(in_delhi_));
  q.status = api::MemberStatus::kContact;
  EXPECT_THAT(Ids(organizer, q), ElementsAre(nowhere_));
  q = {};
  q.chapter = "mumbai";
  auto unknown = store_->SearchMembers(organizer, q, true);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_F(PgApiStoreTest, PagesWalkEveryMemberOnceInIdOrderWithTheirDetails) {
  const api::Principal organizer = Login(api::Role::kOrganizer);
  api::MemberQuery q;
  q.limit = 1;
  std::vector<api::MemberView> seen;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = store_->SearchMembers(organizer, q, false);
    ASSERT_TRUE(page.ok());
    for (auto& m : page->members) seen.push_back(m);
    if (page->next_after == 0) break;
    q.after_id = page->next_after;
  }
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].id, in_pune_);
  EXPECT_EQ(seen[3].id, nowhere_);
  EXPECT_EQ(seen[0].phone, "") << "personal data only when asked for";
  EXPECT_THAT(seen[0].chapters, ElementsAre("pune"));
  EXPECT_THAT(seen[0].tags, ElementsAre("volunteer"));
  EXPECT_EQ(seen[0].fields.at("zip"), "411001");
  EXPECT_EQ(seen[0].language, "hi");
  EXPECT_EQ(seen[0].status, api::MemberStatus::kActive);
  EXPECT_FALSE(seen[0].joined_at.empty());
  EXPECT_TRUE(seen[3].joined_at.empty());
}

TEST_F(PgApiStoreTest, MemberTagsFollowEveryChangeOfTheMembersTags) {
  const auto rows_equal = [&] {
    return Count("SELECT count(*) FROM (SELECT organization_id, tag, member_id FROM member_tags"
                 " EXCEPT SELECT m.organization_id, t, m.id FROM members m, unnest(m.tags) t"
                 " UNION ALL SELECT m.organization_id, t, m.id FROM members m, unnest(m.tags) t"
                 " EXCEPT SELECT organization_id, tag, member_id FROM member_tags) d") == 0;
  };
  EXPECT_TRUE(rows_equal());
  EXPECT_EQ(Count("SELECT count(*) FROM member_tags WHERE tag = 'volunteer'"), 2);
  Sql("UPDATE members SET tags = ARRAY['donor', 'volunteer'] WHERE id = $1", in_maharashtra_);
  Sql("UPDATE members SET tags = ARRAY['donor'] WHERE id = $1", in_pune_);
  Sql("UPDATE members SET language = 'en' WHERE id = $1", in_delhi_);  // tags untouched
  EXPECT_TRUE(rows_equal());
  EXPECT_EQ(Count("SELECT count(*) FROM member_tags WHERE tag = 'donor'"), 2);
  const api::Principal organizer = Login(api::Role::kOrganizer);
  ASSERT_TRUE(store_->Erase(organizer, in_maharashtra_).ok());
  EXPECT_TRUE(rows_equal());
  EXPECT_EQ(Count("SELECT count(*) FROM member_tags WHERE member_id = $1", in_maharashtra_), 0);
}

TEST_F(PgApiStoreTest, ATagAndChapterSearchPagesEveryMatchOnceWithOrWithoutOtherFilters) {
  // 40 more members: every third tagged "canvasser", every other one in Pune, some in Hindi.
  std::vector<MemberId> tagged_in_pune, hindi;
  for (int i = 0; i < 40; ++i) {
    const bool tagged = i % 3 == 0, in_pune = i % 2 == 0;
    const MemberId id = Member("+1500555" + std::to_string(2000 + i), in_pune ? pune_ : delhi_,
                               tagged ? "{canvasser,volunteer}" : "{volunteer}", "{}");
    if (i % 4 == 0) Sql("UPDATE members SET language = 'hi' WHERE id = $1", id);
    if (tagged && in_pune) tagged_in_pune.push_back(id);
    if (tagged && in_pune && i % 4 == 0) hindi.push_back(id);
  }
  const api::Principal organizer = Login(api::Role::kOrganizer);
  const auto walk = [&](api::MemberQuery q) {
    std::vector<MemberId> seen;
    q.limit = 2;
    for (int guard = 0; guard < 50; ++guard) {
      auto page = store_->SearchMembers(organizer, q, false);
      EXPECT_TRUE(page.ok());
      if (!page.ok()) break;
      for (const auto& m : page->members) seen.push_back(m.id);
      if (page->next_after == 0) break;
      q.after_id = page->next_after;
    }
    return seen;
  };
  api::MemberQuery q;
  q.chapter = "maharashtra";  // Pune is below it
  q.tag = "canvasser";
  EXPECT_EQ(walk(q), tagged_in_pune);
  q.language = "hi";
  EXPECT_EQ(walk(q), hindi);
  q.language.reset();
  q.chapter = "national";
  q.tag = "nobody-has-this";
  EXPECT_TRUE(walk(q).empty());
}

TEST_F(PgApiStoreTest, ARepliedKeyIsOneEventAndALeaderCannotReplyOutsideTheirChapters) {
  const std::int64_t delhi_talk = Value<std::int64_t>(
      "INSERT INTO conversations (organization_id, member_id, channel_id, kind)"
      " VALUES ($1, $2, $3, 'hand_off') RETURNING id",
      org_, in_delhi_, sms_);
  const api::Principal organizer = Login(api::Role::kOrganizer);
  auto first = store_->Reply(organizer, delhi_talk, "We hear you.", "key-1");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->kind, api::ReplyOutcome::Kind::kQueued);
  EXPECT_FALSE(first->repeated);
  auto again = store_->Reply(organizer, delhi_talk, "We hear you.", "key-1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->repeated);
  EXPECT_EQ(again->event_id, first->event_id);
  auto other = store_->Reply(organizer, delhi_talk + 1, "We hear you.", "key-1");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->kind, api::ReplyOutcome::Kind::kKeyReused);
  EXPECT_EQ(Count("SELECT count(*) FROM member_events WHERE kind = 'organizer_reply'"
                  " AND payload->>'text' = 'We hear you.' AND member_id = $1",
                  in_delhi_),
            1);
  // The audit log names the conversation and the event, never the words.
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'conversation.reply'"
                  " AND actor = $1 AND detail NOT LIKE '%hear%'",
                  organizer.Actor()),
            1);

  const api::Principal leader = Login(api::Role::kChapterLeader, "maharashtra");
  auto outside = store_->Reply(leader, delhi_talk, "Hi from Pune", "");
  ASSERT_TRUE(outside.ok());
  EXPECT_EQ(outside->kind, api::ReplyOutcome::Kind::kNotFound);
  auto close = store_->Close(leader, delhi_talk);
  ASSERT_TRUE(close.ok());
  EXPECT_FALSE(*close);
  auto listed = store_->Conversations(leader, api::ConversationQuery{}, true);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->conversations.empty());

  auto closed = store_->Close(organizer, delhi_talk);
  ASSERT_TRUE(closed.ok());
  EXPECT_TRUE(*closed);
  auto after = store_->Reply(organizer, delhi_talk, "Anyone?", "");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->kind, api::ReplyOutcome::Kind::kClosed);
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE action = 'conversation.close'"), 1);
}

TEST_F(PgApiStoreTest, ErasureLeavesNoTraceOfThePhoneNumberOrTheStoryButKeepsTheOptOut) {
  const std::int64_t talk = Value<std::int64_t>(
      "INSERT INTO conversations (organization_id, member_id, channel_id, kind)"
      " VALUES ($1, $2, $3, 'story') RETURNING id",
      org_, in_delhi_, sms_);
  Sql("INSERT INTO stories (organization_id, member_id, conversation_id, body, place)"
      " VALUES ($1, $2, $3, 'Evicted by Mr Quigley', 'Karol Bagh')",
      org_, in_delhi_, talk);
  Sql("INSERT INTO actions (organization_id, member_id, kind, value) VALUES ($1, $2, 'pledge', 'Quigley')",
      org_, in_delhi_);
  InsertOutbound({.channel = sms_, .member = in_delhi_, .recipient = "+15005550103",
                  .body = "Hi Quigley"});
  Sql("INSERT INTO inbound_messages (organization_id, channel_id, carrier_message_id, sender,"
      " sender_is_e164, recipient, body, member_id)"
      " VALUES ($1, $2, 'SM-erase-1', '+15005550103', true, '+15005550000', 'Quigley again', $3)",
      org_, sms_, in_delhi_);
  const auto columns_holding = [&](const std::string& needle) {
    std::vector<std::string> hits;
    for (const auto& col : Sql("SELECT table_name, column_name FROM information_schema.columns"
                               " WHERE table_schema = 'public' AND data_type IN"
                               " ('text', 'character varying', 'jsonb', 'ARRAY')")) {
      const std::string where = "\"" + col[0].as<std::string>() + "\".\"" +
                                col[1].as<std::string>() + "\"";
      if (Count("SELECT count(*) FROM \"" + col[0].as<std::string>() + "\" WHERE \"" +
                    col[1].as<std::string>() + "\"::text LIKE '%' || $1 || '%'",
                needle) > 0) {
        hits.push_back(where);
      }
    }
    return hits;
  };
  ASSERT_FALSE(columns_holding("5005550103").empty());
  ASSERT_FALSE(columns_holding("Quigley").empty());

  const api::Principal leader = Login(api::Role::kChapterLeader, "maharashtra");
  auto refused = store_->Erase(leader, in_delhi_);
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(*refused) << "outside the leader's chapters";
  const api::Principal organizer = Login(api::Role::kOrganizer);
  auto erased = store_->Erase(organizer, in_delhi_);
  ASSERT_TRUE(erased.ok());
  EXPECT_TRUE(*erased);
  EXPECT_THAT(columns_holding("5005550103"), ::testing::IsEmpty());
  EXPECT_THAT(columns_holding("Quigley"), ::testing::IsEmpty());
  EXPECT_THAT(columns_holding("Karol Bagh"), ::testing::IsEmpty());
  EXPECT_EQ(Count("SELECT count(*) FROM opt_outs WHERE organization_id = $1 AND member_id = $2",
                  org_, in_delhi_),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM outbound_messages WHERE member_id = $1 AND status = 'cancelled'",
                  in_delhi_),
            1);
  EXPECT_THAT(Ids(organizer), ElementsAre(in_pune_, in_maharashtra_, nowhere_));
  auto again = store_->Erase(organizer, in_delhi_);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

}  // namespace
}  // namespace chorus::store::pg
