#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.hpp"

namespace chorus::flows {

/// A text in several languages: language tag -> text. Texts may hold merge fields
/// ({{first_name}}, {{fields.zip}}, {{chapter.name}}, {{org.name}}, {{event.title}}, ...).
using LocalizedText = std::map<std::string, std::string>;

enum class StepKind {
  kSend,         // send a text
  kAsk,          // send a question and wait for a valid answer
  kBranch,       // go to the first step whose condition holds
  kSetField,     // write a member field
  kJoinChapter,  // place the member in a chapter (named, or by postal code rule)
  kLeaveChapter,
  kAddTag,
  kRemoveTag,
  kRecordAction,  // petition signature, pledge, RSVP, check-in
  kStory,         // collect free text (several messages), optional place, consent to share
  kCallWebhook,   // signed POST to an external system; branch on the result
  kWait,          // a duration, or until a local time in the member's time zone
  kHandOff,       // the conversation goes to the organizers' inbox until closed
  kEnterFlow,     // continue in another flow
  kEnd,
};

enum class AnswerType { kText, kChoice, kYesNo, kNumber, kPostalCode, kDate, kEmail };

struct Choice {
  std::string value;                  // what is saved ("yes", "maybe", "water")
  std::vector<std::string> synonyms;  // any language; matched after folding
  std::string next;                   // the step this answer goes to ("": the ask's next)
};

enum class Subject { kAnswer, kField, kChapter, kLanguage, kTag, kEvent };
enum class Comparison { kEquals, kNotEquals, kIn, kExists, kMissing, kGreaterThan, kLessThan };

/// A branch condition. kAnswer and kField read the field `name` (answers are saved as fields);
/// kChapter compares chapter slugs the member belongs to (or is under); kTag tests `name`;
/// kEvent tests whether the member has an event ({{event.title}} would be filled).
struct Condition {
  Subject subject = Subject::kField;
  std::string name;
  Comparison comparison = Comparison::kEquals;
  std::vector<std::string> values;
  std::string next;
};

enum class ActionKind { kPetition, kPledge, kRsvp, kCheckIn, kStory, kCustom };

struct Step {
  std::string id;
  StepKind kind = StepKind::kEnd;
  std::string next;    // the following step; "" ends the flow
  LocalizedText text;  // send; ask's question; story's prompt; hand-off notice

  // kAsk
  AnswerType answer = AnswerType::kText;
  std::string save_as;  // field the answer is saved into ("zip"); empty: the step id
  std::vector<Choice> choices;
  std::optional<double> min, max;
  LocalizedText retry_text;  // after an invalid answer; empty: the question again
  int max_tries = 3;
  std::string on_invalid;           // after max_tries invalid answers ("": end)
  std::chrono::seconds timeout{0};  // 0: wait for ever
  LocalizedText reminder_text;
  std::chrono::seconds reminder_after{0};
  std::string on_timeout;  // ("": end)

  // kBranch: the first condition that holds; `next` otherwise
  std::vector<Condition> conditions;

  // kSetField (value may hold merge fields), kAddTag/kRemoveTag (tag), kJoin/LeaveChapter
  std::string field;
  std::string value;
  std::string tag;
  std::string chapter;            // slug; empty with by_postal_code
  std::string postal_code_field;  // join by this field's postal code (the chapter rules)
  std::string on_no_chapter;      // no chapter matched ("": next)

  // kRecordAction
  ActionKind action = ActionKind::kCustom;
  std::string target;  // petition or pledge name; RSVP/check-in: an event slug, empty for the
                       // session's event
  // value: the action's value ("yes", "no", "maybe"), may hold merge fields

  // kStory
  LocalizedText place_text;    // optional question for the place
  LocalizedText consent_text;  // optional yes/no question: may we share it?
  LocalizedText thanks_text;
  std::chrono::seconds idle{0};  // the story ends after this long without a message

  // kCallWebhook
  std::string url;
  std::string secret;  // name of the organization's signing secret
  std::chrono::milliseconds webhook_timeout{5000};
  std::string on_failure;  // a failed or timed-out call ("": next)

  // kWait: a duration, or until the next local time of day
  std::chrono::seconds duration{0};
  std::optional<int> until_minute;  // minutes after local midnight

  // kEnterFlow
  std::string flow;
};

/// One version of a flow: a graph of steps; the first step is the entry.
struct Flow {
  OrganizationId organization_id = 0;
  std::string slug;
  int version = 1;
  std::string name;
  /// A keyword texted during this flow starts its own flow (true), or is an answer (false).
  bool keywords_interrupt = true;
  std::vector<Step> steps;

  const Step* Find(const std::string& id) const;
  const Step* Entry() const { return steps.empty() ? nullptr : &steps.front(); }
};

std::string_view StepKindName(StepKind kind);
std::string_view ActionKindName(ActionKind kind);

}  // namespace chorus::flows
