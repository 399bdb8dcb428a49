#include "workspace/workspace.hpp"

#include <tuple>

#include "core/text.hpp"

namespace chorus::workspace {
namespace {

const std::string& Field(const Texts& texts, TextKind kind) {
  switch (kind) {
    case TextKind::kHelp: return texts.help;
    case TextKind::kOptOut: return texts.opt_out_confirmation;
    case TextKind::kOptOutAll: return texts.opt_out_all_confirmation;
    case TextKind::kOptIn: return texts.opt_in_confirmation;
    case TextKind::kDefaultReply: return texts.default_reply;
  }
  return texts.help;
}

const std::string& Empty() {
  static const std::string kEmpty;
  return kEmpty;
}

}  // namespace

const std::string& Organization::Text(TextKind kind, std::string_view language) const {
  for (std::string_view lang : {language, std::string_view(default_language)}) {
    auto it = texts.find(std::string(lang));
    if (it == texts.end()) continue;
    const std::string& text = Field(it->second, kind);
    if (!text.empty()) return text;
    if (kind == TextKind::kOptOutAll) {
      const std::string& fallback = Field(it->second, TextKind::kOptOut);
      if (!fallback.empty()) return fallback;
    }
  }
  return Empty();
}

std::set<std::string> Organization::Languages() const {
  std::set<std::string> out{default_language};
  for (const auto& [language, t] : texts) out.insert(language);
  return out;
}

Snapshot::Snapshot(std::vector<Organization> organizations, std::vector<Channel> channels,
                   std::vector<Keyword> keywords, Campaigns campaigns)
    : organizations_(std::move(organizations)),
      channels_(std::move(channels)),
      keywords_(std::move(keywords)),
      campaigns_(std::move(campaigns)) {
  for (std::size_t i = 0; i < organizations_.size(); ++i) {
    organization_by_id_[organizations_[i].id] = i;
  }
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    channel_by_slug_[channels_[i].slug] = i;
    channel_by_id_[channels_[i].id] = i;
  }
  for (std::size_t i = 0; i < keywords_.size(); ++i) {
    const Keyword& k = keywords_[i];
    keyword_index_[{k.organization_id, k.channel_id.value_or(0), k.word, k.qualifier}] = i;
  }
  for (const Organization& o : organizations_) catalogs_[o.id];
  for (const Chapter& c : campaigns_.chapters) catalogs_[c.organization_id].AddChapter(&c);
  for (const flows::Flow& f : campaigns_.flows) catalogs_[f.organization_id].AddFlow(&f);
  for (const auto& [key, version] : campaigns_.active_versions) {
    catalogs_[key.first].SetActive(key.second, version);
  }
  for (const Event& e : campaigns_.events) catalogs_[e.organization_id].AddEvent(&e);
}

namespace {

// Appends the items of `from` that `keep` selects by organization.
template <typename T, typename Keep>
void CopyIf(const std::vector<T>& from, std::vector<T>& to, Keep keep) {
  for (const T& item : from) {
    if (keep(item.organization_id)) to.push_back(item);
  }
}

}  // namespace

std::shared_ptr<const Snapshot> Snapshot::Replacing(const std::set<OrganizationId>& replaced,
                                                    const Snapshot& fresh) const {
  const auto kept = [&](OrganizationId id) { return !replaced.count(id); };
  const auto taken = [&](OrganizationId id) { return replaced.count(id) > 0; };
  std::vector<Organization> orgs;
  for (const Organization& o : organizations_) {
    if (kept(o.id)) orgs.push_back(o);
  }
  for (const Organization& o : fresh.organizations_) {
    if (taken(o.id)) orgs.push_back(o);
  }
  std::vector<Channel> channels;
  CopyIf(channels_, channels, kept);
  CopyIf(fresh.channels_, channels, taken);
  std::vector<Keyword> keywords;
  CopyIf(keywords_, keywords, kept);
  CopyIf(fresh.keywords_, keywords, taken);
  Campaigns campaigns;
  for (const Campaigns* source : {&campaigns_, &fresh.campaigns_}) {
    const bool old = source == &campaigns_;
    const auto keep = [&](OrganizationId id) { return old ? kept(id) : taken(id); };
    CopyIf(source->chapters, campaigns.chapters, keep);
    CopyIf(source->flows, campaigns.flows, keep);
    CopyIf(source->events, campaigns.events, keep);
    for (const auto& [key, version] : source->active_versions) {
      if (keep(key.first)) campaigns.active_versions[key] = version;
    }
  }
  return std::make_shared<const Snapshot>(std::move(orgs), std::move(channels),
                                          std::move(keywords), std::move(campaigns));
}

const OrganizationCatalog* Snapshot::Catalog(OrganizationId organization) const {
  auto it = catalogs_.find(organization);
  return it == catalogs_.end() ? nullptr : &it->second;
}

const Keyword* Snapshot::FindKeywordFor(const Channel& channel,
                                        std::string_view folded_message) const {
  const std::string first(FirstWord(folded_message));
  const auto space = folded_message.find(' ');
  const std::string second(
      space == std::string_view::npos ? "" : FirstWord(folded_message.substr(space + 1)));
  std::vector<std::string> qualifiers;
  if (!second.empty()) qualifiers.push_back(second);
  qualifiers.emplace_back();
  for (const std::string& qualifier : qualifiers) {
    for (ChannelId scope : {channel.id, ChannelId{0}}) {
      auto it = keyword_index_.find(
          std::make_tuple(channel.organization_id, scope, first, qualifier));
      if (it != keyword_index_.end()) return &keywords_[it->second];
    }
  }
  return nullptr;
}

const Channel* Snapshot::ChannelBySlug(std::string_view slug) const {
  auto it = channel_by_slug_.find(std::string(slug));
  return it == channel_by_slug_.end() ? nullptr : &channels_[it->second];
}

const Channel* Snapshot::ChannelById(ChannelId id) const {
  auto it = channel_by_id_.find(id);
  return it == channel_by_id_.end() ? nullptr : &channels_[it->second];
}

const Organization* Snapshot::OrganizationById(OrganizationId id) const {
  auto it = organization_by_id_.find(id);
  return it == organization_by_id_.end() ? nullptr : &organizations_[it->second];
}

const Keyword* Snapshot::FindKeyword(const Channel& channel, std::string_view folded_word) const {
  for (ChannelId scope : {channel.id, ChannelId{0}}) {
    auto it = keyword_index_.find(
        std::make_tuple(channel.organization_id, scope, std::string(folded_word), std::string()));
    if (it != keyword_index_.end()) return &keywords_[it->second];
  }
  return nullptr;
}

}  // namespace chorus::workspace
