#include "broadcasts/broadcast.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "core/segments.hpp"
#include "core/text.hpp"
#include "flows/merge.hpp"

namespace chorus::broadcasts {
namespace {

bool Lower(char c) { return c >= 'a' && c <= 'z'; }
bool Digit(char c) { return c >= '0' && c <= '9'; }

// Tags and field names are the member's (ingest/member_edit.hpp): 1 to 63 of a-z, 0-9, _ (and -
// for tags). Slugs: [a-z0-9-]{1,63}.
bool Word(std::string_view s, std::string_view extra) {
  return !s.empty() && s.size() <= 63 && std::all_of(s.begin(), s.end(), [&](char c) {
           return Lower(c) || Digit(c) || extra.find(c) != std::string_view::npos;
         });
}

bool LanguageTag(std::string_view s) {
  const std::string_view language = s.substr(0, s.find('-'));
  if (language.size() < 2 || language.size() > 3 || !std::all_of(language.begin(), language.end(), Lower)) {
    return false;
  }
  if (language.size() == s.size()) return true;
  const std::string_view region = s.substr(language.size() + 1);
  return (region.size() == 2 && std::all_of(region.begin(), region.end(),
                                            [](char c) { return c >= 'A' && c <= 'Z'; })) ||
         (region.size() == 3 && std::all_of(region.begin(), region.end(), Digit));
}

// No control characters (NUL cannot reach PostgreSQL), at most 200 bytes.
bool PlainValue(std::string_view s) {
  return s.size() <= 200 && std::none_of(s.begin(), s.end(), [](char c) {
           return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
         });
}

std::string At(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

constexpr std::array<std::string_view, 6> kActionKinds = {"petition", "pledge", "rsvp",
                                                          "check_in", "story",  "custom"};

std::optional<Problem> CheckActions(const std::vector<ActionFilter>& actions,
                                    const std::string& path) {
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const ActionFilter& a = actions[i];
    if (std::find(kActionKinds.begin(), kActionKinds.end(), a.kind) == kActionKinds.end()) {
      return Problem{At(path, i) + ".kind",
                     "must be one of petition, pledge, rsvp, check_in, story, custom"};
    }
    if (!a.event.empty() && !Word(a.event, "-")) {
      return Problem{At(path, i) + ".event", "must be an event slug ([a-z0-9-]{1,63})"};
    }
    if (!PlainValue(a.target) || !PlainValue(a.value)) {
      return Problem{At(path, i), "target and value are at most 200 bytes of plain text"};
    }
  }
  return std::nullopt;
}

std::optional<Problem> CheckRule(const AudienceRule& rule, const std::string& path) {
  for (std::size_t i = 0; i < rule.chapters.size(); ++i) {
    if (!Word(rule.chapters[i], "-")) {
      return Problem{At(path + "chapters", i), "must be a chapter slug ([a-z0-9-]{1,63})"};
    }
  }
  for (std::size_t i = 0; i < rule.tags.size(); ++i) {
    if (!Word(rule.tags[i], "_-")) {
      return Problem{At(path + "tags", i), "a tag is 1 to 63 of a-z, 0-9, _ and -"};
    }
  }
  for (std::size_t i = 0; i < rule.languages.size(); ++i) {
    if (!LanguageTag(rule.languages[i])) {
      return Problem{At(path + "languages", i), "must be a language tag such as \"en\" or \"es-MX\""};
    }
  }
  for (std::size_t i = 0; i < rule.fields.size(); ++i) {
    const FieldFilter& f = rule.fields[i];
    if (!Word(f.name, "_")) {
      return Problem{At(path + "fields", i) + ".name", "a field name is 1 to 63 of a-z, 0-9 and _"};
    }
    for (const auto& v : f.values) {
      if (!PlainValue(v)) {
        return Problem{At(path + "fields", i) + ".values", "values are at most 200 bytes of plain text"};
      }
    }
  }
  if (auto bad = CheckActions(rule.took, path + "took")) return bad;
  return CheckActions(rule.not_took, path + "not_took");
}

// Merge fields a broadcast fills from the member row and the organization; event fields have
// no event to come from.
bool BroadcastField(const std::string& name) {
  return flows::IsKnownMergeField(name) && name.rfind("event.", 0) != 0;
}

std::optional<Problem> CheckVariants(const Draft& draft, const std::string& default_language) {
  if (draft.variants.empty()) return Problem{"variants", "at least one text is required"};
  if (!draft.variants.count(default_language)) {
    return Problem{"variants", "needs a text in the organization's default language (\"" +
                                   default_language + "\"): members without a variant of their "
                                   "own get it"};
  }
  for (const auto& [language, text] : draft.variants) {
    const std::string path = "variants[\"" + language + "\"]";
    if (!LanguageTag(language)) return Problem{path, "must be keyed by a language tag such as \"en\""};
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) return Problem{path, "is empty"};
    if (!IsValidUtf8(text)) return Problem{path, "must be valid UTF-8"};
    if (text.find('\0') != std::string::npos) return Problem{path, "must not hold a NUL character"};
    if (CountCodePoints(text) > kMaxMessageCharacters) {
      return Problem{path, "must be at most " + std::to_string(kMaxMessageCharacters) +
                               " characters; it has " + std::to_string(CountCodePoints(text))};
    }
    for (const auto& field : flows::MergeFields(text)) {
      if (!BroadcastField(field.name)) {
        return Problem{path, "{{" + field.name + "}} is not a merge field a broadcast can fill "
                             "(first_name, last_name, fields.NAME, org.name, chapter.name)"};
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Problem> CheckAudience(const Audience& audience) {
  if (auto bad = CheckRule(audience.include, "audience.")) return bad;
  for (std::size_t i = 0; i < audience.exclude.size(); ++i) {
    if (auto bad = CheckRule(audience.exclude[i], At("audience.exclude", i) + ".")) return bad;
  }
  return std::nullopt;
}

std::vector<std::string> ChaptersNamed(const Audience& audience) {
  std::set<std::string> out(audience.include.chapters.begin(), audience.include.chapters.end());
  for (const auto& rule : audience.exclude) out.insert(rule.chapters.begin(), rule.chapters.end());
  return {out.begin(), out.end()};
}

std::optional<Problem> CheckDraft(const Draft& draft, const std::string& default_language) {
  if (draft.name.empty() || draft.name.size() > 200 || !PlainValue(draft.name)) {
    return Problem{"name", "required: 1 to 200 bytes of plain text"};
  }
  if (auto bad = CheckAudience(draft.audience)) return bad;
  if (auto bad = CheckVariants(draft, default_language)) return bad;
  if (draft.channels.empty()) return Problem{"channels", "name at least one channel to send from"};
  for (std::size_t i = 0; i < draft.channels.size(); ++i) {
    if (!Word(draft.channels[i], "-")) return Problem{At("channels", i), "must be a channel slug"};
  }
  if (draft.send_at && draft.stale_after && *draft.stale_after <= *draft.send_at) {
    return Problem{"stale_after", "must be after send_at"};
  }
  if (!draft.reply_flow.empty() && !Word(draft.reply_flow, "-")) {
    return Problem{"reply_flow", "must be a flow slug"};
  }
  if (draft.reply_window_seconds < 0 || draft.reply_window_seconds > 30 * 24 * 3600) {
    return Problem{"reply_window_minutes", "must be between 0 and 30 days"};
  }
  if (!draft.reply_flow.empty() && draft.reply_window_seconds == 0) {
    return Problem{"reply_window_minutes", "a reply flow needs a window for the replies"};
  }
  return std::nullopt;
}

std::string VariantText(const std::string& text, bool replace_look_alikes) {
  return replace_look_alikes ? ReplaceLookAlikes(text).text : text;
}

std::string_view StatusName(Status status) {
  switch (status) {
    case Status::kAwaitingApproval: return "awaiting_approval";
    case Status::kSending: return "sending";
    case Status::kPaused: return "paused";
    case Status::kCancelled: return "cancelled";
    case Status::kDone: return "done";
  }
  return "sending";
}

std::optional<Status> StatusFromName(std::string_view name) {
  for (Status s : {Status::kAwaitingApproval, Status::kSending, Status::kPaused,
                   Status::kCancelled, Status::kDone}) {
    if (StatusName(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace chorus::broadcasts
