#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "workspace/workspace_store.hpp"

namespace chorus::fakes {

/// workspace::WorkspaceStore in memory, following PgWorkspaceStore: organizations and
/// channels keep their ids across applies, a channel missing from a definition is disabled
/// (and comes back as itself), a channel slug of another organization refuses the whole apply.
/// Credentials are kept as given (PostgreSQL seals them; that is not part of the port).
/// tests/store/contract/workspace_contract.hpp holds it to what PostgreSQL does. Thread-safe.
class FakeWorkspaceStore final : public workspace::WorkspaceStore {
 public:
  Result<workspace::SnapshotPtr> LoadSnapshot() override {
    std::lock_guard lock(mutex_);
    std::vector<workspace::Organization> orgs;
    std::vector<workspace::Keyword> keywords;
    for (const auto& [slug, org] : organizations_) {
      orgs.push_back(Picture(org));
      keywords.insert(keywords.end(), org.keywords.begin(), org.keywords.end());
    }
    std::vector<Channel> channels;
    for (const auto& [slug, row] : channels_) {
      if (row.enabled) channels.push_back(row.channel);
    }
    return std::make_shared<const workspace::Snapshot>(std::move(orgs), std::move(channels),
                                                       std::move(keywords));
  }

  Result<workspace::ApplySummary> Apply(const workspace::Definition& d) override {
    std::lock_guard lock(mutex_);
    auto existing = organizations_.find(d.slug);
    const OrganizationId id = existing != organizations_.end() ? existing->second.id : next_id_;
    for (std::size_t i = 0; i < d.channels.size(); ++i) {  // all or nothing: check first
      auto row = channels_.find(d.channels[i].slug);
      if (row != channels_.end() && row->second.channel.organization_id != id) {
        return MakeError(ErrorCode::kConflict, "channels[" + std::to_string(i) +
                                                   "].slug: already used by another organization");
      }
    }
    if (existing == organizations_.end()) ++next_id_;
    Stored& org = organizations_[d.slug];
    org.id = id;
    org.definition = d;
    workspace::ApplySummary summary{.organization_id = id,
                                    .channels = static_cast<int>(d.channels.size())};
    std::map<std::string, ChannelId> ids;
    for (const auto& cd : d.channels) ids[cd.slug] = Upsert(id, cd);
    for (auto& [slug, row] : channels_) {
      if (row.channel.organization_id == id && row.enabled && !ids.count(slug)) {
        row.enabled = false;
        ++summary.channels_disabled;
      }
    }
    org.keywords.clear();
    for (const auto& k : d.keywords) {
      std::vector<std::optional<ChannelId>> scopes;
      for (const auto& slug : k.channels) scopes.push_back(ids.at(slug));
      if (scopes.empty()) scopes.push_back(std::nullopt);
      for (const auto& scope : scopes) {
        org.keywords.push_back({id, scope, k.word, k.display_word, k.reply, k.opt_in, k.language});
      }
    }
    summary.keywords = static_cast<int>(org.keywords.size());
    return summary;
  }

 private:
  struct Stored {
    OrganizationId id = 0;
    workspace::Definition definition;
    std::vector<workspace::Keyword> keywords;
  };
  struct ChannelRow {
    Channel channel;
    bool enabled = true;
  };

  ChannelId Upsert(OrganizationId org, const workspace::ChannelDefinition& cd) {
    auto [it, created] = channels_.try_emplace(cd.slug);
    if (created) it->second.channel.id = next_channel_id_++;
    Channel& c = it->second.channel;
    c.organization_id = org;
    c.slug = cd.slug;
    c.carrier = cd.carrier;
    c.sender = cd.sender;
    c.country = cd.country;
    c.segments_per_second = cd.segments_per_second;
    c.settings = cd.settings;
    c.secrets = cd.secrets;
    it->second.enabled = true;
    return c.id;
  }

  // What PostgreSQL loads back: languages with at least one text, built-in words plus the
  // organization's.
  static workspace::Organization Picture(const Stored& s) {
    const workspace::Definition& d = s.definition;
    workspace::Organization o;
    o.id = s.id;
    o.slug = d.slug;
    o.name = d.name;
    o.default_language = d.default_language;
    for (const auto& [language, t] : d.texts) {
      const bool any = !t.help.empty() || !t.opt_out_confirmation.empty() ||
                       !t.opt_out_all_confirmation.empty() || !t.opt_in_confirmation.empty() ||
                       !t.default_reply.empty();
      if (any) o.texts[language] = t;
    }
    for (const auto& w : d.compliance_words) o.words.Add(w.intent, w.word, w.language);
    o.loop_guard_max = d.loop_guard_max;
    o.loop_guard_window = std::chrono::seconds(d.loop_guard_window_seconds);
    o.message_body_retention_days = d.message_body_retention_days;
    return o;
  }

  std::mutex mutex_;
  std::map<std::string, Stored> organizations_;  // by slug
  std::map<std::string, ChannelRow> channels_;   // by slug (slugs are global)
  OrganizationId next_id_ = 1;
  ChannelId next_channel_id_ = 1;
};

}  // namespace chorus::fakes
