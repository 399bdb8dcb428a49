#pragma once

// The contract of workspace::WorkspaceStore, as typed tests over a "world":
// FakeWorkspaceStore in the unit binary (fake_workspace_contract_test.cpp), PostgreSQL in the
// pg binary (pg_workspace_contract_pgtest.cpp). Everything is observed through LoadSnapshot.
//
// A world provides, after SetUp, `workspace::WorkspaceStore& store()` on an empty store.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "workspace/workspace_store.hpp"

namespace chorus::testing {

/// One organization with two Twilio channels, English and Hindi texts, an organization word,
/// JOIN on every channel and NEWS on the first; values with quotes, backslashes and braces.
inline workspace::Definition TenantsDefinition() {
  workspace::Definition d;
  d.slug = "tenants";
  d.name = "Tenants Union";
  d.default_language = "en";
  d.texts["en"] = {.help = "Tenants: text JOIN to join, STOP to stop.",
                   .opt_out_confirmation = "Tenants: you are unsubscribed.",
                   .opt_out_all_confirmation = "Tenants: nothing more from any number.",
                   .opt_in_confirmation = "Tenants: subscribed again.",
                   .default_reply = "Tenants here. Reply HELP for help."};
  d.texts["hi"].help = "टेनेंट्स: जुड़ने के लिए JOIN भेजें।";
  d.compliance_words.push_back({"basta ya", compliance::Intent::kOptOut, "es"});
  d.loop_guard_max = 5;
  d.loop_guard_window_seconds = 600;
  d.message_body_retention_days = 30;
  workspace::ChannelDefinition sms{.slug = "tenants-sms",
                                   .carrier = "twilio",
                                   .sender = "+15005550006",
                                   .country = "US",
                                   .segments_per_second = 2.5,
                                   .settings = {{"account_sid", "AC0123456789"},
                                                {"api_base", "http://127.0.0.1:9/twilio"}},
                                   .secrets = {{"auth_token", "s3cr\"et\\,{}"}}};
  workspace::ChannelDefinition alerts = sms;
  alerts.slug = "tenants-alerts";
  alerts.sender = "+15005550007";
  alerts.secrets = {{"auth_token", "plain-token"}};
  d.channels = {sms, alerts};
  d.keywords = {{.word = "join", .display_word = "JOIN", .reply = "Welcome to Tenants!",
                 .opt_in = true, .language = "en"},
                {.word = "news", .display_word = "NEWS", .channels = {"tenants-sms"},
                 .reply = "Meeting Tuesday 7pm.", .language = "en"}};
  return d;
}

template <typename World>
class WorkspaceContract : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(world_.SetUp()); }

  workspace::ApplySummary Apply(const workspace::Definition& d) {
    auto applied = world_.store().Apply(d);
    EXPECT_TRUE(applied.ok()) << applied.error().message;
    return applied.ok() ? *applied : workspace::ApplySummary{};
  }
  workspace::SnapshotPtr Load() {
    auto snapshot = world_.store().LoadSnapshot();
    EXPECT_TRUE(snapshot.ok()) << snapshot.error().message;
    return snapshot.ok() ? *snapshot : nullptr;
  }

  World world_;
};

TYPED_TEST_SUITE_P(WorkspaceContract);

using workspace::TextKind;

