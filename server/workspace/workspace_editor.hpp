#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "workspace/definition.hpp"

namespace chorus::workspace {

/// One stored item of a workspace and its revision (raised by every write that changes it).
template <typename Definition>
struct Item {
  std::int64_t id = 0;
  int revision = 1;
  Definition definition;
};

/// What an edit of one item came to.
enum class EditOutcome {
  kDone,
  kNotFound,  // no such item in the organization
  kExists,    // a create of a slug or word the organization already has
  kStale,     // the caller named a revision that is no longer the item's
  kKeyReused, // the Idempotency-Key was used for another request
};

template <typename T>
struct Edited {
  EditOutcome outcome = EditOutcome::kDone;
  T item{};
  bool repeated = false;  // a repeat of a create with the same Idempotency-Key: nothing new
};

/// Who edits, and the request's Idempotency-Key (creates only; "" for none).
struct Editor {
  OrganizationId organization = 0;
  std::string actor;    // "token:12" in the audit log
  std::int64_t token_id = 0;
  std::string idempotency_key;
  std::string request;  // method, path and a digest of the body: a key reused otherwise is refused
};

struct FlowSummary {
  std::string slug;
  std::string name;
  std::optional<int> active_version;  // nullopt: paused
  int latest_version = 0;
  std::string updated_at;
};

struct FlowVersionInfo {
  int version = 0;
  std::string digest;
  std::string created_by;
  std::string created_at;
  bool active = false;
};

/// The organization-wide settings an organizer edits through /v1/organization.
struct Settings {
  int revision = 1;
  std::string slug;  // read only
  std::string name;
  std::string default_language;
  std::string time_zone;
  std::string quiet_hours_start;  // "21:00", the recipient's local time
  std::string quiet_hours_end;    // "08:00"
  std::map<std::string, Texts> texts;
  /// A broadcast to more recipients than this waits for a second person's approval; 0: none.
  std::int64_t broadcast_approval_above = 0;
};

/// The workspace, edited one item at a time (the organizer API). Every write is one
/// transaction that raises the item's revision when it changes it, writes the audit log (ids
/// and slugs, never texts) and tells running servers to reload this organization only. The
/// writes are the ones `chorus apply` makes for each item of a file. Role checks are the
/// caller's; every method is scoped to `editor.organization`. Used by one thread at a time.
class WorkspaceEditor {
 public:
  virtual ~WorkspaceEditor() = default;

  /// A create's Idempotency-Key seen before: what it created (an item's id, or a flow's
  /// version) with kDone, or kKeyReused for a key another request used; nullopt for a new key.
  /// Checked before the item's checks, since a repeat would fail them (its item exists).
  virtual Result<std::optional<Edited<std::int64_t>>> Recall(const Editor& editor) = 0;

  /// The organization as one item's checks need it (workspace/file/items.hpp): its settings
  /// and every channel, keyword, chapter (parents first), flow and event, without secrets.
  virtual Result<Definition> Context(OrganizationId organization) = 0;

  virtual Result<Settings> GetSettings(OrganizationId organization) = 0;
  /// kInvalidArgument naming the field for a time zone PostgreSQL does not know.
  virtual Result<Edited<Settings>> UpdateSettings(const Editor& editor, const Settings& settings,
                                                  std::optional<int> if_revision) = 0;

  /// Enabled channels. Credentials are write-only: `secrets` holds their names, every value "".
  virtual Result<std::vector<Item<ChannelDefinition>>> Channels(OrganizationId organization) = 0;
  /// The channel's credentials opened, for checking a replace that sends none (never answered
  /// to anyone); nullopt for no such enabled channel.
  virtual Result<std::optional<std::map<std::string, std::string>>> ChannelSecrets(
      OrganizationId organization, const std::string& slug) = 0;
  /// kExists for a slug of an enabled channel of this organization; kInvalidArgument/kConflict
  /// errors for a slug another organization has ("slug: ...").
  virtual Result<Edited<Item<ChannelDefinition>>> CreateChannel(const Editor& editor,
                                                                const ChannelDefinition& c) = 0;
  /// With `keep_secrets`, the stored credentials stay (the request sent none).
  virtual Result<Edited<Item<ChannelDefinition>>> ReplaceChannel(
      const Editor& editor, std::optional<int> if_revision, const ChannelDefinition& c,
      bool keep_secrets) = 0;
  /// Disables the channel (never deleted: history refers to it).
  virtual Result<EditOutcome> DisableChannel(const Editor& editor, const std::string& slug,
                                             std::optional<int> if_revision) = 0;

