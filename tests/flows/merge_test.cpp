#include "flows/merge.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::flows {

bool operator==(const MergeField& a, const MergeField& b) {
  return a.name == b.name && a.fallback == b.fallback;
}

void PrintTo(const MergeField& f, std::ostream* os) {
  *os << "{{" << f.name << "|" << f.fallback << "}}";
}

namespace {

struct ParseCase {
  std::string_view text;
  std::vector<MergeField> fields;
};

void PrintTo(const ParseCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class MergeFieldsOf : public ::testing::TestWithParam<ParseCase> {};

TEST_P(MergeFieldsOf, ListsEachFieldInOrder) {
  EXPECT_EQ(MergeFields(GetParam().text), GetParam().fields);
}

INSTANTIATE_TEST_SUITE_P(
    WellFormed, MergeFieldsOf,
    ::testing::Values(ParseCase{"", {}}, ParseCase{"No fields here.", {}},
                      ParseCase{"Hi {{first_name}}!", {{"first_name", ""}}},
                      ParseCase{"{{ first_name | friend }}", {{"first_name", "friend"}}},
                      ParseCase{"{{first_name|}}", {{"first_name", ""}}},
                      ParseCase{"{{org.name}}{{fields.zip}}",
                                {{"org.name", ""}, {"fields.zip", ""}}},
                      ParseCase{"{{event.title|our next event}} at {{event.time}}",
                                {{"event.title", "our next event"}, {"event.time", ""}}},
                      ParseCase{"{{a|b|c}}", {{"a", "b|c"}}},
                      ParseCase{"नमस्ते {{first_name|मित्र}}", {{"first_name", "मित्र"}}}));

INSTANTIATE_TEST_SUITE_P(
    Malformed, MergeFieldsOf,
    ::testing::Values(ParseCase{"Hi {{first_name", {}}, ParseCase{"Hi {{", {}},
                      ParseCase{"Hi first_name}}", {}}, ParseCase{"{ {first_name} }", {}},
                      ParseCase{"{{}}", {{"", ""}}},
                      ParseCase{"}} {{org.name}} }}", {{"org.name", ""}}},
                      ParseCase{"Hi {{first_name, see {{org.name}}", {{"org.name", ""}}},
                      ParseCase{"{{{first_name}}}", {{"first_name", ""}}},
                      ParseCase{"{{org.name}} then {{first_name", {{"org.name", ""}}}));

std::optional<std::string> Lookup(const std::string& name) {
  static const std::map<std::string, std::string> kValues{
      {"first_name", "Ana"}, {"org.name", "Chorus"}, {"fields.zip", "10001"}, {"chapter.name", ""}};
  auto it = kValues.find(name);
  return it == kValues.end() ? std::nullopt : std::optional<std::string>(it->second);
}

struct RenderCase {
  std::string_view text;
  std::string_view rendered;
};

void PrintTo(const RenderCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class RenderOf : public ::testing::TestWithParam<RenderCase> {};

TEST_P(RenderOf, FillsFieldsOrTheirFallbacks) {
  EXPECT_EQ(Render(GetParam().text, Lookup), GetParam().rendered);
}

INSTANTIATE_TEST_SUITE_P(
    Values, RenderOf,
    ::testing::Values(RenderCase{"Hi {{first_name}}!", "Hi Ana!"},
                      RenderCase{"{{org.name}}: {{fields.zip}}", "Chorus: 10001"},
                      RenderCase{"{{ first_name | friend }}", "Ana"},
                      RenderCase{"No fields here.", "No fields here."}, RenderCase{"", ""}));

INSTANTIATE_TEST_SUITE_P(Fallbacks, RenderOf,
                         ::testing::Values(RenderCase{"Hi {{last_name|friend}}", "Hi friend"},
                                           RenderCase{"Hi {{chapter.name|there}}",
                                                      "Hi there"},  // empty value
                                           RenderCase{"Hi {{last_name}}.", "Hi ."},
                                           RenderCase{"नमस्ते {{last_name|मित्र}}", "नमस्ते मित्र"}));

INSTANTIATE_TEST_SUITE_P(UnterminatedBracesStayText, RenderOf,
                         ::testing::Values(RenderCase{"Hi {{first_name", "Hi {{first_name"},
                                           RenderCase{"Hi {{first_name, from {{org.name}}",
                                                      "Hi {{first_name, from Chorus"},
                                           RenderCase{"{{org.name}} {{", "Chorus {{"},
                                           RenderCase{"{{{first_name}}}", "{Ana}"},
                                           RenderCase{"Ana }} {{first_name}}", "Ana }} Ana"}));

TEST(Render, LooksEachFieldUpByItsTrimmedName) {
  std::vector<std::string> asked;
  Render("{{ a }}{{b|x}}{{a}}", [&](const std::string& name) {
    asked.push_back(name);
    return std::optional<std::string>();
  });
  EXPECT_EQ(asked, (std::vector<std::string>{"a", "b", "a"}));
}

struct KnownCase {
  std::string_view name;
  bool known;
};

void PrintTo(const KnownCase& c, std::ostream* os) { *os << '"' << c.name << '"'; }

class KnownMergeField : public ::testing::TestWithParam<KnownCase> {};

TEST_P(KnownMergeField, IsOneTheEngineCanFill) {
  EXPECT_EQ(IsKnownMergeField(GetParam().name), GetParam().known);
}

INSTANTIATE_TEST_SUITE_P(
    Names, KnownMergeField,
    ::testing::Values(KnownCase{"first_name", true}, KnownCase{"last_name", true},
                      KnownCase{"org.name", true}, KnownCase{"chapter.name", true},
                      KnownCase{"event.title", true}, KnownCase{"event.date", true},
                      KnownCase{"event.time", true}, KnownCase{"event.place", true},
                      KnownCase{"fields.zip", true}, KnownCase{"fields.pin_code_2", true},
                      KnownCase{"fields.", false}, KnownCase{"fields.Zip", false},
                      KnownCase{"fields.zip code", false}, KnownCase{"fields.ask-zip", true},
                      KnownCase{"event.url", false}, KnownCase{"chapter.slug", false},
                      KnownCase{"FIRST_NAME", false}, KnownCase{"zip", false},
                      KnownCase{"", false}));

}  // namespace
}  // namespace chorus::flows
