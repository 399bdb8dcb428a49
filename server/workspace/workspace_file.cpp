#include "workspace/workspace_file.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chorus/v1/workspace.pb.h"
#include "compliance/compliance_words.hpp"
#include "core/text.hpp"

namespace chorus::workspace {
namespace {

namespace pb = ::chorus::v1;
using compliance::ComplianceWords;
using compliance::Intent;

// Twilio refuses a Body longer than 1600 characters (Message resource, "Body" parameter).
constexpr std::size_t kMaxTextChars = 1600;
constexpr std::size_t kMaxNameChars = 100;
constexpr double kMaxSegmentsPerSecond = 10000;
constexpr int kDefaultLoopGuardMax = 3;
constexpr int kDefaultLoopGuardWindowSeconds = 3600;
constexpr std::string_view kDefaultApiBase = "https://api.twilio.com";
constexpr std::string_view kEnvPrefix = "env:";
// Where a syntax error has no field: protobuf only knows a byte position.
constexpr std::string_view kFilePath = "(file)";
// protobuf's JSON stream parser quotes this many bytes either side of a syntax error
// (JsonStreamParser::ReportFailure, kContextLength).
constexpr std::size_t kProtobufErrorContext = 20;

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

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
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

bool IsBlank(std::string_view s) { return All(s, IsAsciiSpace); }

// Characters as members' phones count them (code points); the input is valid UTF-8 because
// protobuf's JSON parser refuses anything else.
std::size_t CharCount(std::string_view utf8) {
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool IsSlug(std::string_view s) {
  return !s.empty() && s.size() <= 63 &&
         All(s, [](char c) { return IsLower(c) || IsDigit(c) || c == '-'; });
}

// A BCP 47 primary language subtag, optionally with a region ("es", "es-MX", "es-419"), in the
// canonical case so that "es-MX" written in two places is one key.
bool IsLanguageTag(std::string_view s) {
  std::string_view language = s.substr(0, s.find('-'));
  if (language.size() < 2 || language.size() > 3 || !All(language, IsLower)) return false;
  if (language.size() == s.size()) return true;
  std::string_view region = s.substr(language.size() + 1);
  return (region.size() == 2 && All(region, IsUpper)) ||
         (region.size() == 3 && All(region, IsDigit));
}

constexpr std::string_view kLanguageTagProblem =
    "must be a language tag such as \"en\", \"es\" or \"es-MX\"";

bool IsE164(std::string_view s) {
  return s.size() >= 9 && s.size() <= 16 && s.front() == '+' && All(s.substr(1), IsDigit);
}

bool IsShortCode(std::string_view s) { return s.size() >= 3 && s.size() <= 8 && All(s, IsDigit); }

bool IsAccountSid(std::string_view s) {
  return s.size() == 34 && s.starts_with("AC") && All(s.substr(2), IsHex);
}

bool IsEnvName(std::string_view s) {
  return !s.empty() && !IsDigit(s.front()) &&
         All(s, [](char c) { return IsUpper(c) || IsLower(c) || IsDigit(c) || c == '_'; });
}

// Case- and accent-insensitive, the same comparison members' messages get.
bool Mentions(std::string_view text, std::string_view name) {
  return FoldForMatch(text).find(FoldForMatch(name)) != std::string::npos;
}

// True when some word of `text` (split on spaces, then on ASCII punctuation as in "STOP/HELP")
// is, on its own, a message that `words` classifies as one of `intents`.
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

std::optional<std::string> ApiBaseProblem(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return "must start with http:// or https://";
  }
  if (std::any_of(url.begin(), url.end(), IsAsciiSpace)) return "must not contain spaces";
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  // Settings are not secret: credentials in the URL would be stored and shown in the clear.
  if (authority.find('@') != std::string_view::npos) {
    return "must not contain credentials (the token belongs in auth_token)";
  }
  std::string_view host;
  std::string_view port;
  if (authority.starts_with('[')) {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return "has an unterminated IPv6 address";
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return "has a malformed host";
    port = after.empty() ? after : after.substr(1);
    if (!after.empty() && port.empty()) return "has an empty port";
  } else {
    std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return "has an empty port";
    }
  }
  if (host.empty()) return "must name a host, as in https://api.twilio.com";
  if (!All(port, IsDigit)) return "has a port that is not a number";
  return std::nullopt;
}

// ---- protobuf's JSON errors -------------------------------------------------------------------

std::string LowerFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty() && IsUpper(out.front()))
    out.front() = static_cast<char>(out.front() - 'A' + 'a');
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

