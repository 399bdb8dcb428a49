#include "store/pg/pg_workspace_editor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/pg/pg_watcher.hpp"
#include "store/pg/pg_workspace_store.hpp"
#include "store/store_fixtures.hpp"

namespace chorus::store::pg {
namespace {

using namespace std::chrono_literals;
using workspace::EditOutcome;
using workspace::KeywordDefinition;

// One item at a time: revisions, the audit log, `chorus apply` writing through the same
// statements, and reloads announced for the organization that changed.
class PgWorkspaceEditorTest : public StoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StoreTest::SetUp());
    workspaces_ = std::make_unique<PgWorkspaceStore>(url(), TestKeyring());
    editor_ = std::make_unique<PgWorkspaceEditor>(url(), TestKeyring());
    auto applied = workspaces_->Apply(AcmeDefinition());
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    org_ = applied->organization_id;
  }

  workspace::Editor As(const std::string& key = "") {
    return {org_, "token:7", 7, key, "POST /v1/keywords " + key};
  }

  static KeywordDefinition Rent(const std::string& reply) {
    KeywordDefinition k;
    k.word = "rent";
    k.display_word = "RENT";
    k.reply = reply;
    k.language = "en";
    return k;
  }

  int KeywordRevision(const std::string& word) {
    return Value<int>("SELECT revision FROM keywords WHERE organization_id = $1 AND word = $2",
                      org_, word);
  }

  std::unique_ptr<PgWorkspaceStore> workspaces_;
  std::unique_ptr<PgWorkspaceEditor> editor_;
  OrganizationId org_ = 0;
};

TEST_F(PgWorkspaceEditorTest, AnEditNamesTheRevisionItReplacesAndTheAuditLogKeepsBoth) {
  auto created = editor_->CreateKeyword(As(), Rent("Clinic on Tuesdays."));
  ASSERT_TRUE(created.ok()) << created.error().message;
  ASSERT_EQ(created->outcome, EditOutcome::kDone);
  EXPECT_EQ(created->item.revision, 1);
  const std::int64_t id = created->item.id;

  auto replaced = editor_->ReplaceKeyword(As(), id, 1, Rent("Clinic on Wednesdays."));
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->outcome, EditOutcome::kDone);
  EXPECT_EQ(replaced->item.revision, 2);
  EXPECT_EQ(replaced->item.definition.reply, "Clinic on Wednesdays.");

  auto stale = editor_->ReplaceKeyword(As(), id, 1, Rent("Clinic on Fridays."));
  ASSERT_TRUE(stale.ok());
  EXPECT_EQ(stale->outcome, EditOutcome::kStale);
  EXPECT_EQ(Value<std::string>("SELECT reply FROM keywords WHERE id = $1", id),
            "Clinic on Wednesdays.");
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE actor = 'token:7' AND action ="
                  " 'keyword.replace' AND detail LIKE '%revision:1->2'"),
            1);
  // Texts never reach the audit log.
  EXPECT_EQ(Count("SELECT count(*) FROM audit_log WHERE detail LIKE '%Clinic%'"), 0);
}

TEST_F(PgWorkspaceEditorTest, ACreateRepeatedWithItsKeyIsOneItemAndAnotherWordIsRefused) {
  auto first = editor_->CreateKeyword(As("k1"), Rent("Clinic on Tuesdays."));
  auto again = editor_->CreateKeyword(As("k1"), Rent("Clinic on Tuesdays."));
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_TRUE(again->repeated);
  EXPECT_EQ(again->item.id, first->item.id);
  workspace::Editor other = As("k1");
  other.request = "POST /v1/keywords something else";
  auto reused = editor_->CreateKeyword(other, Rent("Clinic on Tuesdays."));
  ASSERT_TRUE(reused.ok());
  EXPECT_EQ(reused->outcome, EditOutcome::kKeyReused);
  auto exists = editor_->CreateKeyword(As(), Rent("Another reply."));
  ASSERT_TRUE(exists.ok());
  EXPECT_EQ(exists->outcome, EditOutcome::kExists);
  EXPECT_EQ(Count("SELECT count(*) FROM keywords WHERE word = 'rent'"), 1);
}

