#include "store/pg/pg_workspace_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/pg/pg_inbox_store.hpp"
#include "store/store_fixtures.hpp"

namespace chorus::store::pg {
namespace {

using workspace::Definition;
using workspace::TextKind;

// What every WorkspaceStore does is in tests/store/contract/workspace_contract.hpp; these are
// PostgreSQL's own: rows, history, sealed credentials.
class PgWorkspaceStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StoreTest::SetUp());
    store_ = std::make_unique<PgWorkspaceStore>(url(), TestKeyring());
  }

  ApplySummary Apply(const Definition& d) {
    auto applied = store_->Apply(d);
    EXPECT_TRUE(applied.ok()) << applied.error().message;
    return applied.ok() ? *applied : ApplySummary{};
  }

  workspace::SnapshotPtr Load() {
    auto snapshot = store_->LoadSnapshot();
    EXPECT_TRUE(snapshot.ok()) << snapshot.error().message;
    return snapshot.ok() ? *snapshot : nullptr;
  }

  // Row counts of every table a workspace owns, and the rest of the state an apply may touch.
  std::vector<std::int64_t> RowCounts() {
    std::vector<std::int64_t> counts;
    for (const char* table : {"organizations", "organization_texts",
                              "organization_compliance_words", "channels", "keywords"}) {
      counts.push_back(Count(std::string("SELECT count(*) FROM ") + table));
    }
    counts.push_back(Count("SELECT count(*) FROM channels WHERE enabled"));
    return counts;
  }

  std::unique_ptr<PgWorkspaceStore> store_;
};

Definition WithExtras() {
  Definition d = AcmeDefinition();
  d.loop_guard_max = 5;
  d.loop_guard_window_seconds = 600;
  d.message_body_retention_days = 30;
  d.compliance_words.push_back({"basta ya", compliance::Intent::kOptOut, "es"});
  d.compliance_words.push_back({"ayudame", compliance::Intent::kHelp, "es"});
  d.channels[0].settings["api_base"] = "http://127.0.0.1:9/twilio";
  d.channels[0].secrets["auth_token"] = "s3cr\"et\\,{}";
  return d;
}

TEST_F(PgWorkspaceStoreTest, ApplyingTheSameDefinitionTwiceChangesNothing) {
  const Definition d = WithExtras();
  const ApplySummary first = Apply(d);
  const auto before = Load();
  const auto counts = RowCounts();
  ASSERT_NE(before, nullptr);

  const ApplySummary second = Apply(d);
  const auto after = Load();
  ASSERT_NE(after, nullptr);

  EXPECT_EQ(second.organization_id, first.organization_id);
  EXPECT_EQ(second.channels_disabled, 0);
  EXPECT_EQ(RowCounts(), counts);
  ASSERT_EQ(after->channels().size(), before->channels().size());
  for (const Channel& c : before->channels()) {
    const Channel* same = after->ChannelBySlug(c.slug);
    ASSERT_NE(same, nullptr) << c.slug;
    EXPECT_EQ(same->id, c.id) << c.slug;  // ids are stable: history rows keep pointing at them
    EXPECT_EQ(same->sender, c.sender);
    EXPECT_EQ(same->settings, c.settings);
    EXPECT_EQ(same->secrets, c.secrets);
  }
  const auto* org_before = before->OrganizationById(first.organization_id);
  const auto* org_after = after->OrganizationById(first.organization_id);
  ASSERT_NE(org_after, nullptr);
  EXPECT_EQ(org_after->name, org_before->name);
  EXPECT_EQ(org_after->texts.size(), org_before->texts.size());
  EXPECT_EQ(org_after->texts.at("hi").help, org_before->texts.at("hi").help);
  const Channel& sms = *after->ChannelBySlug("acme-sms");
  ASSERT_NE(after->FindKeyword(sms, "news"), nullptr);
  EXPECT_EQ(after->FindKeyword(sms, "news")->reply, before->FindKeyword(sms, "news")->reply);
}

