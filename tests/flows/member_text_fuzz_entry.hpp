#pragma once

// What any text a member sends goes through before a flow acts on it: folding, digits,
// compliance words, check-in codes, every kind of answer, merge fields, and a flow waiting in an
// ask. Member text is the internet's input to flows; none of it may crash or break a promise.

#include <string>
#include <string_view>

#include "compliance/compliance_words.hpp"
#include "core/text.hpp"
#include "flows/answers.hpp"
#include "flows/engine.hpp"
#include "flows/merge.hpp"
#include "ingest/batch_decider.hpp"

namespace chorus::fuzz {

inline bool IsAsciiDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// An answer the parser accepted keeps its type's promise.
inline bool AnswerKeepsItsPromise(const flows::Step& step, const flows::Answer& answer,
                                  const std::string& country) {
  switch (step.answer) {
    case flows::AnswerType::kText:
      return true;
    case flows::AnswerType::kChoice:
    case flows::AnswerType::kYesNo:
      return !answer.value.empty();
    case flows::AnswerType::kNumber:
      return !answer.value.empty() &&
             answer.value.find_first_not_of("-.0123456789e+") == std::string::npos;
    case flows::AnswerType::kPostalCode:  // normalised: reading it again gives itself
      return flows::ParsePostalCode(answer.value, country) == answer.value;
    case flows::AnswerType::kDate:
      return answer.value.size() == 10 && answer.value[4] == '-' && answer.value[7] == '-';
    case flows::AnswerType::kEmail:
      return answer.value.find('@') != std::string::npos;
  }
  return false;
}

inline bool AnswersKeepTheirPromises(std::string_view input) {
  using flows::AnswerType;
  for (AnswerType type :
       {AnswerType::kText, AnswerType::kChoice, AnswerType::kYesNo, AnswerType::kNumber,
        AnswerType::kPostalCode, AnswerType::kDate, AnswerType::kEmail}) {
    flows::Step step;
    step.id = "q";
    step.kind = flows::StepKind::kAsk;
    step.answer = type;
    step.choices = {flows::Choice{"water", {"agua", "पानी"}, ""}, flows::Choice{"5", {}, ""}};
    step.min = 1;
    step.max = 100;
    for (const char* country : {"US", "IN", "GB", "CA", "KE", ""}) {
      for (const char* language : {"en", "hi", "ar"}) {
        auto answer = flows::ParseAnswer(step, input, language, country);
        if (answer && !AnswerKeepsItsPromise(step, *answer, country)) return false;
      }
    }
  }
  return true;
}

// A flow waiting in an ask takes the text: it re-prompts, moves on, or ends, and never sends an
// empty text.
inline bool AFlowTakesTheText(std::string_view input) {
  flows::Flow flow;
  flow.slug = "f";
  flow.version = 1;
  flows::Step ask;
  ask.id = "ask";
  ask.kind = flows::StepKind::kAsk;
  ask.answer = flows::AnswerType::kNumber;
  ask.text = {{"en", "How many? {{fields.n|}}"}};
  ask.next = "done";
  flows::Step done;
  done.id = "done";
  done.kind = flows::StepKind::kSend;
  done.text = {{"en", "Got {{fields.ask}}, {{first_name|friend}}"}};
  flow.steps = {ask, done};
  struct OneFlow final : flows::Catalog {
    const flows::Flow* flow = nullptr;
    const flows::Flow* ActiveFlow(const std::string&) const override { return flow; }
    const flows::Flow* FlowVersion(const std::string&, int) const override { return flow; }
    const flows::ChapterInfo* Chapter(const std::string&) const override { return nullptr; }
    const flows::ChapterInfo* ChapterForPostalCode(const std::string&,
                                                   const std::string&) const override {
      return nullptr;
    }
    const flows::EventInfo* NextEvent(const std::set<std::string>&, TimePoint) const override {
      return nullptr;
    }
    const flows::EventInfo* EventById(std::int64_t) const override { return nullptr; }
    const flows::EventInfo* EventBySlug(const std::string&) const override { return nullptr; }
  } catalog;
  catalog.flow = &flow;
  const flows::Context context{&catalog, "Chorus", "en", TimePoint{}};
  flows::Session session = flows::NewSession(flow, 1);
  flows::MemberView member;
  member.fields["first_name"] = std::string(input.substr(0, 40));
  flows::Effects effects;
  flows::Input start;
  start.kind = flows::Input::Kind::kStart;
  flows::Advance(context, session, member, start, effects);
  for (int i = 0; i < 4; ++i) {
    flows::Input text;
    text.kind = flows::Input::Kind::kText;
    text.text = std::string(input);
    flows::Effects fx;
    flows::Advance(context, session, member, text, fx);
    for (const std::string& sent : fx.sends) {
      if (sent.empty()) return false;
    }
  }
  return true;
}

/// The fuzz entry: false when a property that must hold for any member text breaks.
inline bool FuzzMemberText(std::string_view input) {
  const std::string folded = FoldForMatch(input);
  if (FoldForMatch(folded) != folded || !IsValidUtf8(folded)) return false;
  (void)AsciiDigits(input);
  static const compliance::ComplianceWords words = compliance::ComplianceWords::BuiltIn();
  (void)words.Classify(input);
  const std::string code = ingest::CheckInCode(folded);
  if (!code.empty() && (code.size() < 3 || code.size() > 8 || !IsAsciiDigits(code))) return false;
  for (const flows::MergeField& field : flows::MergeFields(input)) {
    if (field.name.find("}}") != std::string::npos) return false;
  }
  (void)flows::Render(input, [](const std::string&) { return std::string("x"); });
  return AnswersKeepTheirPromises(input) && AFlowTakesTheText(input);
}

}  // namespace chorus::fuzz
