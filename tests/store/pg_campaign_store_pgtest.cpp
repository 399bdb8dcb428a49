#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/pg/pg_campaign_store.hpp"
#include "store/pg/pg_workspace_store.hpp"
#include "store/store_fixtures.hpp"
#include "workspace/file/flow_file.hpp"

namespace chorus::store::pg {
namespace {

using workspace::Definition;
using workspace::OrganizationCatalog;

// Flows as the workspace file stores them (chorus.v1.Flow JSON). V2 changes V1's text; kWelcomeV1
// written with other spacing and key order is the same definition.
constexpr const char* kWelcomeV1 = R"({"slug": "welcome", "steps": [
  {"id": "hello", "kind": "SEND", "text": {"en": "Welcome to Acme!"}}]})";
constexpr const char* kWelcomeV1Reordered =
    R"({ "steps" : [ { "text" : { "en" : "Welcome to Acme!" }, "kind" : "SEND", "id" : "hello" } ],
        "slug" : "welcome" })";
constexpr const char* kWelcomeV2 = R"({"slug": "welcome", "steps": [
  {"id": "hello", "kind": "SEND", "text": {"en": "Welcome to Acme, {{first_name|friend}}!"}}]})";
constexpr const char* kRally = R"({"slug": "rally", "steps": [
  {"id": "hello", "kind": "SEND", "text": {"en": "Rally at noon."}}]})";

workspace::FlowDefinition FlowOf(const std::string& json) {
  auto flow = workspace::file::ParseFlowJson(json);
  EXPECT_TRUE(flow.ok()) << json;
  return {flow.ok() ? *flow : flows::Flow{}, json};
}

Definition WithFlows(std::initializer_list<const char*> flows) {
  Definition d = AcmeDefinition();
  for (const char* json : flows) d.flows.push_back(FlowOf(json));
  return d;
}

workspace::ChapterDefinition ChapterOf(std::string slug, std::string parent,
                                       std::string time_zone = "") {
  workspace::ChapterDefinition c;
  c.name = "Acme " + slug;
  c.postal_codes = {slug == "pune" ? "411" : "4"};
  c.slug = std::move(slug);
  c.parent = std::move(parent);
  c.country = "IN";
  c.time_zone = std::move(time_zone);
  return c;
}

workspace::EventDefinition EventOf(std::string slug, std::string starts, std::string ends,
                                   std::string zone) {
  workspace::EventDefinition e;
  e.slug = std::move(slug);
  e.title = {{"en", "Rally " + e.slug}};
  e.starts_local = std::move(starts);
  e.ends_local = std::move(ends);
  e.time_zone = std::move(zone);
  return e;
}

// A UTC instant from its civil date and time, computed without the database.
TimePoint Utc(int y, unsigned mo, unsigned d, int h, int mi = 0) {
  using namespace std::chrono;
  return TimePoint(sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi});
}

class PgCampaignStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StoreTest::SetUp());
    store_ = std::make_unique<PgWorkspaceStore>(url(), TestKeyring());
  }

  ApplySummary Apply(const Definition& d) {
    auto applied = store_->Apply(d);
    EXPECT_TRUE(applied.ok()) << applied.error().message;
    if (applied.ok()) org_ = applied->organization_id;
    return applied.ok() ? *applied : ApplySummary{};
  }

  workspace::SnapshotPtr Load() {
    auto snapshot = store_->LoadSnapshot();
    EXPECT_TRUE(snapshot.ok()) << snapshot.error().message;
    return snapshot.ok() ? *snapshot : nullptr;
  }

  std::optional<int> ActiveVersion(const std::string& slug) {
    const pqxx::result rows = Sql(
        "SELECT active_version FROM flows WHERE organization_id = $1 AND slug = $2", org_, slug);
    if (rows.size() != 1 || rows[0][0].is_null()) return std::nullopt;
    return rows[0][0].as<int>();
  }

  std::int64_t Versions(const std::string& slug) {
    return Count(
        "SELECT count(*) FROM flow_versions v JOIN flows f ON f.organization_id ="
        " v.organization_id AND f.id = v.flow_id WHERE f.slug = $1",
        slug);
  }

  // The text of the first step of a loaded flow version.
  static std::string FirstText(const flows::Flow* flow) {
    if (flow == nullptr || flow->steps.empty()) return "(none)";
    return flow->steps.front().text.at("en");
  }

  MemberId InsertMember(const std::string& phone) {
    return Value<MemberId>(
        "INSERT INTO members (organization_id, phone_e164) VALUES ($1, $2) RETURNING id", org_,
        phone);
  }

  std::unique_ptr<PgWorkspaceStore> store_;
  OrganizationId org_ = 0;
};