TEST_F(PgWorkspaceEditorTest, ApplyWritesThroughTheSameItemsAndRaisesOnlyWhatChanged) {
  EXPECT_EQ(KeywordRevision("join"), 1);
  EXPECT_EQ(KeywordRevision("news"), 1);
  workspace::Definition d = AcmeDefinition();
  ASSERT_TRUE(workspaces_->Apply(d).ok());
  EXPECT_EQ(KeywordRevision("join"), 1);  // the same file again changes no revision
  for (auto& k : d.keywords) {
    if (k.word == "news") k.reply = "Acme news: meeting Wednesday 7pm.";
  }
  ASSERT_TRUE(workspaces_->Apply(d).ok());
  EXPECT_EQ(KeywordRevision("join"), 1);
  EXPECT_EQ(KeywordRevision("news"), 2);
  // What the API sees of the file is the file's.
  auto keywords = editor_->Keywords(org_);
  ASSERT_TRUE(keywords.ok());
  ASSERT_EQ(keywords->size(), d.keywords.size());
  auto context = editor_->Context(org_);
  ASSERT_TRUE(context.ok());
  EXPECT_EQ(context->name, d.name);
  EXPECT_EQ(context->channels.size(), d.channels.size());
}

TEST_F(PgWorkspaceEditorTest, AnEditAnnouncesItsOrganizationOnly) {
  PgWatcher watcher(url());
  auto fresh = watcher.WaitForChange(10ms);
  ASSERT_TRUE(fresh.ok() && *fresh);
  EXPECT_EQ(watcher.ChangedOrganizations(), std::nullopt);  // a new connection: reload all

  ASSERT_TRUE(editor_->CreateKeyword(As(), Rent("Clinic on Tuesdays.")).ok());
  auto changed = watcher.WaitForChange(5s);
  ASSERT_TRUE(changed.ok());
  ASSERT_TRUE(*changed);
  EXPECT_EQ(watcher.ChangedOrganizations(), std::set<OrganizationId>{org_});
}

TEST_F(PgWorkspaceEditorTest, AReloadOfOneOrganizationReadsItAndKeepsTheOthersAsTheyWere) {
  workspace::Definition beta = AcmeDefinition();
  beta.slug = "beta";
  beta.name = "Beta Union";
  for (auto& c : beta.channels) c.slug = "beta-" + c.slug;
  for (auto& k : beta.keywords) k.channels.clear();
  auto applied = workspaces_->Apply(beta);
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  const OrganizationId beta_id = applied->organization_id;
  auto before = workspaces_->LoadSnapshot();
  ASSERT_TRUE(before.ok());

  // Both organizations change in the database; only acme is reloaded.
  Sql("UPDATE organizations SET name = name || ' (renamed)'");
  auto part = workspaces_->LoadOrganizations({org_});
  ASSERT_TRUE(part.ok());
  EXPECT_EQ((*part)->organizations().size(), 1u);
  const auto merged = (*before)->Replacing({org_}, **part);
  ASSERT_NE(merged->OrganizationById(org_), nullptr);
  ASSERT_NE(merged->OrganizationById(beta_id), nullptr);
  EXPECT_EQ(merged->OrganizationById(org_)->name, "Acme Tenants Union (renamed)");
  EXPECT_EQ(merged->OrganizationById(beta_id)->name, "Beta Union");
  EXPECT_EQ(merged->channels().size(), (*before)->channels().size());
  const Channel* sms = merged->ChannelBySlug("acme-sms");
  ASSERT_NE(sms, nullptr);
  EXPECT_NE(merged->FindKeyword(*sms, "join"), nullptr);
}

