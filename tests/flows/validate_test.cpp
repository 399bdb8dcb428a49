#include "flows/validate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::flows {

bool operator==(const ValidationError& a, const ValidationError& b) {
  return a.step == b.step && a.message == b.message;
}

void PrintTo(const ValidationError& e, std::ostream* os) {
  *os << "{step \"" << e.step << "\": " << e.message << "}";
}

namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

LocalizedText Both(std::string en, std::string es) { return {{"en", en}, {"es", es}}; }

Step Make(StepKind kind, std::string id, std::string next = "") {
  Step step;
  step.kind = kind;
  step.id = std::move(id);
  step.next = std::move(next);
  return step;
}

// Scenarios 1 and 2: JOIN -> welcome -> ZIP -> chapter -> next event -> RSVP. Valid as it is.
Flow JoinFlow() {
  Flow flow;
  flow.slug = "join";
  Step welcome = Make(StepKind::kSend, "welcome", "ask_zip");
  welcome.text = Both("Welcome to {{org.name}}! Reply STOP to opt out, HELP for help.",
                      "Bienvenida a {{org.name}}. Responde ALTO para salir.");
  Step ask = Make(StepKind::kAsk, "ask_zip", "place");
  ask.answer = AnswerType::kPostalCode;
  ask.save_as = "zip";
  ask.text = Both("What's your ZIP code?", "¿Cuál es tu código postal?");
  ask.retry_text = Both("Please send 5 digits, like 10001.", "Envía 5 dígitos, como 10001.");
  ask.max_tries = 2;
  ask.on_invalid = "no_zip";
  ask.reminder_text = Both("Still there? Your ZIP?", "¿Sigues ahí? ¿Tu código?");
  ask.reminder_after = std::chrono::hours(1);
  ask.timeout = std::chrono::hours(24);
  ask.on_timeout = "no_zip";
  Step place = Make(StepKind::kJoinChapter, "place", "tell_event");
  place.postal_code_field = "zip";
  place.on_no_chapter = "no_zip";
  Step tell = Make(StepKind::kAsk, "tell_event", "bye");
  tell.answer = AnswerType::kYesNo;
  tell.text = Both("{{chapter.name}}: {{event.title}} on {{event.date}}. RSVP? YES or NO",
                   "{{chapter.name}}: {{event.title}} el {{event.date}}. ¿Vienes? SI o NO");
  tell.choices = {Choice{"yes", {}, "rsvp"}, Choice{"no", {}, "bye"}};
  Step rsvp = Make(StepKind::kRecordAction, "rsvp", "thanks");
  rsvp.action = ActionKind::kRsvp;
  rsvp.value = "yes";
  Step thanks = Make(StepKind::kEnd, "thanks");
  thanks.text = Both("See you there, {{first_name|friend}}!", "¡Nos vemos, {{first_name|amiga}}!");
  Step no_zip = Make(StepKind::kSend, "no_zip", "bye");
  no_zip.text = Both("No problem, we will ask later.", "No hay problema.");
  Step bye = Make(StepKind::kEnd, "bye");
  flow.steps = {welcome, ask, place, tell, rsvp, thanks, no_zip, bye};
  return flow;
}

ValidationScope Scope() {
  ValidationScope scope;
  scope.languages = {"en"};  // the default language; the flow also speaks "es"
  scope.flows = {"join", "survey"};
  scope.chapters = {"nyc", "ny"};
  scope.events = {"rally"};
  scope.secrets = {"crm"};
  scope.segment_budget = 2;
  return scope;
}

Step& At(Flow& flow, const std::string& id) {
  for (Step& step : flow.steps) {
    if (step.id == id) return step;
  }
  ADD_FAILURE() << "no step " << id;
  return flow.steps.front();
}

// Inserts `step` before "bye" and sends "no_zip" through it, so it is reachable.
void Reach(Flow& flow, Step step) {
  step.next = step.next.empty() ? "bye" : step.next;
  At(flow, "no_zip").next = step.id;
  flow.steps.insert(flow.steps.end() - 1, std::move(step));
}

TEST(Validate, TheScenarioFlowHasNoErrors) {
  EXPECT_THAT(Validate(JoinFlow(), Scope()), IsEmpty());
}

TEST(Validate, AFlowInTheDefaultLanguageAloneNeedsNoOtherVariants) {
  Flow flow = JoinFlow();
  for (Step& step : flow.steps) {
    for (LocalizedText* text : {&step.text, &step.retry_text, &step.reminder_text}) {
      text->erase("es");
    }
  }
  EXPECT_THAT(Validate(flow, Scope()), IsEmpty()) << "Spanish members get the English texts";
}

