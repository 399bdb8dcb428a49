#include "flows/validate.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "core/segments.hpp"
#include "flows/merge.hpp"

namespace chorus::flows {
namespace {

bool Waits(StepKind kind) {
  switch (kind) {
    case StepKind::kAsk:
    case StepKind::kWait:
    case StepKind::kStory:
    case StepKind::kCallWebhook:
    case StepKind::kHandOff:
    case StepKind::kEnd:
      return true;
    default:
      return false;
  }
}

// Every step id `step` can go to, with the setting that names it.
std::vector<std::pair<std::string, std::string>> Edges(const Step& step) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const char* what, const std::string& id) {
    if (!id.empty()) out.emplace_back(what, id);
  };
  if (step.kind != StepKind::kEnd && step.kind != StepKind::kHandOff &&
      step.kind != StepKind::kEnterFlow) {
    add("next", step.next);
  }
  add("on_invalid", step.on_invalid);
  add("on_timeout", step.on_timeout);
  add("on_failure", step.on_failure);
  add("on_no_chapter", step.on_no_chapter);
  for (const Choice& c : step.choices) add("choices.next", c.next);
  for (const Condition& c : step.conditions) add("conditions.next", c.next);
  return out;
}

class Checker {
 public:
  Checker(const Flow& flow, const ValidationScope& scope) : flow_(flow), scope_(scope) {}

  std::vector<ValidationError> Run() {
    CollectLanguages();
    if (flow_.steps.empty()) Add("", "a flow needs at least one step");
    for (const Step& step : flow_.steps) {
      if (step.id.empty())
        Add("", "a step has no id");
      else if (!ids_.emplace(step.id, &step).second)
        Add(step.id, "step id is used twice");
    }
    for (const Step& step : flow_.steps) CheckStep(step);
    CheckReachable();
    CheckLoops();
    return std::move(errors_);
  }

 private:
  void Add(const std::string& step, std::string message) {
    errors_.push_back(ValidationError{step, std::move(message)});
  }

  // The flow speaks the languages any of its texts has, and the organization's default: every
  // text needs each of them. An English-only flow in a bilingual organization is fine (its
  // members get the default), a bilingual flow with one text missing its Spanish is not.
  void CollectLanguages() {
    languages_ = scope_.languages;
    for (const Step& step : flow_.steps) {
      for (const LocalizedText* text : {&step.text, &step.retry_text, &step.reminder_text,
                                        &step.place_text, &step.consent_text, &step.thanks_text}) {
        for (const auto& [language, body] : *text) languages_.insert(language);
      }
    }
  }

  void CheckStep(const Step& step) {
    for (const auto& [what, id] : Edges(step)) {
      if (!ids_.count(id)) Add(step.id, what + " names step \"" + id + "\", which does not exist");
    }
    CheckTexts(step);
    CheckSettings(step);
  }

  void CheckTexts(const Step& step) {
    const std::pair<const char*, const LocalizedText*> texts[] = {
        {"text", &step.text},
        {"retry_text", &step.retry_text},
        {"reminder_text", &step.reminder_text},
        {"place_text", &step.place_text},
        {"consent_text", &step.consent_text},
        {"thanks_text", &step.thanks_text}};
    for (const auto& [name, text] : texts) {
      if (text->empty()) continue;
      for (const std::string& language : languages_) {
        if (!text->count(language)) {
          Add(step.id, std::string(name) + " has no \"" + language + "\" variant");
        }
      }
      for (const auto& [language, body] : *text) CheckBody(step, name, language, body);
    }
    // Both render `value` (a record action's "{{fields.choice}}", say).
    if (step.kind == StepKind::kSetField || step.kind == StepKind::kRecordAction) {
      CheckMergeFields(step, "value", step.value);
    }
  }