// ---- flows and their versions ------------------------------------------------------------

TEST_F(PgCampaignStoreTest, AFlowVersionIsCreatedOnceAndApplyingItAgainCreatesNone) {
  const Definition d = WithFlows({kWelcomeV1});
  EXPECT_EQ(Apply(d).flow_versions_created, 1);
  const ApplySummary again = Apply(d);
  EXPECT_EQ(again.flow_versions_created, 0);
  EXPECT_EQ(again.flows, 1);
  EXPECT_EQ(Versions("welcome"), 1);
  EXPECT_EQ(ActiveVersion("welcome"), 1);
}

TEST_F(PgCampaignStoreTest, AFlowWrittenWithOtherSpacingAndKeyOrderIsTheSameVersion) {
  Apply(WithFlows({kWelcomeV1}));
  EXPECT_EQ(Apply(WithFlows({kWelcomeV1Reordered})).flow_versions_created, 0);
  EXPECT_EQ(Versions("welcome"), 1);
}

TEST_F(PgCampaignStoreTest, AChangedFlowMakesVersionTwoAndActivatesIt) {
  Apply(WithFlows({kWelcomeV1}));
  EXPECT_EQ(Apply(WithFlows({kWelcomeV2})).flow_versions_created, 1);
  EXPECT_EQ(Versions("welcome"), 2);
  EXPECT_EQ(ActiveVersion("welcome"), 2);
  const auto snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  const flows::Flow* active = snapshot->Catalog(org_)->ActiveFlow("welcome");
  ASSERT_NE(active, nullptr);
  EXPECT_EQ(active->version, 2);
  EXPECT_EQ(FirstText(active), "Welcome to Acme, {{first_name|friend}}!");
  EXPECT_EQ(snapshot->Catalog(org_)->FlowVersion("welcome", 1), nullptr)
      << "nobody is on version 1: it is not loaded";
}

TEST_F(PgCampaignStoreTest, ApplyingTheFirstDefinitionAgainRollsBackToVersionOneWithoutAThird) {
  Apply(WithFlows({kWelcomeV1}));
  Apply(WithFlows({kWelcomeV2}));
  const ApplySummary rolled_back = Apply(WithFlows({kWelcomeV1}));
  EXPECT_EQ(rolled_back.flow_versions_created, 0);
  EXPECT_EQ(Versions("welcome"), 2);
  EXPECT_EQ(ActiveVersion("welcome"), 1);
  const auto snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  const flows::Flow* active = snapshot->Catalog(org_)->ActiveFlow("welcome");
  ASSERT_NE(active, nullptr);
  EXPECT_EQ(active->version, 1);
  EXPECT_EQ(FirstText(active), "Welcome to Acme!");

  EXPECT_EQ(Apply(WithFlows({kWelcomeV2})).flow_versions_created, 0) << "and forward again";
  EXPECT_EQ(ActiveVersion("welcome"), 2);
}

