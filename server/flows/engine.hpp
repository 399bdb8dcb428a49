#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "flows/flow.hpp"

namespace chorus::flows {

/// Where a member is in a flow. Stored as a row per member and channel; at most one active.
struct Session {
  std::int64_t id = 0;  // 0: not stored yet
  ChannelId channel_id = 0;
  std::string flow;  // slug
  int version = 0;   // members finish on the version they began
  std::string step;  // the step waiting for input ("" when ended)
  int seq = 0;       // bumped on every wait; timers carry it, so a stale timer does nothing
  int tries = 0;     // invalid answers at the current ask
  bool reminded = false;
  bool active = true;
  std::optional<std::int64_t> event_id;  // the event this session is about ({{event.title}})
  // kStory: what was collected so far, and the phase (0 text, 1 place, 2 consent)
  std::string story_text;
  std::string story_place;
  int story_phase = 0;
};

/// The member as a flow sees and changes them.
struct MemberView {
  std::string language;                       // empty: unknown
  std::string country;                        // ISO region of their phone number
  std::map<std::string, std::string> fields;  // "first_name", "zip", answers ...
  std::set<std::string> tags;
  std::set<std::string> chapters;  // slugs
};

struct ChapterInfo {
  std::string slug;
  std::string name;
  std::string parent;  // slug; "" for a root
};

struct EventInfo {
  std::int64_t id = 0;
  std::string slug;
  LocalizedText title;
  std::string chapter;  // slug; "" for the whole organization
  TimePoint starts_at;
  std::string place;
  std::string local_date;  // starts_at in the event's time zone, for {{event.date}}
  std::string local_time;  // ... and {{event.time}}
};

/// Everything a flow can look up: the organization's flows, chapters and events. Implemented
/// by the workspace snapshot.
class Catalog {
 public:
  virtual ~Catalog() = default;
  virtual const Flow* ActiveFlow(const std::string& slug) const = 0;
  virtual const Flow* FlowVersion(const std::string& slug, int version) const = 0;
  virtual const ChapterInfo* Chapter(const std::string& slug) const = 0;
  /// The most specific chapter whose postal-code rule covers `code` for `country`.
  virtual const ChapterInfo* ChapterForPostalCode(const std::string& country,
                                                  const std::string& code) const = 0;
  /// The next event (not started before `now`) of the member's chapters or their parents, or
  /// of the whole organization.
  virtual const EventInfo* NextEvent(const std::set<std::string>& chapters,
                                     TimePoint now) const = 0;
  virtual const EventInfo* EventById(std::int64_t id) const = 0;
  virtual const EventInfo* EventBySlug(const std::string& slug) const = 0;
};

enum class TimerKind { kReminder, kTimeout, kWait, kStoryIdle };

/// What the engine is told.
struct Input {
  enum class Kind { kStart, kText, kTimer, kWebhookResult };
  Kind kind = Kind::kText;
  std::string text;  // kText: the member's message
  int token = 0;     // kTimer / kWebhookResult: the session seq it was made for
  TimerKind timer = TimerKind::kTimeout;
  bool ok = false;                       // kWebhookResult: a 2xx answer in time
  std::optional<std::int64_t> event_id;  // kStart: the event this flow is about
};

struct TimerRequest {
  TimerKind kind = TimerKind::kTimeout;
  std::chrono::seconds after{0};
  std::optional<int> until_minute;  // local minute of day in the member's time zone
  int token = 0;
};

struct WebhookRequest {
  std::string url;
  std::string secret;
  std::chrono::milliseconds timeout{5000};
  std::string step;
  int token = 0;
};

struct ActionRecord {
  ActionKind kind = ActionKind::kCustom;
  std::string target;
  std::optional<std::int64_t> event_id;
  std::string value;
};

/// A valid answer to an ask step, as saved (also kept per answer: the flow's answers export).
struct AnswerRecord {
  std::string step;
  std::string field;
  std::string value;
};

struct StoryRecord {
  std::string text;
  std::string place;
  bool share = false;
};

/// What one input caused, applied by the caller in the member event's transaction.
struct Effects {
  std::vector<std::string> sends;             // rendered texts, in order
  std::map<std::string, std::string> fields;  // final values of written fields
  std::set<std::string> tags_added, tags_removed;
  std::set<std::string> chapters_joined, chapters_left;
  std::optional<std::string> language;
  std::vector<ActionRecord> actions;
  std::vector<StoryRecord> stories;
  std::vector<AnswerRecord> answers;
  std::vector<TimerRequest> timers;
  std::vector<WebhookRequest> webhooks;
  bool cancel_timers = false;  // the session left its wait: pending timers are void
  bool hand_off = false;
  std::vector<std::string> errors;  // steps that could not run (a dangling reference)
};

enum class Outcome {
  kAnswered,  // the input was taken by the flow
  kInvalid,   // an invalid answer: re-prompted
  kGaveUp,    // max tries: branched
  kTimedOut,
  kReminded,
  kStale,       // a timer or webhook result for a step the member already left
  kNotWaiting,  // a text while the flow waits for a timer or a webhook: not the flow's
  kEnded,
};

struct Context {
  const Catalog* catalog = nullptr;
  std::string organization_name;
  std::string default_language = "en";
  TimePoint now;
};

/// Feeds `input` to `session` (pure): runs steps until the flow waits or ends, filling
/// `effects` and updating `session` and `member`. A session whose flow version is missing ends.
Outcome Advance(const Context& context, Session& session, MemberView& member, const Input& input,
                Effects& effects);

/// A new session of `flow` for `channel`, not started yet: Advance it with Input::kStart.
Session NewSession(const Flow& flow, ChannelId channel);

/// A session of `flow` already waiting at its entry step, when that step is an ask: for a reply
/// to a question someone else asked (a broadcast's "Reply YES to RSVP"), advanced with the
/// reply as Input::kText. nullopt when the flow does not begin with an ask.
std::optional<Session> AwaitingEntry(const Flow& flow, ChannelId channel);

/// `text` with its merge fields filled in for `member` (the pure renderer flows use); `event`
/// is asked for the event only when a {{event.*}} field needs it.
std::string RenderFor(const Context& context, const MemberView& member,
                      const std::function<const EventInfo*()>& event, std::string_view text);

/// The text of `text` in `language`, else in `fallback`, else any; "" when none.
const std::string& Pick(const LocalizedText& text, const std::string& language,
                        const std::string& fallback);

std::string_view OutcomeName(Outcome outcome);

/// "reminder", "timeout", "wait", "story_idle": how timers are stored.
std::string_view TimerKindName(TimerKind kind);
/// The kind named `name`; kTimeout for a name no kind has.
TimerKind TimerKindFromName(std::string_view name);

}  // namespace chorus::flows
