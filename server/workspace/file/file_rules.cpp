#include "workspace/file/file_rules.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace chorus::workspace::file {
namespace {

using compliance::ComplianceWords;
using compliance::Intent;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsAsciiPunct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

template <typename Pred>
bool All(std::string_view s, Pred pred) {
  return std::all_of(s.begin(), s.end(), pred);
}

}  // namespace

Error Invalid(std::string_view path, std::string_view problem) {
  std::string message;
  message.reserve(path.size() + 2 + problem.size());
  message.append(path).append(": ").append(problem);
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  out.append(s).append("\"");
  return out;
}

std::string Child(std::string_view path, std::string_view name) {
  std::string out(path);
  if (!out.empty()) out.push_back('.');
  out.append(name);
  return out;
}

std::string Element(std::string_view path, std::size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

std::string Entry(std::string_view path, std::string_view key) {
  return std::string(path) + "[" + Quoted(key) + "]";
}

bool IsBlank(std::string_view s) { return All(s, IsAsciiSpace); }

bool IsSlug(std::string_view s) {
  return !s.empty() && s.size() <= 63 &&
         All(s, [](char c) { return IsLower(c) || IsDigit(c) || c == '-'; });
}

bool IsEnvName(std::string_view s) {
  return !s.empty() && !IsDigit(s.front()) &&
         All(s, [](char c) { return IsUpper(c) || IsLower(c) || IsDigit(c) || c == '_'; });
}

bool Mentions(std::string_view text, std::string_view name) {
  return FoldForMatch(text).find(FoldForMatch(name)) != std::string::npos;
}

bool SaysAnyOf(const ComplianceWords& words, std::string_view text,
               std::initializer_list<Intent> intents) {
  auto matches = [&](std::string_view token) {
    if (token.empty()) return false;
    Intent intent = words.Classify(token).intent;
    return std::find(intents.begin(), intents.end(), intent) != intents.end();
  };
  std::string folded = FoldForMatch(text);
  std::string_view rest = folded;
  while (!rest.empty()) {
    std::size_t space = rest.find(' ');
    std::string_view token = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    if (matches(token)) return true;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= token.size(); ++i) {
      if (i == token.size() || IsAsciiPunct(token[i])) {
        if (i > start && i - start < token.size() && matches(token.substr(start, i - start))) {
          return true;
        }
        start = i + 1;
      }
    }
  }
  return false;
}
bool IsLanguageTag(std::string_view s) {
  std::string_view language = s.substr(0, s.find('-'));
  if (language.size() < 2 || language.size() > 3 || !All(language, IsLower)) return false;
  if (language.size() == s.size()) return true;
  std::string_view region = s.substr(language.size() + 1);
  return (region.size() == 2 && All(region, IsUpper)) ||
         (region.size() == 3 && All(region, IsDigit));
}

Result<std::string> Language(const std::string& language, std::string_view path,
                             std::string_view fallback) {
  if (language.empty()) return std::string(fallback);
  if (!IsLanguageTag(language)) return Invalid(path, kLanguageTagProblem);
  return language;
}

bool IsDigits(std::string_view s) { return !s.empty() && All(s, IsDigit); }
bool IsUpperLetters(std::string_view s) { return !s.empty() && All(s, IsUpper); }

std::string TooLong(std::size_t limit, std::size_t actual, std::string_view why) {
  std::string out = "must be at most " + std::to_string(limit) + " characters";
  if (!why.empty()) out.append(" (").append(why).append(")");
  return out + "; it has " + std::to_string(actual);
}

}  // namespace chorus::workspace::file