TEST_F(PgCampaignStoreTest, AFlowMissingFromTheFileIsPausedAndComesBackOnItsVersion) {
  Apply(WithFlows({kWelcomeV1, kRally}));
  const ApplySummary without = Apply(WithFlows({kWelcomeV1}));
  EXPECT_EQ(without.flow_versions_created, 0);
  EXPECT_EQ(ActiveVersion("rally"), std::nullopt) << "paused: active_version is NULL";
  EXPECT_EQ(ActiveVersion("welcome"), 1);
  EXPECT_EQ(Versions("rally"), 1) << "its versions are kept";
  auto snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->Catalog(org_)->ActiveFlow("rally"), nullptr);
  EXPECT_NE(snapshot->Catalog(org_)->ActiveFlow("welcome"), nullptr);

  EXPECT_EQ(Apply(WithFlows({kWelcomeV1, kRally})).flow_versions_created, 0);
  EXPECT_EQ(ActiveVersion("rally"), 1);
  snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  EXPECT_NE(snapshot->Catalog(org_)->ActiveFlow("rally"), nullptr);
}

TEST_F(PgCampaignStoreTest, TheSnapshotStillLoadsTheVersionAMembersActiveSessionIsOn) {
  const ApplySummary first = Apply(WithFlows({kWelcomeV1}));
  const MemberId alice = InsertMember(kAlice);
  const ChannelId sms = Value<ChannelId>("SELECT id FROM channels WHERE slug = 'acme-sms'");
  const std::int64_t session = Value<std::int64_t>(
      "INSERT INTO flow_sessions (organization_id, member_id, channel_id, flow_slug, version,"
      " state) VALUES ($1, $2, $3, 'welcome', 1, '{\"step\": \"hello\"}') RETURNING id",
      first.organization_id, alice, sms);
  Apply(WithFlows({kWelcomeV2}));

  auto snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  const OrganizationCatalog* catalog = snapshot->Catalog(org_);
  EXPECT_EQ(FirstText(catalog->FlowVersion("welcome", 1)), "Welcome to Acme!")
      << "Alice finishes on the version she began";
  ASSERT_NE(catalog->ActiveFlow("welcome"), nullptr);
  EXPECT_EQ(catalog->ActiveFlow("welcome")->version, 2) << "newcomers start version 2";

  Apply(AcmeDefinition());  // the flow is paused; Alice is still in it
  snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->Catalog(org_)->ActiveFlow("welcome"), nullptr);
  EXPECT_NE(snapshot->Catalog(org_)->FlowVersion("welcome", 1), nullptr);

  Sql("UPDATE flow_sessions SET active = false, ended_at = now() WHERE id = $1", session);
  snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->Catalog(org_)->FlowVersion("welcome", 1), nullptr)
      << "an ended session does not keep its version loaded";
}

// ---- chapters ----------------------------------------------------------------------------

TEST_F(PgCampaignStoreTest, ChaptersFormATreeByTheirParentsSlugs) {
  Definition d = AcmeDefinition();
  d.chapters = {ChapterOf("national", ""), ChapterOf("mh", "national", "Asia/Kolkata"),
                ChapterOf("pune", "mh"), ChapterOf("nyc", "national", "America/New_York")};
  d.chapters[2].postal_codes = {"411", "4120"};
  EXPECT_EQ(Apply(d).chapters, 4);
  const auto snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  const OrganizationCatalog* catalog = snapshot->Catalog(org_);
  const workspace::Chapter* pune = catalog->ChapterBySlug("pune");
  ASSERT_NE(pune, nullptr);
  EXPECT_EQ(pune->parent, "mh");
  EXPECT_EQ(pune->name, "Acme pune");
  EXPECT_EQ(pune->country, "IN");
  EXPECT_THAT(pune->postal_codes, ::testing::ElementsAre("411", "4120"));
  EXPECT_EQ(pune->time_zone, "");
  ASSERT_NE(catalog->ChapterBySlug("mh"), nullptr);
  EXPECT_EQ(catalog->ChapterBySlug("mh")->parent, "national");
  EXPECT_EQ(catalog->ChapterBySlug("mh")->time_zone, "Asia/Kolkata");
  EXPECT_EQ(catalog->ChapterBySlug("national")->parent, "");
  EXPECT_EQ(Count("SELECT count(*) FROM chapters c JOIN chapters p ON p.id = c.parent_id"
                  " WHERE c.slug = 'pune' AND p.slug = 'mh'"),
            1);

  // Pune moves directly under the national chapter.
  d.chapters[2].parent = "national";
  Apply(d);
  const auto moved = Load();
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(moved->Catalog(org_)->ChapterBySlug("pune")->parent, "national");
  EXPECT_EQ(moved->Catalog(org_)->ChapterBySlug("pune")->id, pune->id);
}

