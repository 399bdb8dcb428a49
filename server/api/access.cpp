#include "api/access.hpp"

#include <algorithm>
#include <array>

namespace chorus::api {
namespace {

constexpr std::array<std::string_view, 4> kRoleNames = {"owner", "organizer", "chapter_leader",
                                                        "viewer"};
constexpr std::array<std::string_view, 14> kResourceNames = {
    "organization", "channels", "chapters", "keywords", "flows",   "events", "members",
    "personal",     "conversations",        "actions",  "tokens",  "audit",  "broadcasts", "erasure"};

bool LeaderMay(Resource resource, Access access) {
  switch (resource) {
    // Their chapters' members, conversations and results: read, act on, export.
    case Resource::kMembers:
    case Resource::kPersonal:
    case Resource::kConversations:
    case Resource::kActions:
      return true;
    // Alerts to their own chapters (the store cuts the audience to them).
    case Resource::kBroadcasts:
      return access != Access::kExport;
    // What the organization runs, to understand it; changing it is the organizers' job.
    case Resource::kOrganization:
    case Resource::kChapters:
    case Resource::kKeywords:
    case Resource::kFlows:
    case Resource::kEvents:
      return access == Access::kRead;
    // Credentials, tokens and the audit log are the organization's, not a chapter's.
    case Resource::kChannels:
    case Resource::kTokens:
    case Resource::kAudit:
    case Resource::kErasure:
      return false;
  }
  return false;
}

bool ViewerMay(Resource resource, Access access) {
  if (access != Access::kRead) return false;
  // Counts and settings, never a member's phone number or words, nor who holds tokens.
  return resource != Resource::kPersonal && resource != Resource::kConversations &&
         resource != Resource::kTokens && resource != Resource::kAudit &&
         resource != Resource::kErasure;
}

}  // namespace

std::string_view RoleName(Role role) { return kRoleNames[static_cast<std::size_t>(role)]; }

std::optional<Role> RoleFromName(std::string_view name) {
  for (std::size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

std::string_view ResourceName(Resource resource) {
  return kResourceNames[static_cast<std::size_t>(resource)];
}

bool Allowed(Role role, Resource resource, Access access) {
  switch (role) {
    case Role::kOwner:
      return true;
    case Role::kOrganizer:
      // Everything but minting tokens: who holds the keys is the owner's decision.
      return !(resource == Resource::kTokens && access == Access::kWrite);
    case Role::kChapterLeader:
      return LeaderMay(resource, access);
    case Role::kViewer:
      return ViewerMay(resource, access);
  }
  return false;
}

bool Principal::Reaches(std::int64_t chapter) const {
  return WholeOrganization() || std::find(chapters.begin(), chapters.end(), chapter) != chapters.end();
}

std::string Principal::Actor() const { return "token:" + std::to_string(token_id); }

}  // namespace chorus::api
