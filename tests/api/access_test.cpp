// The role table, written out whole: every role x resource x access, so a change to one cell
// is a visible change to this table.
#include "api/access.hpp"

#include <gtest/gtest.h>

#include <string>

namespace chorus::api {
namespace {

constexpr Resource kResources[] = {
    Resource::kOrganization, Resource::kChannels,      Resource::kChapters, Resource::kKeywords,
    Resource::kFlows,        Resource::kEvents,        Resource::kMembers,  Resource::kPersonal,
    Resource::kConversations, Resource::kActions,      Resource::kTokens,   Resource::kAudit,
    Resource::kBroadcasts,   Resource::kErasure};

// Per resource, in kResources' order: R (read), W (write), E (export); '-' where refused.
struct Row {
  Role role;
  const char* cells[14];
};

const Row kTable[] = {
    {Role::kOwner, {"RWE", "RWE", "RWE", "RWE", "RWE", "RWE", "RWE", "RWE", "RWE", "RWE", "RWE", "RWE", "RWE", "RWE"}},
    {Role::kOrganizer, {"RWE", "RWE", "RWE", "RWE", "RWE", "RWE", "RWE", "RWE", "RWE", "RWE", "R-E", "RWE", "RWE", "RWE"}},
    {Role::kChapterLeader, {"R--", "---", "R--", "R--", "R--", "R--", "RWE", "RWE", "RWE", "RWE", "---", "---", "RW-", "---"}},
    {Role::kViewer, {"R--", "R--", "R--", "R--", "R--", "R--", "R--", "---", "---", "R--", "---", "---", "R--", "---"}},
};

TEST(RoleTable, EveryCellIsAsWrittenDown) {
  for (const Row& row : kTable) {
    for (std::size_t r = 0; r < std::size(kResources); ++r) {
      const std::string cell = row.cells[r];
      const std::string where =
          std::string(RoleName(row.role)) + " x " + std::string(ResourceName(kResources[r]));
      EXPECT_EQ(Allowed(row.role, kResources[r], Access::kRead), cell[0] == 'R') << where << " read";
      EXPECT_EQ(Allowed(row.role, kResources[r], Access::kWrite), cell[1] == 'W') << where << " write";
      EXPECT_EQ(Allowed(row.role, kResources[r], Access::kExport), cell[2] == 'E') << where << " export";
    }
  }
}

TEST(RoleTable, NoRoleButTheOwnerMintsTokens) {
  for (Role role : {Role::kOrganizer, Role::kChapterLeader, Role::kViewer}) {
    EXPECT_FALSE(Allowed(role, Resource::kTokens, Access::kWrite)) << RoleName(role);
  }
  EXPECT_TRUE(Allowed(Role::kOwner, Resource::kTokens, Access::kWrite));
}

TEST(RoleNames, RoundTripAndRefuseOthers) {
  for (Role role : {Role::kOwner, Role::kOrganizer, Role::kChapterLeader, Role::kViewer}) {
    EXPECT_EQ(RoleFromName(RoleName(role)), role);
  }
  EXPECT_EQ(RoleFromName("Owner"), std::nullopt);
  EXPECT_EQ(RoleFromName("admin"), std::nullopt);
  EXPECT_EQ(RoleFromName(""), std::nullopt);
}

TEST(Principal, ALeaderReachesOnlyTheirChaptersAndOthersEverything) {
  Principal leader{.organization = 1, .token_id = 7, .role = Role::kChapterLeader, .chapters = {4, 9}};
  EXPECT_TRUE(leader.Reaches(4));
  EXPECT_TRUE(leader.Reaches(9));
  EXPECT_FALSE(leader.Reaches(5));
  EXPECT_FALSE(leader.WholeOrganization());
  Principal viewer{.organization = 1, .token_id = 8, .role = Role::kViewer};
  EXPECT_TRUE(viewer.Reaches(5));
  EXPECT_EQ(leader.Actor(), "token:7");
}

}  // namespace
}  // namespace chorus::api
