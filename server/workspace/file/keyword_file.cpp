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

std::string_view ReservedWhy(Intent intent) {
  switch (intent) {
    case Intent::kOptOut:
      return "an opt-out word";
    case Intent::kOptOutAll:
      return "an opt-out-of-everything word";
    case Intent::kOptIn:
      return "an opt-in word";
    case Intent::kHelp:
      return "a help word";
    case Intent::kYes:
    case Intent::kNone:
      break;
  }
  return "";
}

}  // namespace

Result<KeywordDefinition> CheckKeyword(const pb::Keyword& in, std::string_view path,
                                       const Definition& def, const ComplianceWords& words) {
  KeywordDefinition keyword;
  keyword.display_word = in.word();
  keyword.word = FoldForMatch(in.word());
  std::string word_path = Child(path, "word");
  if (keyword.word.empty()) return Invalid(word_path, "required");
  // "JOIN PUNE": a chapter-scoped keyword written as two words.
  std::string qualifier = FoldForMatch(in.qualifier());
  if (const auto space = keyword.word.find(' '); space != std::string::npos) {
    if (!qualifier.empty()) {
      return Invalid(word_path, Quoted(in.word()) + " has two words and a qualifier; use one");
    }
    qualifier = keyword.word.substr(space + 1);
    keyword.word.resize(space);
  }
  if (qualifier.find(' ') != std::string::npos) {
    if (!in.qualifier().empty()) {
      return Invalid(Child(path, "qualifier"),
                     Quoted(in.qualifier()) + " must be one word (PUNE in JOIN PUNE)");
    }
    return Invalid(word_path, Quoted(in.word()) +
                                  " must be one word, or a word and a qualifier (JOIN PUNE): a "
                                  "keyword is the first word of a member's message");
  }
  keyword.qualifier = qualifier;
  keyword.flow = in.flow();
  keyword.chapter = in.chapter();
  // STOP/START/HELP are answered before any keyword, on every channel (CTIA; carriers' own
  // handling), so a keyword with such a word would never run. YES is only an opt-in for an
  // opted-out member and may be a keyword.
  compliance::Match reserved = words.Classify(keyword.word);
  if (std::string_view why = ReservedWhy(reserved.intent); !why.empty()) {
    return Invalid(word_path, Quoted(in.word()) + " is " + std::string(why) + " (" +
                                  reserved.language +
                                  "); Chorus answers it itself, so it cannot be a keyword");
  }

  for (int j = 0; j < in.channels_size(); ++j) {
    const std::string& slug = in.channels(j);
    std::string channel_path = Element(Child(path, "channels"), j);
    bool known = std::any_of(def.channels.begin(), def.channels.end(),
                             [&](const ChannelDefinition& c) { return c.slug == slug; });
    if (!known) return Invalid(channel_path, "no channel " + Quoted(slug) + " in this file");
    if (std::find(keyword.channels.begin(), keyword.channels.end(), slug) !=
        keyword.channels.end()) {
      return Invalid(channel_path, Quoted(slug) + " is listed twice");
    }
    keyword.channels.push_back(slug);
  }

  keyword.reply = in.reply();
  std::string reply_path = Child(path, "reply");
  // An opt-in keyword always has its own reply: the confirmation CTIA asks for, checked below.
  if (IsBlank(keyword.reply) && (keyword.flow.empty() || in.opt_in())) {
    return Invalid(reply_path, in.opt_in() ? "required (the opt-in confirmation)"
                                           : "required (or a flow to start)");
  }
  if (std::size_t chars = CountCodePoints(keyword.reply); chars > kMaxMessageCharacters) {
    return Invalid(reply_path, TooLong(kMaxMessageCharacters, chars, "the longest message Chorus sends"));
  }

  CHORUS_ASSIGN_OR_RETURN(keyword.language,
                          Language(in.language(), Child(path, "language"), def.default_language));

  keyword.opt_in = in.opt_in();
  if (keyword.opt_in) {
    // CTIA: the opt-in confirmation names the program and says how to opt out and get help.
    std::vector<std::string> missing;
    if (!Mentions(keyword.reply, def.name)) {
      missing.push_back("must name the organization " + Quoted(def.name));
    }
    if (!SaysAnyOf(words, keyword.reply, {Intent::kOptOut, Intent::kOptOutAll})) {
      missing.push_back("must say how to opt out (e.g. Reply STOP)");
    }
    if (!SaysAnyOf(words, keyword.reply, {Intent::kHelp})) {
      missing.push_back("must say how to get help (e.g. HELP for help)");
    }
    if (!missing.empty()) {
      std::string problem = "an opt-in reply";
      for (std::size_t i = 0; i < missing.size(); ++i) {
        problem += (i == 0 ? " " : i + 1 == missing.size() ? " and " : ", ") + missing[i];
      }
      return Invalid(reply_path, problem);
    }
  }
  return keyword;
}

bool ScopesOverlap(const KeywordDefinition& a, const KeywordDefinition& b) {
  if (a.channels.empty() || b.channels.empty()) return true;
  return std::any_of(a.channels.begin(), a.channels.end(), [&](const std::string& slug) {
    return std::find(b.channels.begin(), b.channels.end(), slug) != b.channels.end();
  });
}

std::string ScopeName(const KeywordDefinition& keyword) {
  if (keyword.channels.empty()) return "every channel";
  std::string out = "channel";
  if (keyword.channels.size() > 1) out += "s";
  for (std::size_t i = 0; i < keyword.channels.size(); ++i) {
    out += (i == 0 ? " " : ", ") + Quoted(keyword.channels[i]);
  }
  return out;
}

}  // namespace chorus::workspace::file