TEST(Validate, EveryTextNeedsTheOrganizationsDefaultLanguage) {
  Flow flow = JoinFlow();
  for (Step& step : flow.steps) {
    for (LocalizedText* text : {&step.text, &step.retry_text, &step.reminder_text}) {
      text->erase("en");
    }
  }
  const auto errors = Validate(flow, Scope());
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.front().message, "text has no \"en\" variant");
}

// One broken setting per row, and the error that must name its step.
struct BrokenCase {
  std::string_view what;
  std::function<void(Flow&)> breaks;
  ValidationError error;
};

void PrintTo(const BrokenCase& c, std::ostream* os) { *os << c.what; }

class BrokenFlow : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenFlow, IsRefusedWithAnErrorNamingTheStep) {
  Flow flow = JoinFlow();
  GetParam().breaks(flow);
  EXPECT_THAT(Validate(flow, Scope()), Contains(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    DanglingReferences, BrokenFlow,
    ::testing::Values(
        BrokenCase{"next",
                   [](Flow& f) { At(f, "no_zip").next = "byee"; },
                   {"no_zip", "next names step \"byee\", which does not exist"}},
        BrokenCase{"on_invalid",
                   [](Flow& f) { At(f, "ask_zip").on_invalid = "nozip"; },
                   {"ask_zip", "on_invalid names step \"nozip\", which does not exist"}},
        BrokenCase{"on_timeout",
                   [](Flow& f) { At(f, "ask_zip").on_timeout = "later"; },
                   {"ask_zip", "on_timeout names step \"later\", which does not exist"}},
        BrokenCase{"on_no_chapter",
                   [](Flow& f) { At(f, "place").on_no_chapter = "far"; },
                   {"place", "on_no_chapter names step \"far\", which does not exist"}},
        BrokenCase{"choice next",
                   [](Flow& f) { At(f, "tell_event").choices[0].next = "rsv"; },
                   {"tell_event", "choices.next names step \"rsv\", which does not exist"}},
        BrokenCase{"condition next",
                   [](Flow& f) {
                     Step branch = Make(StepKind::kBranch, "route");
                     branch.conditions = {
                         Condition{Subject::kTag, "vip", Comparison::kExists, {}, "vip_line"}};
                     Reach(f, branch);
                   },
                   {"route", "conditions.next names step \"vip_line\", which does not exist"}},
        BrokenCase{"webhook on_failure",
                   [](Flow& f) {
                     Step call = Make(StepKind::kCallWebhook, "call");
                     call.url = "https://crm.example.org/hook";
                     call.secret = "crm";
                     call.on_failure = "oops";
                     Reach(f, call);
                   },
                   {"call", "on_failure names step \"oops\", which does not exist"}},
        BrokenCase{"enter flow",
                   [](Flow& f) {
                     Step enter = Make(StepKind::kEnterFlow, "more");
                     enter.flow = "petition";
                     Reach(f, enter);
                   },
                   {"more", "flow \"petition\" does not exist"}},
        BrokenCase{"chapter",
                   [](Flow& f) {
                     Step join = Make(StepKind::kJoinChapter, "join_la");
                     join.chapter = "la";
                     Reach(f, join);
                   },
                   {"join_la", "chapter \"la\" does not exist"}},
        BrokenCase{"event",
                   [](Flow& f) { At(f, "rsvp").target = "gala"; },
                   {"rsvp", "event \"gala\" does not exist"}},
        BrokenCase{"secret",
                   [](Flow& f) {
                     Step call = Make(StepKind::kCallWebhook, "call");
                     call.url = "https://crm.example.org/hook";
                     call.secret = "other";
                     Reach(f, call);
                   },
                   {"call", "secret \"other\" is not one of the organization's"}}));

INSTANTIATE_TEST_SUITE_P(
    UnreachableAndLoops, BrokenFlow,
    ::testing::Values(BrokenCase{"orphan",
                                 [](Flow& f) {
                                   Step orphan = Make(StepKind::kSend, "orphan", "bye");
                                   orphan.text = Both("Nobody sees this.", "Nadie ve esto.");
                                   f.steps.push_back(orphan);
                                 },
                                 {"orphan", "step is unreachable"}},
                      BrokenCase{"no longer named by any step",
                                 [](Flow& f) {
                                   At(f, "ask_zip").on_invalid = "bye";
                                   At(f, "ask_zip").on_timeout = "bye";
                                   At(f, "place").on_no_chapter = "";
                                 },
                                 {"no_zip", "step is unreachable"}},
                      BrokenCase{"self loop",
                                 [](Flow& f) {
                                   Step again = Make(StepKind::kAddTag, "again", "again");
                                   again.tag = "looping";
                                   Reach(f, again);
                                 },
                                 {"again", "is part of a loop with no ask or wait step"}}));

INSTANTIATE_TEST_SUITE_P(
    Texts, BrokenFlow,
    ::testing::Values(
        BrokenCase{"missing variant",
                   [](Flow& f) { At(f, "thanks").text.erase("es"); },
                   {"thanks", "text has no \"es\" variant"}},
        BrokenCase{"missing retry variant",
                   [](Flow& f) { At(f, "ask_zip").retry_text.erase("en"); },
                   {"ask_zip", "retry_text has no \"en\" variant"}},
        BrokenCase{"missing reminder variant",
                   [](Flow& f) { At(f, "ask_zip").reminder_text.erase("es"); },
                   {"ask_zip", "reminder_text has no \"es\" variant"}},
        BrokenCase{"empty variant",
                   [](Flow& f) { At(f, "no_zip").text["es"] = ""; },
                   {"no_zip", "text (es) is empty"}},
        BrokenCase{"unknown merge field",
                   [](Flow& f) { At(f, "welcome").text["en"] = "Hi {{fields.Zip}}"; },
                   {"welcome", "text (en) uses unknown merge field {{fields.Zip}}"}},
        BrokenCase{"unknown merge field with a fallback",
                   [](Flow& f) { At(f, "thanks").text["es"] = "¡Hola {{nombre|amiga}}!"; },
                   {"thanks", "text (es) uses unknown merge field {{nombre}}"}},
        BrokenCase{"unknown merge field in a set_field value",
                   [](Flow& f) {
                     Step set = Make(StepKind::kSetField, "set_source");
                     set.field = "source";
                     set.value = "{{source}}";
                     Reach(f, set);
                   },
                   {"set_source", "value uses unknown merge field {{source}}"}},
        BrokenCase{"unknown merge field in an action value",
                   [](Flow& f) { At(f, "rsvp").value = "{{answer}}"; },
                   {"rsvp", "value uses unknown merge field {{answer}}"}},
        BrokenCase{"over the segment budget",
                   [](Flow& f) { At(f, "no_zip").text["en"] = std::string(307, 'a'); },
                   {"no_zip", "text (en) takes 3 SMS segments, over the budget of 2"}},
        BrokenCase{"over the budget in UCS-2",
                   [](Flow& f) { At(f, "no_zip").text["es"] = "á" + std::string(134, 'a'); },
                   {"no_zip", "text (es) takes 3 SMS segments, over the budget of 2"}},
        BrokenCase{
            "over the budget once fields are filled",
            [](Flow& f) { At(f, "no_zip").text["en"] = std::string(297, 'a') + "{{first_name}}"; },
            {"no_zip", "text (en) takes 3 SMS segments, over the budget of 2"}},
        BrokenCase{"over the budget with a long fallback",
                   [](Flow& f) {
                     At(f, "no_zip").text["en"] =
                         std::string(280, 'a') + "{{first_name|" + std::string(30, 'b') + "}}";
                   },
                   {"no_zip", "text (en) takes 3 SMS segments, over the budget of 2"}},
        BrokenCase{"over the budget with a fallback outside GSM-7",
                   [](Flow& f) {
                     At(f, "no_zip").text["en"] = std::string(130, 'a') + "{{first_name|friend 😊}}";
                   },
                   {"no_zip", "text (en) takes 3 SMS segments, over the budget of 2"}}));

INSTANTIATE_TEST_SUITE_P(
    Settings, BrokenFlow,
    ::testing::Values(
        BrokenCase{"send without text",
                   [](Flow& f) { At(f, "no_zip").text.clear(); },
                   {"no_zip", "text is required"}},
        BrokenCase{"choice without choices",
                   [](Flow& f) {
                     At(f, "ask_zip").answer = AnswerType::kChoice;
                     At(f, "ask_zip").choices.clear();
                   },
                   {"ask_zip", "a choice question needs choices"}},
        BrokenCase{"no tries",
                   [](Flow& f) { At(f, "ask_zip").max_tries = 0; },
                   {"ask_zip", "max_tries must be at least 1"}},
        BrokenCase{"min above max",
                   [](Flow& f) {
                     At(f, "ask_zip").min = 10;
                     At(f, "ask_zip").max = 1;
                   },
                   {"ask_zip", "min is above max"}},
        BrokenCase{"reminder after the timeout",
                   [](Flow& f) { At(f, "ask_zip").reminder_after = std::chrono::hours(24); },
                   {"ask_zip", "the reminder must come before the timeout"}},
        BrokenCase{"set_field without field",
                   [](Flow& f) {
                     Step set = Make(StepKind::kSetField, "set");
                     set.value = "x";
                     Reach(f, set);
                   },
                   {"set", "field is required"}},
        BrokenCase{"tag without tag",
                   [](Flow& f) { Reach(f, Make(StepKind::kRemoveTag, "untag")); },
                   {"untag", "tag is required"}},
        BrokenCase{"leave without chapter",
                   [](Flow& f) { Reach(f, Make(StepKind::kLeaveChapter, "leave")); },
                   {"leave", "chapter is required"}},
        BrokenCase{"join without chapter or postal code field",
                   [](Flow& f) { At(f, "place").postal_code_field.clear(); },
                   {"place", "chapter is required"}},
        BrokenCase{"wait without time",
                   [](Flow& f) { Reach(f, Make(StepKind::kWait, "pause")); },
                   {"pause", "a wait needs a duration or a local time"}},
        BrokenCase{"webhook url",
                   [](Flow& f) {
                     Step call = Make(StepKind::kCallWebhook, "call");
                     call.url = "ftp://crm.example.org";
                     call.secret = "crm";
                     Reach(f, call);
                   },
                   {"call", "url must start with http:// or https://"}},
        BrokenCase{"webhook without secret",
                   [](Flow& f) {
                     Step call = Make(StepKind::kCallWebhook, "call");
                     call.url = "https://crm.example.org/hook";
                     Reach(f, call);
                   },
                   {"call", "secret is required: calls are signed"}},
        BrokenCase{"webhook timeout",
                   [](Flow& f) {
                     Step call = Make(StepKind::kCallWebhook, "call");
                     call.url = "http://localhost:9000/hook";
                     call.secret = "crm";
                     call.webhook_timeout = std::chrono::milliseconds(10001);
                     Reach(f, call);
                   },
                   {"call", "timeout_ms must be between 1 and 10000"}},
        BrokenCase{"duplicate id",
                   [](Flow& f) { f.steps.push_back(At(f, "bye")); },
                   {"bye", "step id is used twice"}},
        BrokenCase{
            "missing id", [](Flow& f) { At(f, "no_zip").id.clear(); }, {"", "a step has no id"}}));

TEST(Validate, AFlowWithoutStepsIsRefused) {
  EXPECT_THAT(Validate(Flow{}, Scope()),
              ElementsAre(ValidationError{"", "a flow needs at least one step"}));
}

TEST(Validate, ADanglingNextAlsoLeavesTheStepsAfterItUnreachable) {
  Flow flow = JoinFlow();
  At(flow, "welcome").next = "ask_zipp";
  EXPECT_THAT(
      Validate(flow, Scope()),
      ElementsAre(ValidationError{"welcome", "next names step \"ask_zipp\", which does not exist"},
                  ValidationError{"ask_zip", "step is unreachable"},
                  ValidationError{"place", "step is unreachable"},
                  ValidationError{"tell_event", "step is unreachable"},
                  ValidationError{"rsvp", "step is unreachable"},
                  ValidationError{"thanks", "step is unreachable"},
                  ValidationError{"no_zip", "step is unreachable"},
                  ValidationError{"bye", "step is unreachable"}));
}

TEST(Validate, ALoopThroughBranchAndTagStepsNamesAStepOfTheLoop) {
  Flow flow = JoinFlow();
  Step branch = Make(StepKind::kBranch, "route", "tag_it");
  branch.conditions = {Condition{Subject::kTag, "done", Comparison::kExists, {}, "bye"}};
  Step tag = Make(StepKind::kAddTag, "tag_it", "route");
  tag.tag = "seen";
  At(flow, "no_zip").next = "route";
  flow.steps.push_back(branch);
  flow.steps.push_back(tag);
  const auto errors = Validate(flow, Scope());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(errors[0].step == "route" || errors[0].step == "tag_it") << errors[0].step;
  EXPECT_EQ(errors[0].message, "is part of a loop with no ask or wait step");
}

TEST(Validate, ALoopThatWaitsForTheMemberIsAllowed) {
  Flow flow = JoinFlow();
  // An invalid RSVP answer goes back through a send to the question: the ask waits.
  Step again = Make(StepKind::kSend, "again", "tell_event");
  again.text = Both("Let's try once more.", "Otra vez.");
  At(flow, "tell_event").on_invalid = "again";
  flow.steps.push_back(again);
  // A wait breaks a loop too.
  Step pause = Make(StepKind::kWait, "pause", "no_zip");
  pause.until_minute = 9 * 60;
  At(flow, "no_zip").next = "pause";
  flow.steps.push_back(pause);
  EXPECT_THAT(Validate(flow, Scope()), IsEmpty());
}

TEST(Validate, JoinByPostalCodeNeedsNoChapterAndTextsWithinBudgetPass) {
  Flow flow = JoinFlow();
  At(flow, "no_zip").text["en"] = std::string(296, 'a') + "{{first_name}}";  // 306: 2 segments
  At(flow, "no_zip").text["es"] = "á" + std::string(133, 'a');               // 134: 2 segments
  EXPECT_THAT(Validate(flow, Scope()), IsEmpty());
}

}  // namespace
}  // namespace chorus::flows
