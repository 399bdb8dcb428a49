#include <algorithm>

#include "core/segments.hpp"
#include "core/text.hpp"
#include "workspace/file/checks.hpp"
#include "workspace/file/file_rules.hpp"

namespace chorus::workspace::file {
namespace {

namespace pb = ::chorus::v1;
using compliance::ComplianceWords;
using compliance::Intent;

constexpr std::size_t kMaxNameChars = 100;
constexpr int kDefaultLoopGuardMax = 3;
constexpr int kDefaultLoopGuardWindowSeconds = 3600;
constexpr int kDefaultRetentionDays = 90;

Texts ToTexts(const pb::Texts& texts) {
  return Texts{
      .help = texts.help(),
      .opt_out_confirmation = texts.opt_out_confirmation(),
      .opt_out_all_confirmation = texts.opt_out_all_confirmation(),
      .opt_in_confirmation = texts.opt_in_confirmation(),
      .default_reply = texts.default_reply(),
  };
}

// `complete`: the default-language texts, which every answer falls back to. Translations may
// leave any text out.
Result<void> CheckTexts(const pb::Texts& texts, std::string_view path, std::string_view org_name,
                        bool complete) {
  struct Field {
    std::string_view name;
    const std::string& value;
    bool required;
  };
  const Field fields[] = {
      {"help", texts.help(), complete},
      {"opt_out_confirmation", texts.opt_out_confirmation(), complete},
      {"opt_out_all_confirmation", texts.opt_out_all_confirmation(), false},
      {"opt_in_confirmation", texts.opt_in_confirmation(), complete},
      {"default_reply", texts.default_reply(), false},
  };
  for (const Field& field : fields) {
    std::string field_path = Child(path, field.name);
    if (IsBlank(field.value)) {
      if (field.required) return Invalid(field_path, "required");
      if (!field.value.empty()) return Invalid(field_path, "must not be only white space");
      continue;
    }
    std::size_t chars = CountCodePoints(field.value);
    if (chars > kMaxMessageCharacters) {
      return Invalid(field_path, TooLong(kMaxMessageCharacters, chars, "the longest message Chorus sends"));
    }
    // CTIA Messaging Principles and Best Practices: the HELP answer names the program.
    if (field.name == "help" && !Mentions(field.value, org_name)) {
      return Invalid(field_path, "must name the organization " + Quoted(org_name) +
                                     " (carriers require the program name in the HELP answer)");
    }
  }
  return Ok();
}

Result<Intent> ToIntent(pb::ComplianceWord::Intent intent, std::string_view path) {
  switch (intent) {
    case pb::ComplianceWord::OPT_OUT:
      return Intent::kOptOut;
    case pb::ComplianceWord::OPT_OUT_ALL:
      return Intent::kOptOutAll;
    case pb::ComplianceWord::OPT_IN:
      return Intent::kOptIn;
    case pb::ComplianceWord::HELP:
      return Intent::kHelp;
    case pb::ComplianceWord::INTENT_UNSPECIFIED:
      return Invalid(path, "required (one of OPT_OUT, OPT_OUT_ALL, OPT_IN, HELP)");
    default:
      break;
  }
  return Invalid(path, "invalid value " + std::to_string(static_cast<int>(intent)) +
                           " (expected one of OPT_OUT, OPT_OUT_ALL, OPT_IN, HELP)");
}


}  // namespace

Result<void> CheckOrganization(const pb::Organization& org, Definition& def,
                               ComplianceWords& words) {
  const std::string path = "organization";

  def.slug = org.slug();
  if (def.slug.empty()) return Invalid(Child(path, "slug"), "required");
  if (!IsSlug(def.slug)) {
    return Invalid(Child(path, "slug"), kSlugProblem);
  }

  def.name = org.name();
  if (IsBlank(def.name)) return Invalid(Child(path, "name"), "required");
  if (FoldForMatch(def.name).empty()) {
    return Invalid(Child(path, "name"), "must contain a letter or a digit");
  }
  if (std::size_t chars = CountCodePoints(def.name); chars > kMaxNameChars) {
    return Invalid(Child(path, "name"), TooLong(kMaxNameChars, chars, ""));
  }

  CHORUS_ASSIGN_OR_RETURN(def.default_language,
                          Language(org.default_language(), Child(path, "default_language"), "en"));

  if (!org.has_texts()) return Invalid(Child(path, "texts"), "required");
  CHORUS_TRY(CheckTexts(org.texts(), Child(path, "texts"), def.name, /*complete=*/true));
  def.texts.emplace(def.default_language, ToTexts(org.texts()));

  // protobuf's map order is unspecified; sorting makes "the first problem" the same every run.
  std::vector<std::string> languages;
  for (const auto& [language, texts] : org.translations()) languages.push_back(language);
  std::sort(languages.begin(), languages.end());
  for (const std::string& language : languages) {
    std::string entry = Entry(Child(path, "translations"), language);
    if (!IsLanguageTag(language)) return Invalid(entry, kLanguageTagProblem);
    if (language == def.default_language) {
      return Invalid(entry, "is the default language; its texts belong in organization.texts");
    }
    const pb::Texts& texts = org.translations().at(language);
    CHORUS_TRY(CheckTexts(texts, entry, def.name, /*complete=*/false));
    def.texts.emplace(language, ToTexts(texts));
  }

  std::vector<std::string> folded_words;
  for (int i = 0; i < org.compliance_words_size(); ++i) {
    const pb::ComplianceWord& word = org.compliance_words(i);
    std::string word_path = Element(Child(path, "compliance_words"), i);
    std::string folded = FoldForMatch(word.word());
    if (folded.empty()) return Invalid(Child(word_path, "word"), "required");
    if (folded.find(' ') != std::string::npos) {
      return Invalid(Child(word_path, "word"), "must be a single word");
    }
    auto earlier = std::find(folded_words.begin(), folded_words.end(), folded);
    if (earlier != folded_words.end()) {
      return Invalid(Child(word_path, "word"),
                     Quoted(word.word()) + " is already listed as " +
                         Element(Child(path, "compliance_words"), earlier - folded_words.begin()));
    }
    folded_words.push_back(folded);
    CHORUS_ASSIGN_OR_RETURN(Intent intent, ToIntent(word.intent(), Child(word_path, "intent")));
    CHORUS_ASSIGN_OR_RETURN(
        std::string language,
        Language(word.language(), Child(word_path, "language"), def.default_language));
    words.Add(intent, word.word(), language);
    def.compliance_words.push_back(
        ComplianceWordDefinition{.word = word.word(), .intent = intent, .language = language});
  }

  const pb::LoopGuard& guard = org.loop_guard();
  def.loop_guard_max = kDefaultLoopGuardMax;
  if (guard.max_repeats() != 0) {
    if (guard.max_repeats() > 100) {
      return Invalid(Child(path, "loop_guard.max_repeats"), "must be from 1 to 100");
    }
    def.loop_guard_max = static_cast<int>(guard.max_repeats());
  }
  def.loop_guard_window_seconds = kDefaultLoopGuardWindowSeconds;
  if (guard.window_seconds() != 0) {
    if (guard.window_seconds() < 60 || guard.window_seconds() > 604800) {
      return Invalid(Child(path, "loop_guard.window_seconds"),
                     "must be from 60 (a minute) to 604800 (a week)");
    }
    def.loop_guard_window_seconds = static_cast<int>(guard.window_seconds());
  }
  def.message_body_retention_days = kDefaultRetentionDays;
  if (const auto days = org.retention().message_body_days(); days != 0) {
    if (days > 3650) {
      return Invalid(Child(path, "retention.message_body_days"),
                     "must be from 1 to 3650 (ten years)");
    }
    def.message_body_retention_days = static_cast<int>(days);
  }
  return Ok();
}
}  // namespace chorus::workspace::file