TEST_F(PgCampaignStoreTest, ARemovedChapterIsArchivedUnloadedAndComesBackWithItsId) {
  Definition d = AcmeDefinition();
  d.chapters = {ChapterOf("national", ""), ChapterOf("pune", "national")};
  Apply(d);
  const std::int64_t pune = Value<std::int64_t>("SELECT id FROM chapters WHERE slug = 'pune'");
  const MemberId alice = InsertMember(kAlice);
  Sql("INSERT INTO member_chapters (organization_id, member_id, chapter_id) VALUES ($1, $2, $3)",
      org_, alice, pune);

  Definition without = d;
  without.chapters.pop_back();
  Apply(without);
  auto snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->Catalog(org_)->ChapterBySlug("pune"), nullptr);
  EXPECT_NE(snapshot->Catalog(org_)->ChapterBySlug("national"), nullptr);
  EXPECT_EQ(Count("SELECT count(*) FROM chapters WHERE id = $1 AND archived_at IS NOT NULL", pune),
            1)
      << "archived, not deleted";
  EXPECT_EQ(Count("SELECT count(*) FROM member_chapters WHERE chapter_id = $1", pune), 1)
      << "members' history keeps naming it";

  Apply(d);
  snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  const workspace::Chapter* back = snapshot->Catalog(org_)->ChapterBySlug("pune");
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->id, pune);
  EXPECT_EQ(back->parent, "national");
}

// ---- events ------------------------------------------------------------------------------

struct EventTimes {
  std::string name;
  std::string starts_local, ends_local, zone;
  TimePoint starts_at, ends_at;
};

TEST_F(PgCampaignStoreTest, EventTimesAreReadInTheEventsZoneAcrossDaylightSavingChanges) {
  // US daylight saving time in 2026 starts Sunday 8 March at 02:00 (to 03:00 EDT, UTC-4) and
  // ends Sunday 1 November at 02:00 (to 01:00 EST, UTC-5); India keeps UTC+5:30 all year.
  const std::vector<EventTimes> cases = {
      {"ny-saturday-before-spring", "2026-03-07T10:00", "", "America/New_York", Utc(2026, 3, 7, 15),
       Utc(2026, 3, 7, 17)},
      {"ny-spring-forward-day", "2026-03-08T10:00", "2026-03-08T12:00", "America/New_York",
       Utc(2026, 3, 8, 14), Utc(2026, 3, 8, 16)},
      // 01:00 EST to 04:00 EDT: three hours on the wall clock, two elapsed.
      {"ny-across-spring-forward", "2026-03-08T01:00", "2026-03-08T04:00", "America/New_York",
       Utc(2026, 3, 8, 6), Utc(2026, 3, 8, 8)},
      // The default end is two hours after the start, elapsed: 03:30 EDT on the wall clock.
      {"ny-default-end-across-spring-forward", "2026-03-08T01:30", "", "America/New_York",
       Utc(2026, 3, 8, 6, 30), Utc(2026, 3, 8, 8, 30)},
      {"ny-saturday-before-fall", "2026-10-31T10:00", "", "America/New_York", Utc(2026, 10, 31, 14),
       Utc(2026, 10, 31, 16)},
      {"ny-fall-back-day", "2026-11-01T10:00", "", "America/New_York", Utc(2026, 11, 1, 15),
       Utc(2026, 11, 1, 17)},
      // 00:30 EDT to 03:00 EST: two and a half hours on the wall clock, three and a half elapsed.
      {"ny-across-fall-back", "2026-11-01T00:30", "2026-11-01T03:00", "America/New_York",
       Utc(2026, 11, 1, 4, 30), Utc(2026, 11, 1, 8)},
      {"pune-spring", "2026-03-08T10:00", "", "Asia/Kolkata", Utc(2026, 3, 8, 4, 30),
       Utc(2026, 3, 8, 6, 30)},
      {"pune-fall", "2026-11-01T18:30", "2026-11-01T21:00", "Asia/Kolkata", Utc(2026, 11, 1, 13),
       Utc(2026, 11, 1, 15, 30)},
  };
  Definition d = AcmeDefinition();
  for (const auto& c : cases)
    d.events.push_back(EventOf(c.name, c.starts_local, c.ends_local, c.zone));
  EXPECT_EQ(Apply(d).events, static_cast<int>(cases.size()));
  const auto snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  const OrganizationCatalog* catalog = snapshot->Catalog(org_);
  for (const auto& c : cases) {
    const flows::EventInfo* info = catalog->EventBySlug(c.name);
    ASSERT_NE(info, nullptr) << c.name;
    const workspace::Event* e = catalog->FullEvent(info->id);
    ASSERT_NE(e, nullptr) << c.name;
    EXPECT_EQ(e->starts_at, c.starts_at) << c.name;
    EXPECT_EQ(e->ends_at, c.ends_at) << c.name;
    EXPECT_EQ(e->time_zone, c.zone) << c.name;
  }
  const workspace::Event* spring =
      catalog->FullEvent(catalog->EventBySlug("ny-spring-forward-day")->id);
  EXPECT_EQ(spring->local_date, "Sunday, March 8");
  EXPECT_EQ(spring->local_time, "10:00 AM");
  const workspace::Event* pune = catalog->FullEvent(catalog->EventBySlug("pune-fall")->id);
  EXPECT_EQ(pune->local_date, "Sunday, November 1");
  EXPECT_EQ(pune->local_time, "6:30 PM");
}