TYPED_TEST_P(WorkspaceContract, WhatIsAppliedIsWhatLoads) {
  const workspace::Definition d = TenantsDefinition();
  const workspace::ApplySummary summary = this->Apply(d);
  EXPECT_NE(summary.organization_id, 0);
  EXPECT_EQ(summary.channels, 2);
  EXPECT_EQ(summary.channels_disabled, 0);
  EXPECT_EQ(summary.keywords, 2);  // JOIN once for every channel, NEWS on one

  const auto snapshot = this->Load();
  ASSERT_NE(snapshot, nullptr);
  const workspace::Organization* org = snapshot->OrganizationById(summary.organization_id);
  ASSERT_NE(org, nullptr);
  EXPECT_EQ(org->slug, "tenants");
  EXPECT_EQ(org->name, "Tenants Union");
  EXPECT_EQ(org->loop_guard_max, 5);
  EXPECT_EQ(org->loop_guard_window, std::chrono::seconds(600));
  EXPECT_EQ(org->message_body_retention_days, 30);
  EXPECT_EQ(org->texts.size(), 2u);
  EXPECT_EQ(org->texts.at("en").opt_out_all_confirmation, d.texts.at("en").opt_out_all_confirmation);
  EXPECT_EQ(org->Text(TextKind::kHelp, "hi"), d.texts.at("hi").help);
  EXPECT_EQ(org->Text(TextKind::kDefaultReply, "hi"), d.texts.at("en").default_reply);
  EXPECT_EQ(org->words.Classify("Basta ya!").intent, compliance::Intent::kOptOut);
  EXPECT_EQ(org->words.Classify("STOP").intent, compliance::Intent::kOptOut) << "built-ins stay";

  ASSERT_EQ(snapshot->channels().size(), 2u);
  for (const auto& cd : d.channels) {
    const Channel* c = snapshot->ChannelBySlug(cd.slug);
    ASSERT_NE(c, nullptr) << cd.slug;
    EXPECT_EQ(snapshot->ChannelById(c->id), c);
    EXPECT_EQ(c->organization_id, summary.organization_id);
    EXPECT_EQ(c->carrier, "twilio");
    EXPECT_EQ(c->sender, cd.sender);
    EXPECT_EQ(c->country, "US");
    EXPECT_EQ(c->segments_per_second, 2.5);
    EXPECT_EQ(c->settings, cd.settings);
    EXPECT_EQ(c->secrets, cd.secrets);
  }
  const Channel& sms = *snapshot->ChannelBySlug("tenants-sms");
  const Channel& alerts = *snapshot->ChannelBySlug("tenants-alerts");
  const workspace::Keyword* join = snapshot->FindKeyword(sms, "join");
  ASSERT_NE(join, nullptr);
  EXPECT_EQ(join, snapshot->FindKeyword(alerts, "join")) << "one organization-wide keyword";
  EXPECT_FALSE(join->channel_id.has_value());
  EXPECT_EQ(join->display_word, "JOIN");
  EXPECT_TRUE(join->opt_in);
  ASSERT_NE(snapshot->FindKeyword(sms, "news"), nullptr);
  EXPECT_EQ(snapshot->FindKeyword(sms, "news")->channel_id, std::optional<ChannelId>(sms.id));
  EXPECT_EQ(snapshot->FindKeyword(alerts, "news"), nullptr);
}

TYPED_TEST_P(WorkspaceContract, AChannelsOwnKeywordWinsOverTheOrganizationWideOne) {
  workspace::Definition d = TenantsDefinition();
  workspace::KeywordDefinition local = d.keywords[0];
  local.channels = {"tenants-alerts"};
  local.reply = "Welcome to the alerts!";
  d.keywords.push_back(local);
  this->Apply(d);
  const auto snapshot = this->Load();
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->FindKeyword(*snapshot->ChannelBySlug("tenants-alerts"), "join")->reply,
            "Welcome to the alerts!");
  EXPECT_EQ(snapshot->FindKeyword(*snapshot->ChannelBySlug("tenants-sms"), "join")->reply,
            "Welcome to Tenants!");
}

TYPED_TEST_P(WorkspaceContract, ApplyingTheSameDefinitionAgainChangesNothing) {
  const workspace::ApplySummary first = this->Apply(TenantsDefinition());
  const auto before = this->Load();
  const workspace::ApplySummary second = this->Apply(TenantsDefinition());
  const auto after = this->Load();
  ASSERT_NE(before, nullptr);
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(second.organization_id, first.organization_id);
  EXPECT_EQ(second.channels_disabled, 0);
  ASSERT_EQ(after->channels().size(), before->channels().size());
  for (const Channel& c : before->channels()) {
    const Channel* same = after->ChannelBySlug(c.slug);
    ASSERT_NE(same, nullptr) << c.slug;
    EXPECT_EQ(same->id, c.id) << "ids are stable: history keeps pointing at them";
    EXPECT_EQ(same->secrets, c.secrets);
  }
}

