#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.hpp"

namespace chorus::broadcasts {

/// Members who took (or did not take) an action: kind "rsvp", "check_in", "petition", "pledge",
/// "story" or "custom"; optionally its target (petition name), event (slug) and value ("yes").
struct ActionFilter {
  std::string kind;
  std::string target;
  std::string event;
  std::string value;
};

/// A member field that is set (no values) or equals one of `values`.
struct FieldFilter {
  std::string name;
  std::vector<std::string> values;
};

/// Members matching every part that is given (an empty rule matches every member).
struct AudienceRule {
  std::vector<std::string> chapters;   // in any of them or below
  std::vector<std::string> tags;       // has every one
  std::vector<std::string> languages;  // any of them (members without one: the default)
  std::vector<FieldFilter> fields;     // every one holds
  std::vector<ActionFilter> took;      // took every one
  std::vector<ActionFilter> not_took;  // took none of them
};

/// Who a broadcast reaches: joined members, not erased, not opted out, matching `include`
/// and no rule of `exclude`.
struct Audience {
  AudienceRule include;
  std::vector<AudienceRule> exclude;
};

/// A request that cannot be a broadcast: the body field at fault and why.
struct Problem {
  std::string field;
  std::string message;
};

/// The audience's own rules (names, tags, kinds); whether chapters and events exist is the
/// store's to say.
std::optional<Problem> CheckAudience(const Audience& audience);

/// Every chapter slug the audience names (include and exclude).
std::vector<std::string> ChaptersNamed(const Audience& audience);

enum class Status { kAwaitingApproval, kSending, kPaused, kCancelled, kDone };
std::string_view StatusName(Status status);
std::optional<Status> StatusFromName(std::string_view name);

/// What an organizer asks for (POST /v1/broadcasts, and its preview).
struct Draft {
  std::string name;
  Audience audience;
  std::string audience_json = "{}";  // the audience as asked, kept with the broadcast
  std::map<std::string, std::string> variants;  // language -> text with merge fields
  std::vector<std::string> channels;            // the sender pool, slugs
  std::optional<std::int64_t> send_at;          // unix seconds; nullopt: now
  std::optional<std::int64_t> stale_after;      // unix seconds
  bool replace_look_alikes = false;
  bool ignore_quiet_hours = false;  // an emergency: sent at any hour
  std::string reply_flow;           // slug; "" none
  std::int64_t reply_window_seconds = 0;
};

/// The checks a draft passes before anything is counted: audience, variants (one for the
/// organization's default language, known merge fields that a broadcast can fill, not too
/// long), channels named, times in order. `default_language` is the organization's.
std::optional<Problem> CheckDraft(const Draft& draft, const std::string& default_language);

/// A variant as it will be sent, from the text as written.
std::string VariantText(const std::string& text, bool replace_look_alikes);

/// Who is asking: for the audit trail, the approval rule and a leader's reach.
struct Caller {
  OrganizationId organization = 0;
  std::string actor;          // "token:12"
  std::int64_t token_id = 0;  // the approver must be another token
  /// A chapter leader's chapters (their subtree); empty: the whole organization.
  std::vector<std::int64_t> chapter_scope;
  std::string idempotency_key;
  std::string request_digest;  // what the key is bound to
};

}  // namespace chorus::broadcasts
