#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compliance/compliance_words.hpp"
#include "core/channel.hpp"
#include "core/ids.hpp"
#include "workspace/campaigns.hpp"

namespace chorus::workspace {

/// The texts an organization answers with, in one language.
struct Texts {
  std::string help;
  std::string opt_out_confirmation;
  std::string opt_out_all_confirmation;
  std::string opt_in_confirmation;
  std::string default_reply;
};

enum class TextKind { kHelp, kOptOut, kOptOutAll, kOptIn, kDefaultReply };

struct Organization {
  OrganizationId id = 0;
  std::string slug;
  std::string name;
  std::string default_language = "en";
  std::map<std::string, Texts> texts;  // language -> texts; holds default_language
  compliance::ComplianceWords words = compliance::ComplianceWords::BuiltIn();
  int loop_guard_max = 3;
  std::chrono::seconds loop_guard_window{3600};
  /// Bodies of this organization's messages are erased after this many days (docs/RETENTION.md).
  int message_body_retention_days = 90;
  /// IANA zone for members with no zone of their own or of their chapter.
  std::string time_zone = "UTC";
  /// Secrets that sign the calls of webhook steps, by name (never logged).
  std::map<std::string, std::string> webhook_secrets;
  /// The SMS segments one flow text may cost (flow validation).
  int segment_budget = 4;

  /// Every language the organization has texts in (the default included).
  std::set<std::string> Languages() const;

  /// The text of `kind` in `language` when the organization has it, else in its default
  /// language (STOPALL's confirmation falls back to STOP's). May be empty (no answer).
  const std::string& Text(TextKind kind, std::string_view language) const;
};

struct Keyword {
  OrganizationId organization_id = 0;
  std::optional<ChannelId> channel_id;  // nullopt: every channel of the organization
  std::string word;                     // folded (FoldForMatch)
  std::string display_word;             // as written in the workspace file ("JOIN")
  std::string reply;     // may be empty when `flow` is set
  bool opt_in = false;
  std::string language;
  std::string qualifier;  // folded second word: "JOIN PUNE" is word "join", qualifier "pune"
  std::string flow;       // slug of the flow the keyword starts ("" for a plain reply)
  std::string chapter;    // slug of the chapter the member joins when texting it
};

/// An immutable picture of every organization, channel and keyword, loaded from the database
/// and swapped whole when an operator applies a workspace. Read concurrently by any thread.
class Snapshot {
 public:
  Snapshot(std::vector<Organization> organizations, std::vector<Channel> channels,
           std::vector<Keyword> keywords, Campaigns campaigns = {});

  const Channel* ChannelBySlug(std::string_view slug) const;
  const Channel* ChannelById(ChannelId id) const;
  const Organization* OrganizationById(OrganizationId id) const;
  /// The keyword `folded_word` on `channel`: a channel-specific keyword wins over an
  /// organization-wide one. nullptr when none.
  const Keyword* FindKeyword(const Channel& channel, std::string_view folded_word) const;
  /// The keyword for a folded message: "join pune" finds a keyword JOIN qualified by PUNE
  /// first, then plain JOIN. nullptr when none.
  const Keyword* FindKeywordFor(const Channel& channel, std::string_view folded_message) const;
  /// The organization's flows, chapters and events (never nullptr for a known organization).
  const OrganizationCatalog* Catalog(OrganizationId organization) const;
  const std::vector<Channel>& channels() const { return channels_; }
  const std::vector<Organization>& organizations() const { return organizations_; }

  /// This picture with the organizations in `replaced` as `fresh` has them (a load of just
  /// those organizations; one it lacks is gone): what a per-organization reload swaps in.
  std::shared_ptr<const Snapshot> Replacing(const std::set<OrganizationId>& replaced,
                                            const Snapshot& fresh) const;

 private:
  std::vector<Organization> organizations_;
  std::vector<Channel> channels_;
  std::vector<Keyword> keywords_;
  Campaigns campaigns_;
  std::map<OrganizationId, OrganizationCatalog> catalogs_;
  std::unordered_map<std::string, std::size_t> channel_by_slug_;
  std::unordered_map<ChannelId, std::size_t> channel_by_id_;
  std::unordered_map<OrganizationId, std::size_t> organization_by_id_;
  // (organization, channel or 0, word, qualifier) -> keyword index
  std::map<std::tuple<OrganizationId, ChannelId, std::string, std::string>, std::size_t,
           std::less<>>
      keyword_index_;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace chorus::workspace