// Secrets are never echoed, not even when they are the wrong JSON type.
bool IsSecretPath(std::string_view path) { return path.ends_with(".auth_token"); }

std::string LastComponent(std::string_view path) {
  std::size_t dot = path.rfind('.');
  std::string_view last = dot == std::string_view::npos ? path : path.substr(dot + 1);
  return std::string(last.substr(0, last.find('[')));
}

// What a JSON value of protobuf's `type` ("TYPE_STRING", "type.googleapis.com/chorus.v1.X")
// must look like.
std::string Expected(std::string_view type) {
  if (type == "TYPE_STRING") return "a string";
  if (type == "TYPE_BOOL") return "true or false";
  if (type == "TYPE_UINT32") return "a whole number from 0 to 4294967295";
  if (type == "TYPE_DOUBLE" || type == "TYPE_FLOAT") return "a number";
  if (type == "Map") return "an object";
  constexpr std::string_view kTypeUrlPrefix = "type.googleapis.com/";
  if (type.starts_with(kTypeUrlPrefix)) {
    std::string name(type.substr(kTypeUrlPrefix.size()));
    const auto* pool = google::protobuf::DescriptorPool::generated_pool();
    if (const auto* enum_type = pool->FindEnumTypeByName(name)) {
      std::vector<std::string> names;
      for (int i = 0; i < enum_type->value_count(); ++i) {
        const std::string& value = enum_type->value(i)->name();
        if (!value.ends_with("_UNSPECIFIED")) names.push_back(value);
      }
      std::string out = names.size() == 1 ? "" : "one of ";
      for (std::size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : ", ") + names[i];
      return out;
    }
    if (pool->FindMessageTypeByName(name) != nullptr) return "an object";
  }
  return LowerFirst(type);
}

// "(path): invalid value VALUE for type TYPE", where protobuf sometimes puts a sentence in
// VALUE and the field's name in TYPE.
Error InvalidValue(std::string_view path, std::string_view text) {
  constexpr std::string_view kForType = " for type ";
  std::size_t for_type = text.rfind(kForType);
  if (for_type == std::string_view::npos) return Invalid(path, LowerFirst(text));
  std::string_view value = text.substr(0, for_type);
  std::string_view type = text.substr(for_type + kForType.size());

  if (value.starts_with("Starting an object on a scalar field")) {
    std::string field = LastComponent(path) == type ? std::string(path) : Child(path, type);
    return Invalid(field, "expected a single value, not an object");
  }
  constexpr std::string_view kListToMap = "Cannot bind a list to map for field '";
  if (value.starts_with(kListToMap)) {
    std::string_view field = value.substr(kListToMap.size());
    field = field.substr(0, field.find('\''));
    return Invalid(Child(path, field), "expected an object, not a list");
  }
  if (IsSecretPath(path)) return Invalid(path, "expected " + Expected(type));
  return Invalid(path,
                 "invalid value " + std::string(value) + " (expected " + Expected(type) + ")");
}

std::string DescribeFieldProblem(std::string_view description) {
  if (description == "Cannot find field.") return "unknown field";
  if (description == "Proto field is not repeating, cannot start list.") {
    return "expected a single value, not a list";
  }
  return LowerFirst(description);
}