TEST_F(PgCampaignStoreTest, FollowUpsAreDueMinutesAfterTheEndOnlyWhenTheEventHasAFollowUpFlow) {
  Definition d = WithFlows({kWelcomeV1, kRally});
  auto both = EventOf("both", "2026-12-05T10:00", "2026-12-05T11:30", "America/New_York");
  both.follow_up_after_seconds = 90 * 60;
  both.attended_flow = "welcome";
  both.absent_flow = "rally";
  auto absent_only = EventOf("absent-only", "2026-12-05T10:00", "", "America/New_York");
  absent_only.follow_up_after_seconds = 15 * 60;
  absent_only.absent_flow = "rally";
  auto none = EventOf("none", "2026-12-05T10:00", "", "America/New_York");
  none.follow_up_after_seconds = 60 * 60;  // minutes without a flow: nothing to start
  d.events = {both, absent_only, none};
  Apply(d);
  auto follow_up = [&](const std::string& slug) {
    const pqxx::result rows =
        Sql("SELECT extract(epoch FROM follow_up_at)::bigint FROM events WHERE slug = $1", slug);
    EXPECT_EQ(rows.size(), 1u);
    if (rows.empty() || rows[0][0].is_null()) return std::optional<TimePoint>();
    return std::optional<TimePoint>(TimePoint(std::chrono::seconds(rows[0][0].as<std::int64_t>())));
  };
  // 11:30 EST is 16:30 UTC.
  EXPECT_EQ(follow_up("both"), Utc(2026, 12, 5, 18));
  EXPECT_EQ(follow_up("absent-only"), Utc(2026, 12, 5, 17, 15));
  EXPECT_EQ(follow_up("none"), std::nullopt);
}