TEST_F(PgWorkspaceStoreTest, RemovedChannelIsDisabledAndKeepsItsHistory) {
  const ApplySummary first = Apply(AcmeDefinition());
  const auto before = Load();
  ASSERT_NE(before, nullptr);
  const ChannelId alerts = before->ChannelBySlug("acme-alerts")->id;
  PgInboxStore inbox(url());
  ingest::InboundItem in;
  in.organization_id = first.organization_id;
  in.channel_id = alerts;
  in.carrier_message_id = "SMhistory";
  in.sender = kAlice;
  in.sender_is_e164 = true;
  in.recipient = "+15005550007";
  in.body = "hello";
  ASSERT_TRUE(inbox.StoreBatch({in}).ok());

  Definition d = AcmeDefinition();
  d.channels.pop_back();  // acme-alerts is gone
  const ApplySummary second = Apply(d);
  EXPECT_EQ(second.channels, 1);
  EXPECT_EQ(second.channels_disabled, 1);

  const auto after = Load();
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->ChannelBySlug("acme-alerts"), nullptr);
  EXPECT_EQ(after->ChannelById(alerts), nullptr);
  EXPECT_NE(after->ChannelBySlug("acme-sms"), nullptr);
  EXPECT_FALSE(Value<bool>("SELECT enabled FROM channels WHERE id = $1", alerts));
  EXPECT_EQ(Count("SELECT count(*) FROM inbound_messages WHERE channel_id = $1", alerts), 1);

  // Putting it back re-enables the same row, so its history is still its own.
  const ApplySummary third = Apply(AcmeDefinition());
  EXPECT_EQ(third.channels_disabled, 0);
  const auto restored = Load();
  ASSERT_NE(restored, nullptr);
  ASSERT_NE(restored->ChannelBySlug("acme-alerts"), nullptr);
  EXPECT_EQ(restored->ChannelBySlug("acme-alerts")->id, alerts);
}

TEST_F(PgWorkspaceStoreTest, SlugOwnedByAnotherOrganizationIsRefusedAndNothingIsApplied) {
  const ApplySummary acme = Apply(AcmeDefinition());
  const auto counts = RowCounts();

  Definition rival;
  rival.slug = "rival";
  rival.name = "Rival Union";
  rival.texts["en"].help = "Rival help";
  rival.compliance_words.push_back({"nope", compliance::Intent::kOptOut, "en"});
  workspace::ChannelDefinition own;
  own.slug = "rival-sms";
  own.carrier = "twilio";
  own.sender = "+15005550008";
  own.country = "US";
  workspace::ChannelDefinition taken = own;
  taken.slug = "acme-alerts";
  rival.channels = {own, taken};
  workspace::KeywordDefinition kw;
  kw.word = "join";
  kw.display_word = "JOIN";
  kw.reply = "Welcome to Rival";
  kw.language = "en";
  rival.keywords = {kw};

  auto refused = store_->Apply(rival);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_THAT(refused.error().message, ::testing::HasSubstr("channels[1].slug"));

  EXPECT_EQ(RowCounts(), counts);
  EXPECT_EQ(Count("SELECT count(*) FROM organizations WHERE slug = 'rival'"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM channels WHERE slug = 'rival-sms'"), 0);
  const auto snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  const Channel* alerts = snapshot->ChannelBySlug("acme-alerts");
  ASSERT_NE(alerts, nullptr);
  EXPECT_EQ(alerts->organization_id, acme.organization_id);
  EXPECT_EQ(alerts->sender, "+15005550007");

  // The same store (and connection) applies a valid definition afterwards.
  rival.channels.pop_back();
  EXPECT_TRUE(store_->Apply(rival).ok());
}

// ---- Credentials at rest (docs/SECRETS.md) ----

std::shared_ptr<const secrets::Keyring> Ring(const std::string& text) {
  auto ring = secrets::Keyring::Parse(text);
  EXPECT_TRUE(ring.ok()) << ring.error().message;
  return std::make_shared<const secrets::Keyring>(std::move(ring).value());
}

constexpr const char* kTestKeyLine = "test AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n";
constexpr const char* kNewKeyLine = "new ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n";

TEST_F(PgWorkspaceStoreTest, CredentialsAreStoredSealedAndNowhereInPlainText) {
  Apply(WithExtras());
  // The whole row, every column, as text: the token is in none of them.
  const pqxx::result rows = Sql("SELECT channels::text, secrets::text, secrets_key_id FROM channels");
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    EXPECT_THAT(row[0].c_str(), ::testing::Not(::testing::HasSubstr("test-token")));
    EXPECT_THAT(row[0].c_str(), ::testing::Not(::testing::HasSubstr("s3cr")));
    EXPECT_STREQ(row[1].c_str(), "{}");
    EXPECT_STREQ(row[2].c_str(), "test");
  }
  EXPECT_EQ(Count("SELECT count(*) FROM channels WHERE secrets_sealed IS NULL"), 0);
  // Two sealings of the same credentials differ (fresh nonce): nothing to compare across rows.
  Apply(WithExtras());
  EXPECT_EQ(Count("SELECT count(DISTINCT secrets_sealed) FROM channels"), 2);
  const auto snapshot = Load();
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->ChannelBySlug("acme-sms")->secrets.at("auth_token"), "s3cr\"et\\,{}");
  EXPECT_EQ(snapshot->ChannelBySlug("acme-alerts")->secrets.at("auth_token"), "test-token");
}

