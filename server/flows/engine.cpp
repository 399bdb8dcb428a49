#include "flows/engine.hpp"

#include <functional>

#include "core/text.hpp"
#include "flows/answers.hpp"
#include "flows/merge.hpp"

namespace chorus::flows {
namespace {

// Steps one input may run before the engine stops: validation refuses loops without a wait,
// this only guards a definition that slipped through.
constexpr int kMaxStepsPerInput = 64;

// A story's place or consent question left unanswered this long finishes the story with what
// it has (no place, not shared), so a story told is never lost waiting for a detail.
constexpr std::chrono::seconds kStoryQuestionWait = std::chrono::hours(1);

// The chapter of the member's chapters that lies deepest in the tree ({{chapter.name}}).
const ChapterInfo* DeepestChapter(const Catalog& catalog, const MemberView& m) {
  const ChapterInfo* best = nullptr;
  int best_depth = -1;
  for (const std::string& slug : m.chapters) {
    const ChapterInfo* chapter = catalog.Chapter(slug);
    if (chapter == nullptr) continue;
    int depth = 0;
    for (const ChapterInfo* at = chapter; at && !at->parent.empty() && depth < 16; ++depth) {
      at = catalog.Chapter(at->parent);
    }
    if (depth > best_depth) best = chapter, best_depth = depth;
  }
  return best;
}

std::optional<std::string> FieldValue(const MemberView& m, const std::string& name) {
  auto it = m.fields.find(name);
  return it == m.fields.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::string LanguageOf(const Context& ctx, const MemberView& m) {
  return m.language.empty() ? ctx.default_language : m.language;
}

std::optional<std::string> EventValue(const Context& ctx, const MemberView& m,
                                      const EventInfo* event, const std::string& what) {
  if (event == nullptr) return std::nullopt;
  if (what == "title") return Pick(event->title, LanguageOf(ctx, m), ctx.default_language);
  if (what == "date") return event->local_date;
  if (what == "time") return event->local_time;
  if (what == "place") return event->place;
  return std::nullopt;
}

std::optional<std::string> MergeValue(const Context& ctx, const MemberView& m,
                                      const std::function<const EventInfo*()>& event,
                                      const std::string& name) {
  if (name == "org.name") return ctx.organization_name;
  if (name == "first_name" || name == "last_name") return FieldValue(m, name);
  if (name.rfind("fields.", 0) == 0) return FieldValue(m, name.substr(7));
  if (name == "chapter.name") {
    const ChapterInfo* chapter = ctx.catalog ? DeepestChapter(*ctx.catalog, m) : nullptr;
    return chapter ? std::optional<std::string>(chapter->name) : std::nullopt;
  }
  if (name.rfind("event.", 0) == 0) return EventValue(ctx, m, event(), name.substr(6));
  return std::nullopt;
}

class Run {
 public:
  Run(const Context& ctx, Session& s, MemberView& m, Effects& fx)
      : ctx_(ctx), s_(s), m_(m), fx_(fx) {}

  Outcome Handle(const Input& in) {
    flow_ = ctx_.catalog->FlowVersion(s_.flow, s_.version);
    if (flow_ == nullptr) return Fail("flow " + s_.flow + " version missing");
    switch (in.kind) {
      case Input::Kind::kStart:
        s_.event_id = in.event_id ? in.event_id : s_.event_id;
        return Go(flow_->Entry() ? flow_->Entry()->id : "", Outcome::kAnswered);
      case Input::Kind::kText:
        return Text(in.text);
      case Input::Kind::kTimer:
        return Timer(in);
      case Input::Kind::kWebhookResult:
        return WebhookResult(in);
    }
    return Outcome::kStale;
  }

 private:
  const Step* Current() const { return flow_->Find(s_.step); }

  Outcome Fail(const std::string& why) {
    fx_.errors.push_back(why);
    End();
    return Outcome::kEnded;
  }

  void End() {
    s_.active = false;
    s_.step.clear();
    fx_.cancel_timers = true;
  }

  Outcome Text(const std::string& text) {
    const Step* step = Current();
    if (step == nullptr) return Fail("step " + s_.step + " missing");
    if (step->kind == StepKind::kAsk) return Answer(*step, text);
    if (step->kind == StepKind::kStory) return StoryText(*step, text);
    return Outcome::kNotWaiting;
  }

  Outcome Answer(const Step& step, const std::string& text) {
    auto answer = ParseAnswer(step, text, Language(), m_.country);
    if (!answer) {
      if (++s_.tries >= step.max_tries) return Go(step.on_invalid, Outcome::kGaveUp);
      Say(step.retry_text.empty() ? step.text : step.retry_text);
      return Outcome::kInvalid;
    }
    const std::string field = step.save_as.empty() ? step.id : step.save_as;
    SetField(field, answer->value);
    fx_.answers.push_back({step.id, field, answer->value});
    const std::string next =
        answer->choice && !answer->choice->next.empty() ? answer->choice->next : step.next;
    return Go(next, Outcome::kAnswered);
  }

  Outcome StoryText(const Step& step, const std::string& text) {
    switch (s_.story_phase) {
      case 0:
        s_.story_text += (s_.story_text.empty() ? "" : "\n") + text;
        if (step.idle.count() > 0) {
          Wait(TimerKind::kStoryIdle, step.idle);  // each message restarts the idle time
          return Outcome::kAnswered;
        }
        return AfterStoryText(step);
      case 1:
        s_.story_place = text;
        return AskConsentOrFinish(step);
      default: {
        auto yes = ParseYesNo(FoldForMatch(text), Language());
        if (yes) return FinishStory(step, *yes);
        // Not a yes or no: ask again, but only max_tries times; the story is kept unshared.
        if (++s_.tries >= step.max_tries) return FinishStory(step, false);
        Say(step.consent_text);
        return Outcome::kInvalid;
      }
    }
  }

  Outcome AfterStoryText(const Step& step) {
    if (!step.place_text.empty()) {
      s_.story_phase = 1;
      Say(step.place_text);
      Wait(TimerKind::kStoryIdle, kStoryQuestionWait);
      return Outcome::kAnswered;
    }
    return AskConsentOrFinish(step);
  }

  Outcome AskConsentOrFinish(const Step& step) {
    if (!step.consent_text.empty()) {
      s_.story_phase = 2;
      s_.tries = 0;
      Say(step.consent_text);
      Wait(TimerKind::kStoryIdle, kStoryQuestionWait);
      return Outcome::kAnswered;
    }
    return FinishStory(step, false);
  }

  Outcome FinishStory(const Step& step, bool share) {
    fx_.stories.push_back(StoryRecord{s_.story_text, s_.story_place, share});
    fx_.actions.push_back(ActionRecord{ActionKind::kStory, step.target, s_.event_id, ""});
    s_.story_text.clear();
    s_.story_place.clear();
    s_.story_phase = 0;
    Say(step.thanks_text);
    return Go(step.next, Outcome::kAnswered);
  }

  Outcome Timer(const Input& in) {
    const Step* step = Current();
    if (!s_.active || step == nullptr || in.token != s_.seq) return Outcome::kStale;
    switch (in.timer) {
      case TimerKind::kReminder:
        if (step->kind != StepKind::kAsk || s_.reminded) return Outcome::kStale;
        s_.reminded = true;
        Say(step->reminder_text);
        return Outcome::kReminded;
      case TimerKind::kTimeout:
        if (step->kind != StepKind::kAsk) return Outcome::kStale;
        return Go(step->on_timeout, Outcome::kTimedOut);
      case TimerKind::kWait:
        if (step->kind != StepKind::kWait) return Outcome::kStale;
        return Go(step->next, Outcome::kAnswered);
      case TimerKind::kStoryIdle:
        if (step->kind != StepKind::kStory) return Outcome::kStale;
        if (s_.story_phase == 0) return AfterStoryText(*step);
        if (s_.story_phase == 1) return AskConsentOrFinish(*step);
        return FinishStory(*step, false);
    }
    return Outcome::kStale;
  }

  Outcome WebhookResult(const Input& in) {
    const Step* step = Current();
    if (!s_.active || step == nullptr || step->kind != StepKind::kCallWebhook ||
        in.token != s_.seq) {
      return Outcome::kStale;
    }
    const std::string next =
        in.ok ? step->next : (step->on_failure.empty() ? step->next : step->on_failure);
    return Go(next, Outcome::kAnswered);
  }

  // Leaves the current wait and runs from `id` until the flow waits again or ends.
  Outcome Go(const std::string& id, Outcome outcome) {
    fx_.cancel_timers = true;
    std::string next = id;
    for (int n = 0; n < kMaxStepsPerInput; ++n) {
      if (next.empty()) {
        End();
        return Stopped(outcome);
      }
      const Step* step = flow_->Find(next);
      if (step == nullptr) return Fail("step " + next + " missing in flow " + flow_->slug);
      std::optional<std::string> after = Execute(*step);
      if (!after) return Stopped(outcome);
      next = *after;
    }
    // A runaway definition must not text the member once per step it ran.
    fx_.sends.clear();
    return Fail("flow " + flow_->slug + " ran " + std::to_string(kMaxStepsPerInput) +
                " steps without waiting");
  }

  // The flow now waits, or an end, hand-off or failed enter-flow step ended it.
  Outcome Stopped(Outcome outcome) const {
    return !s_.active && outcome == Outcome::kAnswered ? Outcome::kEnded : outcome;
  }

  // Runs one step. Returns the next step id, or nullopt when the flow now waits (or ended).
  std::optional<std::string> Execute(const Step& step) {
    switch (step.kind) {
      case StepKind::kSend:
        Say(step.text);
        return step.next;
      case StepKind::kAsk:
        return StartAsk(step);
      case StepKind::kBranch:
        return Branch(step);
      case StepKind::kSetField:
        SetField(step.field, RenderText(step.value));
        return step.next;
      case StepKind::kJoinChapter:
        return JoinChapter(step);
      case StepKind::kLeaveChapter:
        if (m_.chapters.erase(step.chapter) > 0) fx_.chapters_left.insert(step.chapter);
        fx_.chapters_joined.erase(step.chapter);
        return step.next;
      case StepKind::kAddTag:
        m_.tags.insert(step.tag);
        fx_.tags_added.insert(step.tag);
        fx_.tags_removed.erase(step.tag);
        return step.next;
      case StepKind::kRemoveTag:
        m_.tags.erase(step.tag);
        fx_.tags_removed.insert(step.tag);
        fx_.tags_added.erase(step.tag);
        return step.next;
      case StepKind::kRecordAction:
        RecordAction(step);
        return step.next;
      case StepKind::kStory:
        return StartStory(step);
      case StepKind::kCallWebhook:
        return CallWebhook(step);
      case StepKind::kWait:
        return StartWait(step);
      case StepKind::kHandOff:
        Say(step.text);
        fx_.hand_off = true;
        End();
        return std::nullopt;
      case StepKind::kEnterFlow:
        return EnterFlow(step);
      case StepKind::kEnd:
        Say(step.text);
        End();
        return std::nullopt;
    }
    return step.next;
  }

  std::optional<std::string> StartAsk(const Step& step) {
    Say(step.text);
    s_.step = step.id;
    s_.tries = 0;
    s_.reminded = false;
    Wait(std::nullopt, {});
    if (step.reminder_after.count() > 0 && !step.reminder_text.empty()) {
      fx_.timers.push_back(TimerRequest{TimerKind::kReminder, step.reminder_after, {}, s_.seq});
    }
    if (step.timeout.count() > 0) {
      fx_.timers.push_back(TimerRequest{TimerKind::kTimeout, step.timeout, {}, s_.seq});
    }
    return std::nullopt;
  }

  std::optional<std::string> StartStory(const Step& step) {
    Say(step.text);
    s_.step = step.id;
    s_.story_phase = 0;
    s_.story_text.clear();
    s_.story_place.clear();
    Wait(std::nullopt, {});
    return std::nullopt;
  }

  std::optional<std::string> CallWebhook(const Step& step) {
    s_.step = step.id;
    Wait(std::nullopt, {});
    fx_.webhooks.push_back(
        WebhookRequest{step.url, step.secret, step.webhook_timeout, step.id, s_.seq});
    return std::nullopt;
  }

  std::optional<std::string> StartWait(const Step& step) {
    s_.step = step.id;
    Wait(std::nullopt, {});
    fx_.timers.push_back(TimerRequest{TimerKind::kWait, step.duration, step.until_minute, s_.seq});
    return std::nullopt;
  }

  // A new wait: timers of the previous one are void (their token no longer matches).
  void Wait(std::optional<TimerKind> timer, std::chrono::seconds after) {
    ++s_.seq;
    fx_.cancel_timers = true;
    if (timer) fx_.timers.push_back(TimerRequest{*timer, after, {}, s_.seq});
  }

  std::optional<std::string> EnterFlow(const Step& step) {
    const Flow* other = ctx_.catalog->ActiveFlow(step.flow);
    if (other == nullptr || other->Entry() == nullptr) {
      fx_.errors.push_back("flow " + step.flow + " is not active");
      End();
      return std::nullopt;
    }
    flow_ = other;
    s_.flow = other->slug;
    s_.version = other->version;
    return other->Entry()->id;
  }

  std::optional<std::string> JoinChapter(const Step& step) {
    const ChapterInfo* chapter = nullptr;
    if (!step.postal_code_field.empty()) {
      auto it = m_.fields.find(step.postal_code_field);
      if (it != m_.fields.end()) {
        chapter = ctx_.catalog->ChapterForPostalCode(m_.country, it->second);
      }
    } else {
      chapter = ctx_.catalog->Chapter(step.chapter);
    }
    if (chapter == nullptr) return step.on_no_chapter.empty() ? step.next : step.on_no_chapter;
    m_.chapters.insert(chapter->slug);
    fx_.chapters_joined.insert(chapter->slug);
    fx_.chapters_left.erase(chapter->slug);
    return step.next;
  }

  void RecordAction(const Step& step) {
    ActionRecord action{step.action, step.target, std::nullopt, RenderText(step.value)};
    if (step.action == ActionKind::kRsvp || step.action == ActionKind::kCheckIn) {
      const EventInfo* event = SessionEvent(step.target);
      if (event == nullptr) {
        // No event to answer for (none coming up in the member's chapters): nothing to record.
        fx_.errors.push_back("step " + step.id + ": no event for the " +
                             std::string(ActionKindName(step.action)));
        return;
      }
      action.event_id = event->id;
      action.target = event->slug;
      s_.event_id = event->id;
    }
    fx_.actions.push_back(std::move(action));
  }

  const EventInfo* SessionEvent(const std::string& slug) const {
    if (!slug.empty()) return ctx_.catalog->EventBySlug(slug);
    if (s_.event_id) return ctx_.catalog->EventById(*s_.event_id);
    return ctx_.catalog->NextEvent(m_.chapters, ctx_.now);
  }

  std::optional<std::string> Branch(const Step& step) {
    for (const Condition& c : step.conditions) {
      if (Holds(c)) return c.next;
    }
    return step.next;
  }

  bool Holds(const Condition& c) const {
    switch (c.subject) {
      case Subject::kAnswer:
      case Subject::kField: {
        auto it = m_.fields.find(c.name);
        return Compare(
            c, it == m_.fields.end() ? std::nullopt : std::optional<std::string>(it->second));
      }
      case Subject::kLanguage:
        return Compare(c, Language());
      case Subject::kTag: {
        const bool has = m_.tags.count(c.name) > 0;
        const bool absent =
            c.comparison == Comparison::kMissing || c.comparison == Comparison::kNotEquals;
        return absent ? !has : has;
      }
      case Subject::kChapter:
        return InChapter(c);
      case Subject::kEvent: {
        const bool exists = SessionEvent("") != nullptr;
        return c.comparison == Comparison::kMissing ? !exists : exists;
      }
    }
    return false;
  }

  bool InChapter(const Condition& c) const {
    bool any = false;
    for (const std::string& value : c.values) {
      for (const std::string& mine : m_.chapters) {
        if (IsWithin(mine, value)) any = true;
      }
    }
    if (c.comparison == Comparison::kExists) return !m_.chapters.empty();
    if (c.comparison == Comparison::kMissing) return m_.chapters.empty();
    return c.comparison == Comparison::kNotEquals ? !any : any;
  }

  // `slug` is `ancestor` or one of its descendants.
  bool IsWithin(const std::string& slug, const std::string& ancestor) const {
    std::string at = slug;
    for (int depth = 0; depth < 16 && !at.empty(); ++depth) {
      if (at == ancestor) return true;
      const ChapterInfo* chapter = ctx_.catalog->Chapter(at);
      at = chapter ? chapter->parent : "";
    }
    return false;
  }

  static bool Compare(const Condition& c, const std::optional<std::string>& value) {
    switch (c.comparison) {
      case Comparison::kExists:
        return value && !value->empty();
      case Comparison::kMissing:
        return !value || value->empty();
      case Comparison::kEquals:
      case Comparison::kIn:
        for (const auto& v : c.values) {
          if (value && FoldForMatch(*value) == FoldForMatch(v)) return true;
        }
        return false;
      case Comparison::kNotEquals:
        for (const auto& v : c.values) {
          if (value && FoldForMatch(*value) == FoldForMatch(v)) return false;
        }
        return true;
      case Comparison::kGreaterThan:
      case Comparison::kLessThan: {
        if (!value || c.values.empty()) return false;
        char* end = nullptr;
        const double a = std::strtod(value->c_str(), &end);
        if (end == value->c_str()) return false;
        const double b = std::strtod(c.values.front().c_str(), nullptr);
        return c.comparison == Comparison::kGreaterThan ? a > b : a < b;
      }
    }
    return false;
  }

  void SetField(const std::string& name, const std::string& value) {
    if (name == "language") {
      m_.language = value;
      fx_.language = value;
      return;
    }
    m_.fields[name] = value;
    fx_.fields[name] = value;
  }

  std::string Language() const { return LanguageOf(ctx_, m_); }

  void Say(const LocalizedText& text) {
    const std::string& chosen = Pick(text, Language(), ctx_.default_language);
    if (chosen.empty()) return;
    std::string rendered = RenderText(chosen);
    if (!rendered.empty()) fx_.sends.push_back(std::move(rendered));
  }

  std::string RenderText(const std::string& text) const {
    return RenderFor(
        ctx_, m_, [this] { return SessionEvent(""); }, text);
  }

  const Context& ctx_;
  Session& s_;
  MemberView& m_;
  Effects& fx_;
  const Flow* flow_ = nullptr;
};

}  // namespace

std::string RenderFor(const Context& context, const MemberView& member,
                      const std::function<const EventInfo*()>& event, std::string_view text) {
  return Render(text,
                [&](const std::string& name) { return MergeValue(context, member, event, name); });
}

const Step* Flow::Find(const std::string& id) const {
  for (const Step& step : steps) {
    if (step.id == id) return &step;
  }
  return nullptr;
}

const std::string& Pick(const LocalizedText& text, const std::string& language,
                        const std::string& fallback) {
  static const std::string kEmpty;
  if (auto it = text.find(language); it != text.end()) return it->second;
  if (auto it = text.find(fallback); it != text.end()) return it->second;
  return text.empty() ? kEmpty : text.begin()->second;
}

Session NewSession(const Flow& flow, ChannelId channel) {
  Session s;
  s.channel_id = channel;
  s.flow = flow.slug;
  s.version = flow.version;
  return s;
}

std::optional<Session> AwaitingEntry(const Flow& flow, ChannelId channel) {
  const Step* entry = flow.Entry();
  if (entry == nullptr || entry->kind != StepKind::kAsk) return std::nullopt;
  Session s = NewSession(flow, channel);
  s.step = entry->id;
  s.seq = 1;
  return s;
}

Outcome Advance(const Context& context, Session& session, MemberView& member, const Input& input,
                Effects& effects) {
  return Run(context, session, member, effects).Handle(input);
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kAnswered:
      return "answered";
    case Outcome::kInvalid:
      return "invalid_answer";
    case Outcome::kGaveUp:
      return "gave_up";
    case Outcome::kTimedOut:
      return "timed_out";
    case Outcome::kReminded:
      return "reminded";
    case Outcome::kStale:
      return "stale";
    case Outcome::kNotWaiting:
      return "not_waiting";
    case Outcome::kEnded:
      return "ended";
  }
  return "stale";
}

std::string_view TimerKindName(TimerKind kind) {
  switch (kind) {
    case TimerKind::kReminder: return "reminder";
    case TimerKind::kTimeout: return "timeout";
    case TimerKind::kWait: return "wait";
    case TimerKind::kStoryIdle: return "story_idle";
  }
  return "timeout";
}

TimerKind TimerKindFromName(std::string_view name) {
  for (TimerKind kind : {TimerKind::kReminder, TimerKind::kWait, TimerKind::kStoryIdle}) {
    if (TimerKindName(kind) == name) return kind;
  }
  return TimerKind::kTimeout;
}

std::string_view StepKindName(StepKind kind) {
  switch (kind) {
    case StepKind::kSend:
      return "send";
    case StepKind::kAsk:
      return "ask";
    case StepKind::kBranch:
      return "branch";
    case StepKind::kSetField:
      return "set_field";
    case StepKind::kJoinChapter:
      return "join_chapter";
    case StepKind::kLeaveChapter:
      return "leave_chapter";
    case StepKind::kAddTag:
      return "add_tag";
    case StepKind::kRemoveTag:
      return "remove_tag";
    case StepKind::kRecordAction:
      return "record_action";
    case StepKind::kStory:
      return "story";
    case StepKind::kCallWebhook:
      return "call_webhook";
    case StepKind::kWait:
      return "wait";
    case StepKind::kHandOff:
      return "hand_off";
    case StepKind::kEnterFlow:
      return "enter_flow";
    case StepKind::kEnd:
      return "end";
  }
  return "end";
}

std::string_view ActionKindName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kPetition:
      return "petition";
    case ActionKind::kPledge:
      return "pledge";
    case ActionKind::kRsvp:
      return "rsvp";
    case ActionKind::kCheckIn:
      return "check_in";
    case ActionKind::kStory:
      return "story";
    case ActionKind::kCustom:
      return "custom";
  }
  return "custom";
}

}  // namespace chorus::flows
