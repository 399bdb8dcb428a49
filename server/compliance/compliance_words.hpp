#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace chorus::compliance {

/// What a whole inbound message means for consent.
enum class Intent {
  kNone,
  kOptOut,     // STOP: stop messages from this sender (channel)
  kOptOutAll,  // STOPALL: stop messages from the whole organization
  kOptIn,      // START / UNSTOP: opt back in
  kHelp,       // HELP / INFO: always answered
  kYes,        // YES: an opt-in only when the member is opted out, otherwise ordinary text
};

/// The intent and the language of the word that matched (a built-in language such as "en", "es"
/// or "ur", or the language an organization gave its own word). `language` is empty for kNone.
struct Match {
  Intent intent = Intent::kNone;
  std::string language;
  friend bool operator==(const Match&, const Match&) = default;
};

/// The compliance vocabulary of one organization: built-in words in several languages plus the
/// organization's own. Matches the *whole* message after FoldForMatch (so "We have got to STOP
/// this bill" is not an opt-out). Immutable after construction; Classify is thread-safe.
class ComplianceWords {
 public:
  /// English (carrier defaults: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT,
  /// START, UNSTOP, YES, HELP, INFO) and 13 more languages: es, fr, pt, de, id, tl, sw (Latin),
  /// ru (Cyrillic), hi (Devanagari and romanised), bn (Bengali), ta (Tamil), ar and ur (Arabic
  /// script). Each folded word has exactly one meaning and one language. The lists, their
  /// sources and the words left out on purpose are in compliance_words.cpp and docs/COMPLIANCE.md.
  static ComplianceWords BuiltIn();

  /// Adds an organization's word; `word` is folded here. A later Add of the same folded word
  /// replaces the earlier meaning.
  void Add(Intent intent, std::string_view word, std::string_view language);

  Match Classify(std::string_view body) const;

 private:
  std::unordered_map<std::string, Match> words_;  // folded word -> meaning
};

std::string_view IntentName(Intent intent);

}  // namespace chorus::compliance