// The byte offset protobuf's syntax error points at, recovered from the excerpt it quotes
// (up to kProtobufErrorContext bytes either side, then a line with a caret).
std::optional<std::size_t> SyntaxErrorOffset(std::string_view excerpt, std::size_t caret,
                                             std::string_view json) {
  if (excerpt.empty()) return json.size();
  if (caret > excerpt.size() || caret > kProtobufErrorContext) return std::nullopt;
  std::optional<std::size_t> found;
  for (std::size_t i = json.find(excerpt); i != std::string_view::npos;
       i = json.find(excerpt, i + 1)) {
    std::size_t offset = i + caret;
    if (std::min(offset + kProtobufErrorContext, json.size()) != i + excerpt.size()) continue;
    // With a full left context any match is consistent; take the first. A shorter one means
    // the excerpt starts where the parsed text starts: the input, or a tail protobuf kept back.
    if (i == 0 || caret == kProtobufErrorContext) return offset;
    if (!found) found = offset;
  }
  return found;
}

std::string Location(std::string_view json, std::size_t offset) {
  std::string_view before = json.substr(0, offset);
  std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  std::size_t line_start = before.rfind('\n');
  std::string_view in_line =
      line_start == std::string_view::npos ? before : before.substr(line_start + 1);
  return "line " + std::to_string(line) + ", column " + std::to_string(CharCount(in_line) + 1);
}

// Translates protobuf's JSON status ("(channels[1].carrier): invalid value ...", "(channels[0])
// bogus: Cannot find field.", or a syntax error quoting the input) into "<path>: <problem>". The
// quoted input is dropped: it may hold a secret.
Error FromJsonError(std::string_view message, std::string_view json) {
  constexpr std::string_view kStatusPrefix = "INVALID_ARGUMENT:";
  if (message.starts_with(kStatusPrefix)) message.remove_prefix(kStatusPrefix.size());

  if (message.starts_with('(')) {
    std::size_t close = message.find(')');
    if (close != std::string_view::npos) {
      std::string_view path = message.substr(1, close - 1);
      std::string_view rest = message.substr(close + 1);
      constexpr std::string_view kInvalidValue = ": invalid value ";
      if (rest.starts_with(kInvalidValue)) {
        return InvalidValue(path, rest.substr(kInvalidValue.size()));
      }
      if (rest.starts_with(": ")) return Invalid(path, LowerFirst(rest.substr(2)));
      std::size_t colon = rest.find(": ");
      if (rest.starts_with(' ') && colon != std::string_view::npos) {
        return Invalid(Child(path, rest.substr(1, colon - 1)),
                       DescribeFieldProblem(rest.substr(colon + 2)));
      }
    }
  }
  if (message == ": Root element must be a message.") {
    return Invalid(kFilePath, "must be a JSON object");
  }
  constexpr std::string_view kUnknownField = ": Cannot find field.";
  if (message.ends_with(kUnknownField) && message.find('\n') == std::string_view::npos) {
    return Invalid(message.substr(0, message.size() - kUnknownField.size()), "unknown field");
  }

  // A syntax error: "<description>\n<excerpt>\n<spaces>^".
  std::size_t first_newline = message.find('\n');
  std::string_view description = message.substr(0, first_newline);
  std::string where(kFilePath);
  std::size_t last_newline = message.rfind('\n');
  if (first_newline != std::string_view::npos && last_newline > first_newline) {
    std::string_view excerpt = message.substr(first_newline + 1, last_newline - first_newline - 1);
    std::string_view caret_line = message.substr(last_newline + 1);
    if (caret_line.ends_with('^') &&
        All(caret_line.substr(0, caret_line.size() - 1), [](char c) { return c == ' '; })) {
      if (auto offset = SyntaxErrorOffset(excerpt, caret_line.size() - 1, json)) {
        where += " " + Location(json, *offset);
      }
    }
  }
  return Invalid(where, description);
}

// ---- the workspace ----------------------------------------------------------------------------

Texts ToTexts(const pb::Texts& texts) {
  return Texts{
      .help = texts.help(),
      .opt_out_confirmation = texts.opt_out_confirmation(),
      .opt_out_all_confirmation = texts.opt_out_all_confirmation(),
      .opt_in_confirmation = texts.opt_in_confirmation(),
      .default_reply = texts.default_reply(),
  };
}

