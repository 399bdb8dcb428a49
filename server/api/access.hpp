#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.hpp"

namespace chorus::api {

/// Who may do what through /v1 (docs/API.md). A token carries one role in one organization;
/// a chapter leader's token also names one chapter, and reaches it and its sub-chapters only.
enum class Role { kOwner, kOrganizer, kChapterLeader, kViewer };

std::string_view RoleName(Role role);
std::optional<Role> RoleFromName(std::string_view name);

/// What a request touches. kPersonal is a member's phone number and their words (messages,
/// answers, stories): returned only to the roles that work with members one to one.
enum class Resource {
  kOrganization,
  kChannels,
  kChapters,
  kKeywords,
  kFlows,
  kEvents,
  kMembers,
  kPersonal,
  kConversations,
  kActions,
  kTokens,
  kAudit,
  kBroadcasts,  // messages to an audience: a leader sends to their own chapters only
  kErasure,  // erasing a member completely: the organization's decision, not a chapter's
};
enum class Access { kRead, kWrite, kExport };

std::string_view ResourceName(Resource resource);

/// The role table: pure, tested as a table (role x resource x access).
bool Allowed(Role role, Resource resource, Access access);

/// The caller of one request, from its bearer token.
struct Principal {
  OrganizationId organization = 0;
  std::int64_t token_id = 0;
  Role role = Role::kViewer;
  /// For a chapter leader: the token's chapter and every chapter below it. Empty otherwise.
  std::vector<std::int64_t> chapters;

  bool WholeOrganization() const { return role != Role::kChapterLeader; }
  bool Reaches(std::int64_t chapter) const;
  /// How the audit log names this caller: "token:ID".
  std::string Actor() const;
};

}  // namespace chorus::api
