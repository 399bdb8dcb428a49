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

struct StoryView {
  std::string body;
  std::string place;
  bool share_consent = false;
};

struct ConversationView {
  std::int64_t id = 0;
  MemberId member_id = 0;
  std::string phone;  // empty unless the caller may read personal data
  std::string channel;  // slug
  std::string kind;     // hand_off | story
  std::string status;   // open | closed
  std::string opened_at;
  std::string closed_at;
  std::optional<StoryView> story;  // kind story, for callers who may read personal data
};

struct ConversationPage {
  std::vector<ConversationView> conversations;
  std::int64_t next_after = 0;
};

/// One message of a conversation's thread: what the member and the organization said on its
/// channel while it was open.
struct ThreadMessage {
  std::string direction;  // inbound | outbound
  std::string body;       // "" once erased by retention
  std::string at;
  std::string status;     // outbound: queued, sent, delivered, ... ; inbound: ""
};

struct ConversationDetail {
  ConversationView conversation;
  std::vector<ThreadMessage> messages;
};

struct ActionView {
  std::int64_t id = 0;
  MemberId member_id = 0;
  std::string phone;  // empty unless the caller may read personal data
  std::string kind;
  std::string target;
  std::string event;  // slug
  std::string value;
  std::string channel;  // slug
  std::string created_at;
};

struct ActionPage {
  std::vector<ActionView> actions;
  std::int64_t next_after = 0;
};

struct AnswerView {
  std::int64_t id = 0;
  MemberId member_id = 0;
  std::string phone;  // empty unless asked for
  std::string flow;
  int version = 0;
  std::string step;
  std::string field;
  std::string value;
  std::string channel;  // slug
  std::string created_at;
};

struct AnswerPage {
  std::vector<AnswerView> answers;
  std::int64_t next_after = 0;
};

struct AuditEntry {
  std::int64_t id = 0;
  std::string actor;
  std::string action;
  MemberId member_id = 0;
  std::string detail;
  std::string created_at;
};

struct AuditPage {
  std::vector<AuditEntry> entries;
  std::int64_t next_after = 0;
};

struct TokenView {
  std::int64_t id = 0;
  std::string name;
  std::string role;
  std::string chapter;  // slug, for a chapter leader
  std::string created_by;
  std::string created_at;
  std::string revoked_at;  // empty while it works
};

struct IssuedToken {
  std::int64_t id = 0;
  std::string token;  // shown once
};

/// What a write queued as a member event became (a reply, a flow start).
struct ReplyOutcome {
  enum class Kind {
    kQueued,
    kClosed,          // reply: the conversation is closed
    kNotFound,        // the conversation or member is not within reach
    kKeyReused,       // the Idempotency-Key was used for another request
    kUnknownFlow,     // flow start: no such active flow
    kUnknownChannel,  // flow start: no such channel
  } kind = Kind::kQueued;
  std::int64_t event_id = 0;  // the member event that will send it
  MemberId member_id = 0;
  bool repeated = false;      // the same Idempotency-Key was seen before: nothing new was done
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
  /// The inbox, scoped like members (a leader sees conversations of their chapters' members).
  virtual Result<ConversationPage> Conversations(const Principal& who,
                                                 const ConversationQuery& query,
                                                 bool with_personal) = 0;
  /// nullopt when no conversation with this id is within reach.
  virtual Result<std::optional<ConversationDetail>> Conversation(const Principal& who,
                                                                 std::int64_t id) = 0;
  /// Queues `text` to the conversation's member as a member event (processed in order with
  /// their own messages), audited. With a non-empty `idempotency_key`, a repeat returns the
  /// first outcome and does nothing.
  virtual Result<ReplyOutcome> Reply(const Principal& who, std::int64_t conversation,
                                     const std::string& text,
                                     const std::string& idempotency_key) = 0;
  /// Starts `flow` for the member on `channel` as a member event (flow_start), audited; the
  /// same idempotency rules as Reply.
  virtual Result<ReplyOutcome> StartFlow(const Principal& who, MemberId member,
                                         const std::string& flow, const std::string& channel,
                                         const std::string& idempotency_key) = 0;

  /// Opts the member out of the whole organization on their behalf, as a member event
  /// (organizer_opt_out), audited; the same idempotency rules as Reply.
  virtual Result<ReplyOutcome> OptOut(const Principal& who, MemberId member,
                                      const std::string& idempotency_key) = 0;

  /// Queues an edit of the member's fields and tags (`edit_text`: ingest/member_edit.hpp's
  /// form, already checked) as a member event (organizer_update), audited with the names it
  /// touches, never the values; the same idempotency rules as Reply.
  virtual Result<ReplyOutcome> UpdateMember(const Principal& who, MemberId member,
                                            const std::string& edit_text,
                                            const std::string& audit_detail,
                                            const std::string& idempotency_key) = 0;

  virtual Result<std::vector<TokenView>> Tokens(const Principal& who) = 0;
  /// kInvalidArgument when the role and chapter do not fit together, kNotFound for an unknown
  /// chapter. Audited with the caller as actor.
  virtual Result<IssuedToken> IssueToken(const Principal& who, Role role,
                                         const std::string& chapter, const std::string& name) = 0;
  /// false when the organization has no such token. Revoking twice changes nothing.
  virtual Result<bool> RevokeToken(const Principal& who, std::int64_t id) = 0;

  /// Erases the member on request: phone number (replaced by a keyed hash), language, fields,
  /// tags, chapters, message bodies in both directions, answers and actions, stories, flow
  /// state, queued messages (cancelled), webhook payloads. Keeps the opt-outs and consent
  /// history (no text). Serialised with the member's processing. Audited. false when the
  /// member is not within reach (or already erased).
  virtual Result<bool> Erase(const Principal& who, MemberId member) = 0;

  /// Closes an open conversation (a closed one stays closed); false when not within reach.
  virtual Result<bool> Close(const Principal& who, std::int64_t conversation) = 0;

  /// Actions of members within reach. kNotFound when the query names an unknown event. An
  /// export (query.csv) is written to the audit log with the number of rows.
  virtual Result<ActionPage> Actions(const Principal& who, const ActionQuery& query,
                                     bool with_personal) = 0;
  virtual Result<AuditPage> Audit(const Principal& who, const AuditQuery& query) = 0;
  /// A flow's answers from members within reach; kNotFound for a flow the organization does
  /// not have. An export (query.csv) is audited with the number of rows.
  virtual Result<AnswerPage> Answers(const Principal& who, const AnswerQuery& query,
                                     bool with_phone) = 0;

  /// The chapter's id, nullopt when the organization has no such chapter.
  virtual Result<std::optional<std::int64_t>> ChapterId(const Principal& who,
                                                        std::string_view slug) = 0;
};

}  // namespace chorus::api