  void CheckBody(const Step& step, const std::string& name, const std::string& language,
                 const std::string& body) {
    if (body.empty()) Add(step.id, name + " (" + language + ") is empty");
    CheckMergeFields(step, name + " (" + language + ")", body);
    // Fields count as 10 characters, or as their fallbacks, whichever costs more: a fallback
    // can be longer, or hold a character outside GSM-7 ("friend 😊") that makes it UCS-2.
    const std::string filled =
        Render(body, [](const std::string&) { return std::string(10, 'x'); });
    const std::string fallbacks =
        Render(body, [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
    const int segments =
        std::max(CountSegments(filled).segments, CountSegments(fallbacks).segments);
    if (segments > scope_.segment_budget) {
      Add(step.id, name + " (" + language + ") takes " + std::to_string(segments) +
                       " SMS segments, over the budget of " +
                       std::to_string(scope_.segment_budget));
    }
  }

  void CheckMergeFields(const Step& step, const std::string& where, const std::string& body) {
    for (const MergeField& field : MergeFields(body)) {
      if (!IsKnownMergeField(field.name)) {
        Add(step.id, where + " uses unknown merge field {{" + field.name + "}}");
      }
    }
  }

  void CheckSettings(const Step& step) {
    switch (step.kind) {
      case StepKind::kSend:
      case StepKind::kAsk:
      case StepKind::kStory:
        if (step.text.empty()) Add(step.id, "text is required");
        break;
      default:
        break;
    }
    if (step.kind == StepKind::kAsk) CheckAsk(step);
    if (step.kind == StepKind::kSetField && step.field.empty()) Add(step.id, "field is required");
    if ((step.kind == StepKind::kAddTag || step.kind == StepKind::kRemoveTag) && step.tag.empty()) {
      Add(step.id, "tag is required");
    }
    if (step.kind == StepKind::kJoinChapter || step.kind == StepKind::kLeaveChapter) {
      CheckChapter(step);
    }
    if (step.kind == StepKind::kEnterFlow && !scope_.flows.count(step.flow)) {
      Add(step.id, "flow \"" + step.flow + "\" does not exist");
    }
    if (step.kind == StepKind::kCallWebhook) CheckWebhook(step);
    if (step.kind == StepKind::kWait && step.duration.count() <= 0 && !step.until_minute) {
      Add(step.id, "a wait needs a duration or a local time");
    }
    if (step.kind == StepKind::kRecordAction &&
        (step.action == ActionKind::kRsvp || step.action == ActionKind::kCheckIn) &&
        !step.target.empty() && !scope_.events.count(step.target)) {
      Add(step.id, "event \"" + step.target + "\" does not exist");
    }
  }

  void CheckAsk(const Step& step) {
    if (step.answer == AnswerType::kChoice && step.choices.empty()) {
      Add(step.id, "a choice question needs choices");
    }
    if (step.max_tries < 1) Add(step.id, "max_tries must be at least 1");
    if (step.min && step.max && *step.min > *step.max) Add(step.id, "min is above max");
    if (step.reminder_after.count() > 0 && step.timeout.count() > 0 &&
        step.reminder_after >= step.timeout) {
      Add(step.id, "the reminder must come before the timeout");
    }
  }

  void CheckChapter(const Step& step) {
    if (step.kind == StepKind::kJoinChapter && !step.postal_code_field.empty()) return;
    if (step.chapter.empty())
      Add(step.id, "chapter is required");
    else if (!scope_.chapters.count(step.chapter)) {
      Add(step.id, "chapter \"" + step.chapter + "\" does not exist");
    }
  }

  void CheckWebhook(const Step& step) {
    if (step.url.rfind("http://", 0) != 0 && step.url.rfind("https://", 0) != 0) {
      Add(step.id, "url must start with http:// or https://");
    }
    if (step.secret.empty())
      Add(step.id, "secret is required: calls are signed");
    else if (!scope_.secrets.count(step.secret)) {
      Add(step.id, "secret \"" + step.secret + "\" is not one of the organization's");
    }
    // Calls share the carriers' HTTP client, whose own deadline (CHORUS_CARRIER_TIMEOUT_MS,
    // default 10 s) would end a longer wait anyway.
    if (step.webhook_timeout.count() <= 0 || step.webhook_timeout.count() > 10000) {
      Add(step.id, "timeout_ms must be between 1 and 10000");
    }
  }

  void CheckReachable() {
    if (flow_.steps.empty()) return;
    std::set<std::string> seen;
    std::vector<std::string> todo{flow_.steps.front().id};
    while (!todo.empty()) {
      const std::string id = todo.back();
      todo.pop_back();
      auto it = ids_.find(id);
      if (it == ids_.end() || !seen.insert(id).second) continue;
      for (const auto& edge : Edges(*it->second)) todo.push_back(edge.second);
    }
    for (const Step& step : flow_.steps) {
      if (!step.id.empty() && !seen.count(step.id)) Add(step.id, "step is unreachable");
    }
  }

  // A cycle through steps that never wait would run without the member: refused.
  void CheckLoops() {
    std::map<std::string, int> state;  // 1 visiting, 2 done
    std::function<bool(const std::string&)> visit = [&](const std::string& id) {
      auto it = ids_.find(id);
      if (it == ids_.end() || Waits(it->second->kind)) return false;
      int& s = state[id];
      if (s == 1) return true;
      if (s == 2) return false;
      s = 1;
      for (const auto& edge : Edges(*it->second)) {
        if (visit(edge.second)) {
          if (!reported_loop_) Add(id, "is part of a loop with no ask or wait step");
          reported_loop_ = true;
          return true;
        }
      }
      s = 2;
      return false;
    };
    for (const Step& step : flow_.steps) visit(step.id);
  }

  const Flow& flow_;
  const ValidationScope& scope_;
  std::map<std::string, const Step*> ids_;
  std::vector<ValidationError> errors_;
  std::set<std::string> languages_;
  bool reported_loop_ = false;
};

}  // namespace

std::vector<ValidationError> Validate(const Flow& flow, const ValidationScope& scope) {
  return Checker(flow, scope).Run();
}

}  // namespace chorus::flows