TYPED_TEST_P(WorkspaceContract, ANewDefinitionReplacesTheOldOne) {
  this->Apply(TenantsDefinition());
  workspace::Definition d = TenantsDefinition();
  d.name = "Tenants";
  d.texts.erase("hi");
  d.compliance_words.clear();
  d.keywords.pop_back();  // NEWS is gone
  d.channels[0].sender = "+15005550009";
  d.channels[0].settings.erase("api_base");
  d.message_body_retention_days = 7;
  const workspace::ApplySummary summary = this->Apply(d);
  const auto snapshot = this->Load();
  ASSERT_NE(snapshot, nullptr);
  const auto* org = snapshot->OrganizationById(summary.organization_id);
  ASSERT_NE(org, nullptr);
  EXPECT_EQ(org->name, "Tenants");
  EXPECT_EQ(org->texts.count("hi"), 0u);
  EXPECT_EQ(org->message_body_retention_days, 7);
  EXPECT_EQ(org->words.Classify("basta ya").intent, compliance::Intent::kNone);
  const Channel* sms = snapshot->ChannelBySlug("tenants-sms");
  ASSERT_NE(sms, nullptr);
  EXPECT_EQ(sms->sender, "+15005550009");
  EXPECT_EQ(sms->settings.count("api_base"), 0u);
  EXPECT_EQ(snapshot->FindKeyword(*sms, "news"), nullptr);
}

TYPED_TEST_P(WorkspaceContract, ARemovedChannelLeavesTheSnapshotAndComesBackAsItself) {
  this->Apply(TenantsDefinition());
  const ChannelId alerts = this->Load()->ChannelBySlug("tenants-alerts")->id;
  workspace::Definition d = TenantsDefinition();
  d.channels.pop_back();
  const workspace::ApplySummary removed = this->Apply(d);
  EXPECT_EQ(removed.channels, 1);
  EXPECT_EQ(removed.channels_disabled, 1);
  const auto without = this->Load();
  ASSERT_NE(without, nullptr);
  EXPECT_EQ(without->ChannelBySlug("tenants-alerts"), nullptr);
  EXPECT_EQ(without->ChannelById(alerts), nullptr);

  EXPECT_EQ(this->Apply(TenantsDefinition()).channels_disabled, 0);
  const auto restored = this->Load();
  ASSERT_NE(restored, nullptr);
  ASSERT_NE(restored->ChannelBySlug("tenants-alerts"), nullptr);
  EXPECT_EQ(restored->ChannelBySlug("tenants-alerts")->id, alerts);
}

TYPED_TEST_P(WorkspaceContract, AChannelSlugOfAnotherOrganizationIsRefusedAndNothingApplied) {
  const workspace::ApplySummary tenants = this->Apply(TenantsDefinition());
  workspace::Definition rival = TenantsDefinition();
  rival.slug = "rival";
  rival.name = "Rival Union";
  rival.channels[0].slug = "rival-sms";
  rival.keywords.pop_back();
  auto refused = this->world_.store().Apply(rival);  // channels[1] is tenants-alerts
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_THAT(refused.error().message, ::testing::HasSubstr("channels[1].slug"));

  const auto snapshot = this->Load();
  ASSERT_NE(snapshot, nullptr);
  EXPECT_EQ(snapshot->ChannelBySlug("rival-sms"), nullptr);
  EXPECT_EQ(snapshot->ChannelBySlug("tenants-alerts")->organization_id, tenants.organization_id);
  for (const auto& org : snapshot->organizations()) EXPECT_NE(org.slug, "rival");

  rival.channels.pop_back();
  const workspace::ApplySummary accepted = this->Apply(rival);
  EXPECT_NE(accepted.organization_id, tenants.organization_id);
  const auto both = this->Load();
  ASSERT_NE(both, nullptr);
  EXPECT_EQ(both->organizations().size(), 2u);
  EXPECT_EQ(both->FindKeyword(*both->ChannelBySlug("rival-sms"), "join")->reply,
            "Welcome to Tenants!");
  EXPECT_EQ(both->FindKeyword(*both->ChannelBySlug("rival-sms"), "join")->organization_id,
            accepted.organization_id) << "each organization has its own keywords";
}

REGISTER_TYPED_TEST_SUITE_P(WorkspaceContract, WhatIsAppliedIsWhatLoads,
                            AChannelsOwnKeywordWinsOverTheOrganizationWideOne,
                            ApplyingTheSameDefinitionAgainChangesNothing,
                            ANewDefinitionReplacesTheOldOne,
                            ARemovedChannelLeavesTheSnapshotAndComesBackAsItself,
                            AChannelSlugOfAnotherOrganizationIsRefusedAndNothingApplied);

}  // namespace chorus::testing