  virtual Result<std::vector<Item<KeywordDefinition>>> Keywords(OrganizationId organization) = 0;
  /// A keyword listens on at most one channel here (one item per channel).
  virtual Result<Edited<Item<KeywordDefinition>>> CreateKeyword(const Editor& editor,
                                                                const KeywordDefinition& k) = 0;
  virtual Result<Edited<Item<KeywordDefinition>>> ReplaceKeyword(
      const Editor& editor, std::int64_t id, std::optional<int> if_revision,
      const KeywordDefinition& k) = 0;
  virtual Result<EditOutcome> DeleteKeyword(const Editor& editor, std::int64_t id,
                                            std::optional<int> if_revision) = 0;

  virtual Result<std::vector<Item<ChapterDefinition>>> Chapters(OrganizationId organization) = 0;
  virtual Result<Edited<Item<ChapterDefinition>>> CreateChapter(const Editor& editor,
                                                                const ChapterDefinition& c) = 0;
  virtual Result<Edited<Item<ChapterDefinition>>> ReplaceChapter(
      const Editor& editor, std::optional<int> if_revision, const ChapterDefinition& c) = 0;
  /// Archives (history names it); kExists while a live chapter is below it.
  virtual Result<EditOutcome> ArchiveChapter(const Editor& editor, const std::string& slug,
                                             std::optional<int> if_revision) = 0;

  virtual Result<std::vector<Item<EventDefinition>>> Events(OrganizationId organization) = 0;
  virtual Result<Edited<Item<EventDefinition>>> CreateEvent(const Editor& editor,
                                                            const EventDefinition& e) = 0;
  virtual Result<Edited<Item<EventDefinition>>> ReplaceEvent(const Editor& editor,
                                                             std::optional<int> if_revision,
                                                             const EventDefinition& e) = 0;
  virtual Result<EditOutcome> ArchiveEvent(const Editor& editor, const std::string& slug,
                                           std::optional<int> if_revision) = 0;

  virtual Result<std::vector<FlowSummary>> Flows(OrganizationId organization) = 0;
  /// nullopt when the organization has no such flow.
  virtual Result<std::optional<std::vector<FlowVersionInfo>>> FlowVersions(
      OrganizationId organization, const std::string& slug) = 0;
  /// The version's definition (chorus.v1.Flow JSON); nullopt when there is none.
  virtual Result<std::optional<std::string>> FlowVersion(OrganizationId organization,
                                                         const std::string& slug,
                                                         int version) = 0;
  /// Stores the flow as a new version (the same definition as a stored version is that version
  /// again), without activating it unless `activate`. item.id is the flow's id, item.revision
  /// the version.
  virtual Result<Edited<Item<FlowDefinition>>> SaveFlow(const Editor& editor,
                                                        const FlowDefinition& flow,
                                                        bool activate) = 0;
  /// Makes `version` the live one (members in a flow finish on the version they began).
  /// kNotFound for an unknown flow or version.
  virtual Result<EditOutcome> ActivateFlow(const Editor& editor, const std::string& slug,
                                           int version) = 0;
  /// Activates the highest version below the active one; kNotFound when there is none.
  virtual Result<Edited<int>> RollBackFlow(const Editor& editor, const std::string& slug) = 0;
  /// Pauses the flow (no version live: keywords naming it do nothing).
  virtual Result<EditOutcome> PauseFlow(const Editor& editor, const std::string& slug) = 0;
};

}  // namespace chorus::workspace
