#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/access.hpp"
#include "api/member_query.hpp"
#include "core/result.hpp"

namespace chorus::api {

struct MemberView {
  MemberId id = 0;
  std::string phone;  // empty unless the caller may read personal data
  std::string language;
  MemberStatus status = MemberStatus::kContact;
  std::vector<std::string> chapters;  // slugs
  std::vector<std::string> tags;
  std::map<std::string, std::string> fields;
  std::string joined_at;   // RFC 3339, empty when never joined
  std::string created_at;  // RFC 3339
};

struct MemberPage {
  std::vector<MemberView> members;
  std::int64_t next_after = 0;  // 0: this was the last page
};

struct ChapterView {
  std::int64_t id = 0;
  std::string slug;
  std::string name;
  std::string parent;  // slug, empty at the top
  std::string country;
  std::string time_zone;
};

struct OrganizationView {
  std::string slug;
  std::string name;
  std::string default_language;
  std::string time_zone;
};

/// The reads behind /v1. Every call is scoped by the principal: a chapter leader's calls see
/// only members of their chapters, whatever the query asks. Implementations are used by one
/// thread at a time (the API's database executor gives each thread its own).
class ApiStore {
 public:
  virtual ~ApiStore() = default;

  /// The token's holder, or nullopt for an unknown or revoked token.
  virtual Result<std::optional<Principal>> Authenticate(const std::string& token_hash,
                                                        OrganizationId organization) = 0;
  virtual Result<OrganizationView> Organization(const Principal& who) = 0;
  virtual Result<std::vector<ChapterView>> Chapters(const Principal& who) = 0;
  /// kNotFound when the query names a chapter the organization does not have.
  virtual Result<MemberPage> SearchMembers(const Principal& who, const MemberQuery& query,
                                           bool with_personal) = 0;
  /// nullopt when no member with this id is within the principal's reach.
  virtual Result<std::optional<MemberView>> Member(const Principal& who, MemberId id,
                                                   bool with_personal) = 0;
  /// The chapter's id, nullopt when the organization has no such chapter.
  virtual Result<std::optional<std::int64_t>> ChapterId(const Principal& who,
                                                        std::string_view slug) = 0;
};

}  // namespace chorus::api