TEST_F(PgWorkspaceStoreTest, WithoutAKeyFileCredentialsAreNeitherWrittenNorRead) {
  PgWorkspaceStore keyless(url());
  auto applied = keyless.Apply(AcmeDefinition());
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(applied.error().message, ::testing::HasSubstr("CHORUS_SECRETS_KEY_FILE"));
  EXPECT_EQ(Count("SELECT count(*) FROM channels"), 0);  // rolled back

  Apply(AcmeDefinition());
  auto loaded = keyless.LoadSnapshot();
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.error().message, ::testing::HasSubstr("CHORUS_SECRETS_KEY_FILE"));

  // A channel without credentials needs no key.
  Definition plain = AcmeDefinition();
  plain.slug = "plain";
  for (auto& c : plain.channels) {
    c.slug = "plain-" + c.slug;
    c.secrets.clear();
  }
  for (auto& k : plain.keywords) {
    for (auto& slug : k.channels) slug = "plain-" + slug;
  }
  EXPECT_TRUE(keyless.Apply(plain).ok());
}

TEST_F(PgWorkspaceStoreTest, SealedCredentialsDoNotOpenInAnotherRowOrUnderAnotherKey) {
  Apply(AcmeDefinition());
  Sql("UPDATE channels SET secrets_sealed = (SELECT secrets_sealed FROM channels"
      " WHERE slug = 'acme-sms') WHERE slug = 'acme-alerts'");
  auto moved = store_->LoadSnapshot();
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().code, ErrorCode::kPermissionDenied);
  EXPECT_THAT(moved.error().message, ::testing::HasSubstr("acme-alerts"));
  EXPECT_THAT(moved.error().message, ::testing::Not(::testing::HasSubstr("test-token")));

  Apply(AcmeDefinition());
  auto stranger = PgWorkspaceStore(url(), Ring(kNewKeyLine)).LoadSnapshot();
  ASSERT_FALSE(stranger.ok());
  EXPECT_EQ(stranger.error().code, ErrorCode::kNotFound);  // key "test" is not in that file
}

TEST_F(PgWorkspaceStoreTest, RekeySealsEverythingUnderTheNewestKeyIncludingOldPlainText) {
  workspace::Definition with_secret = WithExtras();
  with_secret.webhook_secrets["crm"] = "crm-signing-secret";
  Apply(with_secret);
  // A channel written before migration 0004 kept its credentials in plain text.
  Sql("UPDATE channels SET secrets = '{\"auth_token\": \"legacy-token\"}',"
      " secrets_key_id = NULL, secrets_sealed = NULL WHERE slug = 'acme-alerts'");
  auto before = Load();
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(before->ChannelBySlug("acme-alerts")->secrets.at("auth_token"), "legacy-token");

  PgWorkspaceStore rotated(url(), Ring(std::string(kTestKeyLine) + kNewKeyLine));
  auto resealed = rotated.Rekey();
  ASSERT_TRUE(resealed.ok()) << resealed.error().message;
  EXPECT_EQ(resealed->channels, 2);
  EXPECT_EQ(resealed->webhook_secrets, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM organization_secrets WHERE secrets_key_id = 'new'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM channels WHERE secrets_key_id = 'new'"
                  " AND secrets = '{}'"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM channels WHERE channels::text LIKE '%legacy-token%'"), 0);

  // The old key can go now: the new one alone opens everything.
  auto after = PgWorkspaceStore(url(), Ring(kNewKeyLine)).LoadSnapshot();
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ((*after)->ChannelBySlug("acme-alerts")->secrets.at("auth_token"), "legacy-token");
  EXPECT_EQ((*after)->ChannelBySlug("acme-sms")->secrets.at("auth_token"), "s3cr\"et\\,{}");
  EXPECT_EQ((*after)->organizations().front().webhook_secrets.at("crm"), "crm-signing-secret");
}

}  // namespace
}  // namespace chorus::store::pg