TEST_F(PgCampaignStoreTest, AnEventLoadsItsTitlesPlaceChapterCodeFlowsAndCheckedInTexts) {
  Definition d = WithFlows({kWelcomeV1, kRally});
  d.chapters = {ChapterOf("national", ""), ChapterOf("pune", "national", "Asia/Kolkata")};
  auto e = EventOf("pune-rally", "2026-12-06T18:00", "", "Asia/Kolkata");
  e.title = {{"en", "Pune rally"}, {"hi", "पुणे रैली"}};
  e.checked_in_text = {{"en", "{{org.name}}: welcome to {{event.title}}!"},
                       {"hi", "{{event.title}} में स्वागत है"}};
  e.place = "Shaniwar Wada, Pune";
  e.chapter = "pune";
  e.checkin_code = "4821";
  e.follow_up_after_seconds = 3600;
  e.attended_flow = "welcome";
  e.absent_flow = "rally";
  d.events = {e};
  Apply(d);
  const auto snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  const flows::EventInfo* info = snapshot->Catalog(org_)->EventBySlug("pune-rally");
  ASSERT_NE(info, nullptr);
  const workspace::Event* loaded = snapshot->Catalog(org_)->FullEvent(info->id);
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->title, e.title);
  EXPECT_EQ(loaded->checked_in_text, e.checked_in_text);
  EXPECT_EQ(loaded->place, "Shaniwar Wada, Pune");
  EXPECT_EQ(loaded->chapter, "pune");
  EXPECT_EQ(loaded->checkin_code, "4821");
  EXPECT_EQ(loaded->follow_up_after, std::chrono::seconds(3600));
  EXPECT_EQ(loaded->attended_flow, "welcome");
  EXPECT_EQ(loaded->absent_flow, "rally");
  EXPECT_EQ(loaded->organization_id, org_);

  // Edited texts replace the old ones, languages dropped included.
  d.events[0].checked_in_text = {{"en", "Checked in. Thanks!"}};
  d.events[0].title = {{"en", "Pune rally (moved indoors)"}};
  Apply(d);
  const auto edited = Load();
  ASSERT_NE(edited, nullptr);
  const workspace::Event* again = edited->Catalog(org_)->FullEvent(info->id);
  ASSERT_NE(again, nullptr) << "the same event, by slug";
  EXPECT_EQ(again->checked_in_text, (flows::LocalizedText{{"en", "Checked in. Thanks!"}}));
  EXPECT_EQ(again->title, (flows::LocalizedText{{"en", "Pune rally (moved indoors)"}}));
}

TEST_F(PgCampaignStoreTest, ARemovedEventIsArchivedAndNotLoaded) {
  Definition d = AcmeDefinition();
  d.events = {EventOf("first", "2026-12-05T10:00", "", "UTC"),
              EventOf("second", "2026-12-06T10:00", "", "UTC")};
  Apply(d);
  d.events.pop_back();
  Apply(d);
  const auto snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  EXPECT_NE(snapshot->Catalog(org_)->EventBySlug("first"), nullptr);
  EXPECT_EQ(snapshot->Catalog(org_)->EventBySlug("second"), nullptr);
  EXPECT_EQ(Count("SELECT count(*) FROM events WHERE slug = 'second' AND archived_at IS NOT NULL"),
            1);
}

struct BadZone {
  std::string name;
  std::function<void(Definition&)> edit;
  std::string path;
};

TEST_F(PgCampaignStoreTest, AnUnknownTimeZoneIsRefusedNamingTheFieldAndNothingIsApplied) {
  const std::vector<BadZone> cases = {
      {"organization", [](Definition& d) { d.time_zone = "Mars/Olympus"; },
       "organization.time_zone"},
      {"chapter", [](Definition& d) { d.chapters[1].time_zone = "Mars/Olympus"; },
       "chapters[1].time_zone"},
      {"event", [](Definition& d) { d.events[1].time_zone = "Mars/Olympus"; },
       "events[1].time_zone"},
      {"event with a zone in the wrong case",
       [](Definition& d) { d.events[0].time_zone = "asia/kolkata"; }, "events[0].time_zone"},
  };
  for (const auto& c : cases) {
    Definition d = AcmeDefinition();
    d.time_zone = "America/New_York";
    d.chapters = {ChapterOf("national", ""), ChapterOf("pune", "national", "Asia/Kolkata")};
    d.events = {EventOf("first", "2026-12-05T10:00", "", "Asia/Kolkata"),
                EventOf("second", "2026-12-06T10:00", "", "America/New_York")};
    c.edit(d);
    auto applied = store_->Apply(d);
    ASSERT_FALSE(applied.ok()) << c.name;
    EXPECT_EQ(applied.error().code, ErrorCode::kInvalidArgument) << c.name;
    EXPECT_THAT(applied.error().message, ::testing::StartsWith(c.path + ": unknown time zone"))
        << c.name;
    EXPECT_EQ(Count("SELECT count(*) FROM organizations"), 0) << c.name << ": rolled back";
  }
}