TEST_F(PgWorkspaceEditorTest, AFlowVersionIsStoredWithoutGoingLiveUntilActivated) {
  workspace::FlowDefinition v1;
  v1.flow.slug = "petition";
  v1.json = R"({"slug": "petition", "steps": [{"id": "a", "kind": "END"}]})";
  workspace::FlowDefinition v2 = v1;
  v2.json = R"({"slug": "petition", "steps": [{"id": "b", "kind": "END"}]})";
  auto first = editor_->SaveFlow(As(), v1, true);
  auto second = editor_->SaveFlow(As(), v2, false);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->item.revision, 1);
  EXPECT_EQ(second->item.revision, 2);
  auto flows = editor_->Flows(org_);
  ASSERT_TRUE(flows.ok());
  ASSERT_EQ(flows->size(), 1u);
  EXPECT_EQ(flows->front().active_version, 1);
  EXPECT_EQ(flows->front().latest_version, 2);
  ASSERT_TRUE(editor_->ActivateFlow(As(), "petition", 2).ok());
  auto rolled = editor_->RollBackFlow(As(), "petition");
  ASSERT_TRUE(rolled.ok());
  EXPECT_EQ(rolled->item, 1);
  auto none = editor_->RollBackFlow(As(), "petition");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->outcome, EditOutcome::kNotFound);
  auto unknown = editor_->ActivateFlow(As(), "petition", 9);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(*unknown, EditOutcome::kNotFound);
  auto versions = editor_->FlowVersions(org_, "petition");
  ASSERT_TRUE(versions.ok() && versions->has_value());
  EXPECT_EQ((*versions)->front().created_by, "token:7");
}

TEST_F(PgWorkspaceEditorTest, ChannelCredentialsAreWriteOnlyAndKeptByAReplaceThatSendsNone) {
  auto channels = editor_->Channels(org_);
  ASSERT_TRUE(channels.ok()) << channels.error().message;
  ASSERT_EQ(channels->size(), 2u);
  const auto& sms = channels->front().definition;
  EXPECT_EQ(sms.secrets.at("auth_token"), "");  // named, never read out
  EXPECT_EQ(channels->front().revision, 1);
  ASSERT_TRUE(workspaces_->Apply(AcmeDefinition()).ok());
  auto opened = editor_->ChannelSecrets(org_, "acme-sms");
  ASSERT_TRUE(opened.ok() && opened->has_value());
  EXPECT_EQ((*opened)->at("auth_token"), "test-token");

  workspace::ChannelDefinition changed = AcmeDefinition().channels.front();
  changed.segments_per_second = 3;
  changed.secrets.clear();
  const std::string sealed_before =
      Value<std::string>("SELECT secrets_sealed FROM channels WHERE slug = 'acme-sms'");
  auto replaced = editor_->ReplaceChannel(As(), 1, changed, true);
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  ASSERT_EQ(replaced->outcome, EditOutcome::kDone);
  EXPECT_EQ(replaced->item.revision, 2);
  EXPECT_EQ(replaced->item.definition.secrets.count("auth_token"), 1u);
  EXPECT_EQ(Value<std::string>("SELECT secrets_sealed FROM channels WHERE slug = 'acme-sms'"),
            sealed_before);
  auto still = editor_->ChannelSecrets(org_, "acme-sms");
  ASSERT_TRUE(still.ok() && still->has_value());
  EXPECT_EQ((*still)->at("auth_token"), "test-token");
  // Another organization's slug is refused.
  workspace::ChannelDefinition theirs = changed;
  theirs.secrets = {{"auth_token", "x"}};
  Sql("INSERT INTO organizations (slug, name, default_language) VALUES ('other', 'Other', 'en')");
  workspace::Editor other = As();
  other.organization = Value<OrganizationId>("SELECT id FROM organizations WHERE slug = 'other'");
  auto refused = editor_->CreateChannel(other, theirs);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
}

}  // namespace
}  // namespace chorus::store::pg