std::string TooLong(std::size_t limit, std::size_t actual, std::string_view why) {
  std::string out = "must be at most " + std::to_string(limit) + " characters";
  if (!why.empty()) out.append(" (").append(why).append(")");
  return out + "; it has " + std::to_string(actual);
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
    std::size_t chars = CharCount(field.value);
    if (chars > kMaxTextChars) {
      return Invalid(field_path, TooLong(kMaxTextChars, chars, "Twilio's message limit"));
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

Result<std::string> Language(const std::string& language, std::string_view path,
                             std::string_view fallback) {
  if (language.empty()) return std::string(fallback);
  if (!IsLanguageTag(language)) return Invalid(path, kLanguageTagProblem);
  return language;
}

// Fills the organization's part of `def`; `words` gets the organization's compliance words.
Result<void> CheckOrganization(const pb::Organization& org, Definition& def,
                               ComplianceWords& words) {
  const std::string path = "organization";

  def.slug = org.slug();
  if (def.slug.empty()) return Invalid(Child(path, "slug"), "required");
  if (!IsSlug(def.slug)) {
    return Invalid(Child(path, "slug"), "must be 1 to 63 of a-z, 0-9 and - ([a-z0-9-]{1,63})");
  }

  def.name = org.name();
  if (IsBlank(def.name)) return Invalid(Child(path, "name"), "required");
  if (FoldForMatch(def.name).empty()) {
    return Invalid(Child(path, "name"), "must contain a letter or a digit");
  }
  if (std::size_t chars = CharCount(def.name); chars > kMaxNameChars) {
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
  return Ok();
}

Result<void> CheckTwilio(const pb::TwilioSettings& twilio, std::string_view path,
                         const EnvLookup& env, ChannelDefinition& channel) {
  const std::string& sid = twilio.account_sid();
  if (sid.empty()) return Invalid(Child(path, "account_sid"), "required");
  if (!IsAccountSid(sid)) {
    return Invalid(Child(path, "account_sid"),
                   "must be \"AC\" followed by 32 hexadecimal characters");
  }
  channel.settings["account_sid"] = sid;

  // Nothing below may quote the token: error messages are logged and shown.
  std::string token_path = Child(path, "auth_token");
  std::string_view token = twilio.auth_token();
  if (IsBlank(token)) return Invalid(token_path, "required");
  if (token.starts_with(kEnvPrefix)) {
    std::string_view name = token.substr(kEnvPrefix.size());
    if (!IsEnvName(name)) {
      return Invalid(token_path, "\"env:\" must be followed by an environment variable name");
    }
    std::optional<std::string> value = env ? env(name) : std::nullopt;
    if (!value) {
      return Invalid(token_path, "environment variable " + std::string(name) + " is not set");
    }
    if (IsBlank(*value)) {
      return Invalid(token_path, "environment variable " + std::string(name) + " is empty");
    }
    channel.secrets["auth_token"] = std::move(*value);
  } else {
    channel.secrets["auth_token"] = std::string(token);
  }

  std::string api_base =
      twilio.api_base().empty() ? std::string(kDefaultApiBase) : twilio.api_base();
  if (auto problem = ApiBaseProblem(api_base)) return Invalid(Child(path, "api_base"), *problem);
  channel.settings["api_base"] = std::move(api_base);
  return Ok();
}

Result<ChannelDefinition> CheckChannel(const pb::Channel& in, std::string_view path,
                                       const EnvLookup& env) {
  ChannelDefinition channel;
  channel.slug = in.slug();
  if (channel.slug.empty()) return Invalid(Child(path, "slug"), "required");
  if (!IsSlug(channel.slug)) {
    return Invalid(Child(path, "slug"), "must be 1 to 63 of a-z, 0-9 and - ([a-z0-9-]{1,63})");
  }

  switch (in.carrier()) {
    case pb::Channel::TWILIO:
      channel.carrier = CarrierKind::kTwilio;
      break;
    case pb::Channel::CARRIER_UNSPECIFIED:
      return Invalid(Child(path, "carrier"), "required (TWILIO)");
    default:
      return Invalid(
          Child(path, "carrier"),
          "invalid value " + std::to_string(static_cast<int>(in.carrier())) + " (expected TWILIO)");
  }

  channel.sender = in.sender();
  if (channel.sender.empty()) return Invalid(Child(path, "sender"), "required");
  if (!IsE164(channel.sender) && !IsShortCode(channel.sender)) {
    return Invalid(Child(path, "sender"),
                   "must be an E.164 number (+ then 8 to 15 digits, as in \"+15550100000\") or a "
                   "short code of 3 to 8 digits");
  }

  channel.country = in.country();
  if (channel.country.empty()) return Invalid(Child(path, "country"), "required");
  if (channel.country.size() != 2 || !All(channel.country, IsUpper)) {
    return Invalid(Child(path, "country"),
                   "must be an ISO 3166-1 alpha-2 code in capitals, such as \"US\"");
  }

  channel.segments_per_second = in.segments_per_second() == 0 ? 1.0 : in.segments_per_second();
  // Written so that NaN fails too.
  if (!(channel.segments_per_second > 0 && channel.segments_per_second <= kMaxSegmentsPerSecond)) {
    return Invalid(Child(path, "segments_per_second"), "must be greater than 0 and at most 10000");
  }

  if (channel.carrier == CarrierKind::kTwilio) {
    if (!in.has_twilio()) return Invalid(Child(path, "twilio"), "required for carrier TWILIO");
    CHORUS_TRY(CheckTwilio(in.twilio(), Child(path, "twilio"), env, channel));
  }
  return channel;
}

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

Result<KeywordDefinition> CheckKeyword(const pb::Keyword& in, std::string_view path,
                                       const Definition& def, const ComplianceWords& words) {
  KeywordDefinition keyword;
  keyword.display_word = in.word();
  keyword.word = FoldForMatch(in.word());
  std::string word_path = Child(path, "word");
  if (keyword.word.empty()) return Invalid(word_path, "required");
  if (keyword.word.find(' ') != std::string::npos) {
    return Invalid(word_path, Quoted(in.word()) +
                                  " must be a single word (a keyword is the first word of a "
                                  "member's message)");
  }
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
  if (IsBlank(keyword.reply)) return Invalid(reply_path, "required");
  if (std::size_t chars = CharCount(keyword.reply); chars > kMaxTextChars) {
    return Invalid(reply_path, TooLong(kMaxTextChars, chars, "Twilio's message limit"));
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

}  // namespace

Result<Definition> ParseWorkspaceFile(std::string_view json, const EnvLookup& env) {
  pb::Workspace workspace;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &workspace, options);
  if (!status.ok()) {
    auto message = status.message();
    return FromJsonError(std::string_view(message.data(), message.size()), json);
  }

  Definition def;
  if (!workspace.has_organization()) return Invalid("organization", "required");
  ComplianceWords words = ComplianceWords::BuiltIn();
  CHORUS_TRY(CheckOrganization(workspace.organization(), def, words));

  for (int i = 0; i < workspace.channels_size(); ++i) {
    std::string path = Element("channels", i);
    CHORUS_ASSIGN_OR_RETURN(ChannelDefinition channel,
                            CheckChannel(workspace.channels(i), path, env));
    for (std::size_t j = 0; j < def.channels.size(); ++j) {
      if (def.channels[j].slug == channel.slug) {
        return Invalid(Child(path, "slug"),
                       Quoted(channel.slug) + " is already used by " + Element("channels", j));
      }
    }
    def.channels.push_back(std::move(channel));
  }

  for (int i = 0; i < workspace.keywords_size(); ++i) {
    std::string path = Element("keywords", i);
    CHORUS_ASSIGN_OR_RETURN(KeywordDefinition keyword,
                            CheckKeyword(workspace.keywords(i), path, def, words));
    for (std::size_t j = 0; j < def.keywords.size(); ++j) {
      const KeywordDefinition& other = def.keywords[j];
      if (other.word == keyword.word && ScopesOverlap(other, keyword)) {
        return Invalid(Child(path, "word"), Quoted(keyword.display_word) + " is already " +
                                                Element("keywords", j) + " on " + ScopeName(other) +
                                                "; a word can have one keyword per channel");
      }
    }
    def.keywords.push_back(std::move(keyword));
  }
  return def;
}

}  // namespace chorus::workspace
