#pragma once

#include <string>

#include "api/api_store.hpp"
#include "store/pg/pg_session.hpp"

namespace chorus::store::pg {

struct CreatedToken {
  std::int64_t id = 0;
  std::string token;  // shown once; only its hash is stored
};

/// The organizer API's reads, scoped by the caller (api/api_store.hpp), and token creation.
/// One connection; owned by one thread.
class PgApiStore final : public api::ApiStore {
 public:
  explicit PgApiStore(std::string dsn);

  /// `chorus token create`: kNotFound for an unknown organization or chapter; `chapter` is
  /// required for a chapter leader and refused for every other role (kInvalidArgument).
  /// Written to the audit log as `actor`.
  Result<CreatedToken> CreateToken(const std::string& organization, api::Role role,
                                   const std::string& chapter, const std::string& name,
                                   const std::string& actor);

  Result<std::optional<api::Principal>> Authenticate(const std::string& token_hash,
                                                     OrganizationId organization) override;
  Result<api::OrganizationView> Organization(const api::Principal& who) override;
  Result<std::vector<api::ChapterView>> Chapters(const api::Principal& who) override;
  Result<api::MemberPage> SearchMembers(const api::Principal& who, const api::MemberQuery& query,
                                        bool with_personal) override;
  Result<std::optional<api::MemberView>> Member(const api::Principal& who, MemberId id,
                                                bool with_personal) override;
  Result<std::optional<std::int64_t>> ChapterId(const api::Principal& who,
                                                std::string_view slug) override;
  Result<api::ConversationPage> Conversations(const api::Principal& who,
                                              const api::ConversationQuery& query,
                                              bool with_personal) override;
  Result<std::optional<api::ConversationDetail>> Conversation(const api::Principal& who,
                                                              std::int64_t id) override;
  Result<api::ReplyOutcome> Reply(const api::Principal& who, std::int64_t conversation,
                                  const std::string& text,
                                  const std::string& idempotency_key) override;
  Result<bool> Close(const api::Principal& who, std::int64_t conversation) override;
  Result<api::ActionPage> Actions(const api::Principal& who, const api::ActionQuery& query,
                                  bool with_personal) override;
  Result<api::AuditPage> Audit(const api::Principal& who, const api::AuditQuery& query) override;
  Result<api::AnswerPage> Answers(const api::Principal& who, const api::AnswerQuery& query,
                                  bool with_phone) override;
  Result<api::ReplyOutcome> StartFlow(const api::Principal& who, MemberId member,
                                      const std::string& flow, const std::string& channel,
                                      const std::string& idempotency_key) override;
  Result<api::ReplyOutcome> OptOut(const api::Principal& who, MemberId member,
                                   const std::string& idempotency_key) override;
  Result<api::ReplyOutcome> UpdateMember(const api::Principal& who, MemberId member,
                                         const std::string& edit_text,
                                         const std::string& audit_detail,
                                         const std::string& idempotency_key) override;
  Result<std::vector<api::TokenView>> Tokens(const api::Principal& who) override;
  Result<api::IssuedToken> IssueToken(const api::Principal& who, api::Role role,
                                      const std::string& chapter,
                                      const std::string& name) override;
  Result<bool> RevokeToken(const api::Principal& who, std::int64_t id) override;
  Result<bool> Erase(const api::Principal& who, MemberId member) override;

 private:
  PgSession session_;
};

}  // namespace chorus::store::pg
