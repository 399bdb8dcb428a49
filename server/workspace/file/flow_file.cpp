#include "workspace/file/flow_file.hpp"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>

#include "core/text.hpp"
#include "core/segments.hpp"
#include "flows/merge.hpp"
#include "flows/validate.hpp"
#include "workspace/file/checks.hpp"
#include "workspace/file/file_rules.hpp"

namespace chorus::workspace::file {
namespace {

namespace pb = ::chorus::v1;

bool IsStepId(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool IsFieldName(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

flows::LocalizedText Texts(const google::protobuf::Map<std::string, std::string>& in) {
  flows::LocalizedText out;
  for (const auto& [language, text] : in) out[language] = text;
  return out;
}

flows::StepKind KindOf(pb::Step::Kind kind) {
  switch (kind) {
    case pb::Step::SEND:
      return flows::StepKind::kSend;
    case pb::Step::ASK:
      return flows::StepKind::kAsk;
    case pb::Step::BRANCH:
      return flows::StepKind::kBranch;
    case pb::Step::SET_FIELD:
      return flows::StepKind::kSetField;
    case pb::Step::JOIN_CHAPTER:
      return flows::StepKind::kJoinChapter;
    case pb::Step::LEAVE_CHAPTER:
      return flows::StepKind::kLeaveChapter;
    case pb::Step::ADD_TAG:
      return flows::StepKind::kAddTag;
    case pb::Step::REMOVE_TAG:
      return flows::StepKind::kRemoveTag;
    case pb::Step::RECORD_ACTION:
      return flows::StepKind::kRecordAction;
    case pb::Step::STORY:
      return flows::StepKind::kStory;
    case pb::Step::CALL_WEBHOOK:
      return flows::StepKind::kCallWebhook;
    case pb::Step::WAIT:
      return flows::StepKind::kWait;
    case pb::Step::HAND_OFF:
      return flows::StepKind::kHandOff;
    case pb::Step::ENTER_FLOW:
      return flows::StepKind::kEnterFlow;
    case pb::Step::END:
      return flows::StepKind::kEnd;
    default:
      return flows::StepKind::kEnd;
  }
}

flows::AnswerType AnswerOf(pb::Step::AnswerType type) {
  switch (type) {
    case pb::Step::CHOICE:
      return flows::AnswerType::kChoice;
    case pb::Step::YES_NO:
      return flows::AnswerType::kYesNo;
    case pb::Step::NUMBER:
      return flows::AnswerType::kNumber;
    case pb::Step::POSTAL_CODE:
      return flows::AnswerType::kPostalCode;
    case pb::Step::DATE:
      return flows::AnswerType::kDate;
    case pb::Step::EMAIL:
      return flows::AnswerType::kEmail;
    default:
      return flows::AnswerType::kText;
  }
}

flows::ActionKind ActionOf(pb::Step::Action action) {
  switch (action) {
    case pb::Step::PETITION:
      return flows::ActionKind::kPetition;
    case pb::Step::PLEDGE:
      return flows::ActionKind::kPledge;
    case pb::Step::RSVP:
      return flows::ActionKind::kRsvp;
    case pb::Step::CHECK_IN:
      return flows::ActionKind::kCheckIn;
    default:
      return flows::ActionKind::kCustom;
  }
}

flows::Condition ConditionOf(const pb::Condition& in) {
  flows::Condition c;
  switch (in.subject()) {
    case pb::Condition::CHAPTER:
      c.subject = flows::Subject::kChapter;
      break;
    case pb::Condition::LANGUAGE:
      c.subject = flows::Subject::kLanguage;
      break;
    case pb::Condition::TAG:
      c.subject = flows::Subject::kTag;
      break;
    case pb::Condition::ANSWER:
      c.subject = flows::Subject::kAnswer;
      break;
    case pb::Condition::EVENT:
      c.subject = flows::Subject::kEvent;
      break;
    default:
      c.subject = flows::Subject::kField;
      break;
  }
  switch (in.comparison()) {
    case pb::Condition::NOT_EQUALS:
      c.comparison = flows::Comparison::kNotEquals;
      break;
    case pb::Condition::IN:
      c.comparison = flows::Comparison::kIn;
      break;
    case pb::Condition::EXISTS:
      c.comparison = flows::Comparison::kExists;
      break;
    case pb::Condition::MISSING:
      c.comparison = flows::Comparison::kMissing;
      break;
    case pb::Condition::GREATER_THAN:
      c.comparison = flows::Comparison::kGreaterThan;
      break;
    case pb::Condition::LESS_THAN:
      c.comparison = flows::Comparison::kLessThan;
      break;
    default:
      c.comparison = flows::Comparison::kEquals;
      break;
  }
  c.name = in.name();
  c.values.assign(in.values().begin(), in.values().end());
  c.next = in.next();
  return c;
}

// "HH:MM" -> minutes after midnight.
Result<std::optional<int>> LocalTime(const std::string& text, std::string_view path) {
  if (text.empty()) return std::optional<int>();
  int h = -1, m = -1;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 23 || m < 0 ||
      m > 59) {
    return Invalid(path, "must be a local time \"HH:MM\"");
  }
  return std::optional<int>(h * 60 + m);
}

Result<flows::Step> StepOf(const pb::Step& in, std::string_view path) {
  flows::Step s;
  s.id = in.id();
  if (!IsStepId(s.id)) return Invalid(Child(path, "id"), "must be 1 to 63 of a-z, 0-9, _ and -");
  if (in.kind() == pb::Step::KIND_UNSPECIFIED) return Invalid(Child(path, "kind"), "required");
  s.kind = KindOf(in.kind());
  s.next = in.next();
  s.text = Texts(in.text());
  s.answer = AnswerOf(in.answer());
  s.save_as = in.save_as();
  if (!s.save_as.empty() && s.save_as != "language" && !IsFieldName(s.save_as)) {
    return Invalid(Child(path, "save_as"), "must be a field name: a-z, 0-9 and _");
  }
  for (const auto& c : in.choices()) {
    s.choices.push_back(
        flows::Choice{c.value(), {c.synonyms().begin(), c.synonyms().end()}, c.next()});
  }
  if (in.has_min()) s.min = in.min();
  if (in.has_max()) s.max = in.max();
  s.retry_text = Texts(in.retry_text());
  s.max_tries = in.max_tries() == 0 ? 3 : static_cast<int>(in.max_tries());
  s.on_invalid = in.on_invalid();
  s.timeout = std::chrono::seconds(in.timeout_seconds());
  s.reminder_text = Texts(in.reminder_text());
  s.reminder_after = std::chrono::seconds(in.reminder_after_seconds());
  s.on_timeout = in.on_timeout();
  for (const auto& c : in.conditions()) s.conditions.push_back(ConditionOf(c));
  s.field = in.field();
  if (s.kind == flows::StepKind::kSetField && !s.field.empty() && !IsFieldName(s.field)) {
    return Invalid(Child(path, "field"), "must be a field name: a-z, 0-9 and _");
  }
  s.value = in.value();
  s.tag = in.tag();
  // Tags are kept as a list of words: a-z, 0-9, _ and - only (no commas, no spaces).
  if (!s.tag.empty() && !IsStepId(s.tag)) {
    return Invalid(Child(path, "tag"), "must be 1 to 63 of a-z, 0-9, _ and -");
  }
  s.chapter = in.chapter();
  s.postal_code_field = in.postal_code_field();
  s.on_no_chapter = in.on_no_chapter();
  s.action = ActionOf(in.action());
  s.target = in.target();
  s.place_text = Texts(in.place_text());
  s.consent_text = Texts(in.consent_text());
  s.thanks_text = Texts(in.thanks_text());
  s.idle = std::chrono::seconds(in.idle_seconds());
  s.url = in.url();
  s.secret = in.secret();
  s.webhook_timeout = std::chrono::milliseconds(in.timeout_ms() == 0 ? 5000 : in.timeout_ms());
  s.on_failure = in.on_failure();
  s.duration = std::chrono::seconds(in.duration_seconds());
  CHORUS_ASSIGN_OR_RETURN(s.until_minute,
                          LocalTime(in.until_local_time(), Child(path, "until_local_time")));
  s.flow = in.flow();
  return s;
}

}  // namespace

Result<ChapterDefinition> CheckChapter(const pb::Chapter& c, std::string_view at,
                                       const Definition& def) {
  const std::string path(at);
  if (!IsSlug(c.slug())) return Invalid(Child(path, "slug"), kSlugProblem);
  const bool known_parent = std::any_of(def.chapters.begin(), def.chapters.end(),
                                        [&](const ChapterDefinition& o) { return o.slug == c.parent(); });
  for (const auto& other : def.chapters) {
    if (other.slug == c.slug()) return Invalid(Child(path, "slug"), Quoted(c.slug()) + " is used twice");
  }
  if (IsBlank(c.name())) return Invalid(Child(path, "name"), "required");
  if (c.parent() == c.slug() && !c.parent().empty()) {
    return Invalid(Child(path, "parent"), "is the chapter itself");
  }
  // Parents come first, so the store can write them in order and a cycle cannot be written.
  if (!c.parent().empty() && !known_parent) {
    return Invalid(Child(path, "parent"), "no chapter " + Quoted(c.parent()) + " above this one");
  }
  ChapterDefinition d{c.slug(), c.name(), c.parent(), {}, c.country(), c.time_zone()};
  if (!d.country.empty()) {
    for (char& ch : d.country) {
      ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    if (d.country.size() != 2 || !std::isalpha(static_cast<unsigned char>(d.country[0])) ||
        !std::isalpha(static_cast<unsigned char>(d.country[1]))) {
      return Invalid(Child(path, "country"), "must be a two-letter country code (US, IN, KE)");
    }
  }
  // Postal codes are read for a country: the chapter's, else its parent's (Pune under
  // Maharashtra is Indian), else the first channel's.
  if (d.country.empty()) {
    for (const auto& other : def.chapters) {
      if (other.slug == d.parent) d.country = other.country;
    }
  }
  if (d.country.empty() && !def.channels.empty()) d.country = def.channels.front().country;
  for (int j = 0; j < c.postal_codes_size(); ++j) {
    std::string code = AsciiDigits(c.postal_codes(j));
    std::string compact;
    for (char ch : code) {
      if (ch != ' ' && ch != '-')
        compact.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
    }
    if (compact.empty() || compact.size() > 10) {
      return Invalid(Element(Child(path, "postal_codes"), j), "must be a postal code prefix");
    }
    d.postal_codes.push_back(compact);
  }
  return d;
}

namespace {

Result<void> CheckChapters(const pb::Workspace& in, Definition& def) {
  for (int i = 0; i < in.chapters_size(); ++i) {
    CHORUS_ASSIGN_OR_RETURN(ChapterDefinition d, CheckChapter(in.chapters(i), Element("chapters", i), def));
    def.chapters.push_back(std::move(d));
  }
  return Ok();
}

// Exactly "YYYY-MM-DDTHH:MM" on a day the calendar has: the store reads it as a PostgreSQL
// timestamp, which refuses "2026-02-30" at apply time without naming the field.
bool IsLocalDateTime(const std::string& s) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd";
  if (s.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool digit = s[i] >= '0' && s[i] <= '9';
    if (kShape[i] == 'd' ? !digit : s[i] != kShape[i]) return false;
  }
  const auto number = [&](std::size_t at, std::size_t n) { return std::stoi(s.substr(at, n)); };
  const std::chrono::year_month_day day{std::chrono::year(number(0, 4)),
                                        std::chrono::month(static_cast<unsigned>(number(5, 2))),
                                        std::chrono::day(static_cast<unsigned>(number(8, 2)))};
  return day.ok() && number(11, 2) <= 23 && number(14, 2) <= 59;
}

// The zone of the chapter's members: its own, else its nearest ancestor's ("" when none). The
// chapters are in the file's order, parents first.
std::string ChapterZone(const Definition& def, std::string slug) {
  for (auto c = def.chapters.rbegin(); c != def.chapters.rend(); ++c) {
    if (c->slug != slug) continue;
    if (!c->time_zone.empty()) return c->time_zone;
    slug = c->parent;
  }
  return "";
}

Result<void> CheckCheckedInText(const pb::Event& e, const std::string& path,
                                EventDefinition& d) {
  d.checked_in_text = Texts(e.checked_in_text());
  for (const auto& [language, text] : d.checked_in_text) {
    const std::string at = Entry(Child(path, "checked_in_text"), language);
    if (IsBlank(text)) return Invalid(at, "is empty");
    if (CountCodePoints(text) > kMaxMessageCharacters) {
      return Invalid(at, "is longer than " + std::to_string(kMaxMessageCharacters) +
                             " characters");
    }
    for (const flows::MergeField& field : flows::MergeFields(text)) {
      if (!flows::IsKnownMergeField(field.name)) {
        return Invalid(at, "uses unknown merge field {{" + field.name + "}}");
      }
    }
  }
  return Ok();
}

// Follow-ups go out "the next morning" or so; the bound also keeps the seconds in an int.
constexpr std::uint32_t kMaxFollowUpMinutes = 30 * 24 * 60;

}  // namespace

Result<EventDefinition> CheckEvent(const pb::Event& e, std::string_view at, const Definition& def,
                                   const std::set<std::string>& flows,
                                   const std::set<std::string>& chapters) {
  const std::string path(at);
  if (!IsSlug(e.slug())) return Invalid(Child(path, "slug"), kSlugProblem);
  for (const auto& other : def.events) {
    if (other.slug == e.slug()) return Invalid(Child(path, "slug"), "is used twice");
  }
  EventDefinition d;
  d.slug = e.slug();
  d.title = Texts(e.title());
  if (!d.title.count(def.default_language)) {
    return Invalid(Child(path, "title"), "needs a \"" + def.default_language + "\" title");
  }
  if (!IsLocalDateTime(e.starts_at())) {
    return Invalid(Child(path, "starts_at"), "must be a local date and time \"2026-12-05T10:00\"");
  }
  d.starts_local = e.starts_at();
  if (!e.ends_at().empty() && !IsLocalDateTime(e.ends_at())) {
    return Invalid(Child(path, "ends_at"), "must be a local date and time \"2026-12-05T12:00\"");
  }
  d.ends_local = e.ends_at();
  // Both are local times in the same zone, and the shape sorts as text.
  if (!d.ends_local.empty() && d.ends_local < d.starts_local) {
    return Invalid(Child(path, "ends_at"), "is before starts_at " + Quoted(d.starts_local));
  }
  d.chapter = e.chapter();
  if (!d.chapter.empty() && !chapters.count(d.chapter)) {
    return Invalid(Child(path, "chapter"), "no chapter " + Quoted(d.chapter));
  }
  d.time_zone = e.time_zone();
  if (d.time_zone.empty()) d.time_zone = ChapterZone(def, d.chapter);
  if (d.time_zone.empty()) d.time_zone = def.time_zone;
  d.place = e.place();
  d.checkin_code = e.checkin_code();
  if (!d.checkin_code.empty() &&
      (d.checkin_code.size() < 3 || d.checkin_code.size() > 8 || !IsDigits(d.checkin_code))) {
    return Invalid(Child(path, "checkin_code"), "must be 3 to 8 digits");
  }
  if (e.follow_up_after_minutes() > kMaxFollowUpMinutes) {
    return Invalid(Child(path, "follow_up_after_minutes"),
                   "must be at most " + std::to_string(kMaxFollowUpMinutes) + " (30 days)");
  }
  d.follow_up_after_seconds = static_cast<int>(e.follow_up_after_minutes()) * 60;
  for (const auto& [name, slug] : {std::pair{"attended_flow", e.attended_flow()},
                                   std::pair{"absent_flow", e.absent_flow()}}) {
    if (!slug.empty() && !flows.count(slug)) {
      return Invalid(Child(path, name), "no flow " + Quoted(slug));
    }
  }
  d.attended_flow = e.attended_flow();
  d.absent_flow = e.absent_flow();
  CHORUS_TRY(CheckCheckedInText(e, path, d));
  for (const auto& other : def.events) {
    // One code, one event: a code alone must say which event the member is at.
    if (!d.checkin_code.empty() && other.checkin_code == d.checkin_code) {
      return Invalid(Child(path, "checkin_code"),
                     Quoted(d.checkin_code) + " is already event " + Quoted(other.slug) +
                         "'s; each event needs its own code");
    }
  }
  return d;
}

namespace {

Result<void> CheckEvents(const pb::Workspace& in, Definition& def,
                         const std::set<std::string>& flows,
                         const std::set<std::string>& chapters) {
  for (int i = 0; i < in.events_size(); ++i) {
    CHORUS_ASSIGN_OR_RETURN(EventDefinition d,
                            CheckEvent(in.events(i), Element("events", i), def, flows, chapters));
    def.events.push_back(std::move(d));
  }
  return Ok();
}

std::string ErrorText(const flows::ValidationError& e) {
  return e.step.empty() ? e.message : "step " + Quoted(e.step) + ": " + e.message;
}

Result<void> CheckFlows(const pb::Workspace& in, Definition& def,
                        const flows::ValidationScope& scope) {
  for (int i = 0; i < in.flows_size(); ++i) {
    CHORUS_ASSIGN_OR_RETURN(FlowDefinition flow, CheckFlow(in.flows(i), Element("flows", i), scope));
    def.flows.push_back(std::move(flow));
  }
  return Ok();
}

}  // namespace

Result<FlowDefinition> CheckFlow(const pb::Flow& in, std::string_view path,
                                 const flows::ValidationScope& scope) {
  CHORUS_ASSIGN_OR_RETURN(flows::Flow flow, FlowFromProto(in, path));
  const auto errors = flows::Validate(flow, scope);
  if (!errors.empty()) return Invalid(path, ErrorText(errors.front()));
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(in, &json, options).ok()) {
    return Invalid(path, "cannot be stored");
  }
  return FlowDefinition{std::move(flow), std::move(json)};
}

Result<flows::Flow> FlowFromProto(const pb::Flow& in, std::string_view path) {
  flows::Flow flow;
  flow.slug = in.slug();
  if (!IsSlug(flow.slug)) return Invalid(Child(path, "slug"), kSlugProblem);
  flow.name = in.name().empty() ? in.slug() : in.name();
  flow.keywords_interrupt = !in.has_keywords_interrupt() || in.keywords_interrupt();
  for (int j = 0; j < in.steps_size(); ++j) {
    CHORUS_ASSIGN_OR_RETURN(flows::Step step,
                            StepOf(in.steps(j), Element(Child(path, "steps"), j)));
    flow.steps.push_back(std::move(step));
  }
  return flow;
}

Result<flows::Flow> ParseFlowJson(std::string_view json) {
  pb::Flow proto;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // a version written by a newer binary still loads
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &proto, options);
  if (!status.ok()) return MakeError(ErrorCode::kInternal, "a stored flow version is unreadable");
  return FlowFromProto(proto, "flow");
}

