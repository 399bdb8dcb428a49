#pragma once

#include <map>
#include <memory>
#include <string>

#include "secrets/keyring.hpp"
#include "store/pg/pg_session.hpp"
#include "workspace/workspace_editor.hpp"

namespace chorus::store::pg {

/// The workspace edited item by item, in PostgreSQL (workspace/workspace_editor.hpp), with the
/// item writes `chorus apply` uses (pg_workspace_items.hpp). Each write notifies servers to
/// reload this organization only. One connection; owned by one thread.
class PgWorkspaceEditor final : public workspace::WorkspaceEditor {
 public:
  /// Channels' credentials are sealed and opened with `keyring` (none: channels with
  /// credentials cannot be written, as for `chorus apply`).
  explicit PgWorkspaceEditor(std::string dsn,
                             std::shared_ptr<const secrets::Keyring> keyring = nullptr);

  Result<std::optional<workspace::Edited<std::int64_t>>> Recall(
      const workspace::Editor& editor) override;
  Result<workspace::Definition> Context(OrganizationId organization) override;
  Result<workspace::Settings> GetSettings(OrganizationId organization) override;
  Result<workspace::Edited<workspace::Settings>> UpdateSettings(
      const workspace::Editor& editor, const workspace::Settings& settings,
      std::optional<int> if_revision) override;

  Result<std::vector<workspace::Item<workspace::ChannelDefinition>>> Channels(
      OrganizationId organization) override;
  Result<std::optional<std::map<std::string, std::string>>> ChannelSecrets(
      OrganizationId organization, const std::string& slug) override;
  Result<workspace::Edited<workspace::Item<workspace::ChannelDefinition>>> CreateChannel(
      const workspace::Editor& editor, const workspace::ChannelDefinition& c) override;
  Result<workspace::Edited<workspace::Item<workspace::ChannelDefinition>>> ReplaceChannel(
      const workspace::Editor& editor, std::optional<int> if_revision,
      const workspace::ChannelDefinition& c, bool keep_secrets) override;
  Result<workspace::EditOutcome> DisableChannel(const workspace::Editor& editor,
                                                const std::string& slug,
                                                std::optional<int> if_revision) override;

  Result<std::vector<workspace::Item<workspace::KeywordDefinition>>> Keywords(
      OrganizationId organization) override;
  Result<workspace::Edited<workspace::Item<workspace::KeywordDefinition>>> CreateKeyword(
      const workspace::Editor& editor, const workspace::KeywordDefinition& k) override;
  Result<workspace::Edited<workspace::Item<workspace::KeywordDefinition>>> ReplaceKeyword(
      const workspace::Editor& editor, std::int64_t id, std::optional<int> if_revision,
      const workspace::KeywordDefinition& k) override;
  Result<workspace::EditOutcome> DeleteKeyword(const workspace::Editor& editor, std::int64_t id,
                                               std::optional<int> if_revision) override;

  Result<std::vector<workspace::Item<workspace::ChapterDefinition>>> Chapters(
      OrganizationId organization) override;
  Result<workspace::Edited<workspace::Item<workspace::ChapterDefinition>>> CreateChapter(
      const workspace::Editor& editor, const workspace::ChapterDefinition& c) override;
  Result<workspace::Edited<workspace::Item<workspace::ChapterDefinition>>> ReplaceChapter(
      const workspace::Editor& editor, std::optional<int> if_revision,
      const workspace::ChapterDefinition& c) override;
  Result<workspace::EditOutcome> ArchiveChapter(const workspace::Editor& editor,
                                                const std::string& slug,
                                                std::optional<int> if_revision) override;

  Result<std::vector<workspace::Item<workspace::EventDefinition>>> Events(
      OrganizationId organization) override;
  Result<workspace::Edited<workspace::Item<workspace::EventDefinition>>> CreateEvent(
      const workspace::Editor& editor, const workspace::EventDefinition& e) override;
  Result<workspace::Edited<workspace::Item<workspace::EventDefinition>>> ReplaceEvent(
      const workspace::Editor& editor, std::optional<int> if_revision,
      const workspace::EventDefinition& e) override;
  Result<workspace::EditOutcome> ArchiveEvent(const workspace::Editor& editor,
                                              const std::string& slug,
                                              std::optional<int> if_revision) override;

  Result<std::vector<workspace::FlowSummary>> Flows(OrganizationId organization) override;
  Result<std::optional<std::vector<workspace::FlowVersionInfo>>> FlowVersions(
      OrganizationId organization, const std::string& slug) override;
  Result<std::optional<std::string>> FlowVersion(OrganizationId organization,
                                                 const std::string& slug, int version) override;
  Result<workspace::Edited<workspace::Item<workspace::FlowDefinition>>> SaveFlow(
      const workspace::Editor& editor, const workspace::FlowDefinition& flow,
      bool activate) override;
  Result<workspace::EditOutcome> ActivateFlow(const workspace::Editor& editor,
                                              const std::string& slug, int version) override;
  Result<workspace::Edited<int>> RollBackFlow(const workspace::Editor& editor,
                                              const std::string& slug) override;
  Result<workspace::EditOutcome> PauseFlow(const workspace::Editor& editor,
                                           const std::string& slug) override;

 private:
  Result<std::map<std::string, std::string>> OpenChannelSecrets(pqxx::work& tx,
                                                                OrganizationId org,
                                                                const std::string& slug);
  Result<workspace::Edited<workspace::Item<workspace::ChannelDefinition>>> WriteChannelItem(
      const workspace::Editor& editor, const workspace::ChannelDefinition& d, bool create,
      std::optional<int> if_revision, bool keep_secrets);

  template <typename F>
  auto Run(F&& fn) -> decltype(fn(std::declval<pqxx::connection&>()));

  PgSession session_;
  std::shared_ptr<const secrets::Keyring> keyring_;
};

}  // namespace chorus::store::pg