TEST_F(PgCampaignStoreTest, OrganizationTimeZoneAndSegmentBudgetAreStoredAndLoaded) {
  Definition d = AcmeDefinition();
  d.time_zone = "Asia/Kolkata";
  d.segment_budget = 2;
  Apply(d);
  const auto snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  const workspace::Organization* org = snapshot->OrganizationById(org_);
  ASSERT_NE(org, nullptr);
  EXPECT_EQ(org->time_zone, "Asia/Kolkata");
  EXPECT_EQ(org->segment_budget, 2);
}

// ---- webhook secrets ---------------------------------------------------------------------

constexpr const char* kCrmSecret = "whsec-PLAIN-7c1e9a";

// Every row of every table in the public schema, as text, that contains `needle`.
std::int64_t RowsContaining(pqxx::connection& c, const std::string& needle) {
  pqxx::work tx(c);
  std::int64_t found = 0;
  for (const auto& table :
       tx.exec("SELECT quote_ident(table_name) FROM information_schema.tables"
               " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")) {
    found += tx.exec_params1(std::string("SELECT count(*) FROM ") + table[0].c_str() +
                                 " t WHERE strpos(t::text, $1) > 0",
                             needle)[0]
                 .as<std::int64_t>();
  }
  return found;
}

TEST_F(PgCampaignStoreTest, WebhookSecretsAreSealedInTheDatabaseAndOpenedInTheSnapshot) {
  Definition d = AcmeDefinition();
  d.webhook_secrets = {{"crm", kCrmSecret}, {"erp", "whsec-OTHER-22"}};
  Apply(d);
  EXPECT_EQ(Count("SELECT count(*) FROM organization_secrets"), 2);
  EXPECT_EQ(RowsContaining(Connection(), kCrmSecret), 0) << "no column holds it in plain text";
  EXPECT_EQ(RowsContaining(Connection(), "whsec-OTHER-22"), 0);
  EXPECT_EQ(RowsContaining(Connection(), "crm"), 1) << "the check itself finds plain text";

  auto snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  const workspace::Organization* org = snapshot->OrganizationById(org_);
  ASSERT_NE(org, nullptr);
  EXPECT_EQ(org->webhook_secrets,
            (std::map<std::string, std::string>{{"crm", kCrmSecret}, {"erp", "whsec-OTHER-22"}}));

  d.webhook_secrets.erase("erp");
  Apply(d);
  snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->OrganizationById(org_)->webhook_secrets,
            (std::map<std::string, std::string>{{"crm", kCrmSecret}}));
}

TEST_F(PgCampaignStoreTest, ASealedSecretCopiedUnderAnotherNameDoesNotOpen) {
  Definition d = AcmeDefinition();
  d.webhook_secrets = {{"crm", kCrmSecret}};
  Apply(d);
  // A database writer swaps names: the seal is bound to its organization and name.
  Sql("UPDATE organization_secrets SET name = 'erp'");
  auto snapshot = store_->LoadSnapshot();
  ASSERT_FALSE(snapshot.ok());
  EXPECT_EQ(snapshot.error().message.find(kCrmSecret), std::string::npos);
}

TEST_F(PgCampaignStoreTest, ApplyingWebhookSecretsWithoutAKeyringIsRefused) {
  Definition d = AcmeDefinition();
  d.channels.clear();  // no channel credentials either
  d.keywords.clear();
  d.webhook_secrets = {{"crm", kCrmSecret}};
  PgWorkspaceStore without_keyring(url());
  auto applied = without_keyring.Apply(d);
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(applied.error().message, ::testing::StartsWith("organization.webhook_secrets: "));
  EXPECT_EQ(Count("SELECT count(*) FROM organizations"), 0);
}

}  // namespace
}  // namespace chorus::store::pg