Result<void> CheckCampaigns(const pb::Workspace& in, const EnvLookup& env, Definition& def) {
  const pb::Organization& org = in.organization();
  def.time_zone = org.time_zone().empty() ? "UTC" : org.time_zone();
  // Compared before the cast: 4294967295 would otherwise become -1.
  if (org.segment_budget() > 10) {
    return Invalid("organization.segment_budget", "must be from 1 to 10");
  }
  def.segment_budget = org.segment_budget() == 0 ? 4 : static_cast<int>(org.segment_budget());
  for (const auto& [name, written] : org.webhook_secrets()) {
    const std::string path = Entry("organization.webhook_secrets", name);
    if (!IsFieldName(name)) return Invalid(path, "a secret's name must be a-z, 0-9 and _");
    // An empty key would sign every call with nothing a receiver could tell apart.
    if (IsBlank(written)) return Invalid(path, "required");
    CHORUS_ASSIGN_OR_RETURN(std::string value, ResolveSecret(written, path, env));
    def.webhook_secrets[name] = value;
  }
  CHORUS_TRY(CheckChapters(in, def));

  flows::ValidationScope scope;
  scope.languages.insert(def.default_language);
  for (int i = 0; i < in.flows_size(); ++i) {
    if (!scope.flows.insert(in.flows(i).slug()).second) {
      return Invalid(Child(Element("flows", i), "slug"),
                     Quoted(in.flows(i).slug()) + " is used twice");
    }
  }
  for (const auto& c : def.chapters) scope.chapters.insert(c.slug);
  for (const auto& e : in.events()) scope.events.insert(e.slug());
  for (const auto& [name, value] : def.webhook_secrets) scope.secrets.insert(name);
  scope.segment_budget = def.segment_budget;
  CHORUS_TRY(CheckFlows(in, def, scope));
  CHORUS_TRY(CheckEvents(in, def, scope.flows, scope.chapters));

  for (std::size_t i = 0; i < def.keywords.size(); ++i) {
    const KeywordDefinition& k = def.keywords[i];
    const std::string path = Element("keywords", i);
    if (!k.flow.empty() && !scope.flows.count(k.flow)) {
      return Invalid(Child(path, "flow"), "no flow " + Quoted(k.flow) + " in this file");
    }
    if (!k.chapter.empty() && !scope.chapters.count(k.chapter)) {
      return Invalid(Child(path, "chapter"), "no chapter " + Quoted(k.chapter) + " in this file");
    }
  }
  return Ok();
}

}  // namespace chorus::workspace::file
